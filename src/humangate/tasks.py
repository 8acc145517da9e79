"""Turn a planned task (``TaskSpec``) into graph inputs: one run per item, each under a stable key.

A run's id is its item's key: a hash of the task text, the graph and the item's own content (and its
place among identical items). Running the same task on the same input again, say after ``humangate
run`` was killed, finds the runs already started and starts only the rest; a run started twice would
be refused by the runs table, and its effects are keyed by run id in the outbox, so no recipient gets a
second message for one item.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from humangate.agents.schemas import Recipient, ResearchInput, TaskSpec
from humangate.checkpoints.schema import runs as runs_table
from humangate.conversations import threaded
from humangate.errors import InvalidInputError
from humangate.graphs.outreach import OutreachInput
from humangate.graphs.support import SupportInput
from humangate.sources import item_sources

if TYPE_CHECKING:
    from humangate.review.runs import RunInfo
    from humangate.review.service import Orchestrator

__all__ = ["PlannedRun", "already_started", "plan_task", "planned_runs", "run_key", "start_planned"]


@dataclass(frozen=True)
class PlannedRun:
    """One run to start: the graph, its input, a label, its stable key (the run id) and what was refused."""

    graph: str
    label: str
    inputs: dict[str, Any]
    key: str = ""
    refused: tuple[str, ...] = field(default=())


def run_key(task: str, graph: str, item: Mapping[str, Any], occurrence: int = 0) -> str:
    """Return the stable run id of an item: the same task, graph and item always give the same key."""
    canonical = {
        "task": " ".join(task.split()),
        "graph": graph,
        "item": {str(k).strip(): v.strip() if isinstance(v, str) else v for k, v in item.items()},
        "occurrence": occurrence,  # two identical rows are two items, each with a key of its own
    }
    blob = json.dumps(canonical, sort_keys=True, ensure_ascii=False, default=str)
    return "task-" + hashlib.sha256(blob.encode()).hexdigest()[:40]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _pick(item: Mapping[str, Any], *names: str) -> str:
    for name in names:
        value = item.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def planned_runs(spec: TaskSpec, *, source_dir: Path | None = None) -> list[PlannedRun]:
    """Return the runs ``spec`` asks for; raise ``InvalidInputError`` naming what an item lacks."""
    if not spec.items:
        raise InvalidInputError(
            'The task names no items. List them in the text ("these companies: A, B and C"), '
            "or pass --input FILE.csv or --source FOLDER."
        )
    runs: list[PlannedRun] = []
    seen: dict[str, int] = {}
    # Support rows are read with the turns before them in their thread (a history cell or a conversation id).
    items = threaded(spec.items) if spec.graph == "support" else spec.items
    for number, item in enumerate(items, start=1):
        same = json.dumps(item, sort_keys=True, default=str)
        seen[same] = seen.get(same, -1) + 1
        key = run_key(spec.task, spec.graph, item, seen[same])
        if spec.graph == "support":
            text = _pick(item, "text", "message", "body")
            if not text:
                raise InvalidInputError(f"Item {number} has no message text (a column named text or message).")
            message = SupportInput(
                id=_pick(item, "id", "ticket") or f"item-{number}",
                customer=_pick(item, "customer", "name", "from"),
                text=text,
                history=list(item.get("history") or []),
                require_approval=spec.require_approval,
                limits=spec.limits,
                routes=spec.routes,
            )
            runs.append(PlannedRun("support", message.customer or message.id, message.model_dump(mode="json"), key))
            continue
        company = _pick(item, "company", "subject", "name")
        if not company:
            raise InvalidInputError(f"Item {number} names no company (a column named company).")
        names = [_pick(item, "sources", "source"), _slug(company)]
        sources, refused = item_sources(item, names, source_dir, f"Item {number} ({company})")
        if spec.graph == "research":
            research = ResearchInput(subject=company, question=spec.goal, sources=sources)
            runs.append(PlannedRun("research", company, research.model_dump(mode="json"), key, tuple(refused)))
            continue
        email = _pick(item, "email")
        if not email:
            raise InvalidInputError(
                f"Item {number} ({company}) has no recipient email; outreach needs --input FILE.csv with the "
                "columns company,name,email (and optionally role, sources)."
            )
        recipient = Recipient(
            name=_pick(item, "name", "recipient", "contact") or email.split("@")[0],
            email=email,
            company=company,
            role=_pick(item, "role", "title"),
        )
        outreach = OutreachInput(
            company=company,
            recipient=recipient,
            sources=sources,
            goal=spec.goal or "an introduction",
            tone=spec.tone,
            require_approval=spec.require_approval,
            limits=spec.limits,
        )
        label = f"{recipient.name} ({company})"
        runs.append(PlannedRun("outreach", label, outreach.model_dump(mode="json"), key, tuple(refused)))
    return runs


def plan_task(
    orch: Orchestrator, task: str, rows: list[dict[str, Any]] | None = None, source_dir: Path | None = None
) -> tuple[TaskSpec, list[PlannedRun]]:
    """Read ``task`` with the planner (the Orchestrator's model, or offline) and list the runs it asks for."""
    from humangate.agents.planner import Planner

    spec = Planner(orch.deps.model).run(task, csv_rows=rows, source_dir=source_dir)
    return spec, planned_runs(spec, source_dir=source_dir)


def already_started(orch: Orchestrator, planned: list[PlannedRun]) -> set[str]:
    """Return the keys of ``planned`` that an earlier run of the same task already started."""
    keys = [p.key for p in planned if p.key]
    found: set[str] = set()
    with orch.db.read() as conn:
        for i in range(0, len(keys), 500):
            found.update(conn.execute(select(runs_table.c.id).where(runs_table.c.id.in_(keys[i : i + 500]))).scalars())
    return found


def start_planned(
    orch: Orchestrator, planned: list[PlannedRun], who: str, *, skip: set[str] | None = None
) -> Iterator[tuple[str, RunInfo]]:
    """Start the planned runs not yet started, one by one, yielding each as it completes or pauses.

    ``skip`` holds keys known to be started (``already_started``); a run another process started
    meanwhile is refused by its key and skipped too, so no item runs twice.
    """
    done = already_started(orch, planned) if skip is None else skip
    for item in planned:
        if item.key and item.key in done:
            continue
        try:
            run = orch.start(item.graph, item.inputs, started_by=who, run_id=item.key or None)
        except IntegrityError:
            if item.key and item.key in already_started(orch, [item]):
                continue  # started by another process between the check and the insert
            raise
        yield item.label, run
