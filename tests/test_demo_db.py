"""`humangate demo` starts on a fresh database of its own, so the README's item numbers hold on every run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from humangate.cli import app
from humangate.cli._demo_db import DEMO_DB_FILE, DEMO_DB_URL

runner = CliRunner()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HUMANGATE_DB_URL", raising=False)
    monkeypatch.setenv("HUMANGATE_OUTBOX_DIR", str(tmp_path / "outbox"))
    return tmp_path


def _queue(*args: str) -> list[tuple[int, str, str]]:
    result = runner.invoke(app, ["queue", "--limit", "100", "--json", *args])
    assert result.exit_code == 0, result.output
    return sorted((i["id"], i["node"], i["title"]) for i in json.loads(result.stdout)["items"])


def test_a_second_demo_starts_afresh_with_the_same_item_numbers(workdir: Path) -> None:
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    assert "made anew on each" in first.output and f"export HUMANGATE_DB_URL={DEMO_DB_URL}" in first.output
    assert (workdir / DEMO_DB_FILE).exists() and not (workdir / "humangate.db").exists()
    items = _queue("--db", DEMO_DB_URL)
    assert items and items[0][0] == 1

    second = runner.invoke(app, ["demo"])
    assert second.exit_code == 0, second.output
    assert _queue("--db", DEMO_DB_URL) == items  # not twice as many items, and the same numbers


def test_the_demo_database_named_in_the_environment_is_still_made_anew(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUMANGATE_DB_URL", DEMO_DB_URL)  # as the demo's own hint suggests
    for _ in range(2):
        result = runner.invoke(app, ["demo"])
        assert result.exit_code == 0, result.output
    assert _queue()[0][0] == 1 and len(_queue()) == len(set(_queue()))
    assert "export HUMANGATE_DB_URL" not in result.output


def test_a_named_database_is_added_to_and_the_demo_says_so(workdir: Path) -> None:
    url = f"sqlite:///{workdir / 'team.db'}"
    first = runner.invoke(app, ["demo", "--db", url])
    assert first.exit_code == 0, first.output
    assert "made anew" not in first.output and "already holds runs" not in first.output
    count = len(_queue("--db", url))
    second = runner.invoke(app, ["demo", "--db", url])
    assert second.exit_code == 0, second.output
    said = " ".join(second.output.split())  # the terminal wraps long paths anywhere
    assert "already holds runs" in said and "item numbers differ" in said
    assert len(_queue("--db", url)) == 2 * count
    assert not (workdir / DEMO_DB_FILE).exists()
