"""One server, one port: the API and the mounted panel under uvicorn, as ``humangate ui`` runs them."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import uvicorn

from humangate.api.app import create_app
from humangate.errors import ConfigError
from humangate.oversight.links import link_key
from humangate.review.service import Orchestrator

__all__ = ["Server", "build_server"]


@dataclass
class Server:
    """A uvicorn server for one app; ``start`` runs it on a thread, ``run`` in the calling thread."""

    config: uvicorn.Config
    server: uvicorn.Server = field(init=False)
    thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        self.server = uvicorn.Server(self.config)

    @property
    def url(self) -> str:
        """Return the base URL it listens on."""
        return f"http://{self.config.host}:{self.config.port}"

    def run(self) -> None:
        """Serve until interrupted (Ctrl+C)."""
        self.server.run()

    def start(self, timeout: float = 30.0) -> Server:
        """Serve on a background thread and return once it accepts connections."""
        self.thread = threading.Thread(target=self.server.run, name="humangate-http", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise ConfigError(f"The server did not start on {self.url}; is the port free?")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Ask the server to finish its requests and stop, then wait for it."""
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=15)


def build_server(orch: Orchestrator, *, host: str, port: int, panel: bool = True) -> Server:
    """Return the server of ``humangate ui``: the API with, by default, the panel mounted at ``/``."""
    if orch.settings.public_url:
        link_key(orch.settings)  # a key that cannot be read or made should stop the start, not a decision
    blocks = None
    if panel:
        from humangate.ui import build_app

        blocks = build_app(orch)
    app = create_app(orch, panel=blocks)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="on")
    return Server(config)
