"""``humangate calibrate``: refit a gate's escalation router on its reviewers' decisions, list refits, roll back."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from humangate.cli._common import DbOpt, JsonOpt, _fail, _orchestrator, app, out, shown
from humangate.errors import HumanGateError
from humangate.review._calibrating import Calibration

_FIGURES = (
    ("labels", "labels (runs a person judged)"),
    ("positives", "of them, needed a person"),
    ("fit", "fit slice"),
    ("calibration_positives", "calibration positives"),
    ("held", "held-back slice"),
    ("held_positives", "held-back positives"),
    ("held_recall_new", "held-back recall, refit"),
    ("held_recall_active", "held-back recall, active router"),
    ("held_escalated_new", "held-back escalated, refit"),
    ("held_escalated_active", "held-back escalated, active router"),
    ("threshold", "refit threshold"),
    ("guarantee", "refit guarantee"),
    ("reviewer_shares", "reviewers' shares of the fit"),
    ("flagged_reviewers", "contributors the oversight report flags"),
    ("excluded", "decisions left out (--exclude-reviewer)"),
    ("skipped", "labels whose text could not be read"),
)


def _value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4f}" if v < 0.01 else f"{v:.3f}"
    if isinstance(v, dict):
        return ", ".join(f"{k}: {_value(x)}" for k, x in v.items())
    return str(v)


def _show(result: Calibration, dry_run: bool) -> None:
    verdict = "[green]accepted[/]" if result.accepted else "[bold red]refused[/]"
    where = "not stored (dry run)" if dry_run else f"stored as version {result.version}"
    now = "it is now the active router" if result.accepted and not dry_run else "the active router is unchanged"
    out.print(f"{shown(result.graph)}.{shown(result.node)}: refit {verdict}, {where}; {now}.")
    out.print(shown(result.summary))
    table = Table(title="Refit figures")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, label in _FIGURES:
        if key in result.figures:
            table.add_row(label, shown(_value(result.figures[key])))
    out.print(table)


def _when(ts: float | None) -> str:
    return "-" if ts is None else datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M")


@app.command()
def calibrate(
    graph: Annotated[str, typer.Option(help="The gate's graph.")] = "support",
    node: Annotated[str, typer.Option(help="The gate.")] = "review_reply",
    actor: Annotated[str, typer.Option("--as", help="Who refits or rolls back (written to the audit trail).")] = "cli",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Fit and check, but store nothing.")] = False,
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude-reviewer", help="Leave this reviewer's decisions out (repeatable).")
    ] = None,
    list_them: Annotated[bool, typer.Option("--list", help="List the gate's refits, newest first.")] = False,
    rollback: Annotated[
        str | None,
        typer.Option(help="Make this stored version the gate's router again, or `shipped` for the shipped router."),
    ] = None,
    reason: Annotated[str, typer.Option(help="Why you roll back, for the audit trail.")] = "",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Refit the gate's escalation router on its reviewers' decisions; refused when it lowers held-back recall."""
    if list_them and rollback is not None:
        _fail("Give --list or --rollback, not both.", as_json=as_json, code=2)
    target: int | None = None
    if rollback is not None and rollback != "shipped":
        if not rollback.isdigit():
            _fail(f"--rollback takes a version number or `shipped`, got {rollback!r}.", as_json=as_json, code=2)
        target = int(rollback)
    with _orchestrator(db, as_json) as orch:
        try:
            if list_them:
                _list(orch.router_versions(graph, node), as_json)
                return
            if rollback is not None:
                before = orch.rollback_router(graph, node, target, actor=actor, why=reason)
                data = {"graph": graph, "node": node, "from": before, "to": target}
                if as_json:
                    print(json.dumps(data))
                else:
                    now = "the shipped router" if target is None else f"version {target}"
                    was = "the shipped router" if before is None else f"version {before}"
                    out.print(f"{shown(graph)}.{shown(node)} now uses {now} (was {was}).")
                return
            result = orch.calibrate(graph, node, actor=actor, exclude=exclude or (), dry_run=dry_run)
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
    if as_json:
        print(json.dumps(result.to_dict(), indent=2, default=str))
    else:
        _show(result, dry_run)
    if not result.accepted:
        raise typer.Exit(3)  # scripts and schedulers can tell a refusal from success


def _list(versions: list[Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps([v.to_dict() for v in versions], indent=2, default=str))
        return
    table = Table(title=f"Router refits ({len(versions)})")
    for col in ("version", "when", "by", "status", "labels", "replaces", "summary"):
        table.add_column(col)
    for v in versions:
        status = {"active": "[green]active[/]", "refused": "[red]refused[/]"}.get(v.status, v.status)
        table.add_row(
            str(v.id),
            _when(v.created_at),
            shown(v.created_by),
            status,
            str(v.labels),
            "shipped" if v.parent_id is None else str(v.parent_id),
            shown(str(v.report.get("summary", ""))[:300]),
        )
    out.print(table)
