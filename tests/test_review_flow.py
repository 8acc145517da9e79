"""Pause, restart the Orchestrator, decide, finish: every action routes as specified, on both backends."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from humangate import Orchestrator, QueueFilter, RunInfo, Settings
from humangate.checkpoints.schema import assessments, decisions, outbox, review_items, runs
from humangate.graphs.registry import GraphSpec
from tests.graphs import pair_registry

CALM = {"recipient": "Ann Lee", "email": "ann@example.com", "topic": "Thanks for the meeting."}
GATED = {
    "recipient": "Bob Roy",
    "email": "bob@example.com",
    "topic": "Your refund is on its way.",
    "require_approval": True,
}
CRITICAL = {"recipient": "Cy Ng", "email": "cy@example.com", "topic": "About the refund: call me at +1 415 555 0199."}


def _pause(settings: Settings, inputs: dict[str, Any] = GATED, started_by: str | None = None) -> tuple[str, int]:
    with Orchestrator(settings) as o:
        run = o.start("notify", inputs, started_by=started_by)
    assert run.status == "paused" and len(run.pending_items) == 1
    return run.id, run.pending_items[0]


def _sent(o: Orchestrator, run_id: str) -> list[dict[str, Any]]:
    with o.db.read() as conn:
        rows = conn.execute(select(outbox).where(outbox.c.run_id == run_id)).all()
    return [json.loads(r.payload_json) | {"status": r.status} for r in rows]


def test_low_risk_passes_and_is_still_assessed(orch: Orchestrator) -> None:
    run = orch.start("notify", CALM)
    assert (run.status, run.outcome, run.pending_items) == ("completed", "passed", ())
    assert [m["status"] for m in _sent(orch, run.id)] == ["sent"]
    with orch.db.read() as conn:
        logged = conn.execute(select(assessments.c.needs_review).where(assessments.c.run_id == run.id)).all()
    assert [r.needs_review for r in logged] == [False]


def test_approve_after_restart_sends_once(orch: Orchestrator, settings: Settings) -> None:
    run_id, item = _pause(settings)
    with Orchestrator(settings) as fresh:  # a new process-like Orchestrator on the same database
        result = fresh.decide(item, {"action": "approve", "reviewer": "alice"})
        assert (result.run.status, result.run.outcome) == ("completed", "approved")
        sent = _sent(fresh, run_id)
    assert len(sent) == 1 and "refund" in sent[0]["body"]
    assert len(list(Path(settings.outbox_dir).glob("*.eml"))) == 1
    with orch.db.read() as conn:
        needs = conn.execute(select(assessments.c.needs_review).where(assessments.c.run_id == run_id)).scalars().all()
    assert needs == [True]


def test_edit_sends_the_reviewers_version(orch: Orchestrator, settings: Settings) -> None:
    run_id, item = _pause(settings)
    edited = {"to": "bob@example.com", "subject": "Refund", "body": "Your refund was approved by our team."}
    result = orch.decide(item, {"action": "edit", "reviewer": "alice", "reason_code": "tone", "edited": edited})
    assert result.run.outcome == "approved"
    assert _sent(orch, run_id) == [edited | {"status": "sent"}]


def test_reject_ends_the_run_without_sending(orch: Orchestrator, settings: Settings) -> None:
    run_id, item = _pause(settings)
    result = orch.decide(item, {"action": "reject", "reviewer": "alice", "reason_code": "policy", "note": "no"})
    assert (result.run.status, result.run.outcome) == ("completed", "rejected")
    assert _sent(orch, run_id) == []


def test_redirect_reworks_and_pauses_again(orch: Orchestrator, settings: Settings) -> None:
    run_id, item = _pause(settings)
    result = orch.decide(
        item,
        {
            "action": "redirect",
            "reviewer": "alice",
            "reason_code": "tone",
            "instructions": "Add that the refund takes 5 working days.",
        },
    )
    assert result.run.status == "paused"
    (new_item,) = result.run.pending_items
    request = orch.item(new_item).request
    assert "5 working days" in request.proposal["body"]
    assert any("Redirected" in a for a in request.attempts)
    assert orch.item(item).status == "decided"
    orch.decide(new_item, {"action": "approve", "reviewer": "bob"})
    assert "5 working days" in _sent(orch, run_id)[0]["body"]


def test_escalate_moves_the_item_to_the_higher_role(orch: Orchestrator, settings: Settings) -> None:
    _, item = _pause(settings)
    result = orch.decide(
        item, {"action": "escalate", "reviewer": "alice", "reason_code": "needs_expert", "escalate_to": "expert"}
    )
    (new_item,) = result.run.pending_items
    assert orch.item(new_item).required_role == "expert"
    assert [i.id for i in orch.pending(QueueFilter(role="reviewer")).items] == []
    assert [i.id for i in orch.pending(QueueFilter(role="expert")).items] == [new_item]
    with pytest.raises(Exception, match="needs the expert role"):
        orch.decide(new_item, {"action": "approve", "reviewer": "alice"})
    assert orch.decide(new_item, {"action": "approve", "reviewer": "erin"}).run.outcome == "approved"


def test_critical_items_need_an_expert_who_did_not_start_the_run(orch: Orchestrator, settings: Settings) -> None:
    _, item = _pause(settings, CRITICAL, started_by="erin")
    assert orch.item(item).risk_level == "critical"
    with pytest.raises(Exception, match="needs the expert role"):
        orch.decide(item, {"action": "approve", "reviewer": "alice"})
    with pytest.raises(Exception, match="may not approve its items"):
        orch.decide(item, {"action": "approve", "reviewer": "erin"})
    orch.add_user("olga", "owner")
    assert orch.decide(item, {"action": "approve", "reviewer": "olga"}).run.status == "completed"


def test_parallel_interrupts_resume_one_at_a_time_without_rerunning_agents(settings: Settings) -> None:
    calls: Counter[str] = Counter()
    with Orchestrator(settings, registry=pair_registry(calls)) as o:
        o.add_user("alice", "reviewer")
        run = o.start("pair", {"topic": "x"})
        assert run.status == "paused" and len(run.pending_items) == 2
        first, second = run.pending_items
        second_interrupt = o.item(second).interrupt_id
        after = o.decide(first, {"action": "approve", "reviewer": "alice"}).run
        assert after.status == "paused" and after.pending_items == (second,)
        assert o.item(second).interrupt_id == second_interrupt
        assert calls == Counter({"a": 1, "b": 1})
        done = o.decide(
            second, {"action": "edit", "reviewer": "alice", "reason_code": "tone", "edited": {"text": "better"}}
        ).run
        assert (done.status, done.outcome) == ("completed", "approved")
        assert calls == Counter({"a": 1, "b": 1})
        values = o.graph("pair").get_state({"configurable": {"thread_id": run.id}}).values
        assert values["done"] == ["joined"] and {values["a"]["text"], values["b"]["text"]} == {"a on x", "better"}


def test_decisions_recorded_but_not_applied_are_applied_by_reconcile(orch: Orchestrator, settings: Settings) -> None:
    run_id, item = _pause(settings)

    # Simulate a worker that died between the compare-and-set and the resume (its lock long expired).
    def die_before_resume(spec: GraphSpec, run_id: str, payload: Any, applied: Sequence[int] = ()) -> RunInfo:
        with orch.db.write() as conn:
            orch.lock.release(conn, run_id)
        return orch.run(run_id)

    orch._advance = die_before_resume  # type: ignore[method-assign]
    orch.decide(item, {"action": "approve", "reviewer": "alice"})
    assert orch.run(run_id).status == "paused"
    with Orchestrator(settings) as fresh:
        report = fresh.reconcile()
    assert report.decisions_applied == 1
    assert orch.run(run_id).status == "completed" and len(_sent(orch, run_id)) == 1


def test_reconcile_rebuilds_lost_queue_rows(orch: Orchestrator, settings: Settings) -> None:
    run_id, item = _pause(settings)
    with orch.db.write() as conn:  # a crash after the checkpoint, before the queue row was written
        conn.execute(review_items.delete().where(review_items.c.id == item))
        conn.execute(runs.update().where(runs.c.id == run_id).values(status="running"))
    orch.reconcile()
    (rebuilt,) = orch.run(run_id).pending_items
    assert orch.run(run_id).status == "paused"
    assert orch.item(rebuilt).request.title == "Email to Bob Roy"


def test_pending_is_ordered_by_risk_then_age_and_pages_by_cursor(orch: Orchestrator) -> None:
    for i in range(5):
        orch.start("notify", GATED | {"recipient": f"High {i}"})
        orch.start(
            "notify", {"recipient": f"Medium {i}", "email": "m@example.com", "topic": "hi", "require_approval": True}
        )
    orch.start("notify", CRITICAL)
    seen: list[Any] = []
    cursor = None
    while True:
        page = orch.pending(limit=3, cursor=cursor)
        seen.extend(page.items)
        if not (cursor := page.next_cursor):
            break
    levels = [i.risk_level for i in seen]
    assert levels == ["critical"] + ["high"] * 5 + ["medium"] * 5
    assert len({i.id for i in seen}) == 11
    highs = [i for i in seen if i.risk_level == "high"]
    assert [i.created_at for i in highs] == sorted(i.created_at for i in highs)
    assert orch.count(QueueFilter(trigger_kind="policy")) == 6
    assert orch.count(QueueFilter(risk_level="medium")) == 5
    with orch.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(decisions)).scalar_one() == 0
