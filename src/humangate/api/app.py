"""The HTTP app: the API, the LangGraph-shaped subset, review links, Slack and, mounted, the panel.

``create_app(orch)`` builds a FastAPI app over one Orchestrator; with ``panel`` the Gradio review
panel is mounted at ``/`` behind its own login, so one server on one port serves everything:

    /api/...            the review API (token in ``x-api-key`` or ``Authorization: Bearer``)
    /info, /threads/... the LangGraph-Server-shaped subset for Agent Inbox and langgraph-sdk
    /links/{token}      review links: GET shows, POST decides
    /slack/interactions Slack's button presses
    /docs, /openapi.json the OpenAPI schema
    /                   the panel

Cross-origin calls are refused unless ``HUMANGATE_CORS_ORIGINS`` names the origins (Agent Inbox's).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from humangate import __version__
from humangate.api.errors import install_error_handlers
from humangate.api.inbox_routes import router as inbox_router
from humangate.api.links_routes import router as links_router
from humangate.api.review_routes import router as review_router
from humangate.api.runs_routes import router as runs_router
from humangate.api.slack_routes import SLACK_RESPONSE_PREFIXES
from humangate.api.slack_routes import router as slack_router
from humangate.review.service import Orchestrator

if TYPE_CHECKING:
    import gradio as gr

__all__ = ["MAX_BODY_BYTES", "create_app"]

MAX_BODY_BYTES = 1_000_000
"""Largest request body the API reads (the panel's uploads keep Gradio's own limits)."""

_API_PREFIXES = ("/api/", "/threads", "/runs", "/links/", "/slack/")
_Scope = MutableMapping[str, Any]
_Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
_Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class BodyLimit:
    """ASGI middleware: refuse API requests whose body is larger than ``limit`` bytes (413).

    A body is read whole, counting its bytes, before the app sees any of it: a body without a
    Content-Length (chunked) past the limit is answered 413 here. Stopping it inside the app instead
    would not work, for FastAPI turns any failure while reading a body into a 400 parse error.
    """

    def __init__(self, app: Callable[[_Scope, _Receive, _Send], Awaitable[None]], limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: _Scope, receive: _Receive, send: _Send) -> None:
        """Pass the request on with its body read and counted, on API paths."""
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(_API_PREFIXES):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(send, self.limit)
            return
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: the app sees it as it would have
                await self.app(scope, _replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.limit:
                await _too_large(send, self.limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        whole = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([whole], receive), send)


def _replay(messages: list[MutableMapping[str, Any]], receive: _Receive) -> _Receive:
    """Return a ``receive`` that gives ``messages`` first, then whatever comes next (a disconnect)."""
    pending = list(messages)

    async def replayed() -> MutableMapping[str, Any]:
        return pending.pop(0) if pending else await receive()

    return replayed


async def _too_large(send: _Send, limit: int) -> None:
    body = (
        b'{"error":{"type":"RequestTooLarge","tree":["RequestTooLarge"],"message":"The request body is larger than '
        + str(limit).encode()
        + b' bytes.","fields":{}}}'
    )
    await send({"type": "http.response.start", "status": 413, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


def create_app(
    orch: Orchestrator,
    *,
    panel: gr.Blocks | None = None,
    slack_response_prefixes: Sequence[str] = SLACK_RESPONSE_PREFIXES,
) -> FastAPI:
    """Return the HTTP app over ``orch``; with ``panel``, mount the review panel at ``/`` behind its login."""
    app = FastAPI(
        title="humangate",
        version=__version__,
        summary="Human review of AI work: the review queue, decisions, runs and oversight over HTTP.",
        redoc_url=None,
    )
    app.state.orch = orch
    app.state.slack_response_prefixes = tuple(slack_response_prefixes)
    install_error_handlers(app)
    app.include_router(review_router, prefix="/api")
    app.include_router(runs_router, prefix="/api")
    app.include_router(inbox_router)
    app.include_router(links_router)
    app.include_router(slack_router)
    app.add_middleware(BodyLimit)
    if orch.settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(orch.settings.cors_origins),
            allow_methods=["GET", "POST"],
            # x-auth-scheme is accepted so browsers may send it; it never bypasses the token check.
            allow_headers=["x-api-key", "authorization", "content-type", "last-event-id", "x-auth-scheme"],
            allow_credentials=False,  # tokens travel in a header, never in cookies
            max_age=600,
        )
    if panel is not None:
        _mount_panel(app, panel, orch)
    return app


def _mount_panel(app: FastAPI, panel: gr.Blocks, orch: Orchestrator) -> None:
    import gradio as gr

    from humangate.ui.guard import ClientAddress, login_checker

    app.add_middleware(ClientAddress)  # the panel's login throttles by the socket's peer address
    panel.queue(default_concurrency_limit=4)
    gr.mount_gradio_app(
        app,
        panel,
        path="/",
        auth=login_checker(orch),
        auth_message="Sign in with your humangate user (humangate users add NAME --role reviewer --password ...).",
        footer_links=[],
    )
