"""Failed panel logins: throttled per user name and per client address, every failure audited.

Each key ("user:NAME", "addr:ADDRESS") may fail ``login_free_failures`` times; each further failure
locks it for twice as long as the one before (1 s, 2 s, 4 s, ... up to ``login_max_lock_seconds``).
While a key is locked no password is checked at all, so guessing runs at the lock's pace. The rows
live in the database, so the lock holds across processes and restarts. A success clears the user's
row only: an attacker cannot clear an address's count by signing in to an account of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, select, update

from humangate.checkpoints.schema import login_failures
from humangate.oversight.audit import append_event

__all__ = ["LoginThrottle", "login_keys"]

_FORGET_AFTER = 24 * 3600.0  # a key that has not failed for a day starts again from zero


def login_keys(name: str, address: str | None) -> list[str]:
    """Return the throttle keys of one attempt: the user name, and the client address when known."""
    keys = [f"user:{name[:200]}"]
    if address:
        keys.append(f"addr:{address[:200]}")
    return keys


@dataclass(frozen=True)
class LoginThrottle:
    """How many failures are free and how long a lock may grow."""

    free_failures: int = 3
    max_lock_seconds: float = 900.0

    def locked_until(self, conn: Connection, keys: list[str], now: float) -> float:
        """Return until when any of ``keys`` is locked (0.0 when none is)."""
        rows = conn.execute(select(login_failures.c.locked_until).where(login_failures.c.key.in_(keys))).scalars()
        until = max(rows, default=0.0)
        return until if until > now else 0.0

    def fail(self, conn: Connection, keys: list[str], now: float) -> float:
        """Count one failure on every key; return the longest lock it set (0.0: still free)."""
        longest = 0.0
        for key in keys:
            row = conn.execute(select(login_failures).where(login_failures.c.key == key)).first()
            if row is None or now - row.last_failed_at > _FORGET_AFTER:
                failures, first = 1, now
                conn.execute(delete(login_failures).where(login_failures.c.key == key))
                fresh = True
            else:
                failures, first, fresh = row.failures + 1, row.first_failed_at, False
            over = failures - self.free_failures
            lock = min(2.0 ** (over - 1), self.max_lock_seconds) if over > 0 else 0.0
            values = {"failures": failures, "last_failed_at": now, "locked_until": now + lock if lock else 0.0}
            if fresh:
                conn.execute(login_failures.insert().values(key=key, first_failed_at=first, **values))
            else:
                conn.execute(update(login_failures).where(login_failures.c.key == key).values(**values))
            longest = max(longest, lock)
        return longest

    def succeed(self, conn: Connection, name: str) -> None:
        """Clear the user's failures after a good password."""
        conn.execute(delete(login_failures).where(login_failures.c.key == f"user:{name[:200]}"))


def audit_login(
    conn: Connection, *, name: str, address: str | None, outcome: str, now: float, lock: float = 0.0
) -> None:
    """Record a failed or throttled login attempt (never the password)."""
    payload: dict[str, object] = {"name": name[:200], "address": address, "outcome": outcome}
    if lock:
        payload["locked_seconds"] = lock
    append_event(conn, actor=(name[:100] or "anonymous"), kind=f"auth.login_{outcome}", at=now, payload=payload)
