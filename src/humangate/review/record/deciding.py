"""Claim, release and decide review items: a decision is checked and recorded before its run moves.

``decide`` parses the decision, checks who may make it against the item (``authority``), records it by
compare-and-set (``decisions``) with the second looks it calls for (M-of-N votes, audits of approvals,
canary and audit judgements), and then hands the run on: to a worker's job when runs go to workers, or
to ``advance`` in the caller. A corrupt item is quarantined, never leased or decided.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langchain_core.runnables import RunnableConfig
from langgraph.pregel import Pregel
from langgraph.types import Command
from sqlalchemy import bindparam, select, update

from humangate.checkpoints.database import Database
from humangate.checkpoints.fast import Fast
from humangate.checkpoints.schema import review_items, runs
from humangate.config import Settings
from humangate.core.contract import ReviewDecision
from humangate.errors import ClaimedError
from humangate.graphs.registry import GraphRegistry, GraphSpec
from humangate.memory.store import MemoryStore
from humangate.oversight.audit import append_event
from humangate.review._users import role_of
from humangate.review.advance.advancing import unapplied
from humangate.review.advance.jobs import Job, JobQueue, resume_job
from humangate.review.advance.runs import RunInfo, RunLock, load_run
from humangate.review.queue import CorruptItemError, ReviewItem, load_item, quarantine_item
from humangate.review.record.authority import check_decision, parse_decision
from humangate.review.record.decisions import pending_item, record_decision

__all__ = ["DecideResult", "DecidingMixin"]

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


class DecidingMixin:
    """Lease items to reviewers and record their decisions; then resume the run, or enqueue its resume."""

    db: Database
    settings: Settings
    clock: Callable[[], float]
    registry: GraphRegistry
    memory: MemoryStore
    lock: RunLock
    runtime: JobQueue | None

    if TYPE_CHECKING:  # the Orchestrator's other parts: second looks (``_oversight``), advancing, enqueueing

        def _vote(self, conn: Any, item: ReviewItem, parsed: ReviewDecision, now: float) -> int: ...

        def _judge_check(self, conn: Any, item: ReviewItem, parsed: ReviewDecision, now: float) -> None: ...

        def _maybe_audit_approval(self, conn: Any, item: ReviewItem, parsed: ReviewDecision, now: float) -> None: ...

        def graph(self, name: str) -> Pregel[Any, Any, Any, Any]: ...

        def _config(self, run_id: str) -> RunnableConfig: ...

        def _advance(self, spec: GraphSpec, run_id: str, payload: Any, applied: Any = ()) -> RunInfo: ...

        def _apply_locked(self, run_id: str) -> tuple[int, RunInfo]: ...

        def _enqueued(self, job: Job, wait: bool) -> RunInfo: ...

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
