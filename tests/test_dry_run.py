"""``humangate run``: --dry-run starts nothing, a run that could send unreviewed is confirmed, a re-run starts
only what never started, and sources are read only inside the given folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from humangate.agents.planner import Planner
from humangate.cli import app
from humangate.tasks import planned_runs

runner = CliRunner()
TASK = "Answer these support tickets and hand me anything angry."
TICKETS = "id,customer,text\n" + "".join(
    f"t{i},Pat {i},Hello, could you tell me when order {i} ships? Thanks a lot!\n" for i in range(4)
)


def _setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    monkeypatch.setenv("HUMANGATE_OUTBOX_DIR", str(tmp_path / "outbox"))
    (tmp_path / "tickets.csv").write_text(TICKETS, encoding="utf-8")
    return f"sqlite:///{tmp_path / 'hg.db'}", tmp_path / "tickets.csv"


def _runs(db: str) -> int:
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM runs")).scalar_one())
    finally:
        engine.dispose()


def test_dry_run_prints_the_plan_and_starts_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db, csv = _setup(tmp_path, monkeypatch)
    result = runner.invoke(app, ["run", TASK, "--input", str(csv), "--db", db, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Plan: 4 support runs" in result.stdout and "Pat 0" in result.stdout
    assert "review_reply" in result.stdout and "routing: angry messages to a person" in result.stdout
    assert "Nothing was started (--dry-run)." in result.stdout
    assert _runs(db) == 0


def test_a_run_that_could_send_unreviewed_needs_yes_without_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, csv = _setup(tmp_path, monkeypatch)
    refused = runner.invoke(app, ["run", TASK, "--input", str(csv), "--db", db])
    assert refused.exit_code == 1 and "--yes" in refused.stderr and "could send without review" in refused.stderr
    assert _runs(db) == 0
    started = runner.invoke(app, ["run", TASK, "--input", str(csv), "--db", db, "--yes", "--json"])
    assert started.exit_code == 0, started.output
    assert len(json.loads(started.stdout)["runs"]) == 4


def test_a_rerun_starts_only_what_never_started_and_sends_nothing_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, csv = _setup(tmp_path, monkeypatch)
    half = tmp_path / "half.csv"
    half.write_text("\n".join(TICKETS.splitlines()[:3]) + "\n", encoding="utf-8")  # killed after two items
    runner.invoke(app, ["run", TASK, "--input", str(half), "--db", db, "--yes"])
    sent = sorted(os.listdir(tmp_path / "outbox"))
    assert _runs(db) == 2 and len(sent) == 2
    again = runner.invoke(app, ["run", TASK, "--input", str(csv), "--db", db, "--yes"])
    assert again.exit_code == 0, again.output
    assert "2 of 4 items already started by an earlier run of this task; starting 2" in again.stdout
    assert _runs(db) == 4 and len(os.listdir(tmp_path / "outbox")) == 4
    runner.invoke(app, ["run", TASK, "--input", str(csv), "--db", db, "--yes"])
    assert _runs(db) == 4 and len(os.listdir(tmp_path / "outbox")) == 4  # no recipient gets a second reply


def _page(folder: Path, name: str, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"# {name}\n\n{body}\n", encoding="utf-8")


def test_sources_are_read_only_inside_the_given_folder(tmp_path: Path) -> None:
    root, secret = tmp_path / "sources", tmp_path / "secret"
    _page(root / "acme", "about.md", "Acme makes anvils.")
    _page(secret, "keys.md", "SECRET-TOKEN")
    (root / "acme" / "leak.md").symlink_to(secret / "keys.md")
    (root / "globex").symlink_to(secret, target_is_directory=True)
    rows = [
        {"company": "Acme", "email": "a@acme.example", "sources": "acme", "source_dir": str(secret)},
        {"company": "Initech", "email": "b@initech.example", "sources": "../secret"},
        {"company": "Globex", "email": "c@globex.example"},
    ]
    spec = Planner(None).run("Research each company and draft an intro email to the contact.", csv_rows=rows)
    acme, initech, globex = planned_runs(spec, source_dir=root)
    assert [s["id"] for s in acme.inputs["sources"]] == ["acme/about"]  # the allowed source is kept
    assert "SECRET-TOKEN" not in json.dumps([acme.inputs, initech.inputs, globex.inputs])
    notes = " ".join([*acme.refused, *initech.refused, *globex.refused])
    assert "source_dir value" in notes and "'leak.md' was not read" in notes
    assert "'../secret' was not read: it climbs out with '..'" in notes
    assert "'globex' was not read: it is a link to a folder outside" in notes


def test_on_a_terminal_the_run_asks_and_a_no_starts_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from humangate.cli import tasks as cli_tasks

    db, csv = _setup(tmp_path, monkeypatch)
    monkeypatch.setattr(cli_tasks, "_interactive", lambda: True)  # CliRunner's stdin is no terminal
    declined = runner.invoke(app, ["run", TASK, "--input", str(csv), "--db", db], input="n\n")
    assert declined.exit_code == 1 and "Start these runs?" in declined.output and _runs(db) == 0
    accepted = runner.invoke(app, ["run", TASK, "--input", str(csv), "--db", db], input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert _runs(db) == 4
