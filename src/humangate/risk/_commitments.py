"""Commitments in text: the promises a writer makes ("I will send you ...") and the requests they make.

Word patterns, no model, read on the text as a reader reads it (``risk._fold.readable``); each finding
keeps its span in the text as written. ``risk.terms`` re-exports ``Commitment`` and ``find_commitments``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from humangate.risk._fold import readable

__all__ = ["Commitment", "find_commitments"]

_I = re.IGNORECASE


@dataclass(frozen=True)
class Commitment:
    """A promise the writer makes, or a request they make of the reader."""

    kind: Literal["promise", "request"]
    start: int
    end: int
    text: str


_ACT = (
    r"(?:send|get|give|call|follow|forward|email|e-mail|mail|ship|deliver|provide|share|prepare|set\s+up|schedule"
    r"|arrange|book|check|look|review|confirm|update|fix|handle|take|make|put|have|bring|write|draft|reply|respond"
    r"|contact|reach|ping|circle|pass|work|finish|complete|try|be\s+(?:there|in|at|available|attending|sending|in\s+touch)"
    r"|talk|speak|meet|come|join|pick|drop|pay|transfer|process|order|buy|cover|sign|return|resend|invite|let|keep"
    r"|ask|find|sort|go|start|stop|do|see|plan|need|want)"
)
_PROMISE = re.compile(
    r"(?<!\w)(?:(?:I|we)(?:'ll|’ll|\s+will|\s+shall)|(?:I'm|I\s+am|we're|we\s+are)\s+going\s+to"
    r"|(?:I|we)\s+(?:promise|commit|guarantee|plan|intend)\s+to|let\s+me)\s+(?:\w+ly\s+)?(?:also\s+|then\s+|just\s+)?"
    + _ACT
    + r"\b",
    _I,
)
_PROMISE_OFFER = re.compile(
    r"\b(?:I|we)(?:'ll|’ll|\s+will)\s+(?:be\s+)?(?:happy|glad)\s+to\b|\b(?:I|we)\s+(?:can|could)\s+" + _ACT + r"\b", _I
)
_REQUEST = [
    re.compile(r"\b(?:please|pls|plz|kindly)\b", _I),
    re.compile(
        r"\b(?:could|can|would|will|wo?n't)\s+(?:you|u|someone|somebody|anyone|one\s+of\s+you|y'all)\b"
        r"(?!\s+(?:believe|imagine|guess))",
        _I,
    ),
    re.compile(r"\b(?:let\s+(?:me|us)\s+know|get\s+back\s+to\s+me|give\s+me\s+a\s+call|drop\s+me\s+a\s+line)\b", _I),
    re.compile(
        r"\b(?:I|we)\s+(?:need|want|would\s+like|'d\s+like|’d\s+like)\s+(?:you|your|to\s+(?:get|have|see|know|ask))\b",
        _I,
    ),
    re.compile(r"\b(?:do|did|have|are|is|were)\s+you\b[^.?!]*\?", _I),
    re.compile(r"\b(?:what|when|where|who|how|which|why)\b[^.?!]*\?", _I),
    re.compile(r"\bmake\s+sure\b|\bdon't\s+forget\b|\bremember\s+to\b|\bfeel\s+free\s+to\b|\bdo\s+not\s+hesitate", _I),
    re.compile(r"\b(?:I|we)\s+(?:would\s+)?(?:appreciate|be\s+grateful)\b", _I),
    re.compile(r"\bshall\s+we\b|\bhow\s+about\b|\bwhy\s+don't\s+(?:you|we)\b|\bwant\s+to\s+(?:come|join|meet)\b", _I),
    re.compile(r"\byou\s+(?:need|should|must|have|may\s+want|might\s+want)\s+to\b|\byou\s+should\b", _I),
    re.compile(r"\bI\s+(?:suggest|recommend|propose)\b|\bI\s+(?:was\s+)?wonder(?:ing)?\s+if\b", _I),
    re.compile(r"\b(?:I|we)\s+(?:would|'d|’d)\s+like\s+to\b|\bif\s+you(?:'d|’d|\s+would)\s+(?:like|prefer)\b", _I),
    re.compile(r"\b(?:we|I)\s+(?:need|should|must)\s+(?:to\s+)?(?:discuss|talk|meet|get|have|review|schedule)\b", _I),
    re.compile(r"\blet'?s\b|\bwanna\b|\breminder\b|\binterested\?|\bwould\s+be\s+(?:great|good|nice|helpful)\b", _I),
]
_IMPERATIVE = re.compile(
    r"(?:^|(?<=[.!?:;]\s)|(?<=\n))\s*(?:[A-Z][a-z]+,\s+)?(?:send|call|give|forward|email|e-mail|contact|review|sign"
    r"|confirm|check|take|visit|join|reply|respond|fill|submit|complete|update|provide|remember|note|see|read|print"
    r"|bring|get|ask|tell|let|find|follow|attach|return|schedule|book|register|click|download|keep|save|come|go"
    r"|stop|add|use|try|talk|meet|pick|pass|put|make|set|plan|prepare|include|ensure|verify|approve)\b",
    _I,
)


def find_commitments(text: str) -> list[Commitment]:
    """Return the promises the writer makes ("I will send you...") and the requests they make, in order."""
    read = readable(text)
    found: list[Commitment] = []
    for pattern in (_PROMISE, _PROMISE_OFFER):
        for m in pattern.finditer(read.text):
            start, end = read.span(m.start(), m.end())
            found.append(Commitment("promise", start, end, text[start:end].strip()))
    for pattern in [*_REQUEST, _IMPERATIVE]:
        for m in pattern.finditer(read.text):
            start, end = read.span(m.start(), m.end())
            if not any(f.start <= start < f.end for f in found):
                found.append(Commitment("request", start, end, text[start:end].strip()))
    return sorted(found, key=lambda c: c.start)
