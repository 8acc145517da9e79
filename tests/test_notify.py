"""Signed webhooks against a real local HTTP receiver that verifies every signature, on both backends.

Times come from an injected clock: retries are driven by moving it past ``next_attempt_at``, never by
sleeping.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from humangate import Orchestrator, Settings
from humangate.checkpoints.database import Database
from humangate.checkpoints.schema import notifications
from humangate.cli import app
from humangate.errors import ConfigError
from humangate.oversight import delivery, notify
from humangate.oversight.delivery import Dispatcher
from humangate.oversight.notify import ItemFacts, enqueue, item_facts, sign, verify

runner = CliRunner()
T0 = 1_700_000_000.0
SECRET = "s3cret-for-tests"
GATED = {
    "recipient": "Bob Roy",
    "email": "bob@example.com",
    "topic": "Your refund is on its way.",
    "require_approval": True,
}
FACTS: ItemFacts = {
    "graph": "notify",
    "node": "review_send",
    "title": "Email to <Bob> & co, see https://evil.example/x",
    "risk_level": "high",
    "required_role": "reviewer",
    "due_at": T0 + 3600,
    "summary": "Refund promised <!channel>; triggers: impact.",
    "triggers": ["impact"],
}


class Clock:
    """A settable clock shared by the dispatcher and the receiver."""

    def __init__(self, t: float = T0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@dataclass
class Received:
    """One request the receiver got, and whether its signature verified."""

    headers: dict[str, str]
    body: bytes
    verified: bool


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 that answers the scripted statuses in turn, then 200."""

    clock: Callable[[], float]
    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0
    got: list[Received] = field(default_factory=list)
    url: str = ""

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers["Content-Length"]))
        ok = verify(SECRET, handler.headers.get(notify.SIGNATURE_HEADER, ""), body, now=self.clock())
        self.got.append(Received(dict(handler.headers.items()), body, ok))
        time.sleep(self.delay)
        status = self.statuses.pop(0) if self.statuses else 200
        answer = b"receiver is broken" if status >= 400 else b"ok"
        try:
            handler.send_response(status)
            handler.send_header("Content-Length", str(len(answer)))
            handler.end_headers()
            handler.wfile.write(answer)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the sender gave up waiting (the timeout test)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def receiver(clock: Clock) -> Iterator[Receiver]:
    rec = Receiver(clock)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            rec.handle(self)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    rec.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/abc"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield rec
    server.shutdown()
    server.server_close()
    thread.join()


