"""Reviewer quality from the tables: do two people agree, do reviewers look before they approve, what audits find.

``escalate`` hands an item on rather than judging it: as in ``metrics``, it is no decision, and every figure
below leaves it out (an escalated audit or canary is counted once someone decides it).

- Agreement: Cohen's kappa over pairs of judgements of one proposal by two different reviewers. A pair is
  (a) the decision on an item and the decision on an audit item (kind ``audit``) whose ``source_item_id``
  is that item, or (b) the first two ``votes`` (by ``decided_at``) on an item that needs several approvals.
  Categories: approve, edit, reject, redirect. The first judgement is one rater, the second the other.
- Per reviewer: the rubber-stamp signals of ``oversight.reviewers`` (dwell, approval streaks and gaps,
  canaries), with the sentences that flag them.
- Post-review error rate: audits of items decided approve or edit; a finding is an audit decision other
  than approve. Auto-pass findings: the same for audits with no source item (sampled from proposals that
  passed without review). Canaries overall: canary items seeded, decided, caught (not approved), missed.

Filters: ``since`` (UNIX seconds) limits decisions and votes by ``decided_at`` (a pair by its later
judgement) and canary items overall by ``created_at``; ``graph`` limits everything to one graph's items.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, case, func, select

from humangate.checkpoints.schema import decisions, review_items, votes
from humangate.oversight.metrics import Rate
from humangate.oversight.reviewers import JUDGEMENTS, Limits, ReviewerQuality, reviewer_quality, streak_chance, window

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
    limits = Limits(streak_limit, streak_odds, gap_limit, min_decisions)
    agreement, post_review = _audits(conn, since=since, graph=graph)
    auto = conn.execute(
        select(func.count(), func.sum(case((_d.c.action != "approve", 1), else_=0)))
        .select_from(_ri.join(_d, _d.c.item_id == _ri.c.id))
        .where(_ri.c.kind == "audit", _ri.c.source_item_id.is_(None), _d.c.action.in_(JUDGEMENTS))
        .where(*window(since, graph, _d.c.decided_at))
    ).one()
    canary = conn.execute(
        select(
            func.count(),
            func.sum(case((_d.c.action.in_(JUDGEMENTS), 1), else_=0)),
            func.sum(case((_d.c.action == "approve", 1), else_=0)),
        )
        .select_from(_ri.outerjoin(_d, _d.c.item_id == _ri.c.id))
        .where(_ri.c.kind == "canary", *window(since, graph, _ri.c.created_at))
    ).one()
    decided, missed = int(canary[1] or 0), int(canary[2] or 0)
    return QualityReport(
        generated_at=now,
        since=since,
        graph=graph,
        agreement=agreement,
        reviewers=reviewer_quality(conn, since=since, graph=graph, fast_seconds=fast_seconds, limits=limits),
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
        .where(*window(since, graph, aud.c.decided_at))
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
