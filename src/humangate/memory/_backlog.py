"""The memory backlog: decisions queued in their own transaction, stored as corrections behind them.

Private to ``humangate.memory``; ``MemoryStore.queue`` / ``catch_up`` use it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select, update

from humangate.checkpoints.fast import Fast
from humangate.checkpoints.schema import decisions, memory_backlog, review_items

__all__ = ["DEFER", "DEQUEUE", "DUE", "DUE_BATCH", "QUEUE", "CatchUp", "retry_delay"]

# Built once: queueing runs on every decision, the due check on every read.
QUEUE = Fast(memory_backlog.insert(), columns=("decision_id", "queued_at", "active", "attempts", "retry_at"))
DUE = Fast(select(memory_backlog.c.decision_id).where(memory_backlog.c.retry_at <= bindparam("now")).limit(1))
DUE_BATCH = (
    select(
        memory_backlog.c.decision_id,
        memory_backlog.c.active,
        memory_backlog.c.attempts,
        memory_backlog.c.queued_at,
        decisions.c.decision_json,
        review_items.c.id.label("item_id"),
        review_items.c.run_id,
        review_items.c.graph,
        review_items.c.node,
        review_items.c.request_json,
    )
    .join(decisions, decisions.c.id == memory_backlog.c.decision_id)
    .join(review_items, review_items.c.id == decisions.c.item_id)
    .where(memory_backlog.c.retry_at <= bindparam("now"))
    .order_by(memory_backlog.c.decision_id)
    .limit(bindparam("n"))
)
DEQUEUE = memory_backlog.delete().where(memory_backlog.c.decision_id == bindparam("id"))
DEFER = (
    update(memory_backlog)
    .where(memory_backlog.c.decision_id == bindparam("id"))
    .values(attempts=memory_backlog.c.attempts + 1, retry_at=bindparam("next_try"), last_error=bindparam("error"))
)
RETRY_MAX_SECONDS = 3600.0


def retry_delay(attempts: int) -> float:
    """Seconds before a failed decision is tried again: 5 s, doubling, at most an hour."""
    return float(min(RETRY_MAX_SECONDS, 5.0 * 2 ** min(attempts, 20)))


@dataclass(frozen=True)
class CatchUp:
    """What one ``catch_up`` did: decisions stored as corrections, and those left queued after a failure."""

    stored: int = 0
    failed: int = 0
    error: str | None = None
