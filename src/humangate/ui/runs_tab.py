"""The panel's Runs tab: the newest runs, and one run's state, decisions and timeline.

This module lays the tab out and holds its handlers; ``build_app`` registers its events through ``wire`` once
the page's timers exist. The reads are in ``humangate.ui.runs_view``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from humangate.review.service import Orchestrator
from humangate.ui.runs_view import RUNS_HEADERS, run_detail, runs_rows

__all__ = ["RunsTab", "runs_tab"]


@dataclass(frozen=True)
class RunsTab:
    """The tab's components; ``load()`` returns the rows of ``table``.

    ``wire(app, timer)`` registers the tab's events: on page load, Refresh runs and each ``timer`` tick, and
    showing a run picked from the table or typed by id.
    """

    table: gr.Dataframe
    load: Callable[[], list[list[Any]]]
    wire: Callable[[gr.Blocks, gr.Timer], None]


def runs_tab(orch: Orchestrator) -> RunsTab:
    """Build the Runs tab inside the current ``gr.Tabs``."""
    with gr.Tab("Runs", id="runs"):
        runs_refresh = gr.Button("Refresh runs", elem_id="runs-refresh", size="sm")
        runs_table = gr.Dataframe(
            headers=RUNS_HEADERS,
            datatype="str",
            interactive=False,
            wrap=True,
            max_chars=200,
            elem_id="runs-table",
        )
        with gr.Row():
            run_id = gr.Textbox(label="Run id (or its first characters)", elem_id="run-id", max_lines=1)
            run_show = gr.Button("Show run", elem_id="run-show")
        detail = gr.HTML(elem_id="run-detail")

    def load_runs() -> list[list[Any]]:
        return runs_rows(orch)

    def on_run_select(evt: gr.SelectData) -> dict[Any, Any]:
        row = evt.row_value or []
        rid = str(row[0]) if row else ""
        return {run_id: rid, detail: run_detail(orch, rid)}

    def wire(app: gr.Blocks, timer: gr.Timer) -> None:
        app.load(load_runs, None, runs_table)
        runs_refresh.click(load_runs, None, runs_table)
        timer.tick(load_runs, None, runs_table, show_progress="hidden")
        runs_table.select(on_run_select, None, [run_id, detail])
        run_show.click(lambda rid: run_detail(orch, rid or ""), run_id, detail)
        run_id.submit(lambda rid: run_detail(orch, rid or ""), run_id, detail)

    return RunsTab(table=runs_table, load=load_runs, wire=wire)
