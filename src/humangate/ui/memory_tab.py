"""The panel's Memory tab: browse what reviewers taught, read one correction whole, switch lessons off and on.

Anyone signed in may read. Only owners and admins may disable, re-enable or roll back, and the handlers
check the role themselves: greyed-out buttons are a courtesy, not the guard. Every change goes through
``MemoryStore``, which audits it under the signed-in user's name. Stored text was written by reviewers
and agents, so all of it passes through ``esc``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

import gradio as gr
from sqlalchemy import func, select

from humangate.checkpoints.schema import corrections
from humangate.errors import HumanGateError, InvalidInputError
from humangate.memory.store import CORRECTION_KINDS, Correction
from humangate.oversight.metrics import parse_since
from humangate.review.service import Orchestrator
from humangate.ui.render import esc, render_status, text_block

__all__ = [
    "CURATOR_ROLES",
    "MEMORY_HEADERS",
    "SHOW",
    "MemoryPage",
    "MemoryTab",
    "Outcome",
    "RollbackPlan",
    "change_active",
    "confirm_rollback",
    "correction_html",
    "curator_refusal",
    "memory_page",
    "memory_tab",
    "plan_rollback",
]

ALL = "all"
SHOW = ("all", "active", "disabled")
CURATOR_ROLES = frozenset({"owner", "admin"})
PAGE_SIZE = 50
MEMORY_HEADERS = ["id", "when (UTC)", "graph", "gate", "kind", "reviewer", "reason", "what", "active"]
# Cells show as text, never as Markdown or HTML: notes and proposals are reviewer- and agent-written.
_DATATYPES: list[Literal["str", "number"]] = ["number", "str", "str", "str", "str", "str", "str", "str", "str"]


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


def _summary(c: Correction) -> str:
    if c.kind == "edit" and c.corrected:
        return "edited: " + json.dumps(c.corrected, ensure_ascii=False)[:80]
    if c.kind == "redirect":
        return f"redirected: {c.instructions or ''}"[:90]
    if c.kind == "escalate":
        return f"escalated to {c.instructions or '?'}"
    return (c.note or c.key_text)[:90]


def _row(c: Correction) -> list[Any]:
    reason = c.reason_code or ""
    return [c.id, _when(c.created_at), c.graph, c.node, c.kind, c.reviewer, reason, _summary(c), _yes(c.active)]


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


def _graphs(orch: Orchestrator) -> list[str]:
    with orch.db.read() as conn:
        return [str(g) for g in conn.execute(select(corrections.c.graph).distinct().order_by(corrections.c.graph))]


@dataclass(frozen=True)
class MemoryTab:
    """The tab's components; ``refresh`` reloads the table and the signed-in user's access, in ``outputs``."""

    tab: gr.Tab
    refresh: Callable[..., dict[Any, Any]]
    inputs: Sequence[Any]
    outputs: Sequence[Any]


def memory_tab(orch: Orchestrator, *, default_user: str | None = None) -> MemoryTab:
    """Build the Memory tab inside the current ``gr.Tabs`` and wire its table, detail, curation and roll back."""
    with gr.Tab("Memory", id="memory") as tab:
        access = gr.HTML(elem_id="memory-access")
        with gr.Row():
            f_graph = gr.Dropdown([ALL], value=ALL, label="Graph", elem_id="memory-graph")
            f_kind = gr.Dropdown([ALL, *CORRECTION_KINDS], value=ALL, label="Kind", elem_id="memory-kind")
            f_show = gr.Radio(list(SHOW), value=ALL, label="Show", elem_id="memory-show")
        with gr.Row():
            count = gr.HTML(elem_id="memory-count")
            reload = gr.Button("Refresh", elem_id="memory-refresh", size="sm")
            prev_page = gr.Button("Previous page", elem_id="memory-prev-page", size="sm")
            next_page = gr.Button("Next page", elem_id="memory-next-page", size="sm")
        table = gr.Dataframe(
            headers=MEMORY_HEADERS,
            datatype=_DATATYPES,
            interactive=False,
            wrap=True,
            max_chars=200,
            elem_id="memory-table",
        )
        with gr.Row():
            cid = gr.Textbox(label="Correction id (or pick a row)", elem_id="memory-id", max_lines=1)
            show = gr.Button("Show", elem_id="memory-open", scale=0, min_width=120)
        detail = gr.HTML(elem_id="memory-detail")
        with gr.Row():
            reason = gr.Textbox(label="Reason (for the audit trail)", elem_id="memory-reason", max_lines=2)
            disable = gr.Button("Disable", elem_id="memory-disable", variant="stop", scale=0, min_width=140)
            enable = gr.Button("Re-enable", elem_id="memory-enable", scale=0, min_width=140)
        status = gr.HTML(elem_id="memory-status")
        gr.Markdown("**Roll back**: disable every active correction learned since a time (nothing is deleted).")
        with gr.Row():
            since = gr.Textbox(label="Since: 2h, 3d or an ISO date/time (UTC)", elem_id="memory-since", max_lines=1)
            rb_reviewer = gr.Textbox(label="Only this reviewer (optional)", elem_id="memory-rb-reviewer", max_lines=1)
            rb_graph = gr.Textbox(label="Only this graph (optional)", elem_id="memory-rb-graph", max_lines=1)
            rb_reason = gr.Textbox(label="Reason (for the audit trail)", elem_id="memory-rb-reason", max_lines=2)
        with gr.Row():
            preview = gr.Button("Preview roll back", elem_id="memory-rb-preview")
            confirm = gr.Button("Confirm roll back", elem_id="memory-rb-confirm", variant="stop", interactive=False)
        rb_status = gr.HTML(elem_id="memory-rb-status")
        offset = gr.State(0)
        plan = gr.State(None)

    def user_of(request: gr.Request | None) -> str | None:
        return (getattr(request, "username", None) if request is not None else None) or default_user

    def refresh(graph: str, kind: str, shown: str, start: int, request: gr.Request) -> dict[Any, Any]:
        user = user_of(request)
        refusal = curator_refusal(orch, user)
        try:
            page = memory_page(orch, graph=graph, kind=kind, show=shown, offset=start)
            rows, text, start = page.rows, esc(page.count_text), page.offset
        except HumanGateError as exc:
            rows, text, start = [], render_status(str(exc)), 0
        may = "You may disable, re-enable and roll back corrections; each change is audited under your name."
        return {
            access: render_status(f"Signed in as {user}. {may}" if refusal is None else f"Read-only. {refusal}"),
            f_graph: gr.Dropdown(choices=[ALL, *_graphs(orch)], value=graph or ALL),
            table: rows,
            count: text,
            offset: start,
            **{b: gr.Button(interactive=refusal is None) for b in (disable, enable, preview)},
        }

    inputs = [f_graph, f_kind, f_show, offset]
    outputs = [access, f_graph, table, count, offset, disable, enable, preview]

    def turn(step: int) -> Callable[..., dict[Any, Any]]:
        def go(graph: str, kind: str, shown: str, start: int, request: gr.Request) -> dict[Any, Any]:
            return refresh(graph, kind, shown, max(0, start + step), request)

        return go

    reload.click(refresh, inputs, outputs)
    next_page.click(turn(PAGE_SIZE), inputs, outputs)
    prev_page.click(turn(-PAGE_SIZE), inputs, outputs)

    def first(graph: str, kind: str, shown: str, _start: int, request: gr.Request) -> dict[Any, Any]:
        return refresh(graph, kind, shown, 0, request)

    for f in (f_graph, f_kind, f_show):
        f.input(first, inputs, outputs)  # a new filter starts on the first page

    def on_select(evt: gr.SelectData) -> tuple[str, str]:
        row = evt.row_value or []
        return (str(row[0]), correction_html(orch, row[0])) if row else ("", "")

    table.select(on_select, None, [cid, detail])
    show.click(lambda i: correction_html(orch, i or ""), cid, detail)
    cid.submit(lambda i: correction_html(orch, i or ""), cid, detail)

    def setter(active: bool) -> Callable[..., tuple[str, Any]]:
        def go(correction_id: str, why: str, request: gr.Request) -> tuple[str, Any]:
            outcome = change_active(orch, user_of(request), correction_id or "", active, why or "")
            shown = correction_html(orch, correction_id) if outcome.ok else gr.skip()
            return render_status(outcome.message), shown

        return go

    disable.click(setter(False), [cid, reason], [status, detail]).then(refresh, inputs, outputs)
    enable.click(setter(True), [cid, reason], [status, detail]).then(refresh, inputs, outputs)

    def on_preview(text: str, reviewer: str, graph: str, request: gr.Request) -> tuple[str, Any, Any]:
        outcome = plan_rollback(orch, user_of(request), text or "", reviewer or "", graph or "")
        return render_status(outcome.message), outcome.plan, gr.Button(interactive=outcome.plan is not None)

    def on_confirm(pending: RollbackPlan | None, why: str, request: gr.Request) -> tuple[str, Any, Any]:
        outcome = confirm_rollback(orch, user_of(request), pending, why or "")
        fresh = None if outcome.ok else outcome.plan
        return render_status(outcome.message), fresh, gr.Button(interactive=fresh is not None)

    preview.click(on_preview, [since, rb_reviewer, rb_graph], [rb_status, plan, confirm])
    confirm.click(on_confirm, [plan, rb_reason], [rb_status, plan, confirm]).then(refresh, inputs, outputs)
    for box in (since, rb_reviewer, rb_graph):  # a changed form voids the preview: confirm only what was shown
        box.input(lambda: (None, gr.Button(interactive=False)), None, [plan, confirm])
    return MemoryTab(tab=tab, refresh=refresh, inputs=inputs, outputs=outputs)
