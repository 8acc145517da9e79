"""Red-team findings: the paths from a decision to an outside effect that skip checks an approval must pass.

The product's first rule: every path to an outside effect (approve, edit, redirect's result, earned autonomy,
SLA) passes the same checks: role, dwell, M-of-N, re-assessment of what will actually be sent. Each test below
walks one such path on a real SQLite database in ``tmp_path``, offline, asserts the safe behaviour, and failed
on the code it names when it was written. Task wording, CSV cells, sources, customer messages and the
re-assessment of an edit's text are covered by the other red-team files and ``test_edit_gate``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import outbox
from humangate.graphs.common import GraphDeps
from humangate.risk import RiskPolicy

T0 = 1_800_000_000.0
USERS = (("alice", "reviewer"), ("bob", "reviewer"), ("erin", "expert"), ("fred", "expert"))
GATED_NOTE = {
    "recipient": "Bob Roy",
    "email": "bob@example.com",
    "topic": "Thanks for the call.",
    "require_approval": True,
}
# Policy words and a phone number together: the notify graph's rules make this critical.
CRITICAL_NOTE = {
    "recipient": "Cy Ng",
    "email": "cy@example.com",
    "topic": "About the legal notice: call +1 415 555 0199.",
}
# Two plain claims that the built-in policy sends unreviewed, and one that states a price (held: policy).
SOFTWARE = "Zeta Freight builds route-planning software for partner carriers."
TOOLS = "Zeta Freight develops tools for electric truck fleets."
PRICING = "Zeta Freight offers a discount on pricing for new partners."


class Clock:
    """A settable clock."""

    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> float:
        return self.t


def _settings(tmp_path: Path, *, memory: bool = True) -> Settings:
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "outbox")
    return replace(settings, memory=memory)


def _orch(settings: Settings, toml: str = "", clock: Clock | None = None) -> Orchestrator:
    policy = RiskPolicy.from_toml_text('version = "paths-1"\n[defaults]\n' + toml)
    o = Orchestrator(settings, deps=GraphDeps(policy=policy), clock=clock or Clock())
    for name, role in USERS:
        o.add_user(name, role)
    return o


@pytest.fixture
def clock() -> Clock:
    """Return a clock the test moves by hand."""
    return Clock()


def _sent(o: Orchestrator, run_id: str | None = None) -> list[dict[str, Any]]:
    stmt = select(outbox.c.payload_json)
    if run_id is not None:
        stmt = stmt.where(outbox.c.run_id == run_id)
    with o.db.read() as conn:
        return [json.loads(r) for r in conn.execute(stmt).scalars()]


def _draft_input(*claims: str) -> dict[str, Any]:
    """Return a drafting run's input: a brief of ``claims``, each backed by two agreeing sources."""
    text = " ".join(claims)
    return {
        "brief": {
            "subject": "Zeta Freight",
            "claims": [{"text": c, "source_ids": ["s1", "s2"]} for c in claims],
            "coverage": 1.0,
            "confidence": 0.9,
        },
        "sources": [{"id": "s1", "title": "About", "text": text}, {"id": "s2", "title": "Profile", "text": text}],
        "recipient": {"name": "Ines Costa", "email": "ines@zeta-freight.example", "company": "Zeta Freight"},
        "goal": "an introduction",
    }


# --- 1. Earned autonomy ------------------------------------------------------------------------------------

# Three approvals of emails held because they state a price ("discount", "pricing": trigger kind ``policy``)
# earn autonomy for that pattern. The next email of the same template carries a guaranteed refund, a legal
# threat or a request to wire money to a new bank account: each raises a ``policy`` trigger too, so the
# streak matches on the KIND alone and the email goes out unreviewed, though no reviewer ever approved a
# promise, a threat or a payment request. Path: risk/memory.apply_memory (``reasons <= trigger_kinds`` compares
# kinds, never the evidence), called from graphs/drafting.add_drafting_steps.assess via graphs/common.remembered.
# Fix: count an approval towards autonomy only when the new proposal's reader-facing evidence (policy terms,
# links, details; as ``graphs.edits.is_news`` does for edits) was in the approved proposals too.
RISKY_LINES = [
    "Zeta Freight offers partners a guaranteed full refund if the pilot fails.",
    "We will take legal action against Zeta Freight unless the invoice is paid.",
    "Zeta Freight offers a discount on pricing to anyone who wires a deposit to our new bank account.",
]


