"""The README's guide: its example is the file a test runs, and the policy TOML it shows parses."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from humangate.risk import RiskPolicy

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_shows_the_example_verbatim_and_it_is_short() -> None:
    example = (ROOT / "examples" / "refunds.py").read_text(encoding="utf-8")
    assert f"```python\n{example}```" in README
    code_lines = [line for line in example.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert len(code_lines) < 40


def test_the_example_runs_and_pauses_only_the_big_refund(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "refunds.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "completed",
        "A refund of $250.00 is above the $100 limit.",
        "completed",
    ]


def test_the_policy_toml_in_the_readme_parses() -> None:
    block = re.search(r"```toml\n(.*?)```", README, re.S)
    assert block is not None
    policy = RiskPolicy.from_toml_text(block.group(1))
    assert policy.version == "2026-11-acme-3"
    assert policy.settings("support", "review_reply").confidence_threshold == 0.9
    assert policy.gate_policy("outreach", "review_send").min_dwell_seconds["critical"] == 15
