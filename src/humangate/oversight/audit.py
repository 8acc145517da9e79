"""Append-only, hash-chained audit events and their verification.

Each event's hash is ``HMAC-SHA256(key, prev_hash + canonical body)`` with a key kept outside the
database (see ``_audit_key``), so whoever rewrites an event cannot re-hash the rest. Chains written
before the key existed keep their plain ``sha256`` hashes up to ``audit_head.keyed_from``; the first
keyed event's HMAC covers the last plain hash, so the plain part is anchored too. An append moves the
single ``audit_head`` row by compare-and-set on its (seq, hash), which also locks it until the
transaction ends, so concurrent writers (threads, processes, panel replicas) extend one chain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select, update

from humangate.checkpoints.fast import Fast
from humangate.checkpoints.schema import audit_events, audit_head, decisions

__all__ = [
    "GENESIS_HASH",
    "AuditProblem",
    "AuditReport",
    "append_event",
    "cross_check_decisions",
    "key_chain",
    "use_audit_key",
    "verify_chain",
]

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
    key: bytes | None = None,
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
    message = (prev_hash + body).encode()
    if key is None:  # the scheme of events written before the chain was keyed
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


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
# Each database's audit key, set by whoever opened it with its settings (the Orchestrator).
_KEYS: weakref.WeakKeyDictionary[Engine, bytes] = weakref.WeakKeyDictionary()


def use_audit_key(engine: Engine, key: bytes) -> None:
    """Hash every event appended through ``engine`` with ``key``."""
    _KEYS[engine] = key


def key_chain(conn: Connection, *, key: bytes, new_key: bool) -> bool:
    """Mark the chain keyed from its next event on; return False when it must stay as it is.

    An empty chain is keyed from its first event. A chain with events is keyed only with a key made just
    now: an existing key beside an unkeyed chain means the chain was rewritten (``verify_chain`` says so).
    """
    seq, keyed_from = conn.execute(
        select(audit_head.c.seq, audit_head.c.keyed_from).where(audit_head.c.id == 1).with_for_update()
    ).one()
    if keyed_from is not None:
        return True
    if seq and not new_key:
        return False
    conn.execute(update(audit_head).where(audit_head.c.id == 1).values(keyed_from=int(seq) + 1))
    _KEYS[conn.engine] = key
    if seq:  # the keyed marker: its HMAC covers the last plain hash (its prev_hash)
        append_event(conn, actor="system", kind="audit.keyed", payload={"plain_events": int(seq)})
    return True


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
    digest = _event_hash(prev, seq, *body, key=_KEYS.get(conn.engine))
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


def verify_chain(conn: Connection, *, key: bytes | None = None, max_problems: int = 100) -> AuditReport:
    """Recompute every hash in order and report rows that were edited, removed or inserted.

    With ``key``, events from ``audit_head.keyed_from`` on must carry its HMAC, and a chain with events
    that was never keyed is reported: plain SHA-256 hashes can be recomputed by anyone.
    """
    report = AuditReport()
    expected_prev = GENESIS_HASH
    expected_seq = 1
    head_seq, head_hash, keyed_from = conn.execute(
        select(audit_head.c.seq, audit_head.c.hash, audit_head.c.keyed_from)
    ).one()
    if key is not None and keyed_from is None and head_seq:
        report.problems.append(
            AuditProblem(
                1,
                "the chain is not keyed although its audit key exists: it was rewritten, or the key "
                "(HUMANGATE_AUDIT_KEY_FILE) belongs to another database",
            )
        )
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
        keyed = key is not None and keyed_from is not None and row.seq >= keyed_from
        if keyed and row.seq == keyed_from and keyed_from > 1 and row.kind != "audit.keyed":
            report.problems.append(AuditProblem(row.seq, "the chain's keyed part does not start with its marker"))
        digest = _event_hash(
            row.prev_hash,
            row.seq,
            row.at,
            row.actor,
            row.kind,
            row.run_id,
            row.item_id,
            row.payload_json,
            key=key if keyed else None,
        )
        if digest != row.hash:
            report.problems.append(
                AuditProblem(row.seq, f"content does not match its hash: event {row.seq} ({row.kind}) was edited")
            )
        expected_prev = row.hash
        expected_seq = row.seq + 1
        if len(report.problems) >= max_problems:
            return report
    if head_seq != expected_seq - 1 or head_hash != expected_prev:
        report.problems.append(
            AuditProblem(int(head_seq), "the chain head does not match the last event: events were removed")
        )
    if key is not None and keyed_from is not None and keyed_from > expected_seq:
        report.problems.append(AuditProblem(int(keyed_from), "the chain's keyed part starts after its last event"))
    return report


def cross_check_decisions(conn: Connection, report: AuditReport, *, max_problems: int = 100) -> None:
    """Report decisions with no ``decision.recorded`` event, and such events with no decision row."""
    rows = conn.execute(
        select(audit_events.c.seq, audit_events.c.payload_json).where(audit_events.c.kind == "decision.recorded")
    ).all()
    events: dict[int, int] = {}
    for seq, payload_json in rows:
        try:
            decision_id = json.loads(payload_json).get("decision_id")
        except (ValueError, AttributeError):
            decision_id = None
        if isinstance(decision_id, int):
            events[decision_id] = int(seq)
        else:
            report.problems.append(AuditProblem(int(seq), "a decision.recorded event names no decision"))
    found = conn.execute(select(decisions.c.id, decisions.c.item_id, decisions.c.reviewer, decisions.c.action))
    seen: set[int] = set()
    for decision_id, item_id, reviewer, action in found:
        seen.add(int(decision_id))
        if decision_id not in events:
            report.problems.append(
                AuditProblem(
                    0,
                    f"decision {decision_id} ({action} by {reviewer} on item {item_id}) has no decision.recorded "
                    "event: it was written outside the service",
                )
            )
        if len(report.problems) >= max_problems:
            return
    for decision_id, seq in sorted(events.items()):
        if decision_id not in seen:
            report.problems.append(AuditProblem(seq, f"event {seq} records decision {decision_id}, which is missing"))
            if len(report.problems) >= max_problems:
                return
