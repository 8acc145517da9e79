"""The Memory tab's handlers, free of Gradio: list corrections, show one whole, disable, re-enable, roll back.

Anyone signed in may read. Only owners and admins may disable, re-enable or roll back, and these handlers
check the role themselves: greyed-out buttons are a courtesy, not the guard. Every change goes through
``MemoryStore``, which audits it under the signed-in user's name. Stored text was written by reviewers
and agents, so all of it passes through ``esc``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from humangate.checkpoints.schema import corrections
from humangate.errors import HumanGateError, InvalidInputError
from humangate.memory.store import CORRECTION_KINDS, Correction
from humangate.oversight.metrics import parse_since
from humangate.review.service import Orchestrator
from humangate.ui.render import esc, render_status, text_block

__all__ = [
    "ALL",
    "CURATOR_ROLES",
    "MEMORY_HEADERS",
    "PAGE_SIZE",
    "SHOW",
    "MemoryPage",
    "Outcome",
    "RollbackPlan",
    "change_active",
    "confirm_rollback",
    "correction_graphs",
    "correction_html",
    "curator_refusal",
    "memory_page",
    "plan_rollback",
]

ALL = "all"
SHOW = ("all", "active", "disabled")
CURATOR_ROLES = frozenset({"owner", "admin"})
PAGE_SIZE = 50
MEMORY_HEADERS = ["id", "when (UTC)", "graph", "gate", "kind", "reviewer", "reason", "what", "active"]


@dataclass(frozen=True)
class MemoryPage:
    """One page of the corrections table, its count line and where it starts."""

    rows: list[list[Any]]
    count_text: str
    offset: int


@dataclass(frozen=True)
class RollbackPlan:
    """A previewed roll back: its absolute start, its filters and the ids it would disable."""

    since: float
    reviewer: str | None
    graph: str | None
    ids: tuple[int, ...]


@dataclass(frozen=True)
class Outcome:
    """Whether a change (or a preview) went through, what to tell the user, and the plan to confirm."""

    ok: bool
    message: str
    plan: RollbackPlan | None = None


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M")


def _row(c: Correction) -> list[Any]:
    reason = c.reason_code or ""
    return [c.id, _when(c.created_at), c.graph, c.node, c.kind, c.reviewer, reason, c.summary(), _yes(c.active)]


def _yes(active: bool) -> str:
    return "yes" if active else "no"


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _opt(value: str | None) -> str | None:
    return None if value is None or value.strip() in ("", ALL) else value.strip()


def _where(graph: str | None, active: bool | None, kinds: list[str] | None) -> list[Any]:
    c = corrections.c
    out: list[Any] = [] if graph is None else [c.graph == graph]
    out += [] if active is None else [c.active.is_(active)]
    return out + ([] if kinds is None else [c.kind.in_(kinds)])


def curator_refusal(orch: Orchestrator, user: str | None) -> str | None:
    """Return why ``user`` may not change memory, or None when they may (owners and admins)."""
    if not user:
        return "Sign in first: changes to memory are recorded under your name."
    try:
        role = orch.user_role(user)
    except HumanGateError as exc:
        return str(exc)
    if role in CURATOR_ROLES:
        return None
    return f"{user}'s role is {role}; only owners and admins may disable, re-enable or roll back corrections."


def memory_page(
    orch: Orchestrator, *, graph: str = ALL, kind: str = ALL, show: str = ALL, offset: int = 0, limit: int = PAGE_SIZE
) -> MemoryPage:
    """Return one page of corrections, newest first; ``"all"`` (or empty) means no filter."""
    if show not in SHOW:
        raise InvalidInputError(f"Show must be one of {', '.join(SHOW)}, got {show!r}.")
    g, k = _opt(graph), _opt(kind)
    if k is not None and k not in CORRECTION_KINDS:
        raise InvalidInputError(f"Kind must be all or one of {', '.join(CORRECTION_KINDS)}, got {kind!r}.")
    kinds = None if k is None else [k]
    active = None if show == ALL else show == "active"
    counting = select(func.count()).select_from(corrections).where(*_where(g, active, kinds))
    orch.memory.settle()  # store decisions still queued for memory, so the page shows them
    with orch.db.read() as conn:
        total = int(conn.execute(counting).scalar_one())
    offset = min(max(0, offset), max(0, (total - 1) // limit * limit))  # past the end: stay on the last page
    found = orch.memory.corrections(graph=g, active=active, kinds=kinds, limit=limit, offset=offset)
    if not found:
        return MemoryPage([], "No correction matches.", 0)
    shown = f"{total} correction(s) match; showing {offset + 1}–{offset + len(found)}."
    return MemoryPage([_row(c) for c in found], shown, offset)


def _parse_id(text: str | int) -> int:
    raw = str(text).strip().lstrip("#")
    if not raw.isdigit():
        raise InvalidInputError(f"Type a correction id (a number from the table), not {str(text)[:40]!r}.")
    return int(raw)


def correction_html(orch: Orchestrator, correction_id: str | int) -> str:
    """Return one correction whole, every stored text escaped; an unknown or malformed id gives its error."""
    try:
        c = orch.memory.get(_parse_id(correction_id))
    except HumanGateError as exc:
        return render_status(str(exc))
    state = "active" if c.active else "disabled: it no longer steers runs"
    meta = f"{c.kind} at {c.graph} / {c.node} by {c.reviewer} on {_when(c.created_at)} UTC"
    meta += f" · reason {c.reason_code or '–'}" + (f" · item {c.item_id}" if c.item_id is not None else "")
    meta += f" · run {c.run_id[:12]}" if c.run_id else ""
    parts = [f'<h3 id="memory-detail-title">Correction {c.id} ({esc(state)})</h3><div>{esc(meta)}</div>']
    if c.note:
        parts.append(f"<p><b>Note</b></p>{text_block(c.note)}")
    if c.instructions:
        parts.append(f"<p><b>{'Escalated to' if c.kind == 'escalate' else 'Instructions'}</b></p>")
        parts.append(text_block(c.instructions))
    parts.append(f"<p><b>What the agent saw</b></p>{text_block(c.situation or '(nothing recorded)')}")
    parts.append(f"<p><b>Proposal</b></p>{text_block(_json(c.proposal))}")
    if c.corrected is not None:
        parts.append(f"<p><b>Reviewer's version</b></p>{text_block(_json(c.corrected))}")
    return "".join(parts)


def change_active(orch: Orchestrator, user: str | None, correction_id: str | int, active: bool, reason: str) -> Outcome:
    """Disable or re-enable one correction as ``user`` (an owner or admin); audited by the store."""
    refusal = curator_refusal(orch, user)
    if refusal is not None or user is None:
        return Outcome(False, refusal or "Sign in first.")
    try:
        cid = _parse_id(correction_id)
        before = orch.memory.get(cid)
        orch.memory.set_active(cid, active, actor=user, reason=reason.strip() or None)
    except HumanGateError as exc:
        return Outcome(False, str(exc))
    if before.active == active:
        return Outcome(True, f"Correction {cid} was already {'active' if active else 'disabled'}; nothing changed.")
    if active:
        return Outcome(True, f"Correction {cid} is active again: the next similar run can use it.")
    return Outcome(True, f"Correction {cid} is now disabled: the next run no longer sees it.")


def _matching(orch: Orchestrator, since: float, reviewer: str | None, graph: str | None) -> tuple[int, ...]:
    # The same selection as MemoryStore.rollback, read without writing, for the preview.
    where = [*_where(graph, True, None), corrections.c.created_at >= since]
    where += [] if reviewer is None else [corrections.c.reviewer == reviewer]
    orch.memory.settle()
    with orch.db.read() as conn:
        return tuple(sorted(int(i) for i in conn.execute(select(corrections.c.id).where(*where)).scalars()))


def _ids(ids: Sequence[int]) -> str:
    return ", ".join(str(i) for i in ids[:20]) + (" …" if len(ids) > 20 else "")


def plan_rollback(
    orch: Orchestrator, user: str | None, since: str, reviewer: str = "", graph: str = "", *, now: float | None = None
) -> Outcome:
    """Preview a roll back: parse ``since`` (2h, 3d, ISO) and count the active corrections it would disable."""
    refusal = curator_refusal(orch, user)
    if refusal is not None:
        return Outcome(False, refusal)
    if not since.strip():
        return Outcome(False, "Give a time to roll back from: 2h, 3d, or an ISO date/time such as 2024-05-01T09:30Z.")
    try:
        start = parse_since(since.strip(), orch.clock() if now is None else now)
    except ValueError as exc:
        return Outcome(False, str(exc))
    who, where = reviewer.strip() or None, graph.strip() or None
    plan = RollbackPlan(start, who, where, _matching(orch, start, who, where))
    scope = (f" by {plan.reviewer}" if plan.reviewer else "") + (f" in graph {plan.graph}" if plan.graph else "")
    if not plan.ids:
        return Outcome(False, f"No active correction was learned since {_when(start)} UTC{scope}: nothing to undo.")
    return Outcome(
        True,
        f"{len(plan.ids)} active correction(s) learned since {_when(start)} UTC{scope} would be disabled: "
        f"{_ids(plan.ids)}. Press “Confirm roll back” to disable them.",
        plan,
    )


def confirm_rollback(orch: Orchestrator, user: str | None, plan: RollbackPlan | None, reason: str = "") -> Outcome:
    """Carry out a previewed roll back as ``user``, unless memory changed since the preview."""
    refusal = curator_refusal(orch, user)
    if refusal is not None or user is None:
        return Outcome(False, refusal or "Sign in first.")
    if plan is None:
        return Outcome(False, "Preview the roll back first, then confirm it.")
    now = _matching(orch, plan.since, plan.reviewer, plan.graph)
    if now != plan.ids:
        fresh = replace(plan, ids=now)
        return Outcome(
            False,
            f"Memory changed since the preview: {len(now)} correction(s) match now, not {len(plan.ids)}"
            + (f" ({_ids(now)}). Check them and confirm again." if now else "; nothing to roll back."),
            fresh if now else None,
        )
    ids = orch.memory.rollback(
        since=plan.since, actor=user, reviewer=plan.reviewer, graph=plan.graph, reason=reason.strip() or None
    )
    return Outcome(True, f"Disabled {len(ids)} correction(s): {_ids(sorted(ids))}. The next run no longer sees them.")


def correction_graphs(orch: Orchestrator) -> list[str]:
    """Return the graphs that have corrections, sorted, for the graph filter."""
    orch.memory.settle()
    with orch.db.read() as conn:
        return [str(g) for g in conn.execute(select(corrections.c.graph).distinct().order_by(corrections.c.graph))]
