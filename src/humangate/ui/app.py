"""The reviewer panel's layout: Gradio components wired to the pure functions in ``handlers``.

``build_app`` only builds; ``serve`` launches with a login checked against the users table. The
page never decides who may do what: every action goes through the Orchestrator as the signed-in user.
"""

from __future__ import annotations

from typing import Any, Literal

import gradio as gr

from humangate.errors import HumanGateError
from humangate.review.contract import REASON_CODES, ROLES, Action
from humangate.review.service import Orchestrator
from humangate.ui import handlers as h
from humangate.ui.memory_tab import memory_tab
from humangate.ui.metrics_tab import metrics_tab
from humangate.ui.render import STYLE, esc, render_status, text_block

__all__ = ["build_app", "serve"]

INBOX_REFRESH_SECONDS = 10.0
DWELL_TICK_SECONDS = 1.0

# Keys work outside text fields; each presses the button with that id, so disabled buttons stay disabled.
_SHORTCUTS_JS = """
if (!window.__humangateKeys) {
  window.__humangateKeys = true;
  const keys = {a: 'btn-approve', e: 'btn-save-edit', x: 'btn-reject', d: 'btn-redirect', u: 'btn-escalate',
                o: 'open-top', r: 'inbox-refresh', n: 'inbox-next-page', p: 'inbox-prev-page'};
  document.addEventListener('keydown', (ev) => {
    const t = ev.target;
    const tag = ((t && t.tagName) || '').toLowerCase();
    if (tag === 'input' || tag === 'textarea' || tag === 'select' || (t && t.isContentEditable)) return;
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const id = keys[ev.key];
    if (!id) return;
    const el = document.getElementById(id);
    const button = el && (el.tagName === 'BUTTON' ? el : el.querySelector('button'));
    if (button && !button.disabled) { ev.preventDefault(); button.click(); }
  });
}
"""
_SHORTCUTS_HELP = (
    "Keys (outside text fields): a approve · e save edit · x reject · d redirect · u escalate · "
    "o open top item · r refresh · n / p next / previous page"
)


def _datatypes(columns: int) -> list[Literal["str", "number"]]:
    """Return a number column then text columns: cells show as text, never as Markdown or HTML."""
    kinds: list[Literal["str", "number"]] = ["str"] * columns
    kinds[0] = "number"
    return kinds


def _user(request: gr.Request | None, default_user: str | None) -> str | None:
    name = getattr(request, "username", None) if request is not None else None
    return name or default_user


