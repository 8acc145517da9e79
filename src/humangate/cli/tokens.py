"""API tokens, per-reviewer review links and Slack accounts: ``humangate tokens ...``."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from humangate.cli._common import DbOpt, JsonOpt, _fail, _orchestrator, app, out, shown
from humangate.errors import HumanGateError
from humangate.oversight.links import link_url, mint_link
from humangate.review.credentials import create_token, link_slack_user, list_tokens, revoke_token

tokens_app = typer.Typer(
    no_args_is_help=True, help="API tokens (HTTP API, Agent Inbox), per-reviewer review links and Slack accounts."
)
app.add_typer(tokens_app, name="tokens")

_ACTOR = "cli"
_DURATION = re.compile(r"(\d{1,6})\s*([smhdw])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}


def _when(ts: float | None) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M") if ts else "-"


def _duration(text: str, *, as_json: bool) -> float:
    """Return seconds from a duration such as 90d, 12h or 30m."""
    m = _DURATION.fullmatch(text.strip().lower())
    if not m or int(m.group(1)) == 0:
        _fail(f"Give a duration such as 90d, 12h or 30m, not {text!r}.", as_json=as_json, code=2)
    return int(m.group(1)) * _UNITS[m.group(2)]


@tokens_app.command("create")
def create(
    user: Annotated[str, typer.Option("--user", help="The user the token acts as (its role is read on every call).")],
    name: Annotated[str, typer.Option("--name", help="A label, e.g. the machine or tool that holds it.")] = "",
    expires: Annotated[str | None, typer.Option(help="Lifetime, e.g. 90d or 12h (default: until revoked).")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Make an API token for a user and print it once; only its hash is stored."""
    lifetime = _duration(expires, as_json=as_json) if expires else None
    with _orchestrator(db, as_json) as orch:
        now = orch.clock()
        try:
            token, info = create_token(
                orch.db, user, label=name, expires_at=now + lifetime if lifetime else None, actor=_ACTOR, now=now
            )
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
    if as_json:
        print(json.dumps({"id": info.id, "user": info.user, "token": token, "expires_at": info.expires_at}))
        return
    out.print(f"Token {info.id} for {shown(info.user)} (shown once; keep it secret):")
    print(token)
    out.print("Send it as the `x-api-key` header (Agent Inbox: the LangSmith API key field).")


@tokens_app.command("list")
def list_(
    user: Annotated[str | None, typer.Option("--user", help="Only this user's tokens.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List tokens (never their secrets): who, what for, when made, last used, and whether revoked."""
    with _orchestrator(db, as_json) as orch:
        tokens, now = list_tokens(orch.db, user), orch.clock()
    if as_json:
        rows = [vars(t) | {"status": t.status(now)} for t in tokens]
        print(json.dumps({"tokens": rows}, indent=2))
        return
    table = Table(title="API tokens")
    for col in ("id", "user", "name", "status", "created (UTC)", "expires", "last used"):
        table.add_column(col)
    for t in tokens:
        table.add_row(
            t.id,
            shown(t.user),
            shown(t.label) or "-",
            t.status(now),
            _when(t.created_at),
            _when(t.expires_at),
            _when(t.last_used_at),
        )
    out.print(table)


@tokens_app.command("revoke")
def revoke(token_id: str, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Revoke a token by its id (the part after `hgt_`); it stops working at once."""
    with _orchestrator(db, as_json) as orch:
        try:
            info = revoke_token(orch.db, token_id, actor=_ACTOR, now=orch.clock())
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
    if as_json:
        print(json.dumps({"id": info.id, "user": info.user, "revoked_at": info.revoked_at}))
    else:
        out.print(f"Token {info.id} of {shown(info.user)} is revoked.")


@tokens_app.command("link")
def link(
    item: int,
    user: Annotated[
        str, typer.Option("--user", help="The reviewer the link acts as (critical items still ask them to sign in).")
    ],
    ttl: Annotated[str, typer.Option(help="Lifetime, e.g. 4h or 2d.")] = "24h",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print a signed, expiring, single-use review link to an item for one reviewer (e.g. to email them)."""
    seconds = _duration(ttl, as_json=as_json)
    with _orchestrator(db, as_json) as orch:
        try:
            orch.user_role(user)
            orch.item(item)
            token, claims = mint_link(orch.settings, item, now=orch.clock(), reviewer=user, ttl_seconds=seconds)
            url = link_url(orch.settings, token)
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
    if as_json:
        print(json.dumps({"url": url, "link_id": claims.link_id, "item_id": item, "expires_at": claims.expires_at}))
    else:
        out.print(
            f"Link {claims.link_id} to item {item} for {shown(user)}, valid until {_when(claims.expires_at)} UTC:"
        )
        print(url)


@tokens_app.command("slack")
def slack(
    user: str,
    slack_user: Annotated[str, typer.Option("--slack-user", help="The Slack member id, e.g. U024BE7LH.")],
    team: Annotated[str, typer.Option("--team", help="The Slack workspace id, e.g. T024BE7LD.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Let a Slack account press a notification's buttons as a humangate user."""
    with _orchestrator(db, as_json) as orch:
        try:
            link_slack_user(orch.db, user, team_id=team, slack_user_id=slack_user, actor=_ACTOR, now=orch.clock())
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
    if as_json:
        print(json.dumps({"user": user, "team": team, "slack_user": slack_user}))
    else:
        out.print(f"Slack user {shown(slack_user)} of {shown(team)} now acts as {shown(user)}.")
