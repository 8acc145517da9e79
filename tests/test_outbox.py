"""The outbox's bookkeeping on SQLite and PostgreSQL: replays, backoff, claims, giving up, and the migration.

Senders here are fakes passed in (what they are asked to send is what the outbox decides); the real
SMTP and Slack senders are in ``test_smtp.py`` and ``test_slack_effect.py``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import func, select, text, update

from humangate import Orchestrator, Settings
from humangate.checkpoints.database import Database
from humangate.checkpoints.schema import outbox
from humangate.effects import Outbox
from humangate.errors import DeliveryFailed, EffectRefused
from humangate.oversight.background import Housekeeper

T0 = 1_700_000_000.0


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> float:
        return self.t


class Flaky:
    """A sender that fails its first ``fail`` calls (for good when ``permanent``), then records each send."""

    def __init__(self, fail: int = 0, *, permanent: bool = False) -> None:
        self.fail, self.permanent = fail, permanent
        self.sent: list[str] = []
        self.lock = threading.Lock()

    def check(self, payload: Mapping[str, Any]) -> None:
        if not payload.get("to"):
            raise EffectRefused("to", "", "is missing")

    def __call__(self, payload: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        with self.lock:
            if self.fail:
                self.fail -= 1
                raise DeliveryFailed("The server said no.", permanent=self.permanent)
            self.sent.append(key)
        return {"ok": True}


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings)
    database.ensure_schema()
    yield database
    database.dispose()


def _box(db: Database, sender: Flaky, clock: Clock, owner: str = "w1", **kw: Any) -> Outbox:
    return Outbox(db, {"email": sender}, owner=owner, clock=clock, **kw)


def _send(box: Outbox, key: str = "r:send:1") -> Any:
    return box.deliver(key=key, run_id="r", node="send", kind="email", payload={"to": "a@b.example"}, gate="review")


def _row(db: Database, key: str = "r:send:1") -> Any:
    with db.read() as conn:
        return conn.execute(select(outbox).where(outbox.c.key == key)).one()


def test_a_replay_sends_nothing_again(db: Database) -> None:
    sender, clock = Flaky(), Clock()
    box = _box(db, sender, clock)
    first, again = _send(box), _send(box)
    assert (first.status, first.replayed, again.status, again.replayed) == ("sent", False, "sent", True)
    assert sender.sent == ["r:send:1"] and again.result == {"ok": True}


def test_refused_payloads_and_unknown_kinds_write_nothing(db: Database) -> None:
    box = _box(db, Flaky(), Clock())
    with pytest.raises(EffectRefused):
        box.deliver(key="k", run_id="r", node="send", kind="email", payload={"to": ""})
    with pytest.raises(EffectRefused, match="HUMANGATE_SLACK_WEBHOOK_URL"):
        box.deliver(key="k", run_id="r", node="send", kind="slack", payload={"text": "hi"})
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(outbox)).scalar_one() == 0


def test_failures_back_off_then_give_up_for_a_person(db: Database) -> None:
    sender, clock = Flaky(fail=99), Clock()
    box = _box(db, sender, clock, max_attempts=4)
    assert _send(box).status == "pending"
    waits = []
    for _ in range(3):
        row = _row(db)
        waits.append(row.next_attempt_at - clock.t)
        clock.t = row.next_attempt_at - 1
        assert box.deliver_due().claimed == 0  # not before its time
        clock.t += 1
        box.deliver_due()
    assert waits == [30, 60, 120]
    row = _row(db)
    assert (row.status, row.attempts, row.held_at) == ("failed", 4, None)
    assert row.last_error == "The server said no. Gave up after 4 attempts."
    assert [e.key for e in box.to_hold()] == ["r:send:1"]
    box.mark_held("r:send:1")
    assert box.to_hold() == [] and sender.sent == []


def test_a_failure_for_good_is_not_retried(db: Database) -> None:
    sender, clock = Flaky(fail=1, permanent=True), Clock()
    box = _box(db, sender, clock)
    failed = _send(box)
    assert (failed.status, failed.error) == ("failed", "The server said no.")
    row = _row(db)
    assert row.held_at == T0  # the node that sent it took it back to its gate itself
    clock.t += 10_000
    assert box.deliver_due().claimed == 0 and _send(box).status == "failed" and sender.sent == []


def test_a_claim_is_taken_over_when_it_lapses_or_its_worker_is_dead(db: Database) -> None:
    clock = Clock()
    dead = {"w-dead"}
    # A send in progress elsewhere: the row is claimed for 300 s by a live worker.
    with db.write() as conn:
        conn.execute(
            outbox.insert().values(
                key="r:send:1", run_id="r", node="send", kind="email", payload_json='{"to": "a@b.example"}',
                status="sending", attempts=1, created_at=T0, next_attempt_at=T0 + 300, claimed_by="w-live",
            )
        )  # fmt: skip
    sender = Flaky()
    box = _box(db, sender, clock, abandoned=lambda owner: owner in dead)
    assert _send(box).status == "sending" and box.deliver_due().claimed == 0 and sender.sent == []
    clock.t += 301  # the claim lapsed: its worker is presumed lost
    assert box.deliver_due().sent == 1 and _row(db).attempts == 2
    with db.write() as conn:
        values = {"status": "sending", "claimed_by": "w-dead", "next_attempt_at": clock.t + 300}
        conn.execute(update(outbox).values(**values))
    assert box.deliver_due().sent == 1  # a dead worker's claim is taken at once
    assert sender.sent == ["r:send:1", "r:send:1"]


def test_concurrent_workers_send_each_due_effect_once(db: Database) -> None:
    clock, sender = Clock(), Flaky()
    with db.write() as conn:
        for i in range(20):
            conn.execute(
                outbox.insert().values(
                    key=f"r{i}:send:1", run_id=f"r{i}", node="send", kind="email",
                    payload_json='{"to": "a@b.example"}', status="pending", attempts=0, created_at=T0,
                    next_attempt_at=T0,
                )
            )  # fmt: skip
    boxes = [_box(db, sender, clock, owner=f"w{i}") for i in range(3)]
    gate = threading.Barrier(len(boxes))

    def work(box: Outbox) -> None:
        gate.wait()
        box.deliver_due()

    threads = [threading.Thread(target=work, args=(b,)) for b in boxes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(sender.sent) == sorted(f"r{i}:send:1" for i in range(20))


def test_the_migration_makes_old_pending_rows_due(tmp_path: Path) -> None:
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'old.db'}")
    db = Database(settings)
    try:
        with db.write() as conn:
            command.upgrade(db._alembic_config(conn), "0005_login_audit")
        with db.write() as conn:
            conn.execute(
                text(
                    "INSERT INTO outbox (key, run_id, node, kind, payload_json, status, attempts, created_at) "
                    "VALUES ('r:send:1', 'r', 'send', 'email', '{\"to\": \"a@b.example\"}', 'pending', 1, :t)"
                ),
                {"t": T0},
            )
        assert db.ensure_schema()
        row = _row(db)
        assert (row.next_attempt_at, row.gate, row.held_at) == (T0, None, None)
        sender = Flaky()
        assert _box(db, sender, Clock()).deliver_due().sent == 1 and sender.sent == ["r:send:1"]
    finally:
        db.dispose()


def test_the_panel_process_retries_effects_in_the_background(tmp_path: Path) -> None:
    sender = Flaky(fail=1)
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "spool")
    with Orchestrator(settings, senders={"email": sender}) as orch:
        note = {"recipient": "Ann Lee", "email": "ann@example.com", "topic": "Thanks for the meeting."}
        run = orch.start("notify", note)
        assert run.status == "completed" and sender.sent == []
        with orch.db.write() as conn:  # due now rather than in 30 s
            conn.execute(update(outbox).values(next_attempt_at=0.0))
        with Housekeeper(orch, interval=60, effects_interval=0.05):
            deadline = time.monotonic() + 20
            while not sender.sent and time.monotonic() < deadline:
                time.sleep(0.05)
        assert sender.sent == [f"{run.id}:send:1"]
