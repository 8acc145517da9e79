"""The Orchestrator's run-advancing machinery: invoke a run's graph, then sync its queue, status and decisions.

Every write that moves a run ends here: ``_advance`` invokes the graph under the run lock, ``_sync`` writes
the open interrupts into the queue, logs gate events, sets the run's status, marks the decisions it
resumed with as applied and releases the lock; ``_apply_locked`` resumes a run from its checkpoint with
the recorded decisions it has not applied yet (after a crash, a busy lock, or the SLA).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NamedTuple

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.pregel import Pregel
from langgraph.types import Command, GraphOutput, Interrupt
from sqlalchemy import Connection, bindparam, func, select, update

from humangate.checkpoints.async_saver import ThreadedSaver
from humangate.checkpoints.database import Database
from humangate.checkpoints.fast import Fast
from humangate.checkpoints.schema import decisions, runs
from humangate.core.contract import RiskAssessment
from humangate.effects import Outbox
from humangate.errors import RunFailedError
from humangate.graphs.context import RunContext
from humangate.graphs.gate import GATE_EVENTS_KEY
from humangate.graphs.registry import GraphRegistry, GraphSpec
from humangate.memory.recall import Recall
from humangate.oversight.audit import append_event
from humangate.review.advance.runs import RunInfo, RunLock, load_run
from humangate.review.queue import Queued, log_assessment, sync_interrupts
from humangate.risk.combine import is_sampled

__all__ = ["AdvancingMixin", "Unapplied", "unapplied"]

# Built once and run on the DB-API cursor (see ``Fast``): these run on every start and decision.
_SET_RUN_STATUS = Fast(
    update(runs)
    .where(runs.c.id == bindparam("run_id"))
    .values(
        status=bindparam("new_status"),
        outcome=func.coalesce(bindparam("new_outcome"), runs.c.outcome),  # set once, when the run completes
        updated_at=bindparam("now"),
        lock_owner=None,
        lock_expires_at=None,
    )
)
# One decision at a time: an expanding IN cannot be prebuilt for the cursor, and a resume applies one or a few.
_MARK_APPLIED = Fast(
    update(decisions)
    .where(decisions.c.id == bindparam("decision_id"), decisions.c.applied_at.is_(None))
    .values(applied_at=bindparam("now"))
)
_UNAPPLIED = Fast(
    select(decisions.c.id, decisions.c.interrupt_id, decisions.c.decision_json)
    .where(decisions.c.run_id == bindparam("run_id"), decisions.c.applied_at.is_(None))
    .order_by(decisions.c.id)
)


class Unapplied(NamedTuple):
    """A recorded decision the run has not resumed with yet."""

    id: int
    interrupt_id: str
    decision_json: str


def unapplied(conn: Connection, run_id: str) -> list[Unapplied]:
    """Return the run's recorded decisions it has not resumed with yet, oldest first."""
    return [Unapplied(*row) for row in _UNAPPLIED.all(conn, {"run_id": run_id})]


def _set_applied(conn: Connection, decision_ids: Sequence[int], now: float) -> None:
    for decision_id in decision_ids:
        _MARK_APPLIED.execute(conn, {"decision_id": decision_id, "now": now})


@dataclass(frozen=True)
class _Outcome:
    """Where an invoke left a run: its open interrupts, its gate events, whether tasks are still owed."""

    interrupts: Sequence[Interrupt]
    events: list[dict[str, Any]]
    tasks_left: bool


