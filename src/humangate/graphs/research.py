"""The ``research`` graph, and the research steps the outreach graph reuses.

research -> assess_brief -> review_brief

The gate pauses on conflicting, weak or missing sources, injected instructions and low confidence;
a redirect sends the researcher back with the reviewer's instructions.
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from humangate.agents.researcher import Researcher
from humangate.core.contract import RiskAssessment
from humangate.core.schemas import Brief, ResearchInput
from humangate.graphs.common import GraphDeps, remembered
from humangate.graphs.context import RunContext
from humangate.graphs.gate import GateState, GateView, review_gate
from humangate.graphs.registry import GraphSpec
from humangate.graphs.step import add_gated_step
from humangate.graphs.views import brief_sources
from humangate.risk import assess_brief

__all__ = ["NAME", "ResearchState", "add_research_steps", "brief_text", "build_research_graph", "research_spec"]

NAME = "research"


class ResearchState(GateState, total=False):
    """State the research steps read and write."""

    research_input: dict[str, Any]
    brief: dict[str, Any]
    brief_assessment: dict[str, Any]
    brief_similar: list[dict[str, Any]]
    research_instructions: str | None
    rejection: dict[str, Any]


def brief_text(brief: Brief) -> str:
    """Return the text memory files a brief under: its subject, summary, claims and conflicts."""
    lines = [brief.subject, brief.summary, *(c.text for c in brief.claims), *(c.description for c in brief.conflicts)]
    return "\n".join(line for line in lines if line)


def add_research_steps(builder: StateGraph[Any, Any, Any, Any], deps: GraphDeps, *, graph: str, then: str) -> str:
    """Add research -> assess_brief -> review_brief to ``builder``; approval goes to ``then``. Return the entry."""
    researcher = Researcher(deps.model)

    def research(state: ResearchState) -> dict[str, Any]:
        inp = ResearchInput.model_validate(state["research_input"])
        if instructions := state.get("research_instructions"):
            inp = inp.model_copy(update={"instructions": instructions})
        return {"brief": researcher.run(inp).model_dump(mode="json")}

    def assess_only(state: Any) -> RiskAssessment:
        inp = ResearchInput.model_validate(state["research_input"])
        return assess_brief(
            Brief.model_validate(state["brief"]),
            inp.sources,
            deps.policy,
            graph=graph,
            node="review_brief",
            without_sources=inp.without_sources,
        )

    def assess(state: ResearchState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        brief = Brief.model_validate(state["brief"])
        assessment = assess_only(state)
        text = brief_text(brief)
        node = "review_brief"
        judged, similar = remembered(runtime, assessment, graph=graph, node=node, key=text, proposal_text=text)
        return {"brief_assessment": judged, "brief_similar": similar}

    def view(state: Any) -> GateView:
        inp = ResearchInput.model_validate(state["research_input"])
        brief = Brief.model_validate(state["brief"])
        return GateView(
            title=f"Research brief: {inp.subject}",
            sources=brief_sources(inp.sources),
            observed=f"{len(inp.sources)} sources on {inp.subject}: {len(brief.claims)} claims, "
            f"{len(brief.conflicts)} conflicts, coverage {brief.coverage:.0%}.",
            attempts=[f"Redirected: {i}" for i in [state.get("research_instructions")] if i],
            similar=list(state.get("brief_similar") or []),
        )

    gate = review_gate(
        name="review_brief",
        graph=graph,
        proposal_model=Brief,
        next=then,
        redirect_to="research",
        proposal_key="brief",
        assessment_key="brief_assessment",
        instructions_key="research_instructions",
        view=view,
        memory_key=lambda state: brief_text(Brief.model_validate(state["brief"])),
        policy=deps.policy.gate_policy(graph, "review_brief"),
        reassess=assess_only,
    )
    return add_gated_step(builder, ("research", research), ("assess_brief", assess), gate)


def build_research_graph(deps: GraphDeps | None = None) -> StateGraph[ResearchState, RunContext, Any, Any]:
    """Return the uncompiled research graph."""
    builder = StateGraph(ResearchState, context_schema=RunContext)
    entry = add_research_steps(builder, deps or GraphDeps(), graph=NAME, then=END)
    builder.add_edge(START, entry)
    return builder


def research_spec(deps: GraphDeps | None = None) -> GraphSpec:
    """Return the registry entry of the research graph."""
    return GraphSpec.create(
        name=NAME,
        description="Read sources about a subject and write a cited brief; pause on conflicts and hostile text.",
        build=lambda: build_research_graph(deps),
        input_model=ResearchInput,
        to_state=lambda inp: {"research_input": inp.model_dump(mode="json")},
        title=lambda inp: f"Research: {inp.subject}",  # type: ignore[attr-defined]
    )
