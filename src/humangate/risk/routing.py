"""A task's routing rules ("hand me anything angry", "refund requests go to an expert"), enforced per message.

The planner reads the rules from the task (``RoutingRule``); the support graph's assessment applies
them. A message matches a rule when the support analysis, or the offline engine's own reading of the same words
(a model's reading may add a match, never remove one), found what the rule is about (a negative mood
or a complaint for "angry", a refund, legal or churn signal, high urgency, a billing or technical
intent), or when the message itself uses a word of the rule's kind in English, German, Spanish or
French. A match is a ``policy`` trigger that forces review, whatever the risk policy says; a rule that
names a role lifts the level until the policy gives the item to that role or higher.
"""

from __future__ import annotations

from collections.abc import Sequence

from humangate.agents.offline.turns import read_turn
from humangate.core.contract import RiskAssessment, RiskLevel, Trigger, risk_rank, role_rank
from humangate.core.schemas import RoutingRule, SupportAnalysis
from humangate.core.wording import fold, kinds_in, matches, tokens
from humangate.risk.policy import NodeSettings

__all__ = ["apply_routes", "route_hits"]

_LEVELS: tuple[RiskLevel, ...] = ("high", "critical")


def _signalled(kind: str, analysis: SupportAnalysis) -> bool:
    """Return whether the support analysis found ``kind`` in the message."""
    signals = {s.split(":", 1)[0].strip() for s in analysis.signals}
    # The intent, and any other intent the analysis kept as a signal ("intent: billing").
    intents = {analysis.intent, *(s.split(":", 1)[1].strip() for s in analysis.signals if s.startswith("intent:"))}
    match kind:
        case "angry":
            return analysis.label == "negative" or analysis.sentiment <= -0.05 or "complaint" in signals
        case "refund":
            return analysis.refund or "refund" in intents
        case "legal":
            return analysis.legal or "legal" in intents
        case "churn":
            return analysis.churn or "cancellation" in intents
        case "urgent":
            return analysis.urgency == "high"
        case "human":
            return analysis.wants_human or "handoff" in intents
        case _:
            return kind in intents  # billing, technical


def _readings(text: str, analysis: SupportAnalysis) -> tuple[SupportAnalysis, ...]:
    """Return the readings a rule is matched on: the one given (a model's, maybe) and the offline one of ``text``.

    A chat model's reading is untrusted: it may add a reading, never take one away, so a rule the offline
    engine's reading of the same words matches holds the message whatever the model read.
    """
    return (analysis, read_turn(text).analysis) if text.strip() else (analysis,)


def route_hits(text: str, analysis: SupportAnalysis, routes: Sequence[RoutingRule]) -> list[tuple[RoutingRule, str]]:
    """Return each rule the message matches, with why, in the rules' order."""
    words = tokens(fold(text))
    worded = kinds_in(words, tolerant=False)
    readings = _readings(text, analysis) if routes else ()
    hits: list[tuple[RoutingRule, str]] = []
    for rule in routes:
        for kind in rule.kinds:
            if any(_signalled(kind, reading) for reading in readings):
                hits.append((rule, f"the analysis reads it as {kind}"))
                break
            said = worded.get(kind) or [
                w for w in words if any(matches(w, t, False) for t in rule.terms if len(t) >= 5)
            ]
            if said:
                hits.append((rule, f"it says {said[0]!r}"))
                break
    return hits


def apply_routes(
    assessment: RiskAssessment,
    hits: Sequence[tuple[RoutingRule, str]],
    settings: NodeSettings,
) -> RiskAssessment:
    """Return ``assessment`` held for review by the matched rules, at the role they name or higher."""
    if not hits:
        return assessment
    level: RiskLevel = assessment.level if risk_rank(assessment.level) >= risk_rank("high") else "high"
    named = [rule.role for rule, _ in hits if rule.role]
    if named:
        want = max(role_rank(r) for r in named)
        # The lowest level (from high up) the policy gives to the named role or a higher one; else critical.
        fits = [lv for lv in _LEVELS if risk_rank(lv) >= risk_rank(level) and role_rank(settings.roles[lv]) >= want]
        level = fits[0] if fits else "critical"
    triggers = [
        *assessment.triggers,
        *(
            Trigger(
                kind="policy",
                score=0.9,
                reason=f"The task says {rule.said!r}: {rule.label()}, and {why}.",
                evidence=[rule.said[:200]],
            )
            for rule, why in hits
        ),
    ]
    return assessment.model_copy(
        update={
            "level": level,
            "score": max(assessment.score, settings.thresholds.floor(level)),
            "needs_review": True,
            "triggers": triggers,
        }
    )
