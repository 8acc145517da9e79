"""The ``humangate`` command: run graphs, work the review queue, verify the audit trail."""

from __future__ import annotations

import csv
import json
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from humangate.config import Settings
from humangate.errors import HumanGateError, InvalidDecisionError
from humangate.oversight.metrics import MetricsReport, Rate, parse_since
from humangate.review.contract import REASON_CODES, ROLES
from humangate.review.queue import QueueFilter, ReviewItem
from humangate.review.runs import RunInfo
from humangate.review.service import Orchestrator

__all__ = ["app", "main"]

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
audit_app = typer.Typer(no_args_is_help=True, help="The tamper-evident audit trail.")
users_app = typer.Typer(no_args_is_help=True, help="Reviewers and their roles.")
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
app.add_typer(users_app, name="users")

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

DbOpt = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: HUMANGATE_DB_URL or sqlite:///./humangate.db).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
ModelOpt = Annotated[
    str | None,
    typer.Option("--model", help="Chat model for the agents, or `offline` (default: HUMANGATE_MODEL, else offline)."),
]
_APPROVAL_WORDS = re.compile(
    r"\b(approve|approval|sign[- ]off|review|check with me|before (anything is )?sen[dt])", re.I
)


def _fail(message: str, *, as_json: bool, code: int = 1) -> NoReturn:
    if as_json:
        print(json.dumps({"error": message}))
    else:
        err.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(code)


@contextmanager
def _orchestrator(db: str | None, as_json: bool, *, model: str | None = None) -> Iterator[Orchestrator]:
    try:
        with Orchestrator(Settings.from_env(db_url=db).with_model(model)) as orch:
            yield orch
    except HumanGateError as exc:
        _fail(str(exc), as_json=as_json)


def _age(ts: float) -> str:
    s = max(0, int(time.time() - ts))
    return f"{s}s" if s < 120 else f"{s // 60}m" if s < 7200 else f"{s // 3600}h"


def _item_json(item: ReviewItem, *, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": item.id,
        "run_id": item.run_id,
        "graph": item.graph,
        "node": item.node,
        "title": item.title,
        "risk_level": item.risk_level,
        "score": item.score,
        "triggers": list(item.trigger_kinds),
        "required_role": item.required_role,
        "status": item.status,
        "claimed_by": item.claimed_by,
        "created_at": item.created_at,
    }
    if full:
        data["request"] = item.request.model_dump(mode="json")
    return data


def _run_json(run: RunInfo) -> dict[str, Any]:
    return {
        "id": run.id,
        "graph": run.graph,
        "title": run.title,
        "status": run.status,
        "outcome": run.outcome,
        "pending_items": list(run.pending_items),
        "error": run.error,
        "created_at": run.created_at,
    }


def _runs_table(runs: list[RunInfo], orch: Orchestrator) -> Table:
    table = Table(title="Runs")
    for col in ("run", "title", "status", "why it waits"):
        table.add_column(col)
    for run in runs:
        why = " ".join(r.reason for i in run.pending_items for r in orch.item(i).request.assessment.triggers)
        status = run.status + (f" ({run.outcome})" if run.outcome else "")
        table.add_row(run.id[:12], escape(run.title), status, escape(why) or "-")
    return table


DEMO_OUTREACH_TASK = (
    "Research these companies, draft an intro email to the contact at each, and let me approve before anything is sent."
)
DEMO_SUPPORT_TASK = "Triage these support tickets: answer the calm ones and hand angry, churning or legal ones to me."


