"""Graph factories named in ``langgraph.json``: compiled without a checkpointer, as LangGraph tooling requires.

They use the offline engine and the default risk policy; LangGraph's server supplies the checkpointer.
"""

from __future__ import annotations

from typing import Any

from langgraph.graph.state import CompiledStateGraph

from humangate.graphs.drafting import build_drafting_graph
from humangate.graphs.example import build_notify_graph
from humangate.graphs.outreach import build_outreach_graph
from humangate.graphs.research import build_research_graph
from humangate.graphs.support import build_support_graph

__all__ = [
    "make_drafting_graph",
    "make_notify_graph",
    "make_outreach_graph",
    "make_research_graph",
    "make_support_graph",
]

Compiled = CompiledStateGraph[Any, Any, Any, Any]


def make_notify_graph() -> Compiled:
    """Return the ``notify`` graph."""
    return build_notify_graph().compile()


def make_research_graph() -> Compiled:
    """Return the ``research`` graph."""
    return build_research_graph().compile()


def make_drafting_graph() -> Compiled:
    """Return the ``drafting`` graph."""
    return build_drafting_graph().compile()


def make_outreach_graph() -> Compiled:
    """Return the ``outreach`` graph."""
    return build_outreach_graph().compile()


def make_support_graph() -> Compiled:
    """Return the ``support`` graph."""
    return build_support_graph().compile()