@pytest.mark.parametrize("line", RISKY_LINES)
def test_autonomy_earned_on_prices_never_passes_a_promise_a_threat_or_a_payment_request(
    tmp_path: Path, line: str
) -> None:
    with _orch(_settings(tmp_path), "autonomy_after = 3\n") as o:
        for pricing in (
            PRICING,
            "Zeta Freight offers partners a discount on annual pricing.",
            "Zeta Freight gives new partners a discount on pricing.",
        ):
            run = o.start("drafting", _draft_input(SOFTWARE, pricing))
            (item,) = run.pending_items
            assert set(o.item(item).trigger_kinds) == {"impact", "policy"}
            o.decide(item, {"action": "approve", "reviewer": "bob"})
        run = o.start("drafting", _draft_input(SOFTWARE, line))
        assert run.status == "paused", _sent(o, run.id)
        assert _sent(o, run.id) == []


# --- 2. Redirect's result -----------------------------------------------------------------------------------

# A redirect is checked for role only: no starter rule, no dwell, no M-of-N (review/record/authority.
# check_decision applies those to approve and edit). Its instructions are worked into the re-run draft (the
# offline drafter copies a quoted ``add "..."`` verbatim) and the gate then passes that draft on its fresh
# assessment alone (graphs/gate.ReviewGate.__call__, case "redirect", routes back to the agent with no record
# of who asked or what the item needed). With memory steering off (HUMANGATE_MEMORY=off, a supported setting;
# with it on, only the similarity-based memory trigger happens to hold the result) the redirect's author is
# the only person who ever looked at what goes out.
# Fix: hold a redirect's result for review (needs_review) by someone other than the redirecting reviewer, with
# the item's role, dwell and approvals carried over, as an edit is held (``graphs.edit_hold.held_edit``).
REDIRECT = 'Leave out pricing. Add "Our team would value your view on routing tools."'


def test_the_run_starter_cannot_send_their_own_sentence_through_a_redirect(tmp_path: Path) -> None:
    with _orch(_settings(tmp_path, memory=False)) as o:
        run = o.start("drafting", _draft_input(PRICING, SOFTWARE, TOOLS), started_by="alice")
        (item,) = run.pending_items
        with pytest.raises(Exception, match="may not approve its items"):
            o.decide(item, {"action": "approve", "reviewer": "alice"})
        result = o.decide(
            item, {"action": "redirect", "reviewer": "alice", "reason_code": "tone", "instructions": REDIRECT}
        )
        sent = [m["body"] for m in _sent(o, run.id)]
        assert not any("value your view on routing tools" in body for body in sent), sent
        assert result.run.status == "paused"


def test_one_reviewer_cannot_send_an_item_that_needs_two_approvals_and_a_dwell_by_redirecting(
    tmp_path: Path, clock: Clock
) -> None:
    toml = (
        "approvals_needed = { low = 1, medium = 2, high = 2, critical = 2 }\n"
        "min_dwell_seconds = { low = 0, medium = 30, high = 30, critical = 30 }\n"
    )
    with _orch(_settings(tmp_path, memory=False), toml, clock) as o:
        run = o.start("drafting", _draft_input(PRICING, SOFTWARE, TOOLS))
        (item,) = run.pending_items
        assert (o.item(item).approvals_needed, o.item(item).min_dwell_seconds) == (2, 30)
        # bob never claimed it, so an approval would be refused for the dwell; the redirect is taken at once.
        redirect = {"action": "redirect", "reviewer": "bob", "reason_code": "tone", "instructions": REDIRECT}
        result = o.decide(item, redirect)
        assert _sent(o, run.id) == []
        assert result.run.status == "paused"


# --- 3. Escalation lost on the way to the effect ------------------------------------------------------------


