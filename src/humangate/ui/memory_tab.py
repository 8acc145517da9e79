"""The panel's Memory tab: browse what reviewers taught, read one correction whole, switch lessons off and on.

This module lays the tab out and wires it; the handlers, and the role check that guards every change,
are in ``humangate.ui.memory_view``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import gradio as gr

from humangate.errors import HumanGateError
from humangate.memory.store import CORRECTION_KINDS
from humangate.review.service import Orchestrator
from humangate.ui.memory_view import (
    ALL,
    MEMORY_HEADERS,
    PAGE_SIZE,
    SHOW,
    RollbackPlan,
    change_active,
    confirm_rollback,
    correction_graphs,
    correction_html,
    curator_refusal,
    memory_page,
    plan_rollback,
)
from humangate.ui.render import esc, render_status

__all__ = ["MemoryTab", "memory_tab"]

# Cells show as text, never as Markdown or HTML: notes and proposals are reviewer- and agent-written.
_DATATYPES: list[Literal["str", "number"]] = ["number", "str", "str", "str", "str", "str", "str", "str", "str"]


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
            f_graph: gr.Dropdown(choices=[ALL, *correction_graphs(orch)], value=graph or ALL),
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
