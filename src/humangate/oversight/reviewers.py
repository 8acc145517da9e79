"""Per reviewer: do they look before they approve, and do they approve more than colleagues would?

``escalate`` hands an item on rather than judging it, and is left out of every figure (see ``quality``).

Per reviewer, over their judgements of gate and audit items: their decisions and their M-of-N ``votes``
(an early approval of an item that needs several is only a vote; the completing one is a vote and a
decision and counts once), all called decisions below. Approvals and approval rate; ``fast_share``,
decisions whose dwell (claim to decision) is recorded and under ``max(item's min_dwell_seconds,
fast_seconds)``, over all their decisions (an unclaimed decision has no dwell and is not fast); the
longest run of approvals in ``decided_at`` order; ``approval_gap``, their approval rate minus the other
reviewers' on the same (graph, node, risk level) stratum, averaged over strata weighted by their own
decisions there (a stratum nobody else decided is skipped; None when all are). ``peer_approval_rate``
is those peers' rate, averaged the same way, and ``streak_chance`` the chance of a streak at least as
long in as many decisions approving at that rate (``streak_chance()``). Canary items (kind ``canary``,
seeded known-bad proposals) count apart: ``canary_catch_rate`` is the share of their canary decisions
that are not approvals. ``flags`` are sentences for a manager, given only from ``min_decisions``
decisions on: fast_share >= 0.5; a streak >= ``streak_limit`` that chance explains less than
``streak_odds`` of the time (where approvals are the norm, long streaks are too; with no peers, the
limit alone); a gap >= ``gap_limit``; or a catch rate under 0.5 over at least two canaries.

Filters as in ``oversight.quality``: ``since`` limits judgements by ``decided_at``, ``graph`` to one graph's items.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from sqlalchemy import Connection, Subquery, and_, case, func, literal, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from humangate.checkpoints.schema import decisions, review_items, votes
from humangate.core.contract import SYSTEM_REVIEWER

__all__ = ["JUDGEMENTS", "Limits", "ReviewerQuality", "reviewer_quality", "streak_chance", "window"]

JUDGEMENTS: tuple[str, ...] = ("approve", "edit", "reject", "redirect")
"""The actions that judge a proposal; ``escalate`` passes it on."""
_ri, _d = review_items, decisions


@dataclass(frozen=True)
class ReviewerQuality:
    """One reviewer's rubber-stamp signals and the sentences that flag them."""

    reviewer: str
    decisions: int  # with their M-of-N votes that are not also a decision
    approvals: int
    approval_rate: float | None
    timed: int  # decisions with a recorded dwell
    fast: int
    fast_share: float | None
    longest_approve_streak: int
    approval_gap: float | None
    canaries_seen: int
    canaries_approved: int
    canary_catch_rate: float | None
    flags: tuple[str, ...]
    peer_approval_rate: float | None = None  # colleagues' approval rate on the same kinds of items
    streak_chance: float | None = None  # chance of so long a streak at that rate, over as many decisions

    @property
    def flagged(self) -> bool:
        """Return True when any signal crossed its limit."""
        return bool(self.flags)


def window(since: float | None, graph: str | None, when: ColumnElement[float]) -> list[ColumnElement[bool]]:
    """Return the filters of a selection: judged since ``since``, items of ``graph``."""
    where: list[ColumnElement[bool]] = []
    if since is not None:
        where.append(when >= since)
    if graph is not None:
        where.append(_ri.c.graph == graph)
    return where


@dataclass(frozen=True)
class Limits:
    """Where each rubber-stamp signal starts to flag (see ``compute_quality``)."""

    streak: int
    streak_odds: float
    gap: float
    min_decisions: int


def _judgements() -> Subquery:
    """Return every reviewer's judgements: their decisions, and their votes not also recorded as the same decision."""
    # Early approvals of an M-of-N item are only votes; the completing one is a vote and an approve decision.
    decided = select(_d.c.id).where(
        _d.c.item_id == votes.c.item_id, _d.c.reviewer == votes.c.reviewer, _d.c.action == votes.c.action
    )
    cols = ("item_id", "reviewer", "action", "dwell_seconds", "decided_at")
    return union_all(
        select(*(_d.c[c] for c in cols)),
        select(*(votes.c[c] for c in cols)).where(~decided.exists()),
    ).subquery("judgements")


