"""The SMTP sender against a real SMTP server (aiosmtpd on localhost): what arrives, once, and what never does.

The mailer cases talk to the server directly; the run cases send support replies through the support
graph, the gate and the outbox of an Orchestrator on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import outbox
from humangate.effects import SmtpMailer, effect_key, message_id_for
from humangate.errors import DeliveryFailed, EffectRefused
from tests.smtp_support import MailServer, free_port

SENDER = "Support <support@example.com>"
CALM = "Hi! How do I export my reports to CSV? I couldn't find the option in the settings."
ANGRY = "I want my money back NOW. You took $480 for a plan I cancelled. This is theft!!!"


@pytest.fixture
def server() -> Iterator[MailServer]:
    s = MailServer(refuse={"gone@example.org"}).start()
    yield s
    s.stop()


def _mailer(server: MailServer, **kw: Any) -> SmtpMailer:
    return SmtpMailer("127.0.0.1", sender=SENDER, port=server.port, security=kw.pop("security", "none"), **kw)


def _email(to: str = "Priya Shah <priya@example.org>", **kw: Any) -> dict[str, Any]:
    return {"to": to, "subject": kw.pop("subject", "Re: How to export your reports"), "body": "Hi Priya,\n\nDone."}


# -- the mailer ------------------------------------------------------------------------------------------------


def test_a_message_arrives_once_to_its_one_recipient_with_a_message_id_of_its_key(server: MailServer) -> None:
    result = _mailer(server)(_email(), "run-1:reply:1")
    (got,) = server.arrived
    msg = got.message
    assert got.rcpt_tos == ("priya@example.org",) and got.mail_from == "support@example.com"
    assert msg["Message-ID"] == message_id_for("run-1:reply:1", "example.com") == result["message_id"]
    assert msg["From"] == SENDER and msg["To"] == "Priya Shah <priya@example.org>" and msg["Date"]
    assert msg["Subject"] == "Re: How to export your reports" and msg.get_content().strip() == "Hi Priya,\n\nDone."
    # The spool's bookkeeping headers stay home: run ids and node names are not the customer's business.
    assert not [h for h in msg if h.lower().startswith("x-humangate")]
    _mailer(server)(_email(), "run-1:reply:1")  # the same effect sent again keeps its Message-ID
    assert server.message_ids() == [msg["Message-ID"]] * 2
    _mailer(server)(_email(), "run-1:reply:2")
    assert len(set(server.message_ids())) == 2


def test_text_that_is_not_ascii_arrives_intact(server: MailServer) -> None:
    payload = {"to": "Zoë Ng <zoe@example.org>", "subject": "Re: Ihre Frage – Grüße", "body": "Grüße, Zoë ✓\n"}
    _mailer(server)(payload, "k:reply:1")
    msg = server.arrived[0].message
    assert msg["Subject"] == "Re: Ihre Frage – Grüße" and msg.get_content() == "Grüße, Zoë ✓\n"
    assert str(msg["To"].addresses[0].display_name) == "Zoë Ng"


@pytest.mark.parametrize(
    "payload",
    [
        _email(to="priya@example.org\r\nBcc: spy@evil.example"),
        _email(to="Priya\nBcc: spy@evil.example <priya@example.org>"),
        _email(to="priya@example.org, spy@evil.example"),
        _email(subject="Hello\r\nBcc: spy@evil.example"),
        _email(subject="Hello\nContent-Type: text/html"),
        _email(subject="Hi\u2028Bcc: spy@evil.example"),
        {**_email(), "ticket": "T-1\r\nBcc: spy@evil.example"},
        {"to": "Priya Shah", "subject": "Re: x", "body": "Hi.", "ticket": "T-1"},  # a name: no address to send to
    ],
)
def test_injected_headers_never_arrive(server: MailServer, payload: dict[str, Any]) -> None:
    with pytest.raises(EffectRefused):
        _mailer(server)(payload, "k:reply:1")
    assert server.arrived == []


def test_smtp_commands_smuggled_in_the_body_stay_in_the_body(server: MailServer) -> None:
    # Bare LF and CR before a dot are how SMTP smuggling ends a message early on some servers.
    body = "Hi.\n.\nMAIL FROM:<ceo@example.com>\r\nRCPT TO:<spy@evil.example>\r\nDATA\r\nBcc: x\r\n\r\n.\r\nQUIT\r\n"
    _mailer(server)({"to": "priya@example.org", "subject": "Re: x", "body": body}, "k:reply:1")
    (got,) = server.arrived
    assert got.rcpt_tos == ("priya@example.org",) and got.mail_from == "support@example.com"
    content = got.message.get_content().replace("\r\n", "\n")
    assert "MAIL FROM:<ceo@example.com>" in content and "RCPT TO:<spy@evil.example>" in content
    assert "Bcc" not in got.message


def test_failures_say_whether_a_retry_can_help(server: MailServer, tmp_path: Path) -> None:
    with pytest.raises(DeliveryFailed) as refused:
        _mailer(server)(_email(to="gone@example.org"), "k:reply:1")
    assert refused.value.permanent and "550 5.1.1 No such user here" in refused.value.reason
    server.set_busy(1)
    with pytest.raises(DeliveryFailed) as busy:
        _mailer(server)(_email(), "k:reply:1")
    assert not busy.value.permanent and "451" in busy.value.reason
    closed = SmtpMailer("127.0.0.1", sender=SENDER, port=free_port(), security="none", timeout=2)
    with pytest.raises(DeliveryFailed) as down:
        closed(_email(), "k:reply:1")
    assert not down.value.permanent and "Could not talk to the mail server" in down.value.reason
    with pytest.raises(DeliveryFailed) as plain:  # STARTTLS required, the server does not offer it
        _mailer(server, security="starttls")(_email(), "k:reply:1")
    assert not plain.value.permanent and "does not offer STARTTLS" in plain.value.reason
    assert server.arrived == []


def test_starttls_and_login_from_settings(tmp_path: Path) -> None:
    server = MailServer(tls_dir=tmp_path).start()
    try:
        settings = Settings(
            db_url=f"sqlite:///{tmp_path / 'hg.db'}",
            smtp_host="127.0.0.1",
            smtp_port=server.port,
            smtp_username=server.user,
            smtp_password=server.password,
            smtp_from=SENDER,
            smtp_ca_file=server.ca_file,
        )
        assert server.password not in repr(settings)
        SmtpMailer.from_settings(settings)(_email(), "k:reply:1")
        (got,) = server.arrived
        assert got.tls and got.login == server.user
        wrong = SmtpMailer.from_settings(Settings(**{**settings.__dict__, "smtp_password": "nope"}))
        with pytest.raises(DeliveryFailed) as login:
            wrong(_email(), "k:reply:2")
        assert not login.value.permanent and "HUMANGATE_SMTP_PASSWORD" in login.value.reason
        untrusted = SmtpMailer.from_settings(Settings(**{**settings.__dict__, "smtp_ca_file": None}))
        with pytest.raises(DeliveryFailed) as cert:
            untrusted(_email(), "k:reply:3")
        assert "HUMANGATE_SMTP_CA_FILE" in cert.value.reason
        assert len(server.arrived) == 1
    finally:
        server.stop()


# -- through runs ----------------------------------------------------------------------------------------------


class Clock:
    """A clock the test moves: the outbox's backoff waits on it."""

    def __init__(self) -> None:
        import time

        self.t = time.time()

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def orch(db_url: str, tmp_path: Path, server: MailServer, clock: Clock) -> Iterator[Orchestrator]:
    settings = Settings(
        db_url=db_url,
        outbox_dir=tmp_path / "spool",
        smtp_host="127.0.0.1",
        smtp_port=server.port,
        smtp_security="none",
        smtp_from=SENDER,
        outbox_max_attempts=2,
    )
    with Orchestrator(settings, clock=clock) as o:
        o.add_user("alice", "reviewer")
        o.add_user("erin", "expert")
        yield o


