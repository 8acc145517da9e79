"""What the command line says about the engine: which one serves a run, an endpoint left unused, the breaker."""

from __future__ import annotations

import os
from collections.abc import Mapping

from humangate.agents.endpoint import ModelEndpoint
from humangate.agents.served import served_by
from humangate.review.advance.runs import RunInfo
from humangate.review.service import Orchestrator

__all__ = ["breaker_notice", "engine_line", "run_engine", "unused_endpoint"]


def _endpoint(env: Mapping[str, str]) -> str | None:
    if env.get("OPENAI_BASE_URL"):
        return f"OPENAI_BASE_URL={env['OPENAI_BASE_URL']}"
    if env.get("OPENAI_API_KEY"):
        return "OPENAI_API_KEY"
    return None


def unused_endpoint(orch: Orchestrator, env: Mapping[str, str] | None = None, *, why: str) -> str | None:
    """Return a sentence when an endpoint is configured but the agents run offline, else None."""
    configured = _endpoint(os.environ if env is None else env)
    if configured is None or orch.deps.model is not None:
        return None
    return (
        f"A model endpoint is configured ({configured}), but {why}; pass --model NAME (e.g. the model it serves) "
        "to use it."
    )


def engine_line(orch: Orchestrator) -> str:
    """Return the line that says which engine the runs of this command start with."""
    engine = orch.deps.engine
    if engine == "offline":
        return "Engine: the offline engine (deterministic rules, no model)."
    how = ""
    if isinstance(orch.deps.model, ModelEndpoint):
        cfg = orch.deps.model.config
        how = (
            f"; {cfg.max_attempts} attempt{'s' if cfg.max_attempts != 1 else ''} and {cfg.timeout:g} s per call, "
            f"breaker after {cfg.breaker_failures} connection failures in a row"
        )
    return f"Engine: {engine}{how}. An item the model could not serve says so and waits for review."


def run_engine(orch: Orchestrator, run: RunInfo) -> str:
    """Return which engine served ``run``: its recorded engine, or the offline engine standing in for it."""
    triggers = [t for i in run.pending_items for t in orch.item(i).request.assessment.triggers]
    return served_by(run.engine, triggers)


def breaker_notice(orch: Orchestrator) -> str | None:
    """Return the breaker's one sentence about this batch, when it opened; None when it never did."""
    model = orch.deps.model
    return model.breaker.notice() if isinstance(model, ModelEndpoint) else None
