"""Reviewer quality from the tables: do two people agree, do reviewers look before they approve, what audits find.

``escalate`` hands an item on rather than judging it: as in ``metrics``, it is no decision, and every figure
below leaves it out (an escalated audit or canary is counted once someone decides it).

- Agreement: Cohen's kappa over pairs of judgements of one proposal by two different reviewers. A pair is
  (a) the decision on an item and the decision on an audit item (kind ``audit``) whose ``source_item_id``
  is that item, or (b) the first two ``votes`` (by ``decided_at``) on an item that needs several approvals.
  Categories: approve, edit, reject, redirect. The first judgement is one rater, the second the other.
- Per reviewer, over their judgements of gate and audit items: their decisions and their M-of-N ``votes``
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
- Post-review error rate: audits of items decided approve or edit; a finding is an audit decision other
  than approve. Auto-pass findings: the same for audits with no source item (sampled from proposals that
  passed without review). Canaries overall: canary items seeded, decided, caught (not approved), missed.

Filters: ``since`` (UNIX seconds) limits decisions and votes by ``decided_at`` (a pair by its later
judgement) and canary items overall by ``created_at``; ``graph`` limits everything to one graph's items.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import Connection, Subquery, and_, case, func, literal, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from humangate.checkpoints.schema import decisions, review_items, votes
from humangate.core.contract import SYSTEM_REVIEWER
from humangate.oversight.metrics import Rate

__all__ = [
    "JUDGEMENTS",
    "Agreement",
    "Canaries",
    "QualityReport",
    "ReviewerQuality",
    "cohen_kappa",
    "compute_quality",
    "streak_chance",
]

JUDGEMENTS: tuple[str, ...] = ("approve", "edit", "reject", "redirect")
"""The actions that judge a proposal; ``escalate`` passes it on."""

_DAY = 86_400.0
_ri, _d = review_items, decisions


@dataclass(frozen=True)
class Agreement:
    """Cohen's kappa between first and second judgements of double-reviewed proposals."""

    pairs: int
    audit_pairs: int
    vote_pairs: int
    observed: float | None  # share of pairs that agree
    expected: float | None  # agreement expected by chance from the two marginals
    kappa: float | None  # None without pairs, or when chance agreement is 1


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


@dataclass(frozen=True)
class Canaries:
    """Seeded known-bad proposals: how many were decided, caught (not approved) and missed (approved)."""

    seeded: int
    decided: int
    caught: int
    missed: int

    @property
    def catch_rate(self) -> float | None:
        """Return caught / decided, or None before any was decided."""
        return self.caught / self.decided if self.decided else None


@dataclass(frozen=True)
class QualityReport:
    """Agreement, per-reviewer signals and audit findings for one ``since`` / ``graph`` selection."""

    generated_at: float
    since: float | None
    graph: str | None
    agreement: Agreement
    reviewers: tuple[ReviewerQuality, ...]  # by name
    post_review_errors: Rate  # findings / audited approvals and edits
    auto_pass_findings: Rate  # findings / decided audits of auto-passed proposals
    canaries: Canaries

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (rates are None where nothing was counted)."""
        return {
            "generated_at": self.generated_at,
            "since": self.since,
            "graph": self.graph,
            "agreement": asdict(self.agreement),
            "reviewers": [asdict(r) | {"flags": list(r.flags), "flagged": r.flagged} for r in self.reviewers],
            "post_review_errors": self.post_review_errors.to_json(),
            "auto_pass_findings": self.auto_pass_findings.to_json(),
            "canaries": asdict(self.canaries) | {"catch_rate": self.canaries.catch_rate},
        }


def _chance(counts: Counter[tuple[str, str]]) -> tuple[int, int, int]:
    """Return (pairs, agreeing pairs, sum over categories of first * second marginal)."""
    first: Counter[str] = Counter()
    second: Counter[str] = Counter()
    for (a, b), n in counts.items():
        first[a] += n
        second[b] += n
    agree = sum(n for (a, b), n in counts.items() if a == b)
    return sum(counts.values()), agree, sum(first[k] * second[k] for k in first)


def cohen_kappa(pairs: Iterable[tuple[str, str]]) -> float | None:
    """Return Cohen's kappa of (first, second) category pairs; None when empty or chance agreement is 1."""
    n, agree, marginals = _chance(Counter(pairs))
    if not n or marginals == n * n:
        return None
    observed, expected = agree / n, marginals / (n * n)
    return (observed - expected) / (1 - expected)


def _window(since: float | None, graph: str | None, when: ColumnElement[float]) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if since is not None:
        where.append(when >= since)
    if graph is not None:
        where.append(_ri.c.graph == graph)
    return where


@dataclass(frozen=True)
class _Limits:
    """Where each rubber-stamp signal starts to flag (see ``compute_quality``)."""

    streak: int
    streak_odds: float
    gap: float
    min_decisions: int


