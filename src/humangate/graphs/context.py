"""The per-run context every humangate graph receives as ``Runtime[RunContext]``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from humangate.effects import Outbox

if TYPE_CHECKING:
    from humangate.memory.recall import Recall

__all__ = ["RunContext"]


@dataclass(frozen=True)
class RunContext:
    """What nodes may use besides state: the run's identity, the outbox (and its senders), memory (None when off)."""

    run_id: str
    graph: str
    outbox: Outbox
    memory: Recall | None = None
