"""``review_gate``: the one place in humangate that calls ``interrupt``.

A gate reads a proposal and its ``RiskAssessment`` from state. Low risk passes straight on; anything
else pauses the run with a ``ReviewRequest`` and routes the reviewer's ``ReviewDecision`` with
``Command``. An edit is the editor's vote for the edited version: what will be sent is assessed again,
and the gate pauses again for another reviewer when the edit raised the risk, changed a recipient,
failed the graph's own edit check, or the item needs more approvals (M of N). Filling in a recipient's
address that was missing is not a change of recipient; the address must be one valid address. The gate is pure (it
re-runs from its first line on resume): it records what happened in the ``gate_events`` state
channel, and the Orchestrator persists those records after each invoke.
"""

from __future__ import annotations

import hashlib
import operator
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, NotRequired, TypedDict, assert_never

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END
from langgraph.types import Command, interrupt
from pydantic import BaseModel, TypeAdapter

from humangate.core.contract import (
    Action,
    ReviewDecision,
    ReviewRequest,
    SourceExcerpt,
    role_rank,
)
from humangate.core.gate_policy import GatePolicy
from humangate.graphs.assessed import gate_assessment
from humangate.graphs.carry import CARRY_KEY, carried, held_like, higher_role, merge_carry, redirect_carry
from humangate.graphs.edit_hold import held_edit
from humangate.graphs.edits import RECIPIENT_FIELDS, EditCheck, Reassess
from humangate.graphs.release import canonical, digest
from humangate.graphs.wiring import check_routes, checked_policy

__all__ = [
    "GATE_EVENTS_KEY",
    "RECIPIENT_FIELDS",
    "EditCheck",
    "GateEvent",
    "GateState",
    "GateView",
    "Reassess",
    "ReviewGate",
    "review_gate",
]

GATE_EVENTS_KEY = "gate_events"
_DECISION_SCHEMA: dict[str, Any] = TypeAdapter(ReviewDecision).json_schema()


class GateEvent(TypedDict):
    """What a gate did once: passed a proposal on, or applied a reviewer's decision."""

    id: str
    node: str
    outcome: Literal["passed", "approve", "edit", "reject", "redirect"]
    assessment: dict[str, Any]
    decision: dict[str, Any] | None
    at: float
    proposal: NotRequired[dict[str, Any]]  # on passed events: what went through unreviewed, for audits
    memory_key: NotRequired[str]
    proposal_key: NotRequired[str]  # on passed, approve and edit events: where the released proposal is
    released: NotRequired[str]  # its digest (``graphs.release``): what the send helpers check the effect against


class GateState(TypedDict, total=False):
    """Mix into a graph's state: the channel gates write their events to, and what a redirect carries."""

    gate_events: Annotated[list[GateEvent], operator.add]
    gate_carry: Annotated[dict[str, Any], merge_carry]  # per gate: what its redirected item required
    gate_assessed: Annotated[dict[str, Any], merge_carry]  # per gate: what its assessment node read (``step``)


@dataclass(frozen=True)
class GateView:
    """The context a reviewer sees beside the proposal."""

    title: str
    sources: list[SourceExcerpt] = field(default_factory=list)
    observed: str = ""
    attempts: list[str] = field(default_factory=list)
    similar: list[dict[str, Any]] = field(default_factory=list)  # earlier decisions on similar proposals


