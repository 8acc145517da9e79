"""The Orchestrator's side of runs on workers: the job body, batch submission, waiting and cancelling.

A job names a run and nothing else it could apply twice: its body takes the run lock (waiting while a live
worker holds it) and brings the run up to date from what is recorded: it starts a run that has no
checkpoint, resumes it with the recorded decisions whose interrupts are still open, carries on a run a crash
stopped between nodes, or only rewrites its queue rows. Running a job twice, or after a crash, changes
nothing twice. The engine that carries jobs (``humangate.runtime``) is passed in as a ``JobQueue``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from sqlalchemy import Connection, bindparam, select, update

from humangate.checkpoints.database import Database
from humangate.checkpoints.fast import Fast
from humangate.checkpoints.schema import review_items, runs
from humangate.errors import InvalidInputError, RunFailedError
from humangate.oversight.audit import append_event
from humangate.review.advance.runs import RunInfo, RunLock, load_run

if TYPE_CHECKING:
    from humangate.config import Settings

__all__ = ["Job", "JobQueue", "JobsMixin", "RunRequest", "resume_job", "start_job"]

BUSY = ("queued", "running", "resuming")
# Run on the DB-API cursor (see ``Fast``): read after every job that leaves its run paused.
_CANCEL_ASKED = Fast(select(runs.c.cancel_requested_at).where(runs.c.id == bindparam("run_id")))
"""Run statuses that a job is still to move on."""
SETTLED = ("paused", "completed", "failed", "cancelled")
"""Run statuses no job is owed for: the run waits for a person, or is over."""


class Job(NamedTuple):
    """One job on the engine: its id (the dedupe key) and the run it brings up to date."""

    id: str
    run_id: str


def start_job(run_id: str) -> Job:
    """Return the job that starts ``run_id``."""
    return Job(f"start:{run_id}", run_id)


def resume_job(run_id: str, decision_id: int) -> Job:
    """Return the job that resumes ``run_id`` after decision ``decision_id`` (one per decision batch)."""
    return Job(f"resume:{run_id}:{decision_id}", run_id)


class JobQueue(Protocol):
    """What the Orchestrator needs from a job engine: enqueue jobs, each at most once by id."""

    def enqueue(self, jobs: Sequence[Job]) -> None:
        """Enqueue ``jobs``; an id already enqueued is not enqueued again."""


@dataclass(frozen=True)
class RunRequest:
    """One run to submit: its graph, its input, and its id (a stable key, or empty for a new id)."""

    graph: str
    inputs: Mapping[str, Any]
    run_id: str


class JobsMixin:
    """Run jobs, wait for runs, and cancel runs and tasks."""

    db: Database
    settings: Settings
    clock: Callable[[], float]
    lock: RunLock
    worker: str
    runtime: JobQueue | None

    if TYPE_CHECKING:

        async def _aapply_locked(self, run_id: str, *, fresh: bool = False) -> tuple[int, RunInfo]: ...

    # -- the job body --------------------------------------------------------------------------

    async def run_job(self, run_id: str) -> str:
        """Bring ``run_id`` up to date under its lock; return the run's status afterwards."""
        delay = 0.01
        while (taken := await asyncio.to_thread(self._take_for_job, run_id)) is None:
            await asyncio.sleep(delay)  # a live worker advances it; its lease ends if that worker dies
            delay = min(delay * 2, 0.5)
        if taken not in ("queued", "taken"):
            return taken
        try:  # a run taken while queued never started: no checkpoint to read first
            _, run = await self._aapply_locked(run_id, fresh=taken == "queued")
        except RunFailedError:
            return "failed"
        except BaseException:
            await asyncio.to_thread(self._release, run_id)
            raise
        if run.status == "paused":
            await asyncio.to_thread(self._cancel_if_asked, run_id)
        return run.status

    def _take_for_job(self, run_id: str) -> str | None:
        """Take the run's lock and mark it running; None while another worker holds it.

        Return ``queued`` (taken, never started), ``taken``, or why the job has nothing to do.
        """
        now = self.clock()
        with self.db.write() as conn:
            # FOR UPDATE: the status acted on must be the one the lock is taken on. Read plainly, on Postgres a
            # worker that finished the run between this read and the lock would leave this one acting on a status
            # that is gone: setting a completed run back to running, or holding a lock nothing releases.
            row = conn.execute(
                select(runs.c.status, runs.c.cancel_requested_at).where(runs.c.id == run_id).with_for_update()
            ).first()
            if row is None:
                return "unknown"
            if row.status in ("completed", "failed", "cancelled"):
                return str(row.status)  # over: a late duplicate of a job that already ran, nothing to do
            # A run asked to stop before a worker took it stops here, a start or a resume alike: the resume of an
            # approval recorded before the cancel would otherwise still send what the operator just cancelled.
            if row.status in ("queued", "resuming") and row.cancel_requested_at is not None:
                _cancel_rows(conn, [run_id], actor="system", now=now)
                return "cancelled"
            if self.lock.take(conn, run_id).holder is not None:
                return None
            if row.status in ("queued", "resuming"):
                conn.execute(update(runs).where(runs.c.id == run_id).values(status="running", updated_at=now))
        return "queued" if row.status == "queued" else "taken"

    def _release(self, run_id: str) -> None:
        with self.db.write() as conn:
            self.lock.release(conn, run_id)

    def _cancel_if_asked(self, run_id: str) -> None:
        # Read first: almost no run is asked to stop, and a write transaction on SQLite takes the one write
        # lock every job of the pool needs. A request that lands after this read finds the run paused and
        # unlocked, and cancelling it then is the canceller's own work (``_cancel_runs``).
        with self.db.read() as conn:
            if _CANCEL_ASKED.scalar(conn, {"run_id": run_id}) is None:
                return
        with self.db.write() as conn:
            row = conn.execute(
                select(runs.c.status, runs.c.cancel_requested_at, runs.c.lock_owner).where(runs.c.id == run_id)
            ).one()
            if row.cancel_requested_at is not None and row.status == "paused" and row.lock_owner is None:
                _cancel_rows(conn, [run_id], actor="system", now=self.clock())

    # -- waiting -------------------------------------------------------------------------------

    def wait_run(self, run_id: str, *, timeout: float | None = None) -> RunInfo:
        """Wait until no job is owed for the run (paused, completed, failed or cancelled); return it.

        Past ``timeout`` seconds the run is returned as it is then.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = 0.005
        while True:
            with self.db.read() as conn:
                run = load_run(conn, run_id)
            if run.status in SETTLED or (deadline is not None and time.monotonic() >= deadline):
                return run
            time.sleep(delay)
            delay = min(delay * 2, 0.1)

    # -- cancelling ----------------------------------------------------------------------------

    def cancel(self, run_id: str, actor: str) -> RunInfo:
        """Cancel a run: at once when it is queued or paused (its items leave the queue), else at its next stop.

        A completed, failed or cancelled run is refused with ``InvalidInputError``.
        """
        with self.db.write() as conn:
            run = load_run(conn, run_id)
            if run.status in ("completed", "failed", "cancelled"):
                raise InvalidInputError(f"Run {run_id} is {run.status}; only a queued, running or paused run can stop.")
            _cancel_open(conn, [run_id], actor=actor, now=self.clock())
            return load_run(conn, run_id)

    def _cancel_runs(self, run_ids: Sequence[str], actor: str) -> None:
        with self.db.write() as conn:
            _cancel_open(conn, run_ids, actor=actor, now=self.clock())


def _cancel_open(conn: Connection, run_ids: Sequence[str], *, actor: str, now: float) -> None:
    """Cancel the open runs among ``run_ids`` that no worker holds; flag the rest to cancel at their next stop."""
    for i in range(0, len(run_ids), 500):
        chunk = list(run_ids[i : i + 500])
        rows = conn.execute(
            select(runs.c.id, runs.c.status, runs.c.lock_owner, runs.c.lock_expires_at).where(
                runs.c.id.in_(chunk), runs.c.status.in_([*BUSY, "paused"])
            )
        ).all()
        free = [
            r.id for r in rows if r.status in ("queued", "paused") and not _held(r.lock_owner, r.lock_expires_at, now)
        ]
        _cancel_rows(conn, free, actor=actor, now=now)
        busy = [r.id for r in rows if r.id not in set(free)]
        if busy:
            conn.execute(update(runs).where(runs.c.id.in_(busy)).values(cancel_requested_at=now))


def _held(owner: str | None, expires: float | None, now: float) -> bool:
    return owner is not None and (expires or 0) > now


def _cancel_rows(conn: Connection, run_ids: Sequence[str], *, actor: str, now: float) -> None:
    """Mark runs cancelled and withdraw their pending items from the review queue."""
    if not run_ids:
        return
    ids = list(run_ids)
    conn.execute(
        update(review_items)
        .where(review_items.c.run_id.in_(ids), review_items.c.status == "pending")
        .values(status="cancelled", decided_at=now, version=review_items.c.version + 1)
    )
    conn.execute(
        update(runs)
        .where(runs.c.id.in_(ids))
        .values(status="cancelled", outcome="cancelled", updated_at=now, lock_owner=None, lock_expires_at=None)
    )
    for run_id in ids:
        append_event(conn, actor=actor, kind="run.cancelled", run_id=run_id, at=now)
