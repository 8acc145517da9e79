"""The project's database: a SQLAlchemy engine from the one URL, short transactions, migrations."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError

from humangate.checkpoints.fast import Fast
from humangate.checkpoints.sessions import backend_name
from humangate.config import DatabaseURL, Settings
from humangate.errors import StorageError

__all__ = ["Database", "insert_ignore", "insert_ignore_id"]

_VERSION_TABLE = "humangate_alembic_version"
_PG_MIGRATION_LOCK = 72_616_001  # pg_advisory_xact_lock key held while migrating


class Database:
    """Engine and transactions for humangate's own tables.

    ``write()`` transactions on SQLite start with ``BEGIN IMMEDIATE`` so that a read followed by a
    write never fails half-way on a lock upgrade; the busy timeout makes writers wait their turn.
    """

    def __init__(self, settings: Settings) -> None:
        self.url: DatabaseURL = settings.database
        self.settings = settings
        self.engine: Engine = self._create_engine()

    @property
    def dialect(self) -> str:
        """Return ``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def _create_engine(self) -> Engine:
        if self.url.backend == "sqlite":
            assert self.url.sqlite_path is not None
            parent = self.url.sqlite_path.resolve().parent
            if not parent.is_dir():
                raise StorageError(
                    f"Folder {parent} for the SQLite database does not exist; create it or change "
                    "--db / HUMANGATE_DB_URL."
                )
            engine = create_engine(
                self.url.sqlalchemy_url,
                connect_args={"timeout": self.settings.sqlite_busy_timeout_ms / 1000},
            )
            busy = self.settings.sqlite_busy_timeout_ms
            sync = self.settings.sqlite_synchronous

            @event.listens_for(engine, "connect")
            def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
                dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute(f"PRAGMA synchronous={sync}")
                cur.execute(f"PRAGMA busy_timeout={busy}")
                cur.execute("PRAGMA foreign_keys=ON")
                cur.close()

            @event.listens_for(engine, "begin")
            def _on_begin(conn: Connection) -> None:
                sql = "BEGIN IMMEDIATE" if conn.get_execution_options().get("humangate_write") else "BEGIN"
                # On the DB-API connection, as Fast runs the hot statements: exec_driver_sql costs ~20 us.
                try:
                    conn.connection.driver_connection.execute(sql)  # type: ignore[union-attr]
                except sqlite3.Error as exc:  # raised as sqlalchemy.exc types, as exec_driver_sql would
                    conn._handle_dbapi_exception(exc, sql, (), None, None)

            return engine
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise StorageError("PostgreSQL needs the postgres extra: `pip install 'humangate[postgres]'`.") from None
        engine = create_engine(
            self.url.sqlalchemy_url,
            pool_size=self.settings.postgres_pool_size,
            pool_pre_ping=True,
        )

        @event.listens_for(engine, "do_connect")
        def _name_session(_dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
            cparams["application_name"] = backend_name()  # at connect time: the pid of the process connecting

        return engine

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """Open a read transaction."""
        with self._guard(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """Open a write transaction; it commits when the block ends without an exception."""
        with self._guard(), self.engine.connect() as conn:
            conn = conn.execution_options(humangate_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except OperationalError as exc:
            if "no such table" in str(exc) or "does not exist" in str(exc):
                raise StorageError(
                    f"The database {self.url.redacted()} has no humangate tables; run `humangate db upgrade --db URL`."
                ) from exc
            raise StorageError(f"Database {self.url.redacted()} failed: {exc.orig}") from exc

    # -- migrations ---------------------------------------------------------------------------

    def _alembic_config(self, conn: Connection) -> Config:
        cfg = Config()
        location = resources.files("humangate.checkpoints") / "migrations"
        cfg.set_main_option("script_location", str(location))
        cfg.attributes["connection"] = conn
        return cfg

    def current_revision(self) -> str | None:
        """Return the schema revision of the database, or None for a new one."""
        with self.read() as conn:
            ctx = MigrationContext.configure(conn, opts={"version_table": _VERSION_TABLE})
            return ctx.get_current_revision()

    def head_revision(self) -> str:
        """Return the newest schema revision this version of humangate knows."""
        with self.engine.connect() as conn:
            script = ScriptDirectory.from_config(self._alembic_config(conn))
            head = script.get_current_head()
        assert head is not None
        return head

    def upgrade(self) -> tuple[str | None, str]:
        """Migrate the schema to the newest revision; safe to call from several processes at once."""
        before = self.current_revision()
        with self.write() as conn:
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            command.upgrade(self._alembic_config(conn), "head")
        return before, self.head_revision()

    def ensure_schema(self) -> bool:
        """Upgrade a new or older database on first use; return True when it was upgraded."""
        try:
            current = self.current_revision()
        except OperationalError as exc:
            raise StorageError(f"Cannot open database {self.url.redacted()}: {exc.orig}") from exc
        if current == self.head_revision():
            return False
        self.upgrade()
        return True

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def insert_ignore(conn: Connection, table: Any, values: dict[str, Any], keys: list[str]) -> bool:
    """Insert a row unless one with the same ``keys`` exists; return True when it was inserted."""
    fast = _insert_ignore_fast(conn.dialect.name, table, tuple(keys), tuple(values), returning_id=False)
    return bool(fast.execute(conn, values))


def insert_ignore_id(conn: Connection, table: Any, values: dict[str, Any], keys: list[str]) -> int | None:
    """Insert a row unless one with the same ``keys`` exists; return the new row's ``id``, or None."""
    fast = _insert_ignore_fast(conn.dialect.name, table, tuple(keys), tuple(values), returning_id=True)
    new_id = fast.scalar(conn, values)
    return None if new_id is None else int(new_id)


@functools.cache
def _insert_ignore_stmt(dialect: str, table: Any, keys: tuple[str, ...], *, returning_id: bool = False) -> Any:
    """Build the statement once per table: values go in as parameters, not as ``.values(...)``."""
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt: Any = sqlite_insert(table).on_conflict_do_nothing(index_elements=list(keys))
    else:
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(table).on_conflict_do_nothing(index_elements=list(keys))
    return stmt.returning(table.c.id) if returning_id else stmt


@functools.lru_cache(maxsize=256)
def _insert_ignore_fast(
    dialect: str, table: Any, keys: tuple[str, ...], columns: tuple[str, ...], *, returning_id: bool
) -> Fast:
    return Fast(_insert_ignore_stmt(dialect, table, keys, returning_id=returning_id), columns=columns)
