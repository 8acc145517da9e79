"""Record a decision: close its item by compare-and-set and store the decision row with the request's hash."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import bindparam, update

from humangate.checkpoints.fast import Fast
from humangate.checkpoints.schema import decisions, review_items
from humangate.core.contract import ReviewDecision
from humangate.errors import AlreadyDecidedError, ItemNotFoundError
from humangate.oversight.audit import append_event
from humangate.review.queue import ReviewItem, load_item

__all__ = ["dwell", "pending_item", "record_decision"]

# Built once and run on the DB-API cursor (see ``Fast``): they run on every decision.
_CLOSE_ITEM = Fast(  # compare-and-set: only the version the decision was checked against closes the item
    update(review_items)
    .where(
        review_items.c.id == bindparam("item_id"),
        review_items.c.version == bindparam("seen_version"),
        review_items.c.status == "pending",
    )
    .values(status="decided", decided_at=bindparam("now"), version=review_items.c.version + 1)
)
_INSERT_DECISION = Fast(
    decisions.insert().returning(decisions.c.id),
    columns=(
        "item_id",
        "run_id",
        "interrupt_id",
        "reviewer",
        "action",
        "reason_code",
        "decision_json",
        "request_sha256",
        "decided_at",
        "applied_at",
        "dwell_seconds",
    ),
)


def pending_item(conn: Any, item_id: int) -> ReviewItem:
    """Load an item that is still pending, or raise ``ItemNotFoundError`` or ``AlreadyDecidedError``."""
    item = load_item(conn, item_id)
    if item is None:
        raise ItemNotFoundError(item_id)
    if item.status != "pending":
        raise AlreadyDecidedError(item_id, item.status)
    return item


def dwell(item: ReviewItem, reviewer: str, now: float) -> float | None:
    """Return how long ``reviewer`` held the item since claiming it, or None when they had not claimed it."""
    if item.claimed_by == reviewer and item.claimed_at is not None:
        return round(now - item.claimed_at, 3)
    return None


def record_decision(conn: Any, item: ReviewItem, parsed: ReviewDecision, now: float, *, applied: bool = False) -> int:
    """Close the item (compare-and-set on its version) and store the decision with the request's hash."""
    # The item's role as the queue holds it: an SLA escalation raised the row, not the paused gate's request.
    parsed = parsed.model_copy(update={"item_role": item.required_role})
    won = _CLOSE_ITEM.execute(conn, {"item_id": item.id, "seen_version": item.version, "now": now})
    if won != 1:
        raise AlreadyDecidedError(item.id, "decided")
    request_sha = hashlib.sha256(item.request_json.encode()).hexdigest()
    dwell_seconds = dwell(item, parsed.reviewer, now)
    row = {
        "item_id": item.id,
        "run_id": item.run_id,
        "interrupt_id": item.interrupt_id,
        "reviewer": parsed.reviewer,
        "action": parsed.action,
        "reason_code": parsed.reason_code,
        "decision_json": parsed.model_dump_json(),
        "request_sha256": request_sha,
        "decided_at": now,
        "applied_at": now if applied else None,
        "dwell_seconds": dwell_seconds,
    }
    decision_id = int(_INSERT_DECISION.one(conn, row)[0])
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
            "dwell_seconds": dwell_seconds,
            "item_kind": item.kind,
        },
    )
    return decision_id
