"""The panel's Review tab: one claimed item's sources, proposal and triggers, and the five decision buttons.

This module lays the tab out and holds its handlers; ``build_app`` registers its events through ``wire`` once
the page's timers exist. Opening and deciding are in ``humangate.ui.review_view``: every decision goes through
the Orchestrator as the signed-in user, and Approve stays disabled until the policy's minimum dwell passed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr

from humangate.core.contract import REASON_CODES, ROLES, Action
from humangate.errors import HumanGateError
from humangate.review.service import Orchestrator
from humangate.ui.inbox_tab import InboxTab
from humangate.ui.inbox_view import next_item_id, queue_filter
from humangate.ui.render import render_status
from humangate.ui.review_view import DecisionForm, ItemView, approve_ready, decide, open_item
from humangate.ui.tab_support import signed_in

__all__ = ["ReviewTab", "review_tab"]


@dataclass(frozen=True)
class ReviewTab:
    """The tab's components; ``outputs`` is what opening an item updates, ``item_state`` and ``tabs`` included.

    ``wire(inbox, timer)`` registers the tab's events: a picked inbox row and Open top item open an item here,
    each decision reloads ``inbox``, and each ``timer`` tick re-checks whether Approve may be pressed yet.
    """

    outputs: Sequence[Any]
    wire: Callable[[InboxTab, gr.Timer], None]


def review_tab(
    orch: Orchestrator, *, item_state: gr.State, tabs: gr.Tabs, default_user: str | None = None
) -> ReviewTab:
    """Build the Review tab inside ``tabs``; the open item lives in ``item_state``, and opening one selects it."""
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
            escalate_role = gr.Dropdown(list(ROLES[1:]), value=ROLES[1], label="Escalate to", elem_id="escalate-role")
        with gr.Row():
            btn_approve = gr.Button("Approve", elem_id="btn-approve", variant="primary", interactive=False)
            btn_edit = gr.Button("Save edit", elem_id="btn-save-edit")
            btn_reject = gr.Button("Reject", elem_id="btn-reject", variant="stop")
            btn_redirect = gr.Button("Redirect", elem_id="btn-redirect")
            btn_escalate = gr.Button("Escalate", elem_id="btn-escalate")
        status = gr.HTML(elem_id="decision-status")
        gr.Markdown("**Run timeline**")
        timeline = gr.HTML(elem_id="item-timeline")

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

    def show(view: ItemView | None, message: str) -> dict[Any, Any]:
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
        ready = approve_ready(orch.clock(), view.opened_at, view.min_dwell_seconds)
        allowed: set[Action] = set(view.allowed)
        # Not claimed (above the user's role, held by another): read only; the service refuses anyway.
        can = view.claimed
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
            btn_approve: gr.Button(visible="approve" in allowed, interactive=ready and can),
            btn_edit: gr.Button(visible="edit" in allowed, interactive=can),
            btn_reject: gr.Button(visible="reject" in allowed, interactive=can),
            btn_redirect: gr.Button(visible="redirect" in allowed, interactive=can),
            btn_escalate: gr.Button(visible="escalate" in allowed and bool(view.escalate_roles), interactive=can),
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
                "claimed": view.claimed,
            },
            tabs: gr.Tabs(selected="review"),
        }

    def open_id(item_id: int | None, user: str | None, message: str | None = None, done: str = "") -> dict[Any, Any]:
        # ``done`` says what was just recorded: the reviewer reads it even when the next item cannot open.
        lead = f"{done} " if done else ""
        if item_id is None:
            return show(None, lead + (message or "No pending item you may decide."))
        if not user:
            return show(None, lead + "Sign in first: items are claimed in your name.")
        try:
            view = open_item(orch, user, item_id)
        except HumanGateError as exc:
            return show(None, f"{lead}Item {item_id} could not be opened: {exc}")
        return show(view, lead + (message or view.message))

    def on_select(evt: gr.SelectData, request: gr.Request) -> dict[Any, Any]:
        row = evt.row_value or []
        try:
            item_id = int(row[0])
        except (IndexError, TypeError, ValueError):
            return {status: render_status("Pick a row of the inbox.")}
        return open_id(item_id, signed_in(request, default_user))

    def on_open_top(graph: str, node: str, risk: str, trigger: str, role: str, request: gr.Request) -> dict[Any, Any]:
        user = signed_in(request, default_user)
        if not user:
            return show(None, "Sign in first: items are claimed in your name.")
        try:
            item_id = next_item_id(orch, user, filt=queue_filter(graph, node, risk, trigger, role))
        except HumanGateError as exc:
            return show(None, str(exc))
        return open_id(item_id, user)

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
            user = signed_in(request, default_user)
            item_id = int(state["id"]) if state else None
            form = DecisionForm(
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
            outcome = decide(orch, user, item_id, form)
            if not outcome.ok:
                return {status: render_status(outcome.message)}
            if outcome.next_item is None:
                return show(None, outcome.message + " Nothing else is waiting for you.")
            return open_id(outcome.next_item, user, done=outcome.message)

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

    def on_tick(state: dict[str, Any] | None) -> Any:
        if not state or not state.get("claimed", True):
            return gr.Button(interactive=False)
        return gr.Button(interactive=approve_ready(orch.clock(), state["opened_at"], state["min_dwell"]))

    def wire(inbox: InboxTab, timer: gr.Timer) -> None:
        inbox.table.select(on_select, None, review_outputs)
        inbox.open_top.click(on_open_top, inbox.filters, review_outputs)
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
            ).then(inbox.load, inbox.inputs, inbox.outputs, show_progress="hidden")
        timer.tick(on_tick, item_state, btn_approve, show_progress="hidden")

    return ReviewTab(outputs=review_outputs, wire=wire)
