"""Oversight metrics computed from the project's tables: how often people are asked, how often they disagree.

Every figure is read with SQLAlchemy Core and aggregated in SQL where SQL can do it portably (counts per
group); what SQLite and PostgreSQL do not share (percentiles, splitting the ``,pii,policy,`` trigger
column) is finished in Python over the grouped rows or one column of floats.

The escalation router's guarantee per gate (``oversight.guarantee``), from the promises the caller
passes, sits beside the share of that gate's messages it sends to a person.

Filters: ``since`` (UNIX seconds) limits assessments by ``created_at`` and decisions by ``decided_at``;
the queue is a snapshot of what is pending now, and the trigger trend always covers the last seven UTC
days up to ``now``. ``graph`` limits everything to one graph.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from humangate.checkpoints.schema import assessments, decisions, review_items
from humangate.core.contract import ACTIONS

if TYPE_CHECKING:
    from humangate.oversight.guarantee import Guarantee, Promise

__all__ = [
    "OVERRIDE_ACTIONS",
    "EscalationMetrics",
    "MetricsReport",
    "OverrideMetrics",
    "Percentiles",
    "QueueAge",
    "Rate",
    "TriggerPattern",
    "compute_metrics",
    "parse_since",
    "percentile",
]

OVERRIDE_ACTIONS: frozenset[str] = frozenset({"edit", "reject", "redirect"})
"""Decisions that change what the system proposed; ``escalate`` is neither an override nor a decision."""

TREND_DAYS = 7
_DAY = 86_400.0
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.I)
_UNIT_SECONDS = {"s": 1.0, "m": 60.0, "h": 3_600.0, "d": _DAY, "w": 7 * _DAY}


@dataclass(frozen=True)
class Rate:
    """``count`` of ``total``; ``rate`` is None when there is nothing to divide by."""

    count: int
    total: int

    @property
    def rate(self) -> float | None:
        """Return count / total, or None when total is 0."""
        return self.count / self.total if self.total else None

    def to_json(self) -> dict[str, Any]:
        """Return ``{"count", "total", "rate"}``."""
        return {"count": self.count, "total": self.total, "rate": self.rate}


@dataclass(frozen=True)
class EscalationMetrics:
    """Assessments that needed a person over all assessments (auto-passed ones included)."""

    overall: Rate
    by_graph: tuple[tuple[str, Rate], ...]
    by_node: tuple[tuple[str, str, Rate], ...]  # (graph, node, rate)

    def to_json(self) -> dict[str, Any]:
        """Return the overall rate and the breakdowns."""
        return {
            "overall": self.overall.to_json(),
            "by_graph": {g: r.to_json() for g, r in self.by_graph},
            "by_node": [{"graph": g, "node": n, **r.to_json()} for g, n, r in self.by_node],
        }


@dataclass(frozen=True)
class OverrideMetrics:
    """Edits, rejections and redirects over decided items; escalations count in neither."""

    overall: Rate
    by_graph: tuple[tuple[str, Rate], ...]
    by_node: tuple[tuple[str, str, Rate], ...]  # (graph, node, rate)
    by_trigger: tuple[tuple[str, Rate], ...]  # an item counts once for each of its trigger kinds
    by_reviewer: tuple[tuple[str, Rate], ...]

    def to_json(self) -> dict[str, Any]:
        """Return the overall rate and the breakdowns."""
        return {
            "overall": self.overall.to_json(),
            "by_graph": {g: r.to_json() for g, r in self.by_graph},
            "by_node": [{"graph": g, "node": n, **r.to_json()} for g, n, r in self.by_node],
            "by_trigger": {k: r.to_json() for k, r in self.by_trigger},
            "by_reviewer": {k: r.to_json() for k, r in self.by_reviewer},
        }


@dataclass(frozen=True)
class Percentiles:
    """Median and 90th percentile (linear interpolation, as PostgreSQL's ``percentile_cont``) in seconds."""

    count: int
    p50: float | None
    p90: float | None

    def to_json(self) -> dict[str, Any]:
        """Return ``{"count", "p50_seconds", "p90_seconds"}``."""
        return {"count": self.count, "p50_seconds": self.p50, "p90_seconds": self.p90}


@dataclass(frozen=True)
class QueueAge:
    """What waits now: how many items, the oldest one's age and the median age, in seconds."""

    pending: int
    oldest_seconds: float | None
    p50_seconds: float | None

    def to_json(self) -> dict[str, Any]:
        """Return the three figures."""
        return {"pending": self.pending, "oldest_seconds": self.oldest_seconds, "p50_seconds": self.p50_seconds}


@dataclass(frozen=True)
class TriggerPattern:
    """One trigger kind: assessments carrying it, and how many per day over the trend window."""

    kind: str
    count: int
    per_day: tuple[int, ...]  # oldest day first, aligned with MetricsReport.trend_days

    def to_json(self) -> dict[str, Any]:
        """Return ``{"kind", "count", "per_day"}``."""
        return {"kind": self.kind, "count": self.count, "per_day": list(self.per_day)}


@dataclass(frozen=True)
class MetricsReport:
    """Every oversight metric for one ``since`` / ``graph`` selection, read at ``generated_at``."""

    generated_at: float
    since: float | None
    graph: str | None
    escalation: EscalationMetrics
    overrides: OverrideMetrics
    time_to_decision: Percentiles
    queue: QueueAge
    trend_days: tuple[str, ...]  # UTC dates, oldest first; the last one is today
    exceptions: tuple[TriggerPattern, ...]  # most frequent trigger kinds first
    decisions_by_action: tuple[tuple[str, int], ...]
    guarantees: tuple[Guarantee, ...] = ()  # the escalation router's promise per gate, and its cost

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict (rates are None where nothing was counted)."""
        return {
            "generated_at": self.generated_at,
            "since": self.since,
            "graph": self.graph,
            "escalation": self.escalation.to_json(),
            "overrides": self.overrides.to_json(),
            "time_to_decision": self.time_to_decision.to_json(),
            "queue": self.queue.to_json(),
            "exceptions": {"days": list(self.trend_days), "kinds": [p.to_json() for p in self.exceptions]},
            "decisions_by_action": dict(self.decisions_by_action),
            "guarantees": [g.to_json() for g in self.guarantees],
        }


def percentile(values: Sequence[float], q: float) -> float | None:
    """Return the q-quantile (0..1) of ``values`` by linear interpolation between ranks; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def parse_since(text: str, now: float) -> float:
    """Turn ``7d`` / ``12h`` / ``30m`` / ``90s`` / ``2w`` (before ``now``) or an ISO date/time into UNIX seconds.

    An ISO value without a zone is UTC. Raises ``ValueError`` with a message fit for a person.
    """
    if m := _DURATION.match(text):
        return now - float(m.group(1)) * _UNIT_SECONDS[m.group(2).lower()]
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"Cannot read --since {text!r}: give an ISO date or time (2024-05-01, 2024-05-01T09:30:00Z) "
            "or a duration back from now (90s, 30m, 12h, 7d, 2w)."
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def compute_metrics(
    conn: Connection,
    *,
    now: float,
    since: float | None = None,
    graph: str | None = None,
    top: int = 10,
    promises: Sequence[Promise] = (),
) -> MetricsReport:
    """Read every metric for the selection; ``top`` bounds how many trigger kinds the patterns list."""
    from humangate.oversight.guarantee import guarantee_costs  # it builds on Rate, defined here

    day0 = (now // _DAY - (TREND_DAYS - 1)) * _DAY  # midnight UTC, six days before today
    days = tuple(datetime.fromtimestamp(day0 + i * _DAY, UTC).date().isoformat() for i in range(TREND_DAYS))
    overrides, by_action = _overrides_and_actions(conn, since=since, graph=graph)
    return MetricsReport(
        generated_at=now,
        since=since,
        graph=graph,
        escalation=_escalation(conn, since=since, graph=graph),
        overrides=overrides,
        time_to_decision=_time_to_decision(conn, since=since, graph=graph),
        queue=_queue(conn, now=now, graph=graph),
        trend_days=days,
        exceptions=_exceptions(conn, since=since, graph=graph, day0=day0, top=top),
        decisions_by_action=by_action,
        guarantees=guarantee_costs(conn, [p for p in promises if graph in (None, p.graph)], since=since),
    )


# -- the queries ---------------------------------------------------------------------------------


def _assessment_filter(since: float | None, graph: str | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if since is not None:
        where.append(assessments.c.created_at >= since)
    if graph is not None:
        where.append(assessments.c.graph == graph)
    return where


def _decision_filter(since: float | None, graph: str | None) -> list[ColumnElement[bool]]:
    # Decisions on paused runs only: audit and canary judgements are reviewer quality (oversight.quality).
    where: list[ColumnElement[bool]] = [review_items.c.kind == "gate"]
    if since is not None:
        where.append(decisions.c.decided_at >= since)
    if graph is not None:
        where.append(review_items.c.graph == graph)
    return where


def _kinds(column: str) -> list[str]:
    return [k for k in column.split(",") if k]


def _escalation(conn: Connection, *, since: float | None, graph: str | None) -> EscalationMetrics:
    rows = conn.execute(
        select(
            assessments.c.graph,
            assessments.c.node,
            func.count().label("total"),
            func.sum(case((assessments.c.needs_review.is_(True), 1), else_=0)).label("escalated"),
        )
        .where(*_assessment_filter(since, graph))
        .group_by(assessments.c.graph, assessments.c.node)
    ).all()
    by_graph: Counter[str] = Counter()
    by_graph_total: Counter[str] = Counter()
    by_node: list[tuple[str, str, Rate]] = []
    for r in sorted(rows, key=lambda r: (r.graph, r.node)):
        escalated, total = int(r.escalated or 0), int(r.total)
        by_graph[r.graph] += escalated
        by_graph_total[r.graph] += total
        by_node.append((r.graph, r.node, Rate(escalated, total)))
    return EscalationMetrics(
        overall=Rate(sum(by_graph.values()), sum(by_graph_total.values())),
        by_graph=tuple((g, Rate(by_graph[g], by_graph_total[g])) for g in sorted(by_graph_total)),
        by_node=tuple(by_node),
    )


def _overrides_and_actions(
    conn: Connection, *, since: float | None, graph: str | None
) -> tuple[OverrideMetrics, tuple[tuple[str, int], ...]]:
    rows = conn.execute(
        select(
            review_items.c.graph,
            review_items.c.node,
            review_items.c.trigger_kinds,
            decisions.c.reviewer,
            decisions.c.action,
            func.count().label("n"),
        )
        .select_from(decisions.join(review_items, decisions.c.item_id == review_items.c.id))
        .where(*_decision_filter(since, graph))
        .group_by(
            review_items.c.graph,
            review_items.c.node,
            review_items.c.trigger_kinds,
            decisions.c.reviewer,
            decisions.c.action,
        )
    ).all()
    actions: Counter[str] = Counter()
    tallies: dict[str, dict[Any, list[int]]] = {"all": {}, "graph": {}, "node": {}, "trigger": {}, "reviewer": {}}

    def add(group: str, key: Any, overridden: int, decided: int) -> None:
        tally = tallies[group].setdefault(key, [0, 0])
        tally[0] += overridden
        tally[1] += decided

    for r in rows:
        n = int(r.n)
        actions[r.action] += n
        if r.action == "escalate":
            continue
        over = n if r.action in OVERRIDE_ACTIONS else 0
        add("all", None, over, n)
        add("graph", r.graph, over, n)
        add("node", (r.graph, r.node), over, n)
        add("reviewer", r.reviewer, over, n)
        for kind in _kinds(r.trigger_kinds):
            add("trigger", kind, over, n)

    def rates(group: str) -> list[tuple[Any, Rate]]:
        return [(key, Rate(*tally)) for key, tally in sorted(tallies[group].items())]

    overall = tallies["all"].get(None, [0, 0])
    metrics = OverrideMetrics(
        overall=Rate(overall[0], overall[1]),
        by_graph=tuple(rates("graph")),
        by_node=tuple((g, n, rate) for (g, n), rate in rates("node")),
        by_trigger=tuple(rates("trigger")),
        by_reviewer=tuple(rates("reviewer")),
    )
    known = [(a, actions[a]) for a in ACTIONS]
    unknown = [(a, actions[a]) for a in sorted(actions) if a not in ACTIONS]  # rows from a newer version
    return metrics, tuple(known + unknown)


def _time_to_decision(conn: Connection, *, since: float | None, graph: str | None) -> Percentiles:
    waits = [
        float(w)
        for w in conn.execute(
            select(decisions.c.decided_at - review_items.c.created_at)
            .select_from(decisions.join(review_items, decisions.c.item_id == review_items.c.id))
            .where(*_decision_filter(since, graph))
        ).scalars()
    ]
    return Percentiles(count=len(waits), p50=percentile(waits, 0.5), p90=percentile(waits, 0.9))


def _queue(conn: Connection, *, now: float, graph: str | None) -> QueueAge:
    stmt = select(review_items.c.created_at).where(review_items.c.status == "pending", review_items.c.kind == "gate")
    if graph is not None:
        stmt = stmt.where(review_items.c.graph == graph)
    ages = [max(0.0, now - float(t)) for t in conn.execute(stmt).scalars()]
    return QueueAge(pending=len(ages), oldest_seconds=max(ages, default=None), p50_seconds=percentile(ages, 0.5))


def _exceptions(
    conn: Connection, *, since: float | None, graph: str | None, day0: float, top: int
) -> tuple[TriggerPattern, ...]:
    counts: Counter[str] = Counter()
    for r in conn.execute(
        select(assessments.c.trigger_kinds, func.count().label("n"))
        .where(*_assessment_filter(since, graph))
        .group_by(assessments.c.trigger_kinds)
    ):
        for kind in _kinds(r.trigger_kinds):
            counts[kind] += int(r.n)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    created = assessments.c.created_at
    day_columns = [
        func.sum(case(((created >= day0 + i * _DAY) & (created < day0 + (i + 1) * _DAY), 1), else_=0)).label(f"d{i}")
        for i in range(TREND_DAYS)
    ]
    trend: dict[str, list[int]] = {kind: [0] * TREND_DAYS for kind, _ in ranked}
    window = [created >= day0, created < day0 + TREND_DAYS * _DAY]
    if graph is not None:
        window.append(assessments.c.graph == graph)
    for r in conn.execute(
        select(assessments.c.trigger_kinds, *day_columns).where(*window).group_by(assessments.c.trigger_kinds)
    ):
        for kind in _kinds(r.trigger_kinds):
            if kind in trend:
                for i in range(TREND_DAYS):
                    trend[kind][i] += int(r[i + 1] or 0)
    return tuple(TriggerPattern(kind, n, tuple(trend[kind])) for kind, n in ranked)
