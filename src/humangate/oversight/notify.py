"""Signed webhook notifications: recorded in the service's transaction, delivered later with retries.

``enqueue`` adds a pending ``notifications`` row inside the caller's write transaction when a webhook
is configured, and never touches the network. A ``Dispatcher`` (in ``humangate.oversight.delivery``)
claims due rows, POSTs each one outside any transaction and records the outcome: a 2xx answer is
``delivered``; anything else is retried after 2, 4, 8 ... seconds (capped at 10 minutes) until
``max_attempts``, then the row is ``failed`` and ``humangate notifications --status failed`` shows why.

The body with ``HUMANGATE_WEBHOOK_FORMAT=json`` (times are ISO 8601 UTC)::

    {"version": 1, "event": "item.queued", "occurred_at": "2024-05-01T09:30:00Z", "item_id": 12,
     "run_id": "9f0c...", "graph": "notify", "node": "review_send", "title": "Email to Bob Roy",
     "risk_level": "high", "required_role": "reviewer", "due_at": "2024-05-01T10:30:00Z" or null,
     "triggers": ["impact"], "summary": "..."}

With ``slack`` it is an incoming-webhook message that still carries that object::

    {"text": "Review needed: ...", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": ...}}],
     "humangate": {...the object above...}}

With ``HUMANGATE_PUBLIC_URL`` set, queued and escalated items carry a signed, expiring, single-use review
link (``humangate.oversight.links``): ``"review_url"`` in JSON; in Slack an actions block whose
``block_id`` is ``hg:<link token>``, with an Open button to the link's page and, when
``HUMANGATE_SLACK_SIGNING_SECRET`` is set, Approve and "Reject because..." for items that are neither
critical nor held for a minimum dwell (those are never decided by a click alone). The buttons come
back to ``/slack/interactions`` and go through the same decide path as the panel.

Title and summary are untrusted (they come from a run's inputs): URLs in them are defanged
(``https[:]//``) in both formats, and Slack text escapes ``&``, ``<`` and ``>``, so a notification never
carries a link or a mention. Each request is signed: ``X-Humangate-Signature: t=<unix>,v1=<hex>``, where
``v1`` is HMAC-SHA256 of ``f"{t}.".encode() + body`` under the webhook secret; ``X-Humangate-Event``
names the event and ``X-Humangate-Delivery`` is the row id, the same on every retry, for receivers to
dedupe on. ``verify`` checks a signature the way a receiver should.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, NotRequired, TypedDict

from sqlalchemy import Connection

from humangate.checkpoints.schema import notifications
from humangate.config import Settings
from humangate.core.contract import REASON_CODES
from humangate.oversight._signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, sign, verify
from humangate.oversight.delivery import (
    BACKOFF_CAP_SECONDS,
    NOTIFY_STATUSES,
    DeliveryReport,
    Dispatcher,
    Notification,
    count_by_status,
    list_notifications,
)
from humangate.oversight.links import link_url, mint_link

if TYPE_CHECKING:
    from humangate.review.queue import ReviewItem

__all__ = [
    "BACKOFF_CAP_SECONDS",
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "NOTIFY_EVENTS",
    "NOTIFY_STATUSES",
    "SIGNATURE_HEADER",
    "DeliveryReport",
    "Dispatcher",
    "ItemFacts",
    "Notification",
    "NotifyEvent",
    "ReviewLinks",
    "count_by_status",
    "enqueue",
    "item_facts",
    "list_notifications",
    "render_body",
    "review_links",
    "sign",
    "verify",
]

NotifyEvent = Literal["item.queued", "item.escalated", "item.expired"]
NOTIFY_EVENTS: tuple[NotifyEvent, ...] = ("item.queued", "item.escalated", "item.expired")

_HEADLINES: dict[str, str] = {
    "item.queued": "Review needed",
    "item.escalated": "Review escalated",
    "item.expired": "Review expired",
}
_URL = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*):(//)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SUMMARY_MAX = 1_000
_SLACK_TEXT_MAX = 2_900  # a section block takes at most 3,000 characters


class ItemFacts(TypedDict):
    """What a notification says about a review item; ``summary`` must be plain text without links."""

    graph: str
    node: str
    title: str
    risk_level: str
    required_role: str
    due_at: float | None
    summary: str
    triggers: NotRequired[list[str]]
    min_dwell_seconds: NotRequired[float]


class ReviewLinks(TypedDict):
    """How a notification lets a reviewer act: the link page, its token, and whether buttons decide."""

    url: str
    token: str
    buttons: bool


def item_facts(item: ReviewItem, summary: str) -> ItemFacts:
    """Return the facts of a stored review item with the caller's summary."""
    return {
        "graph": item.graph,
        "node": item.node,
        "title": item.title,
        "risk_level": item.risk_level,
        "required_role": item.required_role,
        "due_at": item.due_at,
        "summary": summary,
        "triggers": list(item.trigger_kinds),
        "min_dwell_seconds": item.min_dwell_seconds,
    }


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _plain(text: str, limit: int) -> str:
    """Drop control characters and defang URLs, so no client renders a link from untrusted text."""
    return _URL.sub(r"\1[:]\2", _CONTROL.sub(" ", text))[:limit]


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_body(
    fmt: Literal["json", "slack"],
    *,
    event: NotifyEvent,
    item_id: int,
    run_id: str,
    facts: ItemFacts,
    now: float,
    links: ReviewLinks | None = None,
) -> str:
    """Return the JSON body sent for one event, in the webhook's format, with the review link if any."""
    data: dict[str, Any] = {
        "version": 1,
        "event": event,
        "occurred_at": _iso(now),
        "item_id": item_id,
        "run_id": run_id,
        "graph": facts["graph"],
        "node": facts["node"],
        "title": _plain(facts["title"], 500),
        "risk_level": facts["risk_level"],
        "required_role": facts["required_role"],
        "due_at": _iso(facts["due_at"]),
        "triggers": list(facts.get("triggers", [])),
        "summary": _plain(facts["summary"], _SUMMARY_MAX),
    }
    if links is not None:
        data["review_url"] = links["url"]
    if fmt == "slack":
        data = _slack(data, links)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _plain_text(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def _actions(links: ReviewLinks) -> dict[str, Any]:
    """Return the Slack actions block: Open (the link page) and, where a click may decide, Approve and Reject."""
    elements: list[dict[str, Any]] = [
        {"type": "button", "action_id": "open", "text": _plain_text("Open"), "url": links["url"]}
    ]
    if links["buttons"]:
        reasons = [{"text": _plain_text(code.replace("_", " ")), "value": code} for code in REASON_CODES]
        elements += [
            {
                "type": "button",
                "action_id": "approve",
                "style": "primary",
                "text": _plain_text("Approve"),
                "value": "approve",
            },
            {
                "type": "static_select",
                "action_id": "reject",
                "placeholder": _plain_text("Reject because..."),
                "options": reasons,
            },
        ]
    return {"type": "actions", "block_id": f"hg:{links['token']}", "elements": elements}


def _slack(data: dict[str, Any], links: ReviewLinks | None = None) -> dict[str, Any]:
    s = {k: _slack_escape(str(v)) for k, v in data.items() if isinstance(v, str)}
    headline = _HEADLINES[data["event"]]
    lines = [
        f"*{headline}* · {s['risk_level']} risk · for a {s['required_role']}",
        f"*{s['title']}*",
        s["summary"],
        f"{s['graph']} / {s['node']} · item {data['item_id']} · run `{s['run_id'][:12]}`"
        + (f" · due {s['due_at']}" if data["due_at"] else ""),
    ]
    text = "\n".join(line for line in lines if line)[:_SLACK_TEXT_MAX]
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    if links is not None:
        blocks.append(_actions(links))
    return {"text": f"{headline}: {s['title']} ({s['risk_level']} risk)", "blocks": blocks, "humangate": data}


def review_links(
    settings: Settings, event: NotifyEvent, item_id: int, facts: ItemFacts, now: float
) -> ReviewLinks | None:
    """Mint the link a notification carries, or None (no public URL, or the item expired)."""
    if not settings.public_url or event == "item.expired":
        return None
    token, _ = mint_link(settings, item_id, now=now)
    buttons = (
        settings.webhook_format == "slack"
        and bool(settings.slack_signing_secret)
        and facts["risk_level"] != "critical"  # critical items are never decided from a link alone
        and not facts.get("min_dwell_seconds")  # a click cannot show the minimum review time was spent
    )
    return {"url": link_url(settings, token), "token": token, "buttons": buttons}


_INSERT = notifications.insert()


def enqueue(
    conn: Connection,
    settings: Settings,
    *,
    event: NotifyEvent,
    item_id: int,
    run_id: str,
    payload: ItemFacts,
    now: float,
) -> int | None:
    """Record a pending notification in the caller's transaction; return its id, or None without a webhook."""
    if not settings.webhook_url:
        return None
    if event not in NOTIFY_EVENTS:
        raise ValueError(f"Unknown notification event {event!r}; use one of {', '.join(NOTIFY_EVENTS)}.")
    links = review_links(settings, event, item_id, payload, now)
    body = render_body(
        settings.webhook_format, event=event, item_id=item_id, run_id=run_id, facts=payload, now=now, links=links
    )
    result = conn.execute(
        _INSERT,
        {
            "event": event,
            "item_id": item_id,
            "run_id": run_id,
            "url": settings.webhook_url,
            "payload_json": body,
            "status": "pending",
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
        },
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]
