"""Tasks: batches of runs a person started together, submitted at once, watched and cancelled as one.

``submit`` records many runs in one transaction and enqueues their start jobs in one batch, which is what
lets ``humangate run`` put 1,000 items in front of the workers in a second or two. A task's progress is
read from its runs' status: done, waiting for review, failed, cancelled, and what is still to run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from humangate.checkpoints.database import Database
from humangate.checkpoints.schema import runs, tasks
from humangate.errors import InvalidInputError, UnknownRunError
from humangate.graphs.common import GraphDeps
from humangate.oversight.audit import append_event
from humangate.review.advance.jobs import BUSY, JobQueue, RunRequest, start_job

if TYPE_CHECKING:
    from humangate.config import Settings
    from humangate.graphs.registry import GraphRegistry

__all__ = ["TaskInfo", "TaskProgress", "TasksMixin"]


@dataclass(frozen=True)
class TaskProgress:
    """How a task's runs stand: counts per outcome, and how many a worker still owes."""

    total: int
    queued: int = 0
    running: int = 0
    resuming: int = 0
    waiting: int = 0  # paused for review
    done: int = 0  # completed
    failed: int = 0
    cancelled: int = 0

    @property
    def settled(self) -> int:
        """Return how many runs reached an outcome for now: done, waiting, failed or cancelled."""
        return self.waiting + self.done + self.failed + self.cancelled

    def line(self) -> str:
        """Return the progress as one line: what is done, waiting, failed, cancelled and still to run."""
        parts = [f"{self.done} done", f"{self.waiting} waiting for review", f"{self.failed} failed"]
        if self.cancelled:
            parts.append(f"{self.cancelled} cancelled")
        owed = self.queued + self.running + self.resuming
        if owed:
            parts.append(f"{owed} to run ({self.running + self.resuming} running)")
        return ", ".join(parts)

    @property
    def finished(self) -> bool:
        """Return True when no run of the task is still owed a job."""
        return self.queued + self.running + self.resuming == 0


@dataclass(frozen=True)
class TaskInfo:
    """A task as the tasks table knows it, with its runs' progress."""

    id: str
    text: str
    graph: str
    started_by: str | None
    created_at: float
    cancelled_at: float | None
    progress: TaskProgress


