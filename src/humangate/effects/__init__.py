"""Side effects exactly once: an outbox row per idempotency key, delivered by the sender of its kind.

A node after a gate sends through ``graphs.common``'s helpers, which check the gate's release and call
``Outbox.deliver`` (called from a node any other way, it refuses: ``effects.guard``); the key is
``run id : node : attempt``. A replay after a crash finds the row and does not act again; failures are
retried with backoff, and a failure for good puts the item back in front of a person
(``humangate.effects.outbox``).

Senders (``humangate.effects.channels``): ``SmtpMailer`` sends email over SMTP (STARTTLS, login from
settings, a stable ``Message-ID`` per key); ``FileMailer`` writes ``.eml`` files to a folder and sends
nothing; ``SlackWebhook`` posts to the incoming webhook named in settings. Each one refuses rather than
sends: ``check_email`` and ``check_slack`` run before anything is written (``EffectRefused``).
"""

from humangate.effects.channels import senders_for
from humangate.effects.files import FileMailer
from humangate.effects.messages import (
    addr_spec,
    address_problem,
    build_email,
    check_email,
    header_problem,
    header_value_problem,
    is_ticket_reply,
    mailbox,
    message_id_for,
)
from humangate.effects.outbox import (
    OUTBOX_STATUSES,
    Delivery,
    Outbox,
    OutboxEntry,
    OutboxReport,
    Sender,
    count_outbox,
    effect_key,
    list_outbox,
)
from humangate.effects.slack import SlackWebhook, check_slack
from humangate.effects.smtp import SmtpMailer

__all__ = [
    "OUTBOX_STATUSES",
    "Delivery",
    "FileMailer",
    "Outbox",
    "OutboxEntry",
    "OutboxReport",
    "Sender",
    "SlackWebhook",
    "SmtpMailer",
    "addr_spec",
    "address_problem",
    "build_email",
    "check_email",
    "check_slack",
    "count_outbox",
    "effect_key",
    "header_problem",
    "header_value_problem",
    "is_ticket_reply",
    "list_outbox",
    "mailbox",
    "message_id_for",
    "senders_for",
]
