"""One offline reading per earlier turn of a support thread, shared by every check that reads it.

The hard rules, the analyst's unsafe readings and the task's routing rules each read every earlier customer
turn on its own. A thread's turns come back on every assessment (and on every re-assessment of an edit), so
the reading of a turn is kept: the same text always reads the same, and the lexicons and VADER run once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING

from humangate.core.schemas import SupportAnalysis, SupportMessage

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["MAX_TURN_CHARS", "TurnReading", "read_turn"]

MAX_TURN_CHARS = 20_000  # SupportMessage.text
_KEPT = 1_024  # distinct turns remembered; a thread is capped well below this


@dataclass(frozen=True)
class TurnReading:
    """The analyst's offline reading of one turn, and the lexicon phrases it matched (read-only)."""

    text: str
    analysis: SupportAnalysis
    signals: Mapping[str, tuple[str, ...]]

    def signal_lists(self) -> dict[str, list[str]]:
        """Return a fresh copy of the signals in the shape ``triage.find_signals`` returns."""
        return {k: list(v) for k, v in self.signals.items()}


def read_turn(text: str) -> TurnReading:
    """Return the offline reading of one earlier customer turn (read alone, without a history of its own).

    The analysis is the caller's own copy: the kept reading cannot be changed through it.
    """
    kept = _read(text[:MAX_TURN_CHARS])
    return TurnReading(kept.text, kept.analysis.model_copy(deep=True), kept.signals)


@lru_cache(maxsize=_KEPT)
def _read(text: str) -> TurnReading:
    from humangate.agents.offline.triage import analyze, find_signals

    analysis = analyze(SupportMessage(id="earlier-turn", text=text))
    signals = MappingProxyType({k: tuple(v) for k, v in find_signals(text).items()})
    return TurnReading(text, analysis, signals)
