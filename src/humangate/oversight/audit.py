"""Append-only, hash-chained audit events and their verification.

Each event's hash is ``sha256(prev_hash + canonical body)``. An append moves the single ``audit_head``
row by compare-and-set on its (seq, hash), which also locks it until the transaction ends, so
concurrent writers (threads, processes, panel replicas) extend one chain, never fork it.
"""

from __future__ import annotations

import hashlib
import json
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select, update

from humangate.checkpoints.fast import Fast
from humangate.checkpoints.schema import audit_events, audit_head

__all__ = ["GENESIS_HASH", "AuditProblem", "AuditReport", "append_event", "verify_chain"]

GENESIS_HASH = "0" * 64


def _canonical(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _event_hash(
    prev_hash: str,
    seq: int,
    at: float,
    actor: str,
    kind: str,
    run_id: str | None,
    item_id: int | None,
    payload_json: str,
) -> str:
    body = _canonical(
        {
            "seq": seq,
            "at": repr(at),
            "actor": actor,
            "kind": kind,
            "run_id": run_id,
            "item_id": item_id,
            "payload": payload_json,
        }
    )
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


# Built once and run on the DB-API cursor (see ``Fast``): building Core statements per call cost ~3x
# their execution, and SQLAlchemy's own execute ~10x; five events are appended per run.
_READ_HEAD = Fast(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1).with_for_update())
_MOVE_HEAD = Fast(
    update(audit_head)
    .where(audit_head.c.id == 1, audit_head.c.seq == bindparam("prev_seq"), audit_head.c.hash == bindparam("prev_hash"))
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)
_INSERT_EVENT = Fast(
    audit_events.insert(),
    columns=("seq", "at", "actor", "kind", "run_id", "item_id", "payload_json", "prev_hash", "hash"),
)
# This process's last known head of each database's chain. Only a guess: moving the head is a
# compare-and-set on (seq, hash), so a stale guess (another process appended, a transaction rolled
# back) costs one more statement, never a fork.
_HEADS: weakref.WeakKeyDictionary[Engine, tuple[int, str]] = weakref.WeakKeyDictionary()


def append_event(
    conn: Connection,
    *,
    actor: str,
    kind: str,
    run_id: str | None = None,
    item_id: int | None = None,
    payload: Mapping[str, Any] | None = None,
    at: float | None = None,
) -> int:
    """Append one event inside the caller's write transaction and return its sequence number."""
    at = time.time() if at is None else at
    payload_json = _canonical(payload or {})
    body = (at, actor, kind, run_id, item_id, payload_json)
    head = _HEADS.get(conn.engine)
    digest = None if head is None else _move_head(conn, head, body)
    if head is None or digest is None:
        # Lock the head (FOR UPDATE on Postgres; SQLite's write transaction holds the database): appends
        # queue up behind it and each one extends the chain it read.
        head = _READ_HEAD.one(conn)
        digest = _move_head(conn, head, body)
        if digest is None:
            raise RuntimeError("The audit chain head moved while it was locked.")
    seq, prev = head[0] + 1, head[1]
    _INSERT_EVENT.execute(
        conn,
        {
            "seq": seq,
            "at": at,
            "actor": actor,
            "kind": kind,
            "run_id": run_id,
            "item_id": item_id,
            "payload_json": payload_json,
            "prev_hash": prev,
            "hash": digest,
        },
    )
    _HEADS[conn.engine] = (seq, digest)
    return seq


def _move_head(
    conn: Connection, head: tuple[int, str], body: tuple[float, str, str, str | None, int | None, str]
) -> str | None:
    """Move the chain head from ``head`` to the new event; return its hash, or None when ``head`` was stale."""
    seq, prev = head[0] + 1, head[1]
    digest = _event_hash(prev, seq, *body)
    params = {"prev_seq": head[0], "prev_hash": prev, "new_seq": seq, "new_hash": digest}
    return digest if _MOVE_HEAD.execute(conn, params) == 1 else None


@dataclass(frozen=True)
class AuditProblem:
    """One row that does not fit the chain."""

    seq: int
    problem: str


@dataclass
class AuditReport:
    """The outcome of walking the whole chain."""

    events: int = 0
    problems: list[AuditProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return True when every event fits the chain."""
        return not self.problems


def verify_chain(conn: Connection, *, max_problems: int = 100) -> AuditReport:
    """Recompute every hash in order and report rows that were edited, removed or inserted."""
    report = AuditReport()
    expected_prev = GENESIS_HASH
    expected_seq = 1
    rows = conn.execution_options(stream_results=True, yield_per=2000).execute(
        select(audit_events).order_by(audit_events.c.seq)
    )
    for row in rows:
        report.events += 1
        if row.seq != expected_seq:
            report.problems.append(
                AuditProblem(row.seq, f"expected event {expected_seq} here: events were removed or renumbered")
            )
        if row.prev_hash != expected_prev:
            report.problems.append(
                AuditProblem(row.seq, "prev_hash does not match the event before it: the chain was cut")
            )
        digest = _event_hash(
            row.prev_hash, row.seq, row.at, row.actor, row.kind, row.run_id, row.item_id, row.payload_json
        )
        if digest != row.hash:
            report.problems.append(
                AuditProblem(row.seq, f"content does not match its hash: event {row.seq} ({row.kind}) was edited")
            )
        expected_prev = row.hash
        expected_seq = row.seq + 1
        if len(report.problems) >= max_problems:
            return report
    head_seq, head_hash = conn.execute(select(audit_head.c.seq, audit_head.c.hash)).one()
    if head_seq != expected_seq - 1 or head_hash != expected_prev:
        report.problems.append(
            AuditProblem(int(head_seq), "the chain head does not match the last event: events were removed")
        )
    return report
