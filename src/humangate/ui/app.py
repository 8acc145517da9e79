"""The reviewer panel: the page shell, its tabs composed in order, and ``serve``.

``build_app`` only builds: each tab is laid out by its ``*_tab`` module (handlers in the matching ``*_view``
module), and this module keeps what the tabs share: the signed-in banner, the open item, the inbox's page
cursors, the keyboard shortcuts and the timers. ``serve`` launches with a login checked against the users
table. The page never decides who may do what: every action goes through the Orchestrator as the signed-in
user.
"""

from __future__ import annotations

import gradio as gr
from starlette.middleware import Middleware

from humangate.review.service import Orchestrator
from humangate.ui.audit_tab import audit_tab
from humangate.ui.guard import ClientAddress, login_checker
from humangate.ui.inbox_tab import inbox_tab
from humangate.ui.memory_tab import memory_tab
from humangate.ui.metrics_tab import metrics_tab
from humangate.ui.reason_keys import SHORTCUTS_HELP, SHORTCUTS_JS
from humangate.ui.render import STYLE, esc
from humangate.ui.review_tab import review_tab
from humangate.ui.runs_tab import runs_tab
from humangate.ui.task_tab import task_tab

__all__ = ["build_app", "serve"]

INBOX_REFRESH_SECONDS = 10.0
DWELL_TICK_SECONDS = 1.0


def build_app(orch: Orchestrator, *, default_user: str | None = None) -> gr.Blocks:
    """Build the reviewer panel for ``orch``; ``default_user`` acts when nobody signed in (tests only)."""
    app: gr.Blocks
    with gr.Blocks(title="humangate review") as app:
        with gr.Row(elem_id="hg-top"):  # one line above the tabs: the review view needs the height
            whoami = gr.HTML(elem_id="whoami", scale=1, min_width=220)
            gr.HTML(STYLE + f"<div>{esc(SHORTCUTS_HELP)}</div>", js_on_load=SHORTCUTS_JS, elem_id="hg-shell", scale=4)
        item_state = gr.State(None)  # {"id", "opened_at", "min_dwell"} of the open item
        pages = gr.State({"stack": [None], "next": None})  # keyset cursors of the inbox pages

        with gr.Tabs(selected="inbox") as tabs:
            inbox = inbox_tab(orch, pages=pages, whoami=whoami, default_user=default_user)
            review = review_tab(orch, item_state=item_state, tabs=tabs, default_user=default_user)
            runs = runs_tab(orch)
            audit = audit_tab(orch)
            metrics = metrics_tab(orch, default_user=default_user)
            memory = memory_tab(orch, default_user=default_user)
            task = task_tab(orch, default_user=default_user)

        # Timers sit after the tabs; the tabs' events are registered once they exist, in this order.
        inbox_timer = gr.Timer(INBOX_REFRESH_SECONDS)
        dwell_timer = gr.Timer(DWELL_TICK_SECONDS)
        inbox.wire(app, inbox_timer)
        review.wire(inbox, dwell_timer)
        runs.wire(app, inbox_timer)
        audit.wire(app)
        metrics.tab.select(metrics.refresh, metrics.inputs, metrics.outputs)  # computed when opened, not on load
        memory.tab.select(memory.refresh, memory.inputs, memory.outputs)
        task.wire(runs, inbox)
    return app


def serve(app: gr.Blocks, orch: Orchestrator, *, host: str = "127.0.0.1", port: int = 7860) -> str:
    """Launch ``app`` in the background with a login checked against the users table; return its URL.

    Call ``app.block_thread()`` to serve until interrupted, or ``app.close()`` to stop.
    """
    app.queue(default_concurrency_limit=4)
    _, local_url, _ = app.launch(
        server_name=host,
        server_port=port,
        auth=login_checker(orch),
        app_kwargs={"middleware": [Middleware(ClientAddress)]},
        auth_message="Sign in with your humangate user (humangate users add NAME --role reviewer --password ...).",
        prevent_thread_lock=True,
        quiet=True,
        footer_links=[],
    )
    return str(local_url)
