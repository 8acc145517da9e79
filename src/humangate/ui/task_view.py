"""The New task tab's handler, free of Gradio: plan a plain-English task over uploaded files and start its runs.

Runs start under the signed-in user's name, as ``humangate run`` starts them; uploaded sources are copied to a
temporary folder that lives only while the task is planned and started.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from humangate.errors import HumanGateError
from humangate.review.service import Orchestrator
from humangate.sources import DOCUMENT_SUFFIXES, read_csv_rows

__all__ = ["plan_text", "start_task"]

PROGRESS_SECONDS = 0.5  # how often the New task tab's progress line is refreshed


def _read_rows(path: str | Path) -> list[dict[str, Any]]:
    try:
        return read_csv_rows(path, name="The uploaded CSV")
    except HumanGateError as exc:
        raise ValueError(str(exc)) from None


def _inputs(user: str | None, task: str, csv_path: str | Path | None) -> tuple[list[str], list[dict[str, Any]] | None]:
    """Check who and what; raise ``ValueError`` with the sentence to show when the task cannot be planned."""
    if not user:
        raise ValueError("Sign in first: runs are started under your name.")
    if not task.strip():
        raise ValueError(
            "Type a task first, e.g. “Draft a thank-you note to each customer in the CSV and let me approve it.”"
        )
    log = [f"Task: {task.strip()[:2_000]}"]
    rows = _read_rows(csv_path) if csv_path else None
    if rows is not None:
        log.append(f"Read {len(rows)} rows from the CSV.")
    return log, rows


def plan_text(
    orch: Orchestrator,
    user: str | None,
    task: str,
    csv_path: str | Path | None = None,
    source_paths: list[str] | None = None,
) -> str:
    """Plan a task as ``humangate run --dry-run`` does and return the plan; nothing starts."""
    from humangate.task_plan import confirmation_reason, describe_plan, sourceless_reason
    from humangate.tasks import already_started, plan_task

    try:
        log, rows = _inputs(user, task, csv_path)
    except ValueError as exc:
        return str(exc)
    with tempfile.TemporaryDirectory(prefix="humangate-sources-") as folder:
        source_dir = _gather_sources(source_paths or [], Path(folder))
        try:
            spec, planned = plan_task(orch, task, rows, source_dir)
        except HumanGateError as exc:
            return "\n".join([*log, f"Cannot plan: {exc}"])
    log.extend(describe_plan(spec, planned, orch.deps.policy, started=len(already_started(orch, planned))))
    reason = confirmation_reason(spec, planned, orch.deps.policy)
    log.append(f"Check before you press Start: {reason}." if reason else "Every send waits for a person.")
    if missing := sourceless_reason(spec, planned):
        log.append(f"Check before you press Start: {missing}; Start starts them without sources.")
    log.append("Nothing was started. Press Start to start these runs.")
    return "\n".join(log)


def start_task(
    orch: Orchestrator,
    user: str | None,
    task: str,
    csv_path: str | Path | None = None,
    source_paths: list[str] | None = None,
) -> Iterator[str]:
    """Plan a plain-English task as ``humangate run`` does, start its runs, and report each as it starts.

    Items an earlier start of the same task already started are not started again.
    """
    from humangate.task_plan import sourceless_reason
    from humangate.tasks import already_started, plan_task, start_planned, without_sources

    try:
        log, rows = _inputs(user, task, csv_path)
    except ValueError as exc:
        yield "\n".join([f"Task: {task.strip()[:2_000]}", str(exc)]) if user and task.strip() else str(exc)
        return
    started = []
    with tempfile.TemporaryDirectory(prefix="humangate-sources-") as folder:
        source_dir = _gather_sources(source_paths or [], Path(folder))
        if source_dir is not None:
            log.append(f"Read {len(list(source_dir.iterdir()))} uploaded source file(s); every item reads them.")
        try:
            spec, planned = plan_task(orch, task, rows, source_dir)
        except HumanGateError as exc:
            yield "\n".join([*log, f"Could not start: {exc}"])
            return
        rules = "; ".join(spec.rules) or "the risk policy decides what a person sees"
        log.append(f"Plan: {len(planned)} {spec.graph} runs; {rules}")
        log.extend(f"Refused: {note}" for p in planned for note in p.refused)
        log.extend(f"Skipped: {note}" for p in planned for note in p.skipped)
        log.extend(f"Note: {note}" for p in planned for note in p.notes)
        if missing := sourceless_reason(spec, planned):
            # The plan shown before Start said so; Start is the person's yes (the CLI asks, or takes --no-sources).
            log.append(f"Without sources: {missing}; they start without, and their briefs are empty.")
            planned = without_sources(planned)
        done = already_started(orch, planned)
        if done:
            log.append(
                f"{len(done)} of {len(planned)} items already started by an earlier run of this task; "
                f"starting {len(planned) - len(done)}."
            )
        yield "\n".join(log)
        if orch.runtime is not None:  # queued: enqueue them all, then show their progress live
            yield from _follow(orch, task, spec.graph, planned, user or "", done, log)
            return
        for number, (label, run) in enumerate(start_planned(orch, planned, user or "", skip=done), start=1):
            started.append(run)
            items = ", ".join(str(i) for i in run.pending_items)
            waits = f"; waits for review at items {items}" if items else ""
            outcome = f" ({run.outcome})" if run.outcome else ""
            total = len(planned) - len(done)
            log.append(f"[{number}/{total}] {label}: {run.graph} {run.id[:12]} {run.status}{outcome}{waits}")
            yield "\n".join(log)
    done_now = sum(1 for r in started if r.status == "completed")
    waiting = sum(1 for r in started if r.status == "paused")
    log.append(f"{len(started)} runs started: {done_now} completed without a person, {waiting} waiting for review.")
    yield "\n".join(log)


def _follow(
    orch: Orchestrator, task: str, graph: str, planned: list[Any], user: str, done: set[str], log: list[str]
) -> Iterator[str]:
    """Enqueue the planned runs as one task and yield the log with a progress line until none is owed a job."""
    from humangate.tasks import submit_planned

    task_id, _ = submit_planned(orch, task, graph, planned, user, skip=done)
    log.append(f"Task {task_id}: {len(planned) - len(done)} runs queued.")
    while True:
        progress = orch.task_progress(task_id)
        yield "\n".join([*log, f"[{progress.settled}/{progress.total}] {progress.line()}"])
        if progress.finished:
            break
        time.sleep(PROGRESS_SECONDS)
    log.append(f"{progress.total} runs: {progress.line()}.")
    yield "\n".join(log)


def _gather_sources(paths: list[str], folder: Path) -> Path | None:
    """Copy uploaded source files (documents humangate reads) into one folder; None when there are none."""
    for raw in paths:
        src = Path(raw)
        if src.suffix.lower() in DOCUMENT_SUFFIXES and src.is_file():
            shutil.copyfile(src, folder / src.name)
    return folder if any(folder.iterdir()) else None
