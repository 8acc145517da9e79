"""Commands that start work: the demo and plain-English tasks."""

from __future__ import annotations

import csv
import json
import os
import sys
from collections import Counter
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from humangate.cli._common import (
    DbOpt,
    JsonOpt,
    ModelOpt,
    _fail,
    _orchestrator,
    _run_json,
    app,
    clean,
    err,
    out,
    shown,
)
from humangate.cli._engine import breaker_notice, engine_line, run_engine, unused_endpoint
from humangate.errors import HumanGateError
from humangate.review.advance.runs import RunInfo
from humangate.review.service import Orchestrator

TABLE_ROWS = 50  # a run's outcome table shows this many; the rest are a caption away

DEMO_OUTREACH_TASK = (
    "Research these companies, draft an intro email to the contact at each, and let me approve before anything is sent."
)
DEMO_SUPPORT_TASK = "Triage these support tickets: answer the calm ones and hand angry, churning or legal ones to me."
DEMO_DOCUMENTS_TASK = "Summarise these documents on warehouse automation into a cited brief."


@app.command()
def demo(
    db: DbOpt = None,
    model: ModelOpt = "offline",
    as_json: JsonOpt = False,
) -> None:
    """Run the bundled sample tasks offline: outreach to four companies, a dozen support tickets, three documents."""
    from humangate.cli._demo_db import demo_database
    from humangate.data.demo import demo_root, demo_support_messages

    target = demo_database(db)
    # Queued on one worker inside this command: its items pause, and are numbered, in the README's order.
    with _orchestrator(target.url, as_json, model=model, queued=True, concurrency=1) as orch:
        if not as_json:
            note = unused_endpoint(orch, why="the demo runs on the offline engine unless --model is given")
            if note:
                out.print(f"[yellow]{shown(note)}[/]", soft_wrap=True)
            if target.fresh:
                out.print(f"Demo database [bold]{shown(target.url)}[/], made anew on each [bold]humangate demo[/].")
            elif orch.runs(limit=1):
                out.print(
                    f"[yellow]Adding the demo's runs to {shown(target.url)}, which already holds runs[/]: "
                    "item numbers differ from the README's."
                )
        orch.add_user("demo-reviewer", "reviewer", actor="demo")
        orch.add_user("demo-expert", "expert", actor="demo")
        root = demo_root()
        people = list(csv.DictReader(root.joinpath("recipients.csv").read_text(encoding="utf-8").splitlines()))
        tickets = [m.model_dump() for m in demo_support_messages()]
        with resources.as_file(root.joinpath("sources")) as sources:
            outreach = _plan_and_start(orch, DEMO_OUTREACH_TASK, people, sources, "demo", as_json)
        support = _plan_and_start(orch, DEMO_SUPPORT_TASK, tickets, None, "demo", as_json)
        with resources.as_file(root.joinpath("documents", "warehouse-automation")) as documents:
            research = _plan_and_start(orch, DEMO_DOCUMENTS_TASK, None, documents, "demo", as_json)
        _report([*outreach, *support, *research], orch, as_json)
        if not as_json:
            for _, run in research:
                _print_brief(orch, run)
            if target.fresh and os.environ.get("HUMANGATE_DB_URL") != target.url:
                out.print("Point the other commands at it:")
                out.print(f"  [bold]export HUMANGATE_DB_URL={shown(target.url)}[/]", soft_wrap=True)
            out.print(
                "Next: [bold]humangate queue[/], [bold]humangate show ITEM[/], "
                "[bold]humangate decide ITEM --as demo-reviewer --approve[/] (critical items need demo-expert)"
            )


