"""The panel's Review tab: one claimed item's proposal beside why it paused and its sources, and the decision bar.

The decision bar (``humangate.ui.decision_bar``) is pinned to the bottom of the window, so every action is on
screen without scrolling. The proposal is edited in a typed form (``humangate.ui.proposal_editor``); its JSON stays
behind an "Advanced" fold. This module lays the tab out and holds its handlers; ``build_app`` registers its
events through ``wire`` once the page's timers exist. Opening and deciding are in ``humangate.ui.review_view``:
every decision goes through the Orchestrator as the signed-in user, and Approve stays disabled until the
policy's minimum dwell passed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr

from humangate.core.contract import ROLES, Action
from humangate.errors import HumanGateError
from humangate.review.service import Orchestrator
from humangate.ui.decision_bar import decision_bar
from humangate.ui.inbox_tab import InboxTab
from humangate.ui.inbox_view import next_item_id, queue_filter
from humangate.ui.proposal_editor import proposal_editor
from humangate.ui.proposal_form import ProposalForm
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
        with gr.Column(elem_id="review-body"):
            header = gr.HTML("<p>Open an item from the inbox.</p>", elem_id="item-header")
            with gr.Row(equal_height=False):
                with gr.Column(scale=4, min_width=320, elem_classes="hg-col"):
                    gr.Markdown("**Proposal**")
                    editor = proposal_editor()
                    with gr.Accordion("Advanced: edit the proposal as JSON", open=False, elem_id="proposal-json-box"):
                        p_json = gr.Textbox(label="Proposal (JSON)", elem_id="proposal-json", lines=10, max_lines=40)
                        btn_json = gr.Button("Save the JSON edit", elem_id="btn-save-json", size="sm")
                with gr.Column(scale=3, min_width=260, elem_classes="hg-col"):
                    gr.Markdown("**Why it paused**")
                    triggers = gr.HTML(elem_id="item-triggers")
                    observed = gr.HTML(elem_id="item-observed")
                with gr.Column(scale=3, min_width=260, elem_classes="hg-col"):
                    gr.Markdown("**Sources**")
                    sources = gr.HTML(elem_id="item-sources")
            gr.Markdown("**Run timeline**")
            timeline = gr.HTML(elem_id="item-timeline")
        bar = decision_bar()
    reason, note, instructions, escalate_role, status = (
        bar.reason,
        bar.note,
        bar.instructions,
        bar.escalate_role,
        bar.status,
    )
    btn_approve, btn_edit, btn_reject, btn_redirect, btn_escalate = (
        bar.approve,
        bar.edit,
        bar.reject,
        bar.redirect,
        bar.escalate,
    )

    review_outputs: list[Any] = [
        header,
        triggers,
        sources,
        observed,
        timeline,
        p_json,
        btn_approve,
        btn_edit,
        btn_reject,
        btn_redirect,
        btn_escalate,
        btn_json,
        escalate_role,
        reason,
        note,
        instructions,
        status,
        item_state,
        tabs,
        *editor.outputs,
    ]

    def show(view: ItemView | None, message: str, before: ProposalForm | None) -> dict[Any, Any]:
        # ``before``: the form the page shows now; only what changes is sent.
        if view is None:
            blank = {c: "" for c in (triggers, sources, observed, timeline, p_json)}
            return {
                **blank,
                header: "<p>Nothing to review: the inbox has no item you may decide.</p>",
                btn_approve: gr.Button(interactive=False),
                btn_edit: gr.Button(visible=True, interactive=False),
                btn_reject: gr.Button(visible=True, interactive=False),
                btn_redirect: gr.Button(visible=True, interactive=False),
                btn_escalate: gr.Button(visible=True, interactive=False),
                btn_json: gr.Button(interactive=False),
                escalate_role: gr.Dropdown(),
                reason: None,
                note: "",
                instructions: "",
                status: render_status(message),
                item_state: None,
                tabs: gr.Tabs(selected="review"),
                **editor.fill(None, False, before),
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
            p_json: gr.Textbox(value=view.proposal_json, interactive=can),
            btn_approve: gr.Button(visible="approve" in allowed, interactive=ready and can),
            btn_edit: gr.Button(visible="edit" in allowed, interactive=can),
            btn_reject: gr.Button(visible="reject" in allowed, interactive=can),
            btn_redirect: gr.Button(visible="redirect" in allowed, interactive=can),
            btn_escalate: gr.Button(visible="escalate" in allowed and bool(view.escalate_roles), interactive=can),
            btn_json: gr.Button(interactive=can and "edit" in allowed),
            escalate_role: gr.Dropdown(
                choices=list(view.escalate_roles) or list(ROLES[1:]),
                value=(view.escalate_roles or ROLES[1:])[0],
            ),
            reason: None,
            note: "",
            instructions: "",
            status: render_status(message),
            item_state: {
                "id": view.item_id,
                "opened_at": view.opened_at,
                "min_dwell": view.min_dwell_seconds,
                "claimed": view.claimed,
                "form": view.form,
            },
            tabs: gr.Tabs(selected="review"),
            **editor.fill(view.form, view.claimed, before),
        }

    def open_id(
        item_id: int | None, user: str | None, before: ProposalForm | None, message: str | None = None, done: str = ""
    ) -> dict[Any, Any]:
        # ``done`` says what was just recorded: the reviewer reads it even when the next item cannot open.
        lead = f"{done} " if done else ""
        if item_id is None:
            return show(None, lead + (message or "No pending item you may decide."), before)
        if not user:
            return show(None, lead + "Sign in first: items are claimed in your name.", before)
        try:
            view = open_item(orch, user, item_id)
        except HumanGateError as exc:
            return show(None, f"{lead}Item {item_id} could not be opened: {exc}", before)
        return show(view, lead + (message or view.message), before)

    def shown(state: dict[str, Any] | None) -> ProposalForm | None:
        return state["form"] if state else None

    def on_select(state: dict[str, Any] | None, evt: gr.SelectData, request: gr.Request) -> dict[Any, Any]:
        row = evt.row_value or []
        try:
            item_id = int(row[0])
        except (IndexError, TypeError, ValueError):
            return {status: render_status("Pick a row of the inbox.")}
        return open_id(item_id, signed_in(request, default_user), shown(state))

    def on_open_top(
        graph: str, node: str, risk: str, trigger: str, role: str, state: dict[str, Any] | None, request: gr.Request
    ) -> dict[Any, Any]:
        user = signed_in(request, default_user)
        if not user:
            return show(None, "Sign in first: items are claimed in your name.", shown(state))
        try:
            item_id = next_item_id(orch, user, filt=queue_filter(graph, node, risk, trigger, role))
        except HumanGateError as exc:
            return show(None, str(exc), shown(state))
        return open_id(item_id, user, shown(state))

    def record(
        action: Action, state: dict[str, Any] | None, bar: Sequence[Any], user: str | None, **edit: Any
    ) -> dict[Any, Any]:
        reason_code, note_text, instructions_text, role = bar
        form = DecisionForm(
            action=action,
            reason_code=reason_code or None,
            note=note_text,
            instructions=instructions_text,
            escalate_to=role,
            **edit,
        )
        outcome = decide(orch, user, int(state["id"]) if state else None, form)
        if not outcome.ok:
            return {status: render_status(outcome.message)}
        if outcome.next_item is None:
            return show(None, outcome.message + " Nothing else is waiting for you.", shown(state))
        return open_id(outcome.next_item, user, shown(state), done=outcome.message)

    bar_inputs = [reason, note, instructions, escalate_role]

    def decider(action: Action) -> Any:
        def act(
            state: dict[str, Any] | None,
            reason_code: str,
            note_text: str,
            instructions_text: str,
            role: str,
            request: gr.Request,
        ) -> dict[Any, Any]:
            bar = (reason_code, note_text, instructions_text, role)
            return record(action, state, bar, signed_in(request, default_user))

        return act

    # The request comes first: gradio fills a gr.Request parameter by its position, and the form's values vary.
    def save_typed(
        request: gr.Request,
        state: dict[str, Any] | None,
        reason_code: str,
        note_text: str,
        instructions_text: str,
        role: str,
        *form_values: Any,
    ) -> dict[Any, Any]:
        bar = (reason_code, note_text, instructions_text, role)
        edit = editor.edit(state["form"], form_values) if state else None
        return record("edit", state, bar, signed_in(request, default_user), edit=edit)

    def on_reason(code: str | None, state: dict[str, Any] | None) -> dict[Any, Any]:
        if not state:
            return {}
        return editor.lock(state["form"], bool(state.get("claimed")), code)

    def save_json(
        state: dict[str, Any] | None,
        reason_code: str,
        note_text: str,
        instructions_text: str,
        role: str,
        proposal_json: str,
        request: gr.Request,
    ) -> dict[Any, Any]:
        bar = (reason_code, note_text, instructions_text, role)
        return record("edit", state, bar, signed_in(request, default_user), proposal_json=proposal_json)

    def on_tick(state: dict[str, Any] | None) -> Any:
        if not state or not state.get("claimed", True):
            return gr.Button(interactive=False)
        return gr.Button(interactive=approve_ready(orch.clock(), state["opened_at"], state["min_dwell"]))

    def wire(inbox: InboxTab, timer: gr.Timer) -> None:
        def reload_inbox(event: Any) -> None:
            event.then(inbox.load, inbox.inputs, inbox.outputs, show_progress="hidden")

        inbox.table.select(on_select, item_state, review_outputs)
        inbox.open_top.click(on_open_top, [*inbox.filters, item_state], review_outputs)
        for button, action in (
            (btn_approve, "approve"),
            (btn_reject, "reject"),
            (btn_redirect, "redirect"),
            (btn_escalate, "escalate"),
        ):
            # No progress overlay: it costs a redraw of every output and a decision should feel instant.
            reload_inbox(
                button.click(
                    decider(action),  # type: ignore[arg-type]
                    [item_state, *bar_inputs],
                    review_outputs,
                    show_progress="hidden",
                )
            )
        reload_inbox(
            btn_edit.click(
                save_typed, [item_state, *bar_inputs, *editor.inputs], review_outputs, show_progress="hidden"
            )
        )
        reload_inbox(
            btn_json.click(save_json, [item_state, *bar_inputs, p_json], review_outputs, show_progress="hidden")
        )
        # Only the recipient boxes change: the rest of the form keeps what the reviewer typed.
        reason.input(on_reason, [reason, item_state], editor.recipient_boxes, show_progress="hidden")
        timer.tick(on_tick, item_state, btn_approve, show_progress="hidden")

    return ReviewTab(outputs=review_outputs, wire=wire)
