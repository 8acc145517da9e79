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
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from humangate.checkpoints.schema import runs as runs_table
from humangate.conversations import threaded
from humangate.core.schemas import TaskSpec
from humangate.errors import InvalidInputError
from humangate.sources import Fetcher, SearchProvider, SourceGatherer, fetcher_from_settings, find_urls, search_provider
from humangate.task_items import (
    RECIPIENT_COLUMNS,
    SENDER_COLUMNS,
    PlannedRun,
    cell_refusal,
    planned_item,
    sender_address,
)

if TYPE_CHECKING:
    from humangate.review.advance.runs import RunInfo
    from humangate.review.service import Orchestrator

__all__ = [
    "RECIPIENT_COLUMNS",
    "SENDER_COLUMNS",
    "PlannedRun",
    "already_started",
    "plan_task",
    "planned_runs",
    "run_key",
    "sender_address",
    "start_planned",
    "submit_planned",
    "task_key",
    "without_sources",
]


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


def planned_runs(
    spec: TaskSpec,
    *,
    source_dir: Path | None = None,
    fetcher: Fetcher | None = None,
    search: SearchProvider | None = None,
) -> list[PlannedRun]:
    """Return the runs ``spec`` asks for; raise ``InvalidInputError`` naming what an item lacks.

    Sources come from ``source_dir``, the pages the task or an item names (fetched with ``fetcher``;
    without one they are listed as skipped) and, for an item with none, ``search``.
    """
    if not spec.items:
        raise InvalidInputError(
            'The task names no items. List them in the text ("these companies: A, B and C"), '
            "or pass --input FILE.csv or --source FOLDER."
        )
    gatherer = SourceGatherer(root=source_dir, fetcher=fetcher, search=search, task_urls=find_urls(spec.task))
    if spec.graph != "support":
        gatherer.prefetch(spec.items)
    runs: list[PlannedRun] = []
    seen: dict[str, int] = {}
    # Support rows are read with the turns before them in their thread (a history cell or a conversation id).
    items = threaded(spec.items) if spec.graph == "support" else spec.items
    for number, item in enumerate(items, start=1):
        same = json.dumps(item, sort_keys=True, default=str)
        seen[same] = seen.get(same, -1) + 1
        key = run_key(spec.task, spec.graph, item, seen[same])
        try:
            runs.append(planned_item(spec, gatherer, item, number, key))
        except ValidationError as exc:  # a cell the graph's input model refuses (too long, wrong type)
            raise cell_refusal(exc, number) from None
    return runs


def task_key(task: str, graph: str, planned: list[PlannedRun]) -> str:
    """Return the stable id of a task: the same task on the same items always gives the same id."""
    blob = json.dumps([" ".join(task.split()), graph, sorted(p.key for p in planned)], ensure_ascii=False)
    return "t-" + hashlib.sha256(blob.encode()).hexdigest()[:20]


def submit_planned(
    orch: Orchestrator, task: str, graph: str, planned: list[PlannedRun], who: str, *, skip: set[str]
) -> tuple[str, list[tuple[str, str]]]:
    """Record the task and enqueue the planned runs not yet started; return its id and (label, run id) pairs.

    Needs an Orchestrator with a job runtime. Every run is recorded in one transaction: a batch is either
    queued whole or not at all. Runs without a stable key get a fresh id.
    """
    from humangate.review.advance.jobs import RunRequest

    keyed = [replace(p, key=p.key or f"run-{uuid.uuid4().hex}") for p in planned]
    task_id = task_key(task, graph, keyed)
    orch.record_task(task_id, task, graph, total=len(keyed), started_by=who)
    todo = [p for p in keyed if p.key not in skip]
    try:
        orch.submit([RunRequest(p.graph, p.inputs, p.key) for p in todo], started_by=who, task_id=task_id)
    except IntegrityError:  # another process started some of them meanwhile: submit only the rest
        fresh = already_started(orch, todo)
        rest = [p for p in todo if p.key not in fresh]
        orch.submit([RunRequest(p.graph, p.inputs, p.key) for p in rest], started_by=who, task_id=task_id)
    return task_id, [(p.label, p.key) for p in keyed]


def without_sources(planned: list[PlannedRun]) -> list[PlannedRun]:
    """Return ``planned`` with each sourceless item marked as started without sources on purpose (``--no-sources``)."""
    return [replace(p, inputs={**p.inputs, "without_sources": True}) if p.sourceless else p for p in planned]


def plan_task(
    orch: Orchestrator, task: str, rows: list[dict[str, Any]] | None = None, source_dir: Path | None = None
) -> tuple[TaskSpec, list[PlannedRun]]:
    """Read ``task`` with the planner (the Orchestrator's model, or offline) and list the runs it asks for.

    Pages the task or its items name are fetched under the operator's settings (``HUMANGATE_FETCH_*``),
    and web search is used when configured (``HUMANGATE_SEARCH_*``).
    """
    from humangate.agents.planner import Planner

    spec = Planner(orch.deps.model).run(task, csv_rows=rows, source_dir=source_dir)
    fetcher = fetcher_from_settings(orch.settings)
    return spec, planned_runs(spec, source_dir=source_dir, fetcher=fetcher, search=search_provider(orch.settings))


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
