"""The Orchestrator's second looks and deadlines: M-of-N votes, audits, canaries, webhooks and the SLA sweep."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from humangate.checkpoints.database import Database
from humangate.checkpoints.schema import review_items, runs, votes
from humangate.config import Settings
from humangate.core.contract import SYSTEM_REVIEWER, ReviewDecision, ReviewRequest, RiskAssessment
from humangate.errors import AlreadyDecidedError, InvalidDecisionError, RunFailedError, UnknownGraphError
from humangate.graphs.common import GraphDeps
from humangate.graphs.registry import GraphRegistry, GraphSpec
from humangate.oversight.audit import append_event
from humangate.oversight.notify import NotifyEvent, enqueue, item_facts
from humangate.review.advance.runs import RunInfo, RunLock
from humangate.review.checks import (
    add_audit_item,
    add_canary_item,
    canary_source,
    count_votes,
    escalate_overdue,
    next_role,
    overdue_items,
)
from humangate.review.queue import Queued, ReviewItem, load_item
from humangate.review.record.decisions import dwell, pending_item, record_decision
from humangate.risk.triggers import sampled

__all__ = ["OversightMixin", "SweepReport"]


@dataclass
class SweepReport:
    """What ``sweep`` did: items moved up their escalation chain, items rejected at its end."""

    escalated: list[int] = field(default_factory=list)
    failed_closed: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


class OversightMixin:
    """Record M-of-N votes, score audits and canaries, seed them, announce items, and sweep deadlines."""

    settings: Settings
    deps: GraphDeps
    db: Database
    lock: RunLock
    clock: Callable[[], float]
    registry: GraphRegistry

    if TYPE_CHECKING:

        def _apply_locked(self, run_id: str) -> tuple[int, RunInfo]: ...  # the Orchestrator resumes the run

    # -- votes and checks --------------------------------------------------------------------

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
                dwell_seconds=dwell(item, parsed.reviewer, now),
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
        # A second look by the same eyes is no second look: whoever approved or edited it may not audit it.
        audited = [*request.edited_by, *count_votes(conn, item.id), parsed.reviewer]
        request = request.model_copy(update={"audited": list(dict.fromkeys(audited))})
        add_audit_item(
            conn,
            request=request,
            run_id=item.run_id,
            now=now,
            source_item_id=item.id,
            why="A reviewer approved this; it was picked at random for a second look.",
        )

    # -- new items ---------------------------------------------------------------------------

    def _announce(self, conn: Any, event: NotifyEvent, item_id: int, now: float, what: str) -> ReviewItem:
        """Record a webhook for ``event`` on the item as it now stands (``{role}`` in ``what``: its role)."""
        item = load_item(conn, item_id)
        assert item is not None
        summary = f"{item.title}: {what.format(role=item.required_role)}"
        enqueue(
            conn,
            self.settings,
            event=event,
            item_id=item.id,
            run_id=item.run_id,
            now=now,
            payload=item_facts(item, summary),
        )
        return item

    def _queued(self, conn: Any, new: Queued, now: float) -> None:
        """Announce a new item (webhook) and, at the policy's canary rate, seed a known-bad copy beside it."""
        if self.settings.webhook_url:
            self._announce(conn, "item.queued", new.item_id, now, "waiting for a {role}.")
        graph, node = new.request.graph, new.request.node
        rate = self.deps.policy.settings(graph, node).canary_rate
        if sampled(f"canary|{new.interrupt_id}", rate, salt=self.deps.policy.version):
            # Copy an earlier, decided item of the same gate: a copy of this one would sit beside it.
            source = canary_source(conn, graph=graph, node=node, exclude=new.item_id)
            if source is not None:
                add_canary_item(conn, source=source, now=now)

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
        """Escalate overdue items along their chain and reject those past its end (fail closed)."""
        now = self.clock()
        report = SweepReport()
        with self.db.read() as conn:
            overdue = overdue_items(conn, now)
        for item in overdue:
            role = next_role(item)
            if role is not None:
                with self.db.write() as conn:
                    if escalate_overdue(conn, item, role, now):
                        self._announce(conn, "item.escalated", item.id, now, "overdue, now with a {role}.")
                        report.escalated.append(item.id)
                continue
            try:
                self._fail_closed(item, now)
                report.failed_closed.append(item.id)
            except (AlreadyDecidedError, RunFailedError, UnknownGraphError) as exc:
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
        self.registry.get(item.graph)  # a graph this process cannot run: refuse before writing anything
        with self.db.write() as conn:
            current = pending_item(conn, item.id)
            decision_id = record_decision(conn, current, decision, now)
            append_event(
                conn,
                actor=SYSTEM_REVIEWER,
                kind="item.expired",
                run_id=item.run_id,
                item_id=item.id,
                at=now,
                payload={"decision_id": decision_id, "fail_closed": "reject"},
            )
            self._announce(conn, "item.expired", item.id, now, "not decided in time; rejected (fail closed).")
            holder = self.lock.take(conn, item.run_id).holder
        if holder is not None:
            self.lock.acquire(item.run_id, wait_seconds=self.settings.run_lock_seconds)
        self._apply_locked(item.run_id)
