"""The model path against a real local model: llama.cpp serving SmolLM2-135M (shared ``llm_server`` fixture).

The model is tiny and often answers nonsense; that is the point. Every plan it touches must come out as
the offline engine's (same graph, same items), and every run of the demo must complete or end as a
reviewable item, never crash.
"""

from __future__ import annotations

import csv
import json
import time
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from humangate.agents.endpoint import make_endpoint
from humangate.agents.models import model_config_from_env
from humangate.agents.offline.planning import EXAMPLES
from humangate.agents.planner import Planner
from humangate.cli import app
from humangate.cli.tasks import DEMO_OUTREACH_TASK, DEMO_SUPPORT_TASK
from humangate.data.demo import demo_root, demo_support_messages
from tests.llm_support import LlmServer, tail

pytestmark = pytest.mark.timeout(900)

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples" / "tasks"
# Short answers keep a 135M model from rambling; one attempt and a bounded call keep a slow machine bounded.
ENV = {"HUMANGATE_MODEL": "smollm2", "HUMANGATE_MODEL_MAX_TOKENS": "160", "HUMANGATE_MODEL_ATTEMPTS": "1"}


def _env(server: LlmServer, timeout: float) -> dict[str, str]:
    return {"OPENAI_BASE_URL": server.base_url, "HUMANGATE_MODEL_TIMEOUT": f"{timeout:g}", **ENV}


def _read_csv(text: str) -> list[dict[str, Any]]:
    return [dict(r) for r in csv.DictReader(text.splitlines())]


def _cases() -> list[tuple[str, str, list[dict[str, Any]] | None, bool]]:
    """Return (name, task, CSV rows, whether the demo's sources folder goes with it)."""
    root = demo_root()
    people = _read_csv(root.joinpath("recipients.csv").read_text(encoding="utf-8"))
    tickets = [m.model_dump() for m in demo_support_messages()]
    cases: list[tuple[str, str, list[dict[str, Any]] | None, bool]] = [
        ("demo-outreach", DEMO_OUTREACH_TASK, people, True),
        ("demo-support", DEMO_SUPPORT_TASK, tickets, False),
    ]
    for n, example in enumerate(json.loads((EXAMPLES_DIR / "tasks.json").read_text(encoding="utf-8"))):
        rows = _read_csv((EXAMPLES_DIR / example["input"]).read_text(encoding="utf-8"))
        cases.append((f"example-{n}", example["task"], rows, False))
    cases.append(("planner-research-example", EXAMPLES["research"].split(" (")[0], None, False))
    return cases


CASES = _cases()


@pytest.mark.parametrize(("name", "task", "rows", "sources"), CASES, ids=[c[0] for c in CASES])
def test_the_small_model_plans_the_same_graph_and_items_as_offline(
    llm_server: LlmServer, name: str, task: str, rows: list[dict[str, Any]] | None, sources: bool
) -> None:
    endpoint = make_endpoint(model_config_from_env(_env(llm_server, 60.0)))  # a breaker of its own per plan
    with resources.as_file(demo_root().joinpath("sources")) as folder:
        source_dir = folder if sources else None
        offline = Planner().run(task, csv_rows=rows, source_dir=source_dir)
        started = time.monotonic()
        spec = Planner(endpoint).run(task, csv_rows=rows, source_dir=source_dir)
    print(f"\n{name}: {time.monotonic() - started:.1f} s; engine {spec.engine}; {spec.model_failure or ''}")
    print("\n".join(f"  {note}" for note in spec.disagreements))
    assert (spec.graph, spec.items) == (offline.graph, offline.items)
    assert spec.require_approval >= offline.require_approval and set(offline.rules) <= set(spec.rules)
    assert llm_server.process.poll() is None, tail(llm_server.log)


def test_the_demo_with_the_small_model_ends_every_run_completed_or_reviewable(
    llm_server: LlmServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in _env(llm_server, 30.0).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("HUMANGATE_OUTBOX_DIR", str(tmp_path / "outbox"))
    started = time.monotonic()
    result = CliRunner().invoke(app, ["demo", "--model", "smollm2", "--db", f"sqlite:///{tmp_path / 'd.db'}", "--json"])
    elapsed = time.monotonic() - started
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    runs = report["runs"]
    statuses = [r["status"] for r in runs]
    served = [r["served_by"] for r in runs]
    print(f"\ndemo with SmolLM2-135M: {len(runs)} runs in {elapsed:.1f} s; {statuses.count('paused')} paused")
    print(f"  served by the model: {sum(not s.startswith('the offline engine') for s in served)}; {report['notice']}")
    assert len(runs) == 19 and report["engine"].startswith("smollm2 at 127.0.0.1")
    assert set(statuses) <= {"completed", "paused"}, statuses
    assert all(r["pending_items"] for r in runs if r["status"] == "paused")
    # A run the model did not serve says so and waits for a person: never passed on a fallback.
    assert all(
        r["status"] == "paused" for r in runs if "standing in" in r["served_by"] or "not asked" in r["served_by"]
    )
    assert llm_server.process.poll() is None, tail(llm_server.log)