def _support(o: Orchestrator, text: str, email: str | None, *, approval: bool = False, tid: str = "T-1") -> Any:
    inputs = {"id": tid, "customer": "Priya Shah", "text": text, "email": email, "require_approval": approval}
    return o.start("support", inputs)


def _rows(o: Orchestrator, run_id: str) -> list[Any]:
    with o.db.read() as conn:
        return list(conn.execute(select(outbox).where(outbox.c.run_id == run_id).order_by(outbox.c.id)))


def _approve(o: Orchestrator, run: Any, who: str = "alice") -> Any:
    item = o.item(run.pending_items[0])
    return o.decide(item.id, {"action": "approve", "reviewer": "erin" if item.required_role == "expert" else who}).run


def test_approved_replies_arrive_once_at_the_customers_address(orch: Orchestrator, server: MailServer) -> None:
    calm = _support(orch, CALM, "priya@example.org", tid="T-1")
    held = _support(orch, ANGRY, "hannah@example.org", tid="T-2")
    rejected = _support(orch, CALM, "omar@example.org", approval=True, tid="T-3")
    assert calm.status == "completed" and held.status == "paused" and rejected.status == "paused"
    _approve(orch, held)
    item = rejected.pending_items[0]
    orch.decide(item, {"action": "reject", "reviewer": "alice", "reason_code": "other"})
    by_rcpt = {a.rcpt_tos: a.message for a in server.arrived}
    assert len(server.arrived) == 2 and set(by_rcpt) == {("priya@example.org",), ("hannah@example.org",)}
    priya = by_rcpt[("priya@example.org",)]
    assert priya["To"] == "Priya Shah <priya@example.org>"
    assert priya["Subject"] == "Re: How to export your reports to CSV [T-1]"
    assert "export your reports to CSV" in priya.get_content() and "business day" not in priya.get_content()
    assert priya["Message-ID"] == message_id_for(effect_key(calm.id, "reply", 1), "example.com")
    # Replays and recovery send nothing again: the outbox knows every key it sent.
    orch.reconcile()
    orch.deliver_effects()
    assert len(server.arrived) == 2 and orch.run(rejected.id).outcome == "rejected"
    assert [r.status for r in _rows(orch, calm.id)] == ["sent"]


