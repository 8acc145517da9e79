"""One gated step, the shape every graph repeats: an agent proposes, an assessment says who must look, a gate.

``add_gated_step`` adds the three nodes and the two edges between them. What comes after the gate is the
gate's own routing (approve and edit go on to ``gate.next``, reject to ``gate.on_reject``, redirect back to
the agent with the reviewer's instructions), so a graph adds only its entry edge and what follows ``next``.
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import StateGraph

from humangate.graphs.gate import ReviewGate

__all__ = ["add_gated_step"]


def add_gated_step(
    builder: StateGraph[Any, Any, Any, Any],
    agent: tuple[str, Any],
    assess: tuple[str, Any],
    gate: ReviewGate,
) -> str:
    """Add ``agent -> assess -> gate`` to ``builder``; return the agent's node name, the step's entry.

    ``agent`` and ``assess`` are ``(name, node)`` pairs. The assessment node must write the gate's
    ``assessment_key`` and the agent its ``proposal_key``. A gate that redirects must redirect to this
    step's agent: a redirect elsewhere would let the reviewer's instructions skip the assessment.
    """
    (agent_name, agent_node), (assess_name, assess_node) = agent, assess
    if gate.redirect_to not in (None, agent_name):
        raise ValueError(
            f"Gate {gate.name!r} redirects to {gate.redirect_to!r}, not to its step's agent {agent_name!r}."
        )
    builder.add_node(agent_name, agent_node)
    builder.add_node(assess_name, assess_node)
    builder.add_node(gate.name, gate, destinations=gate.destinations)
    builder.add_edge(agent_name, assess_name)
    builder.add_edge(assess_name, gate.name)
    return agent_name
