"""One unreadable review row never blocks the flow: it is quarantined, reported and skipped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import audit_events, review_items
from humangate.review.queue import CorruptItemError
from humangate.ui.inbox_view import next_item_id
from humangate.ui.review_view import DecisionForm, decide, open_item

GATED = {"recipient": "Bob Roy", "email": "bob@example.com", "topic": "Thanks for the call.", "require_approval": True}
CRITICAL = {"recipient": "Cy Ng", "email": "cy@example.com", "topic": "About the legal notice: call +1 415 555 0199."}


@pytest.fixture
def orch(tmp_path: Path) -> Iterator[Orchestrator]:
    """Return an Orchestrator on SQLite with a reviewer and an expert."""
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "outbox")
    with Orchestrator(settings) as o:
        o.add_user("alice", "reviewer")
        o.add_user("erin", "expert")
        yield o


def _corrupt(o: Orchestrator, item_id: int, request_json: str) -> None:
    with o.db.write() as conn:
        conn.execute(update(review_items).where(review_items.c.id == item_id).values(request_json=request_json))


@pytest.mark.parametrize("bad", ["{not json", '{"graph": "notify"}', "[]"])
def test_a_corrupt_row_is_quarantined_and_skipped_by_open_top(orch: Orchestrator, bad: str) -> None:
    first = orch.start("notify", GATED).pending_items[0]
    second = orch.start("notify", GATED).pending_items[0]
    _corrupt(orch, first, bad)
    # Open top item: the corrupt row is the oldest, yet the reviewer gets the next one.
    assert next_item_id(orch, "alice") == second
    assert orch.item(first).status == "quarantined"
    assert open_item(orch, "alice", second).claimed
    with orch.db.read() as conn:
        kinds = conn.execute(select(audit_events.c.kind).where(audit_events.c.item_id == first)).scalars().all()
    assert "item.quarantined" in kinds
    report = orch.reconcile()
    assert report.quarantined == [first]
    assert orch.verify_audit().ok


def test_claiming_or_deciding_a_corrupt_row_quarantines_it(orch: Orchestrator) -> None:
    item = orch.start("notify", GATED).pending_items[0]
    _corrupt(orch, item, '{"graph": 1}')
    with pytest.raises(CorruptItemError, match="quarantined"):
        orch.decide(item, {"action": "approve", "reviewer": "alice"})
    assert orch.item(item).status == "quarantined"
    other = orch.start("notify", GATED).pending_items[0]
    _corrupt(orch, other, "")
    assert orch.reconcile().quarantined == [item, other]  # reconcile finds the ones nobody opened yet
    assert orch.pending().items == []


def test_the_reviewer_is_told_the_decision_was_recorded_when_the_next_item_cannot_open(orch: Orchestrator) -> None:
    first = orch.start("notify", GATED).pending_items[0]
    second = orch.start("notify", GATED).pending_items[0]
    _corrupt(orch, second, "{broken")
    outcome = decide(orch, "alice", first, DecisionForm(action="approve"))
    assert outcome.ok and f"Item {first}: approve recorded" in outcome.message
    # The corrupt one was quarantined, not offered. (The next item may be a blind audit of the approval,
    # which the policy samples for about 5% of run ids.)
    assert outcome.next_item != second and orch.item(second).status == "quarantined"
    assert outcome.next_item is None or orch.item(outcome.next_item).kind == "audit"


def test_an_item_above_the_reviewers_role_opens_read_only(orch: Orchestrator) -> None:
    item = orch.start("notify", CRITICAL).pending_items[0]
    assert orch.item(item).required_role == "expert"
    view = open_item(orch, "alice", item)
    assert not view.claimed
    assert "Read only" in view.message and "expert or owner or admin" in view.message
    assert orch.item(item).claimed_by is None
    assert open_item(orch, "erin", item).claimed
