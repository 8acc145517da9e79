"""The effect layer refuses rather than sends: header injection, non-addresses, and what a refused run does.

The mailer writes real files in a temporary spool; the end-to-end cases run a task from a real CSV file
through the planner and the Orchestrator on SQLite, and read the outbox folder.
"""

from __future__ import annotations

import csv
import email
import email.policy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from humangate import Orchestrator, Settings
from humangate.effects import FileMailer, address_problem, check_email
from humangate.errors import EffectRefused
from humangate.tasks import plan_task, start_planned

INJECTED_NAME = "Pat\nBcc: spy@evil.example"


def _read(path: Path) -> email.message.EmailMessage:
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(msg, email.message.EmailMessage)
    return msg


@pytest.mark.parametrize(
    "to",
    [
        "Priya Shah",  # a name is not an address
        "priya",
        "priya@",
        "@example.com",
        "priya@localhost",
        "priya@@example.com",
        "priya shah@example.com",
        "a@example.com, b@example.com",  # one recipient per message
        "Pat <a@example.com>, spy@evil.example",
        "Pat, spy@evil.example",
        "Pat <pat@example.com",
        INJECTED_NAME,
        "pat@example.com\r\nBcc: spy@evil.example",
        "pat@example.com\x00",
        "pat@example.com\u2028Bcc: spy@evil.example",
        "\u202epat@example.com",
        "",
    ],
)
def test_the_mailer_refuses_a_recipient_that_is_not_one_address_and_writes_nothing(tmp_path: Path, to: str) -> None:
    spool = tmp_path / "outbox"
    with pytest.raises(EffectRefused) as caught:
        FileMailer(spool)({"to": to, "subject": "Hello", "body": "Hi."}, "run:send:1")
    assert caught.value.field == "to" and caught.value.value == to and caught.value.problem
    assert "nothing was written" in str(caught.value)
    assert not spool.exists()  # not even the folder


@pytest.mark.parametrize("to", ["pat@example.com", "Pat Lee <pat.lee+x@mail.example.co.uk>", "o'neil@example.org"])
def test_a_valid_address_is_sent_as_one_recipient(tmp_path: Path, to: str) -> None:
    assert address_problem(to) is None
    result = FileMailer(tmp_path)({"to": to, "subject": "Re: prices", "body": "Hi Pat,\n\nThanks."}, "k:send:1")
    msg = _read(Path(result["path"]))
    assert [a.addr_spec for a in msg["To"].addresses] == [to.rsplit("<", 1)[-1].rstrip(">")]
    assert msg["Subject"] == "Re: prices" and msg.get_content().replace("\r\n", "\n").strip() == "Hi Pat,\n\nThanks."
    assert "Bcc" not in msg and "Cc" not in msg


@pytest.mark.parametrize("field", ["subject", "ticket"])
@pytest.mark.parametrize("bad", ["Hello\nBcc: spy@evil.example", "Hello\r", "Hi\x1b[31m", "Hi\u2066x"])
def test_control_characters_in_any_header_are_refused(tmp_path: Path, field: str, bad: str) -> None:
    payload: dict[str, Any] = {"to": "pat@example.com", "subject": "Hello", "body": "Hi.", "ticket": "T-1"}
    payload[field] = bad
    with pytest.raises(EffectRefused) as caught:
        FileMailer(tmp_path / "o")(payload, "k:send:1")
    assert caught.value.field == field
    assert not (tmp_path / "o").exists()


