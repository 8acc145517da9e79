"""The ``support`` graph: read a customer message, suggest a reply, and answer after review if needed.

analyze -> assess -> review_reply -> reply

Calm messages are answered without a person; frustrated, churning, legal and refund cases pause with
the whole conversation and a suggested reply. A reply goes by email to the customer's address when the
message came with one (checked by the effect layer, held for a person when it is not one address), and
back on its ticket to the customer by name when it did not: no address is ever made up. Its subject says
what the message was about (``agents.offline.replies.reply_subject``).
"""

from __future__ import annotations

from typing import Annotated, Any

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command
from pydantic import BaseModel, Field

from humangate.agents.escalation_judge import EscalationJudge
from humangate.agents.offline.replies import reply_subject
from humangate.agents.offline.turns import read_turn
from humangate.agents.support import SupportAnalyst
from humangate.core.contract import RiskAssessment, SourceExcerpt
from humangate.core.schemas import (
    AmountLimit,
    EscalationJudgement,
    RoutingRule,
    SupportAnalysis,
    SupportMessage,
    SupportReply,
)
from humangate.effects import mailbox
from humangate.effects.messages import ADDRESS_MARKS
from humangate.graphs.common import GraphDeps, recall, remembered, send_or_hold
from humangate.graphs.context import RunContext
from humangate.graphs.gate import GateState, GateView, review_gate
from humangate.graphs.registry import GraphSpec
from humangate.graphs.step import add_gated_step
from humangate.risk import assess_support
from humangate.risk.directives import unfollowed
from humangate.risk.escalation import wants_second_opinion
from humangate.risk.limits import limit_triggers
from humangate.risk.outbound import outbound_triggers
from humangate.risk.routing import apply_routes, route_hits

__all__ = ["NAME", "SupportInput", "build_support_graph", "support_spec"]

NAME = "support"
_SUBJECT = "Re: your message"
_TO_MAX = 320  # SupportReply.to


class SupportInput(SupportMessage):
    """Input of the support graph: the message, whether every reply waits for a person, the task's rules."""

    email: str | None = None
    require_approval: bool = False
    limits: list[AmountLimit] = Field(default_factory=list, max_length=20)
    routes: list[RoutingRule] = Field(default_factory=list, max_length=20)
    directives: list[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list, max_length=20, description="What the task asks every reply to say."
    )


class SupportState(GateState, total=False):
    """State of one support run."""

    request: dict[str, Any]
    require_approval: bool
    limits: list[dict[str, Any]]
    routes: list[dict[str, Any]]
    directives: list[str]
    analysis: dict[str, Any]
    judgement: dict[str, Any] | None
    reply: dict[str, Any]
    assessment: dict[str, Any]
    instructions: str | None
    similar: list[dict[str, Any]]
    rejection: dict[str, Any]
    sent: dict[str, Any]


