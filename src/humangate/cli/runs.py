"""Commands about runs: list and inspect them, recover after a crash, oversight metrics."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from humangate.cli._common import (
    DbOpt,
    JsonOpt,
    _fail,
    _orchestrator,
    _run_json,
    _runs_table,
    app,
    out,
    shown,
)
from humangate.errors import HumanGateError
from humangate.oversight.metrics import MetricsReport, Rate, parse_since
from humangate.oversight.quality import QualityReport, compute_quality


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
            # The command line holds the database itself and shows every reviewer's figures (``metrics``): an
            # operator's view, so a run's canary events are shown too.
            the_run, timeline = matches[0], orch.timeline(matches[0].id, oversight=True)
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
                shown(e["actor"], newlines=False),
                shown(e["kind"]),
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
            "memory_stored": report.memory_stored,
            "memory_waiting": report.memory_waiting,
            "quarantined": report.quarantined,
        }
        if as_json:
            print(json.dumps(data, indent=2))
        else:
            out.print(
                f"Checked {report.runs_checked} open runs: {len(report.restarted)} restarted, "
                f"{len(report.resumed)} resumed, {report.decisions_applied} decisions applied, "
                f"{len(report.failed)} failed, {len(report.busy)} busy in another worker; memory stored "
                f"{report.memory_stored} queued decision(s)"
                + (f", {report.memory_waiting} still waiting (see the log)." if report.memory_waiting else ".")
            )
            if report.quarantined:
                ids = ", ".join(str(i) for i in report.quarantined)
                out.print(f"Quarantined review items (their stored request cannot be read): {ids}.")


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
    summary = Table(title=f"Oversight metrics{shown(scope)}")
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
            shown(g), shown(n), _pct(escalations.get((g, n), Rate(0, 0))), _pct(overrides.get((g, n), Rate(0, 0)))
        )
    tables.append(by_node)
    if report.guarantees:
        promise = Table(title="Escalation router: its guarantee and the escalation it costs")
        for col in ("gate", "router", "guarantee", "escalated", "held by the router"):
            promise.add_column(col, justify="right" if col.startswith(("escalated", "held")) else "left")
        for kept in report.guarantees:
            said = kept.promise
            promise.add_row(
                shown(f"{said.graph}.{said.node}"),
                shown(said.router),
                shown(said.sentence()),
                _pct(kept.escalated),
                _pct(kept.router_held),
            )
        tables.append(promise)
    for title, rows in (
        ("Override rate by trigger kind", report.overrides.by_trigger),
        ("Override rate by reviewer", report.overrides.by_reviewer),
    ):
        table = Table(title=title)
        table.add_column("who" if "reviewer" in title else "trigger")
        table.add_column("override rate", justify="right")
        for key, rate in rows:
            table.add_row(shown(key), _pct(rate))
        tables.append(table)
    patterns = Table(title="Exception patterns: assessments per trigger kind, and per day (UTC)")
    patterns.add_column("trigger")
    patterns.add_column("count", justify="right")
    for day in report.trend_days:
        patterns.add_column(day[5:], justify="right")
    for p in report.exceptions:
        patterns.add_row(shown(p.kind), str(p.count), *map(str, p.per_day))
    tables.append(patterns)
    return tables


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _quality_tables(q: QualityReport) -> list[Table]:
    a, c = q.agreement, q.canaries
    summary = Table(title="Review quality")
    summary.add_column("metric")
    summary.add_column("value", justify="right")
    kappa = "-" if a.kappa is None else f"kappa {a.kappa:.2f} over {a.pairs} pairs"
    summary.add_row(f"agreement ({a.audit_pairs} audit, {a.vote_pairs} vote pairs)", kappa)
    summary.add_row("post-review error rate (audit findings / audited approvals)", _pct(q.post_review_errors))
    summary.add_row("auto-pass audit findings", _pct(q.auto_pass_findings))
    catch = "-" if c.catch_rate is None else f"{c.catch_rate:.1%}"
    summary.add_row("canaries", f"{c.seeded} seeded, caught {c.caught} of {c.decided} decided ({catch})")
    reviewers = Table(title="Reviewers (fast = under the minimum review time)")
    for col in ("", "reviewer", "decisions", "approved", "fast", "approve streak", "approval gap", "canaries caught"):
        reviewers.add_column(col, justify="left" if col in ("", "reviewer") else "right")
    reviewers.add_column("flags")
    for r in q.reviewers:
        gap = "-" if r.approval_gap is None else f"{r.approval_gap * 100:+.0f} pts"
        caught = f"{r.canaries_seen - r.canaries_approved}/{r.canaries_seen}" if r.canaries_seen else "-"
        reviewers.add_row(
            "[bold red]FLAG[/]" if r.flagged else "",
            shown(r.reviewer),
            str(r.decisions),
            _share(r.approval_rate),
            _share(r.fast_share),
            str(r.longest_approve_streak),
            gap,
            caught,
            shown(" ".join(r.flags)),
        )
    return [summary, reviewers]


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
    """Oversight metrics: escalation and override rates, time to decision, queue age, reviewer quality."""
    start: float | None = None
    if since is not None:
        try:
            start = parse_since(since, time.time())
        except ValueError as exc:
            _fail(str(exc), as_json=as_json, code=2)
    with _orchestrator(db, as_json) as orch:
        report = orch.metrics(since=start, graph=graph)
        with orch.db.read() as conn:
            quality = compute_quality(conn, now=orch.clock(), since=start, graph=graph)
        if as_json:
            print(json.dumps(report.to_json() | {"quality": quality.to_dict()}, indent=2))
            return
        for table in [*_metrics_tables(report), *_quality_tables(quality)]:
            out.print(table)
