"""The audit chain stays one unbroken chain when writers' guesses of its head go stale, on both backends."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from humangate import Settings
from humangate.checkpoints.database import Database
from humangate.checkpoints.schema import audit_events, audit_head
from humangate.oversight.audit import append_event, verify_chain


@pytest.fixture
def databases(settings: Settings) -> Iterator[tuple[Database, Database]]:
    """Two engines on one database, as two processes would have: each keeps its own guess of the head."""
    first = Database(settings)
    first.ensure_schema()
    second = Database(settings)
    try:
        yield first, second
    finally:
        first.dispose()
        second.dispose()


def _seqs(db: Database) -> list[int]:
    with db.read() as conn:
        return list(conn.execute(select(audit_events.c.seq).order_by(audit_events.c.seq)).scalars())


def _verified(db: Database) -> int:
    with db.read() as conn:
        report = verify_chain(conn)
    assert report.ok, report.problems
    return report.events


def test_writers_take_turns_and_extend_one_chain(databases: tuple[Database, Database]) -> None:
    first, second = databases
    for i in range(6):
        db = second if i % 2 else first  # each engine's guess is stale whenever the other one wrote
        with db.write() as conn:
            assert append_event(conn, actor="a", kind="test.turn", payload={"i": i}) == 2 * i + 1
            assert append_event(conn, actor="a", kind="test.turn", payload={"i": i, "then": 1}) == 2 * i + 2
    assert _seqs(first) == list(range(1, 13))
    assert _verified(first) == 12


def test_a_rolled_back_append_leaves_no_gap(databases: tuple[Database, Database]) -> None:
    db, _ = databases
    with db.write() as conn:
        append_event(conn, actor="a", kind="test.kept")
    with pytest.raises(RuntimeError), db.write() as conn:
        append_event(conn, actor="a", kind="test.lost")
        append_event(conn, actor="a", kind="test.lost")
        raise RuntimeError("roll back")
    with db.write() as conn:  # the engine's guess says 3; the head says 1
        assert append_event(conn, actor="a", kind="test.kept") == 2
    assert _seqs(db) == [1, 2]
    assert _verified(db) == 2


def test_threads_of_two_engines_append_at_once(databases: tuple[Database, Database]) -> None:
    errors: list[BaseException] = []

    def work(db: Database, name: str) -> None:
        try:
            for i in range(25):
                with db.write() as conn:
                    append_event(conn, actor=name, kind="test.race", payload={"i": i})
        except BaseException as exc:  # reported below: a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(databases[i % 2], f"w{i}")) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert _seqs(databases[0]) == list(range(1, 101))
    assert _verified(databases[1]) == 100


def test_a_head_moved_by_hand_shows_in_verify(databases: tuple[Database, Database]) -> None:
    db, _ = databases
    with db.write() as conn:
        append_event(conn, actor="a", kind="test.one")
        append_event(conn, actor="a", kind="test.two")
    with db.write() as conn:  # someone rewinds the head to hide the last event
        conn.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=0, hash="0" * 64))
    with pytest.raises(IntegrityError), db.write() as conn:  # the next append cannot reuse seq 1 silently
        append_event(conn, actor="a", kind="test.three")
    with db.read() as conn:
        report = verify_chain(conn)
    assert not report.ok