def build_app(orch: Orchestrator, *, default_user: str | None = None) -> gr.Blocks:
    """Build the reviewer panel for ``orch``; ``default_user`` acts when nobody signed in (tests only)."""
    app: gr.Blocks
    with gr.Blocks(title="humangate review") as app:
        gr.HTML(STYLE + f"<div>{esc(_SHORTCUTS_HELP)}</div>", js_on_load=_SHORTCUTS_JS, elem_id="hg-shell")
        whoami = gr.HTML(elem_id="whoami")
        item_state = gr.State(None)  # {"id", "opened_at", "min_dwell"} of the open item
        pages = gr.State({"stack": [None], "next": None})  # keyset cursors of the inbox pages

        with gr.Tabs(selected="inbox") as tabs:
            with gr.Tab("Inbox", id="inbox"):
                with gr.Row():
                    f_graph = gr.Dropdown([h.ALL], value=h.ALL, label="Graph", elem_id="filter-graph")
                    f_node = gr.Dropdown([h.ALL], value=h.ALL, label="Node", elem_id="filter-node")
                    f_risk = gr.Dropdown([h.ALL], value=h.ALL, label="Risk", elem_id="filter-risk")
                    f_trigger = gr.Dropdown([h.ALL], value=h.ALL, label="Trigger", elem_id="filter-trigger")
                    f_role = gr.Dropdown([h.ALL], value=h.ALL, label="Role", elem_id="filter-role")
                with gr.Row():
                    inbox_count = gr.HTML("…", elem_id="inbox-count")
                    refresh = gr.Button("Refresh", elem_id="inbox-refresh", size="sm")
                    prev_page = gr.Button("Previous page", elem_id="inbox-prev-page", size="sm")
                    next_page = gr.Button("Next page", elem_id="inbox-next-page", size="sm")
                    open_top = gr.Button("Open top item", elem_id="open-top", variant="primary", size="sm")
                table = gr.Dataframe(
                    headers=h.INBOX_HEADERS,
                    datatype=_datatypes(len(h.INBOX_HEADERS)),
                    interactive=False,
                    wrap=True,
                    max_chars=200,
                    elem_id="inbox-table",
                )

            with gr.Tab("Review", id="review"):
                header = gr.HTML("<p>Open an item from the inbox.</p>", elem_id="item-header")
                with gr.Row(equal_height=False):
                    with gr.Column(scale=1, min_width=300):
                        gr.Markdown("**Sources**")
                        sources = gr.HTML(elem_id="item-sources")
                    with gr.Column(scale=1, min_width=300):
                        gr.Markdown("**Proposal** (editable)")
                        with gr.Group(visible=True) as email_group:
                            p_to = gr.Textbox(label="To", elem_id="proposal-to", max_lines=1)
                            p_subject = gr.Textbox(label="Subject", elem_id="proposal-subject", max_lines=2)
                            p_body = gr.Textbox(label="Body", elem_id="proposal-body", lines=12, max_lines=30)
                        p_json = gr.Textbox(
                            label="Proposal (JSON)", elem_id="proposal-json", lines=12, max_lines=40, visible=False
                        )
                gr.Markdown("**Why it paused**")
                triggers = gr.HTML(elem_id="item-triggers")
                observed = gr.HTML(elem_id="item-observed")
                with gr.Row():
                    reason = gr.Dropdown(
                        [("(none)", ""), *[(c, c) for c in REASON_CODES]],
                        value="",
                        label="Reason code",
                        elem_id="reason-code",
                    )
                    note = gr.Textbox(label="Note", elem_id="decision-note", max_lines=4)
                with gr.Row():
                    instructions = gr.Textbox(
                        label="Redirect: instructions for the agent", elem_id="redirect-instructions", max_lines=6
                    )
                    escalate_role = gr.Dropdown(
                        list(ROLES[1:]), value=ROLES[1], label="Escalate to", elem_id="escalate-role"
                    )
                with gr.Row():
                    btn_approve = gr.Button("Approve", elem_id="btn-approve", variant="primary", interactive=False)
                    btn_edit = gr.Button("Save edit", elem_id="btn-save-edit")
                    btn_reject = gr.Button("Reject", elem_id="btn-reject", variant="stop")
                    btn_redirect = gr.Button("Redirect", elem_id="btn-redirect")
                    btn_escalate = gr.Button("Escalate", elem_id="btn-escalate")
                status = gr.HTML(elem_id="decision-status")
                gr.Markdown("**Run timeline**")
                timeline = gr.HTML(elem_id="item-timeline")

            with gr.Tab("Runs", id="runs"):
                runs_refresh = gr.Button("Refresh runs", elem_id="runs-refresh", size="sm")
                runs_table = gr.Dataframe(
                    headers=h.RUNS_HEADERS,
                    datatype="str",
                    interactive=False,
                    wrap=True,
                    max_chars=200,
                    elem_id="runs-table",
                )
                with gr.Row():
                    run_id = gr.Textbox(label="Run id (or its first characters)", elem_id="run-id", max_lines=1)
                    run_show = gr.Button("Show run", elem_id="run-show")
                run_detail = gr.HTML(elem_id="run-detail")

            with gr.Tab("Audit", id="audit"):
                with gr.Row():
                    audit_refresh = gr.Button("Refresh", elem_id="audit-refresh", size="sm")
                    audit_verify = gr.Button("Verify the chain", elem_id="audit-verify")
                audit_status = gr.HTML(elem_id="audit-status")
                audit_table = gr.Dataframe(
                    headers=h.AUDIT_HEADERS,
                    datatype=_datatypes(len(h.AUDIT_HEADERS)),
                    interactive=False,
                    wrap=True,
                    max_chars=300,
                    elem_id="audit-table",
                )

            metrics = metrics_tab(orch, default_user=default_user)
            memory = memory_tab(orch, default_user=default_user)

            with gr.Tab("New task", id="task"):
                task_text = gr.Textbox(
                    label="What should be done? (plain English)", elem_id="task-text", lines=3, max_lines=10
                )
                task_file = gr.File(
                    label="Items (CSV, optional)", file_types=[".csv"], type="filepath", elem_id="task-file"
                )
                task_sources = gr.File(
                    label="Sources (.md or .txt, optional; every item reads them)",
                    file_types=[".md", ".txt"],
                    file_count="multiple",
                    type="filepath",
                    elem_id="task-sources",
                )
                task_start = gr.Button("Start", elem_id="task-start", variant="primary")
                task_log = gr.HTML(elem_id="task-log")

        inbox_timer = gr.Timer(INBOX_REFRESH_SECONDS)
        dwell_timer = gr.Timer(DWELL_TICK_SECONDS)
        filters = [f_graph, f_node, f_risk, f_trigger, f_role]
        review_outputs: list[Any] = [
            header,
            triggers,
            sources,
            observed,
            timeline,
            email_group,
            p_to,
            p_subject,
            p_body,
            p_json,
            btn_approve,
            btn_edit,
            btn_reject,
            btn_redirect,
            btn_escalate,
            escalate_role,
            reason,
            note,
            instructions,
            status,
            item_state,
            tabs,
        ]

        # -- inbox -------------------------------------------------------------------------

        def _inbox(values: tuple[str, ...], cursor: str | None) -> tuple[list[list[Any]], str, str | None]:
            try:
                page = h.inbox_page(orch, h.queue_filter(*values), cursor)
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
            user = _user(request, default_user)
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
                choices = h.filter_choices(orch, h.queue_filter(graph, node, risk, trigger, role))
            except HumanGateError:
                return {}
            current = {"graph": graph, "node": node, "risk": risk, "trigger": trigger, "role": role}
            return {
                comp: gr.Dropdown(choices=choices[key], value=current[key] or h.ALL)
                for comp, key in zip(filters, ("graph", "node", "risk", "trigger", "role"), strict=True)
            }

        def first_page(
            graph: str, node: str, risk: str, trigger: str, role: str, request: gr.Request
        ) -> dict[Any, Any]:
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

        inbox_inputs = [*filters, pages]
        inbox_outputs = [table, inbox_count, pages, whoami]
        app.load(load_inbox, inbox_inputs, inbox_outputs).then(load_choices, filters, filters)
        refresh.click(load_inbox, inbox_inputs, inbox_outputs).then(load_choices, filters, filters)
        inbox_timer.tick(load_inbox, inbox_inputs, inbox_outputs, show_progress="hidden")
        for f in filters:
            f.input(first_page, filters, inbox_outputs)
        next_page.click(turn(True), inbox_inputs, inbox_outputs)
        prev_page.click(turn(False), inbox_inputs, inbox_outputs)

        # -- review ------------------------------------------------------------------------

        def show(view: h.ItemView | None, message: str) -> dict[Any, Any]:
            if view is None:
                blank = {c: "" for c in (triggers, sources, observed, timeline, p_to, p_subject, p_body, p_json)}
                return {
                    **blank,
                    header: "<p>Nothing to review: the inbox has no item you may decide.</p>",
                    email_group: gr.Group(visible=True),
                    p_json: gr.Textbox(value="", visible=False),
                    btn_approve: gr.Button(interactive=False),
                    btn_edit: gr.Button(visible=True),
                    btn_reject: gr.Button(visible=True),
                    btn_redirect: gr.Button(visible=True),
                    btn_escalate: gr.Button(visible=True),
                    escalate_role: gr.Dropdown(),
                    reason: "",
                    note: "",
                    instructions: "",
                    status: render_status(message),
                    item_state: None,
                    tabs: gr.Tabs(selected="review"),
                }
            ready = h.approve_ready(orch.clock(), view.opened_at, view.min_dwell_seconds)
            allowed: set[Action] = set(view.allowed)
            return {
                header: view.header,
                triggers: view.triggers,
                sources: view.sources,
                observed: view.observed,
                timeline: view.timeline,
                email_group: gr.Group(visible=view.email),
                p_to: view.to,
                p_subject: view.subject,
                p_body: view.body,
                p_json: gr.Textbox(value=view.proposal_json, visible=not view.email),
                btn_approve: gr.Button(visible="approve" in allowed, interactive=ready),
                btn_edit: gr.Button(visible="edit" in allowed),
                btn_reject: gr.Button(visible="reject" in allowed),
                btn_redirect: gr.Button(visible="redirect" in allowed),
                btn_escalate: gr.Button(visible="escalate" in allowed and bool(view.escalate_roles)),
                escalate_role: gr.Dropdown(
                    choices=list(view.escalate_roles) or list(ROLES[1:]),
                    value=(view.escalate_roles or ROLES[1:])[0],
                ),
                reason: "",
                note: "",
                instructions: "",
                status: render_status(message),
                item_state: {
                    "id": view.item_id,
                    "opened_at": view.opened_at,
                    "min_dwell": view.min_dwell_seconds,
                    "email": view.email,
                },
                tabs: gr.Tabs(selected="review"),
            }

        def open_id(item_id: int | None, user: str | None, message: str | None = None) -> dict[Any, Any]:
            if item_id is None:
                return show(None, message or "No pending item you may decide.")
            if not user:
                return show(None, "Sign in first: items are claimed in your name.")
            try:
                view = h.open_item(orch, user, item_id)
            except HumanGateError as exc:
                return show(None, str(exc))
            return show(view, message or view.message)

        def on_select(evt: gr.SelectData, request: gr.Request) -> dict[Any, Any]:
            row = evt.row_value or []
            try:
                item_id = int(row[0])
            except (IndexError, TypeError, ValueError):
                return {status: render_status("Pick a row of the inbox.")}
            return open_id(item_id, _user(request, default_user))

        def on_open_top(
            graph: str, node: str, risk: str, trigger: str, role: str, request: gr.Request
        ) -> dict[Any, Any]:
            user = _user(request, default_user)
            if not user:
                return show(None, "Sign in first: items are claimed in your name.")
            try:
                item_id = h.next_item_id(orch, user, filt=h.queue_filter(graph, node, risk, trigger, role))
            except HumanGateError as exc:
                return show(None, str(exc))
            return open_id(item_id, user)

        table.select(on_select, None, review_outputs)
        open_top.click(on_open_top, filters, review_outputs)

        def decider(action: Action) -> Any:
            def act(
                state: dict[str, Any] | None,
                reason_code: str,
                note_text: str,
                instructions_text: str,
                role: str,
                to: str,
                subject: str,
                body: str,
                proposal_json: str,
                request: gr.Request,
            ) -> dict[Any, Any]:
                user = _user(request, default_user)
                item_id = int(state["id"]) if state else None
                form = h.DecisionForm(
                    action=action,
                    reason_code=reason_code or None,
                    note=note_text,
                    instructions=instructions_text,
                    escalate_to=role,
                    to=to,
                    subject=subject,
                    body=body,
                    proposal_json=None if state and state.get("email") else proposal_json,
                )
                outcome = h.decide(orch, user, item_id, form)
                if not outcome.ok:
                    return {status: render_status(outcome.message)}
                if outcome.next_item is None:
                    return show(None, outcome.message + " Nothing else is waiting for you.")
                nxt = open_id(outcome.next_item, user)
                nxt[status] = render_status(f"{outcome.message} Opened item {outcome.next_item}.")
                return nxt

            return act

        decision_inputs = [
            item_state,
            reason,
            note,
            instructions,
            escalate_role,
            p_to,
            p_subject,
            p_body,
            p_json,
        ]
        for button, action in (
            (btn_approve, "approve"),
            (btn_edit, "edit"),
            (btn_reject, "reject"),
            (btn_redirect, "redirect"),
            (btn_escalate, "escalate"),
        ):
            # No progress overlay: it costs a redraw of every output and a decision should feel instant.
            button.click(
                decider(action),  # type: ignore[arg-type]
                decision_inputs,
                review_outputs,
                show_progress="hidden",
            ).then(load_inbox, inbox_inputs, inbox_outputs, show_progress="hidden")

        def on_tick(state: dict[str, Any] | None) -> Any:
            if not state:
                return gr.Button(interactive=False)
            return gr.Button(interactive=h.approve_ready(orch.clock(), state["opened_at"], state["min_dwell"]))

        dwell_timer.tick(on_tick, item_state, btn_approve, show_progress="hidden")

        # -- runs, audit, new task --------------------------------------------------------

        def load_runs() -> list[list[Any]]:
            return h.runs_rows(orch)

        def on_run_select(evt: gr.SelectData) -> dict[Any, Any]:
            row = evt.row_value or []
            rid = str(row[0]) if row else ""
            return {run_id: rid, run_detail: h.run_detail(orch, rid)}

        app.load(load_runs, None, runs_table)
        runs_refresh.click(load_runs, None, runs_table)
        inbox_timer.tick(load_runs, None, runs_table, show_progress="hidden")
        runs_table.select(on_run_select, None, [run_id, run_detail])
        run_show.click(lambda rid: h.run_detail(orch, rid or ""), run_id, run_detail)
        run_id.submit(lambda rid: h.run_detail(orch, rid or ""), run_id, run_detail)

        def load_audit() -> list[list[Any]]:
            return h.audit_rows(orch)

        app.load(load_audit, None, audit_table)
        audit_refresh.click(load_audit, None, audit_table)
        audit_verify.click(lambda: esc(h.audit_status(orch)), None, audit_status).then(load_audit, None, audit_table)
        metrics.tab.select(metrics.refresh, metrics.inputs, metrics.outputs)  # computed when opened, not on load
        memory.tab.select(memory.refresh, memory.inputs, memory.outputs)

        def on_start(task: str, csv_path: str | None, sources: list[str] | None, request: gr.Request) -> Any:
            for log in h.start_task(orch, _user(request, default_user), task or "", csv_path, sources):
                yield text_block(log)

        task_start.click(on_start, [task_text, task_file, task_sources], task_log).then(
            load_runs, None, runs_table
        ).then(load_inbox, inbox_inputs, inbox_outputs)
    return app


def serve(app: gr.Blocks, orch: Orchestrator, *, host: str = "127.0.0.1", port: int = 7860) -> str:
    """Launch ``app`` in the background with a login checked against the users table; return its URL.

    Call ``app.block_thread()`` to serve until interrupted, or ``app.close()`` to stop.
    """
    app.queue(default_concurrency_limit=4)
    _, local_url, _ = app.launch(
        server_name=host,
        server_port=port,
        auth=orch.check_password,
        auth_message="Sign in with your humangate user (humangate users add NAME --role reviewer --password ...).",
        prevent_thread_lock=True,
        quiet=True,
        footer_links=[],
    )
    return str(local_url)
