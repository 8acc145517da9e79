"""The panel's New task tab: a plain-English task, an optional CSV of items and source files, Plan and Start.

Plan shows what ``humangate run --dry-run`` prints (graph, items, each gate and what holds it) and
enables Start; changing the task or its files disables Start until the plan is shown again.

This module lays the tab out and holds its handler; ``build_app`` registers its event through ``wire``. The
planning and starting are in ``humangate.ui.task_view``; runs start under the signed-in user's name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from humangate.review.service import Orchestrator
from humangate.sources import DOCUMENT_SUFFIXES
from humangate.ui.inbox_tab import InboxTab
from humangate.ui.render import text_block
from humangate.ui.runs_tab import RunsTab
from humangate.ui.tab_support import signed_in
from humangate.ui.task_view import plan_text, start_task

__all__ = ["TaskTab", "task_tab"]


@dataclass(frozen=True)
class TaskTab:
    """The tab's components; ``wire(runs, inbox)`` registers Start, which reloads ``runs`` then ``inbox``."""

    start: gr.Button
    wire: Callable[[RunsTab, InboxTab], None]


def task_tab(orch: Orchestrator, *, default_user: str | None = None) -> TaskTab:
    """Build the New task tab inside the current ``gr.Tabs``; its log grows as each run starts."""
    with gr.Tab("New task", id="task"):
        task_text = gr.Textbox(label="What should be done? (plain English)", elem_id="task-text", lines=3, max_lines=10)
        task_file = gr.File(label="Items (CSV, optional)", file_types=[".csv"], type="filepath", elem_id="task-file")
        task_sources = gr.File(
            label="Sources (.md, .txt, .html, .pdf or .docx, optional; every item reads them)",
            file_types=list(DOCUMENT_SUFFIXES),
            file_count="multiple",
            type="filepath",
            elem_id="task-sources",
        )
        with gr.Row():
            task_plan = gr.Button("Plan", elem_id="task-plan")
            task_start = gr.Button("Start", elem_id="task-start", variant="primary", interactive=False)
        task_log = gr.HTML(elem_id="task-log")

    def on_plan(task: str, csv_path: str | None, sources: list[str] | None, request: gr.Request) -> tuple[str, Any]:
        plan = plan_text(orch, signed_in(request, default_user), task or "", csv_path, sources)
        return text_block(plan), gr.update(interactive="Nothing was started." in plan)

    def on_change() -> Any:
        return gr.update(interactive=False)

    def on_start(task: str, csv_path: str | None, sources: list[str] | None, request: gr.Request) -> Iterator[str]:
        for log in start_task(orch, signed_in(request, default_user), task or "", csv_path, sources):
            yield text_block(log)

    def wire(runs: RunsTab, inbox: InboxTab) -> None:
        task_plan.click(on_plan, [task_text, task_file, task_sources], [task_log, task_start])
        for box in (task_text, task_file, task_sources):
            box.change(on_change, None, task_start)
        task_start.click(on_start, [task_text, task_file, task_sources], task_log).then(
            runs.load, None, runs.table
        ).then(inbox.load, inbox.inputs, inbox.outputs)

    return TaskTab(start=task_start, wire=wire)
