"""The reviewer panel (Gradio): inbox, review view, runs, audit and new tasks."""

from humangate.ui.app import build_app, serve
from humangate.ui.guard import check_can_serve, is_local_host

__all__ = ["build_app", "check_can_serve", "is_local_host", "serve"]
