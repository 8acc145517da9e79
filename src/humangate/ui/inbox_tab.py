"""The panel's Inbox tab: the pending items with their filters and counts, paging, and who is signed in.

This module lays the tab out and holds its handlers; ``build_app`` registers its events through ``wire`` once
the page's timers exist. The queue queries are in ``humangate.ui.inbox_view``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr

from humangate.errors import HumanGateError
from humangate.review.service import Orchestrator
from humangate.ui.inbox_view import ALL, INBOX_HEADERS, INBOX_WIDTHS, filter_choices, inbox_page, queue_filter
from humangate.ui.render import esc, render_status
from humangate.ui.tab_support import signed_in, text_datatypes

__all__ = ["InboxTab", "inbox_tab"]


@dataclass(frozen=True)
class InboxTab:
    """The tab's components; ``load`` reloads the page from ``inputs`` into ``outputs``.

    ``wire(app, timer)`` registers the tab's own events: on page load, Refresh, each ``timer`` tick, a changed
    filter and paging. The table and Open top item open items in the Review tab, which wires them.
    """

    filters: Sequence[gr.Dropdown]
    table: gr.Dataframe
    open_top: gr.Button
    load: Callable[..., dict[Any, Any]]
    inputs: Sequence[Any]
    outputs: Sequence[Any]
    wire: Callable[[gr.Blocks, gr.Timer], None]


def inbox_tab(orch: Orchestrator, *, pages: gr.State, whoami: gr.HTML, default_user: str | None = None) -> InboxTab:
    """Build the Inbox tab inside the current ``gr.Tabs``; its loads keep ``pages`` (cursors) and ``whoami``."""
    with gr.Tab("Inbox", id="inbox"):
        with gr.Row():
            f_graph = gr.Dropdown([ALL], value=ALL, label="Graph", elem_id="filter-graph")
            f_node = gr.Dropdown([ALL], value=ALL, label="Node", elem_id="filter-node")
            f_risk = gr.Dropdown([ALL], value=ALL, label="Risk", elem_id="filter-risk")
            f_trigger = gr.Dropdown([ALL], value=ALL, label="Trigger", elem_id="filter-trigger")
            f_role = gr.Dropdown([ALL], value=ALL, label="Role", elem_id="filter-role")
        with gr.Row():
            inbox_count = gr.HTML("…", elem_id="inbox-count")
            refresh = gr.Button("Refresh", elem_id="inbox-refresh", size="sm")
            prev_page = gr.Button("Previous page", elem_id="inbox-prev-page", size="sm")
            next_page = gr.Button("Next page", elem_id="inbox-next-page", size="sm")
            open_top = gr.Button("Open top item", elem_id="open-top", variant="primary", size="sm")
        table = gr.Dataframe(
            headers=INBOX_HEADERS,
            datatype=text_datatypes(len(INBOX_HEADERS)),
            interactive=False,
            wrap=True,
            max_chars=200,
            column_widths=INBOX_WIDTHS,
            elem_id="inbox-table",
        )
    filters = [f_graph, f_node, f_risk, f_trigger, f_role]

    def _inbox(values: tuple[str, ...], cursor: str | None) -> tuple[list[list[Any]], str, str | None]:
        try:
            page = inbox_page(orch, queue_filter(*values), cursor)
        except HumanGateError as exc:
            return [], render_status(str(exc)), None
        return page.rows, esc(page.count_text), page.next_cursor

    def load_inbox(
        graph: str, node: str, risk: str, trigger: str, role: str, state: dict[str, Any], request: gr.Request
    ) -> dict[Any, Any]:
        stack = list(state.get("stack") or [None])
        rows, count, nxt = _inbox((graph, node, risk, trigger, role), stack[-1])
        if len(stack) > 1:
            count += f" · page {len(stack)}"
        user = signed_in(request, default_user)
        return {table: rows, inbox_count: count, pages: {"stack": stack, "next": nxt}, whoami: _whoami(user)}

    def _whoami(user: str | None) -> str:
        if not user:
            return "<div>Not signed in.</div>"
        try:
            role = orch.user_role(user)
        except HumanGateError:
            return f"<div>Signed in as {esc(user)}, who is not in the users table.</div>"
        return f"<div>Signed in as <b>{esc(user)}</b> ({esc(role)}).</div>"

    def load_choices(graph: str, node: str, risk: str, trigger: str, role: str) -> dict[Any, Any]:
        try:
            choices = filter_choices(orch, queue_filter(graph, node, risk, trigger, role))
        except HumanGateError:
            return {}
        current = {"graph": graph, "node": node, "risk": risk, "trigger": trigger, "role": role}
        return {
            comp: gr.Dropdown(choices=choices[key], value=current[key] or ALL)
            for comp, key in zip(filters, ("graph", "node", "risk", "trigger", "role"), strict=True)
        }

    def first_page(graph: str, node: str, risk: str, trigger: str, role: str, request: gr.Request) -> dict[Any, Any]:
        return load_inbox(graph, node, risk, trigger, role, {"stack": [None]}, request)

    def turn(forward: bool) -> Any:
        def go(
            graph: str,
            node: str,
            risk: str,
            trigger: str,
            role: str,
            state: dict[str, Any],
            request: gr.Request,
        ) -> dict[Any, Any]:
            stack = list(state.get("stack") or [None])
            if forward and state.get("next"):
                stack.append(state["next"])
            elif not forward and len(stack) > 1:
                stack.pop()
            return load_inbox(graph, node, risk, trigger, role, {"stack": stack}, request)

        return go

    inputs = [*filters, pages]
    outputs = [table, inbox_count, pages, whoami]

    def wire(app: gr.Blocks, timer: gr.Timer) -> None:
        app.load(load_inbox, inputs, outputs).then(load_choices, filters, filters)
        refresh.click(load_inbox, inputs, outputs).then(load_choices, filters, filters)
        timer.tick(load_inbox, inputs, outputs, show_progress="hidden")
        for f in filters:
            f.input(first_page, filters, outputs)
        next_page.click(turn(True), inputs, outputs)
        prev_page.click(turn(False), inputs, outputs)

    return InboxTab(
        filters=filters, table=table, open_top=open_top, load=load_inbox, inputs=inputs, outputs=outputs, wire=wire
    )