def _utc(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _hostport(url: str) -> str:
    return url.split("/")[2]


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks"


@pytest.fixture
def make_db(db_url: str, tmp_path: Path) -> Iterator[Callable[..., tuple[Database, Settings]]]:
    """Open a migrated Database on the test's backend with the given webhook settings."""
    opened: list[Database] = []

    def make(url: str | None, fmt: Literal["json", "slack"] = "json") -> tuple[Database, Settings]:
        secret = SECRET if url is not None else None
        settings = Settings(db_url=db_url, webhook_url=url, webhook_secret=secret, webhook_format=fmt)
        db = Database(settings)
        db.ensure_schema()
        opened.append(db)
        return db, settings

    yield make
    for db in opened:
        db.dispose()


def _enqueue(db: Database, settings: Settings, *, now: float = T0, item_id: int = 7) -> int:
    with db.write() as conn:
        row_id = enqueue(conn, settings, event="item.queued", item_id=item_id, run_id="run-1", payload=FACTS, now=now)
    assert row_id is not None
    return row_id


def _row(db: Database, row_id: int) -> Any:
    with db.read() as conn:
        return conn.execute(select(notifications).where(notifications.c.id == row_id)).one()


def test_a_queued_item_is_delivered_once_signed(settings: Settings, receiver: Receiver, clock: Clock) -> None:
    hook = replace(settings, webhook_url=receiver.url, webhook_secret=SECRET)
    with Orchestrator(settings) as orch:  # no webhook here: the row below is the only one
        run = orch.start("notify", GATED)
        item = orch.item(run.pending_items[0])
        facts = item_facts(item, "A refund email waits for approval.")
        with orch.db.write() as conn:
            row_id = enqueue(conn, hook, event="item.queued", item_id=item.id, run_id=run.id, payload=facts, now=T0)
        assert row_id is not None
        dispatcher = Dispatcher(orch.db, hook, clock=clock)
        report = dispatcher.deliver_due()
        assert (report.claimed, report.delivered) == (1, 1)
        assert dispatcher.deliver_due().claimed == 0  # delivered rows are never sent again
        row = _row(orch.db, row_id)
        assert (row.status, row.attempts, row.delivered_at, row.next_attempt_at) == ("delivered", 1, T0, None)
        assert dispatcher.status_counts() == {"pending": 0, "delivered": 1, "failed": 0}
    [got] = receiver.got
    assert got.verified
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["X-Humangate-Event"] == "item.queued"
    assert got.headers["X-Humangate-Delivery"] == str(row_id)
    assert got.headers["X-Humangate-Signature"].startswith(f"t={int(T0)},v1=")
    assert got.body == row.payload_json.encode()
    body = json.loads(got.body)
    assert body == {
        "version": 1,
        "event": "item.queued",
        "occurred_at": "2023-11-14T22:13:20Z",
        "item_id": item.id,
        "run_id": run.id,
        "graph": "notify",
        "node": item.node,
        "title": item.title,
        "risk_level": item.risk_level,
        "required_role": "reviewer",
        "due_at": None if item.due_at is None else _utc(item.due_at),
        "triggers": list(item.trigger_kinds),
        "summary": "A refund email waits for approval.",
    }


def test_slack_format_is_an_escaped_incoming_webhook_message(
    make_db: Callable[..., tuple[Database, Settings]], receiver: Receiver, clock: Clock
) -> None:
    db, settings = make_db(receiver.url, "slack")
    _enqueue(db, settings)
    assert Dispatcher(db, settings, clock=clock).deliver_due().delivered == 1
    [got] = receiver.got
    assert got.verified
    body = json.loads(got.body)
    assert set(body) == {"text", "blocks", "humangate"}
    [block] = body["blocks"]
    assert block["type"] == "section" and block["text"]["type"] == "mrkdwn"
    text = block["text"]["text"]
    assert "&lt;Bob&gt; &amp; co" in text and "&lt;!channel&gt;" in text
    assert "<" not in text.replace("&lt;", "") and "https://" not in text and "https[:]//evil.example" in text
    assert text.startswith("*Review needed* · high risk · for a reviewer")
    assert "due 2023-11-14T23:13:20Z" in text
    assert "<" not in body["text"] and body["text"].startswith("Review needed: Email to &lt;Bob&gt;")
    data = body["humangate"]
    assert (data["event"], data["item_id"], data["run_id"], data["graph"]) == ("item.queued", 7, "run-1", "notify")
    assert data["title"] == "Email to <Bob> & co, see https[:]//evil.example/x"  # structured data is not HTML-escaped


def test_server_errors_are_retried_with_backoff(
    make_db: Callable[..., tuple[Database, Settings]], receiver: Receiver, clock: Clock
) -> None:
    db, settings = make_db(receiver.url)
    receiver.statuses = [500, 500]
    row_id = _enqueue(db, settings)
    dispatcher = Dispatcher(db, settings, clock=clock)

    assert dispatcher.deliver_due().retrying == 1
    row = _row(db, row_id)
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, T0 + 2)
    assert row.last_error == (
        f"{_hostport(receiver.url)} answered HTTP 500 Internal Server Error: receiver is broken "
        "Attempt 1 of 6; next in 2 s."
    )
    clock.t = T0 + 1.9
    assert dispatcher.deliver_due().claimed == 0  # not due yet
    clock.t = T0 + 2
    assert dispatcher.deliver_due().retrying == 1
    row = _row(db, row_id)
    assert (row.attempts, row.next_attempt_at) == (2, T0 + 2 + 4)
    clock.t = T0 + 6
    assert dispatcher.deliver_due().delivered == 1
    row = _row(db, row_id)
    assert (row.status, row.attempts, row.delivered_at) == ("delivered", 3, T0 + 6)
    assert [g.verified for g in receiver.got] == [True, True, True]
    assert {g.headers["X-Humangate-Delivery"] for g in receiver.got} == {str(row_id)}  # one id: receivers dedupe
    assert [g.headers["X-Humangate-Signature"].split(",")[0] for g in receiver.got] == [
        f"t={int(T0)}",
        f"t={int(T0) + 2}",
        f"t={int(T0) + 6}",
    ]


