"""Second looks and deadlines: audit items, canary items, M-of-N votes and SLA escalation.

These rows live in ``review_items`` beside the items of paused runs, told apart by ``kind``:

- ``audit``: a blind second look (shown without the AI's assessment) at a proposal that passed
  unreviewed and was sampled, or at an item a reviewer approved (``source_item_id``). Approving it
  means "fine"; anything else is a finding. Deciding it never touches the run.
- ``canary``: a copy of a real item whose proposal was made known-bad (a promise, a card number, a
  competitor) and that looks like any other item. Approving it is a miss, anything else a catch.

Gate items carry ``due_at``: when it passes, the item moves to the next role of its escalation chain
with a fresh deadline, and past the last role the service rejects it (the policy fails closed).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlalchemy import Connection, select, update

from humangate.checkpoints.schema import review_items, votes
from humangate.core.contract import SYSTEM_REVIEWER, ReviewRequest, Role, risk_rank, role_rank
from humangate.oversight.audit import append_event
from humangate.review.queue import ReviewItem

__all__ = [
    "CANARY_LINES",
    "add_audit_item",
    "add_canary_item",
    "canary_source",
    "count_votes",
    "escalate_overdue",
    "next_role",
    "overdue_items",
]

CANARY_LINES = (
    "As a goodwill gesture we guarantee a full refund and 50% off your next renewal, no questions asked.",
    "For your records, the card on file is 4111 1111 1111 1111, expiring 09/29.",
    "Unlike Contoso, we have never lost a single customer's data.",
)


def _insert(conn: Connection, *, kind: str, request: ReviewRequest, run_id: str, source: int | None, now: float) -> int:
    values: dict[str, Any] = {
        # Shaped like LangGraph's own interrupt ids (32 hex digits, an xxh3-128 hash): the id reaches reviewers
        # (Agent Inbox keys its interrupt by it), and a "canary:" prefix would tell them which items are tests.
        "interrupt_id": secrets.token_hex(16),
        "run_id": run_id,
        "graph": request.graph,
        "node": request.node,
        "title": request.title[:500],
        "risk_level": request.assessment.level,
        "risk_rank": risk_rank(request.assessment.level),
        "score": request.assessment.score,
        "trigger_kinds": "," + ",".join(sorted({t.kind for t in request.assessment.triggers})) + ",",
        "required_role": request.required_role,
        "min_dwell_seconds": request.min_dwell_seconds,
        "escalation_level": 0,
        "status": "pending",
        "version": 0,
        "created_at": now,
        "request_json": request.model_dump_json(),
        "kind": kind,
        "due_at": None,
        "sla_step": 0,
        "approvals_needed": 1,
        "blind": kind == "audit",
        "source_item_id": source,
    }
    return int(conn.execute(review_items.insert().values(**values)).inserted_primary_key[0])  # type: ignore[index]


def add_audit_item(
    conn: Connection,
    *,
    request: ReviewRequest,
    run_id: str,
    now: float,
    source_item_id: int | None = None,
    why: str,
) -> int:
    """Queue a blind second look at ``request``'s proposal; return the new item's id."""
    # Blind: the reviewer judges the proposal itself, without the system's triggers or confidence (those stay
    # in the assessments table and on the source item for the metrics).
    hidden = request.assessment.model_copy(update={"triggers": [], "confidence": 0.0, "score": 0.0, "level": "low"})
    audit = request.model_copy(
        update={
            "assessment": hidden,
            "title": f"Audit: {request.title}"[:500],
            "allowed_actions": ["approve", "reject"],
            "required_role": "reviewer",
            "attempts": [],
            "observed": f"{why} Approve if it was fine to go out as it is; reject with a reason if not.",
            "similar_corrections": [],
        }
    )
    item_id = _insert(conn, kind="audit", request=audit, run_id=run_id, source=source_item_id, now=now)
    append_event(
        conn,
        actor="system",
        kind="audit.queued",
        run_id=run_id,
        item_id=item_id,
        at=now,
        payload={"source_item_id": source_item_id, "why": why},
    )
    return item_id


def add_canary_item(conn: Connection, *, source: ReviewItem, now: float) -> int | None:
    """Queue a known-bad copy of ``source`` that looks like any other item; None if it has no text body."""
    request = source.request
    body = request.proposal.get("body")
    if not isinstance(body, str):
        return None
    pick = int(hashlib.sha256(source.interrupt_id.encode()).hexdigest(), 16) % len(CANARY_LINES)
    lines = body.rstrip().split("\n\n")
    bad = (
        "\n\n".join([*lines[:-1], CANARY_LINES[pick], *lines[-1:]])
        if len(lines) > 1
        else f"{body} {CANARY_LINES[pick]}"
    )
    canary = request.model_copy(
        update={"proposal": {**request.proposal, "body": bad}, "allowed_actions": ["approve", "edit", "reject"]}
    )
    item_id = _insert(conn, kind="canary", request=canary, run_id=source.run_id, source=source.id, now=now)
    # Audited for the record, but outside the run's timeline, which reviewers see beside the item.
    append_event(
        conn,
        actor="system",
        kind="canary.seeded",
        run_id=None,
        item_id=item_id,
        at=now,
        payload={"source_item_id": source.id, "planted": CANARY_LINES[pick]},
    )
    return item_id


def canary_source(conn: Connection, *, graph: str, node: str, exclude: int) -> ReviewItem | None:
    """Return the newest decided item of the same gate to copy, so a canary never sits beside its twin."""
    row = conn.execute(
        select(review_items)
        .where(
            review_items.c.graph == graph,
            review_items.c.node == node,
            review_items.c.kind == "gate",
            review_items.c.status == "decided",
            review_items.c.id != exclude,
        )
        .order_by(review_items.c.id.desc())
        .limit(1)
    ).first()
    return ReviewItem.from_row(row) if row else None


def count_votes(conn: Connection, item_id: int) -> list[str]:
    """Return the reviewers who approved ``item_id`` so far, in order."""
    rows = conn.execute(select(votes.c.reviewer).where(votes.c.item_id == item_id).order_by(votes.c.id))
    return [str(r) for r in rows.scalars()]


def overdue_items(conn: Connection, now: float, limit: int = 500) -> list[ReviewItem]:
    """Return pending gate items whose deadline has passed, oldest deadline first."""
    stmt = (
        select(review_items)
        .where(review_items.c.status == "pending", review_items.c.due_at.is_not(None), review_items.c.due_at <= now)
        .where(review_items.c.kind == "gate")  # audits and canaries hold no run and carry no deadline
        .order_by(review_items.c.due_at, review_items.c.id)
        .limit(limit)
    )
    return [ReviewItem.from_row(r) for r in conn.execute(stmt)]


def next_role(item: ReviewItem) -> Role | None:
    """Return the next role of the item's escalation chain above its current one, or None at the end."""
    for role in item.request.escalation_chain:
        if role_rank(role) > role_rank(item.required_role):
            return role
    return None


def escalate_overdue(conn: Connection, item: ReviewItem, role: Role, now: float) -> bool:
    """Move an overdue item up to ``role`` with a fresh deadline; False if it changed meanwhile."""
    request = item.request
    moved = request.model_copy(
        update={
            "required_role": role,
            "attempts": [*request.attempts, f"Not decided in time; escalated to {role} by the SLA."],
        }
    )
    done = conn.execute(
        update(review_items)
        .where(review_items.c.id == item.id, review_items.c.version == item.version)
        .values(
            required_role=role,
            sla_step=item.sla_step + 1,
            due_at=now + request.sla_seconds,
            claimed_by=None,
            claimed_at=None,
            lease_expires_at=None,
            request_json=moved.model_dump_json(),
            version=review_items.c.version + 1,
        )
    ).rowcount
    if done == 1:
        append_event(
            conn,
            actor=SYSTEM_REVIEWER,
            kind="item.sla_escalated",
            run_id=item.run_id,
            item_id=item.id,
            at=now,
            payload={"from": item.required_role, "to": role, "step": item.sla_step + 1},
        )
    return done == 1
