"""Graph factories named in ``langgraph.json``: compiled without a checkpointer, as LangGraph tooling requires."""

from __future__ import annotations

from typing import Any

from langgraph.graph.state import CompiledStateGraph

from humangate.graphs.example import build_notify_graph

__all__ = ["make_notify_graph"]


def make_notify_graph() -> CompiledStateGraph[Any, Any, Any, Any]:
    """Return the ``notify`` graph for LangGraph's server and studio (they supply the checkpointer)."""
    return build_notify_graph().compile()
