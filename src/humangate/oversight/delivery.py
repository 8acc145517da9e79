"""Delivery of queued notifications: claim due rows, POST them signed, retry with backoff, give up visibly.

``enqueue`` (in ``humangate.oversight.notify``) records the rows; a ``Dispatcher`` claims due rows, POSTs
each one outside any transaction and records the outcome: a 2xx answer is ``delivered``; anything else
is retried after 2, 4, 8 ... seconds (capped at 10 minutes) until ``max_attempts``, then the row is
``failed`` and ``humangate notifications --status failed`` shows why. The backoff and the polling
thread are ``humangate.oversight.retry``'s, which the effects outbox shares.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Connection, Row, func, select, update

from humangate.checkpoints.database import Database
from humangate.checkpoints.schema import notifications
from humangate.config import Settings
from humangate.errors import ConfigError
from humangate.oversight._signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, sign
from humangate.oversight.retry import BACKOFF_CAP_SECONDS, Poller, backoff_delay

__all__ = [
    "BACKOFF_CAP_SECONDS",
    "NOTIFY_STATUSES",
    "DeliveryReport",
    "Dispatcher",
    "Notification",
    "count_by_status",
    "list_notifications",
]

NOTIFY_STATUSES: tuple[str, ...] = ("pending", "delivered", "failed")

# The logger keeps the name it had before delivery moved out of ``notify``, so logging setups keep matching.
log = logging.getLogger("humangate.oversight.notify")


def count_by_status(conn: Connection) -> dict[str, int]:
    """Return how many notifications are pending, delivered and failed."""
    counts = dict.fromkeys(NOTIFY_STATUSES, 0)
    rows = conn.execute(select(notifications.c.status, func.count()).group_by(notifications.c.status))
    for status, n in rows:
        counts[str(status)] = int(n)
    return counts


@dataclass(frozen=True)
class Notification:
    """One webhook delivery as stored; ``target`` is its URL without the secret-bearing path."""

    id: int
    event: str
    item_id: int | None
    run_id: str | None
    url: str
    status: str
    attempts: int
    last_error: str | None
    created_at: float
    next_attempt_at: float | None
    delivered_at: float | None

    @property
    def target(self) -> str:
        """Return scheme, host and port only: Slack-style webhook URLs carry their secret in the path."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/…"

    def to_json(self) -> dict[str, Any]:
        """Return the row for ``--json`` output, with the URL redacted."""
        data = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "url"}
        return data | {"target": self.target}


def list_notifications(conn: Connection, *, status: str | None = None, limit: int = 50) -> list[Notification]:
    """Return the newest notifications, optionally of one status."""
    stmt = select(notifications).order_by(notifications.c.id.desc()).limit(limit)
    if status is not None:
        stmt = stmt.where(notifications.c.status == status)
    cols = Notification.__dataclass_fields__
    return [Notification(**{k: v for k, v in r._mapping.items() if k in cols}) for r in conn.execute(stmt)]


@dataclass(frozen=True)
class DeliveryReport:
    """What one ``deliver_due`` pass did: rows claimed, and how each ended."""

    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


