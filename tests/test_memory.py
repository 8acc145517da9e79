"""Correction memory on both backends: queued by every decision, stored behind it redacted, searched, used, curated."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select, update

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import audit_events, corrections, memory_backlog
from humangate.errors import UnknownCorrectionError
from humangate.graphs.common import GraphDeps
from humangate.memory.store import CatchUp, MemoryStore
from humangate.risk import RiskPolicy

QUESTION = "How do I export my invoices as CSV?"
QUESTION_AGAIN = "How can I download my invoices in CSV format?"
PROMISE = " to our product specialists"  # a phrase of the reply that reviewers delete
TECHNICAL = [
    "The export button does nothing when I click it.",
    "Clicking the export button does nothing at all.",
    "The export button is broken, nothing happens when I click it.",
    "When I click the export button nothing happens.",
    "The export button does nothing, I click it and wait.",
]
# A charge disputed "with my bank" is a legal right and goes to an expert at once; these stay with a reviewer.
REFUND_THREAT = "I want a refund now or I will dispute the charge."
REFUND_AGAIN = "Refund me right now or I will dispute the charge."
STRICT = RiskPolicy.from_toml_text('version = "strict-1"\n[defaults]\nreview_from = "low"\nautonomy_after = 3\n')


@pytest.fixture
def strict(settings: Settings) -> Iterator[Orchestrator]:
    """Return an Orchestrator whose policy reviews everything until memory earns autonomy (after 3)."""
    with Orchestrator(settings, deps=GraphDeps(policy=STRICT)) as o:
        o.add_user("alice", "reviewer")
        o.add_user("bob", "reviewer")
        o.add_user("erin", "expert")
        yield o


def _support(o: Orchestrator, text: str, *, approval: bool = False) -> tuple[str, Any]:
    """Start a support run; return its status and its pending item (or None)."""
    run = o.start("support", {"id": "t", "customer": "Dana Fox", "text": text, "require_approval": approval})
    return run.status, (o.item(run.pending_items[0]) if run.pending_items else None)


def test_every_decision_is_recorded_redacted(orch: Orchestrator) -> None:
    _, item = _support(orch, "My card 4111 1111 1111 1111 was charged, email me at dana.fox@example.com", approval=True)
    orch.decide(
        item.id, {"action": "reject", "reviewer": "alice", "reason_code": "pii", "note": "Call dana.fox@example.com"}
    )
    [c] = orch.memory.corrections()
    assert (c.kind, c.reviewer, c.reason_code, c.item_id, c.graph, c.node) == (
        "reject",
        "alice",
        "pii",
        item.id,
        "support",
        "review_reply",
    )
    with orch.db.read() as conn:
        stored = json.dumps(
            [dict(r._mapping) for r in conn.execute(select(corrections.c.key_text, corrections.c.note))]
        )
    assert "4111" not in stored and "dana.fox@example.com" not in stored
    assert "<CREDIT_CARD>" in c.key_text and "<EMAIL_ADDRESS>" in (c.note or "")
    with orch.db.read() as conn:
        kinds = conn.execute(select(audit_events.c.kind)).scalars().all()
    assert "memory.recorded" in kinds


def test_search_is_top_k_within_graph_and_gate(orch: Orchestrator) -> None:
    for text in (QUESTION, REFUND_THREAT):
        _, item = _support(orch, text, approval=True)
        orch.decide(item.id, {"action": "approve", "reviewer": "alice"})
    found = orch.memory.search("support", "review_reply", QUESTION_AGAIN, k=2)
    assert found[0].correction.key_text == QUESTION
    assert found[0].similarity > found[1].similarity
    assert orch.memory.search("drafting", "review_send", QUESTION_AGAIN) == []
    if orch.db.dialect == "postgresql":
        with orch.db.read() as conn:
            assert orch.memory._has_pgvector(conn), "pgvector should order the search on PostgreSQL"


def test_an_edit_teaches_the_next_similar_reply(orch: Orchestrator) -> None:
    _, item = _support(orch, QUESTION, approval=True)
    body = item.request.proposal["body"]
    orch.decide(
        item.id,
        {
            "action": "edit",
            "reviewer": "alice",
            "reason_code": "policy",
            "note": "We do not name the team that answers.",
            "edited": {**item.request.proposal, "body": body.replace(PROMISE, "")},
        },
    )
    _, again = _support(orch, QUESTION_AGAIN, approval=True)
    assert PROMISE not in again.request.proposal["body"]
    assert again.request.similar_corrections[0]["note"] == "We do not name the team that answers."
    # The proposal follows the lesson, so memory does not raise it again.
    assert "memory" not in again.trigger_kinds


def test_disabling_a_correction_removes_its_effect_on_the_next_run(orch: Orchestrator) -> None:
    _, item = _support(orch, QUESTION, approval=True)
    body = item.request.proposal["body"]
    edit = {**item.request.proposal, "body": body.replace(PROMISE, "")}
    orch.decide(item.id, {"action": "edit", "reviewer": "alice", "reason_code": "policy", "edited": edit})
    cid = orch.memory.corrections(limit=1)[0].id
    orch.memory.set_active(cid, False, actor="owner", reason="too broad")
    _, off = _support(orch, QUESTION_AGAIN, approval=True)
    assert PROMISE in off.request.proposal["body"] and off.request.similar_corrections == []
    orch.decide(off.id, {"action": "reject", "reviewer": "alice", "reason_code": "other"})
    orch.memory.set_active(cid, True, actor="owner")
    _, on = _support(orch, QUESTION_AGAIN, approval=True)
    assert PROMISE not in on.request.proposal["body"]
    with orch.db.read() as conn:
        kinds = conn.execute(select(audit_events.c.kind).where(audit_events.c.kind.like("memory.%"))).scalars().all()
    assert kinds.count("memory.disabled") == 1 and kinds.count("memory.enabled") == 1
    with pytest.raises(UnknownCorrectionError, match="No correction 9999"):
        orch.memory.set_active(9999, False, actor="owner")


def test_rollback_disables_what_was_learned_since(orch: Orchestrator) -> None:
    for text in (QUESTION, REFUND_THREAT):
        _, item = _support(orch, text, approval=True)
        orch.decide(item.id, {"action": "approve", "reviewer": "alice"})
    first, second = sorted(orch.memory.corrections(), key=lambda c: c.id)
    disabled = orch.memory.rollback(since=second.created_at, actor="owner", reason="bad batch")
    assert disabled == [second.id]
    assert [c.id for c in orch.memory.corrections(active=True)] == [first.id]
    assert orch.memory.rollback(since=second.created_at, actor="owner") == []


def test_an_escalated_topic_goes_straight_to_the_expert_next_time(orch: Orchestrator) -> None:
    _, item = _support(orch, REFUND_THREAT)
    assert item.required_role == "reviewer"
    orch.decide(
        item.id,
        {
            "action": "escalate",
            "reviewer": "alice",
            "escalate_to": "expert",
            "reason_code": "needs_expert",
            "note": "Refund threats go to an expert.",
        },
    )
    [escalated] = orch.run(item.run_id).pending_items
    orch.decide(escalated, {"action": "approve", "reviewer": "erin"})
    _, again = _support(orch, REFUND_AGAIN)
    assert again.required_role == "expert" and "memory" in again.trigger_kinds
    [trigger] = [t for t in again.request.assessment.triggers if t.kind == "memory"]
    assert "escalated by alice" in trigger.reason and "Refund threats go to an expert." in trigger.reason


def test_autonomy_is_earned_by_approvals_and_revoked_by_one_override(strict: Orchestrator) -> None:
    statuses = []
    for n, text in enumerate(TECHNICAL[:4]):  # approved by two reviewers: one person's habit earns nothing
        status, item = _support(strict, text)
        statuses.append(status)
        if item is not None:
            strict.decide(item.id, {"action": "approve", "reviewer": ("alice", "bob")[n % 2]})
    assert statuses == ["paused", "paused", "paused", "completed"]
    passed = strict.runs(limit=1)[0]
    assert passed.outcome == "passed"
    # The task asked for approval: autonomy never overrides that.
    status, item = _support(strict, TECHNICAL[4], approval=True)
    assert status == "paused"
    strict.decide(
        item.id,
        {
            "action": "edit",
            "reviewer": "alice",
            "reason_code": "tone",
            "edited": {**item.request.proposal, "body": "Hi Dana,\n\nSorry! Try reloading the page.\n\nSupport"},
        },
    )
    status, item = _support(strict, TECHNICAL[0])
    assert status == "paused" and "memory" in item.trigger_kinds


def test_memory_off_records_but_does_not_steer(settings: Settings) -> None:
    from dataclasses import replace

    with Orchestrator(replace(settings, memory=False)) as o:
        o.add_user("alice", "reviewer")
        _, item = _support(o, QUESTION, approval=True)
        body = item.request.proposal["body"]
        edit = {**item.request.proposal, "body": body.replace(PROMISE, "")}
        o.decide(item.id, {"action": "edit", "reviewer": "alice", "reason_code": "policy", "edited": edit})
        _, again = _support(o, QUESTION_AGAIN, approval=True)
        assert PROMISE in again.request.proposal["body"]
        assert o.memory.count() == 1


class _BrokenEmbedder:
    """An embedding provider that is down (the one the stored corrections were made with)."""

    name = "lexical-v1"
    dim = 1024
    default_similarity = 0.5

    def embed(self, texts: Any) -> Any:
        raise ConnectionError("embedding endpoint unreachable")


def _backlog(orch: Orchestrator) -> list[Any]:
    with orch.db.read() as conn:
        return conn.execute(select(memory_backlog).order_by(memory_backlog.c.decision_id)).all()


def _due_now(orch: Orchestrator) -> None:
    """Skip the backoff of queued decisions, as if their retry time had come."""
    with orch.db.write() as conn:
        conn.execute(update(memory_backlog).values(retry_at=0.0))


def test_a_memory_failure_never_holds_up_the_decision_nor_loses_it(
    orch: Orchestrator, caplog: pytest.LogCaptureFixture
) -> None:
    _, item = _support(orch, QUESTION, approval=True)
    orch.decide(item.id, {"action": "approve", "reviewer": "alice"})
    assert orch.memory.count() == 1 and _backlog(orch) == []
    working = orch.memory.embedder
    orch.memory.embedder = _BrokenEmbedder()
    # Runs go on without memory while the endpoint is down, reviewed as their triggers say.
    status, again = _support(orch, QUESTION_AGAIN, approval=True)
    assert status == "paused" and again.request.similar_corrections == []
    assert "Memory search failed" in caplog.text
    done = orch.decide(again.id, {"action": "approve", "reviewer": "alice"})
    assert (done.run.status, done.run.outcome) == ("completed", "approved")
    # The decision waits in the backlog with its error and a backoff instead of being lost.
    assert orch.memory.count() == 1
    assert "stay queued" in caplog.text
    [queued] = _backlog(orch)
    assert queued.attempts == 1 and "embedding endpoint unreachable" in queued.last_error
    assert queued.retry_at > orch.clock()
    orch.memory.embedder = working
    assert orch.memory.catch_up().stored == 0  # backing off: not due yet
    _due_now(orch)
    assert orch.memory.count() == 2 and _backlog(orch) == []
    newest = orch.memory.corrections(limit=1)[0]
    assert (newest.item_id, newest.kind, newest.created_at) == (again.id, "approve", queued.queued_at)


def test_a_decision_never_waits_on_the_embedder(orch: Orchestrator) -> None:
    _, item = _support(orch, QUESTION, approval=True)
    working = orch.memory.embedder
    orch.memory.embedder = _BrokenEmbedder()
    edited = {**item.request.proposal, "body": item.request.proposal["body"] + "\n\nKind regards, Alice"}
    orch.decide(item.id, {"action": "edit", "reviewer": "alice", "reason_code": "tone", "edited": edited})
    [queued] = _backlog(orch)
    assert queued.attempts == 0 and queued.active  # queued in the decision's transaction, not yet tried
    orch.memory.embedder = working
    [c] = orch.memory.corrections()  # a read catches up first
    assert (c.kind, c.item_id, c.active) == ("edit", item.id, True)


def test_a_roll_back_covers_decisions_memory_has_not_stored_yet(orch: Orchestrator) -> None:
    _, item = _support(orch, QUESTION, approval=True)
    working = orch.memory.embedder
    orch.memory.embedder = _BrokenEmbedder()
    orch.decide(item.id, {"action": "reject", "reviewer": "alice", "reason_code": "policy", "note": "No."})
    assert orch.memory.rollback(since=0.0, actor="owner", reviewer="alice", reason="bad day") == []
    orch.memory.embedder = working
    _due_now(orch)
    [c] = orch.memory.corrections()
    assert (c.kind, c.active) == ("reject", False)
    with orch.db.read() as conn:
        payload = conn.execute(
            select(audit_events.c.payload_json).where(audit_events.c.kind == "memory.rolled_back")
        ).scalar_one()
    assert json.loads(payload)["queued_disabled"] == 1


def test_two_processes_catching_up_store_each_decision_once(orch: Orchestrator) -> None:
    items = [_support(orch, text, approval=True)[1] for text in (QUESTION, REFUND_THREAT)]
    for item in items:  # no memory read in between: both stay queued
        orch.decide(item.id, {"action": "approve", "reviewer": "alice"})
    assert len(_backlog(orch)) == 2
    meet = threading.Barrier(2, timeout=30)

    class _Meeting:
        """Embeds like the real one, after both catch-ups have read the same backlog."""

        def __init__(self, inner: Any) -> None:
            self.inner, self.name, self.dim = inner, inner.name, inner.dim
            self.default_similarity = inner.default_similarity

        def embed(self, texts: Any) -> Any:
            meet.wait()
            return self.inner.embed(texts)

    stores = [MemoryStore(orch.db, _Meeting(orch.memory.embedder), clock=orch.clock) for _ in range(2)]
    results: list[CatchUp] = []
    threads = [threading.Thread(target=lambda s=s: results.append(s.catch_up())) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(r.stored for r in results) == [0, 2]
    assert orch.memory.count() == 2 and _backlog(orch) == []


def test_memory_commands_list_show_disable_enable_and_roll_back(orch: Orchestrator, settings: Settings) -> None:
    from typer.testing import CliRunner

    from humangate.cli import app

    def hg(*args: str, code: int = 0) -> Any:
        result = CliRunner().invoke(app, [*args, "--db", settings.db_url, "--json"])
        assert result.exit_code == code, result.output
        return json.loads(result.stdout)

    _, item = _support(orch, QUESTION, approval=True)
    orch.decide(item.id, {"action": "reject", "reviewer": "alice", "reason_code": "policy", "note": "No promises."})
    [listed] = hg("memory", "list")
    assert (listed["kind"], listed["reviewer"], listed["note"], listed["active"]) == (
        "reject",
        "alice",
        "No promises.",
        True,
    )
    assert hg("memory", "show", str(listed["id"]))["key_text"] == QUESTION
    assert hg("memory", "disable", str(listed["id"]), "--as", "owner", "--reason", "too broad") == {
        "id": listed["id"],
        "active": False,
    }
    assert hg("memory", "list", "--show", "active") == []
    assert hg("memory", "enable", str(listed["id"]))["active"] is True
    assert hg("memory", "rollback", "--since", "1h")["disabled"] == [listed["id"]]
    assert "No correction 999" in hg("memory", "show", "999", code=1)["error"]
    assert "Cannot read --since 'soon'" in hg("memory", "rollback", "--since", "soon", code=1)["error"]
    with orch.db.read() as conn:
        kinds = conn.execute(select(audit_events.c.kind).where(audit_events.c.kind.like("memory.%"))).scalars().all()
    assert sorted(set(kinds)) == ["memory.disabled", "memory.enabled", "memory.recorded", "memory.rolled_back"]


def test_a_redirected_brief_raises_the_next_similar_brief(orch: Orchestrator) -> None:
    from humangate.data.demo import demo_outreach_items

    lumen = next(i for i in demo_outreach_items() if i["company"].startswith("Lumen"))
    first = orch.start("outreach", lumen)
    item = orch.item(first.pending_items[0])
    assert item.node == "review_brief"
    orch.decide(
        item.id,
        {
            "action": "reject",
            "reviewer": "alice",
            "reason_code": "conflicting_sources",
            "note": "Check the founding year with the press office first.",
        },
    )
    again = orch.item(orch.start("outreach", lumen).pending_items[0])
    [trigger] = [t for t in again.request.assessment.triggers if t.kind == "memory"]
    assert "rejected by alice (conflicting_sources)" in trigger.reason
    assert again.request.similar_corrections[0]["kind"] == "reject"
