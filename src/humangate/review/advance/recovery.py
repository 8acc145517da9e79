"""Recovery after a crash: rebuild queue rows and run status from the checkpoints, finish what was cut short.

``reconcile`` is safe to run at any time and from any process: each open run is taken under its lock
(a run a live worker holds is left to it), started again when a crash came before its first checkpoint,
or brought up to date with its recorded decisions; memory catches up with decisions it has not stored;
effects a crash left unsent go out again under their own keys; items whose stored request cannot be read
are quarantined.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langchain_core.runnables import RunnableConfig
from langgraph.pregel import Pregel
from sqlalchemy import select

from humangate.checkpoints.database import Database
from humangate.checkpoints.schema import review_items, runs
from humangate.errors import RunFailedError
from humangate.graphs.registry import GraphRegistry, GraphSpec
from humangate.memory.store import MemoryStore
from humangate.review.advance.effects import EffectsReport
from humangate.review.advance.runs import RunInfo, RunLock
from humangate.review.queue import CorruptItemError, ReviewItem

__all__ = ["ReconcileReport", "RecoveryMixin"]


@dataclass
class ReconcileReport:
    """What ``reconcile`` found and repaired."""

    runs_checked: int = 0
    restarted: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    decisions_applied: int = 0
    failed: list[str] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)
    memory_stored: int = 0  # queued decisions memory stored as corrections
    memory_waiting: int = 0  # queued decisions memory could not store yet (their error is logged)
    quarantined: list[int] = field(default_factory=list)  # items whose stored request cannot be read
    effects: EffectsReport = field(default_factory=EffectsReport)  # effects sent, retried or returned to a gate


class RecoveryMixin:
    """Repair what a crash left: runs, queue rows, memory and effects."""

    db: Database
    clock: Callable[[], float]
    registry: GraphRegistry
    memory: MemoryStore
    lock: RunLock

    if TYPE_CHECKING:  # the Orchestrator's other parts: advancing, effects, quarantine

        def graph(self, name: str) -> Pregel[Any, Any, Any, Any]: ...

        def _config(self, run_id: str) -> RunnableConfig: ...

        def _advance(self, spec: GraphSpec, run_id: str, payload: Any, applied: Any = ()) -> RunInfo: ...

        def _apply_locked(self, run_id: str) -> tuple[int, RunInfo]: ...

        def deliver_effects(self, limit: int = 100) -> EffectsReport: ...

        def quarantine(self, item_id: int, problem: str) -> bool: ...

    def reconcile(self) -> ReconcileReport:
        """Rebuild queue rows and run status from the checkpoints, finish runs a crash cut short, catch memory up."""
        report = ReconcileReport()
        report.quarantined = self._quarantine_corrupt()
        with self.db.read() as conn:
            open_runs = conn.execute(
                select(runs.c.id, runs.c.graph, runs.c.inputs_json)
                .where(runs.c.status.in_(["queued", "running", "paused", "resuming"]))
                .order_by(runs.c.created_at)
            ).all()
        for row in open_runs:
            report.runs_checked += 1
            holder = self.lock.try_acquire(row.id)
            if holder is not None:
                report.busy.append(row.id)
                continue
            spec = self.registry.get(row.graph)
            snap = self.graph(spec.name).get_state(self._config(row.id))
            try:
                if snap.created_at is None:  # crashed before the first checkpoint: start again
                    model = spec.input_model.model_validate_json(row.inputs_json)
                    self._advance(spec, row.id, spec.to_state(model))
                    report.restarted.append(row.id)
                else:
                    if snap.tasks and not snap.interrupts:
                        report.resumed.append(row.id)
                    report.decisions_applied += self._apply_locked(row.id)[0]
            except RunFailedError:
                report.failed.append(row.id)
        caught = self.memory.catch_up()
        report.memory_stored, report.memory_waiting = caught.stored, caught.failed
        # Sends a crash left unfinished (and retries that are due) go out again under their own keys.
        report.effects = self.deliver_effects()
        return report

    def _quarantine_corrupt(self) -> list[int]:
        """Quarantine pending items whose request cannot be read; return every quarantined item's id."""
        with self.db.read() as conn:
            rows = conn.execute(select(review_items).where(review_items.c.status == "pending")).all()
        for row in rows:
            item = ReviewItem.from_row(row)
            try:
                item.request  # noqa: B018
            except CorruptItemError as exc:
                self.quarantine(item.id, exc.problem)
        with self.db.read() as conn:
            stmt = select(review_items.c.id).where(review_items.c.status == "quarantined").order_by(review_items.c.id)
            return [int(i) for i in conn.execute(stmt).scalars()]
