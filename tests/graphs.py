"""Small graphs for tests: two parallel gated branches with countable agent work."""

from __future__ import annotations

from collections import Counter
from typing import Any

from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel

from humangate import GateState, GateView, GraphRegistry, GraphSpec, review_gate
from humangate.core.contract import RiskAssessment
from humangate.graphs.registry import default_registry


class Note(BaseModel):
    """A proposal of the parallel graph."""

    text: str


class PairInput(BaseModel):
    """Input of the parallel graph."""

    topic: str


class PairState(GateState, total=False):
    topic: str
    a: dict[str, Any]
    b: dict[str, Any]
    a_assessment: dict[str, Any]
    b_assessment: dict[str, Any]
    done: list[str]


def _assessment() -> dict[str, Any]:
    return {
        "level": "high",
        "score": 0.8,
        "confidence": 0.4,
        "needs_review": True,
        "policy_version": "t1",
        "triggers": [{"kind": "confidence", "reason": "The agent is unsure."}],
    }


def pair_registry(calls: Counter[str]) -> GraphRegistry:
    """Return the default graphs plus ``pair``: agents a and b in parallel, each gated; ``calls`` counts agent runs."""

    def agent(name: str) -> Any:
        def run(state: PairState) -> dict[str, Any]:
            calls[name] += 1
            return {name: {"text": f"{name} on {state['topic']}"}, f"{name}_assessment": _assessment()}

        return run

    gates = {
        name: review_gate(
            name=f"gate_{name}",
            graph="pair",
            proposal_model=Note,
            next="join",
            proposal_key=name,
            assessment_key=f"{name}_assessment",
            view=lambda s, n=name: GateView(title=f"{n} on {s['topic']}"),
            # The same fixed assessment for any text: an edit raises nothing, so it goes on at once.
            reassess=lambda s: RiskAssessment.model_validate(_assessment()),
        )
        for name in ("a", "b")
    }

    def build() -> StateGraph[Any, Any, Any, Any]:
        builder = StateGraph(PairState)
        builder.add_node("join", lambda s: {"done": ["joined"]}, defer=True)
        for name, gate in gates.items():
            builder.add_node(name, agent(name))
            builder.add_node(gate.name, gate, destinations=gate.destinations)
            builder.add_edge(START, name)
            builder.add_edge(name, gate.name)
        builder.add_edge("join", END)
        return builder

    registry = default_registry()
    registry.register(
        GraphSpec.create(
            name="pair",
            description="two gated agents in parallel",
            build=build,
            input_model=PairInput,
            to_state=lambda inp: inp.model_dump(),
            title=lambda inp: f"pair {inp.topic}",  # type: ignore[attr-defined]
        )
    )
    return registry
