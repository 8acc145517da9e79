"""The ``outreach`` graph: research a company, draft an email from the brief, send it after review.

research -> assess_brief -> review_brief -> draft -> assess_draft -> review_send -> send

It is the research steps followed by the drafting steps. ``humangate run`` fans a task out as one run
per item, so each item pauses and resumes on its own.
"""

from __future__ import annotations

from typing import Annotated, Any

from langgraph.graph import START, StateGraph
from pydantic import BaseModel, ConfigDict, Field

from humangate.core.schemas import AmountLimit, Recipient, ResearchInput, Source
from humangate.graphs.common import GraphDeps
from humangate.graphs.context import RunContext
from humangate.graphs.drafting import DraftingState, DraftRequest, add_drafting_steps
from humangate.graphs.registry import GraphSpec
from humangate.graphs.research import ResearchState, add_research_steps

__all__ = ["NAME", "OutreachInput", "build_outreach_graph", "outreach_spec"]

NAME = "outreach"


class OutreachInput(BaseModel):
    """One outreach item: a company, what is known about it, and the person to write to."""

    model_config = ConfigDict(extra="forbid")

    company: str = Field(min_length=1, max_length=300)
    recipient: Recipient
    sources: list[Source] = Field(default_factory=list, max_length=200)
    goal: str = Field(default="an introduction", max_length=2_000)
    tone: str = Field(default="friendly and concise", max_length=200)
    sender: str = Field(default="The team", max_length=200)
    require_approval: bool = False
    limits: list[AmountLimit] = Field(default_factory=list, max_length=20, description="The task's limits on amounts.")
    directives: list[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list, max_length=20, description="What the task asks every email to say."
    )
    without_sources: bool = Field(default=False, description="Started without sources on purpose (--no-sources).")


class OutreachState(ResearchState, DraftingState, total=False):
    """State of one outreach run."""


def build_outreach_graph(deps: GraphDeps | None = None) -> StateGraph[OutreachState, RunContext, Any, Any]:
    """Return the uncompiled outreach graph built with ``deps`` (policy and model)."""
    deps = deps or GraphDeps()
    builder = StateGraph(OutreachState, context_schema=RunContext)
    drafting = add_drafting_steps(builder, deps, graph=NAME)
    research = add_research_steps(builder, deps, graph=NAME, then=drafting)
    builder.add_edge(START, research)
    return builder


def _to_state(inp: BaseModel) -> dict[str, Any]:
    assert isinstance(inp, OutreachInput)
    research = ResearchInput(
        subject=inp.company,
        question=f"Facts about {inp.company} useful for {inp.goal}.",
        sources=inp.sources,
        without_sources=inp.without_sources,
    )
    request = DraftRequest(
        recipient=inp.recipient,
        goal=inp.goal,
        tone=inp.tone,
        sender=inp.sender,
        require_approval=inp.require_approval,
        limits=inp.limits,
        directives=inp.directives,
    )
    return {"research_input": research.model_dump(mode="json"), "draft_request": request.model_dump(mode="json")}


def outreach_spec(deps: GraphDeps | None = None) -> GraphSpec:
    """Return the registry entry of the outreach graph."""
    return GraphSpec.create(
        name=NAME,
        description="Research a company, draft an email from the brief, send it after review.",
        build=lambda: build_outreach_graph(deps),
        input_model=OutreachInput,
        to_state=_to_state,
        title=lambda inp: f"Outreach to {inp.recipient.name} ({inp.company})",  # type: ignore[attr-defined]
    )
