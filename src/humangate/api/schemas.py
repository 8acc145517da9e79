"""The HTTP API's request and answer bodies (they make the OpenAPI schema).

Request bodies forbid unknown fields, and none of them names a reviewer: the token does.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from humangate.core.contract import Action, RiskLevel, Role
from humangate.review.advance.runs import RunInfo
from humangate.review.queue import ReviewItem
from humangate.review.service import DecideResult

__all__ = [
    "DecisionIn",
    "DecisionOut",
    "ItemId",
    "ItemOut",
    "MeOut",
    "PlanOut",
    "QueueOut",
    "RunIn",
    "RunOut",
    "TaskIn",
    "TaskOut",
    "decision_out",
    "item_out",
    "run_out",
]

_Text = Field(default=None, max_length=4_000)

ItemId = Annotated[int, Path(ge=1, le=2**63 - 1, description="A review item's id.")]
"""A review item id in a path: bounded to a signed 64-bit integer, the widest id a database column binds.

An id past it is refused as a bad request (422) here; unbounded, SQLite's driver fails to bind it (a 500).
"""


class MeOut(BaseModel):
    """Who the token acts as."""

    name: str
    role: Role
    token_id: str


class ItemOut(BaseModel):
    """A review item; ``request`` is the contextual snapshot the reviewer decides on."""

    id: int
    run_id: str
    graph: str
    node: str
    title: str
    kind: str
    risk_level: RiskLevel
    score: float
    triggers: list[str]
    required_role: Role
    min_dwell_seconds: float
    approvals_needed: int
    status: str
    claimed_by: str | None
    lease_expires_at: float | None
    created_at: float
    due_at: float | None
    blind: bool = Field(description="A blind audit: the request's assessment is deliberately empty.")
    request: dict[str, Any] | None = None


class QueueOut(BaseModel):
    """One page of pending items, highest risk then oldest first; ``next_cursor`` fetches the next page."""

    items: list[ItemOut]
    next_cursor: str | None


class DecisionIn(BaseModel):
    """A decision on an item, made as the token's user (a body naming a reviewer is refused)."""

    model_config = ConfigDict(extra="forbid")

    action: Action
    reason_code: str | None = Field(default=None, max_length=40, description="Needed by every action but approve.")
    note: str | None = _Text
    edited: dict[str, Any] | None = Field(default=None, description="The whole edited proposal (edit).")
    instructions: str | None = Field(default=None, max_length=4_000, description="What the agent should do (redirect).")
    escalate_to: Role | None = None


class RunOut(BaseModel):
    """A run and the review items it waits for."""

    id: str
    graph: str
    title: str
    status: str
    outcome: str | None
    started_by: str | None
    error: str | None
    created_at: float
    updated_at: float
    pending_items: list[int]
    timeline: list[dict[str, Any]] | None = None


class DecisionOut(BaseModel):
    """What a decision did: its row (0 while an M-of-N vote waits for more approvals) and the run after it."""

    item_id: int
    decision_id: int
    approvals_missing: int
    run: RunOut


class RunIn(BaseModel):
    """Start one run of a registered graph with its typed input."""

    model_config = ConfigDict(extra="forbid")

    graph: str = Field(max_length=100)
    inputs: dict[str, Any]


class TaskIn(BaseModel):
    """A plain-English task and its items (the rows a CSV would hold); no server paths are read."""

    model_config = ConfigDict(extra="forbid")

    task: str = Field(min_length=1, max_length=4_000)
    items: list[dict[str, Any]] | None = Field(default=None, max_length=1_000)
    confirm: bool = Field(
        default=False, description="Start even where a gate before a send is not held by a rule of the task."
    )


class PlanOut(BaseModel):
    """The plan ``humangate run --dry-run`` prints, and whether starting it needs ``confirm``."""

    graph: str
    lines: list[str]
    runs: list[dict[str, Any]]
    already_started: int
    needs_confirmation: str | None


class TaskOut(BaseModel):
    """The plan and the runs started for it (each completed or paused for review)."""

    plan: PlanOut
    runs: list[RunOut]


def item_out(item: ReviewItem, *, full: bool = False, overseer: bool = False) -> ItemOut:
    """Return the answer body of ``item`` (with its request when ``full``).

    A canary is shown as a gate item unless the caller is an ``overseer`` (owner or admin): a reviewer who
    could tell canaries apart would decide them with care and rubber-stamp the rest, and the panel shows
    reviewers no kind either.
    """
    return ItemOut(
        id=item.id,
        run_id=item.run_id,
        graph=item.graph,
        node=item.node,
        title=item.title,
        kind=item.kind if overseer or item.kind != "canary" else "gate",
        risk_level=item.risk_level,
        score=item.score,
        triggers=list(item.trigger_kinds),
        required_role=item.required_role,
        min_dwell_seconds=item.min_dwell_seconds,
        approvals_needed=item.approvals_needed,
        status=item.status,
        claimed_by=item.claimed_by,
        lease_expires_at=item.lease_expires_at,
        created_at=item.created_at,
        due_at=item.due_at,
        blind=item.blind,
        request=item.request.model_dump(mode="json") if full else None,
    )


def run_out(run: RunInfo, timeline: list[dict[str, Any]] | None = None) -> RunOut:
    """Return the answer body of ``run``."""
    return RunOut(
        id=run.id,
        graph=run.graph,
        title=run.title,
        status=run.status,
        outcome=run.outcome,
        started_by=run.started_by,
        error=run.error,
        created_at=run.created_at,
        updated_at=run.updated_at,
        pending_items=list(run.pending_items),
        timeline=timeline,
    )


def decision_out(result: DecideResult) -> DecisionOut:
    """Return the answer body of a decision."""
    return DecisionOut(
        item_id=result.item_id,
        decision_id=result.decision_id,
        approvals_missing=result.approvals_missing,
        run=run_out(result.run),
    )