@app.command()
def demo(
    db: DbOpt = None,
    model: ModelOpt = "offline",
    as_json: JsonOpt = False,
) -> None:
    """Run the bundled sample tasks offline: outreach to four companies, then a dozen support tickets."""
    from humangate.data.demo import demo_root, demo_support_messages

    with _orchestrator(db, as_json, model=model) as orch:
        orch.add_user("demo-reviewer", "reviewer", actor="demo")
        orch.add_user("demo-expert", "expert", actor="demo")
        root = demo_root()
        people = list(csv.DictReader(root.joinpath("recipients.csv").read_text(encoding="utf-8").splitlines()))
        tickets = [m.model_dump() for m in demo_support_messages()]
        with resources.as_file(root.joinpath("sources")) as sources:
            outreach = _plan_and_start(orch, DEMO_OUTREACH_TASK, people, sources, "demo", as_json)
        support = _plan_and_start(orch, DEMO_SUPPORT_TASK, tickets, None, "demo", as_json)
        _report([*outreach, *support], orch, as_json)
        if not as_json:
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
) -> list[tuple[str, RunInfo]]:
    from humangate.tasks import plan_task, start_planned

    spec, planned = plan_task(orch, task, rows, source_dir)
    if not as_json:
        rules = "; ".join(spec.rules) or "the risk policy decides what a person sees"
        out.print(f"[bold]{escape(task)}[/]\n  plan: {len(planned)} {spec.graph} runs; {escape(rules)}")
        if spec.model_failure:
            out.print(
                f"  [yellow]the model's plan could not be used[/] ({escape(spec.model_failure)}); planned offline"
            )
    started: list[tuple[str, RunInfo]] = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=as_json or not err.is_terminal,
    ) as progress:
        bar = progress.add_task(f"{spec.graph} runs", total=len(planned))
        for label, run in start_planned(orch, planned, who):
            started.append((label, run))
            progress.update(bar, description=f"{spec.graph}: {label[:40]}")
            progress.advance(bar)
    return started


def _report(started: list[tuple[str, RunInfo]], orch: Orchestrator, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"runs": [_run_json(r) | {"label": label} for label, r in started]}, indent=2))
        return
    table = Table(title="What happened")
    for col in ("item", "graph", "status", "waits at", "why"):
        table.add_column(col, overflow="fold")
    for label, run in started:
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
        table.add_row(escape(label), run.graph, status, where, escape(why))
    out.print(table)
    done = sum(1 for _, r in started if r.status == "completed")
    waiting = sum(1 for _, r in started if r.status == "paused")
    out.print(
        f"{done} completed without a person, {waiting} waiting for review"
        + (f"; sent mail is in {orch.settings.outbox_dir}/" if done else "")
        + "."
    )


