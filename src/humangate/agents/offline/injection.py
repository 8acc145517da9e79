"""Find text in untrusted sources that tries to instruct the agent instead of informing it.

English patterns live here; the same kinds of instruction in French, German, Spanish, Italian and
Portuguese, in any case and with or without accents, come from ``risk._injection_lexicon``, with the
sentences addressed to an AI reader or writer; look-alike letters, letter-spaced words and base64 runs are
read through ``risk._obfuscation`` and hidden markup through ``risk._hidden_text``.
"""

from __future__ import annotations

import re

from humangate.core.schemas import InjectionFinding, Source
from humangate.core.text import split_sentences
from humangate.risk._hidden_text import MIN_HIDDEN_WORDS, hidden_spans
from humangate.risk._injection_lexicon import ADDRESSED, hidden_characters, multilingual_matches
from humangate.risk._obfuscation import disguised, unconfuse

__all__ = ["find_injections", "looks_like_injection"]

_TARGET = r"(?:instructions?|prompts?|directions?|rules|guidelines|context|messages?)"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "override of earlier instructions",
        re.compile(
            rf"\b(?:ignore|disregard|forget|override|bypass|skip)\b[^.!?\n]{{0,40}}\b(?:previous|prior|above|earlier|"
            rf"preceding|all|any|your|the|system|original)\b[^.!?\n]{{0,20}}\b{_TARGET}\b",
            re.I,
        ),
    ),
    (
        "new instructions for the AI",
        re.compile(
            r"\b(?:new|updated|real|actual|hidden|secret)\s+(?:instructions?|task|orders?|system prompt)\s*[:\-]", re.I
        ),
    ),
    (
        "role reassignment",
        re.compile(
            r"\byou\s+are\s+(?:now|no\s+longer)\b|\b(?:act|behave|respond|pretend)\s+as\s+(?:if\s+you\s+(?:are|were)|an?|"
            r"the)\b[^.!?\n]{0,40}\b(?:assistant|ai|bot|model|agent|admin|developer)\b",
            re.I,
        ),
    ),
    (
        "message addressed to the AI",
        re.compile(
            r"\b(?:ai|assistant|chatbot|language model|llm|gpt|agent)s?\s*[,:]\s*(?:you\s+(?:must|should|will)|please|"
            r"do\s+not|don't|always|never)\b|\bif\s+you\s+are\s+an?\s+(?:ai|assistant|language model|llm|bot)\b"
            r"|\bas\s+an?\s+(?:ai|language model|llm)\b",
            re.I,
        ),
    ),
    (
        "request to send data elsewhere",
        re.compile(
            r"\b(?:e-?mail|send|forward|share|upload|post|export|leak|transmit)\b[^.!?\n]{0,60}\b(?:customer|client|"
            r"contact|user|employee|mailing)\s+(?:list|data|database|records|emails?|details)\b[^.!?\n]{0,60}"
            r"(?:\bto\b|@|https?://)",
            re.I,
        ),
    ),
    (
        "request for secrets",
        re.compile(
            r"\b(?:reveal|print|show|send|share|output|repeat)\b[^.!?\n]{0,40}\b(?:system prompt|api[ -]?keys?|"
            r"passwords?|credentials|secrets?|tokens?)\b",
            re.I,
        ),
    ),
    (
        "concealment from the reader",
        re.compile(
            r"\b(?:do not|don't|never)\s+(?:tell|inform|mention|reveal|show)\b[^.!?\n]{0,30}\b(?:the\s+)?(?:user|human|"
            r"reviewer|operator|recipient|customer)\b",
            re.I,
        ),
    ),
    (
        "chat-template markup",
        re.compile(
            r"<\|(?:im_start|im_end|system|user|assistant)\|>|\[/?INST\]|<<SYS>>|^#{2,}\s*(?:system|instruction)s?\b",
            re.I | re.M,
        ),
    ),
)


def _phrase(text: str) -> str | None:
    for name, pattern in _PATTERNS:
        if pattern.search(text):
            return name
    if found := multilingual_matches(text):
        return found[0][0]
    return None


def looks_like_injection(text: str) -> str | None:
    """Return what kind of instruction ``text`` looks like, or None when it reads as information."""
    # Look-alike letters of other scripts read as Latin ("Ιgnore" with a Greek Iota).
    if (name := _phrase(unconfuse(text))) is not None:
        return name
    for run in disguised(text):  # letters spaced apart, base64: read the words they hide
        if (name := _phrase(unconfuse(run.text))) is not None:
            return f"{name} ({run.how})"
    if any(span.words for span in hidden_spans(text)):
        return "text hidden from the reader"
    if hidden_characters(text):
        return "text hidden from the reader"
    return None


_ANNOUNCES = next(pattern for label, pattern in ADDRESSED if label.startswith("announces"))


def find_injections(sources: list[Source]) -> list[InjectionFinding]:
    """Return one finding per source sentence that looks like an instruction to the agent.

    Hidden markup with words in it is a finding of its own (the page hides text from a human reader), and
    the sentence after one that announces text for automated readers is read as an instruction too.
    """
    findings: list[InjectionFinding] = []
    for source in sources:
        for span in hidden_spans(f"{source.title}\n\n{source.text}" if source.title else source.text):
            if span.words >= min(3, MIN_HIDDEN_WORDS):
                excerpt = f"the source hides text from a human reader ({span.how}): {span.text}"
                findings.append(InjectionFinding(source_id=source.id, excerpt=excerpt[:1_000], pattern="hidden text"))
        announced = False
        # The title is the source's own text as well (a "# " heading, <title>, document metadata): read it first.
        for sentence in [*split_sentences(source.title), *split_sentences(source.text)]:
            pattern = looks_like_injection(sentence)
            if pattern is None and announced:
                pattern = "follows a sentence addressed to automated readers"
            if pattern is not None:
                findings.append(InjectionFinding(source_id=source.id, excerpt=sentence[:1_000], pattern=pattern))
            announced = bool(_ANNOUNCES.search(unconfuse(sentence).casefold()))
    return findings
