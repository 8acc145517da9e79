"""Which engine served a run, said by ``run``, ``doctor`` and the review view; a person chooses between readings.

The model is a scripted OpenAI-compatible server on 127.0.0.1 (``tests.fake_openai``), reached through
``OPENAI_BASE_URL`` as a user would configure it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from humangate import Orchestrator, Settings
from humangate.cli import app
from humangate.graphs.common import deps_from_settings
from humangate.graphs.registry import default_registry
from humangate.ui.review_view import open_item
from tests.fake_openai import FakeOpenAI, bad_request, content, garbage, tool_call

runner = CliRunner()
ROWS = "company,name,email,text\nAcme Tools,Ada Park,ada@acme.example,Hello there\n"
VAGUE = "Handle these rows."


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("HUMANGATE_MODEL", "tiny")
        monkeypatch.setenv("HUMANGATE_MODEL_ATTEMPTS", "1")
        yield server


def _csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    monkeypatch.setenv("HUMANGATE_OUTBOX_DIR", str(tmp_path / "outbox"))
    (tmp_path / "rows.csv").write_text(ROWS, encoding="utf-8")
    return f"sqlite:///{tmp_path / 'hg.db'}", tmp_path / "rows.csv"


def test_doctor_reports_methods_and_latency(fake: FakeOpenAI) -> None:
    fake.script(bad_request(), tool_call('{"label": "negative"}'), content('{"label": "negative"}'))
    result = runner.invoke(app, ["doctor", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["model"] == "tiny" and report["settings"]["attempts"] == 1
    assert report["listing"]["answers"] is True  # the fake answers GET /models with an error, but it answers
    methods = report["methods"]
    assert [m["works"] for m in methods.values()] == [False, True, True] and report["usable"]
    assert "HTTP 400" in methods["json_schema"]["problem"] and methods["function_calling"]["seconds"] >= 0


def test_doctor_fails_when_no_method_works_and_says_when_nothing_is_configured(
    fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.script(garbage(), garbage(), garbage())
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1 and "No structured-output method works" in result.stdout
    monkeypatch.delenv("OPENAI_BASE_URL")
    monkeypatch.delenv("HUMANGATE_MODEL")
    offline = runner.invoke(app, ["doctor"])
    assert offline.exit_code == 0 and "offline engine" in offline.stdout


def test_a_configured_endpoint_that_is_not_used_is_mentioned(
    fake: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, rows = _csv(tmp_path, monkeypatch)
    result = runner.invoke(app, ["run", "Email each contact.", "--input", str(rows), "--db", db, "--model", "offline"])
    assert result.exit_code in (0, 1), result.output
    assert f"A model endpoint is configured (OPENAI_BASE_URL={fake.base_url})" in " ".join(result.stdout.split())
    assert "Planned by: offline." in result.stdout and fake.requests == []


def test_disagreeing_readings_are_shown_and_a_person_chooses(
    fake: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, rows = _csv(tmp_path, monkeypatch)
    support = content('{"graph": "support", "items": [], "require_approval": true}')
    fake.script(support)
    dry = runner.invoke(app, ["run", VAGUE, "--input", str(rows), "--db", db, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    shown = " ".join(dry.stdout.split())
    assert "Plan: 1 outreach runs" in shown and "The model read it otherwise" in shown
    assert "The model's reading, not used unless chosen:" in shown and "Plan: 1 support runs" in shown
    fake.script(support)
    refused = runner.invoke(app, ["run", VAGUE, "--input", str(rows), "--db", db])
    assert refused.exit_code == 1 and "--reading model" in " ".join(refused.stderr.split())
    fake.script(support, garbage())  # the plan, then the support analyst's one call
    chosen = runner.invoke(app, ["run", VAGUE, "--input", str(rows), "--db", db, "--reading", "model", "--json"])
    assert chosen.exit_code == 0, chosen.output
    out = json.loads(chosen.stdout)
    assert [r["graph"] for r in out["runs"]] == ["support"] and out["engine"] == f"tiny at {fake.base_url[7:]}"
    assert out["runs"][0]["status"] == "paused"  # the model's reading asked for approval: the stricter holds
    assert out["runs"][0]["served_by"].startswith("the offline engine, standing in for tiny")


def test_the_review_view_says_which_engine_served_the_proposal(
    fake: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "outbox")
    deps = deps_from_settings(settings)
    fake.script(garbage())
    with Orchestrator(settings, registry=default_registry(deps), deps=deps) as orch:
        orch.add_user("alice", "reviewer")
        run = orch.start("support", {"id": "T1", "customer": "Ann", "text": "Where is my parcel? It is late."})
        assert run.engine == f"tiny at {fake.base_url[7:]}" and run.status == "paused"
        view = open_item(orch, "alice", run.pending_items[0])
    assert "<b>Served by</b>: the offline engine, standing in for tiny" in view.observed
