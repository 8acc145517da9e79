"""The escalation router's guarantee per gate, next to the escalation share it costs.

A ``Promise`` is what the gate's active router (the shipped one or a refit) promises under the policy now:
recall at least ``target`` with ``confidence``, from its calibration positives. ``guarantee_costs``
puts beside it, from the assessments table, the share of the gate's messages that went to a person and
the share the router itself held (its ``router`` trigger), over the same window as the other metrics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, case, func, select

from humangate.checkpoints.schema import assessments
from humangate.oversight.metrics import Rate

__all__ = ["Guarantee", "Promise", "guarantee_costs"]


@dataclass(frozen=True)
class Promise:
    """What one gate's active router promises under the policy now."""

    graph: str
    node: str
    router: str  # "shipped", "refit version 3", or "unreadable"
    version: int | None
    target: float
    confidence: float
    positives: int  # calibration positives (effective count when weighted)
    misses: int  # of those, below the threshold
    threshold: float
    problem: str = ""  # why the router cannot be read (every message is then held)

    def sentence(self) -> str:
        """Return the promise as a sentence."""
        if self.problem:
            return f"none: the router cannot be read, so every message is held ({self.problem})"
        if self.threshold <= 0.0:
            return (
                f"recall >= {self.target:.0%} with {self.confidence:.0%} confidence only by escalating everything "
                f"({self.positives} calibration positives are too few)"
            )
        return (
            f"recall >= {self.target:.0%} with {self.confidence:.0%} confidence ({self.positives} calibration "
            f"positives, {self.misses} below threshold {self.threshold:.4f})"
        )


@dataclass(frozen=True)
class Guarantee:
    """A gate's promise and what it costs: the share of its messages a person answered."""

    promise: Promise
    escalated: Rate  # assessments at the gate that needed review
    router_held: Rate  # assessments the router held on its own (its trigger)

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        p = self.promise
        return {
            "graph": p.graph,
            "node": p.node,
            "router": p.router,
            "version": p.version,
            "target_recall": p.target,
            "recall_confidence": p.confidence,
            "calibration_positives": p.positives,
            "misses": p.misses,
            "threshold": p.threshold,
            "problem": p.problem or None,
            "guarantee": p.sentence(),
            "escalated": self.escalated.to_json(),
            "router_held": self.router_held.to_json(),
        }


def guarantee_costs(
    conn: Connection, promises: Sequence[Promise], *, since: float | None = None
) -> tuple[Guarantee, ...]:
    """Return each promise with the share of its gate's assessments since ``since`` that went to a person."""
    out: list[Guarantee] = []
    for p in promises:
        where = [assessments.c.graph == p.graph, assessments.c.node == p.node]
        if since is not None:
            where.append(assessments.c.created_at >= since)
        total, held, routed = conn.execute(
            select(
                func.count(),
                func.sum(case((assessments.c.needs_review.is_(True), 1), else_=0)),
                func.sum(case((assessments.c.trigger_kinds.like("%,router,%"), 1), else_=0)),
            ).where(*where)
        ).one()
        out.append(Guarantee(p, Rate(int(held or 0), int(total)), Rate(int(routed or 0), int(total))))
    return tuple(out)
