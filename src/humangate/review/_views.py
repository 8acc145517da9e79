"""The Orchestrator's read-only views: runs and their timelines, the review queue, audit and metrics reports."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from humangate.checkpoints.database import Database
from humangate.checkpoints.schema import audit_events, review_items, runs
from humangate.errors import ItemNotFoundError
from humangate.oversight.audit import AuditReport, cross_check_decisions, verify_chain
from humangate.oversight.guarantee import Promise
from humangate.oversight.metrics import MetricsReport, compute_metrics
from humangate.oversight.quality import QualityReport, compute_quality
from humangate.review.advance.runs import RunInfo, load_run
from humangate.review.queue import Page, QueueFilter, ReviewItem, count_pending, load_item, pending_page

__all__ = ["ViewsMixin"]


class ViewsMixin:
    """Read runs, timelines, queue pages and reports; nothing here writes."""

    db: Database
    _audit_key: bytes
    clock: Callable[[], float]

    if TYPE_CHECKING:  # the escalation router's promise per gate (``_calibrating``)

        def promises(self) -> list[Promise]: ...

    # -- runs --------------------------------------------------------------------------------

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

    def timeline(self, run_id: str, *, oversight: bool = False) -> list[dict[str, Any]]:
        """Return the run's audit events, oldest first; canaries' events only with ``oversight``.

        A canary is filed under the run it copies, so its claim, decision and judgement (``canary.missed``)
        would sit in that run's timeline, which reviewers read beside an item: they would learn which items
        are canaries and who missed one. Only owners and admins (``oversight``) see those events.
        """
        joined = audit_events.outerjoin(review_items, review_items.c.id == audit_events.c.item_id)
        with self.db.read() as conn:
            load_run(conn, run_id)
            rows = conn.execute(
                select(audit_events, review_items.c.kind.label("item_kind"))
                .select_from(joined)
                .where(audit_events.c.run_id == run_id)
                .order_by(audit_events.c.seq)
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
                if oversight or not (r.item_kind == "canary" or r.kind.startswith("canary."))
            ]

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

    # -- audit and metrics -------------------------------------------------------------------

    def verify_audit(self) -> AuditReport:
        """Walk the audit chain and report any event that was edited, removed or inserted."""
        with self.db.read() as conn:
            report = verify_chain(conn, key=self._audit_key)
            cross_check_decisions(conn, report)
            return report

    def quality(self, since: float | None = None, graph: str | None = None) -> QualityReport:
        """Return reviewer-quality figures: agreement, rubber-stamp signals, audit findings, canaries."""
        with self.db.read() as conn:
            return compute_quality(conn, now=self.clock(), since=since, graph=graph)

    def metrics(self, since: float | None = None, graph: str | None = None) -> MetricsReport:
        """Return the oversight metrics (escalation, overrides, time to decision, queue, triggers) as of now."""
        promises = self.promises()
        with self.db.read() as conn:
            return compute_metrics(conn, now=self.clock(), since=since, graph=graph, promises=promises)
