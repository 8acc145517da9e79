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
from humangate.checkpoints.schema import audit_events, decisions, review_items, runs, users, votes
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
from humangate.oversight.notify import enqueue, item_facts
from humangate.oversight.quality import QualityReport, compute_quality
from humangate.review.authority import check_decision, parse_decision
from humangate.review.checks import (
    add_audit_item,
    add_canary_item,
    count_votes,
    escalate_overdue,
    next_role,
    overdue_items,
)
from humangate.review.contract import ROLES, SYSTEM_REVIEWER, ReviewDecision, ReviewRequest, RiskAssessment, Role
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
from humangate.risk.assess import is_sampled
from humangate.risk.triggers import sampled

__all__ = ["DecideResult", "Orchestrator", "ReconcileReport", "SweepReport"]

_log = logging.getLogger("humangate.memory")


@dataclass(frozen=True)
class DecideResult:
    """What a decision did: the decision row, the run afterwards, and any new items it raised."""

    item_id: int
    decision_id: int
    run: RunInfo
    approvals_missing: int = 0  # an M-of-N vote was recorded and the item waits for this many more


@dataclass
class SweepReport:
    """What ``sweep`` did: items moved up their escalation chain, items rejected at its end."""

    escalated: list[int] = field(default_factory=list)
    failed_closed: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


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
            new, _ = sync_interrupts(conn, run_id=run_id, interrupts=snap.interrupts, actor="system", now=now)
            for item_id in new:
                self._queued(conn, item_id, now)
            for e in events:
                if e["outcome"] == "passed":
                    fresh = log_assessment(
                        conn,
                        event_id=e["id"],
                        run_id=run_id,
                        graph=spec.name,
                        node=e["node"],
                        assessment=e["assessment"],
                        at=now,  # the Orchestrator's clock, not the node's: metrics compare it with decisions
                    )
                    if fresh and "proposal" in e and is_sampled(RiskAssessment.model_validate(e["assessment"])):
                        self._audit_passed(conn, spec, run_id, e, now)
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

    def _queued(self, conn: Any, item_id: int, now: float) -> None:
        """Announce a new item (webhook) and, at the policy's canary rate, seed a known-bad copy beside it."""
        item = load_item(conn, item_id)
        assert item is not None
        enqueue(
            conn,
            self.settings,
            event="item.queued",
            item_id=item.id,
            run_id=item.run_id,
            now=now,
            payload=item_facts(item, f"{item.title}: waiting for a {item.required_role}."),
        )
        rate = self.deps.policy.settings(item.graph, item.node).canary_rate
        if sampled(f"canary|{item.interrupt_id}", rate, salt=self.deps.policy.version):
            add_canary_item(conn, source=item, now=now)

    def _audit_passed(self, conn: Any, spec: GraphSpec, run_id: str, event: Any, now: float) -> None:
        """Queue a blind audit of a proposal that passed unreviewed and was picked by audit sampling."""
        gate = spec.gates.get(event["node"])
        title = conn.execute(select(runs.c.title).where(runs.c.id == run_id)).scalar_one()
        request = ReviewRequest(
            graph=spec.name,
            node=event["node"],
            thread_id=run_id,
            title=title,
            proposal=event["proposal"],
            proposal_kind=gate.proposal_model.__name__ if gate else "proposal",
            assessment=RiskAssessment.model_validate(event["assessment"]),
            memory_key=event.get("memory_key", ""),
        )
        add_audit_item(
            conn, request=request, run_id=run_id, now=now, why="This passed without review and was sampled for audit."
        )

    # -- deadlines ---------------------------------------------------------------------------

    def sweep(self) -> SweepReport:
        """Escalate overdue items along their chain; past its end reject them (fail closed); expire checks."""
        now = self.clock()
        report = SweepReport()
        with self.db.read() as conn:
            overdue = overdue_items(conn, now)
        for item in overdue:
            if item.kind != "gate":
                continue  # audits and canaries carry no deadline today; kept for later policies
            role = next_role(item)
            if role is not None:
                with self.db.write() as conn:
                    if escalate_overdue(conn, item, role, now):
                        moved = load_item(conn, item.id)
                        assert moved is not None
                        enqueue(
                            conn,
                            self.settings,
                            event="item.escalated",
                            item_id=item.id,
                            run_id=item.run_id,
                            now=now,
                            payload=item_facts(moved, f"{item.title}: overdue, now with a {role}."),
                        )
                        report.escalated.append(item.id)
                continue
            try:
                self._fail_closed(item, now)
                report.failed_closed.append(item.id)
            except (AlreadyDecidedError, RunFailedError) as exc:
                report.skipped.append((item.id, str(exc)))
        return report

    def _fail_closed(self, item: ReviewItem, now: float) -> None:
        """Reject an item nobody decided in time at any step of its chain, as the policy's default."""
        decision = ReviewDecision(
            action="reject",
            reviewer=SYSTEM_REVIEWER,
            reason_code="other",
            note="Nobody decided this within the SLA at any step of the escalation chain; the policy fails closed.",
        )
        with self.db.write() as conn:
            current = _pending_item(conn, item.id)
            decision_id = self._record_decision(conn, current, decision, now)
            append_event(
                conn,
                actor=SYSTEM_REVIEWER,
                kind="item.expired",
                run_id=item.run_id,
                item_id=item.id,
                at=now,
                payload={"decision_id": decision_id, "fail_closed": "reject"},
            )
            enqueue(
                conn,
                self.settings,
                event="item.expired",
                item_id=item.id,
                run_id=item.run_id,
                now=now,
                payload=item_facts(current, f"{item.title}: not decided in time; rejected (fail closed)."),
            )
            holder = self.lock.take(conn, item.run_id)
        if holder is not None:
            self.lock.acquire(item.run_id, wait_seconds=self.settings.run_lock_seconds)
        self._apply_locked(item.run_id)

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
        """Validate and record a decision (compare-and-set), then resume the run with it.

        An approval of an item that needs several reviewers (M of N) is recorded as a vote and the run
        waits for the rest; audit and canary items record the judgement and never touch the run.
        """
        parsed = parse_decision(item_id, decision)
        now = self.clock()
        with self.db.write() as conn:
            item = _pending_item(conn, item_id)
            role = _role(conn, parsed.reviewer)
            started_by = conn.execute(select(runs.c.started_by).where(runs.c.id == item.run_id)).scalar()
            spec = self.registry.get(item.graph)
            check_decision(item, parsed, reviewer=parsed.reviewer, role=role, started_by=started_by, now=now, spec=spec)
            if item.kind != "gate":
                decision_id = self._record_decision(conn, item, parsed, now, applied=True)
                self._judge_check(conn, item, parsed, now)
                checked = DecideResult(item_id=item_id, decision_id=decision_id, run=load_run(conn, item.run_id))
            else:
                if parsed.action == "approve" and item.approvals_needed > 1:
                    missing = self._vote(conn, item, parsed, now)
                    if missing:
                        return DecideResult(item_id, 0, load_run(conn, item.run_id), approvals_missing=missing)
                    item = _pending_item(conn, item_id)  # the vote moved the version on
                decision_id = self._record_decision(conn, item, parsed, now)
                if parsed.action in ("approve", "edit"):
                    self._maybe_audit_approval(conn, item, parsed, now)
                holder = self.lock.take(conn, item.run_id)  # usually free: resume without another transaction
        if item.kind != "gate":
            if item.kind == "audit":  # a finding on audited work teaches memory like any override
                self._remember(item, parsed, decision_id)
            return checked
        self._remember(item, parsed, decision_id)
        if holder is not None:
            self.lock.acquire(item.run_id, wait_seconds=self.settings.run_lock_seconds)
        _, run = self._apply_locked(item.run_id)
        return DecideResult(item_id=item_id, decision_id=decision_id, run=run)

    def _record_decision(
        self, conn: Any, item: ReviewItem, parsed: ReviewDecision, now: float, *, applied: bool = False
    ) -> int:
        """Close the item (compare-and-set on its version) and store the decision with the request's hash."""
        won = conn.execute(
            update(review_items)
            .where(
                review_items.c.id == item.id,
                review_items.c.version == item.version,
                review_items.c.status == "pending",
            )
            .values(status="decided", decided_at=now, version=review_items.c.version + 1)
        ).rowcount
        if won != 1:
            raise AlreadyDecidedError(item.id, "decided")
        request_sha = hashlib.sha256(item.request_json.encode()).hexdigest()
        dwell = _dwell(item, parsed.reviewer, now)
        decision_id = int(
            conn.execute(
                decisions.insert().values(
                    item_id=item.id,
                    run_id=item.run_id,
                    interrupt_id=item.interrupt_id,
                    reviewer=parsed.reviewer,
                    action=parsed.action,
                    reason_code=parsed.reason_code,
                    decision_json=parsed.model_dump_json(),
                    request_sha256=request_sha,
                    decided_at=now,
                    applied_at=now if applied else None,
                    dwell_seconds=dwell,
                )
            ).inserted_primary_key[0]
        )
        append_event(
            conn,
            actor=parsed.reviewer,
            kind="decision.recorded",
            run_id=item.run_id,
            item_id=item.id,
            at=now,
            payload={
                "decision": parsed.model_dump(mode="json"),
                "request_sha256": request_sha,
                "decision_id": decision_id,
                "dwell_seconds": dwell,
                "item_kind": item.kind,
            },
        )
        return decision_id

    def _vote(self, conn: Any, item: ReviewItem, parsed: ReviewDecision, now: float) -> int:
        """Record one approval of an M-of-N item; return how many more are missing (0: this one completes it)."""
        voters = count_votes(conn, item.id)
        if parsed.reviewer in voters:
            raise InvalidDecisionError(
                f"{parsed.reviewer} already approved item {item.id}; it needs {item.approvals_needed} different "
                "reviewers.",
                item_id=item.id,
            )
        moved = conn.execute(
            update(review_items)
            .where(review_items.c.id == item.id, review_items.c.version == item.version)
            .values(version=review_items.c.version + 1, claimed_by=None, claimed_at=None, lease_expires_at=None)
        ).rowcount
        if moved != 1:
            raise AlreadyDecidedError(item.id, "changed by another reviewer; reload it")
        conn.execute(
            votes.insert().values(
                item_id=item.id,
                reviewer=parsed.reviewer,
                action=parsed.action,
                decision_json=parsed.model_dump_json(),
                request_sha256=hashlib.sha256(item.request_json.encode()).hexdigest(),
                dwell_seconds=_dwell(item, parsed.reviewer, now),
                decided_at=now,
            )
        )
        missing = item.approvals_needed - len(voters) - 1
        append_event(
            conn,
            actor=parsed.reviewer,
            kind="item.vote_recorded",
            run_id=item.run_id,
            item_id=item.id,
            at=now,
            payload={"approvals": len(voters) + 1, "needed": item.approvals_needed},
        )
        return missing

    def _judge_check(self, conn: Any, item: ReviewItem, parsed: ReviewDecision, now: float) -> None:
        """Score a decision on an audit or canary item: approving a canary misses it; a non-approval is a finding."""
        good = parsed.action == "approve"
        kind = (
            ("audit.passed" if good else "audit.finding")
            if item.kind == "audit"
            else ("canary.missed" if good else "canary.caught")
        )
        append_event(
            conn,
            actor=parsed.reviewer,
            kind=kind,
            run_id=item.run_id,
            item_id=item.id,
            at=now,
            payload={"source_item_id": item.source_item_id, "action": parsed.action},
        )

    def _maybe_audit_approval(self, conn: Any, item: ReviewItem, parsed: ReviewDecision, now: float) -> None:
        """Queue a blind second look at a sample of approved items (the post-review error rate)."""
        rate = self.deps.policy.settings(item.graph, item.node).audit_rate
        if not sampled(f"audit|{item.interrupt_id}", rate, salt=self.deps.policy.version):
            return
        request = item.request
        if parsed.action == "edit" and parsed.edited is not None:
            request = request.model_copy(update={"proposal": parsed.edited})
        add_audit_item(
            conn,
            request=request,
            run_id=item.run_id,
            now=now,
            source_item_id=item.id,
            why="A reviewer approved this; it was picked at random for a second look.",
        )

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

    def quality(self, since: float | None = None, graph: str | None = None) -> QualityReport:
        """Return reviewer-quality figures: agreement, rubber-stamp signals, audit findings, canaries."""
        with self.db.read() as conn:
            return compute_quality(conn, now=self.clock(), since=since, graph=graph)

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
