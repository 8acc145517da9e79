"""Administration: the audit chain and its export, webhook deliveries, the schema, users and the review panel."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from humangate.cli._common import (
    DbOpt,
    JsonOpt,
    _fail,
    _orchestrator,
    app,
    audit_app,
    db_app,
    err,
    out,
    users_app,
)
from humangate.cli.outbox import outbox_summary
from humangate.config import Settings, parse_duration
from humangate.core.contract import ROLES
from humangate.effects import count_outbox
from humangate.errors import HumanGateError, InvalidDecisionError
from humangate.oversight.background import Housekeeper
from humangate.oversight.delivery import NOTIFY_STATUSES, Dispatcher, count_by_status, list_notifications
from humangate.oversight.export import export_audit, parse_time

notifications_app = typer.Typer(help="Webhook notifications: what was delivered, what waits, what failed and why.")
app.add_typer(notifications_app, name="notifications")


@audit_app.command("verify")
def audit_verify(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Recompute the keyed audit chain and match decisions to their events; exit 1 naming what was altered."""
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
            out.print(f"[green]Audit chain intact[/]: {report.events} events verified, every decision matched.")
        else:
            err.print(f"[bold red]Audit chain broken[/] ({report.events} events checked):")
            for p in report.problems:
                err.print(f"  {f'event {p.seq}' if p.seq else 'decisions'}: {escape(p.problem)}")
        if not report.ok:
            raise typer.Exit(1)


@audit_app.command("export")
def audit_export(
    out_path: Annotated[str, typer.Option("--out", help="File to write, or - for standard output.")] = "-",
    since: Annotated[
        str | None,
        typer.Option(help="Only events from then on: UNIX seconds, an ISO date/time (UTC unless given) or 7d, 12h."),
    ] = None,
    run: Annotated[str | None, typer.Option("--run", help="Only this run's events.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the audit trail as JSON Lines, each decision with the exact request its reviewer saw."""
    start: float | None = None
    if since is not None:
        try:
            start = parse_time(since, now=time.time())
        except ValueError as exc:
            _fail(str(exc), as_json=as_json, code=2)
    with _orchestrator(db, as_json) as orch:
        try:
            if run is not None:
                orch.run(run)  # an unknown run is a mistake, not an empty export
            with orch.db.read() as conn:
                if out_path == "-":
                    count = export_audit(conn, sys.stdout, since=start, run_id=run)
                else:
                    with open(out_path, "w", encoding="utf-8") as fh:
                        count = export_audit(conn, fh, since=start, run_id=run)
        except OSError as exc:
            _fail(f"Cannot write {out_path}: {exc.strerror or exc}; choose another --out.", as_json=as_json)
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
    if out_path == "-":
        return
    if as_json:
        print(json.dumps({"events": count, "out": out_path}))
    else:
        out.print(f"Wrote {count} audit events to {escape(out_path)}.")


@notifications_app.callback(invoke_without_command=True)
def notifications(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="Only pending, delivered or failed ones.")] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List webhook notifications, newest first, with why failed ones failed, and effects still to send."""
    if ctx.invoked_subcommand is not None:
        return
    if status is not None and status not in NOTIFY_STATUSES:
        _fail(f"Unknown status {status!r}; use one of: {', '.join(NOTIFY_STATUSES)}.", as_json=as_json, code=2)
    with _orchestrator(db, as_json) as orch, orch.db.read() as conn:
        rows = list_notifications(conn, status=status, limit=limit)
        counts = count_by_status(conn)
        effects = count_outbox(conn)
    if as_json:
        print(json.dumps({"counts": counts, "notifications": [r.to_json() for r in rows], "outbox": effects}, indent=2))
        return
    targets = ", ".join(sorted({r.target for r in rows})) or "-"
    table = Table(
        title="Webhook notifications (" + ", ".join(f"{n} {s}" for s, n in counts.items()) + ")",
        caption=f"when (UTC): delivered at, next try if pending, created at if failed. To: {escape(targets)}",
    )
    for col in ("#", "event", "item", "run", "status", "tries", "when"):
        table.add_column(col, no_wrap=True)
    for r in rows:
        when = r.delivered_at if r.status == "delivered" else r.next_attempt_at
        table.add_row(
            str(r.id),
            r.event,
            str(r.item_id or "-"),
            escape((r.run_id or "-")[:8]),
            r.status,
            str(r.attempts),
            datetime.fromtimestamp(when or r.created_at, UTC).strftime("%Y-%m-%d %H:%M"),
        )
    out.print(table)
    for r in rows:
        if r.last_error and r.status != "delivered":
            out.print(f"#{r.id} {r.status}: {escape(r.last_error)}")
    if summary := outbox_summary(effects):  # effects retry the same way; their failures belong here too
        out.print(summary)


@notifications_app.command("deliver")
def notifications_deliver(
    limit: Annotated[int, typer.Option(help="At most this many notifications.")] = 100,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Send the due webhook notifications now, once, and say how each ended."""
    with _orchestrator(db, as_json) as orch:
        try:
            report = Dispatcher(orch.db, orch.settings).deliver_due(limit=limit)
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
    if as_json:
        print(json.dumps(asdict(report)))
        return
    out.print(
        f"{report.claimed} due: {report.delivered} delivered, {report.retrying} to be retried, {report.failed} failed."
    )
    if report.retrying or report.failed:
        out.print("`humangate notifications` shows why.")


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
    sweep_seconds: Annotated[float, typer.Option(help="Seconds between SLA sweeps.", min=1.0)] = 30.0,
    refit_every: Annotated[
        str | None,
        typer.Option(
            help="Refit each gate's escalation router on its reviewers' decisions this often (e.g. 24h, 7d); "
            "default HUMANGATE_REFIT_EVERY, else never."
        ),
    ] = None,
    db: DbOpt = None,
) -> None:
    """Serve the reviewer panel and the HTTP API on one port (panel login: `humangate users add NAME --password`)."""
    from humangate.api import build_server
    from humangate.ui import check_can_serve

    # Decisions are enqueued: a reviewer never waits for a resumed run (a worker pool runs inside, unless
    # HUMANGATE_WORKERS=external).
    with _orchestrator(db, False, queued=True) as orch:
        try:
            check_can_serve(orch, host)
            server = build_server(orch, host=host, port=port)
        except HumanGateError as exc:
            _fail(str(exc), as_json=False)
        out.print(
            f"Review panel on [bold]{escape(server.url)}/[/], the API under {escape(server.url)}/api "
            f"(schema: {escape(server.url)}/docs) (Ctrl+C to stop)."
        )
        # SLA sweeps (escalate overdue items, fail closed at the chain's end) and webhooks run beside it.
        try:
            every = parse_duration(refit_every, "--refit-every") if refit_every else orch.settings.refit_every_seconds
        except HumanGateError as exc:
            _fail(str(exc), as_json=False, code=2)
        if every is not None and every < 60:
            _fail("--refit-every must be at least a minute (e.g. 24h, 7d).", as_json=False, code=2)
        with Housekeeper(orch, interval=sweep_seconds, refit_every=every):
            server.run()
