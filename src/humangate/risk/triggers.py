"""The small triggers: confidence, model failure, data quality, impact, sentiment and audit sampling.

Each function is pure and returns ``list[Trigger]`` (empty when calm), with a reason a reviewer reads,
a score from 0 to 1 and the excerpts that caused it. PII, policy terms and injections have modules of
their own (``pii``, ``terms``, ``injection``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from humangate.core.contract import Trigger
from humangate.core.schemas import Brief, Conflict, EmailDraft, Source, SupportAnalysis, document_of
from humangate.risk.pii import find_pii
from humangate.risk.terms import find_policy_terms

__all__ = [
    "brief_quality_triggers",
    "confidence_triggers",
    "draft_support_triggers",
    "impact_triggers",
    "model_failure_triggers",
    "sampled",
    "sampling_trigger",
    "sentiment_triggers",
]


def confidence_triggers(confidence: float, threshold: float, *, what: str = "The agent") -> list[Trigger]:
    """Flag a proposal whose confidence is below the policy's threshold."""
    if confidence >= threshold:
        return []
    gap = (threshold - confidence) / threshold if threshold > 0 else 0.0
    return [
        Trigger(
            kind="confidence",
            reason=f"{what} is only {confidence:.0%} sure of this proposal; the policy asks for {threshold:.0%}.",
            score=round(min(0.8, 0.3 + 0.55 * gap), 3),
            evidence=[f"confidence {confidence:.2f} < threshold {threshold:.2f}"],
        )
    ]


def model_failure_triggers(failure: str | None, *, what: str = "the agent") -> list[Trigger]:
    """Flag a proposal whose model output could not be used (a fallback stands in for it)."""
    if not failure:
        return []
    return [
        Trigger(
            kind="confidence",
            reason=f"The model's output could not be used, so {what} fell back to a stand-in: {failure.rstrip('.')}.",
            score=0.7,
            evidence=[failure[:2_000]],
        )
    ]


def brief_quality_triggers(brief: Brief, sources: Sequence[Source]) -> list[Trigger]:
    """Flag conflicting, missing, weak or uncited sources in a research brief."""
    out: list[Trigger] = []
    known = {s.id for s in sources}
    if not sources:
        out.append(Trigger(kind="data_quality", reason="The research had no sources at all to work from.", score=0.5))
    if sources and not brief.claims:
        out.append(
            Trigger(
                kind="data_quality",
                reason=f"The brief found no usable claim in {len(sources)} source(s).",
                score=0.45,
            )
        )
    if brief.conflicts:
        out.append(
            Trigger(
                kind="data_quality",
                reason=_conflict_reason(brief.conflicts),
                score=round(min(0.6, 0.35 + 0.1 * (len(brief.conflicts) - 1)), 3),
                evidence=[_conflict_detail(c, 600) for c in brief.conflicts[:10]],
            )
        )
    uncited = sorted({sid for c in brief.claims for sid in c.source_ids if sid not in known}) if sources else []
    if uncited:
        out.append(
            Trigger(
                kind="data_quality",
                reason=f"Some claims cite sources that were not provided ({', '.join(uncited[:5])}); "
                "they may be made up.",
                score=0.5,
                evidence=[c.text for c in brief.claims if set(c.source_ids) - known][:10],
            )
        )
    if brief.missing:
        out.append(
            Trigger(
                kind="data_quality",
                reason=f"The brief could not find {len(brief.missing)} thing(s) it was asked for: "
                f"{'; '.join(brief.missing[:3])}.",
                score=0.25,
                evidence=brief.missing[:10],
            )
        )
    # Coverage is a gap only when most sources gave nothing; short sources that each gave a claim are not.
    # A document's pages or sections count as one source: one cited page of a long report is not a gap.
    contributing = {document_of(sid) for c in brief.claims for sid in c.source_ids if sid in known}
    documents = list(dict.fromkeys(document_of(s.id) for s in sources))
    if sources and brief.claims and len(contributing) * 2 < len(documents):
        idle = [d for d in documents if d not in contributing]
        weak = [d for d in idle if d in {document_of(w) for w in brief.weak_sources}]
        out.append(
            Trigger(
                kind="data_quality",
                reason=f"Only {len(contributing)} of {len(documents)} sources contributed a claim"
                + (f", and {len(weak)} of the other {len(idle)} had little usable text" if weak else "")
                + "; the brief may rest on too little.",
                score=0.25,
                evidence=[f"no claim from source {i}" + (" (little usable text)" if i in weak else "") for i in idle][
                    :10
                ],
            )
        )
    return out


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "\u2026"


