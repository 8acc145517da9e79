"""Check a model's output against the inputs it was given before an agent uses it.

A model can make a proposal better; it must never make one worse than the offline engine would. So a
draft that drops its recipient or every claim it was given, a support reading whose labels contradict
the message's own strong signals, or a research claim its cited sources do not say, is a model failure:
the agent falls back to the offline answer and the item is held. Where both readings stand, the
stricter of the two is kept (the lower sentiment and confidence, the higher urgency, every flag).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from humangate.agents.offline.drafting import first_name
from humangate.agents.offline.injection import looks_like_injection
from humangate.agents.offline.text import content_terms
from humangate.agents.schemas import DraftInput, EmailDraft, Source, SupportAnalysis

__all__ = [
    "INTENTS",
    "MAX_FAILURE",
    "analysis_problems",
    "draft_problems",
    "grounded",
    "reply_problems",
    "stricter_analysis",
]

MAX_FAILURE = 800
"""Longest ``model_failure`` an agent records: the reviewer's trigger sentence quotes it and holds 1,000 characters."""
INTENTS = frozenset(
    {"legal", "cancellation", "refund", "handoff", "complaint", "billing", "technical", "question", "praise", "other"}
)
# Offline intents read from a lexicon hit (a lawyer, a cancellation): a model's milder intent never replaces them.
_STRONG_INTENTS = frozenset({"legal", "cancellation", "refund", "handoff"})
_NEGATIVE_SIGNALS = ("legal:", "churn:", "refund:", "complaint:")
_STRONG = 0.5  # VADER's compound at or beyond this is a clear reading of the message's mood
_PLACEHOLDER = re.compile(r"\[[A-Z][\w .'-]{1,40}\]|\{\{?\s*\w[\w .]{0,40}\}\}?|<[A-Z][\w ]{1,40}>|\bTODO\b|\bXXX\b")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_MIN_WORDS = 4
_GROUNDED = 0.75  # share of a claim's terms its cited sources must contain
_URGENCY = ("low", "normal", "high")


def _placeholder(text: str) -> str | None:
    found = _PLACEHOLDER.search(text)
    return found.group(0) if found else None


def draft_problems(email: EmailDraft, inp: DraftInput, usable: Sequence[int] = ()) -> list[str]:
    """Return why a model's email cannot be used: it drops the recipient or the claims, or is unfinished.

    ``usable`` are the indices of the brief's claims a draft may use (not conflicted, injected or
    deleted by reviewers): when there are any, the email must state at least one of them.
    """
    problems: list[str] = []
    name = first_name(inp.recipient.name)
    if name and not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", email.body, re.I):
        problems.append(f"it does not address the recipient ({inp.recipient.name})")
    if usable:
        used = [i for i in email.claims_used if 0 <= i < len(inp.brief.claims)]
        body = content_terms(email.body)
        stated = [i for i in used if i in usable and _share(content_terms(inp.brief.claims[i].text), body) >= 0.5]
        if not stated:
            problems.append(f"it states none of the {len(usable)} usable claims of the brief it was given")
    if (hole := _placeholder(f"{email.subject}\n{email.body}")) is not None:
        problems.append(f"it holds an unfilled placeholder ({hole})")
    if len(email.body.split()) < 3 * _MIN_WORDS:
        problems.append("its body is too short to be an email")
    return problems


def reply_problems(reply: str) -> list[str]:
    """Return why a suggested reply cannot go to a customer: empty, unfinished, or instructing."""
    problems: list[str] = []
    if len(reply.split()) < _MIN_WORDS:
        problems.append("its suggested reply is too short to send")
    if (hole := _placeholder(reply)) is not None:
        problems.append(f"its suggested reply holds an unfilled placeholder ({hole})")
    if "{" in reply or "}" in reply:
        problems.append("its suggested reply holds raw JSON")
    if (injected := looks_like_injection(reply)) is not None:
        problems.append(f"its suggested reply carries instruction-like text ({injected})")
    return problems


def analysis_problems(model: SupportAnalysis, offline: SupportAnalysis) -> list[str]:
    """Return how a model's reading contradicts the message's strong signals (VADER, the lexicons)."""
    problems: list[str] = []
    mood = offline.sentiment
    negative_hits = [s for s in offline.signals if s.startswith(_NEGATIVE_SIGNALS)]
    if model.intent not in INTENTS:
        problems.append(f"its intent {model.intent!r} is not one of {', '.join(sorted(INTENTS))}")
    if model.label == "positive" and (mood <= -_STRONG or negative_hits):
        why = f"sentiment {mood:+.2f}" if mood <= -_STRONG else negative_hits[0]
        problems.append(f"it reads the message as positive against its strong signals ({why})")
    if model.label == "negative" and mood >= _STRONG and not negative_hits:
        problems.append(f"it reads the message as negative against its clear sentiment ({mood:+.2f})")
    if (model.sentiment > 0.3 and mood <= -_STRONG) or (model.sentiment < -0.3 and mood >= _STRONG):
        problems.append(f"its sentiment {model.sentiment:+.2f} has the opposite sign of the message's {mood:+.2f}")
    if model.intent == "praise" and negative_hits:
        problems.append(f"it reads praise where the message says {negative_hits[0]}")
    return problems + reply_problems(model.suggested_reply)


def stricter_analysis(model: SupportAnalysis, offline: SupportAnalysis) -> SupportAnalysis:
    """Return the model's reading with the stricter of the two on every risk-bearing field."""
    label = min(model.label, offline.label, key=("negative", "neutral", "positive").index)
    return model.model_copy(
        update={
            "sentiment": min(model.sentiment, offline.sentiment),
            "label": label,
            "intent": offline.intent if offline.intent in _STRONG_INTENTS else model.intent,
            "urgency": max(model.urgency, offline.urgency, key=_URGENCY.index),
            "churn": model.churn or offline.churn,
            "legal": model.legal or offline.legal,
            "refund": model.refund or offline.refund,
            "wants_human": model.wants_human or offline.wants_human,
            "signals": list(dict.fromkeys([*model.signals, *offline.signals]))[:50],
            "confidence": min(model.confidence, offline.confidence),
            "model_failure": None,
        }
    )


def grounded(text: str, sources: Sequence[Source]) -> bool:
    """Return whether ``sources`` say ``text``: most of its terms and every number in it appear there."""
    joined = "\n".join(s.text for s in sources)
    if not joined.strip():
        return False
    numbers = [n.rstrip(".,") for n in _NUMBER.findall(text)]
    if any(n not in joined for n in numbers):
        return False
    return _share(content_terms(text), content_terms(joined)) >= _GROUNDED


def _share(part: frozenset[str], whole: frozenset[str]) -> float:
    """Return the share of ``part`` found in ``whole`` (0 when ``part`` is empty)."""
    return len(part & whole) / len(part) if part else 0.0