# An item escalated to an expert ("needs_expert") and sent back by that expert comes back as a new item that a
# plain reviewer may approve: the re-run draft's gate builds a fresh ReviewRequest from the policy
# (graphs/gate.ReviewGate.__call__: ``required_role=self.policy.roles[...]``, ``escalation_level`` 0), so the
# escalation the first reviewer asked for is gone, and alice approves what only an expert was to decide.
# Fix: carry the highest role (and escalation level) an item reached into the state the redirect writes, and
# gate the redirect's result at no lower a role.
def test_a_redirect_by_the_expert_keeps_the_escalation_for_the_redirected_result(tmp_path: Path) -> None:
    with _orch(_settings(tmp_path)) as o:
        run = o.start("notify", GATED_NOTE)
        (first,) = run.pending_items
        escalated = o.decide(
            first,
            {"action": "escalate", "reviewer": "alice", "reason_code": "needs_expert", "escalate_to": "expert"},
        )
        (second,) = escalated.run.pending_items
        assert o.item(second).required_role == "expert"
        sent_back = o.decide(
            second,
            {
                "action": "redirect",
                "reviewer": "erin",
                "reason_code": "tone",
                "instructions": "Say we will send the signed documents tomorrow.",
            },
        )
        (third,) = sent_back.run.pending_items
        assert o.item(third).required_role == "expert"
        with pytest.raises(Exception, match="needs the expert role"):
            o.decide(third, {"action": "approve", "reviewer": "alice"})
        assert _sent(o, run.id) == []


# The SLA sweep moves an overdue item up its chain by rewriting the queue row only
# (review/checks.escalate_overdue); the paused gate's in-graph ReviewRequest still says "reviewer". When the
# expert's edit is then held for a second look (here it adds a phone number), graphs.edit_hold.held_edit takes the
# role from that stale request, so the held edit is back with a plain reviewer, with a fresh SLA from step 0,
# and alice approves it. Fix: resume the gate with the item's stored request (or write the SLA's escalation
# into the run's state) so every item the gate raises afterwards keeps at least the role the SLA reached.
def test_an_sla_escalation_survives_an_edit_held_for_a_second_look(tmp_path: Path, clock: Clock) -> None:
    toml = "sla_minutes = { low = 0, medium = 1, high = 1, critical = 1 }\n"
    with _orch(_settings(tmp_path), toml, clock) as o:
        run = o.start("notify", GATED_NOTE)
        (item,) = run.pending_items
        clock.t += 61
        assert o.sweep().escalated == [item]
        assert o.item(item).required_role == "expert"
        proposal = o.item(item).request.proposal
        edited = proposal | {"body": proposal["body"] + "\n\nCall me on +1 415 555 0199."}
        held = o.decide(item, {"action": "edit", "reviewer": "erin", "reason_code": "tone", "edited": edited})
        (second,) = held.run.pending_items
        assert o.item(second).required_role in ("expert", "owner")
        with pytest.raises(Exception, match="needs the expert role"):
            o.decide(second, {"action": "approve", "reviewer": "alice"})
        assert _sent(o, run.id) == []


# --- 4. M-of-N ----------------------------------------------------------------------------------------------


# A critical item needs two approvals. erin edits (her vote for HER version; held for one more), then fred,
# instead of approving erin's version, edits it in turn. graphs.edit_hold.held_edit sees ``approvals_needed`` 1 on
# the held request and an edit that adds nothing new against erin's version, so it sends fred's version:
# a critical text approved by one person (erin never saw fred's wording). Path: graphs/edit_hold.held_edit
# (``needed = max(1, ... - 1)`` and no M-of-N reason once the count reached 1).
# Fix: an edit of an already-edited item restarts the count for the new text: hold it for approvals from
# reviewers other than its editor until the text that is sent has M distinct approvers.
def test_an_edit_of_a_held_edit_still_needs_a_second_approver_of_the_text_that_is_sent(tmp_path: Path) -> None:
    toml = "approvals_needed = { low = 1, medium = 1, high = 1, critical = 2 }\n"
    with _orch(_settings(tmp_path), toml) as o:
        run = o.start("notify", CRITICAL_NOTE)
        (item,) = run.pending_items
        assert (o.item(item).risk_level, o.item(item).approvals_needed) == ("critical", 2)
        proposal = o.item(item).request.proposal
        erins = proposal | {"body": proposal["body"].replace("About", "Regarding")}
        held = o.decide(item, {"action": "edit", "reviewer": "erin", "reason_code": "tone", "edited": erins})
        (second,) = held.run.pending_items
        freds = erins | {"body": erins["body"].replace("legal notice", "legal notice we sent")}
        result = o.decide(second, {"action": "edit", "reviewer": "fred", "reason_code": "tone", "edited": freds})
        assert _sent(o, run.id) == []
        assert result.run.status == "paused"
