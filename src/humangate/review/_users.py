"""The Orchestrator's user methods: reviewers' roles and their panel passwords."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, select, update

from humangate.checkpoints.database import Database
from humangate.checkpoints.fast import Fast
from humangate.checkpoints.schema import users
from humangate.config import Settings
from humangate.core.contract import ROLES, SYSTEM_REVIEWER, Role
from humangate.errors import InvalidDecisionError, UnknownUserError
from humangate.oversight.audit import append_event
from humangate.review._logins import LoginThrottle, audit_login, login_keys
from humangate.review.users import check_password, count_login_users, set_password

__all__ = ["UsersMixin", "role_of"]

_ROLE = Fast(select(users.c.role).where(users.c.name == bindparam("name")))  # every decision reads it


def role_of(conn: Any, name: str) -> Role:
    """Return a user's role or raise ``UnknownUserError``."""
    role = _ROLE.scalar(conn, {"name": name})
    if role is None:
        raise UnknownUserError(name)
    return role  # type: ignore[no-any-return]


class UsersMixin:
    """Add reviewers, read their roles and manage their panel passwords."""

    db: Database
    clock: Callable[[], float]
    settings: Settings

    def add_user(self, name: str, role: Role, *, actor: str = "admin") -> None:
        """Add a reviewer (or change their role)."""
        if role not in ROLES:
            raise InvalidDecisionError(f"Unknown role {role!r}.", allowed=ROLES)
        if not name.strip() or len(name) > 100:
            raise InvalidDecisionError("A user name needs 1 to 100 characters.")
        if name == SYSTEM_REVIEWER:
            raise InvalidDecisionError(f"{name!r} is reserved: the SLA decides under that name; pick another.")
        with self.db.write() as conn:
            exists = conn.execute(select(users.c.name).where(users.c.name == name)).first()
            if exists:
                conn.execute(update(users).where(users.c.name == name).values(role=role))
            else:
                conn.execute(users.insert().values(name=name, role=role, created_at=self.clock()))
            append_event(conn, actor=actor, kind="user.role_set", payload={"name": name, "role": role})

    def user_role(self, name: str) -> Role:
        """Return a user's role or raise ``UnknownUserError``."""
        with self.db.read() as conn:
            return role_of(conn, name)

    def set_password(self, name: str, password: str, *, actor: str = "admin") -> None:
        """Set the password a user signs in to the panel with (stored as an scrypt hash)."""
        with self.db.write() as conn:
            set_password(conn, name, password, actor=actor)

    def check_password(self, name: str, password: str) -> bool:
        """Return True when the user exists and the password matches, in constant time."""
        with self.db.read() as conn:
            return check_password(conn, name, password)

    def login(self, name: str, password: str, *, address: str | None = None) -> bool:
        """Check a panel login, throttled per user and per client address; audit every failure.

        While the user or the address is locked by earlier failures, the password is not even checked.
        """
        throttle = LoginThrottle(self.settings.login_free_failures, self.settings.login_max_lock_seconds)
        keys = login_keys(name, address)
        now = self.clock()
        with self.db.read() as conn:
            locked = throttle.locked_until(conn, keys, now)
        ok = False if locked else self.check_password(name, password)
        with self.db.write() as conn:
            if ok:
                throttle.succeed(conn, name)
            elif locked:
                audit_login(conn, name=name, address=address, outcome="throttled", now=now, lock=locked - now)
            else:
                lock = throttle.fail(conn, keys, now)
                audit_login(conn, name=name, address=address, outcome="failed", now=now, lock=lock)
        return ok

    def login_users(self) -> int:
        """Count users who can sign in to the panel."""
        with self.db.read() as conn:
            return count_login_users(conn)
