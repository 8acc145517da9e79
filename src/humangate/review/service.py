"""The Orchestrator: start runs, list and claim review items, decide them, and recover after crashes.

The folders show the two halves of the write path. ``record/`` writes what a person or a task asked for
before anything moves: ``authority`` (who may decide what), ``decisions`` (a decision closes its item by
compare-and-set and is stored with the request's hash) and ``tasks`` (batches of runs recorded and
enqueued together, watched and cancelled as one). ``advance/`` brings a run up to date from what is
recorded: ``runs`` (run rows and the per-run lock), ``advancing`` (invoke the graph under the lock, then
sync the queue, the run's status and the decisions it applied), ``jobs`` (the job body a worker runs) and
``effects`` (retrying effects and returning failed ones to their gates). The Orchestrator is assembled
from mixins, one concern each: these, plus ``_users`` (roles and passwords), ``_views`` (read-only runs,
queue and reports), ``_oversight`` (M-of-N votes, audits, canaries, webhooks and the SLA sweep) and
``_calibrating`` (refitting each gate's escalation router on its reviewers' decisions). This module holds
the entry points: starting runs, leases, decisions and crash recovery.

Without a ``runtime`` every run advances inline, in the caller (library use, tests). With one (a
``JobQueue``, see ``humangate.runtime``) ``start`` records the run and enqueues it and ``decide`` records
the decision and enqueues the resume; both return at once unless asked to ``wait``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any

from langgraph.pregel import Pregel
from langgraph.types import Command
from pydantic import BaseModel, ValidationError
from sqlalchemy import bindparam, select, update

from humangate.checkpoints.database import Database
from humangate.checkpoints.fast import Fast
from humangate.checkpoints.savers import open_checkpointer
from humangate.checkpoints.schema import review_items, runs
from humangate.config import Settings
from humangate.core.contract import ReviewDecision
from humangate.effects import FileMailer, Outbox, Sender, senders_for
from humangate.errors import ClaimedError, InvalidInputError, RunFailedError
from humangate.graphs.common import GraphDeps, deps_from_settings
from humangate.graphs.registry import GraphRegistry, GraphSpec, default_registry
from humangate.memory.embeddings import make_embedder
from humangate.memory.recall import Recall
from humangate.memory.router_versions import RouterBook
from humangate.memory.store import MemoryStore
from humangate.oversight._audit_key import audit_key_path, load_audit_key
from humangate.oversight.audit import append_event, key_chain, use_audit_key
from humangate.review._calibrating import CalibratingMixin
from humangate.review._oversight import OversightMixin, SweepReport
from humangate.review._users import UsersMixin, role_of
from humangate.review._views import ViewsMixin
from humangate.review.advance.advancing import AdvancingMixin, unapplied
from humangate.review.advance.effects import EffectsMixin, EffectsReport
from humangate.review.advance.jobs import Job, JobQueue, JobsMixin, resume_job, start_job
from humangate.review.advance.runs import RunInfo, RunLock, load_run, new_worker_id, owner_is_dead
from humangate.review.queue import CorruptItemError, ReviewItem, load_item, quarantine_item
from humangate.review.record.authority import check_decision, parse_decision
from humangate.review.record.decisions import pending_item, record_decision
from humangate.review.record.tasks import TasksMixin

__all__ = ["DecideResult", "EffectsReport", "Orchestrator", "ReconcileReport", "SweepReport"]

# Built once and run on the DB-API cursor (see ``Fast``): these run on every start and decision.
_INSERT_RUN = Fast(
    runs.insert(),
    columns=(
        "id",
        "graph",
        "title",
        "status",
        "started_by",
        "inputs_json",
        "created_at",
        "updated_at",
        "lock_owner",
        "lock_expires_at",
        "engine",
        "task_id",
    ),
)
_RUN_FOR_DECISION = Fast(select(runs.c.started_by).where(runs.c.id == bindparam("run_id")))
_MARK_RESUMING = Fast(
    update(runs)
    .where(runs.c.id == bindparam("run_id"), runs.c.status == "paused")
    .values(status="resuming", updated_at=bindparam("now"))
)


@dataclass(frozen=True)
class DecideResult:
    """What a decision did: the decision row, the run afterwards, and any new items it raised."""

    item_id: int
    decision_id: int
    run: RunInfo
    approvals_missing: int = 0  # an M-of-N vote was recorded and the item waits for this many more


@dataclass
class ReconcileReport:
    """What ``reconcile`` found and repaired."""

    runs_checked: int = 0
    restarted: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    decisions_applied: int = 0
    failed: list[str] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)
    memory_stored: int = 0  # queued decisions memory stored as corrections
    memory_waiting: int = 0  # queued decisions memory could not store yet (their error is logged)
    quarantined: list[int] = field(default_factory=list)  # items whose stored request cannot be read
    effects: EffectsReport = field(default_factory=EffectsReport)  # effects sent, retried or returned to a gate


class Orchestrator(
    UsersMixin, ViewsMixin, OversightMixin, EffectsMixin, AdvancingMixin, CalibratingMixin, JobsMixin, TasksMixin
):
    """Start gated runs, serve the review queue and apply decisions; safe across processes.

    ``senders`` replaces the senders the settings configure (``humangate.effects.senders_for``), by kind.
    ``runtime`` carries runs on workers (``humangate.runtime``); without one they advance inline.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        registry: GraphRegistry | None = None,
        deps: GraphDeps | None = None,
        clock: Callable[[], float] = time.time,
        senders: Mapping[str, Sender] | None = None,
        runtime: JobQueue | None = None,
    ) -> None:
        self.settings = settings
        self.runtime = runtime
        deps = deps or deps_from_settings(settings)
        self.clock = clock
        self.worker = new_worker_id()
        self.db = Database(settings)
        # Each gate's escalation router: its active refit from this database, else the shipped one.
        self.routers = RouterBook(self.db)
        self.deps = deps if deps.routers is not None else replace(deps, routers=self.routers)
        self.registry = registry or default_registry(self.deps)
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
        self._audit_key = self._key_audit_chain(settings)
        self.mailer = FileMailer(settings.outbox_dir)  # the spool: email without SMTP, and replies on tickets
        self.outbox = Outbox(
            self.db,
            {**senders_for(settings, spool=self.mailer), **(senders or {})},
            owner=self.worker,
            abandoned=owner_is_dead,
            clock=clock,
            max_attempts=settings.outbox_max_attempts,
            claim_seconds=60 + 6 * settings.smtp_timeout,  # longer than any one send; then it counts as lost
        )
        # Memory is always recorded; it only steers runs (examples, trigger, autonomy) when switched on.
        self.memory = MemoryStore(self.db, make_embedder(settings.embeddings), clock=clock)
        self.recall = Recall(self.memory, self.deps.policy) if settings.memory else None
        self.lock = RunLock(self.db, self.worker, settings.run_lock_seconds)
        self._compiled: dict[str, Pregel[Any, Any, Any, Any]] = {}
        self._acompiled: dict[str, Pregel[Any, Any, Any, Any]] = {}
        self._async_only: dict[str, bool] = {}

    def _key_audit_chain(self, settings: Settings) -> bytes:
        """Load (or create) the audit key and hash new events with it once the chain is keyed."""
        try:
            key, new = load_audit_key(audit_key_path(settings))
            with self.db.write() as conn:
                keyed = key_chain(conn, key=key, new_key=new)
        except BaseException:
            self._stack.close()
            raise
        if keyed:
            use_audit_key(self.db.engine, key)
        return key

    def close(self) -> None:
        """Close the checkpointer and database connections."""
        self._stack.close()

    def __enter__(self) -> Orchestrator:
        return self

    def __exit__(self, *exc: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]) -> None:
        self.close()

    # -- runs --------------------------------------------------------------------------------

    def start(
        self,
        graph: str,
        inputs: Mapping[str, Any] | BaseModel,
        *,
        started_by: str | None = None,
        run_id: str | None = None,
        task_id: str | None = None,
        wait: bool = False,
    ) -> RunInfo:
        """Start a run; inline it returns when the run completes or pauses for review.

        With a job runtime it records the run as queued, enqueues its start and returns at once, or with
        ``wait`` when a worker has brought it to a pause or its end.
        """
        spec, model = self._validated(graph, inputs)
        run_id = run_id or uuid.uuid4().hex
        now = self.clock()
        queued = self.runtime is not None
        with self.db.write() as conn:
            _INSERT_RUN.execute(
                conn,
                {
                    "id": run_id,
                    "graph": graph,
                    "title": spec.title(model)[:500],
                    "status": "queued" if queued else "running",
                    "started_by": started_by,
                    "inputs_json": model.model_dump_json(),
                    "created_at": now,
                    "updated_at": now,
                    # Inline, this process advances the run at once; queued, a worker takes the lock.
                    "lock_owner": None if queued else self.worker,
                    "lock_expires_at": None if queued else now + self.settings.run_lock_seconds,
                    "engine": self.deps.engine[:300],
                    "task_id": task_id,
                },
            )
            append_event(
                conn, actor=started_by or "system", kind="run.started", run_id=run_id, at=now, payload={"graph": graph}
            )
        if queued:
            return self._enqueued(start_job(run_id), wait)
        return self._advance(spec, run_id, spec.to_state(model))

    def _validated(self, graph: str, inputs: Mapping[str, Any] | BaseModel) -> tuple[GraphSpec, BaseModel]:
        spec = self.registry.get(graph)
        try:
            model = spec.input_model.model_validate(inputs.model_dump() if isinstance(inputs, BaseModel) else inputs)
        except ValidationError as exc:
            raise InvalidInputError(f"Input for graph {graph!r} is invalid: {_errors(exc)}") from None
        return spec, model

    def _enqueued(self, job: Job, wait: bool) -> RunInfo:
        """Enqueue ``job`` on the runtime; return its run now, or once settled when ``wait``."""
        assert self.runtime is not None
        self.runtime.enqueue([job])
        if wait:
            return self.wait_run(job.run_id)
        with self.db.read() as conn:
            return load_run(conn, job.run_id)

    # -- queue -------------------------------------------------------------------------------

    def claim(self, item_id: int, reviewer: str) -> ReviewItem:
        """Lease an item to a reviewer for ``settings.lease_seconds``; re-claiming extends the lease."""
        try:
            return self._claim(item_id, reviewer)
        except CorruptItemError as exc:  # quarantined, never leased: the next reviewer gets the next item
            self.quarantine(item_id, exc.problem)
            raise

    def _claim(self, item_id: int, reviewer: str) -> ReviewItem:
        now = self.clock()
        with self.db.write() as conn:
            item = pending_item(conn, item_id)
            item.request  # noqa: B018  (raises CorruptItemError when the stored request cannot be read)
            role = role_of(conn, reviewer)
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
            item = pending_item(conn, item_id)
            if item.claimed_by != reviewer:
                raise ClaimedError(item_id, item.claimed_by or "nobody", "-")
            conn.execute(
                update(review_items)
                .where(review_items.c.id == item_id)
                .values(claimed_by=None, claimed_at=None, lease_expires_at=None, version=review_items.c.version + 1)
            )
            append_event(conn, actor=reviewer, kind="item.released", run_id=item.run_id, item_id=item_id)

    def decide(self, item_id: int, decision: ReviewDecision | Mapping[str, Any], *, wait: bool = False) -> DecideResult:
        """Validate and record a decision (compare-and-set), then resume the run with it.

        An approval of an item that needs several reviewers (M of N) is recorded as a vote and the run
        waits for the rest; audit and canary items record the judgement and never touch the run. With a
        job runtime the resume is enqueued and the run returned as ``resuming``, unless ``wait``.
        """
        parsed = parse_decision(item_id, decision)
        try:
            return self._decide(item_id, parsed, wait=wait)
        except CorruptItemError as exc:
            self.quarantine(item_id, exc.problem)
            raise

    def quarantine(self, item_id: int, problem: str) -> bool:
        """Take a pending item whose stored request cannot be read out of the queue; True when it was."""
        with self.db.write() as conn:
            item = load_item(conn, item_id)
            return item is not None and quarantine_item(conn, item, problem, self.clock())

    def _decide(self, item_id: int, parsed: ReviewDecision, *, wait: bool = False) -> DecideResult:
        now = self.clock()
        with self.db.write() as conn:
            item = pending_item(conn, item_id)
            role = role_of(conn, parsed.reviewer)
            started_by = _RUN_FOR_DECISION.scalar(conn, {"run_id": item.run_id})
            spec = self.registry.get(item.graph)
            check_decision(
                item,
                parsed,
                reviewer=parsed.reviewer,
                role=role,
                started_by=started_by,
                now=now,
                spec=spec,
                state=lambda: self._state_values(spec.name, item.run_id),
            )
            if item.kind != "gate":
                decision_id = record_decision(conn, item, parsed, now, applied=True)
                self._judge_check(conn, item, parsed, now)
                if item.kind == "audit":  # a finding on audited work teaches like an override; canaries never
                    self.memory.queue(conn, decision_id, now)
                return DecideResult(item_id=item_id, decision_id=decision_id, run=load_run(conn, item.run_id))
            if parsed.action == "approve" and item.approvals_needed > 1:
                missing = self._vote(conn, item, parsed, now)
                if missing:
                    return DecideResult(item_id, 0, load_run(conn, item.run_id), approvals_missing=missing)
                item = pending_item(conn, item_id)  # the vote moved the version on
            decision_id = record_decision(conn, item, parsed, now)
            self.memory.queue(conn, decision_id, now)  # memory stores it behind the decision (MemoryStore.catch_up)
            if parsed.action in ("approve", "edit"):
                self._maybe_audit_approval(conn, item, parsed, now)
            if self.runtime is not None:  # a worker resumes the run; the reviewer moves on
                _MARK_RESUMING.execute(conn, {"run_id": item.run_id, "now": now})
            else:
                taken = self.lock.take(conn, item.run_id)  # usually free: resume without another transaction
                # Nothing advanced a synced run since its queue was written: every unapplied decision of the
                # run answers an open interrupt, so resume with them without reading the checkpoint first.
                rows = unapplied(conn, item.run_id) if taken.synced else None
        if self.runtime is not None:
            run = self._enqueued(resume_job(item.run_id, decision_id), wait)
            return DecideResult(item_id=item_id, decision_id=decision_id, run=run)
        if rows is not None:
            batch = {r.interrupt_id: json.loads(r.decision_json) for r in rows}
            run = self._advance(spec, item.run_id, Command(resume=batch), [r.id for r in rows])
            return DecideResult(item_id=item_id, decision_id=decision_id, run=run)
        if taken.holder is not None:
            self.lock.acquire(item.run_id, wait_seconds=self.settings.run_lock_seconds)
        _, run = self._apply_locked(item.run_id)
        return DecideResult(item_id=item_id, decision_id=decision_id, run=run)

    def _state_values(self, graph: str, run_id: str) -> dict[str, Any]:
        """Return the run's latest checkpointed state (what an edit is checked against)."""
        return dict(self.graph(graph).get_state(self._config(run_id)).values)

    def apply_decisions(self, run_id: str) -> int:
        """Resume the run with every recorded, not yet applied decision; return how many were applied."""
        self.lock.acquire(run_id, wait_seconds=self.settings.run_lock_seconds)
        return self._apply_locked(run_id)[0]

    # -- recovery ----------------------------------------------------------------------------

    def reconcile(self) -> ReconcileReport:
        """Rebuild queue rows and run status from the checkpoints, finish runs a crash cut short, catch memory up."""
        report = ReconcileReport()
        report.quarantined = self._quarantine_corrupt()
        with self.db.read() as conn:
            open_runs = conn.execute(
                select(runs.c.id, runs.c.graph, runs.c.inputs_json)
                .where(runs.c.status.in_(["queued", "running", "paused", "resuming"]))
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
        caught = self.memory.catch_up()
        report.memory_stored, report.memory_waiting = caught.stored, caught.failed
        # Sends a crash left unfinished (and retries that are due) go out again under their own keys.
        report.effects = self.deliver_effects()
        return report

    def _quarantine_corrupt(self) -> list[int]:
        """Quarantine pending items whose request cannot be read; return every quarantined item's id."""
        with self.db.read() as conn:
            rows = conn.execute(select(review_items).where(review_items.c.status == "pending")).all()
        for row in rows:
            item = ReviewItem.from_row(row)
            try:
                item.request  # noqa: B018
            except CorruptItemError as exc:
                self.quarantine(item.id, exc.problem)
        with self.db.read() as conn:
            stmt = select(review_items.c.id).where(review_items.c.status == "quarantined").order_by(review_items.c.id)
            return [int(i) for i in conn.execute(stmt).scalars()]


def _errors(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in exc.errors())
