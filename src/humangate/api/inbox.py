"""Agent Inbox's shapes: a review item as an interrupted thread, a ``HumanResponse`` as a decision.

A thread is one review item; its id is a UUID that holds the item id (``00000000-0000-4000-8000-`` and
the id in 12 hex digits). Its one interrupt carries a ``HumanInterrupt``::

    {"action_request": {"action": <gate>, "args": {<proposal fields>, "reason_code": "", "note": ""}},
     "config": {"allow_accept", "allow_edit", "allow_respond", "allow_ignore"},
     "description": <markdown: title, why it paused, sources, how to answer>}

``config`` says what the caller's role may do; the Orchestrator still decides. Replies map as
accept = approve, edit = edit, response = redirect, ignore = reject. Edit, redirect and reject need a
reason: an edit fills the ``reason_code`` field; a response or an ignore starts its text with the code
(``tone: keep it shorter``). An answer without one is refused, naming the codes. Edited values come
back as strings: each is read as its field's type (JSON for lists, numbers and objects) and the whole
is validated as the gate's proposal model before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from humangate.core.contract import REASON_CODES, Role, role_rank
from humangate.errors import InvalidDecisionError
from humangate.review.queue import ReviewItem

__all__ = [
    "NOTE_FIELD",
    "REASON_FIELD",
    "human_interrupt",
    "interrupt_key",
    "item_id_of",
    "run_id_of",
    "thread",
    "thread_id_of",
    "thread_state",
    "to_decision",
]

REASON_FIELD = "reason_code"
NOTE_FIELD = "note"
_THREAD_PREFIX = "00000000-0000-4000-8000-"
_RUN_PREFIX = "00000000-0000-4000-9000-"
_CODE = re.compile(r"\s*\[?([a-z_]{2,40})\]?\s*[:\-–]\s*(.*)", re.S)
_ABSENT = object()  # a field the proposal did not have
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")
_LANGGRAPH_ID = re.compile(r"[0-9a-f]{32}")  # LangGraph's interrupt ids: an xxh3-128 hash in hex


def thread_id_of(item_id: int) -> str:
    """Return the thread id (a UUID) of a review item."""
    return f"{_THREAD_PREFIX}{item_id:012x}"


def item_id_of(thread_id: str) -> int | None:
    """Return the review item a thread id names, or None when it is not one of humangate's thread ids."""
    text = thread_id.strip().lower()
    tail = text.removeprefix(_THREAD_PREFIX)
    if tail == text or not re.fullmatch(r"[0-9a-f]{12}", tail):
        return None
    return int(tail, 16)


def run_id_of(decision_id: int) -> str:
    """Return the LangGraph run id (a UUID) under which a decision is reported."""
    return f"{_RUN_PREFIX}{decision_id:012x}"


def _md(text: str, limit: int = 2_000) -> str:
    """Escape untrusted text for Markdown: no links, images, HTML or emphasis can come from it."""
    return _MARKDOWN.sub(r"\\\1", text[:limit])


def interrupt_key(item: ReviewItem) -> str:
    """Return the interrupt id a client sees for ``item``: its own when shaped like LangGraph's, else a hash of it.

    Databases written before audit and canary items got LangGraph-shaped ids hold them as ``canary:<hex>``;
    shown as they are, those ids would tell a reviewer's client which items are canaries.
    """
    if _LANGGRAPH_ID.fullmatch(item.interrupt_id):
        return item.interrupt_id
    return hashlib.sha256(item.interrupt_id.encode()).hexdigest()[:32]


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def _may(role: Role, item: ReviewItem) -> bool:
    return item.status == "pending" and role_rank(role) >= role_rank(item.required_role)


def _extra_fields(proposal: Mapping[str, Any]) -> tuple[str, str]:
    """Return the names of the reason and note fields, moved aside if the proposal uses those names."""
    reason, note = REASON_FIELD, NOTE_FIELD
    if reason in proposal or note in proposal:
        reason, note = f"review_{reason}", f"review_{note}"
    return reason, note