def test_a_receiver_that_is_down_fails_visibly(make_db: Callable[..., tuple[Database, Settings]], clock: Clock) -> None:
    db, settings = make_db(_closed_port_url())
    row_id = _enqueue(db, settings)
    dispatcher = Dispatcher(db, settings, clock=clock, max_attempts=3, timeout=2.0)
    for attempt in (1, 2):
        assert dispatcher.deliver_due().retrying == 1
        row = _row(db, row_id)
        assert (row.status, row.attempts) == ("pending", attempt)
        assert row.last_error.startswith("Could not connect to 127.0.0.1:")
        assert row.last_error.endswith(f"Attempt {attempt} of 3; next in {2**attempt} s.")
        clock.t = row.next_attempt_at
    assert dispatcher.deliver_due().failed == 1
    row = _row(db, row_id)
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 3, None)
    assert "Connection refused" in row.last_error and row.last_error.endswith("Gave up after 3 attempts.")
    clock.t += 10_000
    assert dispatcher.deliver_due().claimed == 0
    [failure] = dispatcher.failures()
    assert (failure.id, failure.status, failure.last_error) == (row_id, "failed", row.last_error)
    assert failure.target.startswith("http://127.0.0.1:") and failure.target.endswith("/…")
    assert dispatcher.status_counts() == {"pending": 0, "delivered": 0, "failed": 1}
    human = runner.invoke(app, ["notifications", "--status", "failed", "--db", settings.db_url])
    assert human.exit_code == 0 and f"#{row_id} failed: Could not connect to 127.0.0.1:" in human.stdout


def test_a_slow_receiver_times_out(
    make_db: Callable[..., tuple[Database, Settings]], receiver: Receiver, clock: Clock
) -> None:
    db, settings = make_db(receiver.url)
    receiver.delay = 0.5
    row_id = _enqueue(db, settings)
    assert Dispatcher(db, settings, clock=clock, timeout=0.1).deliver_due().retrying == 1
    assert _row(db, row_id).last_error == (
        f"No answer from {_hostport(receiver.url)} within 0.1 s. Attempt 1 of 6; next in 2 s."
    )


def test_two_dispatchers_never_send_a_row_twice(
    make_db: Callable[..., tuple[Database, Settings]], receiver: Receiver, clock: Clock
) -> None:
    db, settings = make_db(receiver.url)
    ids = {_enqueue(db, settings, item_id=i) for i in range(20)}
    db2, _ = make_db(receiver.url)  # a second engine: a second process's connections
    dispatchers = [Dispatcher(db, settings, clock=clock), Dispatcher(db2, settings, clock=clock)]
    gate = threading.Barrier(2)
    reports: list[Any] = []

    def work(d: Dispatcher) -> None:
        gate.wait()
        reports.extend(d.deliver_due(limit=5) for _ in range(6))

    threads = [threading.Thread(target=work, args=(d,)) for d in dispatchers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.delivered for r in reports) == 20
    assert sorted(int(g.headers["X-Humangate-Delivery"]) for g in receiver.got) == sorted(ids)


def test_the_background_thread_delivers_and_stops(
    make_db: Callable[..., tuple[Database, Settings]], receiver: Receiver, clock: Clock
) -> None:
    db, settings = make_db(receiver.url)
    _enqueue(db, settings)
    dispatcher = Dispatcher(db, settings, clock=clock)
    dispatcher.start(interval=0.05)
    try:
        deadline = time.monotonic() + 10
        while dispatcher.status_counts()["delivered"] != 1 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        dispatcher.stop()
    assert dispatcher.status_counts()["delivered"] == 1 and len(receiver.got) == 1


def test_a_failing_pass_is_logged_and_the_thread_survives(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(
        db_url=f"sqlite:///{tmp_path / 'empty.db'}", webhook_url="http://127.0.0.1:9/", webhook_secret=SECRET
    )
    db = Database(settings)  # never migrated: every pass fails with "no humangate tables"
    dispatcher = Dispatcher(db, settings)
    with caplog.at_level("ERROR", logger="humangate.oversight.notify"):
        dispatcher.start(interval=0.01)
        deadline = time.monotonic() + 10
        while len(caplog.records) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        dispatcher.stop()
    db.dispose()
    assert len(caplog.records) >= 2  # it kept going after the first failure
    assert "run `humangate db upgrade" in str(caplog.records[0].exc_info[1])  # type: ignore[index]


def test_no_webhook_means_no_rows(make_db: Callable[..., tuple[Database, Settings]]) -> None:
    db, settings = make_db(None)
    with db.write() as conn:
        assert enqueue(conn, settings, event="item.queued", item_id=1, run_id="r", payload=FACTS, now=T0) is None
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(notifications)).scalar_one() == 0
    with pytest.raises(ConfigError, match="HUMANGATE_WEBHOOK_SECRET"):
        Dispatcher(db, settings)


