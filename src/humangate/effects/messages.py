"""What an email may carry: one valid recipient, header values without control characters, a stable Message-ID.

``check_email`` runs before anything is written or sent, and refuses a field an email here cannot carry (a cc,
headers, attachments), control characters in any header value and a recipient that is not exactly one valid
address (``EffectRefused``). Messages are built with ``email.message.EmailMessage``, never by pasting text,
and every attempt at one effect carries the same ``Message-ID`` (``message_id_for``), so a receiver can
recognise a message sent again after a crash. No header value (address, display name, subject, ticket) may
hold an RFC 2047 encoded-word (``=?...?=``), a local part may not hold ``%`` or ``!`` (a relay may read them as a
route to another host), and ``build_email`` reads the message it wrote back as a receiver would, refusing it
unless the headers are exactly the ones checked.
"""

from __future__ import annotations

import email.policy
import hashlib
import re
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

from humangate.errors import EffectRefused

__all__ = [
    "ADDRESS_MARKS",
    "addr_spec",
    "address_problem",
    "build_email",
    "check_email",
    "header_problem",
    "header_value_problem",
    "is_ticket_reply",
    "mailbox",
    "message_id_for",
]

# Characters no header value may hold: C0/C1 controls (CR and LF start new headers, such as Bcc), line and
# paragraph separators, and the bidirectional controls that make a value read differently than it is.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
# RFC 5321/5322 addr-spec, ASCII only: a dot-atom local part and a domain of at least two labels.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDR_SPEC = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+(?:[A-Za-z]{{2,63}}|xn--[A-Za-z0-9-]{{1,59}})")
# A display name: anything but what would make the header hold more than one mailbox or a group.
_DISPLAY_NAME = re.compile(r"[^<>@,;:\"\\\[\]()]*")
_NAME_ADDR = re.compile(r"\s*(?:(?P<name>[^<>]*?)\s*<(?P<angle>[^<>]*)>|(?P<bare>[^<>\s]+))\s*")
_LONG_LINE = 900  # bytes; SMTP allows 998 per line, so longer text goes quoted-printable
# An RFC 2047 encoded-word ("=?utf-8?b?...?="): a mail program decodes it into text nobody checked, which can be
# a second mailbox, a line break or a header. Nothing humangate takes from input needs one, so any is refused.
_ENCODED_WORD = re.compile(r"=\?.*?\?=", re.S)
_ENCODED_PROBLEM = (
    "holds an encoded word (=?...?=), which a mail program decodes into other text, such as a second recipient or a "
    "header; write it as plain text"
)
# Characters of a local part that old relays still read as a route: "ann%evil.example@x.example" is delivered by
# x.example to ann@evil.example, "evil.example!ann@x.example" by UUCP bang path. A reviewer reads an address at x.
_ROUTED = re.compile(r"[%!]")
# What an email payload may hold: one recipient, a subject, a body, and a support reply's ticket number.
_EMAIL_FIELDS = frozenset({"to", "subject", "body", "ticket"})
# The headers build_email writes, and the ones EmailMessage adds for the body.
_BODY_HEADERS = frozenset({"mime-version", "content-type", "content-transfer-encoding"})


def header_problem(value: str) -> str | None:
    """Return why ``value`` may not be a header value (a control or bidi character), or None."""
    bad = _UNSAFE.search(value)
    if bad is None:
        return None
    return f"holds the control character U+{ord(bad.group()):04X} (a line break could add headers such as Bcc)"


def header_value_problem(value: str) -> str | None:
    """Return why ``value`` may not be written into a header (a control or bidi character, an encoded word), or None."""
    if problem := header_problem(value):
        return problem
    return _ENCODED_PROBLEM if _ENCODED_WORD.search(value) else None


def _parts(value: str) -> tuple[str, str] | None:
    m = _NAME_ADDR.fullmatch(value)
    if m is None:
        return None
    addr = m.group("angle") if m.group("angle") is not None else m.group("bare")
    return (m.group("name") or "").strip().strip('"').strip(), addr.strip()


def address_problem(value: str) -> str | None:
    """Return why ``value`` is not exactly one valid email address (``a@b.example`` or ``Name <a@b.example>``)."""
    if problem := header_problem(value):
        return problem
    if "@" not in value:
        return "is not an email address (want name@domain.example, not a name)"
    parts = _parts(value)
    if parts is None:
        return "is not one email address"
    name, addr = parts
    if not _ADDR_SPEC.fullmatch(addr):
        return "is not an email address (want name@domain.example)"
    if len(addr) > 254 or len(addr.split("@")[0]) > 64:
        return "is longer than an email address may be"
    if routed := _ROUTED.search(addr.rsplit("@", 1)[0]):
        return (
            f"has {routed.group()!r} before the @, which some mail servers read as a route to another host; "
            "write the address the mail should go to, such as name@domain.example"
        )
    if not _DISPLAY_NAME.fullmatch(name):
        return "has a display name with characters that could name a second recipient"
    if _ENCODED_WORD.search(value):
        return _ENCODED_PROBLEM
    # The standard library must read the same single mailbox, or a client downstream might read another.
    try:
        parsed = email.policy.SMTP.header_factory("To", value)
    except Exception as exc:  # whatever the parser cannot read is not an address: refuse, never crash
        return f"is not read as one email address by a mail parser ({exc})"
    addresses: tuple[Any, ...] = tuple(getattr(parsed, "addresses", ()))
    if parsed.defects or len(addresses) != 1 or addresses[0].addr_spec != addr:
        return "is not read as one email address by a mail parser"
    return None


