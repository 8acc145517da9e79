"""The built-in ``notify`` graph: draft a short note by rule, assess it as every outgoing message, gate it, send it.

It exercises the whole review spine (gate, queue, decisions, outbox) without any model, and stays as
the smallest worked example of composing a graph with ``review_gate``. The note goes by email, or with
``channel="slack"`` to the Slack channel of ``HUMANGATE_SLACK_WEBHOOK_URL``; the channel is part of the
input, not of the proposal, so no edit can move a note from one to the other.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command
from pydantic import BaseModel, ConfigDict, Field

from humangate.core.contract import RiskAssessment, RiskLevel, SourceExcerpt, Trigger, risk_rank
from humangate.core.gate_policy import GatePolicy
from humangate.graphs.common import deliver_or_hold, send_or_hold
from humangate.graphs.context import RunContext
from humangate.graphs.gate import GateState, GateView, review_gate
from humangate.graphs.registry import GraphSpec
from humangate.graphs.step import add_gated_step
from humangate.risk.combine import Signals, combine
from humangate.risk.outgoing import check_outgoing
from humangate.risk.policy import RiskPolicy, Thresholds
from humangate.risk.terms import TermCategory

__all__ = ["NAME", "NotifyInput", "NotifyMessage", "assess_note", "build_notify_graph", "notify_spec"]

NAME = "notify"
GATE = "review"
# The notify graph's own watch words, beside the policy terms every message is read for: a note that
# mentions a contract or anything legal has always gone to a person.
_WATCH_TERMS: dict[TermCategory, list[str]] = {"legal": ["legal", "contract", "contracts"]}
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


def assess_note(state: Mapping[str, Any], policy: RiskPolicy) -> RiskAssessment:
    """Assess the note as it would be sent: the checks every outgoing message passes, then the graph's own rules.

    The note's body is the caller's topic word for word, so it passes what an outreach draft passes
    (``risk.outgoing.check_outgoing``: terms, personal data, impact, injected text, headers, links, requests
    for credentials), on the first draft and on every reviewer's edit alike. The graph's own rules only add:
    a task that asks for approval is always reviewed, and a policy topic is high (critical with personal data).
    """
    req = NotifyInput.model_validate(state["request"])
    msg = NotifyMessage.model_validate(state["proposal"])
    settings = policy.settings(NAME, GATE)
    email = req.channel == "email"
    checks = check_outgoing(
        to=msg.to if email else "Slack",
        subject=msg.subject,
        body=msg.body,
        settings=settings,
        where="The email" if email else "The Slack post",
        what="email" if email else "Slack post",
        external=email,  # the Slack post goes to the team's own channel
        allow=[req.recipient, req.company],
        names=[("The recipient's name", req.recipient), ("The company", req.company)],
        ticket="" if email else "slack",  # a channel, not an address
        extra_terms=_WATCH_TERMS,
        # A reviewer's edit is held again for a new policy term, not for rewording beside one they saw.
        excerpts=False,
    )
    required = list(checks.required)
    if email and not _EMAIL.match(msg.to) and not any(t.kind == "data_quality" for t in required):
        required.append(
            Trigger(
                kind="data_quality",
                score=0.8,
                evidence=[msg.to],
                reason=f"The recipient address '{msg.to}' is not a valid email address.",
            )
        )
    triggers = list(checks.triggers)
    if req.require_approval:
        triggers.append(
            Trigger(
                kind="impact",
                score=0.5,
                evidence=["external email" if email else "Slack post"],
                reason="The task asks for approval before anything is sent.",
            )
        )
    key = hashlib.sha256(json.dumps([NAME, GATE, req.channel, msg.model_dump()], sort_keys=True).encode()).hexdigest()
    assessment = combine(
        triggers,
        checks.signals,
        settings,
        policy_version=policy.version,
        confidence=1.0,  # a template, not a model: nothing in the note is guessed
        always_review=req.require_approval,
        sample_key=key,
        required=required,
    )
    return _notify_levels(assessment, checks.signals, settings.thresholds)


def _notify_levels(assessment: RiskAssessment, signals: Signals, thresholds: Thresholds) -> RiskAssessment:
    """Raise the level by the notify graph's own rules; they never lower what the shared rules gave.

    A note touching a policy topic is high, and with someone's personal data critical (for an expert), as
    notes always were; the shared rules make the same outreach draft medium and high.
    """
    if not signals.policy_terms:
        return assessment
    terms = ", ".join(signals.policy_terms)
    level: RiskLevel = "critical" if signals.sensitive_pii else "high"
    if risk_rank(assessment.level) >= risk_rank(level):
        return assessment
    reason = (
        f"Policy language ({terms}) and personal data together make this critical."
        if level == "critical"
        else f"The note touches {terms}, which the notify graph leaves to a person."
    )
    floor = thresholds.floor(level)
    return assessment.model_copy(
        update={
            "level": level,
            "score": max(assessment.score, floor),
            "needs_review": True,
            "triggers": [
                *(t for t in assessment.triggers if t.kind != "sampling"),
                Trigger(kind="rule", score=floor, reason=reason),
            ],
        }
    )


def _assess_node(policy: RiskPolicy) -> Callable[[NotifyState], dict[str, Any]]:
    def assess(state: NotifyState) -> dict[str, Any]:
        """Assess the note (see ``assess_note``) and keep the assessment in state."""
        return {"assessment": assess_note(state, policy).model_dump(mode="json")}

    return assess


def send(state: NotifyState, runtime: Runtime[RunContext]) -> Command[str]:
    """Send the approved note through the outbox, once per run and attempt; go back to review if it cannot go."""
    req = NotifyInput.model_validate(state["request"])
    msg = NotifyMessage.model_validate(state["proposal"])
    where = {"graph": NAME, "node": "send", "gate": "review", "assessment_key": "assessment"}
    if req.channel == "slack":
        payload = {"text": f"{msg.subject}\n\n{msg.body}"}
        return deliver_or_hold(runtime, state, **where, kind="slack", payload=payload)
    return send_or_hold(runtime, state, **where, message=msg.model_dump())


def _view(state: Any) -> GateView:
    req = NotifyInput.model_validate(state["request"])
    return GateView(
        title=f"Email to {req.recipient}" + (f" ({req.company})" if req.company else ""),
        sources=[SourceExcerpt(id="task", title="Task", excerpt=req.topic)],
        observed=(f"Recipient {req.recipient} <{req.email}>" if req.channel == "email" else "Posted to Slack")
        + f"; draft revision {state.get('revisions', 1)}.",
        attempts=[f"Redirected: {state['instructions']}"] if state.get("instructions") else [],
    )


def build_notify_graph(
    policy: GatePolicy | None = None, risk: RiskPolicy | None = None
) -> StateGraph[NotifyState, RunContext, Any, Any]:
    """Return the uncompiled ``notify`` graph: draft -> assess -> review -> send.

    ``risk`` gives the thresholds and watch terms the note is assessed under (default: the built-in policy).
    """
    risk = risk or RiskPolicy()
    notify_gate = review_gate(
        name=GATE,
        graph=NAME,
        proposal_model=NotifyMessage,
        next="send",
        redirect_to="draft",
        view=_view,
        policy=policy,
        reassess=lambda state: assess_note(state, risk),
    )
    builder = StateGraph(NotifyState, context_schema=RunContext)
    builder.add_edge(START, add_gated_step(builder, ("draft", draft), ("assess", _assess_node(risk)), notify_gate))
    builder.add_node("send", send, destinations=(notify_gate.name, END))
    return builder


def notify_spec(policy: GatePolicy | None = None, risk: RiskPolicy | None = None) -> GraphSpec:
    """Return the registry entry of the ``notify`` graph, gated by ``policy`` and assessed under ``risk``."""
    return GraphSpec.create(
        name=NAME,
        description="Draft a note to one recipient by rule, gate it by risk, send it via the outbox.",
        build=lambda: build_notify_graph(policy, risk),
        input_model=NotifyInput,
        to_state=lambda inp: {"request": inp.model_dump()},
        title=lambda inp: f"Note to {inp.recipient}",  # type: ignore[attr-defined]
    )
