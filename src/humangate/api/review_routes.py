"""The review queue over HTTP: list, read, claim, release and decide, as the token's user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from humangate.api.auth import Caller, Orch, is_overseer
from humangate.api.channel import decide_as
from humangate.api.schemas import DecisionIn, DecisionOut, ItemId, ItemOut, MeOut, QueueOut, decision_out, item_out
from humangate.core.contract import RiskLevel, Role, TriggerKind
from humangate.review.queue import QueueFilter

__all__ = ["router"]

router = APIRouter(tags=["review"])


@router.get("/me", summary="Who the token acts as")
def me(who: Caller) -> MeOut:
    """Return the token's user and their role now."""
    return MeOut(name=who.name, role=who.role, token_id=who.credential)


@router.get("/queue", summary="Pending review items")
def queue(
    orch: Orch,
    who: Caller,
    graph: Annotated[str | None, Query(max_length=100)] = None,
    node: Annotated[str | None, Query(max_length=100)] = None,
    risk: RiskLevel | None = None,
    trigger: TriggerKind | None = None,
    role: Role | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> QueueOut:
    """List pending items, highest risk then oldest first; ``role`` keeps those that role may decide."""
    filters = QueueFilter(graph=graph, node=node, risk_level=risk, trigger_kind=trigger, role=role)
    page = orch.pending(filters, limit=limit, cursor=cursor)
    shown = [item_out(i, overseer=is_overseer(who)) for i in page.items]
    return QueueOut(items=shown, next_cursor=page.next_cursor)


@router.get("/items/{item_id}", summary="One review item with its contextual snapshot")
def item(item_id: ItemId, orch: Orch, who: Caller) -> ItemOut:
    """Return the item and the exact request a reviewer decides on (reading claims nothing)."""
    return item_out(orch.item(item_id), full=True, overseer=is_overseer(who))


@router.post("/items/{item_id}/claim", summary="Lease an item to the token's user")
def claim(item_id: ItemId, orch: Orch, who: Caller) -> ItemOut:
    """Claim the item for the lease time; the minimum dwell counts from the first claim."""
    return item_out(orch.claim(item_id, who.name), full=True, overseer=is_overseer(who))


@router.post("/items/{item_id}/release", summary="Give back a lease")
def release(item_id: ItemId, orch: Orch, who: Caller) -> ItemOut:
    """Release the token user's lease on the item."""
    orch.release(item_id, who.name)
    return item_out(orch.item(item_id), overseer=is_overseer(who))


@router.post("/items/{item_id}/decision", summary="Decide an item as the token's user")
def decide(item_id: ItemId, body: DecisionIn, orch: Orch, who: Caller) -> DecisionOut:
    """Approve, edit, reject, redirect or escalate; role, dwell and M-of-N are checked by the service."""
    return decision_out(decide_as(orch, who, item_id, body.model_dump(exclude_none=True), channel="api"))
