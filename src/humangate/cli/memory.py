"""``humangate memory``: list, inspect, disable, re-enable and roll back what reviewers taught."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from humangate.cli._common import DbOpt, JsonOpt, _fail, _orchestrator, app, out
from humangate.errors import HumanGateError
from humangate.memory.store import CORRECTION_KINDS
from humangate.oversight.metrics import parse_since

memory_app = typer.Typer(help="Correction memory: what reviewers taught, and switching lessons off and on.")
app.add_typer(memory_app, name="memory")

ActorOpt = Annotated[str, typer.Option("--as", help="Who makes the change (written to the audit trail).")]
ReasonOpt = Annotated[str | None, typer.Option("--reason", help="Why, for the audit trail.")]


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M")


@memory_app.command("list")
def memory_list(
    graph: Annotated[str | None, typer.Option(help="Only this graph.")] = None,
    node: Annotated[str | None, typer.Option(help="Only this gate.")] = None,
    kind: Annotated[str | None, typer.Option(help=f"Only one kind: {', '.join(CORRECTION_KINDS)}.")] = None,
    show: Annotated[str, typer.Option(help="active, disabled or all.")] = "all",
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List stored corrections, newest first."""
    if show not in ("active", "disabled", "all"):
        _fail(f"--show must be active, disabled or all, got {show!r}.", as_json=as_json)
    if kind is not None and kind not in CORRECTION_KINDS:
        _fail(f"--kind must be one of {', '.join(CORRECTION_KINDS)}, got {kind!r}.", as_json=as_json)
    active = None if show == "all" else show == "active"
    with _orchestrator(db, as_json) as orch:
        try:
            found = orch.memory.corrections(
                graph=graph, node=node, active=active, kinds=[kind] if kind else None, limit=limit
            )
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
    if as_json:
        print(json.dumps([c.to_dict() for c in found], indent=2, ensure_ascii=False))
        return
    table = Table(title=f"Corrections ({len(found)} shown)")
    for col in ("id", "when", "gate", "kind", "reviewer", "reason", "what", "active"):
        table.add_column(col)
    for c in found:
        table.add_row(
            str(c.id),
            _when(c.created_at),
            escape(f"{c.graph}.{c.node}"),
            c.kind,
            escape(c.reviewer),
            escape(c.reason_code or ""),
            escape(c.summary()),
            "yes" if c.active else "[red]no[/]",
        )
    out.print(table)


@memory_app.command("show")
def memory_show(correction_id: int, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Show one correction whole: what the agent saw and proposed, and what the reviewer did."""
    with _orchestrator(db, as_json) as orch:
        try:
            c = orch.memory.get(correction_id)
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
    if as_json:
        print(json.dumps(c.to_dict(), indent=2, ensure_ascii=False))
        return
    state = "active" if c.active else "[red]disabled[/]"
    out.print(f"[bold]Correction {c.id}[/] ({state}): {c.kind} at {escape(c.graph)}.{escape(c.node)}")
    out.print(f"by {escape(c.reviewer)} on {_when(c.created_at)}; reason: {escape(c.reason_code or '-')}")
    if c.note:
        out.print(f"note: {escape(c.note)}")
    if c.instructions:
        out.print(f"{'escalated to' if c.kind == 'escalate' else 'instructions'}: {escape(c.instructions)}")
    out.print(f"\n[bold]What the agent saw[/]\n{escape(c.situation or '(nothing recorded)')}")
    out.print(f"\n[bold]Proposal[/]\n{escape(json.dumps(c.proposal, indent=2, ensure_ascii=False))}")
    if c.corrected is not None:
        out.print(f"\n[bold]Reviewer's version[/]\n{escape(json.dumps(c.corrected, indent=2, ensure_ascii=False))}")


def _set(correction_id: int, active: bool, actor: str, reason: str | None, db: str | None, as_json: bool) -> None:
    with _orchestrator(db, as_json) as orch:
        try:
            c = orch.memory.set_active(correction_id, active, actor=actor, reason=reason)
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
    if as_json:
        print(json.dumps({"id": c.id, "active": c.active}))
    else:
        out.print(f"Correction {c.id} is now {'active' if c.active else 'disabled'}; the next run sees the change.")


@memory_app.command("disable")
def memory_disable(
    correction_id: int, actor: ActorOpt = "admin", reason: ReasonOpt = None, db: DbOpt = None, as_json: JsonOpt = False
) -> None:
    """Stop a correction from steering runs (it stays stored and can be re-enabled)."""
    _set(correction_id, False, actor, reason, db, as_json)


@memory_app.command("enable")
def memory_enable(
    correction_id: int, actor: ActorOpt = "admin", reason: ReasonOpt = None, db: DbOpt = None, as_json: JsonOpt = False
) -> None:
    """Let a disabled correction steer runs again."""
    _set(correction_id, True, actor, reason, db, as_json)


@memory_app.command("rollback")
def memory_rollback(
    since: Annotated[str, typer.Option(help="Disable what was learned since: 2h, 3d, or an ISO date/time.")],
    reviewer: Annotated[str | None, typer.Option(help="Only this reviewer's corrections.")] = None,
    graph: Annotated[str | None, typer.Option(help="Only this graph.")] = None,
    actor: ActorOpt = "admin",
    reason: ReasonOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Disable every correction learned since a time (e.g. one reviewer's bad afternoon)."""
    try:
        start = parse_since(since, time.time())
    except ValueError as exc:
        _fail(str(exc), as_json=as_json)
    with _orchestrator(db, as_json) as orch:
        ids = orch.memory.rollback(since=start, actor=actor, reviewer=reviewer, graph=graph, reason=reason)
    data: dict[str, Any] = {"disabled": ids, "since": start}
    if as_json:
        print(json.dumps(data))
    else:
        shown = ", ".join(str(i) for i in ids[:20]) + (" …" if len(ids) > 20 else "")
        out.print(f"Disabled {len(ids)} correction(s) learned since {_when(start)}" + (f": {shown}" if ids else "."))


@memory_app.command("reindex")
def memory_reindex(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Re-embed corrections stored by another embedding provider (after changing HUMANGATE_EMBEDDINGS)."""
    with _orchestrator(db, as_json) as orch:
        count = orch.memory.reindex()
        name = orch.memory.embedder.name
    if as_json:
        print(json.dumps({"reindexed": count, "embedder": name}))
    else:
        out.print(f"Re-embedded {count} correction(s) with {name}.")
