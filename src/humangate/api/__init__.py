"""The HTTP API: the review queue, runs and oversight, Agent Inbox's calls, review links and Slack.

``create_app(orch)`` builds the FastAPI app (``humangate.api.app``); ``build_server`` serves it with
the review panel mounted, on one port, as ``humangate ui`` does.
"""

from humangate.api.app import MAX_BODY_BYTES, create_app
from humangate.api.server import Server, build_server

__all__ = ["MAX_BODY_BYTES", "Server", "build_server", "create_app"]
