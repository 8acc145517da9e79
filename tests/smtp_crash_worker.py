"""Crash worker for the SMTP outbox: answer calm support tickets by email, and die on one send.

Usage: ``python tests/smtp_crash_worker.py DB_URL SPOOL_DIR SMTP_PORT before|after N``

It starts support runs ``run-0`` .. ``run-{N-1}`` for calm tickets with addresses, which the gate passes,
so each run's reply node sends its email through the real SMTP server at ``SMTP_PORT``. On the N-th
send it kills itself with SIGKILL: ``before`` the SMTP transaction (the row is claimed, nothing sent),
or ``after`` it (the server accepted the message, the outbox has not recorded it).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from humangate import Orchestrator, Settings
from humangate.effects import Sender, SmtpMailer

SENDER = "Support <support@example.com>"
TEXT = "Hi! How do I export my reports to CSV? I couldn't find the option in the settings."


def settings_for(db_url: str, spool: Path, port: int) -> Settings:
    """Return the settings worker and test share: SMTP on localhost without TLS."""
    return Settings(
        db_url=db_url, outbox_dir=spool, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none", smtp_from=SENDER
    )


def inputs_for(index: int) -> dict[str, Any]:
    """Return the input of run ``index``: a calm ticket from ``user{index}@example.org``."""
    return {"id": f"T-{index}", "customer": f"User {index}", "text": TEXT, "email": f"user{index}@example.org"}


class CrashAt:
    """A sender that kills this process on its ``at``-th call, before or after the real send."""

    def __init__(self, inner: Sender, at: int, when: str) -> None:
        self.inner, self.at, self.when, self.calls = inner, at, when, 0

    def check(self, payload: Mapping[str, Any]) -> None:
        """Refuse what the real sender refuses."""
        self.inner.check(payload)

    def __call__(self, payload: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        """Send through the real sender, dying before or after it on the chosen call."""
        self.calls += 1
        if self.calls == self.at and self.when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        result = self.inner(payload, key)
        if self.calls == self.at and self.when == "after":
            os.kill(os.getpid(), signal.SIGKILL)
        return result


def main(argv: list[str]) -> int:
    """Start the runs until the crash."""
    if len(argv) != 5 or argv[3] not in ("before", "after"):
        print(__doc__, file=sys.stderr)
        return 2
    db_url, spool, port, when, n = argv[0], Path(argv[1]), int(argv[2]), argv[3], int(argv[4])
    settings = settings_for(db_url, spool, port)
    with Orchestrator(settings, senders={"email": CrashAt(SmtpMailer.from_settings(settings), n, when)}) as orch:
        for index in range(n):
            orch.start("support", inputs_for(index), run_id=f"run-{index}")
            print(f"started run-{index}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
