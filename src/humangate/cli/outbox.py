"""The outbox on the command line: what was sent, what waits for a retry, what failed and went back to a person."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from humangate.cli._common import DbOpt, JsonOpt, _fail, _orchestrator, app, clean, out, shown
from humangate.effects import OUTBOX_STATUSES, count_outbox, list_outbox
from humangate.errors import HumanGateError

__all__ = ["outbox_summary"]

outbox_app = typer.Typer(help="Effects (email, Slack): what was sent, what waits for a retry, what failed and why.")
app.add_typer(outbox_app, name="outbox")


def outbox_summary(counts: dict[str, int]) -> str:
    """Return one line on effects that are not sent yet, or "" when every effect went out."""
    waiting = counts.get("pending", 0) + counts.get("sending", 0)
    if not waiting and not counts.get("failed", 0):
        return ""
    return (
        f"Outbox: {waiting} effect(s) waiting to be sent, {counts.get('failed', 0)} failed for good "
        "(their items went back to review); `humangate outbox` shows them."
    )


def _when(ts: float | None) -> str:
    return "-" if ts is None else datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S")


@outbox_app.callback(invoke_without_command=True)
def outbox(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="Only pending, sending, sent or failed ones.")] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List effects, newest first, with why failed or retried ones did not go; `deliver` sends the due ones."""
    if ctx.invoked_subcommand is not None:
        return
    if status is not None and status not in OUTBOX_STATUSES:
        _fail(f"Unknown status {status!r}; use one of: {', '.join(OUTBOX_STATUSES)}.", as_json=as_json, code=2)
    with _orchestrator(db, as_json) as orch, orch.db.read() as conn:
        rows = list_outbox(conn, status=status, limit=limit)
        counts = count_outbox(conn)
    if as_json:
        print(json.dumps({"counts": counts, "effects": [r.to_json() for r in rows]}, indent=2))
        return
    table = Table(
        title="Outbox (" + ", ".join(f"{n} {s}" for s, n in counts.items()) + ")",
        caption="when (UTC): sent at, next try if pending, created at otherwise",
    )
    for col in ("#", "kind", "to", "run", "status", "tries", "when"):
        table.add_column(col, no_wrap=col != "to")
    for r in rows:
        when = r.sent_at if r.status == "sent" else r.next_attempt_at if r.status == "pending" else r.created_at
        table.add_row(
            str(r.id),
            r.kind,
            escape(clean(r.to, newlines=False)[:60]),
            shown(r.run_id[:8], newlines=False),
            r.status + (" (back to review)" if r.status == "failed" and r.held_at else ""),
            str(r.attempts),
            _when(when),
        )
    out.print(table)
    for r in rows:
        if r.last_error and r.status != "sent":
            out.print(f"#{r.id} {r.status}: {shown(r.last_error)}")


@outbox_app.command("deliver")
def outbox_deliver(
    limit: Annotated[int, typer.Option(help="At most this many effects.")] = 100,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Send the due effects now, once; put items whose effect failed for good back in review."""
    with _orchestrator(db, as_json) as orch:
        try:
            report = orch.deliver_effects(limit=limit)
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
    if as_json:
        print(json.dumps(asdict(report)))
        return
    out.print(
        f"{report.claimed} due: {report.sent} sent, {report.retrying} to be retried, {report.failed} failed for good; "
        f"{len(report.returned)} item(s) back in review."
    )
    if report.busy:
        out.print(f"Runs busy in another worker, back in review on a later pass: {', '.join(report.busy)}.")
    if report.retrying or report.failed:
        out.print("`humangate outbox` shows why.")
