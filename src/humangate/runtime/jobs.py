"""The one job kind's body as a DBOS workflow, and the Orchestrator it runs against in this process.

Starting a run and applying a decision batch are both this job, under different ids (``start:RUN`` and
``resume:RUN:DECISION``): its body asks the Orchestrator to bring the run up to date (``run_job``), which is
safe to repeat. The workflow has no steps: a job a crash cut short is run again from the top by whichever
worker recovers it, and the run lock plus the recorded decisions make that harmless.

DBOS runs workflows registered in the process, and a process holds one DBOS; the worker pool binds its
Orchestrator here for the workflow to find.
"""

from __future__ import annotations

import threading

from dbos import DBOS

from humangate.errors import HumanGateError
from humangate.review.service import Orchestrator
from humangate.runtime.engine import JOB_WORKFLOW

__all__ = ["bind", "bound", "run_job", "unbind"]

_lock = threading.Lock()
_orchestrator: Orchestrator | None = None


def bind(orch: Orchestrator) -> None:
    """Let this process's jobs run against ``orch``."""
    global _orchestrator
    with _lock:
        if _orchestrator is not None and _orchestrator is not orch:
            raise HumanGateError("This process already runs a worker pool; stop it before starting another.")
        _orchestrator = orch


def unbind() -> None:
    """Stop handing jobs to the bound Orchestrator."""
    global _orchestrator
    with _lock:
        _orchestrator = None


def bound() -> Orchestrator:
    """Return the Orchestrator jobs run against, or raise when no worker pool runs here."""
    orch = _orchestrator
    if orch is None:
        raise HumanGateError("No worker pool runs in this process: start one with WorkerPool.")
    return orch


@DBOS.workflow(name=JOB_WORKFLOW)
async def run_job(run_id: str) -> str:
    """Bring ``run_id`` up to date: start it, resume it with its recorded decisions, or carry it on."""
    return await bound().run_job(run_id)
