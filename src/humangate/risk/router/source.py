"""What the assessment asks for: the router a gate uses now (a stored refit, or the shipped router)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from humangate.risk.router.calibration import Threshold
from humangate.risk.router.model import RouterScore

__all__ = ["Router", "RouterSource"]


class Router(Protocol):
    """A router: scores messages and maps a policy's recall target to a threshold."""

    @property
    def name(self) -> str:
        """Return how reasons and reports name it (``shipped``, ``refit version 3``)."""
        ...

    @property
    def version(self) -> int | None:
        """Return its stored version, or None for the shipped router."""
        ...

    def scores(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Return the probability of each message on its own."""
        ...

    def score(self, text: str, history: Sequence[str] = ()) -> RouterScore:
        """Return the score of a message, lifted by its thread."""
        ...

    def threshold(self, target: float, confidence: float) -> Threshold:
        """Return the threshold that meets ``target`` recall with ``confidence``."""
        ...


class RouterSource(Protocol):
    """Where a gate's active router comes from; raising holds the message (fail closed)."""

    def router(self, graph: str, node: str) -> Router:
        """Return the router ``graph``.``node`` uses now."""
        ...
