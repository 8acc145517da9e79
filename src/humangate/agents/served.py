"""Say which engine served a run: the offline engine, a model, or the offline engine standing in for one.

A run records the engine it started with (``runs.engine``). When the model's output could not be used,
or its circuit breaker kept it from being asked, the agent's fallback carries a model-failure trigger,
and that trigger always holds the proposal for review; so a run's items tell whether the model really
served it.
"""

from __future__ import annotations

from collections.abc import Iterable

from humangate.core.contract import Trigger

__all__ = ["fell_back", "served_by"]

# The opening words of the model-failure trigger (risk.triggers.model_failure_triggers) and its rule.
_FAILED = "The model's output could not be used"
_BREAKER = "circuit breaker is open"


def fell_back(triggers: Iterable[Trigger]) -> str | None:
    """Return how a proposal fell back to the offline engine ("failed", "not asked"), or None when it did not."""
    reasons = [t.reason for t in triggers if t.reason.startswith(_FAILED)]
    if not reasons:
        return None
    return "not asked" if any(_BREAKER in r for r in reasons) else "failed"


def served_by(engine: str, triggers: Iterable[Trigger] = ()) -> str:
    """Return which engine served a run, given the engine it started with and its items' triggers."""
    if not engine:
        return "not recorded (the run is older than engine records)"
    if engine == "offline":
        return "the offline engine"
    how = fell_back(triggers)
    if how == "not asked":
        return f"the offline engine; {engine} was not asked (its circuit breaker was open)"
    if how == "failed":
        return f"the offline engine, standing in for {engine} (the model's output could not be used)"
    return engine
