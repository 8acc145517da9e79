"""Three scripted reviewers over 300 items: bias controls, canaries, SLAs and fail-closed, on both backends.

- careful: claims, reads for half a minute, rejects what breaks policy (and so catches canaries);
- rubber-stamper: claims and approves at once, whatever it is;
- slow: claims and never decides, so the SLA moves the item up the chain and finally rejects it.

Items are dealt by run number, not by queue order: canary sampling hashes LangGraph's interrupt ids, which
differ on every run, so dealing in turn would shift who gets what by chance. The careful reviewer would
then now and then get more than twenty good items in a row, and the quality report rightly flags such a
streak. Dealt by number, she sees a policy-breaking item every fifth time; the seeded canaries, which look
like any other item, go round the three reviewers in turn.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import audit_events, decisions, review_items
from humangate.graphs.common import GraphDeps
from humangate.review.checks import CANARY_LINES
from humangate.risk import RiskPolicy

ITEMS = 300
POLICY = RiskPolicy.from_toml_text(
    """
version = "sim-1"
[defaults]
canary_rate = 0.1
audit_rate = 0.0
escalation_chain = ["reviewer", "expert"]
sla_minutes = { low = 30, medium = 30, high = 30, critical = 30 }
"""
)
GOOD = "Thanks for the meeting on Tuesday; the notes are attached."
BAD = "We guarantee your refund by Friday."  # the careful reviewer's policy: no promises


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sim(settings: Settings) -> Iterator[tuple[Orchestrator, Clock]]:
    """Return an Orchestrator under the simulation's policy and clock, with the three reviewers and an expert."""
    clock = Clock()
    with Orchestrator(settings, deps=GraphDeps(policy=POLICY), clock=clock) as o:
        for name in ("careful", "rubber", "slow"):
            o.add_user(name, "reviewer")
        o.add_user("away", "expert")  # the expert never answers either: the chain ends in a rejection
        yield o, clock


def _bad(body: str) -> bool:
    return BAD in body or any(line in body for line in CANARY_LINES)


def test_three_reviewers_over_300_items(sim: tuple[Orchestrator, Clock]) -> None:
    orch, clock = sim
    reviewers = ("careful", "rubber", "slow")
    canary_turn = itertools.cycle(reviewers)
    owner: dict[int, str] = {}
    for n in range(ITEMS):
        run = orch.start(
            "notify",
            {
                "recipient": f"R{n}",
                "email": f"r{n}@example.com",
                "topic": BAD if n % 5 == 0 else GOOD,
                "require_approval": True,
            },
        )
        for item in orch.pending(limit=1000).items:
            if item.id in owner:
                continue
            # The run's own item goes to reviewer n % 3; any other new item is a canary seeded beside it.
            who = owner[item.id] = reviewers[n % 3] if item.id in run.pending_items else next(canary_turn)
            orch.claim(item.id, who)
            if who == "slow":
                continue
            clock.now += 30.0 if who == "careful" else 0.4
            body = item.request.proposal["body"]
            if who == "careful" and _bad(body):
                orch.decide(item.id, {"action": "reject", "reviewer": who, "reason_code": "policy", "note": "Promise."})
            else:
                orch.decide(item.id, {"action": "approve", "reviewer": who})
        clock.now += 20.0
        orch.sweep()
    for _ in range(3):  # let every deadline pass: escalate to the expert, then fail closed
        clock.now += 31 * 60
        orch.sweep()

    with orch.db.read() as conn:
        kinds = {r.id: r.kind for r in conn.execute(select(review_items.c.id, review_items.c.kind))}
        left = conn.execute(select(review_items.c.id).where(review_items.c.status == "pending")).scalars().all()
        events = conn.execute(select(audit_events.c.kind, audit_events.c.item_id)).all()
        by_sla = conn.execute(select(decisions.c.item_id).where(decisions.c.reviewer == "sla")).scalars().all()
    slow_gate = sorted(i for i, who in owner.items() if who == "slow" and kinds[i] == "gate")
    canaries = {
        who: [i for i, w in owner.items() if w == who and kinds[i] == "canary"] for who in ("careful", "rubber")
    }
    # About a tenth of the items bring a canary: Binomial(300, 0.1) falls outside 10-55 about once in 140,000.
    assert 10 <= Counter(kinds.values())["canary"] <= 55, Counter(kinds.values())
    assert all(canaries.values()), canaries

    quality = orch.quality()
    by_name = {r.reviewer: r for r in quality.reviewers}
    rubber, careful = by_name["rubber"], by_name["careful"]
    assert rubber.flagged and not careful.flagged, (rubber.flags, careful.flags)
    assert rubber.fast_share == 1.0 and rubber.longest_approve_streak >= 20
    assert any("planted known-bad" in f for f in rubber.flags)
    # Every canary the rubber-stamper saw, it approved; the careful reviewer caught all of hers.
    assert (rubber.canaries_seen, rubber.canaries_approved) == (len(canaries["rubber"]), len(canaries["rubber"]))
    assert (careful.canaries_seen, careful.canaries_approved) == (len(canaries["careful"]), 0)
    assert quality.canaries.missed == len(canaries["rubber"]) and quality.canaries.caught == len(canaries["careful"])

    # The slow reviewer's items went to the expert, then were rejected by the SLA (fail closed), each once.
    escalated = Counter(i for k, i in events if k == "item.sla_escalated")
    expired = Counter(i for k, i in events if k == "item.expired")
    assert slow_gate and all(escalated[i] == 1 and expired[i] == 1 for i in slow_gate)
    assert sorted(by_sla) == slow_gate
    for item_id in slow_gate[:10]:
        run = orch.run(orch.item(item_id).run_id)
        assert (run.status, run.outcome) == ("completed", "rejected")
    # Slow's canaries stay in the queue (they hold no run and carry no deadline); nothing else is left.
    assert all(kinds[i] == "canary" and owner[i] == "slow" for i in left)
    assert orch.verify_audit().ok
