"""Serve the HTTP API from a test: a real uvicorn server on a free loopback port, real HTTP clients.

``serve_api(orch)`` runs ``humangate.api.create_app(orch)`` under uvicorn on a thread of this process,
so a test can prepare the database through the Orchestrator and watch it change through HTTP.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

from humangate import Orchestrator
from humangate.api import Server, create_app
from humangate.api.slack_routes import SLACK_RESPONSE_PREFIXES
from humangate.review.credentials import create_token

__all__ = ["CRITICAL", "GATED", "HIGH", "Clock", "client", "free_port", "serve_api", "token_for"]

# Inputs of the built-in `notify` graph: medium (approval asked), high (policy word), critical (with a phone).
GATED = {"recipient": "Bob Roy", "email": "bob@example.com", "topic": "Thanks for the call.", "require_approval": True}
HIGH = {"recipient": "Cy Dee", "email": "cy@example.com", "topic": "About the discount we discussed."}
CRITICAL = {"recipient": "Di Eve", "email": "di@example.com", "topic": "Your refund: call +1 415 555 0199 today."}


class Clock:
    """A settable clock for the Orchestrator (leases, dwell, link expiry) and Slack's time window."""

    def __init__(self, t: float = 1_800_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def free_port() -> int:
    """Return a loopback TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_api(
    orch: Orchestrator, *, slack_response_prefixes: Sequence[str] = SLACK_RESPONSE_PREFIXES, **kwargs: Any
) -> Iterator[str]:
    """Serve the API over ``orch`` on a free port; yield its base URL."""
    app = create_app(orch, slack_response_prefixes=slack_response_prefixes, **kwargs)
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning", lifespan="on")
    server = Server(config).start()
    try:
        yield server.url
    finally:
        server.stop()


def token_for(orch: Orchestrator, user: str, **kwargs: Any) -> str:
    """Make an API token for ``user`` (as `humangate tokens create` does)."""
    return create_token(orch.db, user, actor="test", now=orch.clock(), **kwargs)[0]


def client(url: str, token: str | None = None) -> httpx.Client:
    """Return an HTTP client for the server, sending ``token`` as ``x-api-key``."""
    return httpx.Client(base_url=url, headers={"x-api-key": token} if token else {}, timeout=30.0)