def reviewer_quality(
    conn: Connection, *, since: float | None, graph: str | None, fast_seconds: float, limits: Limits
) -> tuple[ReviewerQuality, ...]:
    j = _judgements()
    # The SLA's fail-closed rejections are the policy's, not a reviewer's: they are nobody's peer.
    where = [j.c.action.in_(JUDGEMENTS), j.c.reviewer != SYSTEM_REVIEWER, *window(since, graph, j.c.decided_at)]
    judged = j.join(_ri, j.c.item_id == _ri.c.id)
    floor = case((_ri.c.min_dwell_seconds > fast_seconds, _ri.c.min_dwell_seconds), else_=literal(fast_seconds))
    approve = case((j.c.action == "approve", 1), else_=0)
    strata_cols = (j.c.reviewer, _ri.c.graph, _ri.c.node, _ri.c.risk_level)
    strata = conn.execute(
        select(
            *strata_cols,
            func.count().label("n"),
            func.sum(approve).label("approved"),
            func.sum(case((j.c.dwell_seconds.is_not(None), 1), else_=0)).label("timed"),
            func.sum(case((and_(j.c.dwell_seconds.is_not(None), j.c.dwell_seconds < floor), 1), else_=0)).label("fast"),
        )
        .select_from(judged)
        .where(_ri.c.kind.in_(("gate", "audit")), *where)
        .group_by(*strata_cols)
    ).all()
    streaks: Counter[str] = Counter()
    current: Counter[str] = Counter()  # each reviewer's approvals in a row so far
    for reviewer, action in conn.execute(
        select(j.c.reviewer, j.c.action)
        .select_from(judged)
        .where(_ri.c.kind.in_(("gate", "audit")), *where)
        .order_by(j.c.reviewer, j.c.decided_at, j.c.item_id)  # ids of decisions and votes are apart
    ):
        current[reviewer] = current[reviewer] + 1 if action == "approve" else 0
        streaks[reviewer] = max(streaks[reviewer], current[reviewer])
    canaries = {
        r.reviewer: (int(r.n), int(r.approved or 0))
        for r in conn.execute(
            select(j.c.reviewer, func.count().label("n"), func.sum(approve).label("approved"))
            .select_from(judged)
            .where(_ri.c.kind == "canary", *where)
            .group_by(j.c.reviewer)
        )
    }
    # Per reviewer and stratum: (stratum, decisions, approvals, timed, fast); per stratum: everyone's totals.
    mine: defaultdict[str, list[tuple[tuple[str, str, str], int, int, int, int]]] = defaultdict(list)
    totals: Counter[tuple[str, str, str, str]] = Counter()
    for r in strata:
        stratum = (r.graph, r.node, r.risk_level)
        mine[r.reviewer].append((stratum, int(r.n), int(r.approved or 0), int(r.timed or 0), int(r.fast or 0)))
        totals[(*stratum, "n")] += int(r.n)
        totals[(*stratum, "approved")] += int(r.approved or 0)
    out = []
    for name in sorted(mine.keys() | canaries.keys()):
        rows = mine.get(name, [])
        n, approved, fast = sum(r[1] for r in rows), sum(r[2] for r in rows), sum(r[4] for r in rows)
        weighted = expected = weight = 0.0
        for stratum, own_n, own_approved, _, _ in rows:
            # Their rate minus the peers' rate, times their decisions: own_approved - own_n * peer rate.
            peers_n = totals[(*stratum, "n")] - own_n
            if peers_n:
                peer_rate = (totals[(*stratum, "approved")] - own_approved) / peers_n
                weighted += own_approved - own_n * peer_rate
                expected += own_n * peer_rate
                weight += own_n
        seen, canary_approved = canaries.get(name, (0, 0))
        q = ReviewerQuality(
            reviewer=name,
            decisions=n,
            approvals=approved,
            approval_rate=approved / n if n else None,
            timed=sum(r[3] for r in rows),
            fast=fast,
            fast_share=fast / n if n else None,
            longest_approve_streak=streaks[name],
            approval_gap=weighted / weight if weight else None,
            canaries_seen=seen,
            canaries_approved=canary_approved,
            canary_catch_rate=(seen - canary_approved) / seen if seen else None,
            flags=(),
            peer_approval_rate=expected / weight if weight else None,
            streak_chance=streak_chance(n, streaks[name], expected / weight) if weight else None,
        )
        out.append(_flagged(q, limits))
    return tuple(out)


def streak_chance(n: int, streak: int, p: float) -> float:
    """Return the chance that ``n`` decisions, each an approval with chance ``p``, hold ``streak`` in a row."""
    if streak <= 0:
        return 1.0
    if streak > n:
        return 0.0
    # none[k]: the chance that the first k decisions hold no such run. One first completed at decision k
    # is `streak` approvals after a non-approval at k - streak, with none before it:
    # none[k] = none[k - 1] - (1 - p) * p**streak * none[k - streak - 1].
    run = p**streak
    none = [1.0] * streak + [1.0 - run]
    for k in range(streak + 1, n + 1):
        none.append(none[k - 1] - (1 - p) * run * none[k - streak - 1])
    return min(1.0, max(0.0, 1.0 - none[n]))


def _odds(chance: float) -> str:
    return "under 0.1%" if chance < 0.001 else f"{chance:.1%}"


def _flagged(q: ReviewerQuality, limits: Limits) -> ReviewerQuality:
    if q.decisions < limits.min_decisions:
        return q
    flags = []
    if q.fast_share is not None and q.fast_share >= 0.5:
        flags.append(
            f"Decided {q.fast} of {q.decisions} items ({q.fast_share:.0%}) faster than the minimum review time "
            "for their risk level."
        )
    # A long streak is only a signal when it is unlikely for someone approving as often as colleagues do.
    chance = q.streak_chance
    if q.longest_approve_streak >= limits.streak and (chance is None or chance < limits.streak_odds):
        why = "."
        if chance is not None and q.peer_approval_rate is not None:
            why = (
                f"; colleagues approve {q.peer_approval_rate:.0%} of the same kinds of items, at which rate a run "
                f"that long in {q.decisions} decisions happens by chance {_odds(chance)} of the time."
            )
        flags.append(f"Approved {q.longest_approve_streak} items in a row without one edit, rejection or redirect{why}")
    if q.approval_gap is not None and q.approval_gap >= limits.gap:
        flags.append(
            f"Approves {q.approval_gap * 100:.0f} percentage points more often than colleagues deciding the same "
            "kinds of items."
        )
    if q.canaries_seen >= 2 and q.canary_catch_rate is not None and q.canary_catch_rate < 0.5:
        flags.append(
            f"Approved {q.canaries_approved} of {q.canaries_seen} planted known-bad test items that should have "
            "been stopped."
        )
    return replace(q, flags=tuple(flags))
