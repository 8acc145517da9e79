"""The panel's Audit tab: the newest audit events, one event in full, and a check that the hash chain is intact.

Picking a row shows that event below the table; an edit decision shows the diff of edited against proposed.

This module lays the tab out and holds its handlers; ``build_app`` registers its events through ``wire``.
The reads are in ``humangate.ui.runs_view``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from humangate.review.service import Orchestrator
from humangate.ui.render import esc, render_status
from humangate.ui.runs_view import AUDIT_HEADERS, audit_detail, audit_rows, audit_status
from humangate.ui.tab_support import text_datatypes

__all__ = ["AuditTab", "audit_tab"]


@dataclass(frozen=True)
class AuditTab:
    """The tab's components; ``wire(app)`` registers its events: on page load, Refresh, a picked row, Verify."""

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
        detail = gr.HTML(
            "<p>Pick a row to see the event in full; an edit shows what it changed.</p>", elem_id="audit-detail"
        )

    def load_audit() -> list[list[Any]]:
        return audit_rows(orch)

    def on_select(evt: gr.SelectData) -> str:
        row = evt.row_value or []
        try:
            seq = int(row[0])
        except (IndexError, TypeError, ValueError):
            return render_status("Pick a row of the audit table.")
        return audit_detail(orch, seq)

    def wire(app: gr.Blocks) -> None:
        app.load(load_audit, None, audit_table)
        audit_refresh.click(load_audit, None, audit_table)
        audit_table.select(on_select, None, detail)
        audit_verify.click(lambda: esc(audit_status(orch)), None, status).then(load_audit, None, audit_table)

    return AuditTab(table=audit_table, wire=wire)
