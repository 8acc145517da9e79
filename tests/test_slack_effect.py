"""The Slack effect against a local HTTP server standing in for an incoming webhook.

The ``notify`` graph posts its approved note to Slack when its input says so; what it posts, where, how
often, and what a refusal or an outage does to the run.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import outbox
from humangate.effects import SlackWebhook, check_slack
from humangate.errors import ConfigError, DeliveryFailed, EffectRefused

HOOK_PATH = "/services/T000/B000/not-a-real-secret"


@dataclass
class Hook:
    """What the webhook received, and the answers it gives next (status, body), then 200 ok."""

    url: str = ""
    posts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    answers: list[tuple[int, str]] = field(default_factory=list)


@pytest.fixture
def hook() -> Iterator[Hook]:
    state = Hook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.posts.append((self.path, json.loads(body)))
            status, text = state.answers.pop(0) if state.answers else (200, "ok")
            self.send_response(status)
            self.end_headers()
            self.wfile.write(text.encode())

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}{HOOK_PATH}"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def orch(db_url: str, tmp_path: Path, hook: Hook) -> Iterator[Orchestrator]:
    settings = Settings(db_url=db_url, outbox_dir=tmp_path / "spool", slack_webhook_url=hook.url)
    with Orchestrator(settings) as o:
        o.add_user("alice", "reviewer")
        yield o


def _note(o: Orchestrator, topic: str, *, approval: bool = True) -> Any:
    return o.start("notify", {"recipient": "Team", "topic": topic, "channel": "slack", "require_approval": approval})


def test_an_approved_note_is_posted_once_to_the_hook_from_settings(orch: Orchestrator, hook: Hook) -> None:
    run = _note(orch, "Standup moved to 10:00 <!channel> <https://evil.example|click> & thanks")
    assert run.status == "paused" and hook.posts == []
    orch.decide(run.pending_items[0], {"action": "approve", "reviewer": "alice"})
    ((path, body),) = hook.posts
    assert path == HOOK_PATH
    assert set(body) == {"text", "unfurl_links", "unfurl_media"} and not body["unfurl_links"]
    # Escaped as Slack asks: no mention and no disguised link can come out of the note's text.
    assert "&lt;!channel&gt;" in body["text"] and "&lt;https://evil.example|click&gt; &amp; thanks" in body["text"]
    assert "<" not in body["text"]
    orch.reconcile()
    orch.deliver_effects()
    assert len(hook.posts) == 1
    with orch.db.read() as conn:
        (row,) = conn.execute(select(outbox)).all()
    assert (row.kind, row.status) == ("slack", "sent") and HOOK_PATH not in (row.result_json or "")


def test_a_refusing_hook_puts_the_note_back_in_front_of_a_person(orch: Orchestrator, hook: Hook) -> None:
    hook.answers.append((404, "no_service"))
    run = _note(orch, "Release notes are out.")
    after = orch.decide(run.pending_items[0], {"action": "approve", "reviewer": "alice"}).run
    assert after.status == "paused"
    reason = orch.item(after.pending_items[0]).request.assessment.triggers[-1].reason
    assert "HTTP 404: no_service" in reason and "HUMANGATE_SLACK_WEBHOOK_URL" in reason


def test_an_outage_is_retried_in_the_background(orch: Orchestrator, hook: Hook) -> None:
    hook.answers.append((503, "service unavailable"))
    run = _note(orch, "Lunch is on us today.", approval=False)
    assert run.status == "completed" and len(hook.posts) == 1
    with orch.db.read() as conn:
        row = conn.execute(select(outbox)).one()
    assert row.status == "pending" and "HTTP 503" in row.last_error


def test_a_note_for_slack_without_a_hook_is_held_not_lost(tmp_path: Path) -> None:
    with Orchestrator(Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "spool")) as o:
        o.add_user("alice", "reviewer")
        run = _note(o, "Hello team.")
        after = o.decide(run.pending_items[0], {"action": "approve", "reviewer": "alice"}).run
        assert after.status == "paused"
        reason = o.item(after.pending_items[0]).request.assessment.triggers[-1].reason
        assert "slack layer refused" in reason and "HUMANGATE_SLACK_WEBHOOK_URL" in reason


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": "hi", "channel": "#general"}, "channel"),
        ({"text": "hi", "url": "https://evil.example/hook"}, "url"),
        ({"text": "hi", "username": "CEO", "icon_url": "https://evil.example/i.png"}, "icon_url"),
        ({"text": ""}, "text"),
        ({"text": "a\x1b[31mred"}, "text"),
        ({"text": "x" * 3_001}, "text"),
    ],
)
def test_a_payload_chooses_nothing_but_its_text(payload: dict[str, Any], field: str, hook: Hook) -> None:
    with pytest.raises(EffectRefused) as caught:
        SlackWebhook(hook.url)(payload, "k")
    assert caught.value.field == field and hook.posts == []
    with pytest.raises(EffectRefused):
        check_slack(payload)


def test_failures_say_whether_a_retry_can_help(hook: Hook) -> None:
    hook.answers += [(410, "channel_is_archived"), (429, "rate_limited"), (500, "oops")]
    verdicts = []
    for _ in range(3):
        with pytest.raises(DeliveryFailed) as caught:
            SlackWebhook(hook.url)({"text": "hi"}, "k")
        verdicts.append(caught.value.permanent)
    assert verdicts == [True, False, False]
    with pytest.raises(DeliveryFailed) as down:
        SlackWebhook("http://127.0.0.1:9/x", timeout=2)({"text": "hi"}, "k")
    assert not down.value.permanent and "/x" not in down.value.reason  # the hook's path is its secret


@pytest.mark.parametrize(
    "url", ["http://hooks.slack.com/services/T/B/x", "ftp://127.0.0.1/x", "hooks.slack.com/services/T/B/x"]
)
def test_a_hook_url_must_be_https_unless_on_this_machine(url: str) -> None:
    with pytest.raises(ConfigError, match="HUMANGATE_SLACK_WEBHOOK_URL"):
        Settings(slack_webhook_url=url)
    secret = Settings(slack_webhook_url="https://hooks.slack.com/services/T/B/zq9hookkey")
    assert "zq9hookkey" not in repr(secret)
