"""The per-run context every humangate graph receives as ``Runtime[RunContext]``."""

from __future__ import annotations

from dataclasses import dataclass

from humangate.effects import FileMailer, Outbox

__all__ = ["RunContext"]


@dataclass(frozen=True)
class RunContext:
    """What nodes may use besides state: the run's identity and the outbox for side effects."""

    run_id: str
    graph: str
    outbox: Outbox
    mailer: FileMailer