def test_a_support_reply_goes_back_on_its_ticket_to_a_customer_known_by_name(tmp_path: Path) -> None:
    result = FileMailer(tmp_path)({"to": "Zoë Ng", "subject": "Re: x", "body": "Hi Zoë.", "ticket": "T-9"}, "k")
    msg = _read(Path(result["path"]))
    assert msg["X-Humangate-Ticket"] == "T-9" and msg["X-Humangate-Customer"] == "Zoë Ng" and "To" not in msg
    # Without a ticket a name is not a recipient; with one, a malformed address is still refused.
    with pytest.raises(EffectRefused):
        check_email({"to": "Zoë Ng", "subject": "Re: x", "body": "Hi."})
    with pytest.raises(EffectRefused):
        check_email({"to": "Pat, spy@evil.example", "subject": "Re: x", "body": "Hi.", "ticket": "T-9"})
    with pytest.raises(EffectRefused):
        check_email({"to": INJECTED_NAME, "subject": "Re: x", "body": "Hi.", "ticket": "T-9"})


# -- end to end ------------------------------------------------------------------------------------------------


@pytest.fixture
def orch(tmp_path: Path) -> Iterator[Orchestrator]:
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'humangate.db'}", outbox_dir=tmp_path / "outbox")
    with Orchestrator(settings) as o:
        o.add_user("alice", "reviewer")
        o.add_user("erin", "expert")
        yield o


def _csv(tmp_path: Path, rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    path = tmp_path / "items.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with path.open(encoding="utf-8", newline="") as fh:  # read back as `humangate run --input` does
        return [dict(r) for r in csv.DictReader(fh)]


def _spool(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "outbox").glob("*.eml"))


def _triggers(orch: Orchestrator, item_id: int) -> list[tuple[str, str]]:
    return [(t.kind, t.reason) for t in orch.item(item_id).request.assessment.triggers]


def test_a_customer_name_with_a_bcc_line_is_held_and_never_becomes_a_header(orch: Orchestrator, tmp_path: Path) -> None:
    rows = _csv(tmp_path, [{"id": "T-1", "customer": INJECTED_NAME, "text": "Hi! How do I export my reports to CSV?"}])
    _, planned = plan_task(orch, "Answer these support tickets.", rows)
    ((_, run),) = list(start_planned(orch, planned, "cli"))
    # A calm question would be answered without a person; the name's line break holds it instead.
    assert run.status == "paused", run
    (item_id,) = run.pending_items
    assert any(kind == "injection" and "control character" in why for kind, why in _triggers(orch, item_id))
    assert _spool(tmp_path) == []
    # A reviewer who approves it anyway does not get it sent: the mail layer refuses and the run goes back
    # to the gate with the reason, instead of failing or sending.
    after = orch.decide(item_id, {"action": "approve", "reviewer": "alice"}).run
    assert after.status == "paused" and after.pending_items and after.pending_items != (item_id,)
    (again,) = after.pending_items
    assert any("mail layer refused" in why for _, why in _triggers(orch, again))
    assert _spool(tmp_path) == []
    done = orch.decide(again, {"action": "reject", "reviewer": "alice", "reason_code": "injection"}).run
    assert done.status == "completed" and _spool(tmp_path) == []


def test_an_outreach_recipient_that_is_not_an_address_is_held_then_refused(orch: Orchestrator, tmp_path: Path) -> None:
    rows = _csv(tmp_path, [{"company": "Northwind Analytics", "name": "Priya Shah", "email": "Priya Shah"}])
    _, planned = plan_task(orch, "Research these companies and draft an intro email to each contact.", rows)
    ((_, run),) = list(start_planned(orch, planned, "cli"))
    item_id = run.pending_items[0]
    while orch.item(item_id).node != "review_send":  # pass the brief gate if it holds one
        run = orch.decide(item_id, {"action": "approve", "reviewer": "erin"}).run
        item_id = run.pending_items[0]
    reasons = _triggers(orch, item_id)
    assert any(kind == "data_quality" and "not an email address" in why for kind, why in reasons), reasons
    after = orch.decide(item_id, {"action": "approve", "reviewer": "erin"}).run
    assert after.status == "paused" and _spool(tmp_path) == []
    (again,) = after.pending_items
    assert orch.item(again).node == "review_send"
    assert any("mail layer refused" in why for _, why in _triggers(orch, again))
