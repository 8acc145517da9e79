"""Exactly once across a crash between the SMTP send and its record, against a real SMTP server.

SMTP cannot take part in a database transaction, so the outbox marks a row ``sending`` before the SMTP
transaction and ``sent`` after it. A worker killed (SIGKILL, a real process) between the two leaves the
row ``sending``; recovery sends it again under the same key, so the copy carries the same Message-ID
and the receiver can drop it. A worker killed before the send leaves nothing to drop.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from humangate import Orchestrator
from humangate.checkpoints.schema import outbox
from humangate.effects import effect_key, message_id_for
from tests import smtp_crash_worker as worker
from tests.smtp_support import MailServer

HERE = Path(__file__).parent
RUNS = 3  # the worker dies on the third send; the first two went out and were recorded


@pytest.fixture
def server() -> Iterator[MailServer]:
    s = MailServer().start()
    yield s
    s.stop()


def test_a_crash_between_send_and_record_resends_under_the_same_message_id(
    db_url: str, tmp_path: Path, server: MailServer
) -> None:
    _crash_and_recover(db_url, tmp_path, server, "after")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the claim is the same; one backend shows it
def test_a_crash_before_the_send_sends_once(db_url: str, tmp_path: Path, server: MailServer) -> None:
    _crash_and_recover(db_url, tmp_path, server, "before")


def _crash_and_recover(db_url: str, tmp_path: Path, server: MailServer, when: str) -> None:
    """Kill a worker on its third send (``when``: before or after the SMTP transaction), recover, count arrivals."""
    settings = worker.settings_for(db_url, tmp_path / "spool", server.port)
    cmd = [sys.executable, str(HERE / "smtp_crash_worker.py"), db_url, str(settings.outbox_dir)]
    proc = subprocess.run([*cmd, str(server.port), when, str(RUNS)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert proc.stdout.split("\n").count("started run-0") == 1 and "started run-2" not in proc.stdout
    crashed = effect_key("run-2", "reply", 1)
    sent_before_recovery = RUNS if when == "after" else RUNS - 1
    assert len(server.arrived) == sent_before_recovery

    with Orchestrator(settings) as orch:
        with orch.db.read() as conn:
            left = conn.execute(select(outbox.c.status, outbox.c.claimed_by).where(outbox.c.key == crashed)).one()
        assert left.status == "sending" and left.claimed_by  # the dead worker's claim
        orch.reconcile()  # the run's reply node runs again and takes over the dead worker's claim
        orch.reconcile()
        orch.deliver_effects()
        assert all(orch.run(f"run-{i}").status == "completed" for i in range(RUNS))
        with orch.db.read() as conn:
            rows = {r.key: r for r in conn.execute(select(outbox))}

    ids = Counter(server.message_ids())
    expected = {message_id_for(effect_key(f"run-{i}", "reply", 1), "example.com") for i in range(RUNS)}
    assert set(ids) == expected  # every approved email arrived, under the Message-ID of its key
    resent = message_id_for(crashed, "example.com")
    # Sent, then killed before the record: one copy more, with the same Message-ID. Killed first: none.
    assert ids == Counter({**dict.fromkeys(expected, 1), resent: 2 if when == "after" else 1})
    assert {a.rcpt_tos for a in server.arrived} == {(f"user{i}@example.org",) for i in range(RUNS)}
    assert {k: (r.status, r.attempts) for k, r in rows.items()} == {
        **{effect_key(f"run-{i}", "reply", 1): ("sent", 1) for i in range(RUNS - 1)},
        crashed: ("sent", 2),
    }