def _conflict_detail(conflict: Conflict, limit: int) -> str:
    """Return what each source says on a conflict: quotes when there are any, else the values."""
    said = conflict.quotes or conflict.values
    if not said:
        return f"{conflict.topic} ({_short(conflict.description, limit)})"
    each = max(40, limit // max(1, len(said)))
    parts = [f'{sid}: "{_short(q, each)}"' for sid, q in zip(conflict.source_ids, said, strict=False)]
    return f"{conflict.topic} ({' vs '.join(parts)})"


def _conflict_reason(conflicts: Sequence[Conflict]) -> str:
    """Return one sentence naming each disagreement, its sources and their words, within the reason's limit."""
    head = f"The sources disagree on {len(conflicts)} point(s): "
    tail = ". A person should decide which to trust."
    shown: list[str] = []
    for conflict in conflicts[:3]:
        detail = _conflict_detail(conflict, 260)
        if len(head) + sum(len(d) + 2 for d in shown) + len(detail) + len(tail) + 20 > 1_000:
            break
        shown.append(detail)
    more = len(conflicts) - len(shown)
    return head + "; ".join(shown) + (f"; and {more} more" if more and shown else f"{more} more" if more else "") + tail


_NUMBER = re.compile(r"(?<![\w.])[$€£]?\d[\d,]*(?:\.\d+)?\s?(?:%|percent|[kKmMbB]n?\b|million|billion)?")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_DATE_OR_TIME = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b|\b\d{1,2}:\d{2}(?:\s?[ap]\.?m\.?)?|\b\d{1,2}\s?[ap]\.?m\b",
    re.IGNORECASE,
)


def _norm_number(raw: str) -> str:
    s = raw.lower().replace(",", "").replace(" ", "").replace("percent", "%")
    return s.lstrip("$€£").rstrip(".")


def draft_support_triggers(draft: EmailDraft, brief: Brief) -> list[Trigger]:
    """Flag figures in a draft that the brief does not contain, and citations of claims that do not exist."""
    out: list[Trigger] = []
    bad = [i for i in draft.claims_used if not 0 <= i < len(brief.claims)]
    if bad:
        out.append(
            Trigger(
                kind="data_quality",
                reason=f"The draft says it uses claim(s) {', '.join(map(str, bad))}, which the brief does not have.",
                score=0.4,
                evidence=[f"brief has {len(brief.claims)} claims"],
            )
        )
    supported_text = " ".join([brief.summary, *(c.text for c in brief.claims)])
    # Contact numbers, dates, times and offered prices are not research claims: other triggers cover them.
    body = draft.body
    skip = [(m.start, m.end) for m in find_pii(body) if m.entity != "PERSON"]
    skip += [(m.start, m.end) for m in find_policy_terms(body) if m.category == "pricing"]
    skip += [(m.start(), m.end()) for m in _DATE_OR_TIME.finditer(body)]
    for a, b in sorted(skip, reverse=True):
        body = body[:a] + " " * (b - a) + body[b:]
    supported = {_norm_number(m.group()) for m in _NUMBER.finditer(supported_text)}
    unsupported: list[str] = []
    for found in _SENTENCE.finditer(body):
        sentence = found.group()
        for m in _NUMBER.finditer(sentence):
            value = _norm_number(m.group())
            digits = re.sub(r"\D", "", value)
            if len(digits) < 2 and "%" not in value:
                continue  # "1 call", "2 minutes": small counts are wording, not claims
            if value not in supported and not (_YEAR.match(value) and value in supported_text):
                unsupported.append(" ".join(draft.body[found.start() : found.end()].split()))
                break
    if unsupported:
        out.append(
            Trigger(
                kind="data_quality",
                reason=f"The draft states {len(unsupported)} figure(s) that the research brief does not contain; "
                "they may be wrong or made up.",
                score=0.4,
                evidence=unsupported[:10],
            )
        )
    return out