class TasksMixin:
    """Record, submit, list, watch and cancel tasks."""

    db: Database
    settings: Settings
    registry: GraphRegistry
    clock: Callable[[], float]
    runtime: JobQueue | None
    deps: GraphDeps

    if TYPE_CHECKING:

        def _validated(self, graph: str, inputs: Any) -> tuple[Any, Any]: ...

        def _cancel_runs(self, run_ids: Sequence[str], actor: str) -> None: ...

    def record_task(self, task_id: str, text: str, graph: str, *, total: int, started_by: str | None) -> bool:
        """Record a task once; return False when a task with this id exists already (a re-run of it)."""
        try:
            with self.db.write() as conn:
                conn.execute(
                    insert(tasks).values(
                        id=task_id,
                        text=text[:20_000],
                        graph=graph,
                        started_by=started_by,
                        total=total,
                        created_at=self.clock(),
                    )
                )
                append_event(conn, actor=started_by or "system", kind="task.started", payload={"task": task_id})
        except IntegrityError:
            return False
        return True

    def submit(
        self, requests: Sequence[RunRequest], *, started_by: str | None = None, task_id: str | None = None
    ) -> list[str]:
        """Record runs as queued in one transaction and enqueue their start jobs; return their ids.

        Needs a job runtime. Validates every input first, so a bad item starts nothing.
        """
        if self.runtime is None:
            raise InvalidInputError("submit needs a job runtime; call start for each run instead.")
        rows = []
        now = self.clock()
        for req in requests:
            spec, model = self._validated(req.graph, req.inputs)
            rows.append(
                {
                    "id": req.run_id,
                    "graph": req.graph,
                    "title": spec.title(model)[:500],
                    "status": "queued",
                    "started_by": started_by,
                    "inputs_json": model.model_dump_json(),
                    "created_at": now,
                    "updated_at": now,
                    "engine": self.deps.engine[:300],  # what serves its agents, shown beside its outcome
                    "task_id": task_id,
                }
            )
        with self.db.write() as conn:
            if rows:
                conn.execute(insert(runs), rows)
            for row in rows:
                payload = {"graph": row["graph"]} | ({"task": task_id} if task_id else {})
                append_event(
                    conn, actor=started_by or "system", kind="run.started", run_id=row["id"], at=now, payload=payload
                )
        self.runtime.enqueue([start_job(row["id"]) for row in rows])
        return [row["id"] for row in rows]

    def task(self, task_id: str) -> TaskInfo:
        """Return one task with its progress, or raise ``UnknownRunError`` naming it."""
        found = self.tasks(ids=[task_id])
        if not found:
            raise UnknownRunError(task_id)
        return found[0]

    def tasks(self, *, limit: int = 20, ids: Sequence[str] | None = None) -> list[TaskInfo]:
        """Return the newest tasks (or those in ``ids``), each with its runs' progress."""
        with self.db.read() as conn:
            stmt = select(tasks).order_by(tasks.c.created_at.desc()).limit(limit)
            if ids is not None:
                stmt = select(tasks).where(tasks.c.id.in_(list(ids)))
            rows = conn.execute(stmt).all()
            counts: dict[str, dict[str, int]] = {}
            if rows:
                stmt2 = (
                    select(runs.c.task_id, runs.c.status, func.count())
                    .where(runs.c.task_id.in_([r.id for r in rows]))
                    .group_by(runs.c.task_id, runs.c.status)
                )
                for task_id, status, n in conn.execute(stmt2):
                    counts.setdefault(task_id, {})[status] = int(n)
        return [
            TaskInfo(
                id=r.id,
                text=r.text,
                graph=r.graph,
                started_by=r.started_by,
                created_at=r.created_at,
                cancelled_at=r.cancelled_at,
                progress=_progress(r.total, counts.get(r.id, {})),
            )
            for r in rows
        ]

    def task_progress(self, task_id: str) -> TaskProgress:
        """Return how the task's runs stand now."""
        return self.task(task_id).progress

    def wait_task(
        self, task_id: str, *, timeout: float | None = None, tick: Callable[[TaskProgress], None] | None = None
    ) -> TaskProgress:
        """Wait until no run of the task is owed a job, calling ``tick`` with each reading; return the last."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            progress = self.task_progress(task_id)
            if tick is not None:
                tick(progress)
            if progress.finished or (deadline is not None and time.monotonic() >= deadline):
                return progress
            time.sleep(0.2)

    def cancel_task(self, task_id: str, actor: str) -> TaskProgress:
        """Cancel every open run of a task: queued and paused runs at once, running ones at their next stop."""
        self.task(task_id)
        with self.db.write() as conn:
            conn.execute(
                update(tasks)
                .where(tasks.c.id == task_id, tasks.c.cancelled_at.is_(None))
                .values(cancelled_at=self.clock(), cancelled_by=actor)
            )
            append_event(conn, actor=actor, kind="task.cancelled", payload={"task": task_id})
            open_ids = list(
                conn.execute(
                    select(runs.c.id).where(runs.c.task_id == task_id, runs.c.status.in_([*BUSY, "paused"]))
                ).scalars()
            )
        self._cancel_runs(open_ids, actor)
        return self.task_progress(task_id)


def _progress(total: int, by_status: dict[str, int]) -> TaskProgress:
    return TaskProgress(
        total=max(total, sum(by_status.values())),
        queued=by_status.get("queued", 0),
        running=by_status.get("running", 0),
        resuming=by_status.get("resuming", 0),
        waiting=by_status.get("paused", 0),
        done=by_status.get("completed", 0),
        failed=by_status.get("failed", 0),
        cancelled=by_status.get("cancelled", 0),
    )
