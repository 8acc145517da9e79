"""A pool of workers in this process: DBOS launched against the jobs database, plus a sweeper thread.

The pool runs up to ``concurrency`` jobs at once on one event loop (graphs are ``ainvoke``d; sync nodes and
the database run in threads). Its sweeper writes this worker's heartbeat, hands the unfinished jobs of a
worker that died (a process gone from this host, or a heartbeat gone quiet elsewhere) back to the queue,
and enqueues the job of a run that was recorded but whose job never reached the queue (a crash between
the two). ``stop`` is graceful: it stops taking jobs, lets running ones finish for ``grace`` seconds, and
leaves the rest to be recovered by the next worker.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
import time
from types import TracebackType
from typing import Any

from dbos import DBOS
from sqlalchemy import delete, select, update

from humangate.checkpoints.schema import decisions, runs, workers
from humangate.review.advance.jobs import Job, resume_job, start_job
from humangate.review.advance.runs import owner_gone
from humangate.review.service import Orchestrator
from humangate.runtime import jobs as _jobs
from humangate.runtime.engine import APP_NAME, APP_VERSION, QUEUE, JobClient, jobs_database, migrate

__all__ = ["WorkerPool"]

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 2.0
DEAD_AFTER_SECONDS = 15.0  # a worker elsewhere whose heartbeat is older than this has died
ORPHAN_AFTER_SECONDS = 10.0  # a queued run older than this whose job the engine does not know
POLL_SECONDS = 0.05  # how often a worker asks the queue for jobs (DBOS polls; 1 s by default)


class _StderrNow(logging.StreamHandler):  # type: ignore[type-arg]
    """Write to whatever ``sys.stderr`` is at the time (DBOS's own handler keeps the stream it first saw)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def _quiet_dbos_logging() -> None:
    """Give DBOS's logger a console handler of ours (DBOS adds its own only when it has none)."""
    dbos_logger = logging.getLogger("dbos")
    for handler in list(dbos_logger.handlers):
        if handler.name == "__dbos_console_log_handler__" and not isinstance(handler, _StderrNow):
            dbos_logger.removeHandler(handler)
    if not dbos_logger.handlers:
        handler = _StderrNow()
        handler.name = "__dbos_console_log_handler__"
        handler.setFormatter(logging.Formatter("%(asctime)s [%(levelname)8s] (dbos) %(message)s", "%H:%M:%S"))
        dbos_logger.addHandler(handler)
        dbos_logger.propagate = False


class WorkerPool:
    """Run jobs for ``orch`` in this process until ``stop``; use as a context manager."""

    def __init__(self, orch: Orchestrator, client: JobClient, *, concurrency: int = 16, grace: float = 10.0) -> None:
        self.orch = orch
        self.client = client
        self.concurrency = concurrency
        self.grace = grace
        self.worker_id = orch.worker
        self._stop = threading.Event()
        self._sweeper: threading.Thread | None = None
        self._launched = False

    def start(self) -> WorkerPool:
        """Launch DBOS in this process, register the queue and start the sweeper."""
        where = jobs_database(self.orch.settings)
        migrate(where)
        _jobs.bind(self.orch)
        config: dict[str, Any] = {
            "name": APP_NAME,
            "system_database_url": where.url,
            "dbos_system_schema": where.schema,
            "application_version": APP_VERSION,
            "executor_id": self.worker_id,
            "log_level": "WARNING",
            "max_executor_threads": self.concurrency * 4 + 8,
        }
        if where.sqlite:
            config["system_database_engine"] = self.client.engine
        _quiet_dbos_logging()
        try:
            DBOS(config=config)  # type: ignore[arg-type]
            DBOS.launch()
            self._launched = True
            # Registered after launch (DBOS 3.4); polled often, since a reviewer waits on each hand-off.
            DBOS.register_queue(
                QUEUE,
                worker_concurrency=self.concurrency,
                polling_interval_sec=POLL_SECONDS,
                on_conflict="always_update",
            )
        except BaseException:
            self.stop()
            raise
        self._beat()
        self._sweep_once(first=True)
        self._sweeper = threading.Thread(target=self._sweep, name="humangate-sweeper", daemon=True)
        self._sweeper.start()
        return self

    def stop(self) -> None:
        """Stop taking jobs, let running ones finish for ``grace`` seconds, then shut DBOS down."""
        self._stop.set()
        if self._sweeper is not None:
            self._sweeper.join(timeout=5)
        if self._launched:
            DBOS.destroy(workflow_completion_timeout_sec=max(1, round(self.grace)))
            self._launched = False
        _jobs.unbind()
        try:
            with self.orch.db.write() as conn:
                conn.execute(delete(workers).where(workers.c.id == self.worker_id))
        except Exception:  # the database may be gone on the way out; a stale row only ages out
            log.debug("could not remove worker row %s", self.worker_id, exc_info=True)

    def __enter__(self) -> WorkerPool:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- the sweeper ---------------------------------------------------------------------------

    def _sweep(self) -> None:
        last_orphans = time.monotonic()
        while not self._stop.wait(HEARTBEAT_SECONDS):
            try:
                self._beat()
                orphans = time.monotonic() - last_orphans >= ORPHAN_AFTER_SECONDS
                self._sweep_once(first=orphans)
                if orphans:
                    last_orphans = time.monotonic()
            except Exception:
                log.warning("worker sweep failed; trying again in %s s", HEARTBEAT_SECONDS, exc_info=True)

    def _beat(self) -> None:
        now = time.time()
        with self.orch.db.write() as conn:
            done = conn.execute(update(workers).where(workers.c.id == self.worker_id).values(seen_at=now)).rowcount
            if not done:
                conn.execute(
                    workers.insert().values(
                        id=self.worker_id,
                        host=socket.gethostname(),
                        pid=os.getpid(),
                        concurrency=self.concurrency,
                        started_at=now,
                        seen_at=now,
                    )
                )

    def _sweep_once(self, *, first: bool) -> None:
        """Recover dead workers' jobs; with ``first``, also enqueue runs whose job never reached the queue."""
        self._recover_dead()
        if first:
            self._enqueue_orphans()

    def _recover_dead(self) -> None:
        pending = DBOS.list_workflows(status="PENDING", queue_name=QUEUE, load_input=False, load_output=False)
        owners = {w.executor_id for w in pending if w.executor_id and w.executor_id != self.worker_id}
        if not owners:
            return
        now = time.time()
        with self.orch.db.read() as conn:
            seen = dict(conn.execute(select(workers.c.id, workers.c.seen_at)).tuples().all())
            dead = [o for o in owners if owner_gone(conn, o) or now - seen.get(o, 0.0) > DEAD_AFTER_SECONDS]
        if dead:
            log.info("recovering the jobs of %d stopped worker(s)", len(dead))
            DBOS._recover_pending_workflows(dead)
            with self.orch.db.write() as conn:
                conn.execute(delete(workers).where(workers.c.id.in_(dead)))

    def _enqueue_orphans(self) -> None:
        cutoff = time.time() - ORPHAN_AFTER_SECONDS
        with self.orch.db.read() as conn:
            rows = conn.execute(
                select(runs.c.id, runs.c.status).where(
                    runs.c.status.in_(["queued", "resuming"]), runs.c.updated_at < cutoff
                )
            ).all()
            last_decision = (
                dict(
                    conn.execute(
                        select(decisions.c.run_id, decisions.c.id)
                        .where(decisions.c.run_id.in_([r.id for r in rows if r.status == "resuming"]))
                        .where(decisions.c.applied_at.is_(None))
                        .order_by(decisions.c.id)
                    )
                    .tuples()
                    .all()
                )
                if rows
                else {}
            )
        wanted: list[Job] = []
        for row in rows:
            if row.status == "queued":
                wanted.append(start_job(row.id))
            elif row.id in last_decision:
                wanted.append(resume_job(row.id, int(last_decision[row.id])))
        known = self.client.existing([j.id for j in wanted])
        missing = [j for j in wanted if j.id not in known]
        if missing:
            log.info("enqueueing %d run(s) whose job never reached the queue", len(missing))
            self.client.enqueue(missing)
