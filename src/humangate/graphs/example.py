"""The built-in ``notify`` graph: draft a short note by rule, assess it by rule, gate it, send it.

It exercises the whole review spine (gate, queue, decisions, outbox) without any model, and stays as
the smallest worked example of composing a graph with ``review_gate``. The note goes by email, or with
``channel="slack"`` to the Slack channel of ``HUMANGATE_SLACK_WEBHOOK_URL``; the channel is part of the
input, not of the proposal, so no edit can move a note from one to the other.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command
from pydantic import BaseModel, ConfigDict, Field

from humangate.core.contract import RiskAssessment, RiskLevel, SourceExcerpt, Trigger
from humangate.core.gate_policy import GatePolicy
from humangate.graphs.common import deliver_or_hold, send_or_hold
from humangate.graphs.context import RunContext
from humangate.graphs.gate import GateState, GateView, review_gate
from humangate.graphs.registry import GraphSpec
from humangate.graphs.step import add_gated_step
from humangate.risk.outbound import outbound_triggers

__all__ = ["NAME", "NotifyInput", "NotifyMessage", "build_notify_graph", "notify_spec"]

NAME = "notify"
POLICY_VERSION = "notify-rules-1"
_POLICY_WORDS = re.compile(r"\b(refund|guarantee[ds]?|price|pricing|discount|legal|contract|lawsuit)\b", re.I)
_PHONE = re.compile(r"\+?\d[\d\s().-]{7,}\d")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


class NotifyInput(BaseModel):
    """One recipient and what to tell them."""

    model_config = ConfigDict(extra="forbid")

    recipient: str = Field(min_length=1, max_length=200)
    email: str = Field(default="", max_length=320)
    company: str = Field(default="", max_length=200)
    topic: str = Field(min_length=1, max_length=2_000)
    require_approval: bool = False
    channel: Literal["email", "slack"] = "email"


class NotifyMessage(BaseModel):
    """The proposal: an email to send."""

    model_config = ConfigDict(extra="forbid")

    to: str = Field(max_length=320)
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=20_000)


class NotifyState(GateState, total=False):
    """State of one ``notify`` run."""

    request: dict[str, Any]
    proposal: dict[str, Any]
    assessment: dict[str, Any]
    instructions: str | None
    revisions: int
    rejection: dict[str, Any]
    sent: dict[str, Any]


def draft(state: NotifyState) -> dict[str, Any]:
    """Write the note from a template; a reviewer's redirect instructions are worked in."""
    req = NotifyInput.model_validate(state["request"])
    first = req.recipient.split()[0]
    body = f"Hi {first},\n\n{req.topic.strip()}\n"
    if instructions := state.get("instructions"):
        body += f"\n{instructions.strip()}\n"
    body += "\nBest regards,\nThe team"
    subject = f"A note for {req.company}" if req.company else f"A note for {first}"
    message = NotifyMessage(to=req.email if req.channel == "email" else "Slack", subject=subject, body=body)
    return {"proposal": message.model_dump(), "revisions": state.get("revisions", 0) + 1}


