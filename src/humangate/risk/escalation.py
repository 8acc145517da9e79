"""Whether a support message needs a person: the learned router's call, with the hard rules on top.

The router (``risk.router``) scores the customer's own words; the policy's ``target_recall`` and
``recall_confidence`` pick its threshold from the shipped calibration scores, so a message at or above
it is held with a ``router`` trigger that states the score and the guarantee. VADER and the intent
lexicons are the router's features, not reasons of their own. Some readings are never left to a model:
legal threats, harm, a request for a person, talk of leaving, going public, bereavement or illness, a disputed
charge, the customer's personal data and taking the matter further always escalate (``hard_rule_triggers``), and
so does the analyst's own negative reading (a complaint, a negative tone, urgency or repeat contact, sarcasm)
unless the policy turns ``hold_unsafe_readings`` off. A message the router cannot read (not English, no words)
is held: its score says nothing there (``risk.readable``).
Every earlier customer turn of the thread is read the same way on its own: one that needed a person keeps
the conversation with a person.

Which router: the gate's active refit from ``routers`` (learned from reviewers' decisions, see
``humangate calibrate``), else the shipped one. Fail closed: a router that cannot load or score holds
the message, with a trigger saying why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from humangate.core.contract import Trigger
from humangate.core.schemas import EscalationJudgement, SupportAnalysis
from humangate.risk._support_rules import (
    analyst_triggers,
    earlier_reading_triggers,
    earlier_turn_trigger,
    hard_rule_triggers,
)
from humangate.risk.cascade import in_second_opinion_band, judgement_triggers
from humangate.risk.policy import NodeSettings
from humangate.risk.readable import readable_triggers

if TYPE_CHECKING:
    from humangate.risk.router.source import Router, RouterSource

__all__ = [
    "Escalation",
    "customer_words",
    "escalation",
    "hard_rule_triggers",
    "wants_second_opinion",
    "without_templates",
]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Escalation:
    """What the support assessment adds: triggers, and those among them that must hold the message."""

    triggers: list[Trigger] = field(default_factory=list)
    held: list[Trigger] = field(default_factory=list)  # each of these alone sends the message to a person
    probability: float | None = None  # the router's score; None when it could not score


@cache
def _templates() -> frozenset[str]:
    from humangate.agents.offline.triage import template_sentences  # lazy: agents import risk

    return frozenset(_norm(s) for s in template_sentences())


def _norm(sentence: str) -> str:
    return " ".join(sentence.lower().split())


def without_templates(text: str) -> str:
    """Return ``text`` without the sentences of the analyst's own reply templates (its canned promises)."""
    kept: list[str] = []
    for line in text.splitlines():
        parts = [p for p in _SENTENCE_END.split(line) if _norm(p.lstrip("> ")) not in _templates()]
        kept.append(" ".join(parts))
    return "\n".join(kept).strip()


def customer_words(text: str, history: Sequence[str] = ()) -> tuple[str, list[str]]:
    """Return the message and its thread with the product's own reply sentences taken out."""
    return without_templates(text), [h for h in (without_templates(x) for x in history) if h]


def _router_failed(err: Exception) -> Escalation:
    trigger = Trigger(
        kind="router",
        reason="The escalation router could not score this message "
        f"({type(err).__name__}: {str(err)[:300]}); it is held for a person.",
        score=0.6,
    )
    return Escalation([trigger], [trigger], None)


def _router(routers: RouterSource | None, graph: str, node: str) -> Router:
    """Return the gate's active router: its stored refit, else the shipped one (raising holds the message)."""
    from humangate.risk.router import default_router  # lazy: loading the encoder costs ~0.5 s

    return default_router() if routers is None else routers.router(graph, node)


