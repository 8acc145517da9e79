"""The LangGraph-Server-shaped subset that Agent Inbox and ``langgraph-sdk`` clients speak.

``POST /threads/search`` lists the pending review items the token's role may decide as interrupted
threads; ``GET /threads/{id}`` and ``GET /threads/{id}/state`` read one (reading claims nothing);
``POST /threads/{id}/runs`` (and ``/runs/wait``, ``/runs/stream``) answer it with
``command.resume = [HumanResponse]``. An item held for a minimum review time is claimed by the first
answer, which is refused with the time to wait; an answer after that time is accepted. ``GET /info``
is public, as Agent Inbox checks it without a key. A thread's state is never written from outside:
``POST /threads/{id}/state`` is refused.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from humangate import __version__
from humangate.api.auth import Caller, Orch
from humangate.api.channel import decide_as
from humangate.api.inbox import interrupt_key, item_id_of, run_id_of, thread, thread_state, to_decision
from humangate.core.contract import role_rank
from humangate.errors import DwellError, InvalidDecisionError, ItemNotFoundError, ReviewError, UnknownGraphError
from humangate.review.credentials import Principal
from humangate.review.queue import QueueFilter, ReviewItem
from humangate.review.service import DecideResult, Orchestrator

__all__ = ["router"]

router = APIRouter(tags=["langgraph"])


class ThreadSearch(BaseModel):
    """The body of ``POST /threads/search`` (fields the SDKs send; others are ignored)."""

    model_config = ConfigDict(extra="ignore")

    metadata: dict[str, Any] | None = None
    values: dict[str, Any] | None = None
    ids: list[str] | None = Field(default=None, max_length=100)
    status: str | None = None
    limit: int = Field(default=10, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=10_000)


class RunCreate(BaseModel):
    """The body of ``POST /threads/{id}/runs``: only ``command.resume`` is read."""

    model_config = ConfigDict(extra="ignore")

    assistant_id: str | None = Field(default=None, max_length=200)
    input: Any = None
    command: dict[str, Any] | None = None


@router.get("/info", summary="Server information (public)")
def info() -> dict[str, Any]:
    """Answer Agent Inbox's reachability check; says nothing about the queue."""
    return {
        "version": __version__,
        "flags": {"assistants": False, "crons": False, "langsmith": False},
        "host": {"kind": "humangate", "project_id": None, "revision_id": __version__, "tenant_id": None},
    }


def _filters(who: Principal, metadata: Mapping[str, Any] | None) -> QueueFilter | None:
    """Map a metadata filter onto the queue's; None when it asks for something no item has."""
    fields: dict[str, Any] = {"role": who.role}
    names = {
        "graph_id": "graph",
        "assistant_id": "graph",
        "node": "node",
        "risk_level": "risk_level",
        "run_id": "run_id",
    }
    for key, value in (metadata or {}).items():
        name = names.get(key)
        if name is None or not isinstance(value, str) or fields.get(name, value) != value:
            return None
        fields[name] = value
    return QueueFilter(**fields)


@router.post("/threads/search", summary="Pending review items as interrupted threads")
def search(orch: Orch, who: Caller, body: Annotated[ThreadSearch | None, Body()] = None) -> list[dict[str, Any]]:
    """List the items the caller's role may decide, highest risk then oldest first."""
    body = body or ThreadSearch()
    filters = _filters(who, body.metadata)
    if filters is None or body.values or body.status not in (None, "interrupted"):
        return []  # decided items are not listed; a filter on values cannot match an item
    items: list[ReviewItem] = []
    if body.ids:
        found = [_found(orch, i) for i in (item_id_of(t) for t in body.ids) if i is not None]
        items = [i for i in found if i is not None and _matches(i, filters)]
        return [thread(i, who.role) for i in items[body.offset : body.offset + body.limit]]
    need = body.offset + body.limit  # keyset pages of the queue index up to the offset (at most 10,100 rows)
    cursor = None
    while len(items) < need:
        page = orch.pending(filters, limit=min(need - len(items), 500), cursor=cursor)
        items += page.items
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    return [thread(i, who.role) for i in items[body.offset : body.offset + body.limit]]


def _found(orch: Orchestrator, item_id: int) -> ReviewItem | None:
    try:
        return orch.item(item_id)
    except ItemNotFoundError:
        return None


def _matches(item: ReviewItem, filters: QueueFilter) -> bool:
    """Return True when a listed id passes the same filter the queue index applies."""
    wanted = {"graph": item.graph, "node": item.node, "risk_level": item.risk_level, "run_id": item.run_id}
    if item.status != "pending" or any(getattr(filters, k) not in (None, v) for k, v in wanted.items()):
        return False
    return filters.role is None or role_rank(filters.role) >= role_rank(item.required_role)


def _item(orch: Orchestrator, thread_id: str) -> ReviewItem:
    item_id = item_id_of(thread_id)
    if item_id is None:
        raise HTTPException(
            404, f"No thread {thread_id[:60]!r}; humangate's thread ids are those /threads/search lists."
        )
    return orch.item(item_id)


