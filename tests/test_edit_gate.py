"""An edit passes the same gate as an approval: role, dwell, M-of-N, locked recipients, re-assessment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import metadata, outbox
from humangate.errors import DwellError, InvalidDecisionError, NotAuthorizedError
from humangate.graphs.common import GraphDeps
from humangate.risk import RiskPolicy

T0 = 1_800_000_000.0
# Policy words and a phone number together: the notify graph's rules make this critical.
CRITICAL = {"recipient": "Cy Ng", "email": "cy@example.com", "topic": "About the legal notice: call +1 415 555 0199."}
GATED = {"recipient": "Bob Roy", "email": "bob@example.com", "topic": "Thanks for the call.", "require_approval": True}
STRICT = """
approvals_needed = { low = 1, medium = 1, high = 1, critical = 2 }
min_dwell_seconds = { low = 0, medium = 0, high = 0, critical = 15 }
"""


class Clock:
    """A settable clock."""

    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    """Return Settings on a new SQLite database."""
    return Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "outbox")


def _orch(settings: Settings, toml: str, clock: Clock) -> Orchestrator:
    policy = RiskPolicy.from_toml_text('version = "t-1"\n[defaults]\n' + toml)
    o = Orchestrator(settings, deps=GraphDeps(policy=policy), clock=clock)
    for name, role in (("alice", "reviewer"), ("bob", "reviewer"), ("erin", "expert"), ("fred", "expert")):
        o.add_user(name, role)
    return o


@pytest.fixture
def clock() -> Clock:
    """Return a clock the test moves by hand."""
    return Clock()


@pytest.fixture
def strict(sqlite_settings: Settings, clock: Clock) -> Iterator[Orchestrator]:
    """Return an Orchestrator whose critical items need two approvals and 15 s of dwell."""
    with _orch(sqlite_settings, STRICT, clock) as o:
        yield o


@pytest.fixture
def plain(sqlite_settings: Settings, clock: Clock) -> Iterator[Orchestrator]:
    """Return an Orchestrator with the default policy (one approval, no dwell)."""
    with _orch(sqlite_settings, "", clock) as o:
        yield o


def _snapshot(o: Orchestrator) -> dict[str, list[tuple[Any, ...]]]:
    with o.db.read() as conn:
        return {t.name: sorted(map(tuple, conn.execute(select(t)).all()), key=repr) for t in metadata.sorted_tables}


def _sent(o: Orchestrator, run_id: str) -> list[dict[str, Any]]:
    with o.db.read() as conn:
        rows = conn.execute(select(outbox.c.payload_json).where(outbox.c.run_id == run_id)).scalars().all()
    return [json.loads(r) for r in rows]


def _edit(reviewer: str, edited: dict[str, Any], reason: str = "tone") -> dict[str, Any]:
    return {"action": "edit", "reviewer": reviewer, "reason_code": reason, "edited": edited}


def test_quick_single_edit_of_a_critical_item_is_refused_then_needs_a_second_approval(
    strict: Orchestrator, clock: Clock
) -> None:
    run = strict.start("notify", CRITICAL)
    item = run.pending_items[0]
    shown = strict.item(item).request
    assert (shown.assessment.level, shown.approvals_needed, shown.required_role) == ("critical", 2, "expert")
    edited = shown.proposal | {"body": shown.proposal["body"] + " "}  # one space is no edit at all
    strict.claim(item, "erin")
    clock.t += 2.5
    before = _snapshot(strict)
    with pytest.raises(DwellError):
        strict.decide(item, _edit("erin", edited))
    assert _snapshot(strict) == before
    clock.t += 15
    with pytest.raises(InvalidDecisionError, match="changes nothing"):
        strict.decide(item, _edit("erin", edited))
    assert _snapshot(strict) == before
    reworded = shown.proposal | {"body": shown.proposal["body"].replace("About", "Regarding")}
    result = strict.decide(item, _edit("erin", reworded))
    # The edit is erin's vote for the edited version: the run waits for a second, different reviewer.
    assert result.run.status == "paused" and _sent(strict, run.id) == []
    (held,) = result.run.pending_items
    request = strict.item(held).request
    assert request.proposal == reworded and request.edited_by == ["erin"]
    assert (request.approvals_needed, request.required_role, request.min_dwell_seconds) == (1, "expert", 15)
    assert "Edited by erin" in request.assessment.triggers[-1].reason
    strict.claim(held, "erin")
    clock.t += 20
    with pytest.raises(NotAuthorizedError, match="another reviewer must approve"):
        strict.decide(held, {"action": "approve", "reviewer": "erin"})
    strict.release(held, "erin")
    strict.claim(held, "fred")
    clock.t += 3
    with pytest.raises(DwellError):
        strict.decide(held, {"action": "approve", "reviewer": "fred"})
    clock.t += 15
    done = strict.decide(held, {"action": "approve", "reviewer": "fred"})
    assert (done.run.status, done.run.outcome) == ("completed", "approved")
    assert [m["body"] for m in _sent(strict, run.id)] == [reworded["body"]]


def test_edit_changing_the_recipient_needs_wrong_recipient_and_a_second_reviewer(plain: Orchestrator) -> None:
    run = plain.start("notify", GATED)
    item = run.pending_items[0]
    proposal = plain.item(item).request.proposal
    moved = proposal | {"to": "someone@elsewhere.example"}
    before = _snapshot(plain)
    with pytest.raises(InvalidDecisionError, match="recipients are locked"):
        plain.decide(item, _edit("alice", moved))
    assert _snapshot(plain) == before
    result = plain.decide(item, _edit("alice", moved, "wrong_recipient"))
    assert result.run.status == "paused" and _sent(plain, run.id) == []
    (held,) = result.run.pending_items
    assert "changed the recipient" in plain.item(held).request.assessment.triggers[-1].reason
    with pytest.raises(NotAuthorizedError):
        plain.decide(held, {"action": "approve", "reviewer": "alice"})
    done = plain.decide(held, {"action": "approve", "reviewer": "bob"})
    assert done.run.outcome == "approved"
    assert [m["to"] for m in _sent(plain, run.id)] == ["someone@elsewhere.example"]


def test_edit_that_keeps_to_the_assessment_goes_out_at_once(plain: Orchestrator) -> None:
    run = plain.start("notify", GATED)
    item = run.pending_items[0]
    proposal = plain.item(item).request.proposal
    edited = proposal | {"body": "Hi Bob,\n\nThanks again for the call.\n\nBest regards,\nThe team"}
    done = plain.decide(item, _edit("alice", edited))
    assert done.run.outcome == "approved"
    assert [m["body"] for m in _sent(plain, run.id)] == [edited["body"]]


@pytest.mark.parametrize("added", ["We guarantee a full refund by Friday.", "Call me on +1 415 555 0199."])
def test_edit_adding_a_promise_or_personal_data_is_held_again(plain: Orchestrator, added: str) -> None:
    run = plain.start("notify", GATED)
    item = run.pending_items[0]
    proposal = plain.item(item).request.proposal
    edited = proposal | {"body": proposal["body"] + "\n\n" + added}
    result = plain.decide(item, _edit("alice", edited))
    assert result.run.status == "paused" and _sent(plain, run.id) == []
    (held,) = result.run.pending_items
    request = plain.item(held).request
    assert request.proposal == edited and request.assessment.needs_review
    assert "Edited by alice (tone): the edit" in request.assessment.triggers[-1].reason
    done = plain.decide(held, {"action": "approve", "reviewer": "bob"})
    assert [m["body"] for m in _sent(plain, run.id)] == [edited["body"]]
    assert done.run.outcome == "approved"


def test_support_reply_edited_into_a_promise_is_held_again(plain: Orchestrator) -> None:
    message = {"id": "c1", "customer": "ann@example.com", "text": "How do I export my data?", "require_approval": True}
    run = plain.start("support", message)
    item = run.pending_items[0]
    proposal = plain.item(item).request.proposal
    edited = proposal | {"body": "We guarantee a full refund for any trouble with exports."}
    result = plain.decide(item, _edit("alice", edited))
    assert result.run.status == "paused"
    (held,) = result.run.pending_items
    reason = plain.item(held).request.assessment.triggers[-1].reason
    assert "added policy" in reason and "guarantee" in reason


def test_edit_with_an_unknown_claim_id_is_refused(plain: Orchestrator) -> None:
    brief = {
        "subject": "Acme",
        "claims": [{"text": "Acme ships in 3 days.", "source_ids": ["s1"]}],
        "coverage": 1.0,
        "confidence": 0.9,
    }
    inputs = {
        "brief": brief,
        "sources": [{"id": "s1", "title": "Site", "text": "Acme ships in 3 days."}],
        "recipient": {"name": "Dana Poe", "email": "dana@acme.example", "company": "Acme"},
        "goal": "Ask for a call.",
        "require_approval": True,
    }
    run = plain.start("drafting", inputs)
    item = run.pending_items[0]
    proposal = plain.item(item).request.proposal
    before = _snapshot(plain)
    with pytest.raises(InvalidDecisionError, match=r"claims_used names claims \[7\]"):
        plain.decide(item, _edit("alice", proposal | {"body": "Shorter.", "claims_used": [0, 7]}))
    assert _snapshot(plain) == before
    done = plain.decide(item, _edit("alice", proposal | {"body": "Shorter.", "claims_used": [0]}))
    assert done.run.status in ("completed", "paused")


def test_an_edit_is_news_when_it_brings_new_evidence_of_what_reaches_the_reader() -> None:
    """A kind seen before no longer hides a new link, detail or term; other kinds are compared by kind."""
    from humangate.core.contract import Trigger
    from humangate.graphs.edits import is_news

    before = [
        Trigger(kind="impact", reason="The task asks for approval.", evidence=["external email"]),
        Trigger(kind="confidence", reason="Low confidence 0.4.", evidence=["0.4"]),
    ]
    link = Trigger(kind="impact", reason="The email carries 1 link(s).", evidence=["https://evil.example/x"])
    assert is_news(link, before)
    assert not is_news(Trigger(kind="impact", reason="The task asks.", evidence=["external email"]), before)
    assert is_news(Trigger(kind="pii", reason="A phone number.", evidence=["+1 415 555 0199"]), before)
    # confidence moves with any rewording: comparing its evidence would hold every edit for a second look
    assert not is_news(Trigger(kind="confidence", reason="Low confidence 0.3.", evidence=["0.3"]), before)
    assert not is_news(Trigger(kind="sampling", reason="Sampled.", evidence=["x"]), before)
