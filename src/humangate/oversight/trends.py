"""Oversight figures per UTC day, for the panel's plots: escalation and override rates, decisions, trigger kinds.

The definitions are those of ``metrics`` (escalation: assessments that needed a person over all assessments;
override: edit, reject and redirect over decided, escalations left out), counted per day of ``created_at``
(assessments) or ``decided_at`` (decisions). Days are grouped in SQL; only the ``,pii,policy,`` trigger
column is split in Python, over rows already grouped by day and trigger set.

The window covers ``since`` (or, without it, everything) up to ``now``, at most ``max_days`` days back; its
days run from the first one with an assessment or a decision to the day of ``now``. ``graph`` limits it to
one graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Integer, case, cast, func, literal_column, select
from sqlalchemy.sql.elements import ColumnElement

from humangate.checkpoints.schema import assessments, decisions, review_items
from humangate.core.contract import ACTIONS
from humangate.oversight.metrics import OVERRIDE_ACTIONS, Rate

__all__ = ["DailySeries", "daily_series"]

_DAY = 86_400


@dataclass(frozen=True)
class DailySeries:
    """Per-day figures; every tuple is aligned with ``days`` (UTC dates, oldest first, the last one today)."""

    days: tuple[str, ...]
    escalation: tuple[Rate, ...]
    overrides: tuple[Rate, ...]
    actions: tuple[tuple[str, tuple[int, ...]], ...]  # every action, in ACTIONS order
    triggers: tuple[tuple[str, tuple[int, ...]], ...]  # the most frequent kinds in the window first

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "days": list(self.days),
            "escalation": [r.to_json() for r in self.escalation],
            "overrides": [r.to_json() for r in self.overrides],
            "actions": {a: list(v) for a, v in self.actions},
            "triggers": {k: list(v) for k, v in self.triggers},
        }


def _day_number(conn: Connection, column: ColumnElement[float]) -> ColumnElement[Any]:
    """Return the UTC day number of a UNIX time column (a literal divisor, so GROUP BY repeats it exactly)."""
    days = column / literal_column(f"{_DAY}.0")
    if conn.dialect.name == "postgresql":
        return func.floor(days)  # PostgreSQL's CAST rounds to the nearest integer
    return cast(days, Integer)  # SQLite's CAST truncates, and UNIX times here are positive


def daily_series(
    conn: Connection,
    *,
    now: float,
    since: float | None = None,
    graph: str | None = None,
    max_days: int = 90,
    top: int = 5,
) -> DailySeries:
    """Read the per-day series for the selection; ``top`` bounds how many trigger kinds are followed."""
    today = int(now // _DAY)
    start = float((today - max_days + 1) * _DAY)
    if since is not None:
        start = max(start, since)
    graph_a = [assessments.c.graph == graph] if graph is not None else []
    graph_d = [review_items.c.graph == graph] if graph is not None else []
    # The days start with the first one that has an assessment or a decision, not with empty days.
    firsts = (
        conn.execute(
            select(func.min(assessments.c.created_at)).where(assessments.c.created_at >= start, *graph_a)
        ).scalar(),
        conn.execute(
            select(func.min(decisions.c.decided_at))
            .select_from(decisions.join(review_items, decisions.c.item_id == review_items.c.id))
            .where(decisions.c.decided_at >= start, *graph_d)
        ).scalar(),
    )
    known = [int(float(t) // _DAY) for t in firsts if t is not None]
    first = min(min(known, default=today), today)
    span = today - first + 1
    days = tuple(datetime.fromtimestamp((first + i) * _DAY, UTC).date().isoformat() for i in range(span))

    created = _day_number(conn, assessments.c.created_at)
    where = [assessments.c.created_at >= start, *graph_a]
    needed, total = [0] * span, [0] * span
    for day, n, escalated in conn.execute(
        select(created, func.count(), func.sum(case((assessments.c.needs_review.is_(True), 1), else_=0)))
        .where(*where)
        .group_by(created)
    ):
        if 0 <= int(day) - first < span:
            total[int(day) - first] += int(n)
            needed[int(day) - first] += int(escalated or 0)

    kinds: dict[str, list[int]] = {}
    for day, trigger_kinds, n in conn.execute(
        select(created, assessments.c.trigger_kinds, func.count())
        .where(*where)
        .group_by(created, assessments.c.trigger_kinds)
    ):
        if 0 <= int(day) - first < span:
            for kind in filter(None, str(trigger_kinds).split(",")):
                kinds.setdefault(kind, [0] * span)[int(day) - first] += int(n)
    ranked = sorted(kinds.items(), key=lambda kv: (-sum(kv[1]), kv[0]))[:top]

    decided = _day_number(conn, decisions.c.decided_at)
    per_action: dict[str, list[int]] = {a: [0] * span for a in ACTIONS}
    for day, action, n in conn.execute(
        select(decided, decisions.c.action, func.count())
        .select_from(decisions.join(review_items, decisions.c.item_id == review_items.c.id))
        .where(decisions.c.decided_at >= start, *graph_d)
        .group_by(decided, decisions.c.action)
    ):
        if 0 <= int(day) - first < span:
            per_action.setdefault(str(action), [0] * span)[int(day) - first] += int(n)
    judged = [a for a in per_action if a != "escalate"]
    return DailySeries(
        days=days,
        escalation=tuple(Rate(needed[i], total[i]) for i in range(span)),
        overrides=tuple(
            Rate(sum(per_action[a][i] for a in OVERRIDE_ACTIONS), sum(per_action[a][i] for a in judged))
            for i in range(span)
        ),
        actions=tuple((a, tuple(v)) for a, v in per_action.items()),
        triggers=tuple((k, tuple(v)) for k, v in ranked),
    )
