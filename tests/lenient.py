"""The lenient policy the task-wording tests share: only the task's own rules hold a proposal.

Under it the router, the analyst's unsafe readings and the risk levels below critical let a calm reply go,
so a rule the planner missed shows up as a send in the outbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from humangate import Orchestrator, Settings
from humangate.graphs.common import GraphDeps
from humangate.graphs.registry import default_registry
from humangate.risk import RiskPolicy

LENIENT = RiskPolicy.from_toml_text(
    'version = "lenient-1"\n[defaults]\nreview_from = "critical"\ntarget_recall = 0.05\nhold_unsafe_readings = false\n'
)


@contextmanager
def lenient_orchestrator(tmp_path: Path, reviewers: tuple[str, ...] = ("alice",)) -> Iterator[Orchestrator]:
    """Yield an Orchestrator on SQLite in ``tmp_path`` under ``LENIENT``, with ``reviewers`` added."""
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "outbox")
    deps = GraphDeps(policy=LENIENT)
    with Orchestrator(settings, deps=deps, registry=default_registry(deps)) as o:
        for name in reviewers:
            o.add_user(name, "reviewer")
        yield o
