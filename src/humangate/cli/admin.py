"""Administration: the audit chain, the schema, users and the review panel."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.markup import escape

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
from humangate.config import Settings
from humangate.errors import HumanGateError, InvalidDecisionError
from humangate.review.contract import ROLES


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