def assess(state: NotifyState) -> dict[str, Any]:
    """Classify the note's risk with fixed rules."""
    req = NotifyInput.model_validate(state["request"])
    msg = NotifyMessage.model_validate(state["proposal"])
    triggers: list[Trigger] = []
    if m := _POLICY_WORDS.search(msg.body):
        triggers.append(
            Trigger(
                kind="policy",
                score=0.7,
                evidence=[m.group(0)],
                reason=f"The message mentions '{m.group(0)}', a topic the policy reserves for people.",
            )
        )
    if m := _PHONE.search(msg.body):
        triggers.append(
            Trigger(
                kind="pii",
                score=0.6,
                evidence=[m.group(0)],
                reason="The message contains what looks like a phone number.",
            )
        )
    # The checks every outgoing message passes (headers, recipient, links, requests for credentials), on the
    # first draft and on every reviewer's edit alike: a note is no exception.
    triggers += outbound_triggers(
        to=msg.to if req.channel == "email" else "Slack",
        subject=msg.subject,
        body=msg.body,
        names=[("The recipient's name", req.recipient), ("The company", req.company)],
        ticket="" if req.channel == "email" else "slack",  # a channel, not an address
        where="The email" if req.channel == "email" else "The Slack post",
    )
    if req.channel == "email" and not _EMAIL.match(msg.to) and not any(t.kind == "data_quality" for t in triggers):
        triggers.append(
            Trigger(
                kind="data_quality",
                score=0.8,
                evidence=[msg.to],
                reason=f"The recipient address '{msg.to}' is not a valid email address.",
            )
        )
    if req.require_approval:
        triggers.append(
            Trigger(
                kind="impact",
                score=0.5,
                evidence=["external email"],
                reason="The task asks for approval before anything is sent.",
            )
        )
    kinds = {t.kind for t in triggers}
    level: RiskLevel = "low"
    if triggers:
        level = "medium"
    if kinds & {"policy", "data_quality", "injection"}:
        level = "high"
    if {"policy", "pii"} <= kinds:
        triggers.append(
            Trigger(kind="rule", score=0.9, reason="Policy language and personal data together make this critical.")
        )
        level = "critical"
    score = max((t.score or 0.0 for t in triggers), default=0.05)
    assessment = RiskAssessment(
        level=level,
        score=score,
        confidence=1.0 - score / 2,
        triggers=triggers,
        needs_review=bool(triggers),
        policy_version=POLICY_VERSION,
    )
    return {"assessment": assessment.model_dump(mode="json")}


def send(state: NotifyState, runtime: Runtime[RunContext]) -> Command[str]:
    """Send the approved note through the outbox, once per run and attempt; go back to review if it cannot go."""
    req = NotifyInput.model_validate(state["request"])
    msg = NotifyMessage.model_validate(state["proposal"])
    where = {"graph": NAME, "node": "send", "gate": "review", "assessment_key": "assessment"}
    if req.channel == "slack":
        payload = {"text": f"{msg.subject}\n\n{msg.body}"}
        return deliver_or_hold(runtime, state, **where, kind="slack", payload=payload)
    return send_or_hold(runtime, state, **where, message=msg.model_dump())


def _reassess(state: Any) -> RiskAssessment:
    return RiskAssessment.model_validate(assess(state)["assessment"])


def _view(state: Any) -> GateView:
    req = NotifyInput.model_validate(state["request"])
    return GateView(
        title=f"Email to {req.recipient}" + (f" ({req.company})" if req.company else ""),
        sources=[SourceExcerpt(id="task", title="Task", excerpt=req.topic)],
        observed=(f"Recipient {req.recipient} <{req.email}>" if req.channel == "email" else "Posted to Slack")
        + f"; draft revision {state.get('revisions', 1)}.",
        attempts=[f"Redirected: {state['instructions']}"] if state.get("instructions") else [],
    )


def build_notify_graph(policy: GatePolicy | None = None) -> StateGraph[NotifyState, RunContext, Any, Any]:
    """Return the uncompiled ``notify`` graph: draft -> assess -> review -> send."""
    notify_gate = review_gate(
        name="review",
        graph=NAME,
        proposal_model=NotifyMessage,
        next="send",
        redirect_to="draft",
        view=_view,
        policy=policy,
        reassess=_reassess,
    )
    builder = StateGraph(NotifyState, context_schema=RunContext)
    builder.add_edge(START, add_gated_step(builder, ("draft", draft), ("assess", assess), notify_gate))
    builder.add_node("send", send, destinations=(notify_gate.name, END))
    return builder


def notify_spec(policy: GatePolicy | None = None) -> GraphSpec:
    """Return the registry entry of the ``notify`` graph, gated by ``policy``."""
    return GraphSpec.create(
        name=NAME,
        description="Draft a note to one recipient by rule, gate it by risk, send it via the outbox.",
        build=lambda: build_notify_graph(policy),
        input_model=NotifyInput,
        to_state=lambda inp: {"request": inp.model_dump()},
        title=lambda inp: f"Note to {inp.recipient}",  # type: ignore[attr-defined]
    )