def _plan_and_start(
    orch: Orchestrator,
    task: str,
    rows: list[dict[str, Any]] | None,
    source_dir: Path | None,
    who: str,
    as_json: bool,
    *,
    keyed: bool = False,
    dry_run: bool = False,
    yes: bool = True,
    no_sources: bool = False,
    reading: str | None = None,
    detach: bool = False,
) -> list[tuple[str, RunInfo]]:
    """Plan ``task``, print the plan, confirm it when it could send unreviewed, and start its runs.

    ``keyed`` runs start under their items' stable keys, so a repeated task starts only what never
    started (``humangate run``); the demo adds fresh runs each time. Items that found no sources start
    only with ``no_sources`` or when a person on a terminal says so. When the model and the offline
    reading of the task disagree, ``reading`` (offline or model) says which one runs; without it a
    person chooses at the prompt, and without a terminal the run is refused unless ``yes`` (offline).
    """
    from humangate.task_plan import confirmation_reason, describe_plan, sourceless_reason
    from humangate.tasks import already_started, plan_task, planned_runs, start_planned, without_sources

    spec, planned = plan_task(orch, task, rows, source_dir)
    choose = spec.alternative is not None and reading is None and not yes and not dry_run
    if choose and _interactive():
        if not as_json:
            _print_plan(task, describe_plan(spec, planned, orch.deps.policy))
        reading = typer.prompt(
            "The model and the offline reading disagree. Which plan should run?",
            type=click.Choice(["offline", "model"]),
            default="offline",
            err=True,
        )
    elif choose:
        _fail(
            f"Not started: {spec.disagreements[-1]} Check both with --dry-run, then choose with --reading offline "
            "or --reading model.",
            as_json=as_json,
        )
    if reading == "model":
        if spec.alternative is None:
            _fail(
                "There is no other reading to choose: "
                + ("; ".join(spec.disagreements) or f"the plan is {spec.engine}'s")
                + ". Run without --reading model.",
                as_json=as_json,
            )
        spec = spec.alternative
        planned = planned_runs(spec, source_dir=source_dir)
    done = already_started(orch, planned) if keyed else set()
    if not keyed:
        planned = [replace(p, key="") for p in planned]
    lines = describe_plan(spec, planned, orch.deps.policy, started=len(done))
    if dry_run:
        if as_json:
            print(json.dumps({"plan": _plan_json(spec, planned, orch, len(done)), "started": 0}, indent=2))
        else:
            _print_plan(task, lines)
            if spec.alternative is not None:
                other = planned_runs(spec.alternative, source_dir=source_dir)
                out.print("The model's reading, not used unless chosen:")
                for line in describe_plan(spec.alternative, other, orch.deps.policy)[:1]:
                    out.print("  " + shown(line, newlines=False), soft_wrap=True)
                out.print("Choose it with [bold]--reading model[/]; [bold]--reading offline[/] keeps this plan.")
            out.print("Nothing was started (--dry-run).")
        return []
    if not as_json and not choose:
        _print_plan(task, lines)
        if spec.model_failure:
            out.print(f"  [yellow]the model's plan could not be used[/] ({shown(spec.model_failure)}); planned offline")
    missing = sourceless_reason(spec, planned)
    if missing and not no_sources:
        if yes or not _interactive():
            _fail(
                f"Not started: {missing}. Give them sources (--source FOLDER, URLs in the task or a url column), "
                "or pass --no-sources to start them without.",
                as_json=as_json,
            )
        asked = f"Start them without sources? ({clean(missing, newlines=False)})"
        if not typer.confirm(asked, default=False, err=True):
            _fail("Not started: the items without sources were not confirmed.", as_json=as_json)
    if missing:
        planned = without_sources(planned)
    reason = None if yes or len(done) == len(planned) else confirmation_reason(spec, planned, orch.deps.policy)
    if reason is not None:
        if not _interactive():
            _fail(
                f"Not started: {reason}. Check the plan with --dry-run, then run again with --yes to start it "
                "without a terminal.",
                as_json=as_json,
            )
        if not typer.confirm(f"Start these runs? ({clean(reason, newlines=False)})", default=False, err=True):
            _fail("Not started: the plan was not confirmed.", as_json=as_json)
    if done and not as_json:
        out.print(
            f"{len(done)} of {len(planned)} items already started by an earlier run of this task; starting "
            f"{len(planned) - len(done)}. (`humangate reconcile` finishes runs a crash cut short.)"
        )
    if orch.runtime is not None:  # queued: enqueue every item, then watch them reach their outcomes
        from humangate.cli.watch import submit_and_watch

        return submit_and_watch(orch, task, spec.graph, planned, who, skip=done, as_json=as_json, detach=detach)
    started: list[tuple[str, RunInfo]] = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=as_json or not err.is_terminal,
    ) as progress:
        bar = progress.add_task(f"{spec.graph} runs", total=len(planned) - len(done))
        for label, run in start_planned(orch, planned, who, skip=done):
            started.append((label, run))
            progress.update(bar, description=f"{spec.graph}: {shown(label[:40], newlines=False)}")
            progress.advance(bar)
    return started


