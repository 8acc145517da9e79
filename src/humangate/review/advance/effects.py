"""The Orchestrator's effects: deliver what is due, and put an item whose effect failed for good back at its gate.

A node sends its effect once in its own step (``graphs.common.deliver_or_hold``); retries happen here,
out of any run: ``deliver_effects`` sends the due rows of the outbox (retries, and sends a crash left
unfinished), then takes every item whose effect failed for good back to the gate it passed, with a
trigger that says why, as the send node itself does when its own attempt fails. The run goes from
``completed`` back to ``paused``, and a person decides again: fix the address, reject, or approve to
try once more under a new key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.runnables import RunnableConfig
from langgraph.pregel import Pregel
from langgraph.types import Command
from sqlalchemy import select

from humangate.checkpoints.database import Database
from humangate.checkpoints.schema import runs
from humangate.effects import Outbox, OutboxEntry, effect_key
from humangate.graphs.common import attempt_of, failed_delivery_trigger, held_assessment
from humangate.graphs.registry import GraphRegistry, GraphSpec
from humangate.oversight.audit import append_event
from humangate.review.advance.runs import RunInfo, RunLock

__all__ = ["EffectsMixin", "EffectsReport"]

_log = logging.getLogger("humangate.effects")
Returned = Literal["returned", "busy", "settled"]


@dataclass(frozen=True)
class EffectsReport:
    """What ``deliver_effects`` did: effects claimed and how each ended, and runs sent back to a person."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    returned: tuple[str, ...] = ()  # runs whose item went back to its gate
    busy: tuple[str, ...] = ()  # runs another worker held: returned on a later pass


class EffectsMixin:
    """Deliver due effects and return the items of failed ones to their gates."""

    db: Database
    outbox: Outbox
    lock: RunLock
    registry: GraphRegistry
    clock: Callable[[], float]

    if TYPE_CHECKING:  # the Orchestrator compiles graphs and advances runs (``advance.advancing``)

        def graph(self, name: str) -> Pregel[Any, Any, Any, Any]: ...

        def _config(self, run_id: str) -> RunnableConfig: ...

        def _advance(self, spec: GraphSpec, run_id: str, payload: Any, applied: Any = ()) -> RunInfo: ...

    def deliver_effects(self, limit: int = 100) -> EffectsReport:
        """Send due effects once; put the item of every effect that failed for good back in front of a person."""
        sent = self.outbox.deliver_due(limit)
        returned: list[str] = []
        busy: list[str] = []
        for entry in self.outbox.to_hold(limit):
            try:
                outcome = self._return_to_gate(entry)
            except Exception:  # one run that cannot be resumed must not stop the others; the next pass retries
                _log.exception("Could not return run %s to its gate after its effect failed.", entry.run_id)
                continue
            if outcome == "returned":
                returned.append(entry.run_id)
            elif outcome == "busy":
                busy.append(entry.run_id)
        return EffectsReport(sent.claimed, sent.sent, sent.retrying, sent.failed, tuple(returned), tuple(busy))

    def _return_to_gate(self, entry: OutboxEntry) -> Returned:
        """Route the run back to the gate of a failed effect, unless it already moved on; say which happened."""
        assert entry.gate is not None and entry.hold_key is not None  # ``to_hold`` lists only these
        if self.lock.try_acquire(entry.run_id) is not None:
            return "busy"
        try:
            with self.db.read() as conn:
                graph_name = conn.execute(select(runs.c.graph).where(runs.c.id == entry.run_id)).scalar_one()
            spec = self.registry.get(graph_name)
            graph, config = self.graph(spec.name), self._config(entry.run_id)
            snap = graph.get_state(config)
            values: dict[str, Any] = snap.values if isinstance(snap.values, dict) else {}
            # The failed effect is the run's last word only while the gate has let that same attempt through.
            current = effect_key(entry.run_id, entry.node, attempt_of(values, entry.gate)) == entry.key
            finished = not snap.tasks and not snap.interrupts
            routed = bool(snap.tasks) and tuple(snap.next) == (entry.gate,) and not snap.interrupts
            if current and (finished or routed):
                if finished:  # ``routed``: a crash came between this and the advance below
                    trigger = failed_delivery_trigger(entry.last_error or "the outbox gave up on it.")
                    update = {entry.hold_key: held_assessment(values, entry.hold_key, trigger)}
                    graph.update_state(config, Command(goto=entry.gate, update=update), as_node=entry.node)
                with self.db.write() as conn:
                    payload = {"key": entry.key, "kind": entry.kind, "error": (entry.last_error or "")[:1_000]}
                    append_event(conn, actor="system", kind="effect.failed", run_id=entry.run_id, payload=payload)
                self.outbox.mark_held(entry.key)
                self._advance(spec, entry.run_id, None)  # the gate pauses with the trigger; this releases the lock
                return "returned"
            self.outbox.mark_held(entry.key)  # already back with a person, or the run went on past this attempt
        except BaseException:
            self._release(entry.run_id)
            raise
        self._release(entry.run_id)
        return "settled"

    def _release(self, run_id: str) -> None:
        with self.db.write() as conn:
            self.lock.release(conn, run_id)
