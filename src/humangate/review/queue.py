"""The review queue: one row per pending interrupt, listed from an index, never from checkpoints."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langgraph.types import Interrupt
from pydantic import ValidationError
from sqlalchemy import Connection, and_, bindparam, func, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from humangate.checkpoints.database import insert_ignore, insert_ignore_id
from humangate.checkpoints.fast import Fast
from humangate.checkpoints.schema import assessments, review_items
from humangate.core.contract import (
    RISK_LEVELS,
    ROLES,
    ReviewRequest,
    RiskLevel,
    Role,
    TriggerKind,
    risk_rank,
    role_rank,
)
from humangate.errors import InvalidDecisionError, ReviewError
from humangate.oversight.audit import append_event

__all__ = [
    "CorruptItemError",
    "Page",
    "QueueFilter",
    "Queued",
    "ReviewItem",
    "Synced",
    "load_item",
    "log_assessment",
    "pending_page",
    "quarantine_item",
    "sync_interrupts",
]

# Built once and run on the DB-API cursor (see ``Fast``): these run on every start and decision
# (building Core statements per call costs more than running them, and SQLAlchemy's execute ~10x).
_LOAD_ITEM = Fast(select(review_items).where(review_items.c.id == bindparam("item_id")))
_ITEM_KEYS = tuple(c.key for c in review_items.c)
_RUN_GATE_PENDING = Fast(
    select(review_items.c.id, review_items.c.interrupt_id).where(
        review_items.c.run_id == bindparam("run_id"), review_items.c.status == "pending", review_items.c.kind == "gate"
    )
)
_SUPERSEDE = Fast(
    update(review_items)
    .where(review_items.c.id == bindparam("item_id"))
    .values(status="superseded", version=review_items.c.version + 1, decided_at=bindparam("now"))
)


class CorruptItemError(ReviewError):
    """An item's stored request does not parse or validate: it is quarantined and skipped.

    Attributes:
        problem: what is wrong with the stored request.
    """

    def __init__(self, item_id: int, problem: str) -> None:
        self.problem = problem
        super().__init__(
            f"Review item {item_id} cannot be read ({problem}); it is quarantined and skipped. "
            "`humangate reconcile` lists quarantined items; the run's checkpoint still holds its request.",
            item_id=item_id,
        )


@dataclass(frozen=True)
class ReviewItem:
    """One review item as stored; ``request`` is the exact ``ReviewRequest`` the reviewer sees."""

    id: int
    interrupt_id: str
    run_id: str
    graph: str
    node: str
    title: str
    risk_level: RiskLevel
    score: float
    trigger_kinds: tuple[str, ...]
    required_role: Role
    min_dwell_seconds: float
    escalation_level: int
    status: str
    claimed_by: str | None
    claimed_at: float | None
    lease_expires_at: float | None
    version: int
    created_at: float
    decided_at: float | None
    request_json: str
    kind: str = "gate"  # gate: a paused run; audit: a second look at a passed or approved item; canary
    due_at: float | None = None
    sla_step: int = 0
    approvals_needed: int = 1
    blind: bool = False
    source_item_id: int | None = None

    @property
    def request(self) -> ReviewRequest:
        """Return the stored request, parsed; raise ``CorruptItemError`` when it cannot be read."""
        try:
            return ReviewRequest.model_validate_json(self.request_json)
        except (ValidationError, ValueError, TypeError) as exc:
            first = exc.errors()[0] if isinstance(exc, ValidationError) and exc.errors() else None
            where = ".".join(str(p) for p in first["loc"]) if first else ""
            what = f"{where}: {first['msg']}" if first else type(exc).__name__
            raise CorruptItemError(self.id, f"its stored request is invalid at {what}"[:300]) from None

    @classmethod
    def from_row(cls, row: Any) -> ReviewItem:
        """Build from a ``review_items`` row."""
        return cls._from_mapping(row._mapping)

    @classmethod
    def _from_mapping(cls, m: Mapping[str, Any]) -> ReviewItem:
        kinds = tuple(k for k in m["trigger_kinds"].split(",") if k)
        fields = {k: m[k] for k in cls.__dataclass_fields__ if k != "trigger_kinds"}
        return cls(trigger_kinds=kinds, **fields)


@dataclass(frozen=True)
class Queued:
    """A review item that ``sync_interrupts`` just added, with the request it stores."""

    item_id: int
    interrupt_id: str
    request: ReviewRequest


@dataclass(frozen=True)
class QueueFilter:
    """Which pending items to list; ``role`` keeps only items that role may decide."""

    graph: str | None = None
    node: str | None = None
    risk_level: RiskLevel | None = None
    trigger_kind: TriggerKind | None = None
    role: Role | None = None
    run_id: str | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        """Return the SQL conditions, all answered by the queue index and a filter on its rows."""
        c = review_items.c
        out: list[ColumnElement[bool]] = [c.status == "pending"]
        if self.graph:
            out.append(c.graph == self.graph)
        if self.node:
            out.append(c.node == self.node)
        if self.risk_level:
            if self.risk_level not in RISK_LEVELS:
                raise InvalidDecisionError(f"Unknown risk level {self.risk_level!r}.", allowed=RISK_LEVELS)
            out.append(c.risk_rank == risk_rank(self.risk_level))
        if self.trigger_kind:
            out.append(c.trigger_kinds.contains(f",{self.trigger_kind},", autoescape=True))
        if self.role:
            if self.role not in ROLES:
                raise InvalidDecisionError(f"Unknown role {self.role!r}.", allowed=ROLES)
            allowed = list(ROLES[: role_rank(self.role) + 1])
            out.append(c.required_role.in_(allowed))
        if self.run_id:
            out.append(c.run_id == self.run_id)
        return out


@dataclass(frozen=True)
class Page:
    """One page of pending items and the cursor of the next page (None at the end)."""

    items: list[ReviewItem]
    next_cursor: str | None


def _encode_cursor(item: ReviewItem) -> str:
    raw = json.dumps([risk_rank(item.risk_level), item.created_at, item.id])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_cursor(cursor: str) -> tuple[int, float, int]:
    try:
        rank, created, item_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return int(rank), float(created), int(item_id)
    except (ValueError, TypeError) as exc:
        raise InvalidDecisionError(f"Malformed page cursor {cursor[:40]!r}; start from the first page.") from exc


def pending_page(conn: Connection, filt: QueueFilter, *, limit: int = 50, cursor: str | None = None) -> Page:
    """List pending items, highest risk then oldest first, by keyset pagination on the queue index."""
    if not 1 <= limit <= 1000:
        raise InvalidDecisionError(f"Page size must be between 1 and 1000, got {limit}.")
    c = review_items.c
    where = filt.clauses()
    if cursor:
        rank, created, item_id = _decode_cursor(cursor)
        where.append(
            or_(
                c.risk_rank < rank,
                and_(c.risk_rank == rank, or_(c.created_at > created, and_(c.created_at == created, c.id > item_id))),
            )
        )
    stmt = select(review_items).where(*where).order_by(c.risk_rank.desc(), c.created_at, c.id).limit(limit + 1)
    rows = [ReviewItem.from_row(r) for r in conn.execute(stmt)]
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, _encode_cursor(rows[-1]) if more and rows else None)


def quarantine_item(conn: Connection, item: ReviewItem, problem: str, now: float) -> bool:
    """Take a pending item whose request cannot be read out of the queue; False if it changed meanwhile."""
    done = conn.execute(
        update(review_items)
        .where(review_items.c.id == item.id, review_items.c.status == "pending")
        .values(status="quarantined", version=review_items.c.version + 1, decided_at=now)
    ).rowcount
    if done == 1:
        append_event(
            conn,
            actor="system",
            kind="item.quarantined",
            run_id=item.run_id,
            item_id=item.id,
            at=now,
            payload={"problem": problem},
        )
    return done == 1


def count_pending(conn: Connection, filt: QueueFilter) -> int:
    """Count pending items matching ``filt``."""
    return int(conn.execute(select(func.count()).select_from(review_items).where(*filt.clauses())).scalar_one())


def load_item(conn: Connection, item_id: int) -> ReviewItem | None:
    """Return one item or None."""
    row = _LOAD_ITEM.first(conn, {"item_id": item_id})
    return ReviewItem._from_mapping(dict(zip(_ITEM_KEYS, row, strict=True))) if row else None


def log_assessment(
    conn: Connection, *, event_id: str, run_id: str, graph: str, node: str, assessment: dict[str, Any], at: float
) -> bool:
    """Record one assessment (passed or queued) once; return True when it was new."""
    kinds = sorted({t["kind"] for t in assessment.get("triggers", [])})
    return insert_ignore(
        conn,
        assessments,
        {
            "event_id": event_id,
            "run_id": run_id,
            "graph": graph,
            "node": node,
            "level": assessment["level"],
            "score": assessment["score"],
            "needs_review": bool(assessment["needs_review"]),
            "trigger_kinds": "," + ",".join(kinds) + ",",
            "policy_version": assessment["policy_version"],
            "assessment_json": json.dumps(assessment, sort_keys=True),
            "created_at": at,
        },
        ["event_id"],
    )


@dataclass(frozen=True)
class Synced:
    """What ``sync_interrupts`` did to a run's queue rows, and the gate items it now waits on."""

    new: list[Queued]
    superseded: list[int]
    pending: tuple[int, ...]  # the run's pending gate items after the sync, oldest first


