"""Commands about runs on workers: run a worker, list, follow and cancel tasks, cancel a run."""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from humangate.cli._common import DbOpt, JsonOpt, _fail, _orchestrator, _run_json, app, out, shown
from humangate.cli.watch import describe, watch_task
from humangate.config import Settings
from humangate.errors import HumanGateError
from humangate.review.record.tasks import TaskInfo

tasks_app = typer.Typer(help="Tasks: batches of runs started together. Without a subcommand: list them.")
app.add_typer(tasks_app, name="tasks")


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, help="Jobs at once in this worker.")] = 16,
    grace: Annotated[float, typer.Option(help="Seconds running jobs get to finish on shutdown.", min=0.0)] = 30.0,
    db: DbOpt = None,
) -> None:
    """Run jobs (starts and resumes of runs) until stopped; start as many as you like on one Postgres."""
    from humangate.runtime.worker import run_worker

    try:
        settings = Settings.from_env(db_url=db)
        out.print(
            f"Worker on {escape(settings.database.redacted())}, {concurrency} jobs at once "
            "(Ctrl+C or SIGTERM stops it)."
        )
        run_worker(settings, concurrency=concurrency, grace=grace)
    except HumanGateError as exc:
        _fail(str(exc), as_json=False)
    out.print("Worker stopped.")


def _task_json(t: TaskInfo) -> dict[str, object]:
    p = t.progress
    return {
        "id": t.id,
        "task": t.text,
        "graph": t.graph,
        "started_by": t.started_by,
        "created_at": t.created_at,
        "cancelled_at": t.cancelled_at,
        "total": p.total,
        "queued": p.queued,
        "running": p.running + p.resuming,
        "waiting": p.waiting,
        "done": p.done,
        "failed": p.failed,
        "cancelled": p.cancelled,
        "finished": p.finished,
    }


@tasks_app.callback(invoke_without_command=True)
def tasks_list(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="How many tasks.")] = 20,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List recent tasks and how their runs stand."""
    if ctx.invoked_subcommand is not None:
        return
    with _orchestrator(db, as_json) as orch:
        found = orch.tasks(limit=limit)
    if as_json:
        print(json.dumps([_task_json(t) for t in found], indent=2))
        return
    table = Table(title="Tasks")
    for col in ("task", "started", "what", "runs", "progress"):
        table.add_column(col, overflow="fold")
    for t in found:
        state = describe(t.progress) + (" (cancelled)" if t.cancelled_at else "")
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(t.created_at))
        table.add_row(shown(t.id), when, shown(t.text[:80], newlines=False), str(t.progress.total), state)
    out.print(table)


@tasks_app.command("watch")
def tasks_watch(
    task_id: Annotated[str, typer.Argument(metavar="ID")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Follow a task's runs to their outcomes (a worker pool runs inside unless HUMANGATE_WORKERS=external)."""
    with _orchestrator(db, as_json, queued=True) as orch:
        try:
            orch.task(task_id)
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
        final = watch_task(orch, task_id, quiet=as_json)
        if as_json:
            print(json.dumps(_task_json(orch.task(task_id)), indent=2))
        else:
            out.print(f"Task {escape(task_id)}: {describe(final)}.")


@tasks_app.command("cancel")
def tasks_cancel(
    task_id: Annotated[str, typer.Argument(metavar="ID")],
    as_user: Annotated[str, typer.Option("--as", help="Who cancels.")] = "cli",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Cancel a task: queued runs never start, paused ones leave the queue, running ones stop at their next pause."""
    with _orchestrator(db, as_json) as orch:
        try:
            progress = orch.cancel_task(task_id, as_user)
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
        if as_json:
            print(json.dumps(_task_json(orch.task(task_id)), indent=2))
        else:
            out.print(f"Task {escape(task_id)} cancelled: {describe(progress)}.")


@app.command()
def cancel(
    run_id: Annotated[str, typer.Argument(metavar="RUN")],
    as_user: Annotated[str, typer.Option("--as", help="Who cancels.")] = "cli",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Cancel one run: a queued or paused run at once, a running one at its next pause."""
    with _orchestrator(db, as_json) as orch:
        try:
            run = orch.cancel(run_id, as_user)
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
        if as_json:
            print(json.dumps(_run_json(run), indent=2))
        else:
            note = "" if run.status == "cancelled" else " It is running: it stops at its next pause."
            out.print(f"Run {escape(run.id[:12])} is {run.status}.{note}")