class ReviewGate:
    """A graph node that gates a proposal; build it with ``review_gate``."""

    def __init__(
        self,
        *,
        name: str,
        graph: str,
        proposal_model: type[BaseModel],
        next: str,
        on_reject: str = END,
        redirect_to: str | None = None,
        proposal_key: str = "proposal",
        assessment_key: str = "assessment",
        instructions_key: str = "instructions",
        rejection_key: str = "rejection",
        view: Callable[[Mapping[str, Any]], GateView] | None = None,
        policy: GatePolicy | None = None,
        memory_key: Callable[[Mapping[str, Any]], str] | None = None,
        reassess: Reassess | None = None,
        check_edit: EditCheck | None = None,
    ) -> None:
        self.name = name
        self.graph = graph
        self.proposal_model = proposal_model
        self.next = next
        self.on_reject = on_reject
        self.redirect_to = redirect_to
        self.proposal_key = proposal_key
        self.assessment_key = assessment_key
        self.instructions_key = instructions_key
        self.rejection_key = rejection_key
        self.view = view or (lambda state: GateView(title=f"{graph}: review {name}"))
        self.policy = checked_policy(policy or GatePolicy(), name)
        check_routes(name, next=next, on_reject=on_reject, redirect_to=redirect_to)
        # The text memory files a correction of this proposal under (default: none, the proposal's text).
        self.memory_key = memory_key or (lambda state: "")
        # Without a way to assess an edit again, every edit is held for a second reviewer (fail closed).
        self.reassess = reassess
        self.check_edit = check_edit
        # The assessment node ``add_gated_step`` tied to this gate: set, it must have assessed this very proposal.
        self.assessed_by: str | None = None
        actions: list[Action] = ["approve", "edit", "reject"]
        if redirect_to is not None:
            actions.append("redirect")
        actions.append("escalate")
        self.allowed_actions = actions

    @property
    def destinations(self) -> tuple[str, ...]:
        """Return the nodes this gate may route to (for ``add_node(destinations=...)``)."""
        return tuple(d for d in dict.fromkeys([self.next, self.on_reject, self.redirect_to]) if d)

    def __call__(self, state: Any, config: RunnableConfig) -> Command[str]:
        """Pass, or pause for review and route the decision."""
        conf = config.get("configurable", {})
        thread_id = str(conf.get("thread_id", ""))
        # The task's namespace is stable across re-runs of this node, so the event id is too.
        ns = str(conf.get("checkpoint_ns", ""))
        event_id = hashlib.sha256(f"{thread_id}|{self.name}|{ns}".encode()).hexdigest()[:32]
        # Never pass one proposal on another's assessment (``graphs.assessed``); a missing one names the key.
        assessment = gate_assessment(
            state,
            gate=self.name,
            assessed_by=self.assessed_by,
            proposal_key=self.proposal_key,
            assessment_key=self.assessment_key,
        )
        proposal = self.proposal_model.model_validate(state[self.proposal_key])
        carry = carried(state, self.name)
        if carry is not None:  # a redirect's result: never passed on its fresh assessment alone
            assessment = held_like(assessment, carry)
        shown = proposal.model_dump(mode="json")

        def event(outcome: Any, decision: ReviewDecision | None) -> dict[str, Any]:
            record = GateEvent(
                id=event_id,
                node=self.name,
                outcome=outcome,
                assessment=assessment.model_dump(mode="json"),
                decision=decision.model_dump(mode="json") if decision else None,
                at=time.time(),
            )
            return {GATE_EVENTS_KEY: [record]}

        def settled(outcome: Any, decision: ReviewDecision) -> dict[str, Any]:
            update = event(outcome, decision)
            if carry is not None:
                update[CARRY_KEY] = {self.name: None}
            return update

        def release(update: dict[str, Any], released: dict[str, Any]) -> Command[str]:
            # What goes on is exactly what was shown: fields the model does not know are not carried past the gate.
            if released is not shown or canonical(state[self.proposal_key]) != released:
                update[self.proposal_key] = released
            update[GATE_EVENTS_KEY][0]["proposal_key"] = self.proposal_key
            update[GATE_EVENTS_KEY][0]["released"] = digest(released)
            return Command(goto=self.next, update=update)

        if not assessment.needs_review:
            update = event("passed", None)
            update[GATE_EVENTS_KEY][0]["proposal"] = shown
            update[GATE_EVENTS_KEY][0]["memory_key"] = self.memory_key(state)
            return release(update, shown)

        view = self.view(state)
        request = ReviewRequest(
            graph=self.graph,
            node=self.name,
            thread_id=thread_id,
            title=view.title,
            proposal=shown,
            proposal_kind=self.proposal_model.__name__,
            sources=view.sources,
            observed=view.observed,
            attempts=view.attempts,
            memory_key=self.memory_key(state),
            similar_corrections=view.similar,
            assessment=assessment,
            allowed_actions=self.allowed_actions,
            required_role=higher_role(self.policy.roles[assessment.level], carry["role"] if carry else "reviewer"),
            min_dwell_seconds=max(self.policy.min_dwell_seconds[assessment.level], carry["dwell"] if carry else 0.0),
            sla_seconds=self.policy.sla_seconds[assessment.level],
            escalation_chain=list(self.policy.escalation_chain),
            approvals_needed=max(self.policy.approvals_needed[assessment.level], carry["approvals"] if carry else 1),
        )
        while True:
            # The schema travels with the interrupt for clients; validating here keeps that schema built once.
            raw = interrupt(request.model_dump(mode="json"), response_schema=_DECISION_SCHEMA)
            decision = raw if isinstance(raw, ReviewDecision) else ReviewDecision.model_validate(raw)
            if decision.item_role is not None and role_rank(decision.item_role) > role_rank(request.required_role):
                # The queue raised the item (an SLA step) after this request paused: the gate keeps that role.
                request = request.model_copy(update={"required_role": decision.item_role})
            match decision.action:
                case "escalate":
                    assert decision.escalate_to is not None
                    note = f": {decision.note}" if decision.note else ""
                    request = request.model_copy(
                        update={
                            "required_role": decision.escalate_to,
                            "escalation_level": request.escalation_level + 1,
                            "attempts": [
                                *request.attempts,
                                f"Escalated to {decision.escalate_to} by {decision.reviewer} "
                                f"({decision.reason_code}){note}",
                            ],
                        }
                    )
                    continue
                case "approve":
                    # Approving a held edit approves the edited version.
                    return release(settled("approve", decision), request.proposal if request.edited_by else shown)
                case "edit":
                    edited = self.proposal_model.model_validate(decision.edited)
                    held = held_edit(
                        state,
                        request,
                        edited,
                        decision,
                        gate=self.name,
                        policy=self.policy,
                        proposal_key=self.proposal_key,
                        reassess=self.reassess,
                        check_edit=self.check_edit,
                    )
                    if held is not None:
                        request = held
                        continue
                    return release(settled("edit", decision), edited.model_dump(mode="json"))
                case "reject":
                    update = settled("reject", decision)
                    update[self.rejection_key] = {
                        "reviewer": decision.reviewer,
                        "reason_code": decision.reason_code,
                        "note": decision.note,
                    }
                    return Command(goto=self.on_reject, update=update)
                case "redirect":
                    if self.redirect_to is None:  # the service refuses this before resuming
                        raise ValueError(f"gate {self.name!r} has no redirect target")
                    update = event("redirect", decision)
                    update[self.instructions_key] = decision.instructions
                    full = self.policy.approvals_needed[request.assessment.level]
                    update[CARRY_KEY] = {self.name: redirect_carry(request, decision, full)}
                    return Command(goto=self.redirect_to, update=update)
                case _:
                    assert_never(decision.action)