def test_verify_refuses_tampering_wrong_secrets_and_old_signatures() -> None:
    body = b'{"event":"item.queued","item_id":7}'
    header = sign(SECRET, int(T0), body)
    assert verify(SECRET, header, body, now=T0 + 299)
    assert not verify(SECRET, header, body.replace(b"7", b"8"), now=T0)
    assert not verify("another-secret", header, body, now=T0)
    assert not verify(SECRET, header, body, now=T0 + 301)  # a replay after the tolerance
    assert not verify(SECRET, header, body, now=T0 - 301)
    assert verify(SECRET, f"t={int(T0)},v1={'0' * 64},{header.split(',')[1]}", body, now=T0)  # rotation: any v1
    for bad in ("", "t=abc,v1=00", f"t={int(T0)}", header.split(",")[1], "garbage", f"t={int(T0)},v1=é"):
        assert not verify(SECRET, bad, body, now=T0), bad


def test_notifications_command_lists_and_delivers(
    db_url: str, receiver: Receiver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    receiver.clock = time.time  # the command signs with the real clock
    monkeypatch.setenv("HUMANGATE_WEBHOOK_URL", receiver.url)
    monkeypatch.setenv("HUMANGATE_WEBHOOK_SECRET", SECRET)
    settings = Settings.from_env(db_url=db_url)
    with Orchestrator(settings) as orch, orch.db.write() as conn:
        enqueue(conn, settings, event="item.expired", item_id=3, run_id="run-9", payload=FACTS, now=time.time())

    def hg(*args: str, code: int = 0) -> Any:
        result = runner.invoke(app, [*args, "--db", db_url, "--json"])
        assert result.exit_code == code, result.output
        return json.loads(result.stdout)

    listed = hg("notifications")
    assert listed["counts"] == {"pending": 1, "delivered": 0, "failed": 0}
    [row] = listed["notifications"]
    assert (row["event"], row["item_id"], row["status"], row["attempts"]) == ("item.expired", 3, "pending", 0)
    assert "url" not in row and row["target"].endswith("/…")  # a Slack URL's path is its secret
    assert hg("notifications", "deliver") == {"claimed": 1, "delivered": 1, "retrying": 0, "failed": 0}
    assert [g.verified for g in receiver.got] == [True]
    assert hg("notifications", "--status", "delivered")["notifications"][0]["status"] == "delivered"
    assert hg("notifications", "--status", "failed")["notifications"] == []
    assert "Unknown status 'lost'" in hg("notifications", "--status", "lost", code=2)["error"]
    human = runner.invoke(app, ["notifications", "--db", db_url])
    assert human.exit_code == 0 and "item.expired" in human.stdout and "1 delivered" in human.stdout
    monkeypatch.delenv("HUMANGATE_WEBHOOK_URL")
    monkeypatch.delenv("HUMANGATE_WEBHOOK_SECRET")
    assert "HUMANGATE_WEBHOOK_SECRET" in hg("notifications", "deliver", code=1)["error"]


@pytest.mark.parametrize(
    ("event", "headline"),
    [("item.queued", "Review needed"), ("item.escalated", "Review escalated"), ("item.expired", "Review expired")],
)
def test_each_event_has_its_slack_headline(event: notify.NotifyEvent, headline: str) -> None:
    body = json.loads(notify.render_body("slack", event=event, item_id=1, run_id="r", facts=FACTS, now=T0))
    assert body["text"].startswith(f"{headline}: ") and body["blocks"][0]["text"]["text"].startswith(f"*{headline}*")
    assert body["humangate"]["event"] == event


def test_notify_still_exports_what_moved_to_delivery() -> None:
    assert all(hasattr(notify, name) for name in notify.__all__)
    assert set(delivery.__all__) <= set(notify.__all__)
    assert all(getattr(notify, name) is getattr(delivery, name) for name in delivery.__all__)
