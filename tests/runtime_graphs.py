"""A graph for runtime tests: two parallel gated branches (one async agent, one sync), then an async join.

Every node logs ``run pid start end`` to ``log`` (when given), so a test can check that two workers never
ran nodes of one run at the same time; ``hold`` (when given) keeps the join waiting until it is set, so a
test can see that ``decide`` returned before the resumed run finished.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel

from humangate import GraphRegistry, GraphSpec, review_gate
from humangate.core.contract import RiskAssessment
from humangate.graphs.registry import default_registry
from tests.graphs import Note, PairInput, PairState, _assessment

NODE_SECONDS = 0.02


def _log(log: Path | None, config: RunnableConfig, start: float) -> None:
    if log is not None:
        with log.open("a") as fh:  # one short line per write: appends from several processes do not interleave
            fh.write(f"{config['configurable']['thread_id']} {os.getpid()} {start:.6f} {time.time():.6f}\n")


def timed_registry(log: Path | None = None, hold: threading.Event | None = None) -> GraphRegistry:
    """Return the default graphs plus ``timed`` (see the module docstring)."""

    async def agent_a(state: PairState, config: RunnableConfig) -> dict[str, Any]:
        start = time.time()
        await asyncio.sleep(NODE_SECONDS)  # an async node: invoke alone could not run this graph
        _log(log, config, start)
        return {"a": {"text": f"a on {state['topic']}"}, "a_assessment": _assessment()}

    def agent_b(state: PairState, config: RunnableConfig) -> dict[str, Any]:
        start = time.time()
        time.sleep(NODE_SECONDS)
        _log(log, config, start)
        return {"b": {"text": f"b on {state['topic']}"}, "b_assessment": _assessment()}

    async def join(state: PairState, config: RunnableConfig) -> dict[str, Any]:
        start = time.time()
        if hold is not None:
            await asyncio.to_thread(hold.wait, 30)
        await asyncio.sleep(NODE_SECONDS)
        _log(log, config, start)
        return {"done": ["joined"]}

    gates = {
        name: review_gate(
            name=f"gate_{name}",
            graph="timed",
            proposal_model=Note,
            next="join",
            proposal_key=name,
            assessment_key=f"{name}_assessment",
            reassess=lambda s: RiskAssessment.model_validate(_assessment()),
        )
        for name in ("a", "b")
    }

    def build() -> StateGraph[Any, Any, Any, Any]:
        builder = StateGraph(PairState)
        builder.add_node("join", join, defer=True)
        builder.add_node("a", agent_a)
        builder.add_node("b", agent_b)
        for name, gate in gates.items():
            builder.add_node(gate.name, gate, destinations=gate.destinations)
            builder.add_edge(START, name)
            builder.add_edge(name, gate.name)
        builder.add_edge("join", END)
        return builder

    registry = default_registry()
    registry.register(
        GraphSpec.create(
            name="timed",
            description="two gated agents in parallel, one async, then an async join",
            build=build,
            input_model=PairInput,
            to_state=lambda inp: inp.model_dump(),
            title=lambda inp: f"timed {inp.topic}",  # type: ignore[attr-defined]
        )
    )
    return registry


def topic(i: int) -> BaseModel:
    """Return the input of the ``i``-th timed run."""
    return PairInput(topic=f"topic {i}")
