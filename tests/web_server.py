"""A real HTTP server on 127.0.0.1 for the fetch tests: routes, slow and endless answers, redirects, robots.txt."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["Answer", "WebServer", "web_server"]


@dataclass
class Answer:
    """What the server answers on a path: status, headers, body; or ``stream`` for a body written piece by piece."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    stream: Callable[[BaseHTTPRequestHandler], None] | None = None


@dataclass
class WebServer:
    """A running server: its base URL, its routes (change them freely) and what it was asked."""

    url: str
    port: int
    routes: dict[str, Answer]
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, Host header)
    sent: dict[str, int] = field(default_factory=dict)  # body bytes written per path

    def html(self, path: str, text: str, **headers: str) -> None:
        """Serve ``text`` as an HTML page at ``path``."""
        self.routes[path] = Answer(text.encode(), headers={"Content-Type": "text/html; charset=utf-8", **headers})

    def asked(self, path: str) -> bool:
        """Return whether anyone asked for ``path``."""
        return any(p == path for p, _ in self.requests)


def endless(chunk: int = 65_536, most: int = 200_000_000) -> Callable[[BaseHTTPRequestHandler], None]:
    """Return a body writer that sends zeros without a length until the client hangs up (or ``most`` bytes)."""

    def write(handler: BaseHTTPRequestHandler) -> None:
        sent = 0
        while sent < most:
            handler.wfile.write(b"<p>" + b"a" * (chunk - 7) + b"</p>\n")
            sent += chunk
            handler.server.sent[handler.path] = sent  # type: ignore[attr-defined]

    return write


def drip(every: float = 0.2, most: int = 200) -> Callable[[BaseHTTPRequestHandler], None]:
    """Return a body writer that sends one byte every ``every`` seconds: no single read ever times out."""

    def write(handler: BaseHTTPRequestHandler) -> None:
        for _ in range(most):
            handler.wfile.write(b"a")
            handler.wfile.flush()
            time.sleep(every)

    return write


def gzipped(data: bytes) -> bytes:
    """Return ``data`` compressed with gzip."""
    return gzip.compress(data, compresslevel=9)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        return

    def do_GET(self) -> None:
        self.server.state.requests.append((self.path, self.headers.get("Host", "")))
        routes = self.server.state.routes
        answer = routes.get(self.path) or routes.get(self.path.split("?", 1)[0])
        if answer is None:
            answer = Answer(b"not here", status=404, headers={"Content-Type": "text/plain"})
        try:
            self.send_response(answer.status)
            for key, value in answer.headers.items():
                self.send_header(key, value)
            if answer.stream is None and "Content-Length" not in answer.headers:
                self.send_header("Content-Length", str(len(answer.body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if answer.stream is not None:
                answer.stream(self)
            else:
                self.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading, as a fetch over its limit must


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: WebServer
    sent: dict[str, int]


@contextmanager
def web_server(host: str = "127.0.0.1") -> Iterator[WebServer]:
    """Run a server on ``host`` at a free port for the ``with`` block."""
    server = _Server((host, 0), _Handler)
    port = server.server_address[1]
    state = WebServer(url=f"http://{host}:{port}", port=port, routes={})
    server.state = state
    server.sent = state.sent
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