@router.get("/threads/{thread_id}", summary="One review item as a thread")
def get_thread(thread_id: str, orch: Orch, who: Caller) -> dict[str, Any]:
    """Return the thread; reading it claims nothing."""
    return thread(_item(orch, thread_id), who.role)


@router.get("/threads/{thread_id}/state", summary="A thread's state: the gate and its interrupt")
def get_state(thread_id: str, orch: Orch, who: Caller) -> dict[str, Any]:
    """Return the thread's state; reading it claims nothing."""
    return thread_state(_item(orch, thread_id), who.role)


@router.post("/threads/{thread_id}/state", summary="Refused: a review item's state is not set from outside")
def update_state(thread_id: str, orch: Orch, who: Caller) -> dict[str, Any]:
    """Refuse every state update, dismissal included: an item waits until someone decides it."""
    item = _item(orch, thread_id)
    raise InvalidDecisionError(
        f"Thread {thread_id} is review item {item.id}; its state is not set from outside and it cannot be "
        "dismissed. Answer it with POST /threads/{id}/runs and command.resume: accept, edit, response "
        "(redirect) or ignore (reject, with a reason).",
        item_id=item.id,
        allowed=["accept", "edit", "response", "ignore"],
    )


def _resume(orch: Orchestrator, who: Principal, thread_id: str, body: RunCreate) -> tuple[ReviewItem, DecideResult]:
    item = _item(orch, thread_id)
    command = body.command or {}
    if body.input is not None or set(command) - {"resume"} or "resume" not in command:
        raise InvalidDecisionError(
            "A thread is answered with command.resume = [HumanResponse] and nothing else; start new work "
            "with POST /api/runs or /api/tasks.",
            item_id=item.id,
        )
    resume = command["resume"]
    if isinstance(resume, Mapping) and "type" not in resume and interrupt_key(item) in resume:
        resume = resume[interrupt_key(item)]  # a resume map keyed by the interrupt id the thread showed
    try:
        gate = orch.registry.get(item.graph).gates.get(item.node)
    except UnknownGraphError:
        gate = None
    decision = to_decision(item, resume, gate.proposal_model if gate else None)
    try:
        return item, decide_as(orch, who, item.id, decision, channel="inbox")
    except DwellError as exc:
        if exc.waited_seconds is not None:
            raise
        # Agent Inbox has no claim call: the first answer to an item held for a minimum review time
        # claims it (a lease, not a decision) and says when an answer is accepted.
        try:
            orch.claim(item.id, who.name)
        except ReviewError:
            raise exc from None
        raise DwellError(item.id, exc.min_dwell_seconds, 0.0) from None


def _run(item: ReviewItem, result: DecideResult, assistant_id: str | None) -> dict[str, Any]:
    done = result.approvals_missing == 0
    stamp = thread(item, "reviewer")["updated_at"]
    return {
        "run_id": run_id_of(result.decision_id) if result.decision_id else str(uuid.uuid4()),
        "thread_id": thread(item, "reviewer")["thread_id"],
        "assistant_id": assistant_id or item.graph,
        "created_at": stamp,
        "updated_at": stamp,
        "status": "success" if done else "pending",
        "metadata": {
            "item_id": item.id,
            "decision_id": result.decision_id,
            "approvals_missing": result.approvals_missing,
            "humangate_run_id": result.run.id,
            "humangate_run_status": result.run.status,
        },
        "multitask_strategy": "reject",
        "kwargs": {},
    }


@router.post("/threads/{thread_id}/runs", summary="Answer a thread with a HumanResponse")
def create_run(thread_id: str, body: RunCreate, orch: Orch, who: Caller) -> dict[str, Any]:
    """Decide the item as the token's user; answer a LangGraph ``Run`` (pending while an M-of-N vote waits)."""
    item, result = _resume(orch, who, thread_id, body)
    return _run(item, result, body.assistant_id)


@router.post("/threads/{thread_id}/runs/wait", summary="Answer a thread and return its values")
def wait_run(thread_id: str, body: RunCreate, orch: Orch, who: Caller) -> dict[str, Any]:
    """Decide the item as the token's user and return the thread's values afterwards."""
    item, _ = _resume(orch, who, thread_id, body)
    return dict(thread(orch.item(item.id), who.role)["values"])


@router.post("/threads/{thread_id}/runs/stream", summary="Answer a thread, streamed as server-sent events")
def stream_run(thread_id: str, body: RunCreate, orch: Orch, who: Caller) -> StreamingResponse:
    """Decide the item (refusals answer with an error status before any event), then stream metadata, values, end."""
    item, result = _resume(orch, who, thread_id, body)
    run = _run(item, result, body.assistant_id)
    values = thread(orch.item(item.id), who.role)["values"]

    def events() -> Iterator[bytes]:
        for name, data in (("metadata", {"run_id": run["run_id"], "attempt": 1}), ("values", values), ("end", None)):
            yield f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()

    return StreamingResponse(events(), media_type="text/event-stream")
