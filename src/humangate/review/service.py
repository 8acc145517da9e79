"""The Orchestrator: start runs, list and claim review items, decide them, and recover after crashes."""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.pregel import Pregel
from langgraph.types import Command
from pydantic import BaseModel, ValidationError
from sqlalchemy import select, update

from humangate.checkpoints.database import Database
from humangate.checkpoints.savers import open_checkpointer
from humangate.checkpoints.schema import audit_events, decisions, review_items, runs, users
from humangate.config import Settings
from humangate.effects import FileMailer, Outbox
from humangate.errors import (
    AlreadyDecidedError,
    ClaimedError,
    InvalidDecisionError,
    InvalidInputError,
    ItemNotFoundError,
    RunFailedError,
    UnknownUserError,
)
from humangate.graphs.common import GraphDeps, deps_from_settings
from humangate.graphs.context import RunContext
from humangate.graphs.gate import GATE_EVENTS_KEY
from humangate.graphs.registry import GraphRegistry, GraphSpec, default_registry
from humangate.memory.embeddings import make_embedder
from humangate.memory.recall import Recall
from humangate.memory.store import MemoryStore
from humangate.oversight.audit import AuditReport, append_event, verify_chain
from humangate.oversight.metrics import MetricsReport, compute_metrics
from humangate.review.authority import check_decision, parse_decision
from humangate.review.contract import ROLES, ReviewDecision, Role
from humangate.review.queue import (
    Page,
    QueueFilter,
    ReviewItem,
    count_pending,
    load_item,
    log_assessment,
    pending_page,
    sync_interrupts,
)
from humangate.review.runs import RunInfo, RunLock, load_run, new_worker_id
from humangate.review.users import check_password, count_login_users, set_password

__all__ = ["DecideResult", "Orchestrator", "ReconcileReport"]

_log = logging.getLogger("humangate.memory")


@dataclass(frozen=True)
class DecideResult:
    """What a decision did: the decision row, the run afterwards, and any new items it raised."""

    item_id: int
    decision_id: int
    run: RunInfo


@dataclass
class ReconcileReport:
    """What ``reconcile`` found and repaired."""

    runs_checked: int = 0
    restarted: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    decisions_applied: int = 0
    failed: list[str] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)


