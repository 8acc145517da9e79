"""Open an Orchestrator for a process: inline, queued with a worker pool inside, or queued for other workers.

``open_orchestrator`` is what the commands (and any server) use. ``inline`` advances runs in the caller, as a
library does. ``embedded`` enqueues every start and decision and runs a worker pool in this process, so a
newcomer needs nothing else. ``external`` only enqueues: ``humangate worker`` processes, on this machine
or others sharing the Postgres, run the jobs. Every queued Orchestrator's model calls go through the
endpoint limits of ``Settings`` (calls at once, requests and tokens per minute, Retry-After).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Literal

from humangate.agents.models import model_config_from_env
from humangate.config import Settings
from humangate.graphs.common import GraphDeps, deps_from_settings
from humangate.review.service import Orchestrator
from humangate.runtime.engine import JobClient
from humangate.runtime.limits import EndpointLimiter, EndpointLimits, limited_clients
from humangate.runtime.pool import WorkerPool

__all__ = ["Mode", "limited_deps", "open_orchestrator"]

Mode = Literal["inline", "embedded", "external"]


def limited_deps(settings: Settings, stack: ExitStack) -> GraphDeps:
    """Return graph dependencies whose chat model (if any) calls its endpoint within ``settings``' limits."""
    cfg = model_config_from_env(model=settings.model)
    if cfg.provider == "offline":
        return deps_from_settings(settings)
    limiter = EndpointLimiter(
        EndpointLimits(concurrency=settings.model_concurrency, rpm=settings.model_rpm, tpm=settings.model_tpm)
    )
    sync, async_ = limited_clients(limiter, timeout=cfg.timeout)
    stack.callback(sync.close)
    return deps_from_settings(settings, http_clients=(sync, async_))


@contextmanager
def open_orchestrator(
    settings: Settings, *, mode: Mode | None = None, concurrency: int | None = None
) -> Iterator[Orchestrator]:
    """Yield an Orchestrator for ``mode`` (default: ``settings.workers``); stop its workers gracefully on exit."""
    mode = mode or settings.workers
    with ExitStack() as stack:
        if mode == "inline":
            inline = Orchestrator(settings)
            stack.callback(inline.close)
            yield inline
            return
        deps = limited_deps(settings, stack)
        client = JobClient(settings)
        stack.callback(client.close)
        orch = Orchestrator(settings, deps=deps, runtime=client)
        stack.callback(orch.close)
        if mode == "embedded":
            stack.enter_context(WorkerPool(orch, client, concurrency=concurrency or settings.worker_concurrency))
        yield orch
