"""Which sender delivers which kind of effect, from settings.

``email`` goes over SMTP when ``HUMANGATE_SMTP_HOST`` is set, else into the spool folder, where nobody
receives it. ``ticket`` (a support reply to a customer known only by name) always goes into the spool,
back on its ticket: no address is ever guessed. ``slack`` exists only with ``HUMANGATE_SLACK_WEBHOOK_URL``.
"""

from __future__ import annotations

from humangate.config import Settings
from humangate.effects.files import FileMailer
from humangate.effects.outbox import Sender
from humangate.effects.slack import SlackWebhook
from humangate.effects.smtp import SmtpMailer

__all__ = ["senders_for"]


def senders_for(settings: Settings, *, spool: FileMailer | None = None) -> dict[str, Sender]:
    """Return the senders ``settings`` configure, keyed by effect kind; ``spool`` is the file mailer to use."""
    spool = spool or FileMailer(settings.outbox_dir)
    senders: dict[str, Sender] = {"ticket": spool, "email": spool}
    if settings.smtp_host:
        senders["email"] = SmtpMailer.from_settings(settings)
    if settings.slack_webhook_url:
        senders["slack"] = SlackWebhook(settings.slack_webhook_url)
    return senders
