"""What the task-wording red-team rounds share: one calm item per graph, and running a task's plan end to end.

``statuses`` plans ``<graph's base task> <phrase>`` with the offline planner (what ``humangate run --dry-run``
shows), starts it through the Orchestrator and returns each run's status; ``sent`` lists what reached the
file outbox. Used by tests/test_redteam_tasks_more.py (round 3), tests/test_redteam_tasks_fourth.py (round 4)
and tests/test_redteam_tasks_fifth.py (round 5).
"""

from __future__ import annotations

from pathlib import Path

from humangate import Orchestrator
from humangate.agents.offline.planning import plan
from humangate.tasks import planned_runs, start_planned

CALM = "Hello, could you tell me when my order ships? Thanks a lot!"
SUPPORT = "Answer these support tickets."
OUTREACH = "Research these companies and draft an intro email to the contact at each."
DEMO_SOURCES = Path(__file__).resolve().parents[1] / "src" / "humangate" / "data" / "demo" / "sources"
ROW = {"company": "Northwind Analytics", "name": "Ann", "email": "ann@northwind.example"}


def sent(orch: Orchestrator) -> list[Path]:
    """Return the files the outbox wrote."""
    folder = orch.settings.outbox_dir
    return [p for p in folder.iterdir() if p.is_file()] if folder.exists() else []


def statuses(orch: Orchestrator, graph: str, phrase: str) -> list[str]:
    """Plan the graph's base task followed by ``phrase``, start it, and return each run's status."""
    if graph == "support":
        spec = plan(f"{SUPPORT} {phrase}", csv_rows=[{"id": "t1", "customer": "Pat Calm", "text": CALM}])
        planned = planned_runs(spec)
    else:
        spec = plan(f"{OUTREACH} {phrase}", csv_rows=[ROW])
        planned = planned_runs(spec, source_dir=DEMO_SOURCES)
    return [run.status for _, run in start_planned(orch, planned, "cli")]
