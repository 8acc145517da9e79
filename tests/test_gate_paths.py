"""The mechanisms behind tests/test_redteam_paths.py: what a redirect carries, the item's role on a decision,
earned autonomy that needs the same words, and the words that ask for money."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from humangate.checkpoints.schema import decisions
from humangate.core.contract import ReviewDecision, ReviewRequest, RiskAssessment
from humangate.graphs.carry import carried, held_like, merge_carry, redirect_carry
from humangate.risk.triggers import impact_triggers
from tests.test_redteam_paths import PRICING, SOFTWARE, _draft_input, _orch, _sent, _settings


def test_the_carry_channel_replaces_and_clears_one_gate_at_a_time() -> None:
    one = {"role": "expert", "dwell": 5.0, "approvals": 2, "by": "bob", "reason_code": "tone"}
    state = merge_carry({}, {"review": one, "other": one})
    assert merge_carry(state, {"review": None}) == {"other": one}
    assert carried({"gate_carry": state}, "review") == one and carried({}, "review") is None


def test_a_redirect_carries_the_items_role_dwell_and_full_count() -> None:
    assessment = RiskAssessment(
        level="high", score=0.7, confidence=0.9, triggers=[], needs_review=True, policy_version="p-1"
    )
    request = ReviewRequest(
        graph="g",
        node="review",
        thread_id="t",
        title="x",
        proposal={},
        proposal_kind="P",
        assessment=assessment,
        required_role="expert",
        min_dwell_seconds=30,
        approvals_needed=1,  # a held edit's remaining count; the item's full count is 2
    )
    decision = ReviewDecision(action="redirect", reviewer="bob", reason_code="tone", instructions="shorter")
    carry = redirect_carry(request, decision, approvals=2)
    assert (carry["role"], carry["dwell"], carry["approvals"], carry["by"]) == ("expert", 30, 2, "bob")
    passed = assessment.model_copy(update={"needs_review": False, "level": "low"})
    held = held_like(passed, carry)
    assert held.needs_review and held.triggers[-1].kind == "rule" and "Redirected by bob" in held.triggers[-1].reason


def test_the_service_stamps_the_items_own_role_on_a_decision_whatever_the_caller_sent(tmp_path: Path) -> None:
    with _orch(_settings(tmp_path)) as o:
        run = o.start("drafting", _draft_input(SOFTWARE, PRICING))
        (item,) = run.pending_items
        o.decide(item, {"action": "approve", "reviewer": "bob", "item_role": "admin"})
        with o.db.read() as conn:
            stored = json.loads(conn.execute(select(decisions.c.decision_json)).scalar_one())
        assert stored["item_role"] == o.item(item).required_role == "reviewer"


def test_autonomy_still_passes_the_words_reviewers_approved(tmp_path: Path) -> None:
    # The control of the red-team autonomy test: the same template with the same price words, approved three
    # times (by two reviewers: one person's habit earns nothing), earns its autonomy; only words none of those
    # approvals held are for a person.
    with _orch(_settings(tmp_path), "autonomy_after = 3\n") as o:
        for reviewer in ("bob", "alice", "bob"):
            (item,) = o.start("drafting", _draft_input(SOFTWARE, PRICING)).pending_items
            o.decide(item, {"action": "approve", "reviewer": reviewer})
        run = o.start("drafting", _draft_input(SOFTWARE, PRICING))
        assert run.status == "completed" and len(_sent(o, run.id)) == 1


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("Please wire the deposit to our new bank account.", True),
        ("Send us your IBAN and sort code.", True),
        ("Transfer the funds by Friday.", True),
        ("Thanks for the swift reply.", False),
        ("We account for every detail of the transfer of knowledge.", False),
    ],
)
def test_words_that_ask_for_money_are_an_impact(text: str, asks: bool) -> None:
    found = [t for t in impact_triggers(external=False, text=text) if "money" in t.reason]
    assert bool(found) is asks
