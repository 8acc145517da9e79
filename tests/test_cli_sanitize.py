"""Untrusted text printed by the command line reaches the terminal without control or bidi characters."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from humangate import Orchestrator, Settings
from humangate.cli import app
from humangate.cli._common import clean, shown

runner = CliRunner()

ESCAPES = "\x1b[2J\x1b]0;owned\x07\x1b[31m"
BIDI = "\u202e\u2066\u200f"
CUSTOMER = f"Eve{ESCAPES} Mallory{BIDI}"
MESSAGE = f"This is the third outage this month{ESCAPES}, I'm furious{BIDI} and cancelling.\rOverwritten line"
# What no terminal output may hold: C0/C1 controls but newline, bidi controls, line separators.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, str, int]:
    url = f"sqlite:///{tmp_path / 'hg.db'}"
    with Orchestrator(Settings(db_url=url, outbox_dir=tmp_path / "outbox")) as orch:
        orch.add_user("alice", "reviewer")
        run = orch.start("support", {"id": "T-1", "customer": CUSTOMER, "text": MESSAGE})
        assert run.status == "paused"
        return url, run.id, run.pending_items[0]


def _plain(*args: str) -> str:
    result = runner.invoke(app, [*args], env={"COLUMNS": "200", "TERM": "dumb"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("command", ["queue", "show", "runs", "run timeline"])
def test_escapes_and_bidi_in_a_customer_message_never_reach_the_terminal(
    db: tuple[str, str, int], command: str
) -> None:
    url, run_id, item_id = db
    args = {
        "queue": ["queue"],
        "show": ["show", str(item_id)],
        "runs": ["runs"],
        "run timeline": ["runs", run_id],
    }[command]
    output = _plain(*args, "--db", url)
    assert not UNSAFE.search(output), repr(UNSAFE.findall(output))
    assert "Eve" in output  # the text itself is still shown, only its control characters are gone
    if command == "show":
        assert "third outage" in output and "Overwritten line" in output


def test_clean_keeps_newlines_and_text_and_drops_what_a_terminal_acts_on() -> None:
    assert clean("a\x1b[31mb\u202ec\r\nd\te") == "a[31mbc\nd e"
    assert clean("one\ntwo", newlines=False) == "one two"
    assert clean("🤦‍♀️ ok") == "🤦‍♀️ ok"  # an emoji's joiner is not a control character
    assert shown("[bold]x\x1b[0m") == "\\[bold]x[0m"
