"""The SMTP sender: standard-library ``smtplib``, STARTTLS (or TLS) with certificate checks, login from settings.

One message per connection, to exactly the one checked recipient: the envelope is given explicitly, so
no header ever chooses who receives it. Every attempt at one effect carries the same ``Message-ID``.

Failures are sorted for the outbox (``DeliveryFailed``): a recipient or message the server refuses for
good (a 5xx answer to RCPT or DATA) is permanent, and goes back to a person at once; anything else
(no connection, a timeout, a 4xx answer, a refused login, a certificate that does not verify) is
retried with backoff, and becomes permanent only after the outbox's last attempt.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.utils import formatdate
from pathlib import Path
from typing import Any, Literal

from humangate.config import Settings
from humangate.effects.messages import addr_spec, address_problem, build_email, check_email, is_ticket_reply
from humangate.errors import ConfigError, DeliveryFailed, EffectRefused

__all__ = ["SmtpMailer"]

Security = Literal["starttls", "tls", "none"]


def _reply(code: int, text: bytes | str) -> str:
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(said.split())}"[:300]


class SmtpMailer:
    """Send email through an SMTP server, once per call; sort failures into retryable and permanent."""

    def __init__(
        self,
        host: str,
        *,
        sender: str,
        port: int = 587,
        security: Security = "starttls",
        username: str | None = None,
        password: str | None = None,
        timeout: float = 20.0,
        ca_file: Path | None = None,
    ) -> None:
        if problem := address_problem(sender):
            raise ConfigError(f"The SMTP sender {sender!r} {problem}; set HUMANGATE_SMTP_FROM to one address.")
        self.host = host
        self.port = port
        self.security = security
        self.sender = sender
        self.envelope_from = addr_spec(sender)
        self.domain = self.envelope_from.rpartition("@")[2]
        self.username = username
        self._password = password
        self.timeout = timeout
        self.ca_file = ca_file
        self.server = f"{host}:{port}"

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpMailer:
        """Return the sender ``HUMANGATE_SMTP_*`` describe (``settings.smtp_host`` must be set)."""
        if not settings.smtp_host or not settings.smtp_from:
            raise ConfigError("Set HUMANGATE_SMTP_HOST and HUMANGATE_SMTP_FROM to send email over SMTP.")
        return cls(
            settings.smtp_host,
            sender=settings.smtp_from,
            port=settings.smtp_port,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=settings.smtp_password,
            timeout=settings.smtp_timeout,
            ca_file=settings.smtp_ca_file,
        )

    def check(self, payload: Mapping[str, Any]) -> None:
        """Refuse (``EffectRefused``) a message that may not be sent: a bad header, or no address to send to."""
        check_email(payload)
        if is_ticket_reply(payload):  # the outbox routes these to the ticket spool; never guess an address
            raise EffectRefused("to", str(payload.get("to", "")), "is a name, not an address SMTP can send to")

    def _tls(self) -> ssl.SSLContext:
        context = ssl.create_default_context()  # verifies the certificate and the host name
        if self.ca_file is not None:
            context.load_verify_locations(cafile=str(self.ca_file))
        return context

    def _connect(self) -> smtplib.SMTP:
        if self.security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._tls())
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if self.security == "starttls":
                smtp.starttls(context=self._tls())  # raises SMTPNotSupportedError rather than go on in the clear
                smtp.ehlo()
            if self.username and self._password:
                smtp.login(self.username, self._password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def __call__(self, payload: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        """Send the message keyed ``key``; return its Message-ID. Raise ``DeliveryFailed`` when it did not go."""
        self.check(payload)
        to = addr_spec(str(payload["to"]))
        try:
            smtp = self._connect()
        except Exception as exc:
            raise self._failure(exc, to) from exc
        try:
            eight_bit = smtp.has_extn("8bitmime")
            msg = build_email(payload, key, domain=self.domain, eight_bit=eight_bit)
            msg["From"] = self.sender
            msg["Date"] = formatdate(usegmt=True)
            body_8bit = not str(payload.get("body", "")).isascii() and eight_bit
            smtp.send_message(
                msg,
                from_addr=self.envelope_from,
                to_addrs=[to],
                mail_options=["BODY=8BITMIME"] if body_8bit else [],
            )
        except Exception as exc:
            smtp.close()
            raise self._failure(exc, to) from exc
        # Accepted: a QUIT that goes wrong now must not turn a delivered message into a retry.
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
        return {"message_id": str(msg["Message-ID"]), "to": to, "server": self.server}

    def _failure(self, exc: Exception, to: str) -> DeliveryFailed:
        """Say what went wrong and whether sending the same message again could work."""
        where = f"the mail server {self.server}"
        who = f"The mail server {self.server}"  # the same, opening a sentence
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            code, text = next(iter(exc.recipients.values()), (0, b""))
            return DeliveryFailed(f"{who} refused the recipient {to}: {_reply(code, text)}.", permanent=code >= 500)
        if isinstance(exc, smtplib.SMTPDataError):
            return DeliveryFailed(
                f"{who} refused the message: {_reply(exc.smtp_code, exc.smtp_error)}.", permanent=exc.smtp_code >= 500
            )
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            return DeliveryFailed(
                f"{who} refused the login of {self.username!r}: {_reply(exc.smtp_code, exc.smtp_error)}. Check "
                "HUMANGATE_SMTP_USERNAME and HUMANGATE_SMTP_PASSWORD.",
                permanent=False,
            )
        if isinstance(exc, smtplib.SMTPSenderRefused):
            return DeliveryFailed(
                f"{who} refused the sender {self.envelope_from}: {_reply(exc.smtp_code, exc.smtp_error)}. Check "
                "HUMANGATE_SMTP_FROM.",
                permanent=False,
            )
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return DeliveryFailed(
                f"{who} does not offer STARTTLS, so nothing was sent in the clear. Use a server that does, or set "
                "HUMANGATE_SMTP_SECURITY=tls for a TLS port.",
                permanent=False,
            )
        if isinstance(exc, ssl.SSLCertVerificationError):
            return DeliveryFailed(
                f"The TLS certificate of {where} did not verify ({exc.verify_message}). Set HUMANGATE_SMTP_CA_FILE "
                "to trust a private CA.",
                permanent=False,
            )
        if isinstance(exc, smtplib.SMTPResponseException):
            return DeliveryFailed(f"{who} answered {_reply(exc.smtp_code, exc.smtp_error)}.", permanent=False)
        if isinstance(exc, TimeoutError):
            return DeliveryFailed(f"No answer from {where} within {self.timeout:g} s.", permanent=False)
        if isinstance(exc, (OSError, smtplib.SMTPException)):
            return DeliveryFailed(f"Could not talk to {where}: {type(exc).__name__}: {exc}.", permanent=False)
        return DeliveryFailed(f"Sending through {where} failed: {type(exc).__name__}: {exc}.", permanent=False)
