"""The floor under target (a): a gated run's four durable transactions at bare sqlite3 speed.

A gated run commits four times on humangate's side, each a point the contract needs:

1. the run row, before the graph runs (crash recovery and the Runs tab know of it);
2. the queue row, its assessment and the run's ``paused`` status, after the invoke that paused;
3. the decision, as a compare-and-set on the item, before the resume (exactly one decision applies);
4. the decision marked applied and the run ``completed``, after the resume.

Every state change appends a hash-chained audit event. ``FloorSide`` does exactly those writes, and
the two reads a decision needs (the item, the reviewer's role), as 22 hand-written statements on one
``sqlite3`` connection in autocommit mode with explicit ``BEGIN IMMEDIATE`` / ``COMMIT``: no
SQLAlchemy, no pydantic, no recovery reads, no sampled second looks (the product queues 5% of
approvals for one), and only the assertions a bench needs. It drives the same gated graph with the
same saver settings as the Orchestrator. That is as little as Python can do and keep the four
transactions, so its ratio to bare LangGraph is a floor for target (a). With ``sql=False`` it runs
the gated graph alone: the cost of ``review_gate`` itself.

The rows are real: ``tests/test_bench_floor.py`` reads them back through the Orchestrator, checks
that each table holds as many rows per run as a run by the product leaves, and verifies the audit
chain.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.pregel import Pregel
from langgraph.types import Command

from humangate.config import Settings
from humangate.oversight._audit_key import audit_key_path, load_audit_key
from humangate.oversight.audit import _event_hash

__all__ = ["FLOOR_STATEMENTS", "FloorSide"]

FLOOR_STATEMENTS = 22  # per gated run, besides BEGIN and COMMIT: 3 + 7 + 8 + 4; the test counts them

_RUN = (
    "INSERT INTO runs (id, graph, title, status, started_by, inputs_json, created_at, updated_at, lock_owner,"
    " lock_expires_at) VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?)"
)
_ITEM = (
    "INSERT INTO review_items (interrupt_id, run_id, graph, node, title, risk_level, risk_rank, score,"
    " trigger_kinds, required_role, min_dwell_seconds, escalation_level, status, version, created_at,"
    " request_json, kind, due_at, sla_step, approvals_needed, blind)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0.0, 0, 'pending', 0, ?, ?, 'gate', NULL, 0, 1, 0) RETURNING id"
)
_ASSESSMENT = (
    "INSERT INTO assessments (event_id, run_id, graph, node, level, score, needs_review, trigger_kinds,"
    " policy_version, assessment_json, created_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)"
)
_SET_STATUS = (
    "UPDATE runs SET status = ?, outcome = coalesce(?, outcome), updated_at = ?, lock_owner = NULL,"
    " lock_expires_at = NULL WHERE id = ?"
)
_READ_ITEM = "SELECT version, status, run_id, interrupt_id, request_json FROM review_items WHERE id = ?"
_CAS_ITEM = (
    "UPDATE review_items SET status = 'decided', version = version + 1, decided_at = ?"
    " WHERE id = ? AND version = ? AND status = 'pending'"
)
_DECISION = (
    "INSERT INTO decisions (item_id, run_id, interrupt_id, reviewer, action, decision_json, request_sha256,"
    " decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
)
_BACKLOG = "INSERT INTO memory_backlog (decision_id, queued_at, active, attempts, retry_at) VALUES (?, ?, 1, 0, 0.0)"
_ROLE = "SELECT role FROM users WHERE name = ?"
_LOCK_RUN = (
    "UPDATE runs SET lock_owner = ?, lock_expires_at = ? WHERE id = ? AND (lock_owner IS NULL OR lock_expires_at < ?)"
)
_APPLIED = "UPDATE decisions SET applied_at = ? WHERE id = ? AND applied_at IS NULL"
_HEAD = "SELECT seq, hash FROM audit_head WHERE id = 1"
_MOVE_HEAD = "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1 AND seq = ? AND hash = ?"
_EVENT = (
    "INSERT INTO audit_events (seq, at, actor, kind, run_id, item_id, payload_json, prev_hash, hash)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_RANKS = {"low": 0, "medium": 1, "high": 2, "critical": 3}


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class FloorSide:
    """Full gated runs (start, pause, approve, end) with humangate's writes done by hand; see the module."""

    def __init__(
        self,
        db_path: Path,
        graph: Pregel[Any, Any, Any, Any],
        graph_name: str,
        make_input: Callable[[int], Mapping[str, Any]],
        decision: Mapping[str, Any],
        *,
        sql: bool = True,
        synchronous: str = "NORMAL",
    ) -> None:
        """``db_path`` must hold humangate's tables (an Orchestrator opened it once); ``graph`` uses
        ``review_gate`` and a saver on the same file and is registered as ``graph_name``; ``decision``
        is the reviewer's approval."""
        self.graph = graph
        self.graph_name = graph_name
        self.make_input = make_input
        self.decision = dict(decision)
        self.decision_json = _json(self.decision)
        self.sql = sql
        self.n = 0
        self.owner = f"floor:{uuid.uuid4().hex[:8]}"
        self.conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(f"PRAGMA synchronous={synchronous}")
        seq, digest = self.conn.execute(_HEAD).fetchone()
        self.head: tuple[int, str] = (seq, digest)
        # The product keys the chain with an HMAC whose key lives beside the database; so does the floor.
        self.key, _ = load_audit_key(audit_key_path(Settings(db_url=f"sqlite:///{db_path}")))

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def _event(self, at: float, actor: str, kind: str, run_id: str, item_id: int | None, payload: str) -> None:
        prev_seq, prev = self.head
        seq = prev_seq + 1
        digest = _event_hash(prev, seq, at, actor, kind, run_id, item_id, payload, key=self.key)
        moved = self.conn.execute(_MOVE_HEAD, (seq, digest, prev_seq, prev)).rowcount
        if moved != 1:
            raise RuntimeError("the floor bench must be the only writer of its database")
        self.conn.execute(_EVENT, (seq, at, actor, kind, run_id, item_id, payload, prev, digest))
        self.head = (seq, digest)

    def run(self) -> float:
        """One full gated run; return its seconds."""
        self.n += 1
        inputs = dict(self.make_input(self.n))
        rid = uuid.uuid4().hex
        config: RunnableConfig = {"configurable": {"thread_id": rid}}
        t0 = time.perf_counter()
        if not self.sql:
            out = self.graph.invoke({"request": inputs}, config)
            resume = {out["__interrupt__"][0].id: self.decision}
            out = self.graph.invoke(Command(resume=resume), config)
            assert out.get("finished"), out
            return time.perf_counter() - t0
        c = self.conn
        graph_name, title, who = self.graph_name, f"floor run {self.n}", str(self.decision["reviewer"])
        # 1. The run row exists before the graph runs.
        now = time.time()
        c.execute("BEGIN IMMEDIATE")
        c.execute(_RUN, (rid, graph_name, title, "bench", _json(inputs), now, now, self.owner, now + 60))
        self._event(now, "bench", "run.started", rid, None, _json({"graph": graph_name}))
        c.execute("COMMIT")
        out = self.graph.invoke({"request": inputs}, config)
        intr = out["__interrupt__"][0]
        request = intr.value
        assessment = request["assessment"]
        kinds = "," + ",".join(sorted({t["kind"] for t in assessment["triggers"]})) + ","
        request_json = _json(request)
        # 2. The queue row, its assessment and the paused status.
        now = time.time()
        c.execute("BEGIN IMMEDIATE")
        (item_id,) = c.execute(
            _ITEM,
            (
                intr.id,
                rid,
                graph_name,
                request["node"],
                request["title"],
                assessment["level"],
                _RANKS[assessment["level"]],
                assessment["score"],
                kinds,
                request["required_role"],
                now,
                request_json,
            ),
        ).fetchone()
        c.execute(
            _ASSESSMENT,
            (
                f"interrupt:{intr.id}",
                rid,
                graph_name,
                request["node"],
                assessment["level"],
                assessment["score"],
                kinds,
                assessment["policy_version"],
                _json(assessment),
                now,
            ),
        )
        self._event(now, "system", "item.queued", rid, item_id, _json({"level": assessment["level"]}))
        c.execute(_SET_STATUS, ("paused", None, now, rid))
        self._event(now, "system", "run.paused", rid, None, "{}")
        c.execute("COMMIT")
        # 3. The decision, as a compare-and-set on the item, before the resume.
        now = time.time()
        c.execute("BEGIN IMMEDIATE")
        version, status, run_id, interrupt_id, stored = c.execute(_READ_ITEM, (item_id,)).fetchone()
        assert status == "pending" and run_id == rid
        (role,) = c.execute(_ROLE, (who,)).fetchone()  # the reviewer may act on this item
        assert role in ("reviewer", "expert", "owner", "admin"), role
        if c.execute(_CAS_ITEM, (now, item_id, version)).rowcount != 1:
            raise RuntimeError("item already decided")
        digest = hashlib.sha256(stored.encode()).hexdigest()
        (decision_id,) = c.execute(
            _DECISION, (item_id, rid, interrupt_id, who, self.decision["action"], self.decision_json, digest, now)
        ).fetchone()
        recorded = {"decision": self.decision, "request_sha256": digest, "decision_id": decision_id}
        self._event(now, who, "decision.recorded", rid, item_id, _json(recorded))
        c.execute(_BACKLOG, (decision_id, now))
        if c.execute(_LOCK_RUN, (self.owner, now + 60, rid, now)).rowcount != 1:
            raise RuntimeError("run is locked")
        c.execute("COMMIT")
        out = self.graph.invoke(Command(resume={interrupt_id: self.decision}), config)
        assert out.get("finished"), out
        # 4. The decision applied and the run completed.
        now = time.time()
        c.execute("BEGIN IMMEDIATE")
        c.execute(_APPLIED, (now, decision_id))
        c.execute(_SET_STATUS, ("completed", "approved", now, rid))
        self._event(now, "system", "run.completed", rid, None, "{}")
        c.execute("COMMIT")
        return time.perf_counter() - t0
