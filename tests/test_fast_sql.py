"""``Fast``: prebuilt statements on the DB-API cursor behave exactly like ``Connection.execute``, on both backends."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, bindparam, event, insert, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import psycopg
from sqlalchemy.exc import DBAPIError, IntegrityError, MultipleResultsFound, NoResultFound, StatementError

from humangate import Settings
from humangate.checkpoints.database import Database, _insert_ignore_stmt, insert_ignore, insert_ignore_id
from humangate.checkpoints.fast import Fast
from humangate.checkpoints.schema import assessments, audit_events, audit_head, decisions, review_items, runs
from humangate.errors import StorageError
from humangate.memory import _backlog as backlog
from humangate.memory import store as memory_store
from humangate.oversight import audit
from humangate.review import _users as users
from humangate.review import queue, service
from humangate.review.advance import advancing, jobs
from humangate.review.advance import runs as run_rows
from humangate.review.record import deciding
from humangate.review.record import decisions as recording
from humangate.risk import NodeOverrides, RiskPolicy

_RUN = {
    "id": "r1",
    "graph": "g",
    "title": "t",
    "status": "paused",
    "started_by": None,
    "inputs_json": "{}",
    "created_at": 1.0,
    "updated_at": 1.0,
    "lock_owner": "w1",
    "lock_expires_at": 2.0,
}
_ITEM = {
    "interrupt_id": "i1",
    "run_id": "r1",
    "graph": "g",
    "node": "n",
    "title": "t",
    "risk_level": "high",
    "risk_rank": 2,
    "score": 1,  # an int for a Float column: SQLite's bind processor makes it 1.0
    "trigger_kinds": ",policy,",
    "required_role": "reviewer",
    "min_dwell_seconds": 0.0,
    "status": "pending",
    "created_at": 5.0,
    "request_json": "{}",
}


# A statement with RETURNING, for the result-shape tests below.
_BUMP = Fast(
    update(audit_head)
    .where(audit_head.c.id == 1)
    .values(seq=audit_head.c.seq + 1)
    .returning(audit_head.c.seq, audit_head.c.hash)
)

_EVENT = {
    "seq": 1,
    "at": 1.0,
    "actor": "a",
    "kind": "k",
    "run_id": None,
    "item_id": None,
    "payload_json": "{}",
    "prev_hash": "0" * 64,
    "hash": "1" * 64,
}
_DECISION = {
    "item_id": 1,
    "run_id": "r1",
    "interrupt_id": "i1",
    "reviewer": "alice",
    "action": "approve",
    "decision_json": "{}",
    "request_sha256": "3" * 64,
    "decided_at": 6.0,
}


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    """Return a migrated database of each backend holding one paused run and one pending item."""
    database = Database(settings)
    database.ensure_schema()
    with database.write() as conn:
        conn.execute(insert(runs), _RUN)
        conn.execute(insert(review_items), _ITEM)  # kind, version, blind... from their defaults
    try:
        yield database
    finally:
        database.dispose()


def _sent_by_execute(conn: Connection, stmt: Any, params: dict[str, Any]) -> tuple[str, Any]:
    """Return the SQL and DB-API parameters ``conn.execute`` sends for ``stmt``."""
    sent: list[tuple[str, Any]] = []

    def capture(_c: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        sent.append((statement, parameters))

    event.listen(conn, "before_cursor_execute", capture)
    try:
        conn.execute(stmt, params)
    finally:
        event.remove(conn, "before_cursor_execute", capture)
    assert len(sent) == 1
    return sent[0]


# The hot statements, with parameters shaped as their callers pass them.
_HOT: list[tuple[str, Fast, dict[str, Any]]] = [
    ("audit head", audit._READ_HEAD, {}),
    (
        "move head",
        audit._MOVE_HEAD,
        {"prev_seq": 0, "prev_hash": audit.GENESIS_HASH, "new_seq": 1, "new_hash": "2" * 64},
    ),
    (
        "audit insert",
        audit._INSERT_EVENT,
        {**_EVENT, "at": 3},  # an int for a Float column, as in "score" above
    ),
    ("run row", run_rows._RUN_ROW, {"run_id": "r1"}),
    ("run pending", run_rows._RUN_PENDING, {"run_id": "r1"}),
    ("lock row", run_rows._LOCK_ROW, {"run_id": "r1"}),
    ("take lock", run_rows._TAKE_LOCK, {"run_id": "r1", "owner": "w2", "expires": 9}),
    ("release lock", run_rows._RELEASE_LOCK, {"run_id": "r1", "owner": "w1"}),
    ("load item", queue._LOAD_ITEM, {"item_id": 1}),
    ("gate pending", queue._RUN_GATE_PENDING, {"run_id": "r1"}),
    ("supersede", queue._SUPERSEDE, {"item_id": 1, "now": 7}),
    (
        "insert run",
        service._INSERT_RUN,
        {
            "id": "r2",
            "graph": "g",
            "title": "t",
            "status": "running",
            "started_by": None,
            "inputs_json": "{}",
            "created_at": 1,
            "updated_at": 1.5,
            "lock_owner": "w1",
            "lock_expires_at": 31,
            "engine": "offline",
            "task_id": None,
        },
    ),
    ("started by", deciding._RUN_FOR_DECISION, {"run_id": "r1"}),
    ("set status", advancing._SET_RUN_STATUS, {"run_id": "r1", "new_status": "paused", "new_outcome": None, "now": 4}),
    ("mark applied", advancing._MARK_APPLIED, {"decision_id": 1, "now": 5}),
    ("unapplied", advancing._UNAPPLIED, {"run_id": "r1"}),
    ("close item", recording._CLOSE_ITEM, {"item_id": 1, "seen_version": 1, "now": 6}),
    (
        "insert decision",
        recording._INSERT_DECISION,
        {
            "item_id": 1,
            "run_id": "r1",
            "interrupt_id": "i1",
            "reviewer": "alice",
            "action": "approve",
            "reason_code": None,
            "decision_json": "{}",
            "request_sha256": "3" * 64,
            "decided_at": 6,
            "applied_at": None,
            "dwell_seconds": None,
        },
    ),
    ("role", users._ROLE, {"name": "alice"}),
    ("memory due", backlog.DUE, {"now": 8}),
    ("cancel asked", jobs._CANCEL_ASKED, {"run_id": "r1"}),
    ("memory has any", memory_store._ANY_ACTIVE, {"g": "outreach", "n": "review_send"}),
    (
        "memory queue",
        backlog.QUEUE,
        {"decision_id": 1, "queued_at": 8, "active": True, "attempts": 0, "retry_at": 0.0},
    ),
]


@pytest.mark.parametrize(("what", "fast", "params"), _HOT, ids=[h[0] for h in _HOT])
def test_hot_statements_send_what_execute_sends(db: Database, what: str, fast: Fast, params: dict[str, Any]) -> None:
    # Same SQL string, same processed parameters in the same order: the cursor sees no difference.
    with db.engine.connect() as conn, conn.begin() as trans:
        if what == "memory queue":  # the backlog row points at a decision
            conn.execute(insert(decisions), _DECISION)
        sql, args = _sent_by_execute(conn, fast.statement, params)
        plan = fast._plan(conn.dialect)
        assert plan.sql == sql, what
        assert plan.args(params) == args, what
        assert [type(v) for v in _values(plan.args(params))] == [type(v) for v in _values(args)], what
        trans.rollback()


def _values(args: Any) -> list[Any]:
    return list(args.values()) if isinstance(args, dict) else list(args)


@pytest.mark.parametrize("returning_id", [False, True])
def test_insert_ignore_sends_what_execute_sends(db: Database, returning_id: bool) -> None:
    values = {**_ITEM, "interrupt_id": "i2", "kind": "gate", "blind": False}
    stmt = _insert_ignore_stmt(db.dialect, review_items, ("interrupt_id",), returning_id=returning_id)
    with db.engine.connect() as conn, conn.begin() as trans:
        sql, args = _sent_by_execute(conn, stmt, values)
        plan = Fast(stmt, columns=tuple(values))._plan(conn.dialect)
        assert (plan.sql, plan.args(values)) == (sql, args)
        trans.rollback()


def test_selects_return_the_rows_execute_returns_with_the_same_types(db: Database) -> None:
    # SQLite stores Boolean as 0/1: the result processor turns it back into False, as execute does.
    with db.read() as conn:
        for fast, params in [(queue._LOAD_ITEM, {"item_id": 1}), (run_rows._RUN_ROW, {"run_id": "r1"})]:
            expected = [tuple(r) for r in conn.execute(fast.statement, params)]
            got = fast.all(conn, params)
            assert got == expected
            assert [type(v) for v in got[0]] == [type(v) for v in expected[0]]
        item = queue.load_item(conn, 1)
    assert item is not None and item.blind is False and item.kind == "gate" and item.score == 1.0


def test_parameters_go_in_statement_order_whatever_the_dict_order(db: Database) -> None:
    take = Fast(
        update(runs)
        .where(runs.c.id == bindparam("run_id"), runs.c.status == "paused")
        .values(lock_owner=bindparam("owner"), lock_expires_at=bindparam("expires"))
    )
    with db.write() as conn:
        assert take.execute(conn, {"expires": 42.5, "owner": "w9", "run_id": "r1"}) == 1
        row = conn.execute(select(runs.c.lock_owner, runs.c.lock_expires_at).where(runs.c.id == "r1")).one()
    assert tuple(row) == ("w9", 42.5)


def test_rowcount_counts_matched_rows(db: Database) -> None:
    bump = Fast(update(runs).where(runs.c.graph == bindparam("graph")).values(title=bindparam("new_title")))
    with db.write() as conn:
        conn.execute(insert(runs), {**_RUN, "id": "r2"})
        assert bump.execute(conn, {"graph": "g", "new_title": "x"}) == 2
        assert bump.execute(conn, {"graph": "nope", "new_title": "x"}) == 0


def test_returning_rows_and_one(db: Database) -> None:
    with db.write() as conn:
        assert _BUMP.one(conn) == (1, audit.GENESIS_HASH)
        assert _BUMP.first(conn) == (2, audit.GENESIS_HASH)
        assert _BUMP.scalar(conn) == 3
    with db.read() as conn:
        assert conn.execute(select(audit_head.c.seq)).scalar_one() == 3


def test_one_raises_like_result_one(db: Database) -> None:
    pick = Fast(select(runs.c.id).where(runs.c.graph == bindparam("graph")))
    with db.write() as conn:
        with pytest.raises(NoResultFound):
            pick.one(conn, {"graph": "nope"})
        conn.execute(insert(runs), {**_RUN, "id": "r2"})
        with pytest.raises(MultipleResultsFound):
            pick.one(conn, {"graph": "g"})
        assert sorted(pick.scalars(conn, {"graph": "g"})) == ["r1", "r2"]
        assert pick.first(conn, {"graph": "nope"}) is None


def test_insert_ignore_returns_the_new_id_then_none(db: Database) -> None:
    with db.write() as conn:
        new_id = insert_ignore_id(conn, review_items, {**_ITEM, "interrupt_id": "i2"}, ["interrupt_id"])
        again = insert_ignore_id(conn, review_items, {**_ITEM, "interrupt_id": "i2"}, ["interrupt_id"])
        row = {
            "event_id": "e1",
            "run_id": "r1",
            "graph": "g",
            "node": "n",
            "level": "low",
            "score": 0.1,
            "needs_review": False,
            "trigger_kinds": ",,",
            "policy_version": "v",
            "assessment_json": "{}",
            "created_at": 1.0,
        }
        assert insert_ignore(conn, assessments, row, ["event_id"]) is True
        assert insert_ignore(conn, assessments, row, ["event_id"]) is False
    assert new_id == 2 and again is None
    with db.read() as conn:
        item = queue.load_item(conn, 2)
    # Columns the caller left out get their ``default=``, as with execute.
    assert item is not None and (item.kind, item.version, item.blind, item.approvals_needed) == ("gate", 0, False, 1)


def test_runs_inside_the_callers_transaction(db: Database) -> None:
    bump = _BUMP
    with pytest.raises(RuntimeError), db.write() as conn:
        assert bump.scalar(conn) == 1
        # conn.execute sees what Fast wrote: one connection, one transaction.
        assert conn.execute(select(audit_head.c.seq)).scalar_one() == 1
        raise RuntimeError("roll back")
    with db.read() as conn:
        assert conn.execute(select(audit_head.c.seq)).scalar_one() == 0


def test_begins_a_transaction_like_execute_would(db: Database) -> None:
    with db.engine.connect() as conn:
        assert not conn.in_transaction()
        assert _BUMP.scalar(conn) == 1
        assert conn.in_transaction()
        conn.rollback()
    with db.read() as conn:
        assert conn.execute(select(audit_head.c.seq)).scalar_one() == 0


def _raised(action: Any) -> BaseException:
    try:
        action()
    except Exception as exc:
        return exc
    raise AssertionError("nothing was raised")


def test_unique_violation_raises_integrity_error_like_execute(db: Database) -> None:
    with db.write() as conn:
        audit._INSERT_EVENT.execute(conn, _EVENT)
    errors = []
    for run in (lambda c: c.execute(audit_events.insert(), _EVENT), lambda c: audit._INSERT_EVENT.execute(c, _EVENT)):
        with db.engine.connect() as conn, conn.begin():
            errors.append(_raised(lambda: run(conn)))  # noqa: B023 - called at once
    by_execute, by_fast = errors
    assert isinstance(by_fast, IntegrityError)
    assert type(by_fast) is type(by_execute)
    assert type(by_fast.orig) is type(by_execute.orig)  # type: ignore[attr-defined]
    assert by_fast.__cause__ is by_fast.orig


def test_missing_table_fails_like_execute_and_database_guard_sees_it(db: Database) -> None:
    ghost = Table("no_such_table", MetaData(), Column("id", Integer), Column("name", String(10)))
    stmt = select(ghost.c.name).where(ghost.c.id == bindparam("id"))
    errors = []
    for run in (lambda c: c.execute(stmt, {"id": 1}).all(), lambda c: Fast(stmt).all(c, {"id": 1})):
        with db.engine.connect() as conn, conn.begin():
            errors.append(_raised(lambda: run(conn)))  # noqa: B023 - called at once
    by_execute, by_fast = errors
    assert isinstance(by_fast, DBAPIError) and type(by_fast) is type(by_execute)
    if db.dialect == "sqlite":  # Database's guard turns SQLite's OperationalError into advice
        with pytest.raises(StorageError, match="no humangate tables"), db.read() as conn:
            Fast(stmt).all(conn, {"id": 1})


def test_a_missing_parameter_is_a_statement_error_like_execute(db: Database) -> None:
    stmt = select(runs.c.id).where(runs.c.id == bindparam("run_id"))
    with db.read() as conn:
        with pytest.raises(StatementError):
            conn.execute(stmt, {})
        with pytest.raises(StatementError):
            Fast(stmt).all(conn, {})


@pytest.mark.parametrize("dialect", [sqlite.dialect(), psycopg.dialect()], ids=["sqlite", "postgres"])
def test_refuses_statements_it_cannot_run_as_execute_does(dialect: Any) -> None:
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("n", Integer, default=lambda: 1))
    with pytest.raises(TypeError, match="Pass column 'n'"):
        Fast(table.insert(), columns=["id"])._plan(dialect)
    with pytest.raises(TypeError, match="expanding"):
        Fast(select(table.c.id).where(table.c.id.in_(bindparam("ids", expanding=True))))._plan(dialect)


# -- RiskPolicy.settings is merged once per gate --------------------------------------------------


def test_policy_settings_are_merged_once_and_match_a_fresh_merge() -> None:
    policy = RiskPolicy(overrides={"g": NodeOverrides(always_review=True), "g.n": NodeOverrides(sampling_rate=0.5)})
    first = policy.settings("g", "n")
    assert policy.settings("g", "n") is first
    assert first == policy._merge("g", "n")
    assert first.always_review and first.sampling_rate == 0.5
    assert policy.settings("g") is not first and policy.settings("g").sampling_rate == 0.05
    assert policy == RiskPolicy.from_toml_text(policy.to_toml())  # the cache is not part of equality


def test_policy_copies_with_other_overrides_do_not_share_settings() -> None:
    policy = RiskPolicy(overrides={"g": NodeOverrides(always_review=True)})
    assert policy.settings("g", "n").always_review
    changed = policy.model_copy(update={"overrides": {"g": NodeOverrides(always_review=False)}})
    assert not changed.settings("g", "n").always_review
    assert policy.settings("g", "n").always_review


def test_a_write_waits_for_a_busy_sqlite_then_says_so(tmp_path: Any) -> None:
    # BEGIN IMMEDIATE runs on the DB-API connection too; its errors still arrive as StorageError.
    settings = Settings(db_url=f"sqlite:///{tmp_path}/busy.db", sqlite_busy_timeout_ms=100)
    database = Database(settings)
    database.ensure_schema()
    holder = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(StorageError, match="database is locked"), database.write():
            pass
        holder.execute("COMMIT")
        with database.write() as conn:
            assert conn.execute(select(audit_head.c.seq)).scalar_one() == 0
    finally:
        holder.close()
        database.dispose()
