"""The body of ``humangate worker``: a worker pool that runs jobs until SIGTERM or SIGINT, then stops gracefully.

Any number of these, on any machines sharing one PostgreSQL, take jobs from the same queue. On a signal the
worker stops taking jobs, gives running ones ``grace`` seconds to finish, and exits; a job it could not
finish is recovered by another worker (or the next one started) from the run's checkpoint.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from contextlib import ExitStack
from types import FrameType

from humangate.config import Settings
from humangate.review.service import Orchestrator
from humangate.runtime.engine import JobClient
from humangate.runtime.pool import WorkerPool
from humangate.runtime.session import limited_deps

__all__ = ["run_worker"]


def run_worker(
    settings: Settings,
    *,
    concurrency: int,
    grace: float = 30.0,
    stop: threading.Event | None = None,
    ready: Callable[[WorkerPool], None] | None = None,
) -> None:
    """Run a worker pool until ``stop`` is set or the process gets SIGTERM or SIGINT."""
    stop = stop or threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    with ExitStack() as stack:
        deps = limited_deps(settings, stack)
        client = JobClient(settings)
        stack.callback(client.close)
        orch = Orchestrator(settings, deps=deps, runtime=client)
        stack.callback(orch.close)
        pool = WorkerPool(orch, client, concurrency=concurrency, grace=grace)
        stack.enter_context(pool)
        if ready is not None:
            ready(pool)
        while not stop.wait(0.5):
            pass