def _description(item: ReviewItem, reason: str) -> str:
    request = item.request
    lines = [f"### {_md(request.title, 500)}", f"{item.graph} / {item.node} · item {item.id} · risk {item.risk_level}"]
    if item.required_role != "reviewer" or item.approvals_needed > 1:
        lines.append(f"Decided by: {item.required_role} (approvals needed: {item.approvals_needed})")
    if item.min_dwell_seconds > 0:
        lines.append(
            f"Needs at least {item.min_dwell_seconds:g} s of review: your first answer claims it and is refused; "
            "answer again after that time."
        )
    if request.assessment.triggers:
        lines.append("**Why it paused**")
        lines += [f"- {_md(t.reason, 1_000)}" for t in request.assessment.triggers]
    if request.observed:
        lines += ["**What the system saw**", _md(request.observed)]
    for source in request.sources[:10]:
        lines += [f"**Source: {_md(source.title or source.id, 200)}**", _md(source.excerpt, 1_500)]
    lines += [
        "**How to answer**",
        f"- Accept approves it as it is. Edit changes the fields; fill `{reason}` with a reason code.",
        "- Respond sends it back to the agent: start with a reason code, e.g. `tone: keep it shorter`.",
        "- Ignore rejects it and needs a reason too (`policy: we do not promise refunds`).",
        f"- Reason codes: {', '.join(REASON_CODES)}.",
    ]
    return "\n\n".join(lines)


def human_interrupt(item: ReviewItem, role: Role) -> dict[str, Any]:
    """Return the ``HumanInterrupt`` of an item, its ``config`` limited to what ``role`` may do."""
    request = item.request
    allowed = set(request.allowed_actions) if _may(role, item) else set()
    reason, note = _extra_fields(request.proposal)
    return {
        "action_request": {"action": item.node, "args": {**request.proposal, reason: "", note: ""}},
        "config": {
            "allow_accept": "approve" in allowed,
            "allow_edit": "edit" in allowed,
            "allow_respond": "redirect" in allowed,
            "allow_ignore": "reject" in allowed,
        },
        "description": _description(item, reason),
    }


def _values(item: ReviewItem) -> dict[str, Any]:
    return {"item_id": item.id, "run_id": item.run_id, "status": item.status} | item.request.model_dump(mode="json")


def _interrupts(item: ReviewItem, role: Role) -> list[dict[str, Any]]:
    if item.status != "pending":
        return []
    return [{"value": human_interrupt(item, role), "id": interrupt_key(item)}]


def thread(item: ReviewItem, role: Role) -> dict[str, Any]:
    """Return the LangGraph ``Thread`` of an item: interrupted while pending, idle once decided."""
    stamp = _iso(item.decided_at or item.created_at)
    return {
        "thread_id": thread_id_of(item.id),
        "created_at": _iso(item.created_at),
        "updated_at": stamp,
        "metadata": {
            "graph_id": item.graph,
            "assistant_id": item.graph,
            "node": item.node,
            "run_id": item.run_id,
            "item_id": item.id,
            "risk_level": item.risk_level,
            "required_role": item.required_role,
        },
        "status": "interrupted" if item.status == "pending" else "idle",
        "values": _values(item),
        "interrupts": {interrupt_key(item): _interrupts(item, role)} if item.status == "pending" else {},
    }


def thread_state(item: ReviewItem, role: Role) -> dict[str, Any]:
    """Return the LangGraph ``ThreadState`` of an item (one task: the gate, with its interrupt)."""
    interrupts = _interrupts(item, role)
    checkpoint = {"thread_id": thread_id_of(item.id), "checkpoint_ns": "", "checkpoint_id": None}
    task = {
        "id": interrupt_key(item),
        "name": item.node,
        "path": [],
        "error": None,
        "interrupts": interrupts,
        "checkpoint": None,
        "state": None,
        "result": None,
    }
    return {
        "values": _values(item),
        "next": [item.node] if interrupts else [],
        "checkpoint": checkpoint,
        "metadata": {"graph_id": item.graph, "item_id": item.id},
        "created_at": _iso(item.created_at),
        "parent_checkpoint": None,
        "tasks": [task] if interrupts else [],
        "interrupts": interrupts,
    }


# -- answers --------------------------------------------------------------------------------


def _need_reason(kind: str, action: str, example: str) -> InvalidDecisionError:
    return InvalidDecisionError(
        f"Answering with {kind!r} {action}s the item and needs a reason: start the answer's text with a reason "
        f"code, e.g. {example!r}. Reason codes: {', '.join(REASON_CODES)}.",
        allowed=REASON_CODES,
    )


def _coded(text: Any, kind: str, action: str, example: str) -> tuple[str, str]:
    """Split ``"code: text"``; refuse an answer without a known reason code."""
    if not isinstance(text, str) or not (m := _CODE.fullmatch(text)) or m.group(1) not in REASON_CODES:
        raise _need_reason(kind, action, example)
    return m.group(1), m.group(2).strip()


