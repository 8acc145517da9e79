"""Run a reader in a child process with a deadline, so a reader that backtracks fails a test instead of hanging it.

Used by the red-team tests that feed the lexicons long runs of their own words (catastrophic backtracking). The
deadline is far above any polynomial time on these inputs; it bounds a stall, it does not time the reader.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any


def finishes_within(target: Callable[..., Any], *args: Any, seconds: float = 60) -> bool:
    """Return whether ``target(*args)`` ran to a clean exit in a spawned child within ``seconds``."""
    child = multiprocessing.get_context("spawn").Process(target=target, args=args)
    child.start()
    child.join(timeout=seconds)
    stalled = child.is_alive()
    if stalled:
        child.kill()
        child.join()
    return not stalled and child.exitcode == 0
