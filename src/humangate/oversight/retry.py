"""Retry machinery shared by webhook notifications and the effects outbox: backoff and a polling thread.

Both keep their work in a table and retry failures later instead of waiting: a failed attempt leaves
the row pending with the time of its next attempt, and a background ``Poller`` takes due rows every
few seconds. Nothing here sleeps inside a run or a request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

__all__ = ["BACKOFF_CAP_SECONDS", "Poller", "backoff_delay"]

BACKOFF_CAP_SECONDS = 600.0
"""Longest wait between two webhook attempts; before the cap the wait doubles: 2, 4, 8 ... seconds."""


def backoff_delay(attempts: int, *, base: float = 2.0, cap: float = BACKOFF_CAP_SECONDS) -> float:
    """Return the wait after ``attempts`` failed attempts: ``base``, twice that, four times ... up to ``cap``."""
    return float(min(cap, base * 2.0 ** max(0, attempts - 1)))


class Poller:
    """Call ``work`` every ``interval`` seconds in a daemon thread until ``stop``; a failing pass is logged."""

    def __init__(self, work: Callable[[], object], *, name: str, log: logging.Logger, what: str) -> None:
        self.work = work
        self.name = name
        self.log = log
        self.what = what
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Return True while the thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def start(self, interval: float) -> None:
        """Start the thread (once; a second call while it runs does nothing)."""
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, args=(interval,), name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread after its current pass."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self, interval: float) -> None:
        while True:
            try:
                self.work()
            except Exception:  # a broken pass must never take the process down; the next pass retries
                self.log.exception("%s pass failed; trying again in %g s.", self.what, interval)
            if self._stop.wait(interval):
                return