class Dispatcher:
    """Deliver due notifications: claim rows, POST them signed, retry with backoff, give up visibly."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.time,
        transport: httpx.BaseTransport | None = None,
        max_attempts: int = 6,
        timeout: float = 5.0,
    ) -> None:
        if not settings.webhook_secret:
            raise ConfigError("Set HUMANGATE_WEBHOOK_SECRET to deliver webhooks: every notification is signed.")
        if max_attempts < 1:
            raise ConfigError(f"max_attempts must be at least 1, got {max_attempts}.")
        self.db = db
        self.secret = settings.webhook_secret
        self.clock = clock
        self.transport = transport
        self.max_attempts = max_attempts
        self.timeout = timeout
        self.claim_seconds = 2 * timeout + 60  # a claim held longer than this was lost with its process
        self._poller = Poller(self.deliver_due, name="humangate-webhooks", log=log, what="Webhook delivery")

    def deliver_due(self, limit: int = 100) -> DeliveryReport:
        """Send every due notification (up to ``limit``) once and record each outcome."""
        claimed = self._claim(limit)
        if not claimed:
            return DeliveryReport()
        ended: Counter[str] = Counter()
        with httpx.Client(transport=self.transport, timeout=self.timeout) as client:
            for row in claimed:
                ended[self._record(row, self._send(client, row))] += 1
        return DeliveryReport(len(claimed), ended["delivered"], ended["pending"], ended["failed"])

    def _claim(self, limit: int) -> list[Row[Any]]:
        """Take due rows by bumping their attempts and pushing their due time past the claim."""
        n = notifications.c
        now = self.clock()
        due = (n.status == "pending", n.next_attempt_at <= now)
        # SKIP LOCKED keeps concurrent dispatchers on Postgres off each other's rows; on SQLite the
        # write transaction (BEGIN IMMEDIATE) serializes claims. The repeated conditions make it a CAS.
        pick = select(n.id).where(*due).order_by(n.next_attempt_at, n.id).limit(limit).with_for_update(skip_locked=True)
        stmt = (
            update(notifications)
            .where(n.id.in_(pick), *due)
            .values(attempts=n.attempts + 1, next_attempt_at=now + self.claim_seconds)
            .returning(n.id, n.event, n.url, n.payload_json, n.attempts)
        )
        with self.db.read() as conn:  # idle passes must not take SQLite's write lock every few seconds
            if conn.execute(select(n.id).where(*due).limit(1)).first() is None:
                return []
        with self.db.write() as conn:
            return sorted(conn.execute(stmt).all(), key=lambda r: int(r.id))

    def _send(self, client: httpx.Client, row: Row[Any]) -> str | None:
        """POST one row; return None on a 2xx answer, else a sentence saying what went wrong."""
        body = row.payload_json.encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "humangate-webhooks/1",
            SIGNATURE_HEADER: sign(self.secret, int(self.clock()), body),
            EVENT_HEADER: row.event,
            DELIVERY_HEADER: str(row.id),
        }
        target = urlsplit(row.url).netloc.rpartition("@")[2]
        try:
            response = client.post(row.url, content=body, headers=headers)
        except httpx.TimeoutException:
            return f"No answer from {target} within {self.timeout:g} s."
        except httpx.ConnectError as exc:
            return f"Could not connect to {target}: {exc}."
        except Exception as exc:  # any failure of one webhook is recorded, never raised into the caller
            return f"Sending to {target} failed: {type(exc).__name__}: {exc}."
        if response.is_success:
            return None
        snippet = " ".join(response.text.split())[:200]
        return f"{target} answered HTTP {response.status_code} {response.reason_phrase}" + (
            f": {snippet}" if snippet else "."
        )

    def _record(self, row: Row[Any], error: str | None) -> str:
        """Store the outcome of one attempt; return the row's new status."""
        now = self.clock()
        values: dict[str, Any]
        if error is None:
            values = {"status": "delivered", "delivered_at": now, "next_attempt_at": None}
        elif row.attempts >= self.max_attempts:
            values = {"status": "failed", "next_attempt_at": None}
            values["last_error"] = f"{error} Gave up after {row.attempts} attempts."
            log.warning("Webhook notification %s failed for good: %s", row.id, values["last_error"])
        else:
            delay = backoff_delay(row.attempts, cap=BACKOFF_CAP_SECONDS)
            values = {"status": "pending", "next_attempt_at": now + delay}
            values["last_error"] = f"{error} Attempt {row.attempts} of {self.max_attempts}; next in {delay:g} s."
        n = notifications.c
        with self.db.write() as conn:
            # Only the holder of this attempt may write its outcome (a lost claim was taken over).
            conn.execute(update(notifications).where(n.id == row.id, n.attempts == row.attempts).values(**values))
        return str(values["status"])

    def failures(self, limit: int = 50) -> list[Notification]:
        """Return the newest notifications that were given up on."""
        with self.db.read() as conn:
            return list_notifications(conn, status="failed", limit=limit)

    def status_counts(self) -> dict[str, int]:
        """Return how many notifications are pending, delivered and failed."""
        with self.db.read() as conn:
            return count_by_status(conn)

    def start(self, interval: float = 2.0) -> None:
        """Deliver due notifications every ``interval`` seconds in a daemon thread until ``stop``."""
        self._poller.start(interval)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the delivery thread after its current pass."""
        self._poller.stop(timeout)
