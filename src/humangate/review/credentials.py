"""API tokens, Slack accounts and spent review links: the tables behind the HTTP API's credentials.

A token is ``hgt_<id>_<secret>``: 16 hex characters of id and 32 random bytes of secret (``secrets``).
Only SHA-256 of the secret is stored (the secret is random, so a slow hash adds nothing), compared
with ``hmac.compare_digest``; the whole token is shown once, when it is made. Tokens name a user and
never carry a role: the role is read from the users table on every request. Making and revoking a
token is audited, and so is every decision that arrives through a token, a link or Slack
(``decision.channel``, with the token's or link's id).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from humangate.checkpoints.database import Database
from humangate.checkpoints.schema import api_tokens, link_uses, slack_users
from humangate.core.contract import Role
from humangate.errors import CredentialError, InvalidInputError, LinkError
from humangate.oversight.audit import append_event
from humangate.review._users import role_of

__all__ = [
    "Principal",
    "TokenInfo",
    "authenticate",
    "create_token",
    "link_slack_user",
    "link_spent",
    "list_tokens",
    "record_channel",
    "release_link",
    "reserve_link",
    "revoke_token",
    "slack_user",
]

_TOKEN = re.compile(r"hgt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})")
_DUMMY_HASH = hashlib.sha256(b"no such token").hexdigest()
_TOUCH_EVERY = 60.0  # seconds between writes of a token's last use: a read must not write every time
_SLACK_ID = re.compile(r"[A-Z0-9]{2,32}")


@dataclass(frozen=True)
class TokenInfo:
    """A token as listed: never its secret."""

    id: str
    user: str
    label: str
    created_at: float
    created_by: str
    expires_at: float | None
    revoked_at: float | None
    last_used_at: float | None

    @classmethod
    def from_row(cls, row: Any) -> TokenInfo:
        """Build from an ``api_tokens`` row."""
        return cls(
            id=row.id,
            user=row.user_name,
            label=row.label,
            created_at=row.created_at,
            created_by=row.created_by,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            last_used_at=row.last_used_at,
        )

    def status(self, now: float) -> str:
        """Return ``active``, ``revoked`` or ``expired``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and now >= self.expires_at:
            return "expired"
        return "active"


@dataclass(frozen=True)
class Principal:
    """Who a request acts as: the user a credential names, their role now, and the credential's id."""

    name: str
    role: Role
    credential: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    db: Database, user: str, *, label: str = "", expires_at: float | None = None, actor: str, now: float
) -> tuple[str, TokenInfo]:
    """Make a token for ``user``; return it (shown once, never stored) and its listing."""
    if len(label) > 200:
        raise InvalidInputError("A token label has at most 200 characters.")
    if expires_at is not None and expires_at <= now:
        raise InvalidInputError("A token's expiry must lie in the future.")
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    with db.write() as conn:
        role_of(conn, user)  # raises UnknownUserError naming `humangate users add`
        conn.execute(
            api_tokens.insert().values(
                id=token_id,
                user_name=user,
                label=label,
                secret_sha256=_digest(secret),
                created_at=now,
                created_by=actor,
                expires_at=expires_at,
            )
        )
        payload = {"token_id": token_id, "user": user, "label": label, "expires_at": expires_at}
        append_event(conn, actor=actor, kind="token.created", at=now, payload=payload)
        row = conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).one()
    return f"hgt_{token_id}_{secret}", TokenInfo.from_row(row)


def list_tokens(db: Database, user: str | None = None) -> list[TokenInfo]:
    """Return the tokens, newest first, optionally of one user."""
    stmt = select(api_tokens).order_by(api_tokens.c.created_at.desc())
    if user is not None:
        stmt = stmt.where(api_tokens.c.user_name == user)
    with db.read() as conn:
        return [TokenInfo.from_row(r) for r in conn.execute(stmt)]


def revoke_token(db: Database, token_id: str, *, actor: str, now: float) -> TokenInfo:
    """Revoke a token at once (a revoked token stays listed); revoking twice changes nothing."""
    with db.write() as conn:
        row = conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).first()
        if row is None:
            raise CredentialError("token", "unknown", f"No token {token_id!r}; `humangate tokens list` shows them.")
        if row.revoked_at is None:
            conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=now, revoked_by=actor))
            payload = {"token_id": token_id, "user": row.user_name}
            append_event(conn, actor=actor, kind="token.revoked", at=now, payload=payload)
        return TokenInfo.from_row(conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).one())


