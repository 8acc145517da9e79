"""Logins are throttled per user and per address and audited; the audit chain is keyed and cross-checked."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from typer.testing import CliRunner

from humangate import Orchestrator, Settings
from humangate.checkpoints.database import Database
from humangate.checkpoints.schema import audit_events, audit_head, decisions, memory_backlog
from humangate.cli import app
from humangate.oversight.audit import _canonical, append_event

runner = CliRunner()
T0 = 1_800_000_000.0
GATED = {"recipient": "Bob Roy", "email": "bob@example.com", "topic": "Thanks for the call.", "require_approval": True}


class Clock:
    """A settable clock."""

    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    """Return Settings on a new SQLite database."""
    return Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "outbox")


@pytest.fixture
def clock() -> Clock:
    """Return a clock the test moves by hand."""
    return Clock()


@pytest.fixture
def orch(sqlite_settings: Settings, clock: Clock) -> Iterator[Orchestrator]:
    """Return an Orchestrator with two reviewers who can sign in."""
    with Orchestrator(sqlite_settings, clock=clock) as o:
        for name in ("alice", "bob"):
            o.add_user(name, "reviewer")
            o.set_password(name, f"{name}-secret")
        yield o


def _events(o: Orchestrator, kind: str) -> list[dict[str, object]]:
    with o.db.read() as conn:
        rows = conn.execute(select(audit_events.c.payload_json).where(audit_events.c.kind == kind)).scalars()
        return [json.loads(r) for r in rows]


def test_brute_force_logins_are_throttled_and_audited(orch: Orchestrator, sqlite_settings: Settings) -> None:
    for _ in range(3):  # the first few failures are free
        assert not orch.login("alice", "guess", address="203.0.113.9")
    assert not orch.login("alice", "guess", address="203.0.113.9")  # the fourth locks alice and the address
    # Locked: even the right password is not checked, from this address or any other.
    assert not orch.login("alice", "alice-secret", address="198.51.100.1")
    # The address is locked too: guessing another user's password from it gets nowhere.
    assert not orch.login("bob", "bob-secret", address="203.0.113.9")
    failed, throttled = _events(orch, "auth.login_failed"), _events(orch, "auth.login_throttled")
    assert len(failed) == 4 and len(throttled) == 2
    assert failed[-1]["locked_seconds"] == 1.0 and {e["address"] for e in failed} == {"203.0.113.9"}
    assert all("guess" not in json.dumps(e) and "secret" not in json.dumps(e) for e in failed + throttled)
    # The lock lives in the database: another process sees it.
    with Orchestrator(sqlite_settings, clock=orch.clock) as other:
        assert not other.login("alice", "alice-secret", address="198.51.100.1")
    orch.clock.t += 1.5  # type: ignore[attr-defined]
    assert not orch.login("alice", "guess", address="198.51.100.1")  # fifth failure: now locked for 2 s
    orch.clock.t += 1.0  # type: ignore[attr-defined]
    assert not orch.login("alice", "alice-secret", address="198.51.100.1")
    orch.clock.t += 1.5  # type: ignore[attr-defined]
    assert orch.login("alice", "alice-secret", address="198.51.100.1")
    assert orch.login("alice", "alice-secret", address="198.51.100.1")  # a success clears the user's count
    assert orch.verify_audit().ok


def test_the_audit_key_lives_outside_the_database(orch: Orchestrator, sqlite_settings: Settings) -> None:
    key_file = Path(f"{sqlite_settings.database.sqlite_path}.audit-key")
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    with orch.db.read() as conn:
        assert conn.execute(select(audit_head.c.keyed_from)).scalar_one() == 1
    os.chmod(key_file, 0o644)
    result = runner.invoke(app, ["audit", "verify", "--db", sqlite_settings.db_url])
    assert result.exit_code == 1 and "chmod 600" in result.output


def _rehash_plain(o: Orchestrator) -> None:
    """Rewrite the first event and re-hash every event after it with plain SHA-256, as a forger would."""
    with o.db.write() as conn:
        rows = conn.execute(select(audit_events).order_by(audit_events.c.seq)).all()
        prev = "0" * 64
        for i, row in enumerate(rows):
            payload = json.dumps({"name": "mallory", "role": "admin"}) if i == 0 else row.payload_json
            body = _canonical(
                {
                    "seq": row.seq,
                    "at": repr(row.at),
                    "actor": row.actor,
                    "kind": row.kind,
                    "run_id": row.run_id,
                    "item_id": row.item_id,
                    "payload": payload,
                }
            )
            digest = hashlib.sha256((prev + body).encode()).hexdigest()
            conn.execute(
                update(audit_events)
                .where(audit_events.c.seq == row.seq)
                .values(payload_json=payload, prev_hash=prev, hash=digest)
            )
            prev = digest
        conn.execute(update(audit_head).values(hash=prev))


def test_a_rehashed_forgery_fails_audit_verify(orch: Orchestrator, sqlite_settings: Settings) -> None:
    run = orch.start("notify", GATED)
    orch.decide(run.pending_items[0], {"action": "approve", "reviewer": "alice"})
    assert runner.invoke(app, ["audit", "verify", "--db", sqlite_settings.db_url]).exit_code == 0
    _rehash_plain(orch)
    result = runner.invoke(app, ["audit", "verify", "--db", sqlite_settings.db_url])
    assert result.exit_code == 1 and "was edited" in result.output
    with orch.db.write() as conn:  # pretending the chain was never keyed does not help either
        conn.execute(update(audit_head).values(keyed_from=None))
    result = runner.invoke(app, ["audit", "verify", "--db", sqlite_settings.db_url])
    assert result.exit_code == 1 and "not keyed although its audit key exists" in result.output


def test_a_chain_from_before_the_key_still_verifies_and_is_anchored(tmp_path: Path) -> None:
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'old.db'}", outbox_dir=tmp_path / "outbox")
    db = Database(settings)  # written as an older version did: plain SHA-256, no key anywhere
    db.ensure_schema()
    with db.write() as conn:
        for i in range(3):
            append_event(conn, actor="admin", kind="user.role_set", payload={"name": f"u{i}", "role": "reviewer"})
    db.dispose()
    with Orchestrator(settings) as o:
        with o.db.read() as conn:
            assert conn.execute(select(audit_head.c.keyed_from)).scalar_one() == 4
        o.add_user("alice", "reviewer")
        assert o.verify_audit().ok
        assert [e["plain_events"] for e in _events(o, "audit.keyed")] == [3]
        with o.db.write() as conn:  # editing a plain event is still caught: the keyed marker covers it
            conn.execute(update(audit_events).where(audit_events.c.seq == 2).values(payload_json="{}"))
        assert not o.verify_audit().ok


def test_audit_verify_reports_a_decision_without_its_event(orch: Orchestrator, sqlite_settings: Settings) -> None:
    run = orch.start("notify", GATED)
    orch.decide(run.pending_items[0], {"action": "approve", "reviewer": "alice"})
    other = orch.start("notify", GATED).pending_items[0]
    with orch.db.write() as conn:  # a decision row slipped in beside the service, with no event
        row = conn.execute(select(decisions)).mappings().one()
        forged = {k: v for k, v in row.items() if k != "id"} | {"reviewer": "bob", "item_id": other}
        forged["interrupt_id"] = "forged"
        conn.execute(decisions.insert().values(**forged))
    result = runner.invoke(app, ["audit", "verify", "--db", sqlite_settings.db_url, "--json"])
    assert result.exit_code == 1
    problems = [p["problem"] for p in json.loads(result.output)["problems"]]
    assert any("approve by bob" in p and "has no decision.recorded event" in p for p in problems)
    with orch.db.write() as conn:  # and an event whose decision row was deleted
        gone = conn.execute(select(decisions.c.id).where(decisions.c.reviewer == "alice")).scalar_one()
        conn.execute(delete(memory_backlog).where(memory_backlog.c.decision_id == gone))
        conn.execute(delete(decisions).where(decisions.c.id == gone))
    problems = [p.problem for p in orch.verify_audit().problems]
    assert any("which is missing" in p for p in problems)


def test_the_panel_throttles_logins_by_client_address_over_http(
    orch: Orchestrator, sqlite_settings: Settings, tmp_path: Path
) -> None:
    import httpx

    from tests.panel_support import PanelServer

    with (
        PanelServer(sqlite_settings.db_url, tmp_path / "panel.log") as panel,
        httpx.Client(base_url=panel.url.rstrip("/"), timeout=30) as client,
    ):
        codes = [
            client.post("/login", data={"username": f"user{i}", "password": "wrong-guess"}).status_code
            for i in range(4)
        ]
        # Four failures from one address, each under another name: the address is locked for everyone.
        right = client.post("/login", data={"username": "alice", "password": "alice-secret"}).status_code
    assert codes == [400, 400, 400, 400] and right == 400
    failed, throttled = _events(orch, "auth.login_failed"), _events(orch, "auth.login_throttled")
    assert [e["address"] for e in failed] == ["127.0.0.1"] * 4
    assert [(e["name"], e["address"]) for e in throttled] == [("alice", "127.0.0.1")]
    assert orch.verify_audit().ok  # the panel's process keyed its events with the same key file
