"""The command line, run in-process: demo, queue, show, decide with its errors, runs, audit verify."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from humangate import Orchestrator, Settings
from humangate.cli import app
from humangate.graphs.common import GraphDeps
from humangate.risk import RiskPolicy
from tests.api_support import GATED

runner = CliRunner()


def hg(db_url: str, *args: str, code: int = 0) -> Any:
    """Run ``humangate ARGS --db URL --json`` and return its parsed output."""
    result = runner.invoke(app, [*args, "--db", db_url, "--json"])
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


@pytest.fixture
def demo_db(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("HUMANGATE_OUTBOX_DIR", str(tmp_path / "outbox"))
    hg(db_url, "demo")
    return db_url


def test_demo_pauses_exactly_where_it_should(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUMANGATE_OUTBOX_DIR", str(tmp_path / "outbox"))
    runs = {r["label"]: r for r in hg(db_url, "demo")["runs"]}
    queue = {i["run_id"]: i for i in hg(db_url, "queue", "--limit", "100")["items"]}

    def waits(label: str) -> tuple[str, set[str]] | None:
        item = queue.get(runs[label]["id"])
        return (item["node"], set(item["triggers"])) if item else None

    # Outreach: the conflicting company and the injected page stop at the brief; the task asked for
    # approval, so every other email stops before it is sent.
    lumen = waits("Bruno Ferraz (Lumen Robotics)")
    assert lumen is not None and lumen[0] == "review_brief" and "data_quality" in lumen[1]
    harbor = waits("Chen Wei (Harbor Freight Labs)")
    assert harbor is not None and harbor[0] == "review_brief" and "injection" in harbor[1]
    for calm in ("Ana Okafor (Northwind Analytics)", "Dana Novak (Quill Legal)"):
        stop = waits(calm)
        assert stop is not None and stop[0] == "review_send" and "impact" in stop[1]
    # Support: calm tickets are answered, angry, churning, legal and refund ones wait for a person.
    answered = {label for label, r in runs.items() if r["graph"] == "support" and r["status"] == "completed"}
    from humangate.data.demo import demo_support_cases

    # The escalation router, at the default policy's 95% recall, also holds two thank-you notes: the price
    # of its guarantee, named here so that any other change in what pauses shows.
    false_holds = {"Tom Becker", "Emma Wilson"}
    for message, expected in demo_support_cases():  # the sample data's own labels decide what must pause
        must_pause = bool(expected["flags"]) or expected["label"] == "negative"
        assert not (must_pause and message.customer in false_holds)
        assert (message.customer in answered) != (must_pause or message.customer in false_holds), (
            message.customer,
            expected,
        )
    assert len(answered) == 4
    legal = next(i for i in queue.values() if "lawyer" in json.dumps(hg(db_url, "show", str(i["id"]))["request"]))
    assert legal["risk_level"] == "critical" and legal["required_role"] == "expert"
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == len(answered)


def test_decide_from_the_command_line(demo_db: str, tmp_path: Path) -> None:
    items = hg(demo_db, "queue", "--node", "review_send")["items"]
    draft = hg(demo_db, "show", str(items[0]["id"]))["request"]["proposal"]
    fixed = tmp_path / "fixed.json"
    fixed.write_text(json.dumps(draft | {"body": draft["body"] + "\n\nP.S. Edited by a person."}))
    out = hg(demo_db, "decide", str(items[0]["id"]), "--as", "demo-reviewer", "--edit", str(fixed), "--reason", "tone")
    assert (out["run"]["status"], out["run"]["outcome"]) == ("completed", "approved")
    assert "Edited by a person" in "".join(p.read_text() for p in (tmp_path / "outbox").glob("*.eml"))
    timeline = hg(demo_db, "runs", out["run"]["id"])["timeline"]
    # An approval may be sampled for a second look (audit.queued): deterministic per run id, which is random.
    assert [e["kind"] for e in timeline if e["kind"] != "audit.queued"][-2:] == ["decision.recorded", "run.completed"]
    # Memory stores the decision behind it; reading memory catches up first.
    assert hg(demo_db, "memory", "list")[0]["item_id"] == items[0]["id"]
    assert hg(demo_db, "runs", out["run"]["id"])["timeline"][-1]["kind"] == "memory.recorded"


def test_runs_shows_the_operator_a_runs_canary_events(tmp_path: Path) -> None:
    # The API keeps canary events from reviewers' tokens (tests/test_redteam_api.py); the command line is the
    # operator's view of the database and must still show who caught or missed a canary.
    url = f"sqlite:///{tmp_path / 'hg.db'}"
    policy = RiskPolicy.from_toml_text('version = "cli-1"\n[defaults]\ncanary_rate = 1.0\n')
    with Orchestrator(Settings(db_url=url, outbox_dir=tmp_path / "outbox"), deps=GraphDeps(policy=policy)) as o:
        for name in ("alice", "bob"):
            o.add_user(name, "reviewer")
        o.decide(o.start("notify", GATED).pending_items[0], {"action": "approve", "reviewer": "bob"})
        o.start("notify", GATED | {"recipient": "Cy Ng", "email": "cy@example.com"})
        canary = next(i for i in o.pending(limit=10).items if i.kind == "canary")
        o.decide(canary.id, {"action": "approve", "reviewer": "alice"})
    kinds = [e["kind"] for e in hg(url, "runs", canary.run_id)["timeline"]]
    assert any(k.startswith("canary.") for k in kinds), kinds


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["decide", "999", "--as", "demo-reviewer", "--approve"], "No review item 999"),
        (["decide", "{item}", "--as", "demo-reviewer", "--reject"], "needs a reason_code"),
        (["decide", "{item}", "--as", "demo-reviewer", "--edit", "{bad}", "--reason", "tone"], "not valid JSON"),
        (["decide", "{item}", "--as", "demo-reviewer", "--edit", "{list}", "--reason", "tone"], "JSON object"),
        (
            ["decide", "{item}", "--as", "demo-reviewer", "--edit", "{missing}", "--reason", "tone"],
            "Cannot read edit file",
        ),
        (["decide", "{item}", "--as", "nobody", "--approve"], "Unknown reviewer 'nobody'"),
        (["decide", "{item}", "--as", "demo-reviewer", "--approve", "--reject"], "exactly one of"),
        (["queue", "--risk", "extreme"], "Unknown risk level"),
    ],
)
def test_cli_errors_are_clear(demo_db: str, tmp_path: Path, args: list[str], message: str) -> None:
    item = hg(demo_db, "queue", "--risk", "high")["items"][0]["id"]
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "list.json").write_text("[1, 2]")
    paths = {
        "item": str(item),
        "bad": str(tmp_path / "bad.json"),
        "list": str(tmp_path / "list.json"),
        "missing": str(tmp_path / "missing.json"),
    }
    before = hg(demo_db, "queue")
    result = runner.invoke(app, [a.format(**paths) for a in args] + ["--db", demo_db, "--json"])
    assert result.exit_code in (1, 2)
    assert message in json.loads(result.stdout)["error"]
    assert hg(demo_db, "queue") == before


def test_already_decided_is_reported(demo_db: str) -> None:
    item = str(hg(demo_db, "queue", "--risk", "high")["items"][0]["id"])
    hg(demo_db, "decide", item, "--as", "demo-reviewer", "--reject", "--reason", "policy")
    result = runner.invoke(app, ["decide", item, "--as", "demo-reviewer", "--approve", "--db", demo_db])
    assert result.exit_code == 1
    assert "already decided" in result.stderr


def test_audit_verify_names_the_row_edited_by_hand(demo_db: str, settings: Settings) -> None:
    assert hg(demo_db, "audit", "verify") == {
        "ok": True,
        "events": hg(demo_db, "audit", "verify")["events"],
        "problems": [],
    }
    with Orchestrator(settings.with_db(demo_db)) as o:
        url = o.db.url.sqlalchemy_url
    engine = create_engine(url)
    with engine.begin() as conn:  # a person with database access rewrites history
        conn.execute(text("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 5"))
    engine.dispose()
    report = hg(demo_db, "audit", "verify", code=1)
    assert report["ok"] is False
    assert report["problems"] == [{"seq": 5, "problem": report["problems"][0]["problem"]}]
    assert "was edited" in report["problems"][0]["problem"]
    human = runner.invoke(app, ["audit", "verify", "--db", demo_db])
    assert human.exit_code == 1 and "event 5" in human.stderr


def test_deleted_audit_rows_are_detected(demo_db: str, settings: Settings) -> None:
    with Orchestrator(settings.with_db(demo_db)) as o:
        url = o.db.url.sqlalchemy_url
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = 3"))
    engine.dispose()
    problems = hg(demo_db, "audit", "verify", code=1)["problems"]
    assert problems[0]["seq"] == 4 and "removed" in problems[0]["problem"]


def test_run_plans_a_task_and_starts_one_run_per_item(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUMANGATE_OUTBOX_DIR", str(tmp_path / "outbox"))
    from humangate.data.demo import demo_root

    sources = Path(str(demo_root().joinpath("sources")))  # the consistent sample companies
    people = tmp_path / "people.csv"
    people.write_text(
        "company,name,email,sources\nNorthwind Analytics,Ada Lind,ada@northwind.example,northwind-analytics\n"
        "Quill Legal,Bo Berg,bo@quill.example,quill-legal\n"
    )
    task = "Research these companies, draft an intro email to each, and let me approve before anything is sent."
    runs = hg(db_url, "run", task, "--input", str(people), "--source", str(sources))["runs"]
    assert [(r["graph"], r["status"]) for r in runs] == [("outreach", "paused"), ("outreach", "paused")]
    nodes = {i["node"] for i in hg(db_url, "queue")["items"]}
    assert nodes == {"review_send"}
    # No email column is no longer a whole-task error (the send gate waits for an address); no sources stops it.
    (tmp_path / "bad.csv").write_text("company,name\nAcme Tools,Ada\n")
    result = runner.invoke(app, ["run", task, "--input", str(tmp_path / "bad.csv"), "--db", db_url])
    assert result.exit_code == 1 and "have no sources" in result.stderr and "--no-sources" in result.stderr
    assert "has no recipient email" in result.stdout  # the plan said so before refusing
    result = runner.invoke(app, ["run", "Research nothing in particular.", "--db", db_url])
    assert result.exit_code == 1 and "names no items" in result.stderr


def test_db_upgrade_is_idempotent(db_url: str) -> None:
    first = hg(db_url, "db", "upgrade")
    assert first == {"from": None, "to": "0012_runtime"}
    assert hg(db_url, "db", "upgrade") == {"from": "0012_runtime", "to": "0012_runtime"}