def escalation(
    analysis: SupportAnalysis,
    text: str,
    settings: NodeSettings,
    history: Sequence[str] = (),
    judgement: EscalationJudgement | None = None,
    *,
    routers: RouterSource | None = None,
    graph: str = "support",
    node: str = "review_reply",
) -> Escalation:
    """Return the router's trigger (when it holds the message), the model's second opinion and the hard rules.

    ``judgement`` is a chat model's rubric on the message (``risk.cascade``); its call for a person, or its
    failure to answer, holds a message the router would pass. ``routers`` gives the gate's active router.
    """
    words, thread = customer_words(text, history)
    rules = [
        *hard_rule_triggers(analysis, text, thread),
        *readable_triggers(words or text, thread),
        *(earlier_reading_triggers(thread) if settings.hold_unsafe_readings else []),
    ]
    # A refund is a policy matter (only an authorised person grants one), not a reading of the customer's mood.
    refund = (
        [
            Trigger(
                kind="policy",
                reason="The customer asks for a refund or compensation; only an authorised person may grant it.",
                score=0.35,
                evidence=[s for s in analysis.signals if s][:10],
            )
        ]
        if analysis.refund
        else []
    )
    words = words or text  # a message that is nothing but a template sentence is still read
    try:
        router = _router(routers, graph, node)
        threshold = router.threshold(settings.target_recall, settings.recall_confidence)
        score = router.score(words, thread)
        rules += _earlier_router_triggers(router, thread, threshold.value)
    except Exception as err:  # anything that stops the router from scoring holds the message: fail closed
        failed = _router_failed(err)
        rules += analyst_triggers(analysis, text) if settings.hold_unsafe_readings else []
        return Escalation([*rules, *refund, *failed.triggers], [*rules, *failed.held], None)
    p, t = score.probability, threshold.value
    if p < t:
        # The router passes it: the analyst's own negative reading still holds it (it is not positively safe).
        # Only here, so that a message the router holds is not ranked higher for saying the same thing twice.
        mood = analyst_triggers(analysis, text) if settings.hold_unsafe_readings else []
        second = [*mood, *judgement_triggers(judgement, p)]
        return Escalation([*rules, *refund, *second], [*rules, *second], p)
    strength = (p - t) / (1.0 - t) if t < 1.0 else 1.0
    parts = [f"the whole message {score.current:.2f}"]
    parts += [] if score.sentence is None else [f"its strongest sentence {score.sentence:.2f}"]
    parts += [] if score.thread is None else [f"with its thread {score.thread:.2f}"]
    how = f"{p:.2f}" if len(parts) == 1 else f"{p:.2f} ({', '.join(parts)})"
    which = "" if router.version is None else f" ({router.name}, learned from this gate's reviewers)"
    trigger = Trigger(
        kind="router",
        reason=f"The escalation router{which} scores this message {how}, at or above its threshold {t:.3f}, chosen for "
        f"{threshold.describe()}; a person should answer it.",
        score=round(0.25 + 0.1 * min(1.0, strength), 3),  # like a mood trigger: medium with the send alone
        evidence=[
            f"router score {p:.3f} >= threshold {t:.3f} ({router.name})",
            *[s for s in analysis.signals if s][:9],
        ],
    )
    return Escalation([*rules, *refund, trigger], [*rules, trigger], p)


def _earlier_router_triggers(router: Router, thread: Sequence[str], threshold: float) -> list[Trigger]:
    """Return a held trigger when an earlier customer turn, scored on its own, is at or above the threshold."""
    for turn in thread:
        p = router.score(turn).probability
        if p >= threshold:
            why = (
                f"An earlier message of this thread scores {p:.2f} on its own, at or above the router's threshold "
                f"{threshold:.3f}; calm turns since do not withdraw it, so a person should answer."
            )
            return [earlier_turn_trigger("router", why, turn)]
    return []


def wants_second_opinion(
    text: str,
    settings: NodeSettings,
    history: Sequence[str] = (),
    *,
    routers: RouterSource | None = None,
    graph: str = "support",
    node: str = "review_reply",
) -> bool:
    """Return whether the gate's router would pass ``text`` but close enough to its threshold to ask a chat model.

    A router that cannot score answers yes: the message is held either way, and the model's reading helps
    the reviewer.
    """
    words, thread = customer_words(text, history)
    try:
        router = _router(routers, graph, node)
        threshold = router.threshold(settings.target_recall, settings.recall_confidence).value
        lower = router.threshold(settings.second_opinion_recall, settings.recall_confidence).value
        p = router.score(words or text, thread).probability
    except Exception:
        return True
    return in_second_opinion_band(p, threshold, lower)