def authenticate(db: Database, presented: str | None, *, now: float) -> Principal:
    """Return who ``presented`` (a whole token) acts as, or raise ``CredentialError``."""
    if not presented:
        raise CredentialError(
            "token",
            "missing",
            "This call needs an API token in the `x-api-key` header (or `Authorization: Bearer`); "
            "make one with `humangate tokens create --user NAME`.",
        )
    match = _TOKEN.fullmatch(presented.strip())
    token_id, secret = match.groups() if match else ("", presented)
    with db.read() as conn:
        row = conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).first() if match else None
        # Compare against a dummy when there is no such token, so an unknown id costs the same time.
        stored = row.secret_sha256 if row is not None else _DUMMY_HASH
        good = hmac.compare_digest(_digest(secret), stored) and row is not None
        if not good or row is None:
            raise CredentialError("token", "unknown", "The API token is not valid; ask for a new one.")
        info = TokenInfo.from_row(row)
        state = info.status(now)
        if state != "active":
            raise CredentialError("token", state, f"The API token {token_id} is {state}; ask for a new one.")
        role = role_of(conn, info.user)
    if info.last_used_at is None or now - info.last_used_at >= _TOUCH_EVERY:
        with db.write() as conn:
            conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=now))
    return Principal(name=info.user, role=role, credential=token_id)


# -- Slack ----------------------------------------------------------------------------------


def link_slack_user(db: Database, user: str, *, team_id: str, slack_user_id: str, actor: str, now: float) -> None:
    """Let the Slack account ``slack_user_id`` of workspace ``team_id`` act as ``user`` (replacing any earlier)."""
    for what, value in (("team id", team_id), ("user id", slack_user_id)):
        if not _SLACK_ID.fullmatch(value):
            raise InvalidInputError(f"A Slack {what} looks like T024BE7LD or U024BE7LH, not {value!r}.")
    with db.write() as conn:
        role_of(conn, user)
        key = (slack_users.c.team_id == team_id) & (slack_users.c.slack_user_id == slack_user_id)
        conn.execute(delete(slack_users).where(key))
        conn.execute(
            slack_users.insert().values(team_id=team_id, slack_user_id=slack_user_id, user_name=user, created_at=now)
        )
        payload = {"user": user, "team_id": team_id, "slack_user_id": slack_user_id}
        append_event(conn, actor=actor, kind="slack.user_linked", at=now, payload=payload)


def slack_user(db: Database, *, team_id: str, slack_user_id: str) -> Principal:
    """Return the user a Slack account acts as, or raise ``CredentialError`` naming the command that links it."""
    with db.read() as conn:
        key = (slack_users.c.team_id == team_id) & (slack_users.c.slack_user_id == slack_user_id)
        name = conn.execute(select(slack_users.c.user_name).where(key)).scalar()
        if name is None:
            raise CredentialError(
                "slack",
                "unlinked",
                f"Slack user {slack_user_id[:32]} is not a humangate reviewer; an admin runs "
                f"`humangate tokens slack NAME --team {team_id[:32]} --slack-user {slack_user_id[:32]}`.",
            )
        return Principal(name=name, role=role_of(conn, name), credential=f"slack:{team_id}:{slack_user_id}")


# -- review links ---------------------------------------------------------------------------


def reserve_link(
    db: Database, link_id: str, *, item_id: int, channel: str, reviewer: str, action: str, now: float
) -> None:
    """Spend a link before it decides; raise ``LinkError`` when it was spent already (the row is unique)."""
    try:
        with db.write() as conn:
            conn.execute(
                link_uses.insert().values(
                    link_id=link_id, item_id=item_id, channel=channel, reviewer=reviewer, action=action, used_at=now
                )
            )
    except IntegrityError:
        raise LinkError("used", "This review link was used already; a link decides once.", link_id=link_id) from None


def release_link(db: Database, link_id: str) -> None:
    """Give a reserved link back when its decision was refused (nothing was decided with it)."""
    with db.write() as conn:
        conn.execute(delete(link_uses).where(link_uses.c.link_id == link_id, link_uses.c.decision_id.is_(None)))


def link_spent(db: Database, link_id: str) -> bool:
    """Return True when the link has decided (or is deciding) already."""
    with db.read() as conn:
        return conn.execute(select(link_uses.c.link_id).where(link_uses.c.link_id == link_id)).first() is not None


def record_channel(
    db: Database,
    *,
    channel: str,
    credential: str,
    reviewer: str,
    item_id: int,
    run_id: str,
    decision_id: int,
    approvals_missing: int,
    now: float,
) -> None:
    """Audit how a decision arrived (API token, Agent Inbox, link or Slack), with the credential's id.

    For a link or Slack it also marks the link's row with the decision, which keeps it spent.
    """
    key = "link_id" if channel in ("link", "slack") else "token_id"
    payload: dict[str, Any] = {"channel": channel, key: credential, "decision_id": decision_id}
    if approvals_missing:
        payload["approvals_missing"] = approvals_missing
    with db.write() as conn:
        if key == "link_id":
            conn.execute(update(link_uses).where(link_uses.c.link_id == credential).values(decision_id=decision_id))
        append_event(
            conn, actor=reviewer, kind="decision.channel", run_id=run_id, item_id=item_id, at=now, payload=payload
        )
