"""The panel's Audit tab: the newest audit events, and a check that their hash chain is intact.

This module lays the tab out and holds its handlers; ``build_app`` registers its events through ``wire``.
The reads are in ``humangate.ui.runs_view``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from humangate.review.service import Orchestrator
from humangate.ui.render import esc
from humangate.ui.runs_view import AUDIT_HEADERS, audit_rows, audit_status
from humangate.ui.tab_support import text_datatypes

__all__ = ["AuditTab", "audit_tab"]


@dataclass(frozen=True)
class AuditTab:
    """The tab's components; ``wire(app)`` registers its events: on page load, Refresh and Verify the chain."""

    table: gr.Dataframe
    wire: Callable[[gr.Blocks], None]


def audit_tab(orch: Orchestrator) -> AuditTab:
    """Build the Audit tab inside the current ``gr.Tabs``."""
    with gr.Tab("Audit", id="audit"):
        with gr.Row():
            audit_refresh = gr.Button("Refresh", elem_id="audit-refresh", size="sm")
            audit_verify = gr.Button("Verify the chain", elem_id="audit-verify")
        status = gr.HTML(elem_id="audit-status")
        audit_table = gr.Dataframe(
            headers=AUDIT_HEADERS,
            datatype=text_datatypes(len(AUDIT_HEADERS)),
            interactive=False,
            wrap=True,
            max_chars=300,
            elem_id="audit-table",
        )

    def load_audit() -> list[list[Any]]:
        return audit_rows(orch)

    def wire(app: gr.Blocks) -> None:
        app.load(load_audit, None, audit_table)
        audit_refresh.click(load_audit, None, audit_table)
        audit_verify.click(lambda: esc(audit_status(orch)), None, status).then(load_audit, None, audit_table)

    return AuditTab(table=audit_table, wire=wire)
