"""Learning from reviewers on SQLite and PostgreSQL: labels, `calibrate`, versions, roll back, the scorer, metrics."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import event, select, update
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import audit_events, router_versions
from humangate.cli import app
from humangate.errors import ConfigError
from humangate.graphs.common import GraphDeps
from humangate.memory.router_versions import RouterBook, record_refit
from humangate.oversight.background import Housekeeper
from humangate.review.queue import QueueFilter
from humangate.risk import RiskPolicy
from humangate.risk.router import default_router
from humangate.risk.router.learning import Label, evaluate_refit

GATE = ("support", "review_reply")
# Every reply is reviewed (so every message becomes a label), second looks at every approval, a lenient
# recall promise that a few labels can support.
REVIEW_ALL = RiskPolicy.model_validate(
    {
        "version": "learn-test",
        "overrides": {
            "support.review_reply": {
                "always_review": True,
                "audit_rate": 0.0,
                "sampling_rate": 0.0,
                "target_recall": 0.6,
                "recall_confidence": 0.6,
            }
        },
    }
)
NEEDY = (
    "I want to talk to a real person about this right now.",
    "Put me through to a manager, your bot is useless.",
    "You charged me twice this month and nobody fixes it.",
    "The refund you promised never arrived and I am fed up.",
)
ROUTINE = (
    "What time does the pool open tomorrow?",
    "Is breakfast included with the room?",
    "Where can I find the wifi password?",
    "Do you have parking at the hotel?",
)
runner = CliRunner()


def _orch(settings: Settings, policy: RiskPolicy = REVIEW_ALL) -> Orchestrator:
    o = Orchestrator(settings, deps=GraphDeps(policy=policy))
    for name, role in (("alice", "reviewer"), ("bob", "reviewer"), ("erin", "expert")):
        o.add_user(name, role)
    return o


@pytest.fixture
def learn(settings: Settings) -> Iterator[Orchestrator]:
    with _orch(settings) as o:
        yield o


def _ask(o: Orchestrator, i: int, text: str, history: list[str] | None = None) -> int:
    """Start one support run with a fixed id and return its pending review item."""
    run = o.start("support", {"id": f"m{i}", "text": text, "history": history or []}, run_id=f"run{i:04d}")
    assert run.status == "paused", run
    return run.pending_items[0]


def _label_many(o: Orchestrator, count: int) -> None:
    """Let alice judge ``count`` messages: reject the needy ones, approve the routine ones."""
    for i in range(count):
        needy = i % 2 == 0
        item = _ask(o, i, f"{(NEEDY if needy else ROUTINE)[i // 2 % 4]} (ticket {i})")
        decision = {"action": "reject", "reason_code": "needs_expert"} if needy else {"action": "approve"}
        o.decide(item, {**decision, "reviewer": "alice"})


def test_every_kind_of_decision_becomes_the_right_label(learn: Orchestrator) -> None:
    o = learn
    o.decide(_ask(o, 0, ROUTINE[0]), {"action": "approve", "reviewer": "alice"})
    o.decide(_ask(o, 1, NEEDY[0]), {"action": "reject", "reason_code": "tone", "reviewer": "alice"})
    redirected = _ask(o, 2, NEEDY[1], history=["Hello?", "Anyone there?"])
    run = o.decide(
        redirected,
        {"action": "redirect", "reason_code": "tone", "instructions": "Apologise first.", "reviewer": "alice"},
    ).run
    o.decide(run.pending_items[0], {"action": "approve", "reviewer": "alice"})  # the second reply is fine
    escalated = _ask(o, 3, NEEDY[2])
    run = o.decide(
        escalated, {"action": "escalate", "escalate_to": "expert", "reason_code": "needs_expert", "reviewer": "alice"}
    ).run
    o.decide(run.pending_items[0], {"action": "approve", "reviewer": "erin"})
    labels = {x.key: x for x in o._labels(*GATE).labels}
    assert {k: x.needs_person for k, x in labels.items()} == {
        "run0000|review_reply": False,
        "run0001|review_reply": True,
        "run0002|review_reply": True,
        "run0003|review_reply": True,
    }
    assert labels["run0002|review_reply"].history == ("Hello?", "Anyone there?")
    assert labels["run0002|review_reply"].text == NEEDY[1] and labels["run0003|review_reply"].reviewer == "alice"
    assert all(x.weight == 1.0 and x.source == "decision" for x in labels.values())
    assert o._labels(*GATE, exclude=["alice"]).excluded == 5


def test_second_looks_and_audited_passes_count_and_unaudited_passes_do_not(settings: Settings) -> None:
    policy = RiskPolicy.model_validate(
        {
            "version": "audits",
            "overrides": {"support.review_reply": {"audit_rate": 1.0, "sampling_rate": 0.999, "review_from": "high"}},
        }
    )
    with _orch(settings, policy) as o:
        # A pass picked by audit sampling: its audit decides the label, weighted for the passes not picked.
        passed = o.start("support", {"id": "p", "text": ROUTINE[0]}, run_id="pass0001")
        assert passed.status == "completed"
        audit = o.pending(QueueFilter(run_id="pass0001")).items[0]
        o.decide(audit.id, {"action": "reject", "reason_code": "tone", "reviewer": "alice"})
        labels = {x.key: x for x in o._labels(*GATE).labels}
        assert labels["pass0001|review_reply"].needs_person
        assert labels["pass0001|review_reply"].weight == pytest.approx(1 / 0.999)
        assert labels["pass0001|review_reply"].source == "audit"
        # An approval that a second look rejects needed a person after all.
        held = o.start("support", {"id": "h", "text": "I will sue you, get me a lawyer."}, run_id="held0001")
        o.decide(held.pending_items[0], {"action": "approve", "reviewer": "erin"})  # critical: an expert's
        assert not {x.key: x for x in o._labels(*GATE).labels}["held0001|review_reply"].needs_person
        second = next(i for i in o.pending(QueueFilter(run_id="held0001")).items if i.source_item_id is not None)
        o.decide(second.id, {"action": "reject", "reason_code": "policy", "reviewer": "bob"})
        label = {x.key: x for x in o._labels(*GATE).labels}["held0001|review_reply"]
        assert label.needs_person and label.reviewer == "bob"
        # A pass nobody audited is no label.
        o.start("support", {"id": "q", "text": ROUTINE[1]}, run_id="pass0002")
        assert o.pending(QueueFilter(run_id="pass0002")).items  # its audit waits, undecided
        assert "pass0002|review_reply" not in {x.key for x in o._labels(*GATE).labels}


def test_calibrate_refuses_too_few_labels_stores_and_audits_it(learn: Orchestrator, db_url: str) -> None:
    _label_many(learn, 6)
    result = learn.calibrate(*GATE, actor="owner-ann")
    assert not result.accepted and "a refit needs at least 50" in result.reasons[0]
    [version] = learn.router_versions(*GATE)
    assert version.status == "refused" and version.created_by == "owner-ann" and version.labels == 6
    assert learn.routers.router(*GATE).name == "shipped"
    with learn.db.read() as conn:
        kinds = conn.execute(select(audit_events.c.kind).where(audit_events.c.kind.like("router.%"))).scalars().all()
    assert kinds == ["router.refit_refused"] and learn.verify_audit().ok
    out = runner.invoke(app, ["calibrate", "--db", db_url, "--json"])
    assert out.exit_code == 3 and json.loads(out.stdout)["accepted"] is False
    dry = learn.calibrate(*GATE, dry_run=True)
    assert dry.version is None and len(learn.router_versions(*GATE)) == 2  # the CLI's attempt, not the dry run


def test_an_accepted_refit_scores_messages_and_can_be_rolled_back(learn: Orchestrator, db_url: str) -> None:
    o = learn
    _label_many(o, 40)
    result = o.calibrate(*GATE, actor="owner-ann", min_labels=20, min_held_positives=1)
    assert result.accepted, result.reasons
    assert o.routers.router(*GATE).name == f"refit version {result.version}"
    # The next message is assessed with the refit, and the reason names it.
    item = o.item(_ask(o, 900, "Put me through to a manager, I am furious."))
    router_reasons = [t.reason for t in item.request.assessment.triggers if t.kind == "router"]
    assert router_reasons and f"refit version {result.version}" in router_reasons[0]
    report = o.metrics()
    [guarantee] = report.guarantees
    assert guarantee.promise.router == f"refit version {result.version}" and guarantee.escalated.total >= 41
    assert "guarantees" in report.to_json() and "recall >= 60%" in guarantee.promise.sentence()
    listed = runner.invoke(app, ["calibrate", "--list", "--db", db_url, "--json"])
    assert [v["status"] for v in json.loads(listed.stdout)] == ["active"]
    back = runner.invoke(app, ["calibrate", "--rollback", "shipped", "--as", "owner-ann", "--db", db_url, "--json"])
    assert back.exit_code == 0 and json.loads(back.stdout) == {
        "graph": "support",
        "node": "review_reply",
        "from": result.version,
        "to": None,
    }
    o.routers.invalidate()  # the CLI ran in its own Orchestrator; this one notices within its ttl
    assert o.routers.router(*GATE).name == "shipped"
    assert o.rollback_router(*GATE, result.version, actor="owner-ann", why="the roll back was a mistake") is None
    assert o.routers.router(*GATE).version == result.version
    with o.db.read() as conn:
        kinds = conn.execute(select(audit_events.c.kind).where(audit_events.c.kind.like("router.%"))).scalars().all()
    assert kinds == ["router.refit_accepted", "router.rollback", "router.rollback"] and o.verify_audit().ok


def _store_refit(o: Orchestrator) -> int:
    """Store an accepted refit built from plain labels (no runs needed) and return its version."""
    labels = [
        Label(f"k{i}", f"{(NEEDY if i % 2 else ROUTINE)[i % 4]} #{i}", (), bool(i % 2), "alice") for i in range(120)
    ]
    result = evaluate_refit(
        default_router(), default_router(), labels, target=0.6, confidence=0.6, min_held_positives=1
    )
    assert result.router is not None
    with o.db.write() as conn:
        version = record_refit(
            conn,
            graph="support",
            node="review_reply",
            accepted=True,
            parent_id=None,
            actor="test",
            now=1.0,
            labels=120,
            positives=60,
            model=result.router.to_bytes(),
            report={"summary": "test"},
        )
    o.routers.invalidate()
    return version


def test_the_active_router_is_cached_and_read_again_only_after_its_ttl(settings: Settings) -> None:
    with _orch(settings) as o:
        version = _store_refit(o)
        now = [0.0]
        book = RouterBook(o.db, ttl=5.0, clock=lambda: now[0])
        statements: list[str] = []
        event.listen(o.db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        assert book.router(*GATE).version == version
        loaded = len(statements)
        for _ in range(50):  # fifty messages, no database read
            book.router(*GATE).score("Where is my refund?")
        assert len(statements) == loaded
        o.rollback_router(*GATE, None, actor="owner")  # as if another process rolled back
        now[0] = 4.9
        assert book.router(*GATE).version == version  # within the ttl: still the cached version
        now[0] = 5.1
        assert book.router(*GATE).name == "shipped"


def test_a_stored_version_that_cannot_load_holds_every_message(settings: Settings) -> None:
    policy = RiskPolicy.model_validate({"version": "lenient", "defaults": {"sampling_rate": 0.0}})
    with _orch(settings, policy) as o:
        version = _store_refit(o)
        with o.db.write() as conn:  # someone edits the stored model
            blob = conn.execute(select(router_versions.c.model).where(router_versions.c.id == version)).scalar_one()
            changed = bytes(blob[:-1]) + bytes([blob[-1] ^ 1])
            conn.execute(update(router_versions).where(router_versions.c.id == version).values(model=changed))
        o.routers.invalidate()
        run = o.start("support", {"id": "c", "text": "What time does the pool open?"}, run_id="calm0001")
        assert run.status == "paused"
        reasons = [t.reason for t in o.item(run.pending_items[0]).request.assessment.triggers if t.kind == "router"]
        assert reasons and "could not score" in reasons[0] and "altered" in reasons[0]
        assert o.promises()[0].problem  # the metrics say no promise holds
        o.rollback_router(*GATE, None, actor="owner")
        assert o.start("support", {"id": "d", "text": "What time does the pool open?"}).status == "completed"


def test_one_active_version_per_gate_is_enforced_by_the_database(learn: Orchestrator) -> None:
    _store_refit(learn)
    with pytest.raises(IntegrityError), learn.db.write() as conn:
        conn.execute(
            router_versions.insert().values(
                graph="support",
                node="review_reply",
                status="active",
                created_by="x",
                created_at=2.0,
                labels=0,
                positives=0,
                report_json="{}",
            )
        )


def test_the_panel_refits_on_its_schedule_when_new_labels_came_in(learn: Orchestrator) -> None:
    _label_many(learn, 4)
    clock = [1000.0]
    keeper = Housekeeper(learn, refit_every=3600.0, clock=lambda: clock[0])
    keeper._refit()
    assert [v.created_by for v in learn.router_versions(*GATE)] == ["schedule"]  # first look: no refit before
    keeper._refit()  # looked ten minutes ago at most: not again yet
    clock[0] += 700
    keeper._refit()  # looked again: the last refit is younger than an hour
    assert len(learn.router_versions(*GATE)) == 1
    assert learn.refit_due(0.0) == []  # due, but no new labels since
    learn.decide(_ask(learn, 100, ROUTINE[0]), {"action": "approve", "reviewer": "alice"})
    [done] = learn.refit_due(0.0)
    assert done.figures["labels"] == 5 and not done.accepted


def test_metrics_print_the_guarantee_beside_its_cost(learn: Orchestrator, db_url: str) -> None:
    _label_many(learn, 2)
    out = runner.invoke(app, ["metrics", "--db", db_url, "--json"])
    [g] = json.loads(out.stdout)["guarantees"]
    assert g["router"] == "shipped" and g["escalated"] == {"count": 2, "total": 2, "rate": 1.0}
    text = runner.invoke(app, ["metrics", "--db", db_url])
    assert "Escalation router" in text.stdout and "recall >= 95%" in text.stdout.replace("\n", " ")
    assert np.isfinite(g["threshold"])
    from humangate.ui.metrics_tab import load_view  # the panel's Metrics tab shows the same card

    headline = load_view(learn, "All").headline
    assert 'id="card-guarantee-support-review_reply"' in headline and "R ≥ 60% @ 60%" in headline


def test_bad_schedule_and_rollback_arguments_are_refused_before_anything_opens(tmp_path: Path) -> None:
    assert Settings.from_env({"HUMANGATE_REFIT_EVERY": "24h"}).refit_every_seconds == 86_400
    for bad in ("soon", "10s", "-1h"):
        with pytest.raises(ConfigError, match="HUMANGATE_REFIT_EVERY"):
            Settings.from_env({"HUMANGATE_REFIT_EVERY": bad})
    db = f"sqlite:///{tmp_path / 'never.db'}"
    out = runner.invoke(app, ["calibrate", "--rollback", "../1", "--db", db, "--json"])
    assert out.exit_code == 2 and "version number or `shipped`" in json.loads(out.stdout)["error"]
    assert not (tmp_path / "never.db").exists()