def sync_interrupts(
    conn: Connection, *, run_id: str, interrupts: Sequence[Interrupt], actor: str, now: float
) -> Synced:
    """Make the run's pending gate rows match its open interrupts (one row per interrupt)."""
    open_ids = {i.id for i in interrupts}
    new: list[Queued] = []
    for intr in interrupts:
        request = ReviewRequest.model_validate(intr.value)
        assessment = request.assessment
        item_id = insert_ignore_id(
            conn,
            review_items,
            {
                "interrupt_id": intr.id,
                "run_id": run_id,
                "graph": request.graph,
                "node": request.node,
                "title": request.title[:500],
                "risk_level": assessment.level,
                "risk_rank": risk_rank(assessment.level),
                "score": assessment.score,
                "trigger_kinds": "," + ",".join(sorted({t.kind for t in assessment.triggers})) + ",",
                "required_role": request.required_role,
                "min_dwell_seconds": request.min_dwell_seconds,
                "escalation_level": request.escalation_level,
                "status": "pending",
                "version": 0,
                "created_at": now,
                "request_json": request.model_dump_json(),
                "kind": "gate",
                "due_at": now + request.sla_seconds if request.sla_seconds > 0 else None,
                "sla_step": 0,
                "approvals_needed": request.approvals_needed,
                "blind": False,
            },
            ["interrupt_id"],
        )
        if item_id is None:  # already queued
            continue
        new.append(Queued(item_id, intr.id, request))
        if request.escalation_level == 0:  # an escalation re-gates the same assessment
            log_assessment(
                conn,
                event_id=f"interrupt:{intr.id}",
                run_id=run_id,
                graph=request.graph,
                node=request.node,
                assessment=assessment.model_dump(mode="json"),
                at=now,
            )
        append_event(
            conn,
            actor=actor,
            kind="item.queued",
            run_id=run_id,
            item_id=item_id,
            at=now,
            payload={
                "interrupt_id": intr.id,
                "node": request.node,
                "risk_level": assessment.level,
                "required_role": request.required_role,
                "triggers": [t.kind for t in assessment.triggers],
            },
        )
    pending, stale = _split_pending(conn, run_id, open_ids)
    for stale_id in stale:
        _SUPERSEDE.execute(conn, {"item_id": stale_id, "now": now})
        append_event(
            conn,
            actor=actor,
            kind="item.superseded",
            run_id=run_id,
            item_id=stale_id,
            at=now,
            payload={"why": "the run no longer waits on this interrupt"},
        )
    return Synced(new, stale, pending)


def _split_pending(conn: Connection, run_id: str, open_ids: Iterable[str]) -> tuple[tuple[int, ...], list[int]]:
    """Return the run's pending gate items that answer an open interrupt, and the stale rest."""
    ids = set(open_ids)
    rows = sorted(_RUN_GATE_PENDING.all(conn, {"run_id": run_id}))
    return tuple(int(i) for i, iid in rows if iid in ids), [int(i) for i, iid in rows if iid not in ids]
