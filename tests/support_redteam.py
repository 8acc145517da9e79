"""Run support messages through the offline support graph for the red-team tests, as a customer would send them.

``orchestrator_for(folder)`` opens one Orchestrator on real SQLite in ``folder`` with the built-in policy;
``run_support(o, ticket, text)`` starts the support graph on one message (with the customer's earlier turns, when
given) and returns the run's status and what reached the outbox for it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import outbox

__all__ = ["orchestrator_for", "outbox_of", "run_support"]


@contextmanager
def orchestrator_for(folder: Path) -> Iterator[Orchestrator]:
    """Open one Orchestrator on real SQLite in ``folder``, with the built-in policy."""
    with Orchestrator(Settings(db_url=f"sqlite:///{folder / 'hg.db'}", outbox_dir=folder / "outbox")) as o:
        yield o


def outbox_of(o: Orchestrator, run_id: str) -> list[dict[str, Any]]:
    """Return the payloads the run ``run_id`` put in the outbox."""
    stmt = select(outbox.c.payload_json).where(outbox.c.run_id == run_id)
    with o.db.read() as conn:
        return [json.loads(r.payload_json) for r in conn.execute(stmt)]


def run_support(
    o: Orchestrator, ticket: str, text: str, history: Sequence[str] = ()
) -> tuple[str, list[dict[str, Any]]]:
    """Start the support graph on one message from Pat; return the run's status and its outbox payloads."""
    request: dict[str, Any] = {"id": ticket, "text": text, "customer": "Pat"}
    if history:
        request["history"] = list(history)
    run = o.start("support", request)
    return run.status, outbox_of(o, run.id)
