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

from humangate.agents._grounding import held, sentences_of, source_windows, unheld_sentences
from humangate.agents.offline.drafting import first_name
from humangate.agents.offline.injection import looks_like_injection
from humangate.core.schemas import DraftInput, EmailDraft, Source, SupportAnalysis
from humangate.core.text import content_terms

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
_MIN_WORDS = 4
_URGENCY = ("low", "normal", "high")


def _placeholder(text: str) -> str | None:
    found = _PLACEHOLDER.search(text)
    return found.group(0) if found else None


def draft_problems(email: EmailDraft, inp: DraftInput, usable: Sequence[int] = ()) -> list[str]:
    """Return why a model's email cannot be used: it drops the recipient or the claims, or is unfinished.

    ``usable`` are the indices of the brief's claims a draft may use (not conflicted, injected or
    deleted by reviewers): when there are any, the email must state at least one of them, and every
    factual sentence of it (not its greeting, sign-off, call to action or the drafter's own template
    sentences) must be held by those claims (``agents._grounding.unheld_sentences``).
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
    if unheld := unheld_sentences(email, inp, usable):
        quoted = "; ".join(repr(s[:120]) for s in unheld[:2])
        problems.append(f"{len(unheld)} of its sentences state what the brief's usable claims do not ({quoted})")
    if (hole := _placeholder(f"{email.subject}\n{email.body}")) is not None:
        problems.append(f"it holds an unfilled placeholder ({hole})")
    if len(email.body.split()) < 3 * _MIN_WORDS:
        problems.append("its body is too short to be an email")
    return problems


def reply_problems(reply: str) -> list[str]:
    """Return why a suggested reply cannot go to a customer: empty, unfinished, instructing, or hostile."""
    from humangate.agents.offline.replies import template_sentences
    from humangate.risk.reply_tone import hostile_tone

    problems: list[str] = []
    if len(reply.split()) < _MIN_WORDS:
        problems.append("its suggested reply is too short to send")
    if (hole := _placeholder(reply)) is not None:
        problems.append(f"its suggested reply holds an unfilled placeholder ({hole})")
    if "{" in reply or "}" in reply:
        problems.append("its suggested reply holds raw JSON")
    if (injected := looks_like_injection(reply)) is not None:
        problems.append(f"its suggested reply carries instruction-like text ({injected})")
    if (tone := hostile_tone(reply, template_sentences())) is not None:
        problems.append(f"its suggested reply reads as hostile to the customer ({tone})")
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
    """Return the model's reading with the stricter of the two on every risk-bearing field.

    A model adds readings, never removes one: the intent is the weightier of the two (the offline one on a
    tie), the other is kept as an ``intent:`` signal, and every offline signal comes first, so only the
    model's own signals are cut at the cap.
    """
    label = min(model.label, offline.label, key=("negative", "neutral", "positive").index)
    # A lexicon's intent, then a complaint, then billing or technical, then the rest; max keeps offline on a tie.
    weight = {"complaint": 2, "billing": 1, "technical": 1} | dict.fromkeys(_STRONG_INTENTS, 3)
    intent = max(offline.intent, model.intent, key=lambda i: weight.get(i, 0))
    other = [f"intent: {i}" for i in (offline.intent, model.intent) if i != intent and i in INTENTS]
    own = list(dict.fromkeys([*offline.signals, *other]))
    extra = [s for s in dict.fromkeys(model.signals) if s not in own]
    return model.model_copy(
        update={
            "sentiment": min(model.sentiment, offline.sentiment),
            "label": label,
            "intent": intent,
            "urgency": max(model.urgency, offline.urgency, key=_URGENCY.index),
            "churn": model.churn or offline.churn,
            "legal": model.legal or offline.legal,
            "refund": model.refund or offline.refund,
            "wants_human": model.wants_human or offline.wants_human,
            "signals": [*own, *extra[: max(0, 50 - len(own))]],  # only the model's share is cut
            "confidence": min(model.confidence, offline.confidence),
            "model_failure": None,
        }
    )


def grounded(text: str, sources: Sequence[Source]) -> bool:
    """Return whether ``sources`` say ``text``: each of its sentences is held by one source sentence (or two).

    Held: that sentence (or pair of adjacent ones) holds most of its terms and every number in it, says what
    they share with the same polarity (a negation in one and not the other fails) and holds any allegation or
    reversal word it uses (``agents._grounding``). Terms scattered over a whole source ground nothing.
    """
    windows = source_windows(s.text for s in sources)
    sentences = sentences_of(text)
    return bool(windows and sentences) and all(held(sentence, windows) for sentence in sentences)


def _share(part: frozenset[str], whole: frozenset[str]) -> float:
    """Return the share of ``part`` found in ``whole`` (0 when ``part`` is empty)."""
    return len(part & whole) / len(part) if part else 0.0
