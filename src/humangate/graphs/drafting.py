"""The ``drafting`` graph, and the drafting steps the outreach graph reuses.

draft -> assess_draft -> review_send -> send

The gate pauses on risky drafts (policy terms, personal data, unsupported claims, low confidence) and
on every draft when the task asked for approval; approved emails go out once, through the outbox.
"""

from __future__ import annotations

from typing import Annotated, Any

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command
from pydantic import BaseModel, ConfigDict, Field

from humangate.agents.drafter import Drafter
from humangate.agents.offline import draft as offline_draft
from humangate.core.contract import RiskAssessment
from humangate.core.schemas import AmountLimit, Brief, DraftInput, EmailDraft, Recipient, Source
from humangate.graphs.common import GraphDeps, recall, remembered, send_or_hold
from humangate.graphs.context import RunContext
from humangate.graphs.gate import GateState, GateView, review_gate
from humangate.graphs.registry import GraphSpec
from humangate.graphs.step import add_gated_step
from humangate.graphs.views import claim_sources
from humangate.risk import assess_draft
from humangate.risk.directives import unfollowed
from humangate.risk.limits import limit_triggers
from humangate.risk.outbound import outbound_triggers

__all__ = [
    "NAME",
    "DraftRequest",
    "DraftingInput",
    "add_drafting_steps",
    "build_drafting_graph",
    "drafting_spec",
    "email_text",
]

NAME = "drafting"


class DraftRequest(BaseModel):
    """Who to write to, why and how."""

    model_config = ConfigDict(extra="forbid")

    recipient: Recipient
    goal: str = Field(default="an introduction", max_length=2_000)
    tone: str = Field(default="friendly and concise", max_length=200)
    sender: str = Field(default="The team", max_length=200)
    require_approval: bool = False
    limits: list[AmountLimit] = Field(default_factory=list, max_length=20)
    directives: list[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list, max_length=20, description="What the task asks every email to say."
    )


class DraftingInput(DraftRequest):
    """Input of the drafting graph: a finished brief, its sources, and the request."""

    brief: Brief
    sources: list[Source] = Field(default_factory=list, max_length=200)


class DraftingState(GateState, total=False):
    """State the drafting steps read and write."""

    draft_request: dict[str, Any]
    research_input: dict[str, Any]
    brief: dict[str, Any]
    draft: dict[str, Any]
    draft_assessment: dict[str, Any]
    draft_instructions: str | None
    draft_similar: list[dict[str, Any]]
    rejection: dict[str, Any]
    sent: dict[str, Any]


def email_text(email: EmailDraft) -> str:
    """Return the text memory files an email under: its subject and body."""
    return f"{email.subject}\n\n{email.body}"


def _sources(state: Any) -> list[Source]:
    research = state.get("research_input") or {}
    return [Source.model_validate(s) for s in research.get("sources", [])]


def _names(req: DraftRequest) -> list[tuple[str, str]]:
    """Return every value of the request that may be put into the email, for the outbound checks to read."""
    r = req.recipient
    named = [
        ("The recipient's name", r.name),
        ("The company cell", r.company),
        ("The role cell", r.role),
        ("The sender's name", req.sender),
    ]
    return [(what, value) for what, value in named if value]


def _check_claims(state: Any, edited: BaseModel) -> str | None:
    """Return why an edited draft's ``claims_used`` names claims the brief does not have, or None."""
    assert isinstance(edited, EmailDraft)
    count = len(Brief.model_validate(state["brief"]).claims)
    unknown = sorted({i for i in edited.claims_used if not 0 <= i < count})
    if not unknown:
        return None
    have = f"claims 0 to {count - 1}" if count else "no claims"
    return f"claims_used names claims {unknown} that the brief does not have (it has {have})"


