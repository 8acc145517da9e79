"""A real SMTP server for tests: aiosmtpd on localhost, recording what arrives.

It can refuse recipients for good (550), turn messages away for now (451), and demand STARTTLS and a
login, with a certificate from a throwaway CA (``trustme``) that the client trusts through
``HUMANGATE_SMTP_CA_FILE``.
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

__all__ = ["Arrived", "MailServer", "free_port"]


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Arrived:
    """One message the server accepted: its envelope and the message as a mail client reads it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    tls: bool
    login: str | None

    @property
    def message(self) -> EmailMessage:
        """Return the parsed message (with the wire's CRLF line ends read as newlines, as a mail client does)."""
        msg = email.message_from_bytes(self.raw.replace(b"\r\n", b"\n"), policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        return msg


@dataclass
class _Handler:
    refuse: set[str]
    busy: int
    arrived: list[Arrived] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.busy > 0:
                self.busy -= 1
                return "451 4.3.0 Mailbox busy, try again later"
            login = session.auth_data.login.decode() if session.authenticated else None
            raw = envelope.original_content or envelope.content
            tls = session.ssl is not None
            self.arrived.append(Arrived(envelope.mail_from, tuple(envelope.rcpt_tos), raw, tls, login))
        return "250 2.0.0 Accepted"


class MailServer:
    """aiosmtpd on 127.0.0.1: ``arrived`` lists accepted messages; ``refuse`` and ``busy`` shape its answers.

    With ``tls_dir``, it offers STARTTLS with a certificate from a throwaway CA (written to ``ca_file``),
    requires it, and requires the login ``user``/``password`` over it.
    """

    def __init__(
        self,
        *,
        refuse: set[str] | None = None,
        busy: int = 0,
        tls_dir: Path | None = None,
        user: str = "hg-mailer",
        password: str = "s3cret-pass",
    ) -> None:
        self.handler = _Handler(refuse or set(), busy)
        self.port = free_port()
        self.user, self.password = user, password
        self.ca_file: Path | None = None
        kwargs: dict[str, Any] = {}
        if tls_dir is not None:
            ca = trustme.CA()
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
            self.ca_file = tls_dir / "ca.pem"
            ca.cert_pem.write_to_path(str(self.ca_file))
            kwargs = {
                "tls_context": context,
                "require_starttls": True,
                "authenticator": self._authenticate,
                "auth_require_tls": True,
            }
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            self.user.encode(),
            self.password.encode(),
        )
        # handled=False: the server answers 535 itself when the login is wrong.
        return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

    @property
    def arrived(self) -> list[Arrived]:
        """Return the accepted messages so far, oldest first."""
        with self.handler.lock:
            return list(self.handler.arrived)

    def message_ids(self) -> list[str]:
        """Return the Message-ID of every accepted message, repeats included."""
        return [str(a.message["Message-ID"]) for a in self.arrived]

    def set_busy(self, n: int) -> None:
        """Turn the next ``n`` messages away with 451."""
        with self.handler.lock:
            self.handler.busy = n

    def start(self) -> MailServer:
        """Start listening."""
        self.controller.start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        self.controller.stop()
