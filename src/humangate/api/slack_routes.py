"""Approve from Slack: the buttons of a notification come back here and go through the decide path.

Every request is checked with Slack's signing secret (``X-Slack-Signature`` over
``v0:{timestamp}:{body}``, the timestamp within five minutes; ``slack_sdk``'s ``SignatureVerifier``)
before its body is read. The Slack account that pressed the button must be linked to a humangate
user (``humangate tokens slack``); the buttons' block carries a signed, expiring review link, which
is spent by the decision. Critical items and items held for a minimum dwell are never decided by a
click. The outcome is posted back to the message's ``response_url`` (only Slack's own host, unless the
app was built with other prefixes) and is also the answer's body.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import parse_qs

import httpx
from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from humangate.api.channel import decide_by_link
from humangate.api.errors import error_body, status_of
from humangate.core.contract import REASON_CODES
from humangate.errors import ConfigError, CredentialError, HumanGateError, InvalidDecisionError, InvalidInputError
from humangate.oversight.links import link_key, read_link
from humangate.review.credentials import slack_user
from humangate.review.service import Orchestrator

__all__ = ["SLACK_RESPONSE_PREFIXES", "router"]

router = APIRouter(tags=["slack"])
log = logging.getLogger("humangate.api")

SLACK_RESPONSE_PREFIXES: tuple[str, ...] = ("https://hooks.slack.com/",)
_MAX_BODY = 64_000


class _Clock:
    """The Orchestrator's clock in the shape ``SignatureVerifier`` asks for."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        """Return the current time."""
        return self._now()


def _verify(secret: str, body: bytes, headers: dict[str, str], now: Callable[[], float]) -> None:
    try:
        from slack_sdk.signature import SignatureVerifier
    except ImportError:
        raise ConfigError("Slack buttons need the slack extra: `pip install 'humangate[slack]'`.") from None
    try:
        ok = SignatureVerifier(secret, clock=_Clock(now)).is_valid_request(body, headers)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        ok = False  # a timestamp that is not a number
    if not ok:
        raise CredentialError(
            "slack", "signature", "This request is not signed by Slack with this app's signing secret, or is too old."
        )


def _decision(action: dict[str, Any]) -> dict[str, Any]:
    if action.get("action_id") == "approve":
        return {"action": "approve"}
    reason = _object(action.get("selected_option")).get("value")
    if reason not in REASON_CODES:
        raise InvalidDecisionError(
            f"Reject needs a reason: pick one of {', '.join(REASON_CODES)}.", allowed=REASON_CODES
        )
    return {"action": "reject", "reason_code": reason, "note": "Rejected from Slack."}


def _object(value: Any) -> dict[str, Any]:
    """Return ``value`` when it is a JSON object, else an empty one (a payload's shape is not trusted)."""
    return value if isinstance(value, dict) else {}


def _handle(orch: Orchestrator, payload: dict[str, Any]) -> tuple[str, str | None]:
    """Decide what one block action asks; return the text to show and the response URL."""
    actions = payload.get("actions")
    action = _object(actions[0]) if isinstance(actions, list) and actions else {}
    block = str(action.get("block_id") or "")
    if payload.get("type") != "block_actions" or not block.startswith("hg:") or action.get("action_id") == "open":
        return "", None
    if action.get("action_id") not in ("approve", "reject"):
        raise InvalidInputError("Unknown button; only Approve and Reject decide.")
    claims = read_link(link_key(orch.settings), block[3:], now=orch.clock())
    user, team = _object(payload.get("user")), _object(payload.get("team"))
    who = slack_user(
        orch.db, team_id=str(team.get("id") or user.get("team_id") or ""), slack_user_id=str(user.get("id") or "")
    )
    item = orch.item(claims.item_id)
    if item.risk_level == "critical" or item.min_dwell_seconds > 0:
        why = "critical" if item.risk_level == "critical" else f"held for {item.min_dwell_seconds:g} s of review"
        raise InvalidDecisionError(
            f"Item {item.id} is {why}; a button cannot decide it. Open the link and sign in, or use the panel.",
            item_id=item.id,
        )
    result = decide_by_link(orch, claims, who, _decision(action), channel="slack")
    verb = "Approved" if action.get("action_id") == "approve" else "Rejected"
    return f"{verb} by {who.name} (item {item.id}); the run is {result.run.status}.", payload.get("response_url")


def _post(url: str, text: str, prefixes: Sequence[str]) -> None:
    if not any(url.startswith(p) for p in prefixes):
        log.warning("Not posting to a response_url outside %s", ", ".join(prefixes))
        return
    body = {"replace_original": True, "text": text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")}
    try:
        httpx.post(url, json=body, timeout=10.0)
    except httpx.HTTPError as exc:
        log.warning("Slack response_url failed: %s", exc)


@router.post("/slack/interactions", summary="Slack button presses (signed by Slack)")
async def interactions(request: Request, background: BackgroundTasks) -> JSONResponse:
    """Verify the request is Slack's, then decide what its button asks as the linked user."""
    orch: Orchestrator = request.app.state.orch
    prefixes: Sequence[str] = request.app.state.slack_response_prefixes
    secret = orch.settings.slack_signing_secret
    if not secret:
        off = ConfigError("Slack is not set up here: set HUMANGATE_SLACK_SIGNING_SECRET to the app's signing secret.")
        return JSONResponse(error_body(off), status_code=404)
    try:
        body = await request.body()
        if len(body) > _MAX_BODY:
            raise InvalidInputError("The Slack request is too large.")
        _verify(secret, body, dict(request.headers), orch.clock)
        try:
            payload = json.loads(parse_qs(body.decode())["payload"][0])
        except (KeyError, IndexError, ValueError, UnicodeDecodeError):
            raise InvalidInputError("A Slack interaction is a form with one `payload` field of JSON.") from None
        if not isinstance(payload, dict):
            raise InvalidInputError("A Slack interaction payload is a JSON object.")
    except HumanGateError as exc:
        return JSONResponse(error_body(exc), status_code=status_of(exc))
    # Verified as Slack's: from here every refusal answers 200 (Slack shows other statuses as a failure
    # to reach the app) and is told to the reviewer on the message itself.
    try:
        text, url = await run_in_threadpool(_handle, orch, payload)
    except HumanGateError as exc:
        refusal = error_body(exc)  # its message tells nothing of the server (a storage failure's is generic)
        text, url = f"Not decided: {refusal['error']['message']}", payload.get("response_url")
        answer = {"ok": False, "text": text} | refusal
    else:
        answer = {"ok": True, "text": text}
    if url and text:
        background.add_task(_post, str(url), text, prefixes)
    return JSONResponse(answer)