def test_a_reply_without_an_address_goes_back_on_its_ticket_not_over_smtp(
    orch: Orchestrator, server: MailServer, tmp_path: Path
) -> None:
    run = _support(orch, CALM, None)
    assert run.status == "completed" and server.arrived == []
    ((row,),) = [_rows(orch, run.id)]
    assert row.kind == "ticket" and row.status == "sent"
    (spooled,) = (tmp_path / "spool").glob("*.eml")
    assert "X-Humangate-Ticket: T-1" in spooled.read_text() and "To:" not in spooled.read_text()


def test_an_address_with_an_injected_header_is_held_and_never_sent(orch: Orchestrator, server: MailServer) -> None:
    run = _support(orch, CALM, "priya@example.org\r\nBcc: spy@evil.example")
    assert run.status == "paused"
    item = orch.item(run.pending_items[0])
    assert any(t.kind == "injection" for t in item.request.assessment.triggers)
    after = _approve(orch, run)  # approved anyway: the mail layer refuses and the item comes back
    assert after.status == "paused" and server.arrived == [] and _rows(orch, run.id) == []
    reasons = [t.reason for t in orch.item(after.pending_items[0]).request.assessment.triggers]
    assert any("mail layer refused" in r for r in reasons)


def test_a_refused_recipient_puts_the_reply_back_in_front_of_a_person(orch: Orchestrator, server: MailServer) -> None:
    run = _support(orch, CALM, "gone@example.org")
    assert run.status == "paused" and server.arrived == []  # sent, refused with 550, back at the gate at once
    item = orch.item(run.pending_items[0])
    trigger = item.request.assessment.triggers[-1]
    assert trigger.kind == "data_quality" and "550 5.1.1 No such user here" in trigger.reason
    assert item.risk_level == "high" and "wrong_recipient" in trigger.reason
    (row,) = _rows(orch, run.id)
    assert row.status == "failed" and row.held_at is not None and row.attempts == 1
    done = orch.decide(item.id, {"action": "reject", "reviewer": "alice", "reason_code": "wrong_recipient"}).run
    assert done.status == "completed" and server.arrived == []


def test_a_busy_server_is_retried_with_backoff_without_holding_the_run(
    orch: Orchestrator, server: MailServer, clock: Clock
) -> None:
    server.set_busy(1)
    run = _support(orch, CALM, "priya@example.org")
    assert run.status == "completed" and server.arrived == []  # the run does not wait for the retry
    (row,) = _rows(orch, run.id)
    assert (row.status, row.attempts) == ("pending", 1) and row.next_attempt_at == pytest.approx(clock.t + 30)
    assert "451" in row.last_error and "next in 30 s" in row.last_error
    assert orch.deliver_effects().claimed == 0  # not due yet
    clock.t += 31
    report = orch.deliver_effects()
    assert (report.claimed, report.sent) == (1, 1) and len(server.arrived) == 1
    (row,) = _rows(orch, run.id)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)