class AdvancingMixin:
    """Compile graphs, invoke runs under their lock and sync what they left into the queue and run rows."""

    db: Database
    clock: Callable[[], float]
    registry: GraphRegistry
    saver: BaseCheckpointSaver[str]
    outbox: Outbox
    recall: Recall | None
    lock: RunLock
    runtime: Any  # a JobQueue when runs go to workers (``advance.jobs``), else None
    _compiled: dict[str, Pregel[Any, Any, Any, Any]]
    _acompiled: dict[str, Pregel[Any, Any, Any, Any]]
    _async_only: dict[str, bool]

    if TYPE_CHECKING:  # the Orchestrator announces new items and audits sampled passes (``_oversight``)

        def _queued(self, conn: Any, new: Queued, now: float) -> None: ...

        def _audit_passed(self, conn: Any, spec: GraphSpec, run_id: str, event: Any, now: float) -> None: ...

    def graph(self, name: str) -> Pregel[Any, Any, Any, Any]:
        """Return the named graph compiled with this Orchestrator's checkpointer."""
        if name not in self._compiled:
            self._compiled[name] = self.registry.get(name).build().compile(checkpointer=self.saver)
        return self._compiled[name]

    def agraph(self, name: str) -> Pregel[Any, Any, Any, Any]:
        """Return the named graph compiled for ``ainvoke`` (its checkpointer answers async calls in threads)."""
        if name not in self._acompiled:
            saver = ThreadedSaver(self.saver)
            self._acompiled[name] = self.registry.get(name).build().compile(checkpointer=saver)
        return self._acompiled[name]

    def is_async(self, name: str) -> bool:
        """Return True when a node of the named graph is async only (``invoke`` cannot run it)."""
        if name not in self._async_only:
            self._async_only[name] = any(_async_only(node.bound) for node in self.graph(name).nodes.values())
        return self._async_only[name]

    def _config(self, run_id: str) -> RunnableConfig:
        return {"configurable": {"thread_id": run_id}}

    def _context(self, spec: GraphSpec, run_id: str) -> RunContext:
        return RunContext(run_id=run_id, graph=spec.name, outbox=self.outbox, memory=self.recall)

    def _advance(self, spec: GraphSpec, run_id: str, payload: Any, applied: Sequence[int] = ()) -> RunInfo:
        """Invoke the graph (the caller holds the run lock), then sync the queue and release the lock."""
        config, context = self._config(run_id), self._context(spec, run_id)
        try:
            if self.is_async(spec.name):  # async nodes: run the graph on a loop of its own, then carry on here
                out = _run_coroutine(self.agraph(spec.name).ainvoke(payload, config, context=context, version="v2"))
            else:
                out = self.graph(spec.name).invoke(payload, config, context=context, version="v2")
        except Exception as exc:
            self._fail_run(run_id, exc)
            raise RunFailedError(run_id, exc) from exc
        return self._sync(spec, run_id, applied, self._outcome_of(spec, out))

    async def _aadvance(self, spec: GraphSpec, run_id: str, payload: Any, applied: Sequence[int] = ()) -> RunInfo:
        """``_advance`` on the caller's event loop: async nodes await, sync nodes and the database run in threads."""
        try:
            out = await self.agraph(spec.name).ainvoke(
                payload, self._config(run_id), context=self._context(spec, run_id), version="v2"
            )
        except Exception as exc:
            await asyncio.to_thread(self._fail_run, run_id, exc)
            raise RunFailedError(run_id, exc) from exc
        return await asyncio.to_thread(self._sync, spec, run_id, applied, self._outcome_of(spec, out))

    def _fail_run(self, run_id: str, exc: Exception) -> None:
        """Mark the run failed with ``exc`` and release its lock."""
        with self.db.write() as conn:
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(status="failed", error=f"{type(exc).__name__}: {exc}"[:4000], updated_at=self.clock())
            )
            append_event(
                conn,
                actor="system",
                kind="run.failed",
                run_id=run_id,
                payload={"error": f"{type(exc).__name__}: {exc}"[:1000]},
            )
            self.lock.release(conn, run_id)

    def _outcome_of(self, spec: GraphSpec, out: Any) -> _Outcome | None:
        """Read open interrupts and gate events from what ``invoke`` returned, saving a ``get_state``.

        ``invoke`` returns the final state values and every interrupt raised in its last step (siblings
        re-raise theirs when one of them is resumed). None sends ``_sync`` to the checkpoint instead when
        that is not the whole story (a custom output schema without the gate events) or not in a stable
        order: parallel interrupts arrive as their threads finish, the checkpoint lists them in task
        order, and the queue numbers sibling items in that order.
        """
        channels = self.graph(spec.name).output_channels
        if not isinstance(out, GraphOutput) or not isinstance(out.value, dict) or isinstance(channels, str):
            return None
        if GATE_EVENTS_KEY not in channels or len(out.interrupts) > 1:
            return None
        return _Outcome(out.interrupts, out.value.get(GATE_EVENTS_KEY) or [], bool(out.interrupts))

    def _sync(
        self, spec: GraphSpec, run_id: str, applied: Sequence[int] = (), outcome: _Outcome | None = None
    ) -> RunInfo:
        """Write open interrupts into the queue, the run's status, applied decisions; release the lock."""
        if outcome is None:
            snap = self.graph(spec.name).get_state(self._config(run_id))
            values = snap.values if isinstance(snap.values, dict) else {}
            # snap.tasks, not snap.next: after a crash the newest saved checkpoint can have next == ()
            # while its tasks are still owed; only an empty task list is a finished run.
            outcome = _Outcome(snap.interrupts, values.get(GATE_EVENTS_KEY, []), bool(snap.tasks))
        events = outcome.events
        now = self.clock()
        with self.db.write() as conn:
            if applied:
                _set_applied(conn, applied, now)
            synced = sync_interrupts(conn, run_id=run_id, interrupts=outcome.interrupts, actor="system", now=now)
            for queued in synced.new:
                self._queued(conn, queued, now)
            for e in events:
                if e["outcome"] == "passed":
                    fresh = log_assessment(
                        conn,
                        event_id=e["id"],
                        run_id=run_id,
                        graph=spec.name,
                        node=e["node"],
                        assessment=e["assessment"],
                        at=now,  # the Orchestrator's clock, not the node's: metrics compare it with decisions
                    )
                    if fresh and "proposal" in e and is_sampled(RiskAssessment.model_validate(e["assessment"])):
                        self._audit_passed(conn, spec, run_id, e, now)
            status = "paused" if outcome.interrupts else ("running" if outcome.tasks_left else "completed")
            if status == "paused" and self.runtime is not None and unapplied(conn, run_id):
                status = "resuming"  # a decision came in while this job ran: its own job is queued
            before = load_run(conn, run_id, pending=synced.pending)
            outcome_word = _outcome(events) if status == "completed" else None
            _SET_RUN_STATUS.execute(
                conn, {"run_id": run_id, "new_status": status, "new_outcome": outcome_word, "now": now}
            )
            if status != before.status:
                append_event(
                    conn,
                    actor="system",
                    kind=f"run.{status}",
                    run_id=run_id,
                    at=now,
                    payload={"outcome": outcome_word} if status == "completed" else {},
                )
            # What _SET_RUN_STATUS wrote, without reading the row again.
            return replace(before, status=status, outcome=outcome_word or before.outcome, updated_at=now)

    def _apply_locked(self, run_id: str) -> tuple[int, RunInfo]:
        spec, payload, applied = self._resume_plan(run_id)
        if payload is _SYNC_ONLY:
            return 0, self._sync(spec, run_id)
        return len(applied), self._advance(spec, run_id, payload, applied)

    async def _aapply_locked(self, run_id: str, *, fresh: bool = False) -> tuple[int, RunInfo]:
        """``_apply_locked`` on the caller's event loop; ``fresh`` says the run never started (no checkpoint)."""
        spec, payload, applied = await asyncio.to_thread(self._resume_plan, run_id, fresh=fresh)
        if payload is _SYNC_ONLY:
            return 0, await asyncio.to_thread(self._sync, spec, run_id)
        return len(applied), await self._aadvance(spec, run_id, payload, applied)

    def _resume_plan(self, run_id: str, *, fresh: bool = False) -> tuple[GraphSpec, Any, list[int]]:
        """Say how to bring a locked run up to date: what to invoke it with, and which decisions that applies.

        The payload is a resume batch of the recorded decisions whose interrupts are open, None to carry on
        after a crash stopped the run between or inside nodes, its inputs when it never started, or
        ``_SYNC_ONLY`` when there is nothing to run and only the queue and status need writing.
        """
        with self.db.read() as conn:
            graph_name, inputs_json = conn.execute(
                select(runs.c.graph, runs.c.inputs_json).where(runs.c.id == run_id)
            ).one()
            rows = unapplied(conn, run_id)
        spec = self.registry.get(graph_name)
        if fresh:
            return spec, spec.to_state(spec.input_model.model_validate_json(inputs_json)), []
        snap = self.graph(spec.name).get_state(self._config(run_id))
        if snap.created_at is None:  # queued, or a crash came before the first checkpoint: start it
            return spec, spec.to_state(spec.input_model.model_validate_json(inputs_json)), []
        open_ids = {i.id for i in snap.interrupts}
        batch = {r.interrupt_id: json.loads(r.decision_json) for r in rows if r.interrupt_id in open_ids}
        # A decision whose interrupt is already closed was consumed before a crash cut the bookkeeping.
        self._mark_applied([r.id for r in rows if r.interrupt_id not in open_ids])
        if batch:
            return spec, Command(resume=batch), [r.id for r in rows if r.interrupt_id in open_ids]
        if snap.tasks and not snap.interrupts:  # a crash stopped the run between or inside nodes: carry on
            return spec, None, []
        return spec, _SYNC_ONLY, []

    def _mark_applied(self, decision_ids: list[int]) -> None:
        if decision_ids:
            with self.db.write() as conn:
                _set_applied(conn, decision_ids, self.clock())


_SYNC_ONLY = object()  # _resume_plan: nothing to invoke


def _async_only(runnable: Any) -> bool:
    """Return True for a node whose callable has an async body and no sync one."""
    return getattr(runnable, "afunc", None) is not None and getattr(runnable, "func", "sync") is None


def _run_coroutine(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run ``coro`` to its end from sync code, on a thread of its own when this thread already runs a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    result: list[Any] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coro))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target, name="humangate-async-run")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


def _outcome(events: list[dict[str, Any]]) -> str:
    decided = [e["outcome"] for e in events if e["outcome"] != "passed"]
    if decided and decided[-1] == "reject":
        return "rejected"
    return "approved" if decided else "passed"
