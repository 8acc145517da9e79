"""Following a task's runs on a terminal: enqueue them, then a live bar over done, waiting and failed.

Ctrl+C detaches: the runs stay queued (or keep running on other workers) and ``humangate tasks watch ID``
re-attaches. Without a terminal, or with ``--json``, nothing is drawn and the command waits quietly.
"""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from humangate.cli._common import err, out
from humangate.review.advance.runs import RunInfo
from humangate.review.record.tasks import TaskProgress
from humangate.review.service import Orchestrator

__all__ = ["describe", "submit_and_watch", "watch_task"]


def describe(p: TaskProgress) -> str:
    """Return a task's progress as one line: what is done, waiting, failed, cancelled and still to run."""
    return p.line()


def watch_task(orch: Orchestrator, task_id: str, *, quiet: bool) -> TaskProgress:
    """Show the task's progress until no run is owed a job; on Ctrl+C say how to re-attach and exit."""
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            disable=quiet or not err.is_terminal,
        ) as bar:
            row = bar.add_task("runs", total=orch.task_progress(task_id).total)

            def tick(p: TaskProgress) -> None:
                bar.update(row, completed=p.settled, total=p.total, description=describe(p))

            return orch.wait_task(task_id, tick=tick)
    except KeyboardInterrupt:
        p = orch.task_progress(task_id)
        err.print(
            f"Detached from task {task_id}: {describe(p)}. `humangate tasks watch {task_id}` follows it again; "
            f"`humangate tasks cancel {task_id}` cancels what has not run."
        )
        raise typer.Exit(0) from None


def submit_and_watch(
    orch: Orchestrator,
    task: str,
    graph: str,
    planned: list[Any],
    who: str,
    *,
    skip: set[str],
    as_json: bool,
    detach: bool,
) -> list[tuple[str, RunInfo]]:
    """Enqueue the planned runs as one task, follow them to their outcomes, and return them as they ended."""
    from humangate.tasks import submit_planned

    task_id, pairs = submit_planned(orch, task, graph, planned, who, skip=skip)
    if not as_json:
        queued = len(pairs) - len(skip)
        out.print(f"Task [bold]{escape(task_id)}[/]: {queued} runs queued.")
    if detach:
        if not as_json:
            out.print(f"Follow it with [bold]humangate tasks watch {escape(task_id)}[/].")
        else:
            print(f'{{"task": "{task_id}", "queued": {len(pairs) - len(skip)}}}')
        return []
    watch_task(orch, task_id, quiet=as_json)
    return [(label, orch.run(run_id)) for label, run_id in pairs]