def test_failing_every_retry_puts_the_reply_back_in_front_of_a_person(
    orch: Orchestrator, server: MailServer, clock: Clock
) -> None:
    server.set_busy(2)  # both attempts (HUMANGATE_OUTBOX_MAX_ATTEMPTS=2) are turned away
    run = _support(orch, CALM, "priya@example.org")
    assert run.status == "completed"
    clock.t += 31
    report = orch.deliver_effects()
    assert (report.failed, report.returned) == (1, (run.id,))
    back = orch.run(run.id)
    assert back.status == "paused" and len(back.pending_items) == 1
    item = orch.item(back.pending_items[0])
    assert item.node == "review_reply"
    reason = item.request.assessment.triggers[-1].reason
    assert "could not be delivered" in reason and "451" in reason and "Gave up after 2 attempts" in reason
    assert orch.deliver_effects().returned == ()  # once back with a person, it stays put
    after = orch.decide(item.id, {"action": "approve", "reviewer": "alice"}).run
    assert after.status == "completed" and len(server.arrived) == 1
    first, second = _rows(orch, run.id)
    assert (first.status, second.status) == ("failed", "sent") and first.held_at is not None
    assert second.key == effect_key(run.id, "reply", 2)


@pytest.mark.parametrize(
    ("env", "match"),
    [
        ({"HUMANGATE_SMTP_HOST": "mail.example.com"}, "Set HUMANGATE_SMTP_FROM"),
        ({"HUMANGATE_SMTP_HOST": "mail.example.com", "HUMANGATE_SMTP_FROM": "Support"}, "not an email address"),
        ({"HUMANGATE_SMTP_HOST": "mail.example.com\r\nx", "HUMANGATE_SMTP_FROM": SENDER}, "host name"),
        (
            {"HUMANGATE_SMTP_HOST": "m.example.com", "HUMANGATE_SMTP_FROM": SENDER, "HUMANGATE_SMTP_SECURITY": "none"}
            | {"HUMANGATE_SMTP_USERNAME": "u", "HUMANGATE_SMTP_PASSWORD": "p"},
            "in the clear",
        ),
        (
            {"HUMANGATE_SMTP_HOST": "m.example.com", "HUMANGATE_SMTP_FROM": SENDER, "HUMANGATE_SMTP_USERNAME": "u"},
            "both",
        ),
        ({"HUMANGATE_SMTP_HOST": "m.example.com", "HUMANGATE_SMTP_FROM": SENDER, "HUMANGATE_SMTP_PORT": "x"}, "number"),
        (
            {"HUMANGATE_SMTP_HOST": "m.example.com", "HUMANGATE_SMTP_FROM": SENDER, "HUMANGATE_SMTP_SECURITY": "ssl"},
            "starttls, tls or none",
        ),
        (
            {"HUMANGATE_SMTP_HOST": "m.example.com", "HUMANGATE_SMTP_FROM": SENDER, "HUMANGATE_SMTP_CA_FILE": "/nope"},
            "PEM",
        ),
        ({"HUMANGATE_OUTBOX_MAX_ATTEMPTS": "0"}, "at least 1"),
    ],
)
def test_smtp_settings_that_cannot_work_are_refused(env: dict[str, str], match: str) -> None:
    from humangate.errors import ConfigError

    with pytest.raises(ConfigError, match=match):
        Settings.from_env(env)


def test_smtp_settings_from_the_environment() -> None:
    env = {
        "HUMANGATE_SMTP_HOST": "smtp.example.com",
        "HUMANGATE_SMTP_PORT": "465",
        "HUMANGATE_SMTP_SECURITY": "TLS",
        "HUMANGATE_SMTP_USERNAME": "mailer",
        "HUMANGATE_SMTP_PASSWORD": " pass with spaces ",
        "HUMANGATE_SMTP_FROM": SENDER,
        "HUMANGATE_SMTP_TIMEOUT": "7.5",
        "HUMANGATE_OUTBOX_MAX_ATTEMPTS": "3",
    }
    s = Settings.from_env(env)
    assert (s.smtp_host, s.smtp_port, s.smtp_security, s.smtp_username) == ("smtp.example.com", 465, "tls", "mailer")
    assert (s.smtp_password, s.smtp_timeout, s.outbox_max_attempts) == (" pass with spaces ", 7.5, 3)
    assert "pass with spaces" not in repr(s)
    assert Settings.from_env({}).smtp_host is None  # no SMTP: email goes to the spool folder
