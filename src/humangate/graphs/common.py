"""Pieces every humangate graph shares: its dependencies, the run context check, and sending effects.

A message the effect layer refuses (``EffectRefused``), or one whose delivery failed for good (a refused
recipient, or the last retry failing), is not sent and does not fail the run: the send node goes back to
its gate with a trigger that says why, so a person fixes or rejects it. The outbox returns an item to
its gate the same way (``held_assessment``) when a retry in the background fails for good. Before the
outbox sees anything, the helpers check that the gate they name released exactly the proposal the message
is built from, by a decision the review service recorded (``graphs.release``); a node that calls the
outbox itself is refused (``effects.guard``).
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
from humangate.effects import check_email, effect_key, is_ticket_reply
from humangate.effects.guard import released_effect
from humangate.effects.outbox import Delivery
from humangate.errors import EffectRefused
from humangate.graphs.context import RunContext
from humangate.graphs.release import ReleaseHeld, check_release

if TYPE_CHECKING:
    from humangate.agents.endpoint import ChatModel
    from humangate.memory.recall import Recall
    from humangate.risk import RiskPolicy
    from humangate.risk.router.source import RouterSource

__all__ = [
    "GraphDeps",
    "attempt_of",
    "deliver_or_hold",
    "deps_from_settings",
    "failed_delivery_trigger",
    "held_assessment",
    "recall",
    "refused_trigger",
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
    model: ChatModel | None = None
    routers: RouterSource | None = None

    @property
    def engine(self) -> str:
        """Return what serves the agents: ``offline`` or the model and its endpoint."""
        from humangate.agents.endpoint import engine_label

        return engine_label(self.model)


def deps_from_settings(settings: Settings, *, http_clients: tuple[Any, Any] | None = None) -> GraphDeps:
    """Load the risk policy file and choose the model (offline unless an endpoint is configured).

    ``http_clients`` carry the model's calls (see ``make_chat_model``): the runtime's per-endpoint limits.
    """
    from humangate.agents.endpoint import make_endpoint
    from humangate.agents.models import model_config_from_env
    from humangate.risk import RiskPolicy

    policy = RiskPolicy.from_toml(settings.policy_path) if settings.policy_path else RiskPolicy()
    model = make_endpoint(model_config_from_env(model=settings.model), http_clients=http_clients)
    return GraphDeps(policy=policy, model=model)


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
    # The run's starter is passed on: their own approvals never earn their run autonomy.
    outcome = memory.assess(
        assessment,
        graph=graph,
        node=node,
        key=key,
        proposal_text=proposal_text,
        always_review=always_review,
        run_id=runtime.context.run_id,
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


# Proposal fields a reviewer would read as part of the email, which it cannot carry: refused, never dropped.
_UNSENDABLE = ("cc", "bcc", "reply_to", "recipients", "headers", "attachments")


def _email_payload(message: Mapping[str, Any]) -> dict[str, Any]:
    for name in _UNSENDABLE:
        if message.get(name):
            check_email({name: message[name]})  # refuses it, naming the field
    payload = {"to": message["to"], "subject": message.get("subject", ""), "body": message["body"]}
    if message.get("ticket"):
        payload["ticket"] = message["ticket"]
    check_email(payload)  # refused here, no outbox row is left pending for a message that can never go
    return payload


def _deliver(
    runtime: Runtime[RunContext],
    state: Mapping[str, Any],
    *,
    graph: str,
    node: str,
    gate: str,
    kind: str,
    payload: Mapping[str, Any],
    assessment_key: str | None = None,
) -> Delivery:
    ctx = require_context(runtime, graph)
    # Raises for a graph wired to send what its gate did not release; ``ReleaseHeld`` sends it back to a person.
    check_release(ctx, state, graph=graph, node=node, gate=gate, kind=kind, payload=payload)
    with released_effect():
        return ctx.outbox.deliver(
            key=effect_key(ctx.run_id, node, attempt_of(state, gate)),
            run_id=ctx.run_id,
            node=node,
            kind=kind,
            payload=payload,
            gate=gate if assessment_key else None,
            hold_key=assessment_key,
        )


def _sent(delivery: Delivery) -> dict[str, Any]:
    return {"key": delivery.key, "status": delivery.status, **delivery.result}


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

    Raise ``EffectRefused`` before anything is written when the message is unsafe to send, ``ReleaseHeld``
    when ``gate``'s release does not cover it (``graphs.release``). A failure is only recorded in the outbox;
    ``send_or_hold`` also takes the item back to its gate.
    """
    payload = _email_payload(message)
    kind = "ticket" if is_ticket_reply(payload) else "email"
    delivery = _deliver(runtime, state, graph=graph, node=node, gate=gate, kind=kind, payload=payload)
    return _sent(delivery)


