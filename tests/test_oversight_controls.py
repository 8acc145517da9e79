"""Oversight controls in the service, on both backends: M-of-N, blind audits, canaries, requester rule, SLA webhooks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import audit_events, decisions, notifications, review_items, votes
from humangate.cli import app
from humangate.errors import InvalidDecisionError, NotAuthorizedError
from humangate.graphs.common import GraphDeps
from humangate.oversight.delivery import Dispatcher
from humangate.risk import RiskPolicy
from tests.test_notify import (  # noqa: F401  (fixture)
    SECRET,
    Receiver,
    clock,
    receiver,
)
from tests.test_notify import Clock as SharedClock

GATED = {
    "recipient": "Bob Roy",
    "email": "bob@example.com",
    "topic": "Thanks for the meeting.",
    "require_approval": True,
}
PRAISE = {"id": "c1", "customer": "Ann Lee", "text": "Thanks, the new dashboard is great!"}


def _orch(settings: Settings, toml: str, at: SharedClock | None = None) -> Orchestrator:
    policy = RiskPolicy.from_toml_text('version = "t-1"\n[defaults]\n' + toml)
    o = Orchestrator(settings, deps=GraphDeps(policy=policy), clock=at or SharedClock())
    for name, role in (("alice", "reviewer"), ("bob", "reviewer"), ("carol", "reviewer"), ("erin", "expert")):
        o.add_user(name, role)
    return o


@pytest.fixture
def two_of_n(settings: Settings) -> Iterator[Orchestrator]:
    """Return an Orchestrator whose policy wants two approvals for every item."""
    with _orch(settings, "approvals_needed = { low = 2, medium = 2, high = 2, critical = 2 }\n") as o:
        yield o


def _events(o: Orchestrator, kind: str) -> list[Any]:
    with o.db.read() as conn:
        return conn.execute(select(audit_events).where(audit_events.c.kind == kind)).all()


def test_m_of_n_waits_for_distinct_approvals(two_of_n: Orchestrator) -> None:
    run = two_of_n.start("notify", GATED)
    item = run.pending_items[0]
    first = two_of_n.decide(item, {"action": "approve", "reviewer": "alice"})
    assert first.approvals_missing == 1 and first.run.status == "paused"
    assert two_of_n.item(item).status == "pending"
    with pytest.raises(InvalidDecisionError, match="alice already approved item"):
        two_of_n.decide(item, {"action": "approve", "reviewer": "alice"})
    second = two_of_n.decide(item, {"action": "approve", "reviewer": "bob"})
    assert (second.approvals_missing, second.run.status, second.run.outcome) == (0, "completed", "approved")
    with two_of_n.db.read() as conn:
        assert conn.execute(select(votes.c.reviewer).order_by(votes.c.id)).scalars().all() == ["alice", "bob"]
        assert conn.execute(select(decisions.c.reviewer)).scalars().all() == ["bob"]
    assert len(_events(two_of_n, "item.vote_recorded")) == 2


def test_m_of_n_a_single_reject_decides(two_of_n: Orchestrator) -> None:
    run = two_of_n.start("notify", GATED)
    two_of_n.decide(run.pending_items[0], {"action": "approve", "reviewer": "alice"})
    done = two_of_n.decide(run.pending_items[0], {"action": "reject", "reviewer": "bob", "reason_code": "tone"})
    assert (done.run.status, done.run.outcome) == ("completed", "rejected")


def test_whoever_started_a_run_never_approves_it(settings: Settings) -> None:
    with _orch(settings, "") as o:
        run = o.start("notify", GATED, started_by="alice")
        with pytest.raises(NotAuthorizedError, match="whoever started a run may not approve its items"):
            o.decide(run.pending_items[0], {"action": "approve", "reviewer": "alice"})
        assert o.item(run.pending_items[0]).status == "pending"
        o.decide(run.pending_items[0], {"action": "approve", "reviewer": "bob"})


def test_sampled_auto_passes_and_approvals_get_a_blind_audit(settings: Settings) -> None:
    with _orch(settings, "sampling_rate = 1.0\naudit_rate = 1.0\n") as o:
        passed = o.start("support", PRAISE)
        assert passed.status == "completed" and passed.pending_items == ()
        gated = o.start("notify", GATED)
        o.decide(gated.pending_items[0], {"action": "approve", "reviewer": "alice"})
        audits = [i for i in o.pending(limit=100).items if i.kind == "audit"]
        assert len(audits) == 2 and all(a.blind for a in audits)
        for a in audits:  # blind: the stored request carries no trigger, confidence or score
            assessment = a.request.assessment
            assert (assessment.triggers, assessment.confidence, a.trigger_kinds) == ([], 0.0, ())
            assert a.request.allowed_actions == ["approve", "reject"]
        of_approval = next(a for a in audits if a.source_item_id is not None)
        of_pass = next(a for a in audits if a.source_item_id is None)
        assert "kind words" in of_pass.request.proposal["body"] and of_pass.graph == "support"
        o.decide(of_pass.id, {"action": "reject", "reviewer": "bob", "reason_code": "tone", "note": "Too curt."})
        o.decide(of_approval.id, {"action": "approve", "reviewer": "carol"})
        # Deciding an audit never touches the run, and a finding teaches memory like any override.
        assert o.run(passed.id).outcome == "passed" and o.run(gated.id).outcome == "approved"
        assert [c.kind for c in o.memory.corrections(kinds=["reject"])] == ["reject"]
        assert len(_events(o, "audit.finding")) == 1 and len(_events(o, "audit.passed")) == 1
        q = o.quality()
        assert (q.auto_pass_findings.count, q.auto_pass_findings.total) == (1, 1)
        assert (q.post_review_errors.count, q.post_review_errors.total) == (0, 1)
        result = CliRunner().invoke(app, ["show", str(of_approval.id), "--db", settings.db_url])
        assert "Blind audit" in result.output and "Risk" not in result.output


def test_nobody_audits_their_own_decision(settings: Settings) -> None:
    # Audits are sampled by the run's random interrupt id: at 5% a reviewer was once offered their own edit.
    from humangate.ui.inbox_view import next_item_id

    with _orch(settings, "audit_rate = 1.0\napprovals_needed = { low = 2, medium = 2, high = 2, critical = 2 }\n") as o:
        gated = o.start("notify", GATED)
        o.decide(gated.pending_items[0], {"action": "approve", "reviewer": "alice"})
        o.decide(gated.pending_items[0], {"action": "approve", "reviewer": "bob"})
        (audit,) = [i for i in o.pending(limit=100).items if i.kind == "audit"]
        assert audit.request.audited == ["alice", "bob"]
        for voter in ("alice", "bob"):
            with pytest.raises(NotAuthorizedError, match=f"{voter} decided the item this audit checks"):
                o.decide(audit.id, {"action": "approve", "reviewer": voter})
            assert next_item_id(o, voter) is None
        assert o.item(audit.id).status == "pending" and next_item_id(o, "carol") == audit.id
        o.decide(audit.id, {"action": "approve", "reviewer": "carol"})


def test_canaries_copy_an_earlier_item_and_score_the_reviewer(settings: Settings) -> None:
    with _orch(settings, "canary_rate = 1.0\n") as o:
        first = o.start("notify", GATED)
        assert [i.kind for i in o.pending(limit=10).items] == ["gate"]  # nothing decided yet to copy
        o.decide(first.pending_items[0], {"action": "approve", "reviewer": "bob"})
        run = o.start("notify", GATED | {"recipient": "Cy Ng", "email": "cy@example.com"})
        items = o.pending(limit=10).items
        canary = next(i for i in items if i.kind == "canary")
        source = o.item(first.pending_items[0])
        assert (canary.title, canary.risk_level, canary.required_role) == (source.title, source.risk_level, "reviewer")
        assert canary.request.proposal["body"] != source.request.proposal["body"]
        assert canary.source_item_id == source.id
        assert run.pending_items == tuple(i.id for i in items if i.kind == "gate")  # runs wait on their own items
        assert all(e["kind"] != "canary.seeded" for e in o.timeline(first.id))  # not visible beside the item
        o.decide(canary.id, {"action": "approve", "reviewer": "alice"})
        assert o.run(run.id).status == "paused"
        assert len(_events(o, "canary.missed")) == 1
        assert o.quality().canaries.missed == 1


def test_sla_escalates_then_fails_closed_and_notifies(
    settings: Settings,
    receiver: Receiver,  # noqa: F811
    clock: SharedClock,  # noqa: F811
) -> None:
    hooked = replace(settings, webhook_url=receiver.url, webhook_secret=SECRET)
    chain = (
        'escalation_chain = ["reviewer", "expert"]\nsla_minutes = { low = 10, medium = 10, high = 10, critical = 10 }\n'
    )
    with _orch(hooked, chain, clock) as o:
        run = o.start("notify", GATED)
        item = run.pending_items[0]
        assert o.item(item).due_at == clock.t + 600
        clock.t += 599
        assert o.sweep().escalated == []
        clock.t += 2
        report = o.sweep()
        assert report.escalated == [item] and o.item(item).required_role == "expert"
        with pytest.raises(NotAuthorizedError):
            o.decide(item, {"action": "approve", "reviewer": "alice"})
        clock.t += 601
        assert o.sweep().failed_closed == [item]
        done = o.run(run.id)
        assert (done.status, done.outcome) == ("completed", "rejected")
        with o.db.read() as conn:
            decision = conn.execute(select(decisions).where(decisions.c.item_id == item)).one()
            status = conn.execute(select(review_items.c.status).where(review_items.c.id == item)).scalar_one()
            events = conn.execute(select(notifications.c.event).order_by(notifications.c.id)).scalars().all()
        assert (decision.reviewer, decision.action, status) == ("sla", "reject", "decided")
        assert events == ["item.queued", "item.escalated", "item.expired"]
        assert Dispatcher(o.db, hooked, clock=clock).deliver_due().delivered == 3
    got = [json.loads(r.body) for r in receiver.got]
    assert [g["event"] for g in got] == ["item.queued", "item.escalated", "item.expired"] and all(
        r.verified for r in receiver.got
    )
    assert got[1]["required_role"] == "expert"
    with pytest.raises(InvalidDecisionError, match="reserved"), _orch(settings, "") as o:
        o.add_user("sla", "admin")


def test_sweep_skips_items_of_graphs_this_process_cannot_run(settings: Settings) -> None:
    from humangate.graphs.registry import GraphRegistry
    from humangate.graphs.support import support_spec

    toml = 'escalation_chain = ["reviewer"]\nsla_minutes = { low = 1, medium = 1, high = 1, critical = 1 }\n'
    at = SharedClock()
    with _orch(settings, toml, at) as o:
        run = o.start("notify", GATED)
    at.t += 120
    policy = RiskPolicy.from_toml_text('version = "t-1"\n[defaults]\n' + toml)
    deps = GraphDeps(policy=policy)
    other = GraphRegistry([support_spec(deps)])
    with Orchestrator(settings, deps=deps, registry=other, clock=at) as o:
        report = o.sweep()
        assert report.failed_closed == [] and [i for i, _ in report.skipped] == list(run.pending_items)
        assert "notify" in report.skipped[0][1]
        assert o.item(run.pending_items[0]).status == "pending"
        with o.db.read() as conn:
            assert conn.execute(select(decisions.c.id)).all() == []
