"""LangGraph's official checkpointers, opened from the same URL as the project's tables."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite import SqliteSaver

from humangate.checkpoints.sessions import backend_name
from humangate.config import Settings
from humangate.errors import StorageError

__all__ = ["open_checkpointer"]


@contextmanager
def open_checkpointer(settings: Settings, *, setup: bool = True) -> Iterator[BaseCheckpointSaver[str]]:
    """Open ``SqliteSaver`` (WAL, busy timeout) or ``PostgresSaver`` (pooled) for ``settings.db_url``.

    ``setup`` creates the saver's tables; both savers make that safe to repeat.
    """
    url = settings.database
    if url.backend == "sqlite":
        conn = sqlite3.connect(
            str(url.sqlite_path),
            check_same_thread=False,
            timeout=settings.sqlite_busy_timeout_ms / 1000,
        )
        try:
            conn.execute(f"PRAGMA busy_timeout={settings.sqlite_busy_timeout_ms}")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={settings.sqlite_synchronous}")
            saver = SqliteSaver(conn)
            if setup:
                saver.setup()
            yield saver
        finally:
            conn.close()
        return
    try:
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool
    except ImportError:
        raise StorageError("PostgreSQL needs the postgres extra: `pip install 'humangate[postgres]'`.") from None
    pool: ConnectionPool = ConnectionPool(
        url.libpq_url,
        min_size=1,
        max_size=settings.postgres_pool_size,
        # Named for this process, so a worker taking over a dead one's run waits for its writes to end.
        kwargs={
            "autocommit": True,
            "prepare_threshold": 0,
            "row_factory": dict_row,
            "application_name": backend_name(),
        },
        open=True,
    )
    try:
        pg_saver = PostgresSaver(pool)  # type: ignore[arg-type]
        if setup:
            pg_saver.setup()
        yield pg_saver
    finally:
        pool.close()