def build_support_graph(deps: GraphDeps | None = None) -> StateGraph[SupportState, RunContext, Any, Any]:
    """Return the uncompiled support graph built with ``deps`` (policy and model)."""
    deps = deps or GraphDeps()
    analyst = SupportAnalyst(deps.model)
    judge = EscalationJudge(deps.model) if deps.model is not None else None
    settings = deps.policy.settings(NAME, "review_reply")

    def analyze(state: SupportState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        message = SupportMessage.model_validate(state["request"])
        # The task's directives and a reviewer's redirect both reach the analyst (a model follows them).
        asked = [*state.get("directives", []), *filter(None, [state.get("instructions")])]
        if asked:
            message = message.model_copy(update={"instructions": "\n".join(asked)[:4_000]})
        memory = recall(runtime)
        # Replies are filed under the customer's message: similar messages bring similar corrections.
        corrections = memory.examples(NAME, "review_reply", message.text) if memory else []
        analysis = analyst.run(message, corrections)
        subject = reply_subject(message, analysis.intent)
        reply = SupportReply(to=_recipient(message), subject=subject, body=analysis.suggested_reply)
        # The cascade: with a chat model, a message the router would pass by a small margin gets the model's
        # rubric here, before the gate (the gate re-runs on resume and must not call a model).
        unsure = judge is not None and wants_second_opinion(
            message.text, settings, message.history, routers=deps.routers, graph=NAME, node="review_reply"
        )
        judgement = judge.run(message) if judge is not None and unsure else None
        return {
            "analysis": analysis.model_dump(mode="json"),
            "reply": reply.model_dump(mode="json"),
            "judgement": None if judgement is None else judgement.model_dump(mode="json"),
        }

    def routed(state: Any) -> list[tuple[RoutingRule, str]]:
        message = SupportMessage.model_validate(state["request"])
        routes = [RoutingRule.model_validate(x) for x in state.get("routes", [])]
        hits = route_hits(message.text, SupportAnalysis.model_validate(state["analysis"]), routes)
        # A rule an earlier turn of the thread matched still holds it: "I'm cancelling" two messages ago is not
        # withdrawn by "any news?" now. Each earlier turn is read on its own, as the rules read a message.
        for turn in message.history if routes else ():
            left = [r for r in routes if all(r is not hit for hit, _ in hits)]
            if not left:
                break
            # Read offline, as the escalation rules read it: no model call per earlier turn.
            earlier = read_turn(turn).analysis
            hits += [(r, f"an earlier message of the thread: {why}") for r, why in route_hits(turn, earlier, left)]
        return hits

    def assess_only(state: Any) -> RiskAssessment:
        message = SupportMessage.model_validate(state["request"])
        assessment = assess_support(
            message.text,
            SupportAnalysis.model_validate(state["analysis"]),
            SupportReply.model_validate(state["reply"]),
            deps.policy,
            graph=NAME,
            node="review_reply",
            always_review=bool(state.get("require_approval")),
            limits=[AmountLimit.model_validate(x) for x in state.get("limits", [])],
            ticket=message.id,
            names=[("The customer's name", message.customer)],
            history=message.history,
            judgement=_judgement(state),
            routers=deps.routers,
            directives=state.get("directives", []),
        )
        # The task's routing rules ("hand me anything angry") hold the messages they match.
        return apply_routes(assessment, routed(state), deps.policy.settings(NAME, "review_reply"))

    def assess(state: SupportState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        message = SupportMessage.model_validate(state["request"])
        reply = SupportReply.model_validate(state["reply"])
        limits = [AmountLimit.model_validate(x) for x in state.get("limits", [])]
        always = bool(state.get("require_approval"))
        assessment = assess_only(state)
        outbound = outbound_triggers(
            to=reply.to,
            subject=reply.subject or _SUBJECT,
            body=reply.body,
            names=[("The customer's name", message.customer)],
            sources=[("customer message", message.text)],
            ticket=message.id,
        )
        # Replies are filed under the customer's message, and the lessons are checked in the reply. The
        # task's own rules are never passed by earned autonomy: approval asked for, a limit gone over, or
        # what the outbound checks hold.
        judged, similar = remembered(
            runtime,
            assessment,
            graph=NAME,
            node="review_reply",
            key=message.text,
            proposal_text=reply.body,
            always_review=always
            or bool(limit_triggers(reply.body, limits))
            or bool(outbound)
            or bool(routed(state))
            or bool(unfollowed(state.get("directives", []), subject="", body=reply.body)),
        )
        return {"assessment": judged, "similar": similar}

    def reply(state: SupportState, runtime: Runtime[RunContext]) -> Command[str]:
        answer = SupportReply.model_validate(state["reply"])
        # To the customer's address by email, or (no address known) to them by name back on the ticket.
        ticket = SupportMessage.model_validate(state["request"]).id
        message = {"to": answer.to, "subject": answer.subject or _SUBJECT, "body": answer.body, "ticket": ticket}
        return send_or_hold(
            runtime, state, graph=NAME, node="reply", gate="review_reply", assessment_key="assessment", message=message
        )

    def view(state: Any) -> GateView:
        message = SupportMessage.model_validate(state["request"])
        analysis = SupportAnalysis.model_validate(state["analysis"])
        sources = [
            SourceExcerpt(id=f"history-{i}", title=f"Earlier message {i + 1}", excerpt=h[:4_000])
            for i, h in enumerate(message.history[-5:])
        ]
        sources.append(
            SourceExcerpt(
                id="message", title=f"Message from {message.customer or message.id}", excerpt=message.text[:20_000]
            )
        )
        signals = ", ".join(analysis.signals) or "none"
        to = SupportReply.model_validate(state["reply"]).to
        goes = f"by email to {to}" if (message.email or "").strip() else f"back on ticket {message.id} (no address)"
        return GateView(
            title=f"Reply to {message.customer or message.id}: {analysis.intent}",
            sources=sources,
            observed=f"Sentiment {analysis.sentiment:+.2f} ({analysis.label}), intent {analysis.intent}, urgency "
            f"{analysis.urgency}; signals: {signals}. The reply goes {goes}.{_second_opinion(state)}",
            attempts=[f"Redirected: {i}" for i in [state.get("instructions")] if i],
            similar=list(state.get("similar") or []),
        )

    gate = review_gate(
        name="review_reply",
        graph=NAME,
        proposal_model=SupportReply,
        next="reply",
        redirect_to="analyze",
        proposal_key="reply",
        view=view,
        memory_key=lambda state: str(state["request"]["text"]),
        policy=deps.policy.gate_policy(NAME, "review_reply"),
        reassess=assess_only,
    )
    builder = StateGraph(SupportState, context_schema=RunContext)
    builder.add_edge(START, add_gated_step(builder, ("analyze", analyze), ("assess", assess), gate))
    builder.add_node("reply", reply, destinations=(gate.name, END))
    return builder


def _judgement(state: Any) -> EscalationJudgement | None:
    raw = state.get("judgement")
    return None if raw is None else EscalationJudgement.model_validate(raw)


def _second_opinion(state: Any) -> str:
    judgement = _judgement(state)
    if judgement is None:
        return ""
    if judgement.model_failure:
        return " The model asked for a second opinion could not answer."
    verdict = "a person should answer" if judgement.needs_person else "an automatic reply is fine"
    marked = ", ".join(judgement.flagged()) or "nothing"
    return f" The model's second opinion: {verdict} (rubric: {marked}); {judgement.reason[:300]}"


def _recipient(message: SupportMessage) -> str:
    """Return who the reply goes to: the customer's address (with their name when it fits), else their name."""
    address = (message.email or "").strip()
    if not address:
        # No address: the reply goes back on the ticket. The name is the customer's own text, so it can never
        # name a mailbox: "attacker@evil.example" in the name cell must not become where the reply is emailed.
        # Only those characters go: a line break stays for the header checks to find and hold.
        name = ADDRESS_MARKS.sub(" ", message.customer or message.id)
        return name if name.strip() else "customer"
    to = mailbox(message.customer, address)
    # No address is longer than 254 characters: cut, a longer one is still refused by the effect layer.
    return to if len(to) <= _TO_MAX else address[:_TO_MAX]


def _to_state(inp: BaseModel) -> dict[str, Any]:
    assert isinstance(inp, SupportInput)
    request = inp.model_dump(mode="json", exclude={"require_approval", "limits", "routes", "directives"})
    limits = [x.model_dump(mode="json") for x in inp.limits]
    routes = [x.model_dump(mode="json") for x in inp.routes]
    state = {"request": request, "require_approval": inp.require_approval, "limits": limits, "routes": routes}
    return state | ({"directives": list(inp.directives)} if inp.directives else {})


def support_spec(deps: GraphDeps | None = None) -> GraphSpec:
    """Return the registry entry of the support graph."""
    return GraphSpec.create(
        name=NAME,
        description="Answer a customer message; hand frustrated, churning or legal cases to a person.",
        build=lambda: build_support_graph(deps),
        input_model=SupportInput,
        to_state=_to_state,
        title=lambda inp: f"Support: {inp.customer or inp.id}",  # type: ignore[attr-defined]
    )
