"""Panel logins: set and check users' passwords (scrypt hashes in the users table)."""

from __future__ import annotations

from sqlalchemy import Connection, func, select, update

from humangate.auth import hash_password, verify_password
from humangate.checkpoints.schema import users
from humangate.errors import InvalidDecisionError, UnknownUserError
from humangate.oversight.audit import append_event

__all__ = ["check_password", "count_login_users", "set_password"]


def set_password(conn: Connection, name: str, password: str, *, actor: str) -> None:
    """Store a new hash of ``password`` for an existing user; the audit log records that, never the password."""
    try:
        hashed = hash_password(password)
    except ValueError as exc:
        raise InvalidDecisionError(str(exc)) from None
    changed = conn.execute(update(users).where(users.c.name == name).values(password_hash=hashed)).rowcount
    if changed != 1:
        raise UnknownUserError(name)
    append_event(conn, actor=actor, kind="user.password_set", payload={"name": name})


def check_password(conn: Connection, name: str, password: str) -> bool:
    """Return True when ``name`` exists, has a password and ``password`` matches it."""
    stored = conn.execute(select(users.c.password_hash).where(users.c.name == name)).scalar()
    return verify_password(password, stored)


def count_login_users(conn: Connection) -> int:
    """Count users who can sign in to the panel (those with a password)."""
    stmt = select(func.count()).select_from(users).where(users.c.password_hash.is_not(None))
    return int(conn.execute(stmt).scalar_one())