_PAYMENT = re.compile(
    r"\b(?:wire|bank)\s+transfer\b|\bpay(?:ment)?\s+(?:of|now|by|to|the)\b|\binvoice\b|\bbank\s+details\b"
    r"|\bcharge\s+(?:your|the)\s+card\b|\bsend\s+(?:the\s+)?money\b"
    # Where money is to go: an account, a wire, a deposit paid in (the shape of invoice and CEO fraud).
    r"|\bbank\s+account\b|\baccount\s+(?:number|details)\b|\bpayment\s+details\b|\b(?-i:IBAN|SWIFT|BIC)\b"
    r"|\brouting\s+number\b|\bsort\s+code\b|\bwir(?:e|es|ed|ing)\b[^.!?\n]{0,40}?\b(?:deposit|payment|funds|money|"
    r"fee|sum|amount)\b|\btransfer\s+(?:the\s+)?(?:funds|money|payment|deposit|fee|sum|amount)\b",
    re.IGNORECASE,
)
_IRREVERSIBLE = re.compile(
    r"\b(?:delete|terminate|cancel|close|deactivate|erase|remove)\s+(?:your|the|this|all)\s+"
    r"(?:account|subscription|data|records?|order|contract|membership|service)\b",
    re.IGNORECASE,
)


def impact_triggers(
    *, external: bool, payment: bool = False, irreversible: bool = False, text: str = "", what: str = "email"
) -> list[Trigger]:
    """Flag what cannot be taken back: an external send, a payment, an irreversible action."""
    out: list[Trigger] = []
    if external:
        out.append(
            Trigger(
                kind="impact",
                reason=f"This {what} goes to someone outside the organisation and cannot be recalled once sent.",
                score=0.1,
            )
        )
    pay = [m.group() for m in _PAYMENT.finditer(text)]
    if payment or pay:
        out.append(
            Trigger(
                kind="impact",
                reason="This step moves or asks for money; check the amount, the payee and the authority to pay.",
                score=0.5,
                evidence=pay[:10],
            )
        )
    gone = [m.group() for m in _IRREVERSIBLE.finditer(text)]
    if irreversible or gone:
        out.append(
            Trigger(
                kind="impact",
                reason="This step does something that cannot be undone (deleting, closing or cancelling).",
                score=0.45,
                evidence=gone[:10],
            )
        )
    return out


def sentiment_triggers(analysis: SupportAnalysis) -> list[Trigger]:
    """Flag frustration, churn intent, legal threats, refund demands and requests for a person."""
    out: list[Trigger] = []
    signals = [s for s in analysis.signals if s][:10]
    if analysis.label == "negative" or analysis.sentiment <= -0.05:
        strong = analysis.sentiment <= -0.5
        out.append(
            Trigger(
                kind="sentiment",
                reason=f"The customer sounds {'very ' if strong else ''}frustrated "
                f"(sentiment {analysis.sentiment:+.2f}); the reply's tone matters.",
                score=0.35 if strong else 0.25,  # with the external send alone it reaches medium
                evidence=signals,
            )
        )
    if analysis.churn:
        out.append(
            Trigger(
                kind="sentiment",
                reason="The customer says they may leave or cancel; keeping them may need a person's judgement.",
                score=0.35,
                evidence=signals,
            )
        )
    if analysis.legal:
        out.append(
            Trigger(
                kind="sentiment",
                reason="The customer mentions legal action or their legal rights; the reply needs an expert.",
                score=0.7,
                evidence=signals,
            )
        )
    if analysis.refund:
        out.append(
            Trigger(
                kind="policy",
                reason="The customer asks for a refund or compensation; only an authorised person may grant it.",
                score=0.35,
                evidence=signals,
            )
        )
    if analysis.wants_human:
        out.append(
            Trigger(
                kind="sentiment",
                reason="The customer asked to talk to a person, so a person should answer.",
                score=0.5,
                evidence=signals,
            )
        )
    if analysis.urgency == "high":
        out.append(Trigger(kind="sentiment", reason="The message is marked urgent.", score=0.15, evidence=signals))
    return out


def sampled(key: str, rate: float, *, salt: str = "") -> bool:
    """Return whether ``key`` falls in the audit sample: the same key and rate always give the same answer."""
    if rate <= 0.0:
        return False
    digest = hashlib.sha256(f"{salt}|{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def sampling_trigger(rate: float) -> Trigger:
    """Return the marker of an auto-passed proposal picked for a later audit (it does not block)."""
    return Trigger(
        kind="sampling",
        reason=f"Picked at random ({rate:.0%} of low-risk proposals) for an after-the-fact audit; "
        "it was not held back.",
        score=0.0,
    )
