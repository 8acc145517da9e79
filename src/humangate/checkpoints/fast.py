"""``Fast``: prebuilt Core statements run on the caller's DB-API cursor, for the hot path.

Every start and decision runs a few dozen small statements; SQLAlchemy's own ``execute`` costs about
20 us each, ten times the statement. ``Fast`` keeps SQLAlchemy's SQL, bind and result processing and
error types, and skips the rest.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.util import TransactionalContext
from sqlalchemy.exc import MultipleResultsFound, NoResultFound
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.schema import ScalarElementColumnDefault

__all__ = ["Fast"]


class Fast:
    """Run one prebuilt Core statement on the caller's DB-API connection, compiled once per dialect.

    ``Fast(stmt).all(conn, params)`` does what ``conn.execute(stmt, params).all()`` does: the same SQL
    string, the same bind and result processing, inside the caller's transaction (autobegun like
    ``execute`` would), DB-API errors raised as the same ``sqlalchemy.exc`` types through the
    connection's own handler. It skips SQLAlchemy's per-statement work (execution context, result
    metadata, ``Row`` objects: ~20 us a statement, against 1-3 us on the cursor) and returns plain
    tuples. An ``insert()`` names the ``columns`` its callers pass, as ``execute`` would take them
    from the parameters; columns left out get their scalar ``default=``.

    Not for statements with expanding ``IN`` or callable defaults (refused when compiled). It leans
    on a few private SQLAlchemy members (``_bind_processors``, ``_result_columns``, the
    connection's transaction checks and ``_handle_dbapi_exception``); ``tests/test_fast_sql.py``
    pins that it still matches ``conn.execute``.
    """

    __slots__ = ("_last", "_plans", "columns", "statement")

    def __init__(self, statement: Any, *, columns: Sequence[str] | None = None) -> None:
        self.statement = statement
        self.columns = None if columns is None else tuple(columns)
        self._last: tuple[Dialect, _Plan] | None = None  # one tuple, so threads never see a torn pair
        self._plans: weakref.WeakKeyDictionary[Dialect, _Plan] = weakref.WeakKeyDictionary()

    def _plan(self, dialect: Dialect) -> _Plan:
        last = self._last
        if last is not None and last[0] is dialect:
            return last[1]
        plan = self._plans.get(dialect)
        if plan is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=self.columns)
            plan = self._plans[dialect] = _Plan(compiled, dialect)
        self._last = (dialect, plan)
        return plan

    def _run(self, conn: Connection, params: Mapping[str, Any] | None, rows: int) -> Any:
        """Execute; return the rowcount (``rows`` 0), or up to ``rows`` rows (-1: all), processed."""
        plan = self._plan(conn.dialect)
        _ready(conn)
        dbapi_conn = conn.connection.dbapi_connection
        assert dbapi_conn is not None
        args: Any = None
        cursor: Any = None
        try:
            args = plan.args(params or {})
            cursor = dbapi_conn.cursor()
            cursor.execute(plan.sql, args)
            if rows == 0:
                if cursor.description is not None:  # RETURNING, e.g. Postgres' implicit one on an INSERT
                    cursor.fetchall()
                out: Any = cursor.rowcount
            elif cursor.description is None:
                out = []
            else:
                fetched = cursor.fetchall() if rows < 0 else cursor.fetchmany(rows)
                out = plan.processed(fetched, cursor)
        except BaseException as exc:
            conn._handle_dbapi_exception(exc, plan.sql, args, cursor, None)
        cursor.close()
        return out

    def execute(self, conn: Connection, params: Mapping[str, Any] | None = None) -> int:
        """Run the statement and return its rowcount."""
        return int(self._run(conn, params, 0))

    def first(self, conn: Connection, params: Mapping[str, Any] | None = None) -> tuple[Any, ...] | None:
        """Return the first row, or None."""
        rows = self._run(conn, params, 1)
        return rows[0] if rows else None

    def one(self, conn: Connection, params: Mapping[str, Any] | None = None) -> tuple[Any, ...]:
        """Return the only row; raise ``NoResultFound`` / ``MultipleResultsFound`` like ``Result.one``."""
        rows = self._run(conn, params, 2)
        if not rows:
            raise NoResultFound("No row was found when one was required")
        if len(rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when exactly one was required")
        return rows[0]  # type: ignore[no-any-return]

    def all(self, conn: Connection, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Return every row."""
        return self._run(conn, params, -1)  # type: ignore[no-any-return]

    def scalar(self, conn: Connection, params: Mapping[str, Any] | None = None) -> Any:
        """Return the first column of the first row, or None."""
        row = self.first(conn, params)
        return None if row is None else row[0]

    def scalars(self, conn: Connection, params: Mapping[str, Any] | None = None) -> list[Any]:
        """Return the first column of every row."""
        return [row[0] for row in self.all(conn, params)]


class _Plan:
    """One statement compiled for one dialect: its SQL and how to turn parameters into DB-API ones."""

    __slots__ = ("dialect", "fixed", "names", "order", "procs", "result_types", "rprocs", "sequence", "sql", "typed")

    def __init__(self, compiled: SQLCompiler, dialect: Dialect) -> None:
        binds = compiled.bind_names
        if compiled.escaped_bind_names or compiled.literal_execute_params or compiled.post_compile_params:
            raise TypeError(f"Fast cannot run {compiled.string[:80]!r}: expanding or escaped bind parameters.")
        if compiled.update_prefetch or any(b.callable is not None for b in binds):
            raise TypeError(f"Fast cannot run {compiled.string[:80]!r}: a value is computed at execution time.")
        values = dict(compiled.construct_params(_check=False))
        caller = {name for bind, name in binds.items() if bind.required}
        for column in compiled.insert_prefetch:  # what execute() would fill in from ``default=``
            default = column.default
            if not isinstance(default, ScalarElementColumnDefault) or column.key not in values:
                raise TypeError(f"Pass column {column.key!r} to Fast: its default is not a plain value.")
            values[column.key] = default.arg
        processors: Mapping[str, Any] = compiled._bind_processors
        self.sql: str = compiled.string
        self.dialect = dialect
        self.fixed = {k: processors[k](v) if k in processors else v for k, v in values.items() if k not in caller}
        self.procs: tuple[tuple[str, Callable[[Any], Any]], ...] = tuple(sorted(processors.items()))
        self.names = tuple(values)
        self.order = tuple(compiled.positiontup or ()) if compiled.positional else None
        self.sequence: Callable[[list[Any]], Any] = dialect.execute_sequence_format
        self.result_types = [entry.type for entry in compiled._result_columns]
        self.typed = False  # result processors are looked up from the first cursor's description
        self.rprocs: list[Any] | None = None

    def args(self, params: Mapping[str, Any]) -> Any:
        """Return the DB-API parameters: processed like ``execute`` does, in the dialect's style."""
        if self.procs:
            params = dict(params)
            for name, proc in self.procs:
                if name in params:
                    params[name] = proc(params[name])
        values = {**self.fixed, **params} if self.fixed else params
        if self.order is not None:
            return self.sequence([values[name] for name in self.order])
        return {name: values[name] for name in self.names}

    def processed(self, rows: list[tuple[Any, ...]], cursor: Any) -> list[tuple[Any, ...]]:
        """Apply the result types' processors (e.g. SQLite's 0/1 to bool), found from the first cursor."""
        if not self.typed:
            description = cursor.description
            if len(description) != len(self.result_types):
                raise TypeError(f"Fast cannot match the result columns of {self.sql[:80]!r}.")
            found = [
                t._cached_result_processor(self.dialect, d[1])
                for t, d in zip(self.result_types, description, strict=True)
            ]
            self.rprocs = found if any(found) else None
            self.typed = True
        rprocs = self.rprocs
        if rprocs is None:
            return rows
        return [tuple(v if p is None else p(v) for p, v in zip(rprocs, row, strict=True)) for row in rows]


def _ready(conn: Connection) -> None:
    """Check and begin the connection's transaction the way ``Connection._execute_context`` does."""
    trans, nested = conn._transaction, conn._nested_transaction
    if (trans is not None and not trans.is_active) or (nested is not None and not nested.is_active):
        conn._invalid_transaction()
    elif conn._trans_context_manager:
        TransactionalContext._trans_ctx_check(conn)
    if trans is None:
        conn._autobegin()
