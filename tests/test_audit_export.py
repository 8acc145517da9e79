"""The audit export: real ``notify`` runs decided by a person, exported as JSONL and checked line by line."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import audit_events, decisions, review_items
from humangate.cli import app
from humangate.oversight._audit_key import audit_key_path, load_audit_key
from humangate.oversight.audit import GENESIS_HASH
from humangate.oversight.export import export_audit, parse_time

runner = CliRunner()
T0 = 1_700_006_400.0  # 2023-11-15T00:00:00Z
DAY = 86_400.0
GATED = {
    "recipient": "Bob Roy",
    "email": "bob@example.com",
    "topic": "Your refund is on its way.",
    "require_approval": True,
}
CALM = {"recipient": "Ann Lee", "email": "ann@example.com", "topic": "Thanks for the meeting."}


class Clock:
    """A settable clock for the Orchestrator."""

    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> float:
        return self.t


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _rehash(line: dict[str, Any], key: bytes) -> str:
    """Recompute an event's hash from the exported line and the audit key, as an outside auditor would."""
    body = _canonical(
        {
            "seq": line["seq"],
            "at": repr(line["at_unix"]),
            "actor": line["actor"],
            "kind": line["kind"],
            "run_id": line["run_id"],
            "item_id": line["item_id"],
            "payload": _canonical(line["payload"]),
        }
    )
    return hmac.new(key, (line["prev_hash"] + body).encode(), hashlib.sha256).hexdigest()


def _export(orch: Orchestrator, **filters: Any) -> list[dict[str, Any]]:
    buf = io.StringIO()
    with orch.db.read() as conn:
        count = export_audit(conn, buf, **filters)
    lines = [json.loads(text) for text in buf.getvalue().splitlines()]
    assert count == len(lines)
    return lines


@pytest.fixture
def story(settings: Settings) -> dict[str, Any]:
    """Day 0: a run waits and alice approves it; day 1: a calm run passes, another is rejected by bob."""
    clock = Clock()
    with Orchestrator(settings, clock=clock) as orch:
        orch.add_user("alice", "reviewer")
        orch.add_user("bob", "reviewer")
        first = orch.start("notify", GATED)
        clock.t += 600
        orch.decide(first.pending_items[0], {"action": "approve", "reviewer": "alice"})
        clock.t = T0 + DAY
        orch.start("notify", CALM)
        second = orch.start("notify", GATED)
        clock.t += 60
        orch.decide(second.pending_items[0], {"action": "reject", "reviewer": "bob", "reason_code": "policy"})
    return {"first": first.id, "second": second.id, "items": [first.pending_items[0], second.pending_items[0]]}


def test_the_export_is_the_whole_chain_with_what_each_reviewer_saw(settings: Settings, story: dict[str, Any]) -> None:
    with Orchestrator(settings) as orch:
        lines = _export(orch)
        with orch.db.read() as conn:
            total = conn.execute(select(func.count()).select_from(audit_events)).scalar_one()
            stored = {r.item_id: r for r in conn.execute(select(decisions))}
            requests = dict(conn.execute(select(review_items.c.id, review_items.c.request_json)).all())
    assert len(lines) == total and [x["seq"] for x in lines] == list(range(1, total + 1))
    key, _ = load_audit_key(audit_key_path(settings))  # the chain is keyed: plain SHA-256 cannot rebuild it
    prev = GENESIS_HASH
    for line in lines:
        assert list(line)[:10] == [
            "seq", "at", "at_unix", "actor", "kind", "run_id", "item_id", "payload", "prev_hash", "hash"
        ]  # fmt: skip
        assert line["prev_hash"] == prev and _rehash(line, key) == line["hash"]
        assert line["at"].endswith("Z") and parse_time(line["at"], now=0) == pytest.approx(line["at_unix"], abs=1e-6)
        prev = line["hash"]
    decided = [x for x in lines if x["kind"] == "decision.recorded"]
    assert [(d["item_id"], d["actor"]) for d in decided] == list(zip(story["items"], ["alice", "bob"], strict=True))
    for d in decided:
        review = d["review"]
        assert review["request_json"] == requests[d["item_id"]]  # byte for byte what was stored and shown
        assert hashlib.sha256(review["request_json"].encode()).hexdigest() == review["request_sha256"]
        assert review["request_sha256"] == stored[d["item_id"]].request_sha256 == d["payload"]["request_sha256"]
        assert review["request_sha256_ok"] is True and review["decision_id"] == stored[d["item_id"]].id
        assert json.loads(review["request_json"])["graph"] == "notify"
    assert all("review" not in x for x in lines if x["kind"] != "decision.recorded")


