"""A circuit breaker per model endpoint: after a run of connection failures, stop calling it for a while.

While the breaker is open the agents do not call the endpoint at all: each item is answered by the
offline engine and marked (``model_failure``) with a sentence saying why, so a reviewer knows the model
did not handle it, and the fallback is held like any other model failure. The batch is told once, by
``notice()``, not once per item. After the cool-down one call goes through as a trial: an answer closes
the breaker, another failure opens it again.

The counting and the states are pybreaker's. Its ``call`` holds the breaker's lock for the whole
guarded call, which would queue every model request of a process behind one another, so the request
runs outside it and only its outcome is recorded through the breaker.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from datetime import UTC, datetime, timedelta

import pybreaker

__all__ = ["EndpointBreaker"]

log = logging.getLogger(__name__)


class _Unreachable(Exception):
    """The outcome recorded for a call that could not reach the endpoint."""


def _raise(problem: str | None) -> None:
    if problem is not None:
        raise _Unreachable(problem)


class _Opened(pybreaker.CircuitBreakerListener):
    def __init__(self, owner: EndpointBreaker) -> None:
        self.owner = owner

    def state_change(
        self,
        cb: pybreaker.CircuitBreaker,
        old_state: pybreaker.CircuitBreakerState | None,
        new_state: pybreaker.CircuitBreakerState,
    ) -> None:
        if new_state.name == pybreaker.STATE_OPEN:
            self.owner._opened()


class EndpointBreaker:
    """Stop asking one endpoint after ``failures`` connection failures in a row, for ``cooldown`` seconds."""

    def __init__(self, endpoint: str, *, failures: int = 3, cooldown: float = 60.0) -> None:
        self.endpoint = endpoint
        self.failures = failures
        self.cooldown = cooldown
        self._storage = pybreaker.CircuitMemoryStorage(pybreaker.STATE_CLOSED)
        self._breaker = pybreaker.CircuitBreaker(
            fail_max=failures,
            reset_timeout=cooldown,
            name=endpoint,
            listeners=[_Opened(self)],
            state_storage=self._storage,
            throw_new_error_on_trip=False,
        )
        self._lock = threading.Lock()
        self.openings = 0
        self.skipped = 0
        self.last_problem = ""
        self._told = 0  # openings already reported by notice()

    def wait_left(self) -> float:
        """Return the seconds of cool-down left; 0 when a call may go (closed, or due for its trial)."""
        if self._breaker.current_state != pybreaker.STATE_OPEN:
            return 0.0
        opened = self._storage.opened_at
        if opened is None:
            return 0.0
        left = opened + timedelta(seconds=self.cooldown) - datetime.now(UTC)
        return max(0.0, left.total_seconds())

    def refusal(self) -> str | None:
        """Return why the endpoint is not called now (and count the skipped call), or None to call it."""
        left = self.wait_left()
        if left <= 0:
            return None
        with self._lock:
            self.skipped += 1
        return (
            f"The model at {self.endpoint} was not asked: after {self.failures} connection failures in a row "
            f"its circuit breaker is open for another {left:.0f} s (last problem: {self.last_problem}); "
            "the offline engine answered instead"
        )

    def record(self, problem: str | None) -> None:
        """Record one call's outcome: ``problem`` says why it could not reach the endpoint, None that it did."""
        if problem is not None:
            self.last_problem = problem[:300]
        # The failure is counted as it is raised; a call made while another one opened the breaker changes nothing.
        with contextlib.suppress(_Unreachable, pybreaker.CircuitBreakerError):
            self._breaker.call(_raise, problem)

    def notice(self) -> str | None:
        """Return one sentence about the openings not yet reported, or None; each opening is told once."""
        with self._lock:
            if self.openings == self._told:
                return None
            self._told = self.openings
            skipped = self.skipped
        return (
            f"The model at {self.endpoint} stopped answering ({self.last_problem}): after {self.failures} "
            f"connection failures in a row it was not called for {self.cooldown:g} s. {skipped} model "
            f"call{'s' if skipped != 1 else ''} went to the offline engine instead; those items say so and "
            "wait for review."
        )

    def _opened(self) -> None:
        with self._lock:
            self.openings += 1
        log.warning(
            "The model at %s failed to connect %d times in a row; not calling it for %g s (%s).",
            self.endpoint,
            self.failures,
            self.cooldown,
            self.last_problem,
        )