class Orchestrator:
    """Start gated runs, serve the review queue and apply decisions; safe across processes."""

    def __init__(
        self,
        settings: Settings,
        *,
        registry: GraphRegistry | None = None,
        deps: GraphDeps | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.deps = deps or deps_from_settings(settings)
        self.registry = registry or default_registry(self.deps)
        self.clock = clock
        self.worker = new_worker_id()
        self.db = Database(settings)
        self._stack = ExitStack()
        self._stack.callback(self.db.dispose)
        try:
            upgraded = self.db.ensure_schema()
            self.saver = self._stack.enter_context(
                open_checkpointer(settings, setup=upgraded or self.db.dialect == "sqlite")
            )
        except BaseException:
            self._stack.close()
            raise
        self.outbox = Outbox(self.db)
        self.mailer = FileMailer(settings.outbox_dir)
        # Memory is always recorded; it only steers runs (examples, trigger, autonomy) when switched on.
        self.memory = MemoryStore(self.db, make_embedder(settings.embeddings), clock=clock)
        self.recall = Recall(self.memory, self.deps.policy) if settings.memory else None
        self.lock = RunLock(self.db, self.worker, settings.run_lock_seconds)
        self._compiled: dict[str, Pregel[Any, Any, Any, Any]] = {}

    def close(self) -> None:
        """Close the checkpointer and database connections."""
        self._stack.close()

    def __enter__(self) -> Orchestrator:
        return self

    def __exit__(self, *exc: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]) -> None:
        self.close()

    # -- users -------------------------------------------------------------------------------

    def add_user(self, name: str, role: Role, *, actor: str = "admin") -> None:
        """Add a reviewer (or change their role)."""
        if role not in ROLES:
            raise InvalidDecisionError(f"Unknown role {role!r}.", allowed=ROLES)
        if not name.strip() or len(name) > 100:
            raise InvalidDecisionError("A user name needs 1 to 100 characters.")
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
            return _role(conn, name)

    def set_password(self, name: str, password: str, *, actor: str = "admin") -> None:
        """Set the password a user signs in to the panel with (stored as an scrypt hash)."""
        with self.db.write() as conn:
            set_password(conn, name, password, actor=actor)

    def check_password(self, name: str, password: str) -> bool:
        """Return True when the user exists and the password matches, in constant time."""
        with self.db.read() as conn:
            return check_password(conn, name, password)

    def login_users(self) -> int:
        """Count users who can sign in to the panel."""
        with self.db.read() as conn:
            return count_login_users(conn)

    # -- runs --------------------------------------------------------------------------------

    def graph(self, name: str) -> Pregel[Any, Any, Any, Any]:
        """Return the named graph compiled with this Orchestrator's checkpointer."""
        if name not in self._compiled:
            self._compiled[name] = self.registry.get(name).build().compile(checkpointer=self.saver)
        return self._compiled[name]

    def start(
        self,
        graph: str,
        inputs: Mapping[str, Any] | BaseModel,
        *,
        started_by: str | None = None,
        run_id: str | None = None,
    ) -> RunInfo:
        """Start a run; it returns when the run completes or pauses for review."""
        spec = self.registry.get(graph)
        try:
            model = spec.input_model.model_validate(inputs.model_dump() if isinstance(inputs, BaseModel) else inputs)
        except ValidationError as exc:
            raise InvalidInputError(f"Input for graph {graph!r} is invalid: {_errors(exc)}") from None
        run_id = run_id or uuid.uuid4().hex
        now = self.clock()
        with self.db.write() as conn:
            conn.execute(
                runs.insert().values(
                    id=run_id,
                    graph=graph,
                    title=spec.title(model)[:500],
                    status="running",
                    started_by=started_by,
                    inputs_json=model.model_dump_json(),
                    created_at=now,
                    updated_at=now,
                    lock_owner=self.worker,
                    lock_expires_at=now + self.settings.run_lock_seconds,
                )
            )
            append_event(
                conn, actor=started_by or "system", kind="run.started", run_id=run_id, at=now, payload={"graph": graph}
            )
        return self._advance(spec, run_id, spec.to_state(model))

    def run(self, run_id: str) -> RunInfo:
        """Return one run."""
        with self.db.read() as conn:
            return load_run(conn, run_id)

    def runs(self, *, status: str | None = None, limit: int = 50) -> list[RunInfo]:
        """Return the newest runs, optionally of one status."""
        with self.db.read() as conn:
            stmt = select(runs.c.id).order_by(runs.c.created_at.desc()).limit(limit)
            if status:
                stmt = stmt.where(runs.c.status == status)
            return [load_run(conn, rid) for rid in conn.execute(stmt).scalars()]

    def timeline(self, run_id: str) -> list[dict[str, Any]]:
        """Return the run's audit events, oldest first."""
        with self.db.read() as conn:
            load_run(conn, run_id)
            rows = conn.execute(
                select(audit_events).where(audit_events.c.run_id == run_id).order_by(audit_events.c.seq)
            )
            return [
                {
                    "seq": r.seq,
                    "at": r.at,
                    "actor": r.actor,
                    "kind": r.kind,
                    "item_id": r.item_id,
                    "payload": json.loads(r.payload_json),
                }
                for r in rows
            ]

    def _config(self, run_id: str) -> RunnableConfig:
        return {"configurable": {"thread_id": run_id}}

    def _context(self, spec: GraphSpec, run_id: str) -> RunContext:
        return RunContext(run_id=run_id, graph=spec.name, outbox=self.outbox, mailer=self.mailer, memory=self.recall)

    def _advance(self, spec: GraphSpec, run_id: str, payload: Any, applied: Sequence[int] = ()) -> RunInfo:
        """Invoke the graph (the caller holds the run lock), then sync the queue and release the lock."""
        try:
            self.graph(spec.name).invoke(payload, self._config(run_id), context=self._context(spec, run_id))
        except Exception as exc:
            with self.db.write() as conn:
                conn.execute(
                    update(runs)
                    .where(runs.c.id == run_id)
                    .values(status="failed", error=f"{type(exc).__name__}: {exc}"[:4000], updated_at=self.clock())
                )
                append_event(
                    conn,
                    actor="system",
                    kind="run.failed",
                    run_id=run_id,
                    payload={"error": f"{type(exc).__name__}: {exc}"[:1000]},
                )
                self.lock.release(conn, run_id)
            raise RunFailedError(run_id, exc) from exc
        return self._sync(spec, run_id, applied)

    def _sync(self, spec: GraphSpec, run_id: str, applied: Sequence[int] = ()) -> RunInfo:
        """Write open interrupts into the queue, the run's status, applied decisions; release the lock."""
        snap = self.graph(spec.name).get_state(self._config(run_id))
        events = snap.values.get(GATE_EVENTS_KEY, []) if isinstance(snap.values, dict) else []
        now = self.clock()
        with self.db.write() as conn:
            if applied:
                conn.execute(update(decisions).where(decisions.c.id.in_(applied)).values(applied_at=now))
            sync_interrupts(conn, run_id=run_id, interrupts=snap.interrupts, actor="system", now=now)
            for e in events:
                if e["outcome"] == "passed":
                    log_assessment(
                        conn,
                        event_id=e["id"],
                        run_id=run_id,
                        graph=spec.name,
                        node=e["node"],
                        assessment=e["assessment"],
                        at=now,  # the Orchestrator's clock, not the node's: metrics compare it with decisions
                    )
            # snap.tasks, not snap.next: after a crash the newest saved checkpoint can have next == ()
            # while its tasks are still owed; only an empty task list is a finished run.
            status = "paused" if snap.interrupts else ("running" if snap.tasks else "completed")
            old = conn.execute(select(runs.c.status).where(runs.c.id == run_id)).scalar_one()
            values: dict[str, Any] = {"status": status, "updated_at": now, "lock_owner": None, "lock_expires_at": None}
            if status == "completed":
                values["outcome"] = _outcome(events)
            conn.execute(update(runs).where(runs.c.id == run_id).values(**values))
            if status != old:
                append_event(
                    conn,
                    actor="system",
                    kind=f"run.{status}",
                    run_id=run_id,
                    at=now,
                    payload={"outcome": values.get("outcome")} if status == "completed" else {},
                )
            return load_run(conn, run_id)

    # -- queue -------------------------------------------------------------------------------

    def pending(self, filters: QueueFilter | None = None, *, limit: int = 50, cursor: str | None = None) -> Page:
        """List pending items, highest risk then oldest first."""
        with self.db.read() as conn:
            return pending_page(conn, filters or QueueFilter(), limit=limit, cursor=cursor)

    def count(self, filters: QueueFilter | None = None) -> int:
        """Count pending items."""
        with self.db.read() as conn:
            return count_pending(conn, filters or QueueFilter())

    def item(self, item_id: int) -> ReviewItem:
        """Return one review item or raise ``ItemNotFoundError``."""
        with self.db.read() as conn:
            item = load_item(conn, item_id)
        if item is None:
            raise ItemNotFoundError(item_id)
        return item

    def claim(self, item_id: int, reviewer: str) -> ReviewItem:
        """Lease an item to a reviewer for ``settings.lease_seconds``; re-claiming extends the lease."""
        now = self.clock()
        with self.db.write() as conn:
            item = _pending_item(conn, item_id)
            role = _role(conn, reviewer)
            check_decision(item, None, reviewer=reviewer, role=role, started_by=None, now=now, spec=None)
            still_mine = item.claimed_by == reviewer and (item.lease_expires_at or 0) > now
            claimed_at = item.claimed_at if still_mine else now  # dwell counts from the first claim
            conn.execute(
                update(review_items)
                .where(review_items.c.id == item_id)
                .values(
                    claimed_by=reviewer,
                    claimed_at=claimed_at,
                    lease_expires_at=now + self.settings.lease_seconds,
                    version=review_items.c.version + 1,
                )
            )
            append_event(conn, actor=reviewer, kind="item.claimed", run_id=item.run_id, item_id=item_id, at=now)
            return load_item(conn, item_id)  # type: ignore[return-value]

    def release(self, item_id: int, reviewer: str) -> None:
        """Give back a lease the reviewer holds."""
        with self.db.write() as conn:
            item = _pending_item(conn, item_id)
            if item.claimed_by != reviewer:
                raise ClaimedError(item_id, item.claimed_by or "nobody", "-")
            conn.execute(
                update(review_items)
                .where(review_items.c.id == item_id)
                .values(claimed_by=None, claimed_at=None, lease_expires_at=None, version=review_items.c.version + 1)
            )
            append_event(conn, actor=reviewer, kind="item.released", run_id=item.run_id, item_id=item_id)

    def decide(self, item_id: int, decision: ReviewDecision | Mapping[str, Any]) -> DecideResult:
        """Validate and record a decision (compare-and-set), then resume the run with it."""
        parsed = parse_decision(item_id, decision)
        now = self.clock()
        with self.db.write() as conn:
            item = _pending_item(conn, item_id)
            role = _role(conn, parsed.reviewer)
            started_by = conn.execute(select(runs.c.started_by).where(runs.c.id == item.run_id)).scalar()
            spec = self.registry.get(item.graph)
            check_decision(item, parsed, reviewer=parsed.reviewer, role=role, started_by=started_by, now=now, spec=spec)
            won = conn.execute(
                update(review_items)
                .where(
                    review_items.c.id == item_id,
                    review_items.c.version == item.version,
                    review_items.c.status == "pending",
                )
                .values(status="decided", decided_at=now, version=review_items.c.version + 1)
            ).rowcount
            if won != 1:
                raise AlreadyDecidedError(item_id, "decided")
            request_sha = hashlib.sha256(item.request_json.encode()).hexdigest()
            decision_id = conn.execute(
                decisions.insert().values(
                    item_id=item_id,
                    run_id=item.run_id,
                    interrupt_id=item.interrupt_id,
                    reviewer=parsed.reviewer,
                    action=parsed.action,
                    reason_code=parsed.reason_code,
                    decision_json=parsed.model_dump_json(),
                    request_sha256=request_sha,
                    decided_at=now,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            append_event(
                conn,
                actor=parsed.reviewer,
                kind="decision.recorded",
                run_id=item.run_id,
                item_id=item_id,
                at=now,
                payload={
                    "decision": parsed.model_dump(mode="json"),
                    "request_sha256": request_sha,
                    "decision_id": decision_id,
                    "dwell_seconds": _dwell(item, parsed.reviewer, now),
                },
            )
            holder = self.lock.take(conn, item.run_id)  # usually free: resume without another transaction
        self._remember(item, parsed, int(decision_id))
        if holder is not None:
            self.lock.acquire(item.run_id, wait_seconds=self.settings.run_lock_seconds)
        _, run = self._apply_locked(item.run_id)
        return DecideResult(item_id=item_id, decision_id=int(decision_id), run=run)

    def _remember(self, item: ReviewItem, decision: ReviewDecision, decision_id: int) -> None:
        """File the decision in memory: what the agent saw and proposed, and what the reviewer did."""
        request = item.request
        proposal_text = "\n\n".join(str(v) for v in request.proposal.values() if isinstance(v, str))
        try:
            self._record(request, item, decision, decision_id, proposal_text)
        except Exception:  # memory helps later runs; it must never hold up the decision that feeds it
            _log.exception("Could not file decision %s on item %s in memory", decision_id, item.id)

    def _record(
        self, request: Any, item: ReviewItem, decision: ReviewDecision, decision_id: int, proposal_text: str
    ) -> None:
        self.memory.record(
            graph=item.graph,
            node=item.node,
            kind=decision.action,
            reviewer=decision.reviewer,
            key_text=request.memory_key or proposal_text,
            situation=request.observed,
            proposal=request.proposal,
            corrected=decision.edited,
            reason_code=decision.reason_code,
            note=decision.note,
            # For an escalation, the role it went to: the memory trigger sends the next similar one there.
            instructions=decision.instructions or decision.escalate_to,
            item_id=item.id,
            decision_id=decision_id,
            run_id=item.run_id,
        )

    def apply_decisions(self, run_id: str) -> int:
        """Resume the run with every recorded, not yet applied decision; return how many were applied."""
        self.lock.acquire(run_id, wait_seconds=self.settings.run_lock_seconds)
        return self._apply_locked(run_id)[0]

    def _apply_locked(self, run_id: str) -> tuple[int, RunInfo]:
        with self.db.read() as conn:
            graph_name = conn.execute(select(runs.c.graph).where(runs.c.id == run_id)).scalar_one()
            rows = conn.execute(
                select(decisions.c.id, decisions.c.interrupt_id, decisions.c.decision_json).where(
                    decisions.c.run_id == run_id, decisions.c.applied_at.is_(None)
                )
            ).all()
        spec = self.registry.get(graph_name)
        snap = self.graph(spec.name).get_state(self._config(run_id))
        open_ids = {i.id for i in snap.interrupts}
        batch = {r.interrupt_id: json.loads(r.decision_json) for r in rows if r.interrupt_id in open_ids}
        # A decision whose interrupt is already closed was consumed before a crash cut the bookkeeping.
        self._mark_applied([r.id for r in rows if r.interrupt_id not in open_ids])
        if batch:
            applied = [r.id for r in rows if r.interrupt_id in open_ids]
            return len(batch), self._advance(spec, run_id, Command(resume=batch), applied)
        if snap.tasks and not snap.interrupts:  # a crash stopped the run between or inside nodes: carry on
            return 0, self._advance(spec, run_id, None)
        return 0, self._sync(spec, run_id)

    def _mark_applied(self, decision_ids: list[int]) -> None:
        if decision_ids:
            with self.db.write() as conn:
                conn.execute(update(decisions).where(decisions.c.id.in_(decision_ids)).values(applied_at=self.clock()))

    # -- recovery and audit ------------------------------------------------------------------

    def reconcile(self) -> ReconcileReport:
        """Rebuild queue rows and run status from the checkpoints, and finish runs a crash cut short."""
        report = ReconcileReport()
        with self.db.read() as conn:
            open_runs = conn.execute(
                select(runs.c.id, runs.c.graph, runs.c.inputs_json)
                .where(runs.c.status.in_(["running", "paused"]))
                .order_by(runs.c.created_at)
            ).all()
        for row in open_runs:
            report.runs_checked += 1
            holder = self.lock.try_acquire(row.id)
            if holder is not None:
                report.busy.append(row.id)
                continue
            spec = self.registry.get(row.graph)
            snap = self.graph(spec.name).get_state(self._config(row.id))
            try:
                if snap.created_at is None:  # crashed before the first checkpoint: start again
                    model = spec.input_model.model_validate_json(row.inputs_json)
                    self._advance(spec, row.id, spec.to_state(model))
                    report.restarted.append(row.id)
                else:
                    if snap.tasks and not snap.interrupts:
                        report.resumed.append(row.id)
                    report.decisions_applied += self._apply_locked(row.id)[0]
            except RunFailedError:
                report.failed.append(row.id)
        return report

    def verify_audit(self) -> AuditReport:
        """Walk the audit chain and report any event that was edited, removed or inserted."""
        with self.db.read() as conn:
            return verify_chain(conn)

    def metrics(self, since: float | None = None, graph: str | None = None) -> MetricsReport:
        """Return the oversight metrics (escalation, overrides, time to decision, queue, triggers) as of now."""
        with self.db.read() as conn:
            return compute_metrics(conn, now=self.clock(), since=since, graph=graph)


def _pending_item(conn: Any, item_id: int) -> ReviewItem:
    item = load_item(conn, item_id)
    if item is None:
        raise ItemNotFoundError(item_id)
    if item.status != "pending":
        raise AlreadyDecidedError(item_id, item.status)
    return item


def _role(conn: Any, name: str) -> Role:
    role = conn.execute(select(users.c.role).where(users.c.name == name)).scalar()
    if role is None:
        raise UnknownUserError(name)
    return role  # type: ignore[no-any-return]


def _dwell(item: ReviewItem, reviewer: str, now: float) -> float | None:
    if item.claimed_by == reviewer and item.claimed_at is not None:
        return round(now - item.claimed_at, 3)
    return None


def _outcome(events: list[dict[str, Any]]) -> str:
    decided = [e["outcome"] for e in events if e["outcome"] != "passed"]
    if decided and decided[-1] == "reject":
        return "rejected"
    return "approved" if decided else "passed"


def _errors(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in exc.errors())