def test_an_edited_request_is_flagged(settings: Settings, story: dict[str, Any]) -> None:
    with Orchestrator(settings) as orch:
        with orch.db.write() as conn:
            conn.execute(
                update(review_items)
                .where(review_items.c.id == story["items"][0])
                .values(request_json=review_items.c.request_json + " ")
            )
        flags = {x["item_id"]: x["review"]["request_sha256_ok"] for x in _export(orch) if "review" in x}
    assert flags == {story["items"][0]: False, story["items"][1]: True}


def test_since_and_run_filters(settings: Settings, story: dict[str, Any]) -> None:
    with Orchestrator(settings) as orch:
        later = _export(orch, since=T0 + DAY)
        first = _export(orch, run_id=story["first"])
        both = _export(orch, since=T0 + DAY, run_id=story["first"])
        with orch.db.read() as conn:
            n_later = conn.execute(select(func.count()).where(audit_events.c.at >= T0 + DAY)).scalar_one()
            n_first = conn.execute(select(func.count()).where(audit_events.c.run_id == story["first"])).scalar_one()
    assert len(later) == n_later and all(x["at_unix"] >= T0 + DAY for x in later)
    assert story["second"] in {x["run_id"] for x in later} and story["first"] not in {x["run_id"] for x in later}
    assert len(first) == n_first >= 4 and {x["run_id"] for x in first} == {story["first"]}
    assert first[0]["kind"] == "run.started" and "decision.recorded" in {x["kind"] for x in first}
    assert both == []
    assert [x["seq"] for x in later] == sorted(x["seq"] for x in later)


def test_parse_time_reads_unix_iso_and_durations() -> None:
    assert parse_time("1700006400", now=0) == T0
    assert parse_time("1700006400.5", now=0) == T0 + 0.5
    assert parse_time("2023-11-15", now=0) == T0
    assert parse_time("2023-11-15T01:00:00+01:00", now=0) == T0
    assert parse_time("2d", now=T0 + 2 * DAY) == T0
    for bad in ("yesterday", "nan", "inf", ""):
        with pytest.raises(ValueError, match=r"Cannot read --since .*UNIX seconds"):
            parse_time(bad, now=T0)


def test_audit_export_command(settings: Settings, story: dict[str, Any], tmp_path: Path) -> None:
    url = settings.db_url
    result = runner.invoke(app, ["audit", "export", "--db", url])
    assert result.exit_code == 0, result.output
    to_stdout = [json.loads(text) for text in result.stdout.splitlines()]
    assert to_stdout[0]["seq"] == 1 and any("review" in x for x in to_stdout)

    out = tmp_path / "audit.jsonl"
    args = ["audit", "export", "--out", str(out), "--since", "2023-11-16", "--run", story["second"], "--db", url]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(text) for text in out.read_text(encoding="utf-8").splitlines()]
    assert json.loads(result.stdout) == {"events": len(lines), "out": str(out)}
    assert lines and {x["run_id"] for x in lines} == {story["second"]}
    since_unix = runner.invoke(app, ["audit", "export", "--since", str(int(T0 + DAY)), "--db", url])
    assert (
        since_unix.stdout.splitlines()
        == runner.invoke(app, ["audit", "export", "--since", "2023-11-16", "--db", url]).stdout.splitlines()
    )

    human = runner.invoke(app, ["audit", "export", "--out", str(out), "--db", url])
    assert human.exit_code == 0 and f"Wrote {len(to_stdout)} audit events to" in human.stdout

    bad = runner.invoke(app, ["audit", "export", "--since", "last tuesday", "--db", url, "--json"])
    assert bad.exit_code == 2 and "Cannot read --since 'last tuesday'" in json.loads(bad.stdout)["error"]
    unknown = runner.invoke(app, ["audit", "export", "--run", "nope", "--db", url, "--json"])
    assert unknown.exit_code == 1 and "No run 'nope'" in json.loads(unknown.stdout)["error"]
    unwritable = runner.invoke(app, ["audit", "export", "--out", str(tmp_path / "no" / "such.jsonl"), "--db", url])
    assert (
        unwritable.exit_code == 1
        and "Cannot write" in unwritable.stderr
        and "choose another --out" in unwritable.stderr
    )
