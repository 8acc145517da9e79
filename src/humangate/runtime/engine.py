"""The job engine, DBOS Transact, configured from Settings: where its system database lives, and enqueueing.

DBOS keeps its queue in a *system database*: on SQLite a file beside the product's database (never the
same file: both take write locks of their own), on PostgreSQL a schema of its own in the same database, so
every worker that shares the product's Postgres shares the queue too. ``JobClient`` enqueues jobs from any
process (``DBOSClient``), with no worker running in it; ``WorkerPool`` (``pool.py``) runs them.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from dbos import DBOS, DBOSClient, EnqueueOptions

from humangate.config import Settings
from humangate.review.advance.jobs import Job

__all__ = ["APP_NAME", "JOB_WORKFLOW", "QUEUE", "JobClient", "JobsDatabase", "jobs_database"]

APP_NAME = "humangate"
QUEUE = "humangate-runs"
JOB_WORKFLOW = "humangate_run_job"
# Every humangate process runs the same job code: one version, so any worker recovers any worker's jobs.
APP_VERSION = "humangate-jobs-1"
_PG_SCHEMA = "humangate_jobs"


@dataclass(frozen=True)
class JobsDatabase:
    """Where DBOS keeps the queue: a SQLAlchemy URL and a schema (PostgreSQL only)."""

    url: str
    schema: str
    sqlite: bool

    def engine(self) -> sa.Engine:
        """Return an engine for it; SQLite gets WAL, a busy timeout and immediate write transactions."""
        if not self.sqlite:
            return sa.create_engine(self.url, pool_size=4, max_overflow=16, pool_pre_ping=True)
        engine = sa.create_engine(self.url, pool_size=8, max_overflow=16)

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = "IMMEDIATE"  # as DBOS's own SQLite engine: writers queue, never deadlock
            dbapi_conn.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
            dbapi_conn.execute("PRAGMA synchronous=NORMAL")
            dbapi_conn.execute("PRAGMA busy_timeout=30000")
            dbapi_conn.execute("PRAGMA foreign_keys=ON")

        return engine


def jobs_database(settings: Settings) -> JobsDatabase:
    """Return where the queue of ``settings``' database lives."""
    url = settings.database
    if url.backend == "sqlite":
        assert url.sqlite_path is not None
        path = url.sqlite_path
        jobs = path.with_name(f"{path.stem}.jobs{path.suffix or '.db'}")
        return JobsDatabase(url=f"sqlite:///{jobs}", schema="dbos", sqlite=True)
    return JobsDatabase(url=url.sqlalchemy_url, schema=_PG_SCHEMA, sqlite=False)


_MIGRATED: set[str] = set()
_MIGRATE_LOCK = threading.Lock()


def migrate(where: JobsDatabase) -> None:
    """Create or upgrade DBOS's tables once per process; safe to repeat and to race."""
    with _MIGRATE_LOCK:
        if where.url in _MIGRATED:
            return
        DBOS.migrate(where.url, schema=where.schema)
        _MIGRATED.add(where.url)


class JobClient:
    """Enqueue run jobs on the engine from any process; each job id is enqueued at most once."""

    def __init__(self, settings: Settings) -> None:
        self.where = jobs_database(settings)
        migrate(self.where)
        self.engine = self.where.engine()
        self._client = DBOSClient(
            system_database_engine=self.engine, dbos_system_schema=self.where.schema, application_name=APP_NAME
        )

    def enqueue(self, jobs: Sequence[Job]) -> None:
        """Enqueue ``jobs`` in one transaction; an id already there (queued, running or done) is left alone."""
        if not jobs:
            return
        for start in range(0, len(jobs), 500):
            with self.engine.begin() as conn:
                for job in jobs[start : start + 500]:
                    self._client.enqueue_in_transaction(conn, _options(job), job.run_id)

    def existing(self, job_ids: Sequence[str]) -> set[str]:
        """Return which of ``job_ids`` the engine knows (in any state)."""
        found: set[str] = set()
        for start in range(0, len(job_ids), 500):
            chunk = list(job_ids[start : start + 500])
            rows = self._client.list_workflows(workflow_ids=chunk, load_input=False, load_output=False)
            found.update(r.workflow_id for r in rows)
        return found

    def close(self) -> None:
        """Close the client's connections."""
        self._client.destroy()
        self.engine.dispose()


def _options(job: Job) -> EnqueueOptions:
    return {
        "workflow_name": JOB_WORKFLOW,
        "queue_name": QUEUE,
        "workflow_id": job.id,
        "app_version": APP_VERSION,
    }
