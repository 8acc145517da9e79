"""Who may hand the outbox an effect from inside a graph: only the send helpers, after a gate released it.

A graph node that calls ``Outbox.deliver`` itself skips every check between a reviewer's decision and the
outside world: that the named gate let this proposal through, that the proposal was not changed since, and
that the message is built from it (``graphs.release``). The send helpers in ``graphs.common``
(``send_or_hold``, ``deliver_or_hold``, ``send_email``) run those checks and then deliver inside
``released_effect()``; ``Outbox.deliver`` refuses (``RuntimeError``, nothing written) a call made from a running
graph node without it.
Outside a graph (the background retries, the command line, tests of the outbox) nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from langgraph.config import get_config

__all__ = ["check_caller", "released_effect"]

_RELEASED: ContextVar[bool] = ContextVar("humangate_released_effect", default=False)


@contextmanager
def released_effect() -> Iterator[None]:
    """Mark the effects delivered inside this block as checked against their gate's release."""
    token = _RELEASED.set(True)
    try:
        yield
    finally:
        _RELEASED.reset(token)


def _inside_node() -> bool:
    try:
        get_config()
    except RuntimeError:  # LangGraph says: called outside of a runnable context
        return False
    return True


def check_caller(node: str) -> None:
    """Raise ``RuntimeError`` for an effect a graph node hands the outbox without a send helper's checks."""
    if _RELEASED.get() or not _inside_node():
        return
    raise RuntimeError(
        f"The graph node that delivered the effect of {node!r} called Outbox.deliver directly, so nothing checked "
        "that a gate released it. Send it with send_or_hold or deliver_or_hold from humangate.graphs.common, "
        "naming the gate: they check that the gate let exactly this proposal through. Nothing was written."
    )
