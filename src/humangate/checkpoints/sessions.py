"""Naming this process's PostgreSQL sessions, so that another worker can tell when they are all gone.

A worker killed with SIGKILL can leave a statement it had already sent (a checkpoint write, an autocommit
insert) running in its server backend, which commits after the process is dead. Another worker taking over
the dead worker's run at once could then read the run before that write lands and advance it from an older
checkpoint: the run's history forks. Every connection this process opens carries ``application_name``
naming the host and process, and ``backends_alive`` asks the server whether any of them still runs: a run
lock is taken over from a dead process only once its backends have ended too (``review.advance.runs``).
"""

from __future__ import annotations

import hashlib
import os
import socket

from sqlalchemy import Connection, text

__all__ = ["backend_name", "backends_alive"]

_HOST_TAG = hashlib.sha1(socket.gethostname().encode()).hexdigest()[:10]
_ALIVE = text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name AND pid <> pg_backend_pid()")


def backend_name(pid: int | None = None) -> str:
    """Return the ``application_name`` of process ``pid``'s sessions on this host (this process by default).

    Short (under PostgreSQL's 63 bytes) and the same however long the host name is.
    """
    return f"humangate:{_HOST_TAG}:{os.getpid() if pid is None else pid}"


def backends_alive(conn: Connection, pid: int) -> bool:
    """Return whether any server session opened by process ``pid`` of this host is still running."""
    return bool(conn.execute(_ALIVE, {"name": backend_name(pid)}).scalar())