@app.command()
def run(
    task: Annotated[str, typer.Argument(help="What to do, in plain English.")],
    input: Annotated[Path | None, typer.Option("--input", help="CSV of items, e.g. company,name,email.")] = None,
    source: Annotated[
        Path | None, typer.Option("--source", help="Folder of sources (one sub-folder per item).")
    ] = None,
    as_user: Annotated[str, typer.Option("--as", help="Who starts the runs.")] = "cli",
    model: ModelOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Plan TASK, start one run per item, and show what completed and what waits for review, and why."""
    rows: list[dict[str, Any]] | None = None
    if input is not None:
        try:
            with input.open(newline="", encoding="utf-8") as fh:
                rows = [dict(r) for r in csv.DictReader(fh)]
        except OSError as exc:
            _fail(f"Cannot read {input}: {exc.strerror}.", as_json=as_json)
        except (csv.Error, UnicodeDecodeError) as exc:
            _fail(f"{input} is not a readable CSV file: {exc}.", as_json=as_json)
        if not rows:
            _fail(f"{input} has no rows under its header.", as_json=as_json)
    if source is not None and not source.is_dir():
        _fail(f"--source {source} is not a folder.", as_json=as_json)
    with _orchestrator(db, as_json, model=model) as orch:
        try:
            started = _plan_and_start(orch, task, rows, source, as_user, as_json)
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
        _report(started, orch, as_json)


@app.command()
def queue(
    graph: Annotated[str | None, typer.Option(help="Only this graph.")] = None,
    node: Annotated[str | None, typer.Option(help="Only this gate node.")] = None,
    risk: Annotated[str | None, typer.Option(help="low, medium, high or critical.")] = None,
    trigger: Annotated[str | None, typer.Option(help="Only items with this trigger kind.")] = None,
    role: Annotated[str | None, typer.Option(help="Only items this role may decide.")] = None,
    limit: Annotated[int, typer.Option(help="Items per page.")] = 50,
    cursor: Annotated[str | None, typer.Option(help="Cursor of the next page, as printed.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List pending review items, highest risk then oldest first."""
    with _orchestrator(db, as_json) as orch:
        filt = QueueFilter(graph=graph, node=node, risk_level=risk, trigger_kind=trigger, role=role)  # type: ignore[arg-type]
        try:
            page = orch.pending(filt, limit=limit, cursor=cursor)
            total = orch.count(filt)
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
        if as_json:
            print(
                json.dumps(
                    {"total": total, "items": [_item_json(i) for i in page.items], "next_cursor": page.next_cursor},
                    indent=2,
                )
            )
            return
        table = Table(title=f"Pending review items ({total})")
        for col in ("item", "risk", "title", "triggers", "role", "age", "claimed by"):
            table.add_column(col)
        for i in page.items:
            table.add_row(
                str(i.id),
                i.risk_level,
                escape(i.title),
                ", ".join(i.trigger_kinds),
                i.required_role,
                _age(i.created_at),
                i.claimed_by or "",
            )
        out.print(table)
        if page.next_cursor:
            out.print(f"more: humangate queue --cursor {page.next_cursor}")


@app.command()
def show(
    item_id: Annotated[int, typer.Argument(metavar="ITEM")],
    claim: Annotated[bool, typer.Option("--claim", help="Also lease the item to --as USER.")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="Reviewer claiming the item.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show what the system saw, what it proposes and why it paused."""
    with _orchestrator(db, as_json) as orch:
        try:
            if claim:
                if not as_user:
                    _fail("--claim needs --as USER.", as_json=as_json, code=2)
                item = orch.claim(item_id, as_user)
            else:
                item = orch.item(item_id)
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
        if as_json:
            print(json.dumps(_item_json(item, full=True), indent=2))
            return
        req = item.request
        a = req.assessment
        out.print(Panel(escape(req.title), title=f"item {item.id} · {item.status} · run {item.run_id[:12]}"))
        out.print(
            f"[bold]Risk[/] {a.level} (score {a.score:.2f}, confidence {a.confidence:.2f}, "
            f"policy {a.policy_version}); needs role [bold]{req.required_role}[/]"
        )
        for t in a.triggers:
            out.print(
                f"  • {escape('[' + t.kind + ']')} {escape(t.reason)}"
                + (f"  evidence: {escape('; '.join(t.evidence))}" if t.evidence else "")
            )
        if req.observed:
            out.print(f"[bold]Saw[/] {escape(req.observed)}")
        for attempt in req.attempts:
            out.print(f"[bold]Tried[/] {escape(attempt)}")
        for s in req.sources:
            out.print(Panel(escape(s.excerpt), title=f"source {escape(s.id)}: {escape(s.title)}"))
        out.print(
            Panel(
                escape(json.dumps(req.proposal, indent=2, ensure_ascii=False)), title=f"proposal ({req.proposal_kind})"
            )
        )
        out.print(f"Allowed: {', '.join(req.allowed_actions)}. Reason codes: {', '.join(REASON_CODES)}.")


@app.command()
def decide(
    item_id: Annotated[int, typer.Argument(metavar="ITEM")],
    as_user: Annotated[str, typer.Option("--as", help="The reviewer deciding.")],
    approve: Annotated[bool, typer.Option("--approve", help="Accept the proposal as it is.")] = False,
    edit: Annotated[Path | None, typer.Option("--edit", help="JSON file with the corrected proposal.")] = None,
    reject: Annotated[bool, typer.Option("--reject", help="Stop the run here.")] = False,
    redirect: Annotated[str | None, typer.Option("--redirect", help="Send it back with these instructions.")] = None,
    escalate: Annotated[
        str | None, typer.Option("--escalate", help=f"Hand to a higher role: {', '.join(ROLES[1:])}.")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help=f"Reason code: {', '.join(REASON_CODES)}.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="A note for the record.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Decide a review item and resume its run."""
    chosen = [
        name
        for name, on in (
            ("approve", approve),
            ("edit", edit is not None),
            ("reject", reject),
            ("redirect", redirect is not None),
            ("escalate", escalate is not None),
        )
        if on
    ]
    if len(chosen) != 1:
        _fail(
            "Give exactly one of --approve, --edit FILE, --reject, --redirect TEXT, --escalate ROLE.",
            as_json=as_json,
            code=2,
        )
    decision: dict[str, Any] = {"action": chosen[0], "reviewer": as_user, "reason_code": reason, "note": note}
    if edit is not None:
        try:
            decision["edited"] = json.loads(edit.read_text(encoding="utf-8"))
        except OSError as exc:
            _fail(f"Cannot read edit file {edit}: {exc.strerror}.", as_json=as_json)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            _fail(
                f"Edit file {edit} is not valid JSON ({exc}); it must hold the whole corrected proposal "
                "as a JSON object, as `humangate show ITEM --json` prints under request.proposal.",
                as_json=as_json,
            )
        if not isinstance(decision["edited"], dict):
            _fail(f"Edit file {edit} must hold a JSON object, the whole corrected proposal.", as_json=as_json)
    if redirect is not None:
        decision["instructions"] = redirect
    if escalate is not None:
        decision["escalate_to"] = escalate
    with _orchestrator(db, as_json) as orch:
        try:
            result = orch.decide(item_id, decision)
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
        if as_json:
            print(
                json.dumps(
                    {"item_id": item_id, "decision_id": result.decision_id, "run": _run_json(result.run)}, indent=2
                )
            )
            return
        r = result.run
        nxt = f"; new item(s) {', '.join(map(str, r.pending_items))}" if r.pending_items else ""
        out.print(
            f"Item {item_id}: {chosen[0]} recorded. Run {r.id[:12]} is {r.status}"
            + (f" ({r.outcome})" if r.outcome else "")
            + nxt
            + "."
        )


@app.command()
def runs(
    run_id: Annotated[str | None, typer.Argument(metavar="[RUN]", help="Show one run's timeline.")] = None,
    status: Annotated[str | None, typer.Option(help="running, paused, completed or failed.")] = None,
    limit: Annotated[int, typer.Option(help="How many runs.")] = 50,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List recent runs, or show one run's timeline."""
    with _orchestrator(db, as_json) as orch:
        try:
            if run_id is None:
                found = orch.runs(status=status, limit=limit)
                if as_json:
                    print(json.dumps([_run_json(r) for r in found], indent=2))
                else:
                    out.print(_runs_table(found, orch))
                return
            matches = (
                [r for r in orch.runs(limit=100_000) if r.id.startswith(run_id)]
                if len(run_id) < 32
                else [orch.run(run_id)]
            )
            if len(matches) != 1:
                _fail(f"{len(matches)} runs match {run_id!r}; give more of the id.", as_json=as_json)
            the_run, timeline = matches[0], orch.timeline(matches[0].id)
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
        if as_json:
            print(json.dumps({"run": _run_json(the_run), "timeline": timeline}, indent=2))
            return
        out.print(_runs_table([the_run], orch))
        table = Table(title="Timeline")
        for col in ("#", "when", "who", "what", "item"):
            table.add_column(col)
        for e in timeline:
            table.add_row(
                str(e["seq"]),
                time.strftime("%H:%M:%S", time.localtime(e["at"])),
                escape(e["actor"]),
                e["kind"],
                str(e["item_id"] or ""),
            )
        out.print(table)


@app.command()
def reconcile(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Rebuild queue rows and run status from checkpoints and finish runs a crash cut short."""
    with _orchestrator(db, as_json) as orch:
        report = orch.reconcile()
        data = {
            "runs_checked": report.runs_checked,
            "restarted": report.restarted,
            "resumed": report.resumed,
            "decisions_applied": report.decisions_applied,
            "failed": report.failed,
            "busy": report.busy,
        }
        if as_json:
            print(json.dumps(data, indent=2))
        else:
            out.print(
                f"Checked {report.runs_checked} open runs: {len(report.restarted)} restarted, "
                f"{len(report.resumed)} resumed, {report.decisions_applied} decisions applied, "
                f"{len(report.failed)} failed, {len(report.busy)} busy in another worker."
            )


def _pct(rate: Rate) -> str:
    return "-" if rate.rate is None else f"{rate.rate:.1%} ({rate.count}/{rate.total})"


def _span(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = int(seconds)
    return f"{s}s" if s < 120 else f"{s // 60}m" if s < 7200 else f"{s // 3600}h" if s < 172_800 else f"{s // 86400}d"


def _metrics_tables(report: MetricsReport) -> list[Table]:
    scope = (f" for {report.graph}" if report.graph else "") + (
        f" since {datetime.fromtimestamp(report.since, UTC).isoformat(timespec='minutes')}" if report.since else ""
    )
    ttd, q = report.time_to_decision, report.queue
    summary = Table(title=f"Oversight metrics{escape(scope)}")
    summary.add_column("metric")
    summary.add_column("value", justify="right")
    summary.add_row("escalation rate (needs review / all assessments)", _pct(report.escalation.overall))
    summary.add_row("override rate (edit+reject+redirect / decided)", _pct(report.overrides.overall))
    summary.add_row(f"time to decision p50 / p90 ({ttd.count} decisions)", f"{_span(ttd.p50)} / {_span(ttd.p90)}")
    summary.add_row(
        "pending now / oldest / median age", f"{q.pending} / {_span(q.oldest_seconds)} / {_span(q.p50_seconds)}"
    )
    summary.add_row("decisions by action", ", ".join(f"{a} {n}" for a, n in report.decisions_by_action))
    tables = [summary]
    by_node = Table(title="By gate")
    for col in ("graph", "node", "escalation rate", "override rate"):
        by_node.add_column(col)
    overrides = {(g, n): r for g, n, r in report.overrides.by_node}
    escalations = {(g, n): r for g, n, r in report.escalation.by_node}
    for g, n in sorted(overrides.keys() | escalations.keys()):
        by_node.add_row(
            escape(g), escape(n), _pct(escalations.get((g, n), Rate(0, 0))), _pct(overrides.get((g, n), Rate(0, 0)))
        )
    tables.append(by_node)
    for title, rows in (
        ("Override rate by trigger kind", report.overrides.by_trigger),
        ("Override rate by reviewer", report.overrides.by_reviewer),
    ):
        table = Table(title=title)
        table.add_column("who" if "reviewer" in title else "trigger")
        table.add_column("override rate", justify="right")
        for key, rate in rows:
            table.add_row(escape(key), _pct(rate))
        tables.append(table)
    patterns = Table(title="Exception patterns: assessments per trigger kind, and per day (UTC)")
    patterns.add_column("trigger")
    patterns.add_column("count", justify="right")
    for day in report.trend_days:
        patterns.add_column(day[5:], justify="right")
    for p in report.exceptions:
        patterns.add_row(escape(p.kind), str(p.count), *map(str, p.per_day))
    tables.append(patterns)
    return tables


@app.command()
def metrics(
    since: Annotated[
        str | None,
        typer.Option(help="Only what happened since: an ISO date/time (UTC unless given) or a duration like 7d, 12h."),
    ] = None,
    graph: Annotated[str | None, typer.Option(help="Only this graph.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Oversight metrics: escalation and override rates, time to decision, queue age, trigger patterns."""
    start: float | None = None
    if since is not None:
        try:
            start = parse_since(since, time.time())
        except ValueError as exc:
            _fail(str(exc), as_json=as_json, code=2)
    with _orchestrator(db, as_json) as orch:
        report = orch.metrics(since=start, graph=graph)
        if as_json:
            print(json.dumps(report.to_json(), indent=2))
            return
        for table in _metrics_tables(report):
            out.print(table)


@audit_app.command("verify")
def audit_verify(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Recompute the audit hash chain; exit 1 and name the rows when anything was altered."""
    with _orchestrator(db, as_json) as orch:
        report = orch.verify_audit()
        if as_json:
            print(
                json.dumps(
                    {
                        "ok": report.ok,
                        "events": report.events,
                        "problems": [{"seq": p.seq, "problem": p.problem} for p in report.problems],
                    },
                    indent=2,
                )
            )
        elif report.ok:
            out.print(f"[green]Audit chain intact[/]: {report.events} events verified.")
        else:
            err.print(f"[bold red]Audit chain broken[/] ({report.events} events checked):")
            for p in report.problems:
                err.print(f"  event {p.seq}: {p.problem}")
        if not report.ok:
            raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Create or migrate the database schema to the newest version."""
    from humangate.checkpoints.database import Database
    from humangate.checkpoints.savers import open_checkpointer

    try:
        settings = Settings.from_env(db_url=db)
        database = Database(settings)
        try:
            before, after = database.upgrade()
            with open_checkpointer(settings, setup=True):
                pass
        finally:
            database.dispose()
    except HumanGateError as exc:
        _fail(str(exc), as_json=as_json)
    if as_json:
        print(json.dumps({"from": before, "to": after}))
    else:
        out.print(
            f"Database {settings.database.redacted()} is at revision {after}"
            + (" (already current)." if before == after else f" (was {before or 'empty'}).")
        )


@users_app.command("add")
def users_add(
    name: str,
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")] = "reviewer",
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            help="Password for the review panel's login (asked for, hidden, when omitted at a terminal).",
        ),
    ] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a user (or change their role), with a password to sign in to the review panel."""
    if password is None and not as_json and sys.stdin.isatty():
        password = typer.prompt(
            f"Panel password for {name} (empty: no panel login)",
            default="",
            show_default=False,
            hide_input=True,
            confirmation_prompt=True,
        )
    with _orchestrator(db, as_json) as orch:
        try:
            orch.add_user(name, role, actor="cli")  # type: ignore[arg-type]
            if password:
                orch.set_password(name, password, actor="cli")
        except InvalidDecisionError as exc:
            _fail(str(exc), as_json=as_json)
        if as_json:
            print(json.dumps({"name": name, "role": role, "password_set": bool(password)}))
        else:
            out.print(f"{name} is a {role}" + (" and can sign in to the panel." if password else "."))


@app.command()
def ui(
    host: Annotated[str, typer.Option(help="Address to listen on; anything but localhost needs users.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 7860,
    db: DbOpt = None,
) -> None:
    """Serve the reviewer panel (login with `humangate users add NAME --password ...`)."""
    from humangate.ui import build_app, check_can_serve, serve

    with _orchestrator(db, False) as orch:
        try:
            check_can_serve(orch, host)
        except HumanGateError as exc:
            _fail(str(exc), as_json=False)
        panel = build_app(orch)
        url = serve(panel, orch, host=host, port=port)
        out.print(f"Review panel on [bold]{escape(url)}[/] (Ctrl+C to stop).")
        try:
            panel.block_thread()
        finally:
            panel.close()


def main() -> None:
    """Run the command line."""
    app(prog_name="humangate")


if __name__ == "__main__":
    main()
    sys.exit(0)
