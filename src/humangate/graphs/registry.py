"""Graphs an Orchestrator can run, by name."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langgraph.graph import StateGraph
from pydantic import BaseModel

from humangate.errors import UnknownGraphError
from humangate.graphs.gate import ReviewGate
from humangate.graphs.wiring import check_shared_keys

if TYPE_CHECKING:
    from humangate.graphs.common import GraphDeps

__all__ = ["GraphRegistry", "GraphSpec", "default_registry"]


@dataclass(frozen=True)
class GraphSpec:
    """A runnable graph: how to build it, what its input looks like, and how to name a run."""

    name: str
    description: str
    build: Callable[[], StateGraph[Any, Any, Any, Any]]
    input_model: type[BaseModel]
    to_state: Callable[[BaseModel], dict[str, Any]]
    title: Callable[[BaseModel], str]
    gates: Mapping[str, ReviewGate] = field(default_factory=dict)

    @classmethod
    def create(
        cls,
        *,
        name: str,
        description: str,
        build: Callable[[], StateGraph[Any, Any, Any, Any]],
        input_model: type[BaseModel],
        to_state: Callable[[BaseModel], dict[str, Any]],
        title: Callable[[BaseModel], str],
    ) -> GraphSpec:
        """Describe a graph, finding its review gates among the builder's nodes; refuse two sharing a state key."""
        builder = build()
        gates = {
            node: fn
            for node, spec in builder.nodes.items()
            if isinstance(fn := getattr(spec.runnable, "func", None), ReviewGate)
        }
        check_shared_keys(gates)
        return cls(
            name=name,
            description=description,
            build=build,
            input_model=input_model,
            to_state=to_state,
            title=title,
            gates=gates,
        )


class GraphRegistry:
    """Name -> GraphSpec."""

    def __init__(self, specs: Iterable[GraphSpec] = ()) -> None:
        self._specs: dict[str, GraphSpec] = {}
        for spec in specs:
            self.register(spec)

    def register(self, spec: GraphSpec) -> None:
        """Add a graph; a name can be registered once."""
        if spec.name in self._specs:
            raise ValueError(f"graph {spec.name!r} is already registered")
        self._specs[spec.name] = spec

    def get(self, name: str) -> GraphSpec:
        """Return the spec for ``name`` or raise ``UnknownGraphError``."""
        try:
            return self._specs[name]
        except KeyError:
            raise UnknownGraphError(name, sorted(self._specs)) from None

    def names(self) -> list[str]:
        """Return the registered names, sorted."""
        return sorted(self._specs)


def default_registry(deps: GraphDeps | None = None) -> GraphRegistry:
    """Return the graphs that ship with humangate, built with ``deps`` (risk policy and model)."""
    from humangate.graphs.common import GraphDeps
    from humangate.graphs.drafting import drafting_spec
    from humangate.graphs.example import notify_spec
    from humangate.graphs.outreach import outreach_spec
    from humangate.graphs.research import research_spec
    from humangate.graphs.support import support_spec

    deps = deps or GraphDeps()
    gate = deps.policy.gate_policy("notify", "review")
    return GraphRegistry(
        [
            notify_spec(gate, deps.policy),
            research_spec(deps),
            drafting_spec(deps),
            outreach_spec(deps),
            support_spec(deps),
        ]
    )
