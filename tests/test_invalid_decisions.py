"""Every kind of invalid decision is refused with a clear error and changes nothing in the database."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import metadata
from humangate.core.gate_policy import GatePolicy
from humangate.errors import (
    AlreadyDecidedError,
    ClaimedError,
    DwellError,
    InvalidDecisionError,
    ItemNotFoundError,
    NotAuthorizedError,
    ReviewError,
    UnknownUserError,
)
from humangate.graphs.example import notify_spec
from humangate.graphs.registry import GraphRegistry

GATED = {
    "recipient": "Bob Roy",
    "email": "bob@example.com",
    "topic": "Your refund is on its way.",
    "require_approval": True,
}
GOOD_EDIT = {"to": "bob@example.com", "subject": "Refund", "body": "Done."}


def _snapshot(o: Orchestrator) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every humangate table, for before/after comparison."""
    with o.db.read() as conn:
        return {t.name: sorted(map(tuple, conn.execute(select(t)).all()), key=repr) for t in metadata.sorted_tables}


def _checkpoint_count(o: Orchestrator, run_id: str) -> int:
    return len(list(o.saver.list({"configurable": {"thread_id": run_id}})))


CASES: list[tuple[str, dict[str, Any], type[ReviewError] | type[UnknownUserError], str]] = [
    ("unknown action", {"action": "maybe", "reviewer": "alice"}, InvalidDecisionError, "approve, edit, reject"),
    ("not an object", ["approve"], InvalidDecisionError, "must be an object"),  # type: ignore[list-item]
    ("missing reason", {"action": "reject", "reviewer": "alice"}, InvalidDecisionError, "needs a reason_code"),
    (
        "unknown reason",
        {"action": "reject", "reviewer": "alice", "reason_code": "meh"},
        InvalidDecisionError,
        "unknown reason_code",
    ),
    (
        "edit without proposal",
        {"action": "edit", "reviewer": "alice", "reason_code": "tone"},
        InvalidDecisionError,
        "needs `edited`",
    ),
    (
        "edit of the wrong shape",
        {
            "action": "edit",
            "reviewer": "alice",
            "reason_code": "tone",
            "edited": {"to": "bob@example.com", "body": "x"},
        },
        InvalidDecisionError,
        "subject: Field required",
    ),
    (
        "oversized edit",
        {"action": "edit", "reviewer": "alice", "reason_code": "tone", "edited": GOOD_EDIT | {"body": "x" * 70_000}},
        InvalidDecisionError,
        "larger than 64 kB",
    ),
    (
        "redirect without instructions",
        {"action": "redirect", "reviewer": "alice", "reason_code": "tone"},
        InvalidDecisionError,
        "needs `instructions`",
    ),
    (
        "blank instructions",
        {"action": "redirect", "reviewer": "alice", "reason_code": "tone", "instructions": "   "},
        InvalidDecisionError,
        "instructions are empty",
    ),
    (
        "field of another action",
        {"action": "approve", "reviewer": "alice", "instructions": "x"},
        InvalidDecisionError,
        "belongs to a redirect decision",
    ),
    (
        "extra field",
        {"action": "approve", "reviewer": "alice", "sneaky": 1},
        InvalidDecisionError,
        "Extra inputs are not permitted",
    ),
    (
        "escalate sideways",
        {"action": "escalate", "reviewer": "alice", "reason_code": "needs_expert", "escalate_to": "reviewer"},
        InvalidDecisionError,
        "role above reviewer",
    ),
    ("unknown reviewer", {"action": "approve", "reviewer": "mallory"}, UnknownUserError, "humangate users add"),
    ("claimed by another", {"action": "approve", "reviewer": "bob"}, ClaimedError, "claimed by alice"),
]


@pytest.mark.parametrize(("case", "decision", "error", "message"), CASES, ids=[c[0] for c in CASES])
def test_invalid_decision_changes_nothing(
    orch: Orchestrator, case: str, decision: dict[str, Any], error: type[Exception], message: str
) -> None:
    run = orch.start("notify", GATED)
    (item,) = run.pending_items
    if case == "claimed by another":
        orch.claim(item, "alice")
    before, checkpoints = _snapshot(orch), _checkpoint_count(orch, run.id)
    with pytest.raises(error, match=message):
        orch.decide(item, decision)
    assert _snapshot(orch) == before
    assert _checkpoint_count(orch, run.id) == checkpoints


def test_unknown_and_decided_items_are_refused(orch: Orchestrator) -> None:
    run = orch.start("notify", GATED)
    (item,) = run.pending_items
    with pytest.raises(ItemNotFoundError, match="No review item 999"):
        orch.decide(999, {"action": "approve", "reviewer": "alice"})
    orch.decide(item, {"action": "approve", "reviewer": "alice"})
    before = _snapshot(orch)
    with pytest.raises(AlreadyDecidedError, match="already decided"):
        orch.decide(item, {"action": "reject", "reviewer": "bob", "reason_code": "policy"})
    assert _snapshot(orch) == before


def test_a_reviewer_cannot_decide_past_their_role(orch: Orchestrator) -> None:
    run = orch.start("notify", GATED)
    (item,) = run.pending_items
    escalated = orch.decide(
        item, {"action": "escalate", "reviewer": "alice", "reason_code": "needs_expert", "escalate_to": "expert"}
    ).run.pending_items[0]
    before = _snapshot(orch)
    for action in (
        {"action": "approve", "reviewer": "bob"},
        {"action": "reject", "reviewer": "bob", "reason_code": "policy"},
    ):
        with pytest.raises(NotAuthorizedError, match="needs the expert role"):
            orch.decide(escalated, action)
    with pytest.raises(NotAuthorizedError):
        orch.claim(escalated, "bob")
    assert _snapshot(orch) == before


def test_approving_before_the_minimum_dwell_is_refused(settings: Settings) -> None:
    strict = GatePolicy(min_dwell_seconds={"low": 0, "medium": 0, "high": 30, "critical": 60})
    now = [1_000_000.0]
    with Orchestrator(settings, registry=GraphRegistry([notify_spec(strict)]), clock=lambda: now[0]) as o:
        o.add_user("alice", "reviewer")
        (item,) = o.start("notify", GATED).pending_items
        assert o.item(item).min_dwell_seconds == 30
        before = _snapshot(o)
        with pytest.raises(DwellError, match="claim it first"):
            o.decide(item, {"action": "approve", "reviewer": "alice"})
        assert _snapshot(o) == before
        o.claim(item, "alice")
        now[0] += 10
        with pytest.raises(DwellError, match=r"claimed 10\.0 s ago"):
            o.decide(item, {"action": "approve", "reviewer": "alice"})
        now[0] += 25
        assert o.decide(item, {"action": "approve", "reviewer": "alice"}).run.status == "completed"