def add_drafting_steps(builder: StateGraph[Any, Any, Any, Any], deps: GraphDeps, *, graph: str) -> str:
    """Add draft -> assess_draft -> review_send -> send to ``builder``; return the entry node."""
    drafter = Drafter(deps.model)

    def draft(state: DraftingState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        req = DraftRequest.model_validate(state["draft_request"])
        inp = DraftInput(
            brief=Brief.model_validate(state["brief"]),
            recipient=req.recipient,
            goal=req.goal,
            tone=req.tone,
            sender=req.sender,
            # The task's directives and a reviewer's redirect both reach the drafter.
            instructions="\n".join([*req.directives, *filter(None, [state.get("draft_instructions")])])[:4_000] or None,
        )
        memory = recall(runtime)
        if memory is not None:
            # Corrections are filed under the emails reviewers saw: look them up by a first, plain draft.
            probe = email_text(offline_draft(inp))
            inp = inp.model_copy(update={"corrections": memory.examples(graph, "review_send", probe)})
        return {"draft": drafter.run(inp).model_dump(mode="json")}

    def assess_only(state: Any) -> RiskAssessment:
        req = DraftRequest.model_validate(state["draft_request"])
        return assess_draft(
            EmailDraft.model_validate(state["draft"]),
            Brief.model_validate(state["brief"]),
            deps.policy,
            graph=graph,
            node="review_send",
            external=True,
            always_review=req.require_approval,
            limits=req.limits,
            sources=_sources(state),
            names=_names(req),
            directives=req.directives,
        )

    def assess(state: DraftingState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        req = DraftRequest.model_validate(state["draft_request"])
        email = EmailDraft.model_validate(state["draft"])
        assessment = assess_only(state)
        text = email_text(email)
        # The task's own rules are never passed by earned autonomy: approval asked for, a limit gone over;
        # nor is what the outbound checks hold (a bad header or recipient, a link, a request for a password).
        outbound = outbound_triggers(
            to=email.to,
            subject=email.subject,
            body=email.body,
            names=_names(req),
            sources=[(f"source {s.id}", s.text) for s in _sources(state)],
        )
        asked = unfollowed(req.directives, subject=email.subject, body=email.body)
        held = req.require_approval or bool(limit_triggers(text, req.limits)) or bool(outbound) or bool(asked)
        judged, similar = remembered(
            runtime,
            assessment,
            graph=graph,
            node="review_send",
            key=text,
            proposal_text=text,
            always_review=held,
        )
        return {"draft_assessment": judged, "draft_similar": similar}

    def send(state: DraftingState, runtime: Runtime[RunContext]) -> Command[str]:
        email = EmailDraft.model_validate(state["draft"])
        return send_or_hold(
            runtime,
            state,
            graph=graph,
            node="send",
            gate="review_send",
            assessment_key="draft_assessment",
            message=email.model_dump(),
        )

    def view(state: Any) -> GateView:
        req = DraftRequest.model_validate(state["draft_request"])
        brief = Brief.model_validate(state["brief"])
        email = EmailDraft.model_validate(state["draft"])
        company = f" ({req.recipient.company})" if req.recipient.company else ""
        return GateView(
            title=f"Email to {req.recipient.name}{company}",
            sources=claim_sources(brief, email.claims_used, _sources(state)),
            observed=f"Drafted from a brief on {brief.subject} with {len(brief.claims)} claims; the draft uses "
            f"{len(email.claims_used)} of them.",
            attempts=[f"Redirected: {i}" for i in [state.get("draft_instructions")] if i],
            similar=list(state.get("draft_similar") or []),
        )

    gate = review_gate(
        name="review_send",
        graph=graph,
        proposal_model=EmailDraft,
        next="send",
        redirect_to="draft",
        proposal_key="draft",
        assessment_key="draft_assessment",
        instructions_key="draft_instructions",
        view=view,
        memory_key=lambda state: email_text(EmailDraft.model_validate(state["draft"])),
        policy=deps.policy.gate_policy(graph, "review_send"),
        reassess=assess_only,
        check_edit=_check_claims,
    )
    builder.add_node("send", send, destinations=(gate.name, END))
    return add_gated_step(builder, ("draft", draft), ("assess_draft", assess), gate)


def build_drafting_graph(deps: GraphDeps | None = None) -> StateGraph[DraftingState, RunContext, Any, Any]:
    """Return the uncompiled drafting graph."""
    builder = StateGraph(DraftingState, context_schema=RunContext)
    entry = add_drafting_steps(builder, deps or GraphDeps(), graph=NAME)
    builder.add_edge(START, entry)
    return builder


def _to_state(inp: BaseModel) -> dict[str, Any]:
    assert isinstance(inp, DraftingInput)
    request = DraftRequest.model_validate(inp.model_dump(include=set(DraftRequest.model_fields)))
    return {
        "draft_request": request.model_dump(mode="json"),
        "brief": inp.brief.model_dump(mode="json"),
        "research_input": {"subject": inp.brief.subject, "sources": [s.model_dump(mode="json") for s in inp.sources]},
    }


def drafting_spec(deps: GraphDeps | None = None) -> GraphSpec:
    """Return the registry entry of the drafting graph."""
    return GraphSpec.create(
        name=NAME,
        description="Draft an email from a finished brief and send it after review.",
        build=lambda: build_drafting_graph(deps),
        input_model=DraftingInput,
        to_state=_to_state,
        title=lambda inp: f"Draft to {inp.recipient.name}",  # type: ignore[attr-defined]
    )