def _print_brief(orch: Orchestrator, run: RunInfo) -> None:
    """Print a finished research run's brief: each claim with the documents, pages or sections it cites."""
    if run.graph != "research" or run.status != "completed":
        return  # a paused brief is shown, sources beside it, by `humangate show ITEM`
    from humangate.core.schemas import Brief, Source

    values = orch.graph(run.graph).get_state({"configurable": {"thread_id": run.id}}).values
    brief = Brief.model_validate(values["brief"])
    titles = {s.id: s.title or s.id for s in (Source.model_validate(x) for x in values["research_input"]["sources"])}
    out.print(f"[bold]Brief on {shown(brief.subject)}[/] ({len(brief.claims)} claims, each citing its section):")
    for claim in brief.claims:
        cited = "; ".join(f"{titles.get(sid, sid)} [{sid}]" for sid in claim.source_ids)
        out.print(f"  - {shown(claim.text)}\n    [dim]{shown(cited)}[/]", soft_wrap=True)


def _print_plan(task: str, lines: list[str]) -> None:
    # The task, the model's rules and the items' names are untrusted: no escape sequence, bidi mark or line
    # break of theirs reaches the terminal (a newline in an item's name could forge a line of the plan).
    out.print(f"[bold]{shown(task, newlines=False)}[/]")
    for line in lines:
        out.print(shown(line, newlines=False), soft_wrap=True)


def _interactive() -> bool:
    """Return whether a person can answer a prompt (stdin is a terminal)."""
    return sys.stdin.isatty()


def _plan_json(spec: Any, planned: list[Any], orch: Orchestrator, done: int) -> dict[str, Any]:
    from humangate.task_plan import gate_plans

    return {
        "graph": spec.graph,
        "engine": spec.engine,
        "disagreements": spec.disagreements,
        "alternative": None if spec.alternative is None else {"graph": spec.alternative.graph},
        "model_failure": spec.model_failure,
        "items": len(planned),
        "labels": [p.label for p in planned],
        "rules": spec.rules,
        "gates": [
            {"node": g.node, "holds": g.what, "held_by": list(g.held_by), "forced": g.forced}
            for g in gate_plans(spec, orch.deps.policy)
        ],
        "refused": [note for p in planned for note in p.refused],
        "skipped": [note for p in planned for note in p.skipped],
        "notes": [note for p in planned for note in p.notes],
        "without_sources": sum(1 for p in planned if p.sourceless),
        "already_started": done,
    }


