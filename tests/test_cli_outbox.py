"""`humangate outbox` and `humangate notifications`: effects that wait for a retry show, and `deliver` sends them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import outbox
from humangate.cli import app
from tests.smtp_support import MailServer

runner = CliRunner()


def hg(*args: str, code: int = 0) -> Any:
    """Run ``humangate ARGS --json`` and return its parsed output."""
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


def text_of(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MailServer]:
    s = MailServer(tls_dir=tmp_path).start()
    monkeypatch.setenv("HUMANGATE_DB_URL", f"sqlite:///{tmp_path / 'hg.db'}")
    monkeypatch.setenv("HUMANGATE_OUTBOX_DIR", str(tmp_path / "spool"))
    monkeypatch.setenv("HUMANGATE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("HUMANGATE_SMTP_PORT", str(s.port))
    monkeypatch.setenv("HUMANGATE_SMTP_FROM", "Support <support@example.com>")
    monkeypatch.setenv("HUMANGATE_SMTP_USERNAME", s.user)
    monkeypatch.setenv("HUMANGATE_SMTP_PASSWORD", "wrong")
    monkeypatch.setenv("HUMANGATE_SMTP_CA_FILE", str(s.ca_file))
    yield s
    s.stop()


def test_a_retry_shows_in_the_outbox_and_deliver_sends_it(server: MailServer, monkeypatch: pytest.MonkeyPatch) -> None:
    with Orchestrator(Settings.from_env()) as orch:
        note = {"recipient": "Ann Lee", "email": "ann@example.com", "topic": "Thanks for the meeting."}
        run = orch.start("notify", note)
    assert run.status == "completed" and server.arrived == []  # the login was refused: retried later

    listed = hg("outbox")
    (row,) = listed["effects"]
    assert listed["counts"]["pending"] == 1 and (row["kind"], row["to"], row["status"]) == (
        "email",
        note["email"],
        "pending",
    )
    assert "HUMANGATE_SMTP_PASSWORD" in row["last_error"]
    shown = text_of("outbox")
    assert "535" in shown and "next in 30 s" in shown
    assert "Outbox: 1 effect(s) waiting to be sent" in text_of("notifications")
    assert hg("notifications")["outbox"]["pending"] == 1
    assert hg("outbox", "deliver")["claimed"] == 0  # not due for another 30 s

    monkeypatch.setenv("HUMANGATE_SMTP_PASSWORD", server.password)  # the operator fixes the setting
    with Orchestrator(Settings.from_env()) as orch, orch.db.write() as conn:
        conn.execute(update(outbox).values(next_attempt_at=0.0))  # and the wait is over
    report = hg("outbox", "deliver")
    assert (report["claimed"], report["sent"], report["returned"]) == (1, 1, [])
    assert [a.rcpt_tos for a in server.arrived] == [("ann@example.com",)] and server.arrived[0].tls
    assert hg("outbox", "--status", "sent")["effects"][0]["attempts"] == 2
    assert "Outbox:" not in text_of("notifications")
    assert hg("outbox", "--status", "lost", code=2)["error"].startswith("Unknown status 'lost'")
