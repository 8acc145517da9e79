"""The review view's decision bar: reason codes, note, redirect instructions, escalation role, the five buttons.

The bar is pinned to the bottom of the window (``#decision-bar`` in ``render.STYLE``), so every action is on
screen at 1280x720 whatever the proposal's length. A reason code is one click on its radio, or one key (see
``humangate.ui.reason_keys``). The bar only collects input: what each button does is in ``review_tab``, and
what is allowed is decided by the service.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from humangate.core.contract import ROLES
from humangate.ui.reason_keys import REASON_CHOICES, REASON_HINT

__all__ = ["DecisionBar", "decision_bar"]


@dataclass(frozen=True)
class DecisionBar:
    """The bar's components."""

    reason: gr.Radio
    note: gr.Textbox
    instructions: gr.Textbox
    escalate_role: gr.Dropdown
    approve: gr.Button
    edit: gr.Button
    reject: gr.Button
    redirect: gr.Button
    escalate: gr.Button
    status: gr.HTML


def _line(placeholder: str, elem_id: str) -> gr.Textbox:
    return gr.Textbox(
        placeholder=placeholder,
        show_label=False,
        container=False,
        elem_id=elem_id,
        lines=1,
        max_lines=2,
        scale=3,
    )


def decision_bar() -> DecisionBar:
    """Lay the bar out here: the reason codes on top, then the texts, the role and the buttons, then the status."""
    with gr.Column(elem_id="decision-bar"):
        reason = gr.Radio(
            REASON_CHOICES, value=None, label=REASON_HINT, elem_id="reason-code", container=False, show_label=False
        )
        with gr.Row(equal_height=True):
            note = _line("Note (optional)", "decision-note")
            instructions = _line("Redirect: instructions for the agent", "redirect-instructions")
            escalate_role = gr.Dropdown(
                list(ROLES[1:]),
                value=ROLES[1],
                show_label=False,
                container=False,
                elem_id="escalate-role",
                scale=1,
                min_width=110,
            )
            approve = gr.Button(
                "Approve", elem_id="btn-approve", variant="primary", interactive=False, scale=1, min_width=90
            )
            edit = gr.Button("Save edit", elem_id="btn-save-edit", scale=1, min_width=100)
            reject = gr.Button("Reject", elem_id="btn-reject", variant="stop", scale=1, min_width=80)
            redirect = gr.Button("Redirect", elem_id="btn-redirect", scale=1, min_width=90)
            escalate = gr.Button("Escalate", elem_id="btn-escalate", scale=1, min_width=90)
        status = gr.HTML(elem_id="decision-status")
    return DecisionBar(reason, note, instructions, escalate_role, approve, edit, reject, redirect, escalate, status)
