"""The outbox: one row per side effect, keyed ``run id : node : attempt``, delivered at least once, recorded once.

A node after a gate calls ``Outbox.deliver`` through ``graphs.common``'s send helpers: the row is written,
claimed (``sending``) and handed to the sender of its kind in the same call; what happened is recorded on the
row. A replay of the node finds
the row and does not act again. A failure worth retrying leaves the row ``pending`` with the time of its
next attempt (30 s, then twice as long each time, capped at 30 minutes) for ``deliver_due``, which a
background thread, ``humangate outbox deliver`` and ``humangate reconcile`` run; nothing waits inside a
run. A failure for good (or the last attempt failing) makes the row ``failed``: the caller puts its item
back in front of a person.

No channel can be sent to and recorded in one transaction, so a crash between the two leaves the row
``sending``. Once the claim lapses, or at once when its worker is a dead process on this host, the row
is sent again under the same key: an email keeps its ``Message-ID``, so a receiver can drop the copy.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, Row, func, or_, select, update

from humangate.checkpoints.database import Database, insert_ignore
from humangate.checkpoints.schema import outbox
from humangate.effects.guard import check_caller
from humangate.errors import DeliveryFailed, EffectRefused
from humangate.oversight.retry import backoff_delay

__all__ = [
    "OUTBOX_STATUSES",
    "Delivery",
    "Outbox",
    "OutboxEntry",
    "OutboxReport",
    "Sender",
    "count_outbox",
    "effect_key",
    "list_outbox",
]

OUTBOX_STATUSES: tuple[str, ...] = ("pending", "sending", "sent", "failed")
_RETRY_BASE_SECONDS = 30.0
_RETRY_CAP_SECONDS = 1_800.0


class Sender(Protocol):
    """Delivers one kind of effect: ``check`` refuses what may not go, a call sends it or raises."""

    def check(self, payload: Mapping[str, Any]) -> None:
        """Raise ``EffectRefused`` for a payload that may not be sent."""

    def __call__(self, payload: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        """Send ``payload`` once; raise ``DeliveryFailed`` when it did not go."""


def effect_key(run_id: str, node: str, attempt: int) -> str:
    """Return the idempotency key of one side effect."""
    return f"{run_id}:{node}:{attempt}"


@dataclass(frozen=True)
class Delivery:
    """What ``Outbox.deliver`` did: ``status`` sent, pending or sending (the outbox carries on), or failed."""

    key: str
    status: str
    result: Mapping[str, Any]
    replayed: bool
    error: str | None = None


@dataclass(frozen=True)
class OutboxEntry:
    """One outbox row as the outbox view shows it; ``to`` is the recipient of an email, else the channel."""

    id: int
    key: str
    run_id: str
    node: str
    kind: str
    to: str
    status: str
    attempts: int
    last_error: str | None
    created_at: float
    next_attempt_at: float | None
    sent_at: float | None
    gate: str | None
    hold_key: str | None
    held_at: float | None

    def to_json(self) -> dict[str, Any]:
        """Return the row for ``--json`` output."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class OutboxReport:
    """What one ``deliver_due`` pass did: rows claimed, and how each ended."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _entry(row: Row[Any]) -> OutboxEntry:
    payload = json.loads(row.payload_json)
    to = str(payload.get("to", "")) if row.kind in ("email", "ticket") else row.kind
    cols = OutboxEntry.__dataclass_fields__
    return OutboxEntry(**{k: v for k, v in row._mapping.items() if k in cols}, to=to)


def list_outbox(conn: Connection, *, status: str | None = None, limit: int = 50) -> list[OutboxEntry]:
    """Return the newest outbox rows, optionally of one status."""
    stmt = select(outbox).order_by(outbox.c.id.desc()).limit(limit)
    if status is not None:
        stmt = stmt.where(outbox.c.status == status)
    return [_entry(r) for r in conn.execute(stmt)]


def count_outbox(conn: Connection) -> dict[str, int]:
    """Return how many effects are pending, sending, sent and failed."""
    counts = dict.fromkeys(OUTBOX_STATUSES, 0)
    for status, n in conn.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status)):
        counts[str(status)] = int(n)
    return counts


class Outbox:
    """Record, send and retry side effects by key, through one sender per kind (``email``, ``ticket``, ``slack``).

    ``owner`` names this worker on the rows it claims; ``abandoned(owner)`` says whether another owner
    is a process that died (its claims are taken over at once, not when they lapse).
    """

    def __init__(
        self,
        db: Database,
        senders: Mapping[str, Sender],
        *,
        owner: str = "",
        abandoned: Callable[[str], bool] = lambda owner: False,
        clock: Callable[[], float] = time.time,
        max_attempts: int = 8,
        claim_seconds: float = 300.0,
    ) -> None:
        self.db = db
        self.senders = dict(senders)
        self.owner = owner
        self.abandoned = abandoned
        self.clock = clock
        self.max_attempts = max_attempts
        self.claim_seconds = claim_seconds

    def sender(self, kind: str) -> Sender:
        """Return the sender of ``kind``; refuse (``EffectRefused``) a kind this process cannot send."""
        if kind not in self.senders:
            fix = " (set HUMANGATE_SLACK_WEBHOOK_URL)" if kind == "slack" else ""
            raise EffectRefused("channel", kind, f"has no sender configured{fix}")
        return self.senders[kind]

    def deliver(
        self,
        *,
        key: str,
        run_id: str,
        node: str,
        kind: str,
        payload: Mapping[str, Any],
        gate: str | None = None,
        hold_key: str | None = None,
    ) -> Delivery:
        """Record the effect and send it now unless it was sent, failed, waits for a retry or is being sent.

        Refuse (``EffectRefused``) before anything is written when the sender would refuse the payload, and
        a call straight from a graph node (``effects.guard``: graphs send through ``graphs.common``'s helpers).
        The caller puts the item back at ``gate`` when the delivery ``failed``.
        """
        check_caller(node)
        self.sender(kind).check(payload)
        with self.db.write() as conn:
            values = {"key": key, "run_id": run_id, "node": node, "kind": kind, "status": "pending", "attempts": 0}
            values |= {"payload_json": json.dumps(payload, sort_keys=True), "gate": gate, "hold_key": hold_key}
            now = self.clock()
            insert_ignore(conn, outbox, values | {"created_at": now, "next_attempt_at": now}, ["key"])
            row = conn.execute(select(outbox).where(outbox.c.key == key)).one()
        if row.status == "sent":
            return Delivery(key, "sent", json.loads(row.result_json or "{}"), replayed=True)
        if row.status == "failed":
            self.mark_held(key)  # the caller is putting it back in front of a person now
            return Delivery(key, "failed", {}, replayed=True, error=row.last_error)
        claimed = self._claim(row)
        if claimed is None:  # waiting for its retry, or another worker is sending it
            return Delivery(key, row.status, {}, replayed=False, error=row.last_error)
        return self._attempt(claimed, inline=True)

    def deliver_due(self, limit: int = 100) -> OutboxReport:
        """Send every due effect once (retries, and rows a dead or stalled worker left ``sending``)."""
        now = self.clock()
        o = outbox.c
        due = or_(o.status == "sending", (o.status == "pending") & (o.next_attempt_at <= now))
        with self.db.read() as conn:
            rows = conn.execute(select(outbox).where(due).order_by(o.next_attempt_at, o.id).limit(limit)).all()
        ended: dict[str, int] = {}
        claimed = 0
        for row in rows:
            mine = self._claim(row)
            if mine is None:
                continue
            claimed += 1
            status = self._attempt(mine, inline=False).status
            ended[status] = ended.get(status, 0) + 1
        return OutboxReport(claimed, ended.get("sent", 0), ended.get("pending", 0), ended.get("failed", 0))

    def _claim(self, row: Row[Any]) -> Row[Any] | None:
        """Take the row for one attempt (compare-and-set on its status and attempts); None when not ours to send."""
        now = self.clock()
        lapsed = row.next_attempt_at is not None and row.next_attempt_at <= now
        if row.status == "pending" and not lapsed:
            return None
        if row.status == "sending" and not (lapsed or (row.claimed_by and self.abandoned(row.claimed_by))):
            return None
        if row.status not in ("pending", "sending"):
            return None
        o = outbox.c
        stmt = (
            update(outbox)
            .where(o.key == row.key, o.status == row.status, o.attempts == row.attempts)
            .values(
                status="sending",
                attempts=o.attempts + 1,
                claimed_by=self.owner,
                next_attempt_at=now + self.claim_seconds,
            )
            .returning(*outbox.c)
        )
        with self.db.write() as conn:
            return conn.execute(stmt).first()

    def _attempt(self, row: Row[Any], *, inline: bool) -> Delivery:
        """Send a claimed row and record the outcome."""
        error: str | None = None
        permanent = False
        result: Mapping[str, Any] = {}
        sender = self.senders.get(row.kind)
        if sender is None:
            error = f"This process has no sender for {row.kind!r} effects; configure it where the outbox runs."
        else:
            try:
                result = dict(sender(json.loads(row.payload_json), row.key))
            except EffectRefused as exc:
                error, permanent = str(exc), True
            except DeliveryFailed as exc:
                error, permanent = exc.reason, exc.permanent
            except Exception as exc:  # any failure of one effect is recorded and retried, never raised into a run
                error = f"Sending failed: {type(exc).__name__}: {exc}."
        return self._record(row, result, error, permanent=permanent, inline=inline)

    def _record(
        self, row: Row[Any], result: Mapping[str, Any], error: str | None, *, permanent: bool, inline: bool
    ) -> Delivery:
        now = self.clock()
        values: dict[str, Any] = {"claimed_by": None}
        if error is None:
            values |= {"status": "sent", "sent_at": now, "next_attempt_at": None, "last_error": None}
            values["result_json"] = json.dumps(result, sort_keys=True)
        elif permanent or row.attempts >= self.max_attempts:
            why = error if permanent else f"{error} Gave up after {row.attempts} attempts."
            values |= {"status": "failed", "next_attempt_at": None, "last_error": why}
            if inline:  # the node that sent it returns it to its gate in the same step
                values["held_at"] = now
        else:
            delay = backoff_delay(row.attempts, base=_RETRY_BASE_SECONDS, cap=_RETRY_CAP_SECONDS)
            values |= {"status": "pending", "next_attempt_at": now + delay}
            values["last_error"] = f"{error} Attempt {row.attempts} of {self.max_attempts}; next in {delay:g} s."
        o = outbox.c
        with self.db.write() as conn:
            # Only the holder of this attempt records it: a claim that lapsed was taken over by another worker.
            stmt = update(outbox).where(o.key == row.key, o.attempts == row.attempts, o.claimed_by == self.owner)
            if conn.execute(stmt.values(**values)).rowcount != 1:
                return Delivery(row.key, "sending", result, replayed=False, error=error)
        return Delivery(row.key, values["status"], result, replayed=False, error=values.get("last_error"))

    def to_hold(self, limit: int = 100) -> list[OutboxEntry]:
        """Return effects that failed for good and whose item is not back in front of a person yet."""
        o = outbox.c
        stmt = select(outbox).where(o.status == "failed", o.held_at.is_(None), o.gate.is_not(None))
        with self.db.read() as conn:
            return [_entry(r) for r in conn.execute(stmt.order_by(o.id).limit(limit))]

    def mark_held(self, key: str) -> None:
        """Record that the failed effect's item went back in front of a person."""
        o = outbox.c
        with self.db.write() as conn:
            conn.execute(update(outbox).where(o.key == key, o.held_at.is_(None)).values(held_at=self.clock()))