def addr_spec(value: str) -> str:
    """Return the bare address of a checked recipient (``Pat <pat@x.example>`` -> ``pat@x.example``)."""
    parts = _parts(value)
    if parts is None or address_problem(value):
        raise EffectRefused("to", value, address_problem(value) or "is not one email address")
    return parts[1]


def mailbox(name: str, address: str) -> str:
    """Return ``Name <address>``, or the bare address when the name cannot stand in a header as it is."""
    name = " ".join(name.split())
    with_name = f"{name} <{address}>"
    if name and _DISPLAY_NAME.fullmatch(name) and address_problem(with_name) is None:
        return with_name
    return address


ADDRESS_MARKS = re.compile(r"[@<>]")
"""What makes a recipient an address rather than a customer's name on a ticket."""


def is_ticket_reply(payload: Mapping[str, Any]) -> bool:
    """Return True for a support reply that goes back on its ticket: a customer known by name, no address."""
    to = str(payload.get("to", ""))
    return bool(payload.get("ticket")) and not ADDRESS_MARKS.search(to)


def check_email(payload: Mapping[str, Any]) -> None:
    """Refuse (``EffectRefused``) a field no email has, a control character in a header, or a bad recipient."""
    if extra := sorted(set(payload) - _EMAIL_FIELDS):
        # Dropping them would send something other than what was reviewed (a cc, a header, an attachment).
        only = "is not part of an email humangate sends (only to, subject, body and a support reply's ticket)"
        raise EffectRefused(extra[0], str(payload[extra[0]])[:200], only)
    for field in ("to", "subject", "ticket"):
        value = str(payload.get(field, ""))
        if problem := header_value_problem(value):
            raise EffectRefused(field, value, problem)
    to = str(payload.get("to", ""))
    if not is_ticket_reply(payload) and (problem := address_problem(to)):
        raise EffectRefused("to", to, problem)


def message_id_for(key: str, domain: str) -> str:
    """Return the Message-ID of the effect keyed ``key``: the same on every attempt, so a resend is recognisable."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}.humangate@{domain}>"


def build_email(
    payload: Mapping[str, Any], key: str, *, domain: str = "humangate.invalid", eight_bit: bool = True
) -> EmailMessage:
    """Return the message of ``payload`` (to, subject, body; ticket for a support reply); refuse an unsafe one.

    The message has To (or, for a reply on a ticket, the ticket headers), Subject and a Message-ID
    derived from ``key``; senders add what they need (From, Date, a spool key). Without ``eight_bit``
    (a server that does not announce 8BITMIME) text that is not ASCII goes quoted-printable.
    """
    check_email(payload)
    msg = EmailMessage(policy=email.policy.SMTP)
    # (header, the payload field it comes from, value)
    headers: list[tuple[str, str, str]] = []
    if is_ticket_reply(payload):
        headers.append(("X-Humangate-Ticket", "ticket", str(payload["ticket"])))
        headers.append(("X-Humangate-Customer", "to", str(payload.get("to", ""))))
    else:
        headers.append(("To", "to", str(payload["to"]).strip()))
    headers.append(("Subject", "subject", str(payload.get("subject", ""))))
    headers.append(("Message-ID", "message-id", message_id_for(key, domain)))
    for name, field, value in headers:
        try:
            msg[name] = value
        except Exception as exc:  # a value the header parser rejects is refused, never sent
            raise EffectRefused(field, value, f"cannot be written as a header ({exc})") from None
    body = str(payload.get("body", ""))
    # 8bit keeps the text readable in the spool; a line too long for SMTP falls back to quoted-printable.
    long_line = any(len(line.encode()) > _LONG_LINE for line in body.splitlines())
    qp = long_line or (not eight_bit and not body.isascii())
    msg.set_content(body, cte="quoted-printable" if qp else "8bit")
    _check_written(msg, headers)
    return msg


def _check_written(msg: EmailMessage, headers: list[tuple[str, str, str]]) -> None:
    """Refuse ``msg`` unless a receiver, parsing its bytes, reads exactly the headers that were checked.

    The checks above read the values humangate was given; a receiver reads what the generator wrote, after
    folding and encoding. Parsing the written bytes again catches any difference (a decoded display name
    that becomes two mailboxes, a decoded line break that becomes a Bcc header) whatever caused it.
    """
    try:
        written = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    except Exception as exc:  # a message that cannot be written and read back is not sent
        raise EffectRefused("message", "", f"cannot be written and read back ({exc})") from None
    for name, field, value in headers:
        found = written.get_all(name) or []
        if len(found) != 1:
            raise EffectRefused(field, value, f"would be written as {len(found)} {name} headers, not one")
        if name == "To":
            read = [a.addr_spec for a in getattr(found[0], "addresses", ())]
            if read != [addr_spec(value)]:
                raise EffectRefused(field, value, f"would be read by a receiver as the recipients {read!r}")
        elif " ".join(str(found[0]).split()) != " ".join(value.split()):
            raise EffectRefused(field, value, f"would be read by a receiver as {str(found[0])[:200]!r}")
    if extra := sorted({n.lower() for n in written} - {n.lower() for n, _, _ in headers} - _BODY_HEADERS):
        raise EffectRefused("header", ", ".join(extra), "would be in the message as written, and nobody checked it")