def refused_trigger(exc: EffectRefused, *, layer: str = "mail") -> Trigger:
    """Return the trigger that holds a message the effect layer (``mail``, ``slack``) refused."""
    header = exc.problem.startswith("holds the control character")
    return Trigger(
        kind="injection" if header else "data_quality",
        reason=f"The {layer} layer refused to send this: its {'recipient' if exc.field == 'to' else exc.field} "
        f"{exc.problem}. Edit it or reject.",
        score=0.9,
        evidence=[exc.value[:2_000]],
    )


def failed_delivery_trigger(error: str) -> Trigger:
    """Return the trigger that holds an effect whose delivery failed for good."""
    return Trigger(
        kind="data_quality",
        reason=f"This was approved but could not be delivered: {error} Fix it (a wrong address: edit it with "
        "the reason wrong_recipient) and approve it again, or reject it.",
        score=0.9,
        evidence=[error[:2_000]],
    )


def held_assessment(state: Mapping[str, Any], assessment_key: str, *triggers: Trigger) -> dict[str, Any]:
    """Return the gate's assessment with ``triggers`` added, needing review at high risk or above (as JSON)."""
    before = RiskAssessment.model_validate(state[assessment_key])
    level = before.level if risk_rank(before.level) >= risk_rank("high") else "high"
    held = before.model_copy(update={"triggers": [*before.triggers, *triggers], "needs_review": True, "level": level})
    return held.model_dump(mode="json")


def deliver_or_hold(
    runtime: Runtime[RunContext],
    state: Mapping[str, Any],
    *,
    graph: str,
    node: str,
    gate: str,
    assessment_key: str,
    kind: str,
    payload: Mapping[str, Any],
) -> Command[str]:
    """Deliver ``payload`` as a ``kind`` effect, or go back to ``gate`` with a trigger saying why it did not go."""
    try:
        delivery = _deliver(
            runtime, state, graph=graph, node=node, gate=gate, kind=kind, payload=payload, assessment_key=assessment_key
        )
    except EffectRefused as exc:
        trigger = refused_trigger(exc, layer="mail" if kind in ("email", "ticket") else kind)
        return Command(goto=gate, update={assessment_key: held_assessment(state, assessment_key, trigger)})
    except ReleaseHeld as held:
        return Command(goto=gate, update={assessment_key: held_assessment(state, assessment_key, *held.triggers)})
    if delivery.status == "failed":
        trigger = failed_delivery_trigger(delivery.error or "the outbox gave up on it.")
        return Command(goto=gate, update={assessment_key: held_assessment(state, assessment_key, trigger)})
    # Sent, or waiting for a retry the outbox makes in the background (``humangate outbox`` shows it).
    return Command(goto=END, update={"sent": _sent(delivery)})


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
    """Send ``message`` as email (or on its ticket), or go back to ``gate`` with a trigger saying why it did not."""
    try:
        payload = _email_payload(message)
    except EffectRefused as exc:
        return Command(goto=gate, update={assessment_key: held_assessment(state, assessment_key, refused_trigger(exc))})
    kind = "ticket" if is_ticket_reply(payload) else "email"
    return deliver_or_hold(
        runtime, state, graph=graph, node=node, gate=gate, assessment_key=assessment_key, kind=kind, payload=payload
    )
