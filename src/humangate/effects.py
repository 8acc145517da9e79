"""Side effects exactly once: an outbox row per idempotency key, and a file mailer that honours it.

A node after a gate calls ``Outbox.deliver``; the key is ``run id : node : attempt``. A replay after
a crash finds the row (or the delivered file) and does not act again.

The mailer refuses rather than sends: ``check_email`` runs before anything is written, and refuses
control characters in any header value and a recipient that is not exactly one valid address
(``EffectRefused``). Messages are built with ``email.message.EmailMessage``, never by pasting text.
"""

from __future__ import annotations

import email.policy
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from humangate.checkpoints.database import Database, insert_ignore
from humangate.checkpoints.schema import outbox
from humangate.errors import EffectRefused

__all__ = [
    "Delivery",
    "FileMailer",
    "Outbox",
    "address_problem",
    "build_email",
    "check_email",
    "effect_key",
    "header_problem",
]

Handler = Callable[[Mapping[str, Any], str], Mapping[str, Any]]

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


def header_problem(value: str) -> str | None:
    """Return why ``value`` may not be a header value (a control or bidi character), or None."""
    bad = _UNSAFE.search(value)
    if bad is None:
        return None
    return f"holds the control character U+{ord(bad.group()):04X} (a line break could add headers such as Bcc)"


def address_problem(value: str) -> str | None:
    """Return why ``value`` is not exactly one valid email address (``a@b.example`` or ``Name <a@b.example>``)."""
    if problem := header_problem(value):
        return problem
    if "@" not in value:
        return "is not an email address (want name@domain.example, not a name)"
    m = _NAME_ADDR.fullmatch(value)
    if m is None:
        return "is not one email address"
    addr = m.group("angle") if m.group("angle") is not None else m.group("bare")
    name = (m.group("name") or "").strip().strip('"').strip()
    if not _ADDR_SPEC.fullmatch(addr.strip()):
        return "is not an email address (want name@domain.example)"
    addr = addr.strip()
    if len(addr) > 254 or len(addr.split("@")[0]) > 64:
        return "is longer than an email address may be"
    if not _DISPLAY_NAME.fullmatch(name):
        return "has a display name with characters that could name a second recipient"
    # The standard library must read the same single mailbox, or a client downstream might read another.
    parsed = email.policy.SMTP.header_factory("To", value)
    addresses: tuple[Any, ...] = tuple(getattr(parsed, "addresses", ()))
    if parsed.defects or len(addresses) != 1 or addresses[0].addr_spec != addr:
        return "is not read as one email address by a mail parser"
    return None


def _ticket_reply(payload: Mapping[str, Any]) -> bool:
    # A support reply goes back on its ticket, to the customer by name, when no address is known.
    to = str(payload.get("to", ""))
    return bool(payload.get("ticket")) and not re.search(r"[@<>]", to)


def check_email(payload: Mapping[str, Any]) -> None:
    """Refuse (``EffectRefused``) a control character in a header, or a recipient that is not an address."""
    for field in ("to", "subject", "ticket"):
        value = str(payload.get(field, ""))
        if problem := header_problem(value):
            raise EffectRefused(field, value, problem)
    to = str(payload.get("to", ""))
    if not _ticket_reply(payload) and (problem := address_problem(to)):
        raise EffectRefused("to", to, problem)


def build_email(payload: Mapping[str, Any], key: str) -> EmailMessage:
    """Return the message of ``payload`` (to, subject, body; ticket for a support reply); refuse an unsafe one."""
    check_email(payload)
    msg = EmailMessage(policy=email.policy.SMTP)
    if _ticket_reply(payload):
        msg["X-Humangate-Ticket"] = str(payload["ticket"])
        msg["X-Humangate-Customer"] = str(payload.get("to", ""))
    else:
        msg["To"] = str(payload["to"]).strip()
    msg["Subject"] = str(payload.get("subject", ""))
    msg["X-Humangate-Key"] = key
    body = str(payload.get("body", ""))
    # 8bit keeps the text readable in the spool; a line too long for SMTP falls back to quoted-printable.
    long_line = any(len(line.encode()) > 900 for line in body.splitlines())
    msg.set_content(body, cte="quoted-printable" if long_line else "8bit")
    return msg


def effect_key(run_id: str, node: str, attempt: int) -> str:
    """Return the idempotency key of one side effect."""
    return f"{run_id}:{node}:{attempt}"


@dataclass(frozen=True)
class Delivery:
    """The outcome of ``Outbox.deliver``."""

    key: str
    result: Mapping[str, Any]
    replayed: bool


class Outbox:
    """Records each side effect by key before and after it runs."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def deliver(
        self, *, key: str, run_id: str, node: str, kind: str, payload: Mapping[str, Any], handler: Handler
    ) -> Delivery:
        """Run ``handler(payload, key)`` unless the effect with this key was already delivered."""
        now = time.time()
        with self.db.write() as conn:
            insert_ignore(
                conn,
                outbox,
                {
                    "key": key,
                    "run_id": run_id,
                    "node": node,
                    "kind": kind,
                    "payload_json": json.dumps(payload, sort_keys=True),
                    "status": "pending",
                    "attempts": 0,
                    "created_at": now,
                },
                ["key"],
            )
            row = conn.execute(select(outbox.c.status, outbox.c.result_json).where(outbox.c.key == key)).one()
            if row.status == "sent":
                return Delivery(key, json.loads(row.result_json or "{}"), replayed=True)
            conn.execute(update(outbox).where(outbox.c.key == key).values(attempts=outbox.c.attempts + 1))
        result = dict(handler(payload, key))
        with self.db.write() as conn:
            conn.execute(
                update(outbox)
                .where(outbox.c.key == key)
                .values(status="sent", result_json=json.dumps(result, sort_keys=True), sent_at=time.time())
            )
        return Delivery(key, result, replayed=False)


class FileMailer:
    """Deliver messages as ``.eml`` files in a spool folder, one file per idempotency key.

    The file appears atomically and exclusively, so a second delivery with the same key finds it and
    writes nothing.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_for(self, key: str) -> Path:
        """Return the spool file of ``key``."""
        return self.folder / (re.sub(r"[^A-Za-z0-9_.-]", "_", key) + ".eml")

    def __call__(self, payload: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        """Write the message unless its file exists; return where it is. Refuse an unsafe one (``EffectRefused``)."""
        # Checked before the spool is touched: a refused message leaves no file and no folder behind.
        message = build_email(payload, key).as_bytes(policy=email.policy.SMTP)
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.path_for(key)
        if path.exists():
            return {"path": str(path), "duplicate_suppressed": True}
        # Write a private temporary file, then link it into place: the link is atomic and exclusive,
        # so a crash never leaves a half-written message that a replay would take as delivered.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(message)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return {"path": str(path), "duplicate_suppressed": True}
        finally:
            os.unlink(tmp)
        dir_fd = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return {"path": str(path), "duplicate_suppressed": False}