def _report(started: list[tuple[str, RunInfo]], orch: Orchestrator, as_json: bool) -> None:
    notice = breaker_notice(orch)
    if as_json:
        runs = [_run_json(r) | {"label": label, "served_by": run_engine(orch, r)} for label, r in started]
        print(json.dumps({"runs": runs, "engine": orch.deps.engine, "notice": notice}, indent=2))
        return
    out.print(engine_line(orch), soft_wrap=True)
    table = Table(title="What happened")
    for col in ("item", "graph", "status", "served by", "waits at", "why"):
        table.add_column(col, overflow="fold")
    for label, run in started[:TABLE_ROWS]:
        items = [orch.item(i) for i in run.pending_items]
        status = run.status + (f" ({run.outcome})" if run.outcome else "")
        where = ", ".join(f"#{i.id} {i.node} ({i.risk_level})" for i in items) or "-"
        # The two strongest reasons per item; `humangate show ITEM` has them all, with evidence.
        why = (
            " ".join(
                t.reason
                for i in items
                for t in sorted(i.request.assessment.triggers, key=lambda t: -(t.score or 0))[:2]
            )
            or "-"
        )
        table.add_row(shown(label), run.graph, status, shown(run_engine(orch, run)), where, shown(why))
    if len(started) > TABLE_ROWS:
        rest = len(started) - TABLE_ROWS
        table.caption = f"and {rest} more runs: `humangate runs` lists them, `humangate queue` what waits"
    out.print(table)
    if notice:
        out.print(f"[yellow]{shown(notice)}[/]", soft_wrap=True)
    done = sum(1 for _, r in started if r.status == "completed")
    waiting = sum(1 for _, r in started if r.status == "paused")
    other = Counter(r.status for _, r in started if r.status in ("failed", "cancelled"))
    out.print(
        f"{done} completed without a person, {waiting} waiting for review"
        + "".join(f", {n} {status}" for status, n in sorted(other.items()))
        + (f"; sent mail is in {orch.settings.outbox_dir}/" if done else "")
        + "."
    )


@app.command()
def run(
    task: Annotated[str, typer.Argument(help="What to do, in plain English.")],
    input: Annotated[
        Path | None,
        typer.Option("--input", help="CSV of items, e.g. company,name,email[,url]; any delimiter and encoding."),
    ] = None,
    source: Annotated[
        Path | None,
        typer.Option("--source", help="Folder of sources: .md .txt .html .pdf .docx (one sub-folder per item)."),
    ] = None,
    as_user: Annotated[str, typer.Option("--as", help="Who starts the runs.")] = "cli",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan and start nothing.")] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Start without asking, even when a send could go out unreviewed.")
    ] = False,
    no_sources: Annotated[
        bool,
        typer.Option("--no-sources", help="Start items that found no sources anyway: their briefs are empty."),
    ] = False,
    reading: Annotated[
        str | None,
        typer.Option("--reading", help="offline or model: which plan runs when the two readings of TASK disagree."),
    ] = None,
    detach: Annotated[
        bool,
        typer.Option("--detach", help="Enqueue the items and return; `humangate tasks watch ID` follows them."),
    ] = False,
    model: ModelOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Plan TASK, enqueue one run per item, show their progress, then what completed and what waits, and why.

    Workers run the items (inside this command unless HUMANGATE_WORKERS=external); Ctrl+C detaches and
    leaves them queued: `humangate tasks watch ID` re-attaches, `humangate tasks cancel ID` cancels.

    A run that could send without review, or one of more than 25 items, asks for confirmation first
    (``--yes`` skips it; without a terminal it is refused). Research and outreach items that found no
    sources are not started unless confirmed on a terminal or ``--no-sources`` is given. Items an earlier
    run of the same task started are not started again. When a model reads TASK otherwise than the
    offline engine, the offline plan stands; ``--reading model`` takes the model's (only ever one that
    fits the items).
    """
    from humangate.sources import read_csv_rows

    if reading not in (None, "offline", "model"):
        _fail(f"--reading must be offline or model, not {reading!r}.", as_json=as_json)
    rows: list[dict[str, Any]] | None = None
    if input is not None:
        try:
            rows = read_csv_rows(input)
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
    if source is not None and not source.is_dir():
        _fail(f"--source {source} is not a folder.", as_json=as_json)
    with _orchestrator(db, as_json, model=model, queued=True) as orch:
        note = unused_endpoint(orch, why="this run uses the offline engine (--model offline or HUMANGATE_MODEL)")
        if note and not as_json:
            out.print(f"[yellow]{shown(note)}[/]", soft_wrap=True)
        try:
            started = _plan_and_start(
                orch,
                task,
                rows,
                source,
                as_user,
                as_json,
                keyed=True,
                dry_run=dry_run,
                yes=yes,
                no_sources=no_sources,
                reading=reading,
                detach=detach,
            )
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
        if not dry_run and not detach:
            _report(started, orch, as_json)