def review_gate(
    *,
    name: str,
    graph: str,
    proposal_model: type[BaseModel],
    next: str,
    on_reject: str = END,
    redirect_to: str | None = None,
    proposal_key: str = "proposal",
    assessment_key: str = "assessment",
    instructions_key: str = "instructions",
    rejection_key: str = "rejection",
    view: Callable[[Mapping[str, Any]], GateView] | None = None,
    policy: GatePolicy | None = None,
    memory_key: Callable[[Mapping[str, Any]], str] | None = None,
    reassess: Reassess | None = None,
    check_edit: EditCheck | None = None,
) -> ReviewGate:
    """Build a review gate; add it with ``builder.add_node(gate.name, gate, destinations=gate.destinations)``.

    The graph's state must include ``GateState``'s ``gate_events`` channel, the proposal (a dict or
    an instance of ``proposal_model``) under ``proposal_key`` and a ``RiskAssessment`` under
    ``assessment_key``. Approve and edit go to ``next``; reject to ``on_reject``; redirect back to
    ``redirect_to`` with the reviewer's instructions under ``instructions_key``; escalate pauses again
    for a higher role. ``memory_key`` returns the text correction memory files this proposal under
    (by default the proposal's own text). ``reassess`` assesses an edited proposal again (without it
    every edit is held for another reviewer); ``check_edit`` refuses edits that do not fit the state.
    """
    return ReviewGate(
        name=name,
        graph=graph,
        proposal_model=proposal_model,
        next=next,
        on_reject=on_reject,
        redirect_to=redirect_to,
        proposal_key=proposal_key,
        assessment_key=assessment_key,
        instructions_key=instructions_key,
        rejection_key=rejection_key,
        view=view,
        policy=policy,
        memory_key=memory_key,
        reassess=reassess,
        check_edit=check_edit,
    )
