"""The cascade: the router decides clear cases; a chat model's rubric is a second opinion on the unsure ones.

Three bands of the router's score ``p``, from the policy's two recall targets:

- ``p >= threshold(target_recall)``: the router holds the message; the model is not asked.
- ``threshold(second_opinion_recall) <= p < threshold(target_recall)``: the router would pass it, but not by
  much. With a chat model configured the support graph asks the model (``agents.escalation_judge``) before the
  gate, and a disagreement escalates: the model's call for a person holds the message, and so does a model
  that could not answer (fail closed). The model can only add reviews, never remove the router's.
- ``p`` below that: a clear pass; the model is not asked.

Offline (no model), the cascade is the router alone. ``second_opinion_recall`` above ``target_recall`` widens
the band; the model costs one call per message in it.
"""

from __future__ import annotations

from humangate.core.contract import Trigger
from humangate.core.schemas import EscalationJudgement

__all__ = ["in_second_opinion_band", "judgement_triggers"]


def in_second_opinion_band(probability: float, threshold: float, lower: float) -> bool:
    """Return whether a score the router would pass is close enough to its threshold to ask the model."""
    return lower <= probability < threshold


def judgement_triggers(judgement: EscalationJudgement | None, probability: float | None) -> list[Trigger]:
    """Return the trigger that holds a message the model judged (or failed to judge) as needing a person."""
    if judgement is None or not judgement.needs_person:
        return []
    score = "" if probability is None else f" (router score {probability:.3f}, under its threshold)"
    if judgement.model_failure:
        return [
            Trigger(
                kind="router",
                reason=f"The router was unsure of this message{score} and the model asked for a second opinion "
                f"could not answer ({judgement.model_failure[:300]}); a person should answer it.",
                score=0.3,
                evidence=["second opinion: no answer"],
            )
        ]
    flagged = ", ".join(k.replace("_", " ") for k in judgement.flagged()) or "needs a person"
    return [
        Trigger(
            kind="router",
            reason=f"The router would pass this message{score}, but the model's second opinion disagrees "
            f"({flagged}): {judgement.reason[:300] or 'no reason given'}. A disagreement goes to a person.",
            score=0.3,
            evidence=[f"second opinion: {k}" for k in judgement.flagged()][:6] or ["second opinion: needs a person"],
        )
    ]