def compute_quality(
    conn: Connection,
    *,
    now: float,
    since: float | None = None,
    graph: str | None = None,
    fast_seconds: float = 5.0,
    streak_limit: int = 20,
    streak_odds: float = 0.01,
    gap_limit: float = 0.25,
    min_decisions: int = 10,
) -> QualityReport:
    """Read agreement, rubber-stamp signals, audit findings and canaries for the selection."""
    limits = _Limits(streak_limit, streak_odds, gap_limit, min_decisions)
    agreement, post_review = _audits(conn, since=since, graph=graph)
    auto = conn.execute(
        select(func.count(), func.sum(case((_d.c.action != "approve", 1), else_=0)))
        .select_from(_ri.join(_d, _d.c.item_id == _ri.c.id))
        .where(_ri.c.kind == "audit", _ri.c.source_item_id.is_(None), _d.c.action.in_(JUDGEMENTS))
        .where(*_window(since, graph, _d.c.decided_at))
    ).one()
    canary = conn.execute(
        select(
            func.count(),
            func.sum(case((_d.c.action.in_(JUDGEMENTS), 1), else_=0)),
            func.sum(case((_d.c.action == "approve", 1), else_=0)),
        )
        .select_from(_ri.outerjoin(_d, _d.c.item_id == _ri.c.id))
        .where(_ri.c.kind == "canary", *_window(since, graph, _ri.c.created_at))
    ).one()
    decided, missed = int(canary[1] or 0), int(canary[2] or 0)
    return QualityReport(
        generated_at=now,
        since=since,
        graph=graph,
        agreement=agreement,
        reviewers=_reviewers(conn, since=since, graph=graph, fast_seconds=fast_seconds, limits=limits),
        post_review_errors=post_review,
        auto_pass_findings=Rate(int(auto[1] or 0), int(auto[0])),
        canaries=Canaries(seeded=int(canary[0]), decided=decided, caught=decided - missed, missed=missed),
    )


def _audits(conn: Connection, *, since: float | None, graph: str | None) -> tuple[Agreement, Rate]:
    src, aud = _d.alias("src"), _d.alias("aud")
    same = case((src.c.reviewer == aud.c.reviewer, 1), else_=0)
    rows = conn.execute(
        select(src.c.action, aud.c.action, same, func.count())
        .select_from(_ri.join(aud, aud.c.item_id == _ri.c.id).join(src, src.c.item_id == _ri.c.source_item_id))
        .where(_ri.c.kind == "audit", src.c.action.in_(JUDGEMENTS), aud.c.action.in_(JUDGEMENTS))
        .where(*_window(since, graph, aud.c.decided_at))
        .group_by(src.c.action, aud.c.action, same)
    ).all()
    pairs: Counter[tuple[str, str]] = Counter()
    audited = findings = 0
    for first, second, same_reviewer, n in rows:
        if not same_reviewer:
            pairs[(first, second)] += n
        if first in ("approve", "edit"):
            audited += n
            findings += n if second != "approve" else 0
    audit_pairs = sum(pairs.values())
    rank = func.row_number().over(partition_by=votes.c.item_id, order_by=(votes.c.decided_at, votes.c.id))
    ranked = select(votes.c.item_id, votes.c.action, votes.c.decided_at, rank.label("rank")).subquery()
    first_two = conn.execute(
        select(ranked.c.item_id, ranked.c.action, ranked.c.decided_at)
        .select_from(ranked.join(_ri, _ri.c.id == ranked.c.item_id))
        .where(ranked.c.rank <= 2, *([_ri.c.graph == graph] if graph is not None else []))
        .order_by(ranked.c.item_id, ranked.c.rank)
    ).all()
    by_item: defaultdict[int, list[Any]] = defaultdict(list)
    for row in first_two:
        by_item[row.item_id].append(row)
    for a, b in (v for v in by_item.values() if len(v) == 2):
        if a.action in JUDGEMENTS and b.action in JUDGEMENTS and (since is None or b.decided_at >= since):
            pairs[(a.action, b.action)] += 1
    n, agree, marginals = _chance(pairs)
    agreement = Agreement(
        pairs=n,
        audit_pairs=audit_pairs,
        vote_pairs=n - audit_pairs,
        observed=agree / n if n else None,
        expected=marginals / (n * n) if n else None,
        kappa=cohen_kappa(pairs.elements()),
    )
    return agreement, Rate(findings, audited)


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


def _reviewers(
    conn: Connection, *, since: float | None, graph: str | None, fast_seconds: float, limits: _Limits
) -> tuple[ReviewerQuality, ...]:
    j = _judgements()
    # The SLA's fail-closed rejections are the policy's, not a reviewer's: they are nobody's peer.
    where = [j.c.action.in_(JUDGEMENTS), j.c.reviewer != SYSTEM_REVIEWER, *_window(since, graph, j.c.decided_at)]
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


def _flagged(q: ReviewerQuality, limits: _Limits) -> ReviewerQuality:
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
