"""Red-team findings: paths by which something goes out without the review it should have had.

Every test here asserts the safe behaviour; each failed when it was written, on the code it names. All run
offline on a real SQLite database in ``tmp_path``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from humangate import Orchestrator, Settings
from humangate.agents.offline.planning import plan
from humangate.agents.support import SupportAnalyst
from humangate.checkpoints.schema import outbox
from humangate.core.schemas import AmountLimit, SupportMessage, SupportReply
from humangate.risk import RiskPolicy, assess_support
from humangate.tasks import planned_runs, start_planned
from tests.lenient import LENIENT, lenient_orchestrator

# As in test_task_rules_phrasings: only the task's own rules hold a reply, so a missed rule shows as a send.
CALM = "Hello, could you tell me when my order ships? Thanks a lot!"
DEMO_SOURCES = Path(__file__).resolve().parents[1] / "src" / "humangate" / "data" / "demo" / "sources"


def _settings(tmp_path: Path) -> Settings:
    return Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "outbox")


@pytest.fixture
def lenient(tmp_path: Path) -> Iterator[Orchestrator]:
    with lenient_orchestrator(tmp_path, ("alice", "bob")) as o:
        yield o


@pytest.fixture
def plain(tmp_path: Path) -> Iterator[Orchestrator]:
    with Orchestrator(_settings(tmp_path)) as o:
        o.add_user("alice", "reviewer")
        o.add_user("bob", "reviewer")
        yield o


def _outbox(o: Orchestrator, run_id: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    stmt = select(outbox.c.kind, outbox.c.payload_json)
    if run_id is not None:
        stmt = stmt.where(outbox.c.run_id == run_id)
    with o.db.read() as conn:
        return [(r.kind, json.loads(r.payload_json)) for r in conn.execute(stmt)]


# --- 1. Task wording ---------------------------------------------------------------------------------

# The planner does not read these as approval (require_approval stays False) and, under a policy that passes
# low risk, every reply goes out unreviewed: "don't send until I say so", "do not send them", "I'll send them
# myself", "ping me before you hit send", German/French "show me before sending". Each asks a person to see
# (or to do) the send; fail closed means a person approves. Fix: agents/offline/task_rules.read_rules and the
# vocabularies of core/wording.py (a clause that negates or conditions sending on a person).
SEND_STOPPERS = [
    "Don't send anything until I say so.",
    "Do not send them.",
    "Just draft them, I'll send them myself.",
    "Ping me before you hit send.",
    "Wait for me before sending.",
    "Nothing should go out until I give the word.",
    "Let me double-check them first.",
    "Bitte vor dem Versand mir vorlegen.",
    "N'envoie rien avant que je dise oui.",
]


@pytest.mark.parametrize("phrase", SEND_STOPPERS)
def test_wording_that_stops_the_send_holds_every_reply(lenient: Orchestrator, phrase: str) -> None:
    rows = [{"id": "t-1", "customer": "Pat Calm", "text": CALM}]
    spec = plan(f"Answer these support tickets. {phrase}", csv_rows=rows)
    runs = [run for _, run in start_planned(lenient, planned_runs(spec), "cli")]
    assert spec.require_approval, (phrase, spec.rules)
    assert all(r.status == "paused" for r in runs) and _outbox(lenient) == [], phrase


# The same miss on the outreach graph with the built-in policy: "Do not send them." over the demo's sources
# writes both emails to the outbox without anyone seeing them. Fix: agents/offline/task_rules.read_rules.
def test_do_not_send_them_never_sends_an_outreach_email(plain: Orchestrator) -> None:
    rows = [{"company": "Northwind Analytics", "name": "Ann", "email": "ann@northwind.example"}]
    spec = plan("Research these companies and draft an intro email to each contact. Do not send them.", csv_rows=rows)
    runs = [run for _, run in start_planned(plain, planned_runs(spec, source_dir=DEMO_SOURCES), "cli")]
    assert all(r.status == "paused" for r in runs) and _outbox(plain) == [], spec.rules


# A permission and a review request in one clause: "send without asking me after I review them" or "... and let
# me approve everything else" is read as the plain permission (only negations and "unless/except" outside the
# permission are looked for), so nothing is held. Fix: task_rules._relaxes / read_rules (a review word, "after",
# "before" or "until" outside the permission must make it unclear, hence require approval).
PERMISSION_WITH_REVIEW = [
    "Send without asking me after I review them.",
    "You can send without my approval once I have reviewed it.",
    "Send without asking me when it is routine and let me approve everything else.",
    "Skip the review for the calm ones and let me approve the others.",
    "No need to ask me twice: approve all first.",
]


@pytest.mark.parametrize("phrase", PERMISSION_WITH_REVIEW)
def test_a_permission_that_also_asks_for_review_holds_every_reply(lenient: Orchestrator, phrase: str) -> None:
    rows = [{"id": "t-1", "customer": "Pat Calm", "text": CALM}]
    spec = plan(f"Answer these support tickets. {phrase}", csv_rows=rows)
    runs = [run for _, run in start_planned(lenient, planned_runs(spec), "cli")]
    assert spec.require_approval, (phrase, spec.rules)
    assert all(r.status == "paused" for r in runs) and _outbox(lenient) == [], phrase


# --- Amount limits -----------------------------------------------------------------------------------


# "approve any credit over 100 euros" is read, but the reply's amount is not found when written the way most
# of Europe writes it ("150 €", "150€", "EUR 150") or with a thousands dot ("€1.500" reads as 1.5), so the reply
# passes even under the built-in policy (its pricing term misses these too). Fix: risk/limits._AMOUNT (and the
# same money pattern in risk/terms._MONEY).
@pytest.mark.parametrize(
    ("amount", "policy"),
    [
        *[pytest.param(a, LENIENT, id=f"lenient-{a}") for a in ("150 €", "150€", "EUR 150", "€1.500", "1.500 EUR")],
        *[pytest.param(a, RiskPolicy(), id=f"builtin-{a}") for a in ("150 €", "150€", "EUR 150")],
    ],
)
def test_a_limit_holds_a_reply_whatever_way_the_amount_is_written(amount: str, policy: RiskPolicy) -> None:
    message = SupportMessage(id="m1", customer="Ann Lee", text="Hi, could you add the missing loyalty points? Thanks!")
    analysis = SupportAnalyst().run(message)
    reply = SupportReply(to="Ann Lee", body=f"Hi Ann,\n\nWe have added a {amount} credit to your account.\n\nBest")
    limits = [AmountLimit(subject="credit", amount=100, unit="€")]
    held = assess_support(message.text, analysis, reply, policy, limits=limits)
    assert held.needs_review, (amount, [t.reason for t in held.triggers])


# --- 2. CSV input ------------------------------------------------------------------------------------


# A support row without an email column but whose customer (display name) cell holds an address: the reply's
# `to` is the name, the name holds "@", so is_ticket_reply() is False and the reply is emailed to that address,
# unreviewed, while the gate's view says it goes "back on ticket (no address)". The customer's display name is
# untrusted and chooses the recipient. Fix: graphs/support._recipient (never use the name as an address) and/or
# effects/messages.is_ticket_reply (a ticket reply with no known address stays on the ticket).
@pytest.mark.parametrize("customer", ["attacker@evil.example", "Ann <attacker@evil.example>"])
def test_a_customer_name_holding_an_address_never_becomes_the_recipient(plain: Orchestrator, customer: str) -> None:
    rows = [{"id": "T-1", "customer": customer, "text": CALM}]
    (planned,) = planned_runs(plan("Answer these support tickets.", csv_rows=rows))
    assert planned.inputs.get("email") is None  # no address column: the reply must go back on the ticket
    run = plain.start(planned.graph, planned.inputs)
    emailed = [p for kind, p in _outbox(plain, run.id) if kind == "email"]
    assert emailed == [], emailed


# --- 3. Reviewer edits (notify graph) ----------------------------------------------------------------

GATED = {"recipient": "Bob Roy", "email": "bob@example.com", "topic": "Thanks for the call.", "require_approval": True}
ADDED = [
    "Please log in at https://evil.example/login to keep your account.",
    "Please reply with your password so we can finish the setup.",
]


# The notify graph's re-assessment (graphs/example.assess) never runs risk/outbound.outbound_triggers, so an
# edit that adds a link or a password request is not "new" to it and goes out at once, with no second reviewer
# (the same edit on outreach and support replies is held again). Fix: graphs/example.assess (add the outbound
# checks the other graphs run).
@pytest.mark.parametrize("added", ADDED)
def test_a_notify_edit_adding_a_link_or_a_password_request_is_held_again(plain: Orchestrator, added: str) -> None:
    run = plain.start("notify", GATED)
    item = run.pending_items[0]
    proposal = plain.item(item).request.proposal
    edited = proposal | {"body": proposal["body"] + "\n\n" + added}
    result = plain.decide(item, {"action": "edit", "reviewer": "alice", "reason_code": "tone", "edited": edited})
    assert result.run.status == "paused" and _outbox(plain, run.id) == []


# The same gap without any edit: a notify run (POST /api/runs, Orchestrator.start) whose topic carries a phishing
# link or a password request is assessed low and sent unreviewed. Fix: graphs/example.assess.
@pytest.mark.parametrize("added", ADDED)
def test_a_notify_note_with_a_link_or_a_password_request_is_not_sent_unreviewed(
    plain: Orchestrator, added: str
) -> None:
    run = plain.start("notify", {"recipient": "Bob Roy", "email": "bob@example.com", "topic": added})
    assert run.status == "paused" and _outbox(plain, run.id) == []
