"""One gated step, the shape every graph repeats: an agent proposes, an assessment says who must look, a gate.

``add_gated_step`` adds the three nodes and the two edges between them. What comes after the gate is the
gate's own routing (approve and edit go on to ``gate.next``, reject to ``gate.on_reject``, redirect back to
the agent with the reviewer's instructions), so a graph adds only its entry edge and what follows ``next``.
It also ties the assessment to the proposal it read (``graphs.assessed``): the assessment node must write
one every time, and the gate passes nothing unreviewed that changed after it was assessed.
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import StateGraph

from humangate.graphs.assessed import bind_assessment
from humangate.graphs.gate import GateState, ReviewGate

__all__ = ["add_gated_step"]


def add_gated_step(
    builder: StateGraph[Any, Any, Any, Any],
    agent: tuple[str, Any],
    assess: tuple[str, Any],
    gate: ReviewGate,
) -> str:
    """Add ``agent -> assess -> gate`` to ``builder``; return the agent's node name, the step's entry.

    ``agent`` and ``assess`` are ``(name, node)`` pairs. The assessment node must write the gate's
    ``assessment_key`` every time it runs (the run stops with an error naming it otherwise) and the agent
    its ``proposal_key``. A gate that redirects must redirect to this step's agent: a redirect elsewhere
    would let the reviewer's instructions skip the assessment.
    """
    (agent_name, agent_node), (assess_name, assess_node) = agent, assess
    if gate.redirect_to not in (None, agent_name):
        raise ValueError(
            f"Gate {gate.name!r} redirects to {gate.redirect_to!r}, not to its step's agent {agent_name!r}."
        )
    for role, node in (("agent", agent_name), ("assessment", assess_name)):
        if node in (gate.name, gate.next, gate.on_reject):
            raise ValueError(
                f"Gate {gate.name!r}'s {role} node is named {node!r}, which the gate itself routes to or is."
            )
    if agent_name == assess_name:
        raise ValueError(f"The agent and the assessment of gate {gate.name!r} are both named {agent_name!r}.")
    if gate.assessed_by not in (None, assess_name):
        raise ValueError(
            f"Gate {gate.name!r} is already in a step assessed by {gate.assessed_by!r}; build one gate per step."
        )
    missing = [k for k in GateState.__annotations__ if k not in getattr(builder, "channels", {})]
    if missing:  # LangGraph drops writes to keys the state lacks: the gate's records would vanish
        raise ValueError(
            f"The graph's state has no {', '.join(missing)} channel: mix GateState into it "
            f"(class State(GateState, total=False): ...) so gate {gate.name!r} can record what it did."
        )
    gate.assessed_by = assess_name
    bound = bind_assessment(
        assess_node,
        gate=gate.name,
        name=assess_name,
        proposal_key=gate.proposal_key,
        assessment_key=gate.assessment_key,
    )
    builder.add_node(agent_name, agent_node)
    builder.add_node(assess_name, bound)
    builder.add_node(gate.name, gate, destinations=gate.destinations)
    builder.add_edge(agent_name, assess_name)
    builder.add_edge(assess_name, gate.name)
    return agent_name
