"""A dead worker's run is taken over only once its database sessions have ended too.

The clean-clone CI run found a run whose checkpoint history forked (two step-8 checkpoints from one
parent) in ``tests/test_crash_workers.py``: a SIGKILLed worker's server backend was still committing a
checkpoint write it had sent before it died, while another worker, seeing the pid gone, had already taken
the run's lock and read the older checkpoint. Here a live PostgreSQL session named for a dead process
stands in for that backend.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import psycopg
from sqlalchemy import update

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import runs
from humangate.checkpoints.sessions import backend_name, backends_alive
from humangate.review.advance.runs import RunLock, owner_gone
from tests.api_support import GATED
from tests.conftest import _fresh_pg_database


def _dead_pid() -> int:
    """Return the pid of a process that has ended and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _orphan_the_lock(orch: Orchestrator, run_id: str, owner: str) -> None:
    with orch.db.write() as conn:
        conn.execute(update(runs).where(runs.c.id == run_id).values(lock_owner=owner, lock_expires_at=4e9))


def test_a_dead_workers_run_waits_until_its_last_session_ends(pg_server: str, tmp_path: Path) -> None:
    url = _fresh_pg_database(pg_server)
    pid = _dead_pid()
    owner = f"{socket.gethostname()}:{pid}:deadbeef"
    with Orchestrator(Settings(db_url=url, outbox_dir=tmp_path / "outbox")) as orch:
        run = orch.start("notify", GATED)
        _orphan_the_lock(orch, run.id, owner)
        lock = RunLock(orch.db, "another-worker", 60.0)
        # The dead process's backend is still at work (it has a statement in flight).
        with psycopg.connect(url, application_name=backend_name(pid)):
            with orch.db.read() as conn:
                assert backends_alive(conn, pid) and not owner_gone(conn, owner)
            assert lock.try_acquire(run.id) == owner  # not taken over while its writes may still land
        with orch.db.read() as conn:
            assert not backends_alive(conn, pid) and owner_gone(conn, owner)
        assert lock.try_acquire(run.id) is None  # its sessions have ended: taken over at once


def test_this_process_names_its_own_sessions(pg_server: str, tmp_path: Path) -> None:
    url = _fresh_pg_database(pg_server)
    with Orchestrator(Settings(db_url=url, outbox_dir=tmp_path / "outbox")) as orch:
        orch.start("notify", GATED)  # opens the engine's and the checkpointer's connections
        with psycopg.connect(url) as probe:
            names = {r[0] for r in probe.execute("SELECT application_name FROM pg_stat_activity").fetchall()}
    assert backend_name() in names, names


def test_on_sqlite_a_dead_owner_is_gone_at_once(tmp_path: Path) -> None:
    owner = f"{socket.gethostname()}:{_dead_pid()}:deadbeef"
    with Orchestrator(Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "outbox")) as orch:
        run = orch.start("notify", GATED)
        _orphan_the_lock(orch, run.id, owner)
        with orch.db.read() as conn:
            assert owner_gone(conn, owner)
        assert RunLock(orch.db, "another-worker", 60.0).try_acquire(run.id) is None
