"""A task's directives that ask every message to say something reach the drafters and are checked in each message.

"Mention our free pilot", "Sign as Dana", "Reply in German": the planner hands them to the drafter and the
support analyst (a model follows them; the offline engine follows quoted additions only), and
``risk.directives`` holds any email or reply that does not show one, first draft or reviewer's edit alike.
End to end on a real SQLite database in ``tmp_path``, offline, under the lenient policy: only the task's own
rules hold a message, so a dropped directive would show up as a send.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from humangate import Orchestrator
from humangate.agents.offline.planning import plan
from humangate.checkpoints.schema import outbox
from humangate.data import demo
from humangate.risk.directives import directive_triggers, unfollowed
from humangate.tasks import plan_task, start_planned
from tests.lenient import lenient_orchestrator

DEMO = Path(demo.__file__).parent
OUTREACH = "Research these companies and draft an intro email to the contact at each."
CALM = "Hello, could you tell me when my order ships? Thanks a lot!"
BODY = """Hi Ana,

We run a free pilot for teams like yours, and our webinar is on 3 March.

Shipping usually takes 3 to 5 days.

Best,
Dana from Acme"""


@pytest.mark.parametrize(
    "directive",
    [
        "Mention our free pilot",
        "Mention our webinar on 3 March",
        "Sign as Dana from Acme",
        "Reply in English",
        "Mention that shipping takes 3 to 5 days",
    ],
)
def test_a_message_that_says_it_follows_the_directive(directive: str) -> None:
    assert unfollowed([directive], subject="Hello", body=BODY) == []


@pytest.mark.parametrize(
    "directive",
    [
        "Mention our webinar on 4 March",  # another date
        "Sign off as Bob",  # another signature
        "Reply in German",
        "Reply in Klingonese",  # a language the check cannot read: held
        "Apologise for the delay",  # "sorry" would be the same thing in other words: held all the same
        'Add "We met at RetailTech."',
    ],
)
def test_a_message_that_does_not_say_it_is_held(directive: str) -> None:
    assert unfollowed([directive], subject="Hello", body=BODY) == [directive]
    (trigger,) = directive_triggers([directive], subject="Hello", body=BODY)
    assert trigger.kind == "rule" and directive in trigger.reason


@pytest.fixture
def orch(tmp_path: Path) -> Iterator[Orchestrator]:
    with lenient_orchestrator(tmp_path) as o:
        yield o


def _sent(o: Orchestrator) -> list[dict[str, Any]]:
    with o.db.read() as conn:
        return [json.loads(r) for r in conn.execute(select(outbox.c.payload_json)).scalars()]


def _outreach(o: Orchestrator, extra: str) -> list[Any]:
    text = (DEMO / "recipients.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))[:1]  # Northwind: sources that agree
    _, runs = plan_task(o, f"{OUTREACH} {extra}", rows, source_dir=DEMO / "sources")
    return [run for _, run in start_planned(o, runs, "cli")]


def test_an_email_the_drafter_wrote_without_the_mention_waits_and_an_edit_that_adds_it_goes_out(
    orch: Orchestrator,
) -> None:
    (control,) = _outreach(orch, "")
    assert control.status == "completed"  # under the lenient policy the plain email goes out
    (run,) = _outreach(orch, "Mention our free pilot.")
    assert run.status == "paused"
    item = orch.item(run.pending_items[0])
    assert any("free pilot" in t.reason for t in item.request.assessment.triggers if t.kind == "rule")
    proposal = item.request.proposal
    edited = proposal | {"body": proposal["body"].replace("\n\nBest,", "\n\nWe also run a free pilot.\n\nBest,")}
    result = orch.decide(item.id, {"action": "edit", "reviewer": "alice", "reason_code": "tone", "edited": edited})
    assert result.run.outcome == "approved"
    assert any("free pilot" in m["body"] for m in _sent(orch))


def test_a_quoted_addition_the_drafter_writes_in_goes_out(orch: Orchestrator) -> None:
    (run,) = _outreach(orch, 'Add "We met at RetailTech in Lisbon."')
    assert run.status == "completed"
    assert any("We met at RetailTech in Lisbon" in m["body"] for m in _sent(orch))


def test_a_reply_the_task_asked_in_german_waits_for_a_person(orch: Orchestrator) -> None:
    rows = [{"id": "t1", "customer": "Pat", "text": CALM}]
    _, runs = plan_task(orch, "Answer these support tickets. Reply in German.", rows)
    (result,) = [run for _, run in start_planned(orch, runs, "cli")]
    assert result.status == "paused" and _sent(orch) == []
    _, runs = plan_task(orch, "Answer these support tickets. Use a friendly tone.", [{**rows[0], "id": "t2"}])
    (control,) = [run for _, run in start_planned(orch, runs, "cli")]
    assert control.status == "completed"


def test_a_signature_the_task_asks_for_is_written_by_the_offline_drafter(orch: Orchestrator) -> None:
    (run,) = _outreach(orch, "Sign as Dana from Acme.")
    assert run.status == "completed"
    assert any(m["body"].rstrip().endswith("Dana from Acme") for m in _sent(orch))


def test_more_directives_than_a_plan_carries_hold_every_message() -> None:
    task = "Draft intro emails to these leads. " + " ".join(f"Mention our product number {i}." for i in range(25))
    spec = plan(task, csv_rows=[{"company": "Northwind", "name": "Ann", "email": "ann@northwind.example"}])
    assert len(spec.directives) == 20 and spec.require_approval
    assert any("25 things" in r for r in spec.rules)


# --- What every message must not say ("Don't promise refunds", "Never discuss pricing") ------------------------
# Hole (planner red-team round 3): such a directive was claimed as style and checked nowhere, so a message that
# said it anyway (a model's, or a template's) went out under a lenient policy.


@pytest.mark.parametrize(
    ("directive", "breaks", "keeps"),
    [
        ("Don't promise refunds.", "We will refund you in full.", "We are looking into your order."),
        ("Never discuss pricing.", "Our pricing starts at EUR 40 a month.", "Would you be open to a call?"),
        ("Do not quote prices.", "The price is EUR 40.", "Happy to share a demo."),
        ("Avoid jargon.", "It is all jargon-free synergy.", "It is simple to set up."),
    ],
)
def test_a_message_that_says_what_the_task_forbids_is_held(directive: str, breaks: str, keeps: str) -> None:
    assert unfollowed([directive], subject="", body=breaks) == [directive]
    assert unfollowed([directive], subject="", body=keeps) == []
    (trigger,) = directive_triggers([directive], subject="", body=breaks, what="reply")
    assert trigger.kind == "rule" and "seems to say it" in trigger.reason


def test_the_planner_carries_what_every_message_must_not_say_without_holding_everything() -> None:
    spec = plan(f"{OUTREACH} Never discuss pricing.")
    assert "Never discuss pricing" in spec.directives
    assert not spec.require_approval


def test_an_email_that_says_what_the_task_forbids_waits_and_an_edit_without_it_goes_out(orch: Orchestrator) -> None:
    (run,) = _outreach(orch, "Never mention a call.")  # the offline template asks for "a short call"
    assert run.status == "paused"
    item = orch.item(run.pending_items[0])
    assert any("Never mention a call" in t.reason for t in item.request.assessment.triggers if t.kind == "rule")
    proposal = item.request.proposal
    body = proposal["body"].replace("Would you be open to a short call next week?", "Happy to share more.")
    assert body != proposal["body"]
    result = orch.decide(
        item.id, {"action": "edit", "reviewer": "alice", "reason_code": "tone", "edited": proposal | {"body": body}}
    )
    assert result.run.outcome == "approved"
