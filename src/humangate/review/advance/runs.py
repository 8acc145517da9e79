"""Run rows: status, the per-run lock that serialises advancing a run, and run summaries."""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from humangate.checkpoints.database import Database
from humangate.checkpoints.fast import Fast
from humangate.checkpoints.schema import review_items, runs
from humangate.checkpoints.sessions import backends_alive
from humangate.errors import RunBusyError, UnknownRunError

__all__ = ["LockTake", "RunInfo", "RunLock", "load_run", "new_worker_id", "owner_gone", "owner_is_dead"]

_HOST = socket.gethostname()
# Built once and run on the DB-API cursor (see ``Fast``): these run on every start and decision.
_RUN_ROW = Fast(
    select(
        runs.c.id,
        runs.c.graph,
        runs.c.title,
        runs.c.status,
        runs.c.outcome,
        runs.c.started_by,
        runs.c.error,
        runs.c.created_at,
        runs.c.updated_at,
        runs.c.inputs_json,
        runs.c.engine,
    ).where(runs.c.id == bindparam("run_id"))
)
_RUN_PENDING = Fast(
    select(review_items.c.id)
    # The items the run waits on; audit and canary items are second looks that never hold a run.
    .where(
        review_items.c.run_id == bindparam("run_id"), review_items.c.status == "pending", review_items.c.kind == "gate"
    )
    .order_by(review_items.c.id)
)
_LOCK_ROW = Fast(
    select(runs.c.lock_owner, runs.c.lock_expires_at, runs.c.status)
    .where(runs.c.id == bindparam("run_id"))
    .with_for_update()
)
_TAKE_LOCK = Fast(
    update(runs)
    .where(runs.c.id == bindparam("run_id"))
    .values(lock_owner=bindparam("owner"), lock_expires_at=bindparam("expires"))
)
_RELEASE_LOCK = Fast(
    update(runs)
    .where(runs.c.id == bindparam("run_id"), runs.c.lock_owner == bindparam("owner"))
    .values(lock_owner=None, lock_expires_at=None)
)


def new_worker_id() -> str:
    """Return an id naming this host, process and Orchestrator instance."""
    return f"{_HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_is_dead(owner: str) -> bool:
    """Return True when ``owner`` is a process on this host that no longer exists."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != _HOST or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def owner_gone(conn: Connection, owner: str) -> bool:
    """Return True when ``owner``'s process has died and, on PostgreSQL, none of its sessions still runs.

    A SIGKILLed process's server backend can still be committing a statement it sent (a checkpoint write)
    after the process is gone; whoever takes over its work waits for that to end
    (``checkpoints.sessions``).
    """
    if not owner_is_dead(owner):
        return False
    if conn.dialect.name != "postgresql":
        return True
    return not backends_alive(conn, int(owner.partition(":")[2].partition(":")[0]))


@dataclass(frozen=True)
class RunInfo:
    """A run as the runs table knows it, with its pending review items."""

    id: str
    graph: str
    title: str
    status: str
    outcome: str | None
    started_by: str | None
    error: str | None
    created_at: float
    updated_at: float
    pending_items: tuple[int, ...]
    inputs: dict[str, Any]
    engine: str = ""  # what served the agents when the run started; empty for runs older than the column


def load_run(conn: Connection, run_id: str, *, pending: Sequence[int] | None = None) -> RunInfo:
    """Return one run or raise ``UnknownRunError``; ``pending`` saves the query for its pending items."""
    row = _RUN_ROW.first(conn, {"run_id": run_id})
    if row is None:
        raise UnknownRunError(run_id)
    id_, graph, title, status, outcome, started_by, error, created_at, updated_at, inputs_json, engine = row
    if pending is None:
        pending = _RUN_PENDING.scalars(conn, {"run_id": run_id})
    return RunInfo(
        id=id_,
        graph=graph,
        title=title,
        status=status,
        outcome=outcome,
        started_by=started_by,
        error=error,
        created_at=created_at,
        updated_at=updated_at,
        pending_items=tuple(int(i) for i in pending),
        inputs=json.loads(inputs_json),
        engine=engine or "",
    )


@dataclass(frozen=True)
class LockTake:
    """The outcome of trying to take a run's lock inside a transaction."""

    holder: str | None  # the live holder when the lock was not taken; None when it is now ours
    clean: bool = False  # it was free and its last holder released it: the queue matches the checkpoint
    status: str = ""  # the run's status as the lock was taken

    @property
    def synced(self) -> bool:
        """Return True when the run is paused and its queue rows are exactly its open interrupts."""
        return self.clean and self.status == "paused"


class RunLock:
    """A lease on one run, so that only one worker advances it at a time.

    A lock held by a process on this host that has died is taken over at once; any other lock is
    taken over when its lease expires.
    """

    def __init__(self, db: Database, worker: str, lease_seconds: float) -> None:
        self.db = db
        self.worker = worker
        self.lease_seconds = lease_seconds

    def try_acquire(self, run_id: str) -> str | None:
        """Take the lock; return None on success or the live holder's id."""
        with self.db.write() as conn:
            return self.take(conn, run_id).holder

    def take(self, conn: Connection, run_id: str) -> LockTake:
        """Take the lock inside the caller's write transaction, unless a live worker holds it.

        Every advance releases the lock in the transaction that syncs the queue, so a lock found free
        (not expired: released) means the run's pending items are exactly its open interrupts.
        """
        now = time.time()
        # FOR UPDATE: on Postgres two workers reading a free lock at once must not both take it.
        row = _LOCK_ROW.first(conn, {"run_id": run_id})
        if row is None:
            raise UnknownRunError(run_id)
        owner, expires, status = row
        if owner and owner != self.worker and (expires or 0) > now and not owner_gone(conn, owner):
            return LockTake(str(owner))
        _TAKE_LOCK.execute(conn, {"run_id": run_id, "owner": self.worker, "expires": now + self.lease_seconds})
        return LockTake(None, clean=owner is None, status=status)

    def acquire(self, run_id: str, *, wait_seconds: float = 30.0) -> None:
        """Take the lock, waiting up to ``wait_seconds`` for another worker to finish."""
        deadline = time.monotonic() + wait_seconds
        delay = 0.01
        while (holder := self.try_acquire(run_id)) is not None:
            if time.monotonic() >= deadline:
                raise RunBusyError(run_id, holder)
            time.sleep(delay)
            delay = min(delay * 2, 0.25)

    def release(self, conn: Connection, run_id: str) -> None:
        """Give the lock back inside the caller's transaction."""
        _RELEASE_LOCK.execute(conn, {"run_id": run_id, "owner": self.worker})