def _field_value(annotation: Any, raw: Any, name: str, shown: Any = _ABSENT) -> Any:
    """Read an edited value that may arrive as a string, undoing how Agent Inbox showed it.

    Agent Inbox shows a string as it is and anything else as JSON (``JSON.stringify``), and sends
    both back as text. A field shown as text stays the text it is; one shown as JSON is read as JSON
    first (``null`` is None again), then as the field's type; a field the proposal lacked is read as
    its type first, then as JSON.
    """
    if not isinstance(raw, str) or isinstance(shown, str):
        return raw
    typed = TypeAdapter(annotation).validate_python
    readers = (typed, json.loads) if shown is _ABSENT else (json.loads, typed)
    for read in readers:
        try:
            return read(raw)
        except (ValueError, ValidationError):
            continue
    raise InvalidDecisionError(
        f"The edited field {name!r} is not a valid value for it, and not JSON either: write it as JSON "
        f'(a list as ["a", "b"], a number as 12.5, an object as {{"k": "v"}}).',
        allowed=[name],
    )


def _edited(item: ReviewItem, args: Any, model: type[BaseModel] | None) -> tuple[dict[str, Any], str, str | None]:
    request = item.request
    fields = args.get("args") if isinstance(args, Mapping) and isinstance(args.get("args"), Mapping) else args
    if not isinstance(fields, Mapping):
        raise InvalidDecisionError(
            'An edit answers with the action request: {"action": ..., "args": {field: value, ...}}.',
            allowed=list(request.proposal),
        )
    reason_name, note_name = _extra_fields(request.proposal)
    reason = str(fields.get(reason_name) or "").strip()
    note = str(fields.get(note_name) or "").strip() or None
    if reason not in REASON_CODES:
        raise InvalidDecisionError(
            f"An edit needs a reason: fill the {reason_name!r} field with one of: {', '.join(REASON_CODES)}.",
            allowed=REASON_CODES,
        )
    known = model.model_fields if model is not None else {k: None for k in request.proposal}
    unknown = sorted(str(k) for k in fields if k not in known and k not in (reason_name, note_name))
    if unknown:
        raise InvalidDecisionError(
            f"The edit names fields the proposal does not have: {', '.join(unknown)}. Fields: {', '.join(known)}.",
            allowed=list(known),
        )
    edited = dict(request.proposal)
    for name, raw in fields.items():
        if name in (reason_name, note_name):
            continue
        info = model.model_fields[name] if model is not None else None
        shown = request.proposal.get(name, _ABSENT)
        edited[name] = _field_value(info.annotation if info else Any, raw, name, shown)
    if model is not None:
        try:
            edited = model.model_validate(edited).model_dump(mode="json")
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'proposal'}: {e['msg']}" for e in exc.errors()
            )
            raise InvalidDecisionError(
                f"The edited {request.proposal_kind} does not fit: {problems}.", allowed=list(known)
            ) from None
    return edited, reason, note


def to_decision(item: ReviewItem, response: Any, model: type[BaseModel] | None) -> dict[str, Any]:
    """Turn one ``HumanResponse`` into a decision (without reviewer), or raise ``InvalidDecisionError``.

    ``model`` is the gate's proposal model, which edited values are read into.
    """
    if isinstance(response, list):
        if len(response) != 1:
            raise InvalidDecisionError("Answer a thread with exactly one HumanResponse in command.resume.")
        response = response[0]
    if not isinstance(response, Mapping) or response.get("type") not in ("accept", "edit", "response", "ignore"):
        raise InvalidDecisionError(
            'command.resume must hold a HumanResponse: {"type": accept | edit | response | ignore, "args": ...}.',
            allowed=["accept", "edit", "response", "ignore"],
        )
    kind, args = response["type"], response.get("args")
    if kind == "accept":
        return {"action": "approve"}
    if kind == "edit":
        edited, reason, note = _edited(item, args, model)
        return {"action": "edit", "edited": edited, "reason_code": reason, "note": note}
    if kind == "response":
        code, text = _coded(args, "response", "redirect", "tone: keep it shorter")
        if not text:
            raise InvalidDecisionError("A response needs instructions for the agent after its reason code.")
        return {"action": "redirect", "reason_code": code, "instructions": text}
    code, text = _coded(args, "ignore", "reject", "policy: we do not promise refunds")
    return {"action": "reject", "reason_code": code, "note": text or None}
