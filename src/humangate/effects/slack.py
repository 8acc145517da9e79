"""The Slack effect: post a message to the channel of an incoming webhook.

The webhook URL comes from settings (``HUMANGATE_SLACK_WEBHOOK_URL``) only; a payload carries text and
nothing else, so no input chooses where a message goes, under which name, or with which icon. The text
is escaped as Slack asks (``&``, ``<``, ``>``), so it cannot hold a mention (``<!channel>``) or a
disguised link (``<https://...|label>``), and links are not unfurled.

Slack answers 2xx when it posted. 4xx answers say the hook or the payload is wrong for good (400
invalid_payload, 403, 404 no_service, 410 channel_is_archived), except 429, which asks to retry later,
as do 5xx answers and network failures. Incoming webhooks have no idempotency key: a crash between
the post and its record posts the message again when the outbox retries it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from humangate.errors import DeliveryFailed, EffectRefused

__all__ = ["SLACK_TEXT_MAX", "SlackWebhook", "check_slack"]

SLACK_TEXT_MAX = 3_000
"""The longest text posted; Slack truncates longer messages anyway."""
# Control characters but newline and tab, and the bidi controls that make text read differently than it is.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")


def check_slack(payload: Mapping[str, Any]) -> None:
    """Refuse (``EffectRefused``) a Slack payload with anything but text, or text that is empty, long or unsafe."""
    extra = sorted(set(payload) - {"text"})
    if extra:
        # A channel, username, icon or URL in the payload would let input steer the post; the hook decides.
        raise EffectRefused(extra[0], str(payload[extra[0]])[:200], "may not be set by a message; the webhook decides")
    text = payload.get("text")
    if not isinstance(text, str) or not text.strip():
        raise EffectRefused("text", str(text), "is empty; a Slack message needs text")
    if len(text) > SLACK_TEXT_MAX:
        raise EffectRefused("text", text[:200], f"is longer than {SLACK_TEXT_MAX:,} characters")
    if bad := _UNSAFE.search(text):
        raise EffectRefused("text", text[:200], f"holds the control character U+{ord(bad.group()):04X}")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SlackWebhook:
    """Post messages to a Slack incoming webhook; sort failures into retryable and permanent."""

    def __init__(self, url: str, *, timeout: float = 10.0, transport: httpx.BaseTransport | None = None) -> None:
        self.url = url
        self.timeout = timeout
        self.transport = transport
        self.target = urlsplit(url).netloc.rpartition("@")[2]  # never the path: it is the hook's secret

    def check(self, payload: Mapping[str, Any]) -> None:
        """Refuse (``EffectRefused``) a payload that may not be posted."""
        check_slack(payload)

    def __call__(self, payload: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        """Post the message; return Slack's answer. Raise ``DeliveryFailed`` when it was not posted."""
        self.check(payload)
        body = {"text": _escape(str(payload["text"])), "unfurl_links": False, "unfurl_media": False}
        try:
            with httpx.Client(transport=self.transport, timeout=self.timeout) as client:
                response = client.post(self.url, json=body, headers={"User-Agent": "humangate-effects/1"})
        except httpx.TimeoutException as exc:
            raise DeliveryFailed(
                f"No answer from Slack ({self.target}) within {self.timeout:g} s.", permanent=False
            ) from exc
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"Could not reach Slack ({self.target}): {exc}.", permanent=False) from exc
        if response.is_success:
            return {"status": response.status_code, "target": self.target}
        said = " ".join(response.text.split())[:200]
        code = response.status_code
        permanent = 400 <= code < 500 and code != 429
        fix = " Check HUMANGATE_SLACK_WEBHOOK_URL and the message." if permanent else ""
        raise DeliveryFailed(
            f"Slack ({self.target}) answered HTTP {code}" + (f": {said}." if said else ".") + fix, permanent=permanent
        )
