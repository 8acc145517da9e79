"""Approve from Slack over real HTTP: buttons in the notification, requests signed as Slack signs them."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import select

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import audit_events, notifications
from humangate.review.credentials import link_slack_user
from tests.api_support import CRITICAL, GATED, Clock, serve_api

SECRET = "slack-signing-secret-for-tests"
TEAM, ALICE = "T0TEAM", "U0ALICE"


@pytest.fixture
def clock() -> Clock:
    return Clock(time.time())


@pytest.fixture
def slack(tmp_path: Path, clock: Clock) -> Iterator[Orchestrator]:
    """An Orchestrator posting Slack notifications with buttons; Slack user U0ALICE acts as alice."""
    settings = Settings(
        db_url=f"sqlite:///{tmp_path / 's.db'}",
        outbox_dir=tmp_path / "out",
        public_url="https://review.example.com",
        webhook_url="https://hooks.example.com/T/B/x",
        webhook_secret="hook-secret",
        webhook_format="slack",
        slack_signing_secret=SECRET,
    )
    with Orchestrator(settings, clock=clock) as orch:
        orch.add_user("alice", "reviewer")
        orch.add_user("erin", "expert")
        link_slack_user(orch.db, "alice", team_id=TEAM, slack_user_id=ALICE, actor="test", now=clock.t)
        yield orch


def _message(orch: Orchestrator, item_id: int) -> dict[str, Any]:
    with orch.db.read() as conn:
        body = conn.execute(select(notifications.c.payload_json).where(notifications.c.item_id == item_id)).scalar_one()
    return dict(json.loads(body))


def _press(message: dict[str, Any], action_id: str, *, user: str = ALICE, reason: str | None = None) -> dict[str, Any]:
    """Return the block_actions payload Slack sends when ``user`` presses a button of ``message``."""
    (actions,) = [b for b in message["blocks"] if b["type"] == "actions"]
    action: dict[str, Any] = {"action_id": action_id, "block_id": actions["block_id"], "type": "button"}
    if reason is not None:
        action |= {"type": "static_select", "selected_option": {"value": reason}}
    return {
        "type": "block_actions",
        "user": {"id": user, "team_id": TEAM},
        "team": {"id": TEAM},
        "actions": [action],
        "response_url": "",
    }


def _post(url: str, payload: dict[str, Any], *, at: float, secret: str = SECRET) -> httpx.Response:
    body = urlencode({"payload": json.dumps(payload)})
    signature = SignatureVerifier(secret).generate_signature(timestamp=str(int(at)), body=body)
    headers = {
        "X-Slack-Request-Timestamp": str(int(at)),
        "X-Slack-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return httpx.post(f"{url}/slack/interactions", content=body, headers=headers)


def test_slack_messages_offer_buttons_except_where_a_click_may_not_decide(slack: Orchestrator) -> None:
    gated = slack.start("notify", GATED).pending_items[0]
    critical = slack.start("notify", CRITICAL).pending_items[0]
    (actions,) = [b for b in _message(slack, gated)["blocks"] if b["type"] == "actions"]
    assert actions["block_id"].startswith("hg:") and len(actions["block_id"]) <= 255
    kinds = [(e["type"], e["action_id"]) for e in actions["elements"]]
    assert kinds == [("button", "open"), ("button", "approve"), ("static_select", "reject")]
    assert actions["elements"][0]["url"].startswith("https://review.example.com/links/")
    assert {o["value"] for o in actions["elements"][2]["options"]} >= {"policy", "tone", "injection"}
    (critical_actions,) = [b for b in _message(slack, critical)["blocks"] if b["type"] == "actions"]
    assert [e["action_id"] for e in critical_actions["elements"]] == ["open"]  # a critical item gets no buttons


def test_a_signed_press_decides_once_as_the_linked_user(slack: Orchestrator, clock: Clock) -> None:
    item_id = slack.start("notify", GATED).pending_items[0]
    other = slack.start("notify", GATED | {"recipient": "Ed Fox"}).pending_items[0]
    critical = slack.start("notify", CRITICAL).pending_items[0]
    got: list[dict[str, Any]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            got.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    hooks = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=hooks.serve_forever, daemon=True).start()
    hook_url = f"http://127.0.0.1:{hooks.server_port}/"
    try:
        with serve_api(slack, slack_response_prefixes=(hook_url,)) as url:
            press = _press(_message(slack, item_id), "approve") | {"response_url": hook_url + "r/1"}
            done = _post(url, press, at=clock.t)
            assert done.status_code == 200 and done.json()["ok"] is True
            assert done.json()["text"].startswith("Approved by alice")
            assert slack.item(item_id).status == "decided"
            replay = _post(url, press, at=clock.t)  # the same signed request again, within Slack's window
            assert replay.json()["ok"] is False and replay.json()["error"]["fields"]["problem"] == "used"

            stranger = _post(url, _press(_message(slack, other), "approve", user="U0STRANGER"), at=clock.t)
            assert stranger.json()["error"]["fields"]["problem"] == "unlinked"
            assert "humangate tokens slack NAME" in stranger.json()["text"]
            no_reason = _post(url, _press(_message(slack, other), "reject", reason="because"), at=clock.t)
            assert no_reason.json()["ok"] is False and slack.item(other).status == "pending"
            rejected = _post(url, _press(_message(slack, other), "reject", reason="policy"), at=clock.t)
            assert rejected.json()["text"].startswith("Rejected by alice")
            assert slack.run(slack.item(other).run_id).outcome == "rejected"

            # A press on a critical item (a forged block carrying its real link) is refused all the same.
            forged = _press(_message(slack, critical), "approve")
            refused = _post(url, forged, at=clock.t)
            assert refused.json()["ok"] is False and "a button cannot decide it" in refused.json()["text"]
            assert slack.item(critical).status == "pending"
            # Each press's outcome is posted back in the background, so the replay's refusal may arrive first.
            deadline = time.monotonic() + 30
            while not any(g["text"].startswith("Approved") for g in got) and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        hooks.shutdown()
        hooks.server_close()
    (approved,) = [g for g in got if g["text"].startswith("Approved")]
    assert approved["replace_original"] is True and approved["text"].startswith("Approved by alice (item")
    with slack.db.read() as conn:
        rows = conn.execute(select(audit_events.c.payload_json).where(audit_events.c.kind == "decision.channel"))
        channels = [json.loads(r[0]) for r in rows]
    assert [c["channel"] for c in channels] == ["slack", "slack"] and all(c["link_id"] for c in channels)


def test_requests_not_signed_by_slack_in_time_are_refused(slack: Orchestrator, clock: Clock, tmp_path: Path) -> None:
    item_id = slack.start("notify", GATED).pending_items[0]
    press = _press(_message(slack, item_id), "approve")
    with serve_api(slack) as url:
        for answer in (
            _post(url, press, at=clock.t, secret="another app's secret"),
            _post(url, press, at=clock.t - 301),  # outside Slack's five-minute window
            httpx.post(f"{url}/slack/interactions", data={"payload": json.dumps(press)}),
            httpx.post(
                f"{url}/slack/interactions",
                data={"payload": json.dumps(press)},
                headers={"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"},
            ),
        ):
            assert answer.status_code == 401 and answer.json()["error"]["fields"]["kind"] == "slack"
        # Signed but odd shapes are answered, never crash, and decide nothing.
        for odd in (
            {"type": "block_actions", "actions": "approve", "user": "U0ALICE"},
            {"type": "block_actions", "actions": [{"action_id": "approve", "block_id": "hg:forged"}], "user": []},
            {"type": "view_submission"},
        ):
            answer = _post(url, odd, at=clock.t)
            assert answer.status_code == 200 and "Approved" not in answer.text
        assert (
            _post(
                url,
                {"type": "block_actions", "actions": [{"action_id": "approve", "block_id": "hg:forged"}]},
                at=clock.t,
            ).json()["error"]["fields"]["problem"]
            == "tampered"
        )
        assert slack.item(item_id).status == "pending"
    plain = Settings(db_url=f"sqlite:///{tmp_path / 'p.db'}", outbox_dir=tmp_path / "o")
    with Orchestrator(plain) as orch, serve_api(orch) as url:
        off = _post(url, press, at=time.time())
        assert off.status_code == 404 and "HUMANGATE_SLACK_SIGNING_SECRET" in off.json()["error"]["message"]
