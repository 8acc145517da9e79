"""A tiny OpenAI-compatible chat completions server on 127.0.0.1 that answers from a script.

Each ``POST /v1/chat/completions`` takes the next scripted ``Reply``; when the script runs out the
server answers HTTP 418, so a test that makes more calls than it expected fails loudly. Every request
body is recorded in ``FakeOpenAI.requests``.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = [
    "FakeOpenAI",
    "Reply",
    "bad_request",
    "content",
    "error",
    "garbage",
    "hang",
    "iter_methods",
    "rate_limited",
    "server_error",
    "tool_call",
]


@dataclass(frozen=True)
class Reply:
    """One scripted answer: a status, headers and a body, or a hang of ``hang_seconds``."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    hang_seconds: float = 0.0
    tool_args: str | None = None  # a tool call whose function name is taken from the request


def _json_reply(status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> Reply:
    return Reply(
        status=status, body=json.dumps(payload).encode(), headers={"Content-Type": "application/json"} | (headers or {})
    )


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
    """Answer ``status`` with an OpenAI-style error body."""
    return _json_reply(status, {"error": {"message": message, "type": "fake", "code": status}}, headers)


def rate_limited(retry_after: str = "0") -> Reply:
    """Answer HTTP 429 with a Retry-After header."""
    return error(429, "Rate limit reached, slow down.", {"Retry-After": retry_after})


def server_error() -> Reply:
    """Answer HTTP 500."""
    return error(500, "The fake server had an internal error.")


def bad_request(message: str = "response_format must be text or json_object") -> Reply:
    """Answer HTTP 400, as llama.cpp-style servers do for an unsupported response_format."""
    return error(400, message)


def garbage() -> Reply:
    """Answer 200 with a body that is not JSON at all."""
    return Reply(body=b"<html>this is not json", headers={"Content-Type": "application/json"})


def _completion(message: dict[str, Any], finish_reason: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": "fake",
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason, "logprobs": None}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def content(text: str) -> Reply:
    """Answer a valid completion whose message content is ``text`` (JSON, malformed JSON, prose)."""
    return _json_reply(200, _completion({"role": "assistant", "content": text}, "stop"))


def tool_call(arguments: str) -> Reply:
    """Answer a valid completion calling the requested tool with ``arguments`` (a JSON string)."""
    return Reply(tool_args=arguments)


def hang(seconds: float = 5.0) -> Reply:
    """Say nothing for ``seconds`` (past the client's timeout), then answer 500."""
    return Reply(status=500, body=b"{}", headers={"Content-Type": "application/json"}, hang_seconds=seconds)


class FakeOpenAI:
    """Serve scripted chat completions on 127.0.0.1 from a background thread; use as a context manager."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-openai", daemon=True
        )

    @property
    def base_url(self) -> str:
        """Return the ``/v1`` URL to give ChatOpenAI."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def script(self, *replies: Reply) -> None:
        """Queue replies, answered one per request in order."""
        with self._lock:
            self._script.extend(replies)

    @property
    def unused(self) -> int:
        """Return how many scripted replies were not asked for."""
        with self._lock:
            return len(self._script)

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            if self._script:
                return self._script.popleft()
        return error(418, "The fake server's script ran out: the test made more requests than it planned.")

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _handler_for(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body: dict[str, Any] = json.loads(raw)
            except ValueError:
                body = {"unparsed": raw.decode(errors="replace")}
            body["_path"] = self.path
            reply = fake._next(body) if self.path.endswith("/chat/completions") else error(404, "Unknown path.")
            if reply.hang_seconds:
                # Waits on an event so that closing the server ends the hang at once.
                fake._closing.wait(reply.hang_seconds)
            if reply.tool_args is not None:
                reply = _tool_reply(body, reply.tool_args)
            self._send(reply)

        def _send(self, reply: Reply) -> None:
            try:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its timeout), which is what a hang is for

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return Handler


def _tool_reply(body: dict[str, Any], arguments: str) -> Reply:
    tools = body.get("tools") or [{"function": {"name": "unknown"}}]
    name = str(tools[0]["function"]["name"])
    call = {"id": "call_fake", "type": "function", "function": {"name": name, "arguments": arguments}}
    return _json_reply(200, _completion({"role": "assistant", "content": None, "tool_calls": [call]}, "tool_calls"))


def iter_methods(requests: list[dict[str, Any]]) -> Iterator[str]:
    """Yield, per recorded request, which structured-output method it looks like it used."""
    for body in requests:
        fmt = body.get("response_format") or {}
        if fmt.get("type") == "json_schema":
            yield "json_schema"
        elif body.get("tools"):
            yield "function_calling"
        elif fmt.get("type") == "json_object":
            yield "json_mode"
        else:
            yield "plain"
