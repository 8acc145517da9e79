"""Work the panel process does in the background: SLA sweeps, memory catch-up, webhooks, effects, router refits."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

from humangate.oversight.delivery import Dispatcher
from humangate.oversight.retry import Poller

if TYPE_CHECKING:
    from humangate.review.service import Orchestrator

__all__ = ["Housekeeper"]

_log = logging.getLogger("humangate.oversight")
EFFECTS_INTERVAL_SECONDS = 5.0
"""How often the panel process sends due effects (retries, and sends a crash left unfinished)."""


class Housekeeper:
    """Every ``interval`` seconds run ``orch.sweep()`` and catch memory up; deliver webhooks and effects beside it.

    Reads catch memory up anyway; doing it here keeps a search from paying for a large backlog. Effects
    are retried here, in their own thread, so a slow mail server holds up neither a run nor the panel.
    With ``refit_every`` (seconds; opt in with ``HUMANGATE_REFIT_EVERY`` or ``humangate ui --refit-every``) it
    also refits each gate's escalation router once its last refit is that old and new decisions came in
    (``orch.refit_due``); it looks at most every ten minutes. Each refit, accepted or refused, is audited.
    """

    def __init__(
        self,
        orch: Orchestrator,
        *,
        interval: float = 30.0,
        effects_interval: float = EFFECTS_INTERVAL_SECONDS,
        refit_every: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.orch = orch
        self.interval = interval
        self.effects_interval = effects_interval
        self.refit_every = refit_every
        self.clock = clock
        self._next_refit = clock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="humangate-sweep", daemon=True)
        self.dispatcher = Dispatcher(orch.db, orch.settings) if orch.settings.webhook_url else None
        self.effects = Poller(orch.deliver_effects, name="humangate-effects", log=_log, what="Effect delivery")

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                report = self.orch.sweep()
                if report.escalated or report.failed_closed:
                    _log.info("SLA sweep: escalated %s, failed closed %s", report.escalated, report.failed_closed)
            except Exception:  # a failed sweep is retried next round; it must not take the panel down
                _log.exception("SLA sweep failed")
            self.orch.memory.settle()
            self._refit()
            self._stop.wait(self.interval)

    def _refit(self) -> None:
        """Refit the routers that are due; a failure is logged and tried again at the next look."""
        if self.refit_every is None or self.clock() < self._next_refit:
            return
        self._next_refit = self.clock() + min(self.refit_every, 600.0)
        try:
            for done in self.orch.refit_due(self.refit_every):
                _log.info("Router refit of %s.%s: %s", done.graph, done.node, done.summary)
        except Exception:  # the next look tries again; the panel keeps serving on the active router
            _log.exception("Scheduled router refit failed")

    def start(self) -> Housekeeper:
        """Start the sweep, effect delivery and (when a webhook is configured) webhook delivery."""
        self._thread.start()
        self.effects.start(self.effects_interval)
        if self.dispatcher is not None:
            self.dispatcher.start()
        return self

    def stop(self) -> None:
        """Stop them all and wait briefly for them."""
        self._stop.set()
        self.effects.stop()
        if self.dispatcher is not None:
            self.dispatcher.stop()
        self._thread.join(timeout=10)

    def __enter__(self) -> Housekeeper:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
