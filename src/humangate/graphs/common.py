"""Pieces every humangate graph shares: its dependencies, the run context check, and sending email.

A message the effect layer refuses (``EffectRefused``) is not sent and does not fail the run: the send
node goes back to its gate with a trigger that says why, so a person fixes or rejects it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langgraph.graph import END
from langgraph.runtime import Runtime
from langgraph.types import Command

from humangate.config import Settings
from humangate.core.contract import RiskAssessment, Trigger, risk_rank
from humangate.effects import check_email, effect_key
from humangate.errors import EffectRefused
from humangate.graphs.context import RunContext

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from humangate.memory.recall import Recall
    from humangate.risk import RiskPolicy
    from humangate.risk.router.source import RouterSource

__all__ = [
    "GraphDeps",
    "attempt_of",
    "deps_from_settings",
    "recall",
    "remembered",
    "require_context",
    "send_email",
    "send_or_hold",
]


def _default_policy() -> RiskPolicy:
    from humangate.risk import RiskPolicy

    return RiskPolicy()


@dataclass(frozen=True)
class GraphDeps:
    """What a graph is built with: the risk policy, the chat model (None = the offline engine), the routers.

    ``routers`` gives each gate's active escalation router (a refit learned from reviewers); None: the
    shipped router. The Orchestrator fills it from its database.
    """

    policy: RiskPolicy = field(default_factory=_default_policy)
    model: BaseChatModel | None = None
    routers: RouterSource | None = None


def deps_from_settings(settings: Settings) -> GraphDeps:
    """Load the risk policy file and choose the model (offline unless an endpoint is configured)."""
    from humangate.agents.models import make_chat_model, model_config_from_env
    from humangate.risk import RiskPolicy

    policy = RiskPolicy.from_toml(settings.policy_path) if settings.policy_path else RiskPolicy()
    return GraphDeps(policy=policy, model=make_chat_model(model_config_from_env(model=settings.model)))


def recall(runtime: Runtime[RunContext]) -> Recall | None:
    """Return the run's memory, or None when memory is off or the graph runs outside humangate."""
    return runtime.context.memory if runtime.context else None


def remembered(
    runtime: Runtime[RunContext],
    assessment: RiskAssessment,
    *,
    graph: str,
    node: str,
    key: str,
    proposal_text: str,
    always_review: bool = False,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return the assessment after memory (as JSON) and the similar past decisions for the reviewer."""
    memory = recall(runtime)
    if memory is None:
        return assessment.model_dump(mode="json"), []
    outcome = memory.assess(
        assessment, graph=graph, node=node, key=key, proposal_text=proposal_text, always_review=always_review
    )
    return outcome.assessment.model_dump(mode="json"), outcome.similar


def require_context(runtime: Runtime[RunContext], graph: str) -> RunContext:
    """Return the run context or explain that side effects need the Orchestrator."""
    if runtime.context is None:
        raise RuntimeError(f"The {graph} graph acts through humangate's outbox; start it with Orchestrator.start.")
    return runtime.context


def attempt_of(state: Mapping[str, Any], gate: str) -> int:
    """Return how many times ``gate`` let a proposal through: the effect's attempt number."""
    return sum(
        1 for e in state.get("gate_events", []) if e["node"] == gate and e["outcome"] in ("passed", "approve", "edit")
    )


def send_email(
    runtime: Runtime[RunContext],
    state: Mapping[str, Any],
    *,
    graph: str,
    node: str,
    gate: str,
    message: Mapping[str, Any],
) -> dict[str, Any]:
    """Send ``message`` (to, subject, body; ticket for a support reply) through the outbox, once per attempt.

    Raise ``EffectRefused`` before anything is written when the message is unsafe to send.
    """
    ctx = require_context(runtime, graph)
    payload = {"to": message["to"], "subject": message.get("subject", ""), "body": message["body"]}
    if message.get("ticket"):
        payload["ticket"] = message["ticket"]
    check_email(payload)  # refused here, no outbox row is left pending for a message that can never go
    delivery = ctx.outbox.deliver(
        key=effect_key(ctx.run_id, node, attempt_of(state, gate)),
        run_id=ctx.run_id,
        node=node,
        kind="email",
        payload=payload,
        handler=ctx.mailer,
    )
    return {"key": delivery.key, **delivery.result}


def send_or_hold(
    runtime: Runtime[RunContext],
    state: Mapping[str, Any],
    *,
    graph: str,
    node: str,
    gate: str,
    assessment_key: str,
    message: Mapping[str, Any],
) -> Command[str]:
    """Send ``message``, or go back to ``gate`` with a trigger saying why the effect layer refused it."""
    try:
        sent = send_email(runtime, state, graph=graph, node=node, gate=gate, message=message)
    except EffectRefused as exc:
        before = RiskAssessment.model_validate(state[assessment_key])
        header = exc.problem.startswith("holds the control character")
        trigger = Trigger(
            kind="injection" if header else "data_quality",
            reason=f"The mail layer refused to send this: its {'recipient' if exc.field == 'to' else exc.field} "
            f"{exc.problem}. Edit it or reject.",
            score=0.9,
            evidence=[exc.value[:2_000]],
        )
        level = before.level if risk_rank(before.level) >= risk_rank("high") else "high"
        held = before.model_copy(update={"triggers": [*before.triggers, trigger], "needs_review": True, "level": level})
        return Command(goto=gate, update={assessment_key: held.model_dump(mode="json")})
    return Command(goto=END, update={"sent": sent})
