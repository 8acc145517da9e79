"""Reviewer-quality metrics on a fixed story of rows, checked against arithmetic done by hand.

The rows are inserted directly (the service that writes audits, canaries and votes is not needed to
count them). T0 is a UTC midnight, D a day; day 1 starts at T0 + D, day 2 at T0 + 2D, NOW = T0 + 3D.
Every item is in graph ``notify``; gate items at node ``review`` unless noted. ``min_dwell_seconds``:
low 10, high 30; with ``fast_seconds`` 5 a decision is fast under 10 s (low) or 30 s (high).
A approve, E edit, X reject, R redirect, ^ escalate; (n s) the dwell; (-) no dwell (unclaimed).

    day 1, minute 1..13
      g1..g5   bob    A(2) A(3) A(-) on low, A(20) A(40) on high
      g9..g11  alice  A(15) E(12) on low, X(45) on high
      g16 g17  carol  A(1) A(1) on low
      g19      dave   A(12) on low
      k1       bob    A(3)  on canary k1 (high);  k4 alice X(60) on canary k4
    day 2, minute 1..24
      g6       bob    X(1) on low at node ``send`` (nobody else decides there)
      g7 g8    bob    A(4) on low, A(25) on high
      g12..g15 alice  A(31) on high, A(9) R(-) ^(1) on low
      g18      carol  A(2) on high
      canaries k2 bob A(4), k3 bob X(50), k5 alice E(70), k7 carol A(5); k6 is never decided
      audits   u1 of g1: dave A(20); u2 of g2: dave X(30); u4 of g10: dave E(25); u6 of g19: dave A(15)
               p3 (auto-pass, no source): dave A(3); u8 of g12 (high): dave R(35)
               u3 of g4 (high): erin A(40); u5 of g11 (high): erin X(50); u7 of g9: erin ^(2)
               p1, p2 (auto-pass): erin A(20), X(20); p5 (auto-pass): dave ^(1); p4 is never decided
      votes    v1: erin A, frank A, gina X;  v2: frank X, erin A;  v3: erin A;  v4: frank ^, erin A;
               v5: erin R, frank R  (critical items needing two approvals; no decisions rows), minutes 25..34,
               each after 90 s
    assessments: day 1 three (two held: ",pii," and ",pii,policy,"; one passed), day 2 two (one held: ",impact,")

A second story (``seed_votes``) has only M-of-N items, all critical (fast under 60 s), as ``decide`` records
them: an early approval is a vote only (v), the completing one a vote and a decision (b), anything else a
decision only (d). m1..m6 in graph ``refunds`` need two approvals (m6 three), n1 in graph ``notify`` two.

    day 1, minute 1..12
      m1 m2 m3  hank  A(4) v;   m1 m2  ivy  A(75) b
    day 2, minute 1..26
      n1        hank  A(4) v, then ivy E(75) d (an edit decides at once);   m3  ivy A(75) b
      m4 m5 m6  hank  A(4) v;   m4 m5  ivy  A(75) b;   m6  ivy A(75) v, then jo X(80) d
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, insert, update
from typer.testing import CliRunner

from humangate import Settings
from humangate.checkpoints.database import Database
from humangate.checkpoints.schema import assessments, decisions, review_items, runs, votes
from humangate.cli import app
from humangate.oversight.metrics import Rate
from humangate.oversight.quality import QualityReport, ReviewerQuality, cohen_kappa, compute_quality, streak_chance
from humangate.oversight.reviewers import Limits, _flagged
from humangate.oversight.trends import daily_series

T0 = 1_700_006_400.0  # 2023-11-15T00:00:00Z
D = 86_400.0
NOW = T0 + 3 * D
LIMITS = {"fast_seconds": 5.0, "streak_limit": 5, "gap_limit": 0.25, "min_decisions": 5}
DWELL = {"low": 10.0, "high": 30.0, "critical": 60.0}

# (day, minute, item, reviewer, action, dwell); items: key -> (kind, node, risk, source)
DECISIONS: list[tuple[int, int, str, str, str, float | None]] = [
    (1, 1, "g1", "bob", "approve", 2),
    (1, 2, "g2", "bob", "approve", 3),
    (1, 3, "g3", "bob", "approve", None),
    (1, 4, "g4", "bob", "approve", 20),
    (1, 5, "g5", "bob", "approve", 40),
    (1, 6, "g9", "alice", "approve", 15),
    (1, 7, "g10", "alice", "edit", 12),
    (1, 8, "g11", "alice", "reject", 45),
    (1, 9, "g16", "carol", "approve", 1),
    (1, 10, "g17", "carol", "approve", 1),
    (1, 11, "g19", "dave", "approve", 12),
    (1, 12, "k1", "bob", "approve", 3),
    (1, 13, "k4", "alice", "reject", 60),
    (2, 1, "g6", "bob", "reject", 1),
    (2, 2, "g7", "bob", "approve", 4),
    (2, 3, "g8", "bob", "approve", 25),
    (2, 4, "g12", "alice", "approve", 31),
    (2, 5, "g13", "alice", "approve", 9),
    (2, 6, "g14", "alice", "redirect", None),
    (2, 7, "g15", "alice", "escalate", 1),
    (2, 8, "g18", "carol", "approve", 2),
    (2, 9, "k2", "bob", "approve", 4),
    (2, 10, "k3", "bob", "reject", 50),
    (2, 11, "k5", "alice", "edit", 70),
    (2, 12, "k7", "carol", "approve", 5),
    (2, 13, "u1", "dave", "approve", 20),
    (2, 14, "u2", "dave", "reject", 30),
    (2, 15, "u4", "dave", "edit", 25),
    (2, 16, "u6", "dave", "approve", 15),
    (2, 17, "p3", "dave", "approve", 3),
    (2, 18, "u8", "dave", "redirect", 35),
    (2, 19, "u3", "erin", "approve", 40),
    (2, 20, "u5", "erin", "reject", 50),
    (2, 21, "u7", "erin", "escalate", 2),
    (2, 22, "p1", "erin", "approve", 20),
    (2, 23, "p2", "erin", "reject", 20),
    (2, 24, "p5", "dave", "escalate", 1),
]
VOTES = [
    (25, "v1", "erin", "approve"),
    (26, "v1", "frank", "approve"),
    (27, "v1", "gina", "reject"),
    (28, "v2", "frank", "reject"),
    (29, "v2", "erin", "approve"),
    (30, "v3", "erin", "approve"),
    (31, "v4", "frank", "escalate"),
    (32, "v4", "erin", "approve"),
    (33, "v5", "erin", "redirect"),
    (34, "v5", "frank", "redirect"),
]
HIGH = {"g4", "g5", "g8", "g11", "g12", "g18", "u3", "u5", "u8"}
SOURCES = {"u1": "g1", "u2": "g2", "u3": "g4", "u4": "g10", "u5": "g11", "u6": "g19", "u7": "g9", "u8": "g12"}


# The second story: (day, minute, item, reviewer, action, dwell, recorded as v vote, b both, d decision).
MOFN: list[tuple[int, int, str, str, str, float, str]] = [
    (1, 1, "m1", "hank", "approve", 4, "v"),
    (1, 2, "m2", "hank", "approve", 4, "v"),
    (1, 3, "m3", "hank", "approve", 4, "v"),
    (1, 11, "m1", "ivy", "approve", 75, "b"),
    (1, 12, "m2", "ivy", "approve", 75, "b"),
    (2, 1, "n1", "hank", "approve", 4, "v"),
    (2, 2, "n1", "ivy", "edit", 75, "d"),
    (2, 3, "m3", "ivy", "approve", 75, "b"),
    (2, 4, "m4", "hank", "approve", 4, "v"),
    (2, 5, "m5", "hank", "approve", 4, "v"),
    (2, 6, "m6", "hank", "approve", 4, "v"),
    (2, 14, "m4", "ivy", "approve", 75, "b"),
    (2, 15, "m5", "ivy", "approve", 75, "b"),
    (2, 16, "m6", "ivy", "approve", 75, "v"),
    (2, 26, "m6", "jo", "reject", 80, "d"),
]


def _item(key: str) -> tuple[str, str, str]:
    """Return (kind, node, risk) of a story item."""
    kind = {"g": "gate", "v": "gate", "k": "canary", "u": "audit", "p": "audit"}[key[0]]
    risk = "critical" if key[0] == "v" else "high" if key in HIGH or kind == "canary" else "low"
    return kind, "send" if key == "g6" else "review", risk


def _item_row(key: str, run_id: str, graph: str, risk: str, **values: Any) -> dict[str, Any]:
    """Return a gate item of the given risk, pending unless ``values`` say otherwise."""
    return {
        "interrupt_id": f"i-{key}",
        "run_id": run_id,
        "graph": graph,
        "node": "review",
        "title": f"item {key}",
        "risk_level": risk,
        "risk_rank": ("low", "medium", "high", "critical").index(risk),
        "score": 0.5,
        "trigger_kinds": ",impact,",
        "required_role": "reviewer",
        "min_dwell_seconds": DWELL[risk],
        "escalation_level": 0,
        "status": "pending",
        "version": 0,
        "request_json": "{}",
        "kind": "gate",
        "sla_step": 0,
        "approvals_needed": 1,
        "blind": False,
    } | values


def _judgement(item_id: int, reviewer: str, action: str, at: float, dwell: float | None) -> dict[str, Any]:
    """Return the columns a decision and a vote share."""
    return {
        "item_id": item_id,
        "reviewer": reviewer,
        "action": action,
        "decision_json": "{}",
        "request_sha256": "0" * 64,
        "decided_at": at,
        "dwell_seconds": dwell,
    }


def _run(conn: Connection, run_id: str, graph: str, t0: float) -> None:
    conn.execute(
        insert(runs).values(
            id=run_id, graph=graph, title=run_id, status="paused", inputs_json="{}", created_at=t0, updated_at=t0
        )
    )


def seed_story(conn: Connection, t0: float) -> None:
    """Insert the story above with day 0 starting at ``t0`` (the panel test moves it close to today)."""
    at = {key: t0 + day * D + minute * 60 for day, minute, key, *_ in DECISIONS}
    keys = [k for _, _, k, *_ in DECISIONS] + ["k6", "p4", "v1", "v2", "v3", "v4", "v5"]
    _run(conn, "story", "notify", t0)
    ids: dict[str, int] = {}
    for key in sorted(keys, key=lambda k: k[0] != "g"):  # sources first
        kind, node, risk = _item(key)
        created = at[key] - 300 if key in at else t0 + 2 * D + 3_600
        ids[key] = conn.execute(
            insert(review_items).values(
                _item_row(
                    key,
                    "story",
                    "notify",
                    risk,
                    node=node,
                    status="decided" if key in at else "pending",
                    created_at=created,
                    decided_at=at.get(key),
                    kind=kind,
                    approvals_needed=2 if key[0] == "v" else 1,
                    blind=kind == "audit",
                    source_item_id=ids[SOURCES[key]] if key in SOURCES else None,
                )
            )
        ).inserted_primary_key[0]
    for _, _, key, reviewer, action, dwell in DECISIONS:
        row = _judgement(ids[key], reviewer, action, at[key], dwell)
        conn.execute(insert(decisions).values(row | {"run_id": "story", "interrupt_id": f"i-{key}"}))
    for minute, key, reviewer, action in VOTES:
        conn.execute(insert(votes).values(_judgement(ids[key], reviewer, action, t0 + 2 * D + minute * 60, 90.0)))
    _assessments(conn, t0)


def seed_votes(conn: Connection, t0: float) -> None:
    """Insert the second story: M-of-N items judged by votes and decisions as ``decide`` records them."""
    for graph in ("refunds", "notify"):
        _run(conn, graph, graph, t0)
    ids: dict[str, int] = {}
    for day, minute, key, reviewer, action, dwell, kind in MOFN:
        at, graph = t0 + day * D + minute * 60, "notify" if key == "n1" else "refunds"
        if key not in ids:
            needed = 3 if key == "m6" else 2
            row = _item_row(key, graph, graph, "critical", created_at=at - 300, approvals_needed=needed)
            ids[key] = conn.execute(insert(review_items).values(row)).inserted_primary_key[0]
        judged = _judgement(ids[key], reviewer, action, at, dwell)
        if kind in "vb":
            conn.execute(insert(votes).values(judged))
        if kind in "bd":
            conn.execute(insert(decisions).values(judged | {"run_id": graph, "interrupt_id": f"i-{key}"}))
            conn.execute(
                update(review_items).where(review_items.c.id == ids[key]).values(status="decided", decided_at=at)
            )


def _assessments(conn: Connection, t0: float) -> None:
    for n, (day, held, kinds) in enumerate(
        [(1, True, ",pii,"), (1, True, ",pii,policy,"), (1, False, ""), (2, True, ",impact,"), (2, False, "")]
    ):
        conn.execute(
            insert(assessments).values(
                event_id=f"e{n}",
                run_id="story",
                graph="notify",
                node="review",
                level="high" if held else "low",
                score=0.5,
                needs_review=held,
                trigger_kinds=kinds,
                policy_version="test",
                assessment_json="{}",
                created_at=t0 + day * D + 3_600 + n,
            )
        )


def _seeded(db_url: str, tmp_path: Path, seed: Callable[[Connection, float], None]) -> Iterator[Database]:
    database = Database(Settings(db_url=db_url, outbox_dir=tmp_path / "outbox"))
    database.ensure_schema()
    with database.write() as conn:
        seed(conn, T0)
    yield database
    database.dispose()


@pytest.fixture
def db(db_url: str, tmp_path: Path) -> Iterator[Database]:
    """A migrated database of each backend holding the story."""
    yield from _seeded(db_url, tmp_path, seed_story)


@pytest.fixture
def votes_db(db_url: str, tmp_path: Path) -> Iterator[Database]:
    """A migrated database of each backend holding the second (M-of-N) story."""
    yield from _seeded(db_url, tmp_path, seed_votes)


def _quality(db: Database, **kwargs: Any) -> QualityReport:
    with db.read() as conn:
        return compute_quality(conn, now=NOW, **(LIMITS | kwargs))


def _who(report: QualityReport) -> dict[str, ReviewerQuality]:
    return {r.reviewer: r for r in report.reviewers}


def test_cohen_kappa_by_hand() -> None:
    # 50 pairs: both approve 20, approve/reject 5, reject/approve 10, both reject 15.
    # Observed p_o = (20 + 15) / 50 = 0.7. Marginals: first approve 25, reject 25; second approve 30,
    # reject 20. Chance p_e = (25*30 + 25*20) / 50^2 = (750 + 500) / 2500 = 0.5.
    # kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
    pairs = [("approve", "approve")] * 20 + [("approve", "reject")] * 5
    pairs += [("reject", "approve")] * 10 + [("reject", "reject")] * 15
    assert cohen_kappa(pairs) == pytest.approx(0.4)
    # Always disagreeing over two categories: p_o = 0, p_e = (1*1 + 1*1) / 4 = 0.5 -> (0 - 0.5) / 0.5 = -1.
    assert cohen_kappa([("approve", "reject"), ("reject", "approve")]) == pytest.approx(-1.0)
    assert cohen_kappa([("edit", "edit"), ("reject", "reject")]) == 1.0  # p_o 1, p_e 0.5
    assert cohen_kappa([]) is None
    assert cohen_kappa([("approve", "approve")] * 3) is None  # p_e = 1: kappa is undefined


def test_agreement_and_audit_findings(db: Database) -> None:
    q = _quality(db)
    # Pairs (first, second): audits u1 (A,A), u2 (A,X), u3 (A,A), u4 (E,E), u5 (X,X), u8 (A,R); u6 is
    # dave auditing dave (same person) and u7 escalated. Votes v1 (A,A) (gina's third vote is ignored),
    # v2 (X,A), v5 (R,R); v3 has one vote, v4 starts with an escalation. 9 pairs, 6 agree: p_o = 2/3.
    # First marginals A 5, E 1, X 2, R 1; second A 4, E 1, X 2, R 2.
    # p_e = (5*4 + 1*1 + 2*2 + 1*2) / 81 = 27/81 = 1/3; kappa = (2/3 - 1/3) / (1 - 1/3) = 0.5.
    a = q.agreement
    assert (a.pairs, a.audit_pairs, a.vote_pairs) == (9, 6, 3)
    assert a.observed == pytest.approx(2 / 3)
    assert a.expected == pytest.approx(1 / 3)
    assert a.kappa == pytest.approx(0.5)
    # Post-review: audits of approvals and edits, judged: u1 A, u2 X, u3 A, u4 E, u6 A, u8 R -> findings
    # u2, u4, u8 = 3 of 6 (u5 audits a rejection; u7 escalated).
    assert q.post_review_errors == Rate(3, 6)
    # Auto-pass audits: p1 A, p2 X, p3 A decided (p4 waits, p5 escalated) -> 1 finding of 3.
    assert q.auto_pass_findings == Rate(1, 3)
    # Canaries k1..k7 seeded; k6 undecided; caught k3 X, k4 X, k5 E; missed k1, k2, k7 A.
    c = q.canaries
    assert (c.seeded, c.decided, c.caught, c.missed, c.catch_rate) == (7, 6, 3, 3, 0.5)


def test_rubber_stamp_signals_per_reviewer(db: Database) -> None:
    who = _who(_quality(db))
    assert list(who) == ["alice", "bob", "carol", "dave", "erin", "frank", "gina"]  # frank and gina only voted

    # bob: g1-g8 -> 8 decisions, 7 approvals (g6 rejected). Fast: g1 2<10, g2 3<10, g4 20<30, g6 1<10,
    # g7 4<10, g8 25<30 = 6 of 8 (g3 has no dwell, g5 40 >= 30). Streak: g1..g5 = 5, then g6 breaks it.
    # Gap, strata low (review): everyone 18 decisions, 13 approvals; bob 4/4; peers 14, 9 -> 1 - 9/14 = 5/14.
    # high: everyone 9, 6; bob 3/3; peers 6, 3 -> 1 - 1/2 = 1/2. send: no peers, skipped.
    # (4 * 5/14 + 3 * 1/2) / 7 = (20/14 + 21/14) / 7 = 41/98. Canaries k1 A, k2 A, k3 X: caught 1 of 3.
    bob = who["bob"]
    assert (bob.decisions, bob.approvals, bob.approval_rate) == (8, 7, 0.875)
    assert (bob.timed, bob.fast, bob.fast_share) == (7, 6, 0.75)
    assert bob.longest_approve_streak == 5
    assert bob.approval_gap == pytest.approx(41 / 98)
    assert (bob.canaries_seen, bob.canaries_approved, bob.canary_catch_rate) == (3, 2, pytest.approx(1 / 3))
    # Peers approve (4 * 9/14 + 3 * 1/2) / 7 = 57/98 of his kinds of items. A run of 5 approvals in 8
    # decisions at rate p starts at decision 1 (p^5) or after a non-approval at 1, 2 or 3 (3 (1-p) p^5):
    # p^5 (4 - 3p) = 15%, so the streak, though over the limit of 5, is no flag.
    p = 57 / 98
    assert bob.peer_approval_rate == pytest.approx(p)
    assert bob.streak_chance == pytest.approx(p**5 * (4 - 3 * p))
    assert bob.flagged
    assert bob.flags == (
        "Decided 6 of 8 items (75%) faster than the minimum review time for their risk level.",
        "Approves 42 percentage points more often than colleagues deciding the same kinds of items.",
        "Approved 2 of 3 planted known-bad test items that should have been stopped.",
    )

    # alice: g9 A, g10 E, g11 X, g12 A, g13 A, g14 R (g15 escalated: no decision) -> 6, 3 approvals.
    # Fast: only g13 (9 < 10); g14 has no dwell: 1/6. Streak g12, g13 = 2.
    # Gap: low 2/4 vs peers 11/14 -> -4/14, weight 4; high 1/2 vs peers 5/7 -> -3/14, weight 2;
    # (-16/14 - 6/14) / 6 = -11/42. Canaries k4 X, k5 E: 2 caught of 2.
    alice = who["alice"]
    assert (alice.decisions, alice.approvals, alice.timed, alice.fast) == (6, 3, 5, 1)
    assert alice.fast_share == pytest.approx(1 / 6)
    assert alice.longest_approve_streak == 2
    assert alice.approval_gap == pytest.approx(-11 / 42)
    assert (alice.canaries_seen, alice.canaries_approved, alice.canary_catch_rate) == (2, 0, 1.0)
    assert not alice.flagged and alice.flags == ()

    # carol: g16, g17, g18 all fast approvals: fast 3/3, streak 3; gap low 1 - 11/16 = 5/16 (weight 2),
    # high 1 - 5/8 = 3/8 (weight 1): (10/16 + 6/16) / 3 = 1/3. Above every limit but fast and gap, yet
    # only 3 decisions (< 5): not flagged. Canary k7 approved: catch rate 0 over 1 (fewer than 2 seen).
    carol = who["carol"]
    assert (carol.decisions, carol.fast_share, carol.longest_approve_streak) == (3, 1.0, 3)
    assert carol.approval_gap == pytest.approx(1 / 3)
    assert (carol.canaries_seen, carol.canary_catch_rate) == (1, 0.0)
    assert not carol.flagged

    # dave: g19 A, u1 A, u2 X, u4 E, u6 A, p3 A (low), u8 R (high) -> 7, 4 approvals; fast only p3 (3 < 10;
    # u8 35 >= 30): 1/7; streaks g19 u1 and u6 p3 = 2. Gap low 4/6 vs 9/12 -> -1/12 * 6 = -1/2,
    # high 0/1 vs 6/8 -> -3/4: (-1/2 - 3/4) / 7 = -5/28. No canaries.
    dave = who["dave"]
    assert (dave.decisions, dave.approvals, dave.fast, dave.longest_approve_streak) == (7, 4, 1, 2)
    assert dave.approval_gap == pytest.approx(-5 / 28)
    assert (dave.canaries_seen, dave.canary_catch_rate) == (0, None)
    assert not dave.flagged

    # erin: u3 A, u5 X (high), p1 A, p2 X (low); u7 escalated; votes v1 A, v2 A, v3 A, v4 A, v5 R (critical)
    # -> 9, 6 approvals, all timed, none fast (votes 90 >= 60). Streak v1..v4 = 4 (p2 X before, v5 R after).
    # Gap low 1/2 vs 12/16 -> -1/4 * 2 = -1/2; high 1/2 vs 5/7 -> -3/14 * 2 = -3/7; critical, everyone's
    # votes (frank's v4 escalation left out): 9, 5 approvals; erin 4/5 vs peers 1/4 -> 4 - 5/4 = 11/4.
    # (-1/2 - 3/7 + 11/4) / 9 = (51/28) / 9 = 17/84 (20 points, under the limit): not flagged.
    erin = who["erin"]
    assert (erin.decisions, erin.approvals, erin.timed, erin.fast, erin.longest_approve_streak) == (9, 6, 9, 0, 4)
    assert erin.approval_gap == pytest.approx(17 / 84)
    assert not erin.flagged

    # frank votes v1 A, v2 X, v5 R (v4 escalated) -> 3, 1 approval; critical peers 6, 4: (1 - 3 * 4/6) / 3.
    # gina votes v1 X -> 1, 0 approvals; peers 8, 5: -5/8.
    frank, gina = who["frank"], who["gina"]
    assert (frank.decisions, frank.approvals, frank.fast, frank.longest_approve_streak) == (3, 1, 0, 1)
    assert frank.approval_gap == pytest.approx(-1 / 3)
    assert (gina.decisions, gina.approvals, gina.longest_approve_streak) == (1, 0, 0)
    assert gina.approval_gap == pytest.approx(-5 / 8)

    # With the default limits (10 decisions at least, a streak of 20) nobody has enough decisions.
    with db.read() as conn:
        default = compute_quality(conn, now=NOW)
    assert [r.reviewer for r in default.reviewers if r.flagged] == []
    assert _who(default)["bob"].fast_share == 0.75  # the figures are the same; only the flags differ


def test_since_and_graph(db: Database) -> None:
    q = _quality(db, since=T0 + 2 * D)
    # bob on day 2: g6 X, g7 A, g8 A -> 3 decisions, 2 approvals, all fast, streak 2.
    # Gap: low g7 1/1 vs peers alice g13 A g14 R, dave u1 A u2 X u4 E u6 A p3 A, erin p1 A p2 X = 5/9
    # -> 4/9; high g8 1/1 vs alice g12 A, carol g18 A, dave u8 R, erin u3 A u5 X = 3/5 -> 2/5;
    # (4/9 + 2/5) / 2 = 19/45. Canaries k2 A, k3 X: 1 of 2 caught.
    bob = _who(q)["bob"]
    assert (bob.decisions, bob.approvals, bob.fast_share, bob.longest_approve_streak) == (3, 2, 1.0, 2)
    assert bob.approval_gap == pytest.approx(19 / 45)
    assert (bob.canaries_seen, bob.canary_catch_rate) == (2, 0.5)
    assert not bob.flagged  # 3 decisions
    # A pair counts by its later judgement: every audit and vote is on day 2, so all 9 pairs stay.
    assert (q.agreement.pairs, q.agreement.kappa) == (9, pytest.approx(0.5))
    assert q.post_review_errors == Rate(3, 6)
    # Canaries created on day 2: k2, k3, k5, k7 (decided) and k6; caught k3, k5; missed k2, k7.
    assert (q.canaries.seeded, q.canaries.decided, q.canaries.caught, q.canaries.missed) == (5, 4, 2, 2)

    assert _quality(db, graph="notify").to_dict() == _quality(db).to_dict() | {"graph": "notify"}
    other = _quality(db, graph="support")
    assert (other.agreement.pairs, other.agreement.kappa, other.reviewers) == (0, None, ())
    assert other.post_review_errors == Rate(0, 0) and other.post_review_errors.rate is None
    assert other.auto_pass_findings == Rate(0, 0)
    assert (other.canaries.seeded, other.canaries.catch_rate) == (0, None)


def test_early_votes_count_for_their_voter(votes_db: Database) -> None:
    who = _who(_quality(votes_db))
    assert list(who) == ["hank", "ivy", "jo"]
    # hank has no decisions at all: seven early votes (m1..m6, n1), all approvals after 4 s (< 60): 7 of 7
    # fast, a streak of 7. Gap, refunds: everyone 13 judgements (hank 6, ivy 6, jo 1), 12 approvals; hank 6/6
    # vs peers 6/7 -> 6 - 6 * 6/7 = 6/7. notify: hank 1/1 vs ivy's edit 0/1 -> 1. (6/7 + 1) / 7 = 13/49.
    hank = who["hank"]
    assert (hank.decisions, hank.approvals, hank.approval_rate) == (7, 7, 1.0)
    assert (hank.timed, hank.fast, hank.fast_share) == (7, 7, 1.0)
    assert hank.longest_approve_streak == 7
    assert hank.approval_gap == pytest.approx(13 / 49)
    # Peers approve (6 * 6/7 + 1 * 0) / 7 = 36/49; seven approvals of seven happen (36/49)^7 = 12% of the
    # time at that rate: the streak is no flag, the speed and the gap are.
    assert hank.peer_approval_rate == pytest.approx(36 / 49)
    assert hank.streak_chance == pytest.approx((36 / 49) ** 7)
    assert hank.flags == (
        "Decided 7 of 7 items (100%) faster than the minimum review time for their risk level.",
        "Approves 27 percentage points more often than colleagues deciding the same kinds of items.",
    )


def test_completing_approval_counts_once(votes_db: Database) -> None:
    who = _who(_quality(votes_db))
    # ivy: m1..m5 completed (a vote and a decision each: one judgement), n1 edited, an early vote on m6 ->
    # 7, 6 approvals (12 and 11 if the completing votes counted again). All timed, none fast (75 >= 60).
    # In time order m1 A, m2 A, n1 E, m3 A, m4 A, m5 A, m6 A: streak 4. Gap, refunds: 6/6 vs peers 6/7 ->
    # 6/7; notify: 0/1 vs hank 1/1 -> -1. (6/7 - 1) / 7 = -1/49. Nothing crosses a limit.
    ivy = who["ivy"]
    assert (ivy.decisions, ivy.approvals, ivy.timed, ivy.fast, ivy.longest_approve_streak) == (7, 6, 7, 0, 4)
    assert ivy.approval_gap == pytest.approx(-1 / 49)
    assert not ivy.flagged
    # jo rejected m6 after two early approvals: a decision, no vote. 0/1 vs peers 12/12 -> -1.
    jo = who["jo"]
    assert (jo.decisions, jo.approvals, jo.fast, jo.longest_approve_streak, jo.approval_gap) == (1, 0, 0, 0, -1.0)


def test_since_and_graph_apply_to_votes(votes_db: Database) -> None:
    # From day 2, each judgement by its own time: hank's votes on n1, m4, m5, m6 (m1..m3 were day 1) -> 4,
    # all fast, streak 4; ivy n1 E, m3 A (completed on day 2 after hank's day-1 vote), m4 A, m5 A, m6 A ->
    # 5, 4 approvals, streak 4. Gap, refunds: 8 judgements, 7 approvals: hank 3/3 vs 4/5 -> 3 - 12/5 = 3/5,
    # notify 1 -> (3/5 + 1) / 4 = 2/5; ivy 4/4 vs 3/4 -> 1, notify -1 -> 0.
    since = _who(_quality(votes_db, since=T0 + 2 * D))
    hank, ivy = since["hank"], since["ivy"]
    assert (hank.decisions, hank.fast, hank.longest_approve_streak) == (4, 4, 4)
    assert hank.approval_gap == pytest.approx(2 / 5)
    assert (ivy.decisions, ivy.approvals, ivy.longest_approve_streak) == (5, 4, 4)
    assert ivy.approval_gap == pytest.approx(0.0)
    assert not hank.flagged  # 4 judgements (< 5)

    # refunds alone: hank 6 votes, ivy m1..m5 and her m6 vote 6, jo 1; each 6/6 vs peers 6/7 -> 1/7.
    refunds = _who(_quality(votes_db, graph="refunds"))
    assert [(r.reviewer, r.decisions, r.approvals) for r in refunds.values()] == [
        ("hank", 6, 6),
        ("ivy", 6, 6),
        ("jo", 1, 0),
    ]
    assert refunds["hank"].approval_gap == refunds["ivy"].approval_gap == pytest.approx(1 / 7)
    # notify alone: n1, hank's early vote and ivy's edit.
    notify = _who(_quality(votes_db, graph="notify"))
    assert [(r.reviewer, r.decisions, r.approvals, r.approval_gap) for r in notify.values()] == [
        ("hank", 1, 1, 1.0),
        ("ivy", 1, 0, -1.0),
    ]


def test_to_dict_is_plain_json(db: Database) -> None:
    data = json.loads(json.dumps(_quality(db).to_dict()))
    assert data["agreement"]["kappa"] == pytest.approx(0.5)
    assert data["post_review_errors"] == {"count": 3, "total": 6, "rate": 0.5}
    assert data["auto_pass_findings"]["rate"] == pytest.approx(1 / 3)
    assert data["canaries"] == {"seeded": 7, "decided": 6, "caught": 3, "missed": 3, "catch_rate": 0.5}
    bob = next(r for r in data["reviewers"] if r["reviewer"] == "bob")
    assert bob["flagged"] is True and len(bob["flags"]) == 3 and bob["fast_share"] == 0.75


def test_daily_series(db: Database) -> None:
    with db.read() as conn:
        s = daily_series(conn, now=NOW)
        since = daily_series(conn, now=NOW, since=T0 + 2 * D)
        empty = daily_series(conn, now=NOW, graph="support")
    # From the first day with data (day 1) to NOW's day (day 3).
    assert s.days == ("2023-11-16", "2023-11-17", "2023-11-18")
    # Assessments: day 1 two held of three, day 2 one of two.
    assert s.escalation == (Rate(2, 3), Rate(1, 2), Rate(0, 0))
    # Day 1: 13 decisions: approve g1-g5, g9, g16, g17, g19, k1 = 10; edit g10; reject g11, k4.
    # Day 2: 24: approve g7 g8 g12 g13 g18 k2 k7 u1 u6 p3 u3 p1 = 12; edit k5 u4; reject g6 k3 u2 u5 p2;
    # redirect g14 u8; escalate g15 u7 p5.
    assert dict(s.actions) == {
        "approve": (10, 12, 0),
        "edit": (1, 2, 0),
        "reject": (2, 5, 0),
        "redirect": (0, 2, 0),
        "escalate": (0, 3, 0),
    }
    # Overrides: day 1 (1 + 2) / 13; day 2 (2 + 5 + 2) / (24 - 3 escalations) = 9/21.
    assert s.overrides == (Rate(3, 13), Rate(9, 21), Rate(0, 0))
    # Trigger kinds: pii twice on day 1, policy once on day 1, impact once on day 2 (ties by name).
    assert s.triggers == (("pii", (2, 0, 0)), ("impact", (0, 1, 0)), ("policy", (1, 0, 0)))
    assert since.days == ("2023-11-17", "2023-11-18") and since.escalation == (Rate(1, 2), Rate(0, 0))
    assert empty.days == ("2023-11-18",) and empty.triggers == () and empty.overrides == (Rate(0, 0),)
    assert json.loads(json.dumps(s.to_dict()))["actions"]["approve"] == [10, 12, 0]


runner = CliRunner()


def test_metrics_command_reports_quality(db: Database, db_url: str) -> None:
    result = runner.invoke(app, ["metrics", "--db", db_url, "--json"])
    assert result.exit_code == 0, result.output
    quality = json.loads(result.stdout)["quality"]
    assert quality["agreement"]["pairs"] == 9 and quality["agreement"]["kappa"] == pytest.approx(0.5)
    assert quality["post_review_errors"] == {"count": 3, "total": 6, "rate": 0.5}
    assert [r["reviewer"] for r in quality["reviewers"]] == ["alice", "bob", "carol", "dave", "erin", "frank", "gina"]

    human = runner.invoke(app, ["metrics", "--db", db_url])
    assert human.exit_code == 0, human.output
    for text in ("Reviewers", "kappa 0.50 over 9 pairs", "50.0% (3/6)", "33.3% (1/3)", "caught 3 of 6"):
        assert text in human.output, text


def _runs_of(n: int, streak: int, p: float) -> float:
    """The chance of ``streak`` approvals in a row among ``n``, by summing over every sequence."""
    total = 0.0
    for seq in itertools.product((True, False), repeat=n):
        longest = run = 0
        for approved in seq:
            run = run + 1 if approved else 0
            longest = max(longest, run)
        if longest >= streak:
            approvals = sum(seq)
            total += p**approvals * (1 - p) ** (n - approvals)
    return total


@pytest.mark.parametrize(("n", "streak", "p"), [(3, 2, 0.5), (8, 5, 57 / 98), (10, 3, 0.8), (12, 4, 0.3), (6, 6, 0.9)])
def test_streak_chance_matches_every_sequence(n: int, streak: int, p: float) -> None:
    assert streak_chance(n, streak, p) == pytest.approx(_runs_of(n, streak, p))


def test_streak_chance_edges() -> None:
    assert streak_chance(3, 2, 0.5) == pytest.approx(3 / 8)  # AAx, xAA, AAA of eight
    assert streak_chance(5, 0, 0.2) == 1.0 and streak_chance(5, 6, 0.9) == 0.0
    assert streak_chance(100, 100, 1.0) == 1.0 and streak_chance(100, 1, 0.0) == 0.0
    # A careful reviewer where 80% of items are fine: twenty in a row over 100 decisions is ordinary.
    assert 0.1 < streak_chance(100, 20, 0.8) < 0.3
    assert streak_chance(100, 100, 0.8) < 1e-9  # a hundred of a hundred is not


def _flags_of(streak: int, n: int, peers: float | None) -> tuple[str, ...]:
    q = ReviewerQuality(
        "zoe", n, streak, streak / n, n, 0, 0.0, streak, None, 0, 0, None, (),
        peer_approval_rate=peers,
        streak_chance=None if peers is None else streak_chance(n, streak, peers),
    )  # fmt: skip
    return _flagged(q, Limits(streak=20, streak_odds=0.01, gap=0.25, min_decisions=10)).flags


def test_a_streak_flags_only_when_chance_does_not_explain_it() -> None:
    assert _flags_of(20, 100, 0.8) == ()  # over the limit, but 20 in a row happens ~18% of the time at 80%
    assert _flags_of(40, 100, 0.8) == (
        "Approved 40 items in a row without one edit, rejection or redirect; colleagues approve 80% of the "
        "same kinds of items, at which rate a run that long in 100 decisions happens by chance 0.2% of the time.",
    )
    assert "under 0.1% of the time" in _flags_of(60, 100, 0.8)[0]
    assert _flags_of(25, 100, 0.9) == ()  # where nine in ten are approved, 25 in a row is common
    assert _flags_of(19, 19, 0.2) == ()  # unlikely, but under the limit
    # Nobody else decides these kinds of items: the limit alone.
    assert _flags_of(20, 30, None) == ("Approved 20 items in a row without one edit, rejection or redirect.",)
