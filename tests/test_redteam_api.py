"""Red-team findings on the HTTP API: what an outsider or a low-privilege reviewer's token can learn or cause.

Fail closed, over HTTP too: a reviewer's token reads no more than the panel shows a reviewer (canaries look like
any other item, others' quality signals are for owners and admins), bad input gets a clear error and changes
nothing (never a 500, never a body size limit answered as a parse error), an error never tells the caller where
the server keeps its data, and an edit that carries what no one can see is not sent on one reviewer's look. Each
test serves ``create_app`` under uvicorn on a loopback port (``tests.api_support``) over a real SQLite database in
``tmp_path``, offline, asserts the safe behaviour, and failed on the code it names when it was written. Tokens,
CORS, links, Slack signatures and the Agent Inbox shapes are covered by ``test_api*.py``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import outbox
from humangate.graphs.common import GraphDeps
from humangate.oversight.links import mint_link
from humangate.risk import RiskPolicy
from tests.api_support import GATED, Clock, serve_api, token_for

USERS = (("alice", "reviewer"), ("bob", "reviewer"), ("erin", "expert"), ("olga", "owner"))
PASSWORD = "alice's long passphrase"


def _orch(tmp_path: Path, toml: str = "", **settings: Any) -> Orchestrator:
    base = Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "outbox", **settings)
    policy = RiskPolicy.from_toml_text('version = "api-1"\n[defaults]\n' + toml)
    o = Orchestrator(base, deps=GraphDeps(policy=policy), clock=Clock())
    for name, role in USERS:
        o.add_user(name, role)  # type: ignore[arg-type]
    return o


@pytest.fixture
def orch(tmp_path: Path) -> Iterator[Orchestrator]:
    """Return an Orchestrator on SQLite with alice, bob (reviewers), erin (expert) and olga (owner)."""
    with _orch(tmp_path) as o:
        yield o


def _call(method: str, url: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
    """One request on a connection of its own (a 500 closes the server's side of a kept-alive one)."""
    headers = {"x-api-key": token} if token else {}
    return httpx.request(method, url, headers=headers | kwargs.pop("headers", {}), timeout=60.0, **kwargs)


def _thread(item_id: int) -> str:
    return f"00000000-0000-4000-8000-{item_id:012x}"


def _sent(o: Orchestrator) -> int:
    with o.db.read() as conn:
        return len(conn.execute(select(outbox.c.id)).all())


# -- canaries and reviewers' signals ------------------------------------------------------------------------


def test_a_pending_canary_is_not_labelled_as_one_over_the_api(tmp_path: Path) -> None:
    # Hole: canaries are meant to look like any other item ("nothing in the queue tells them apart"; the panel
    # shows no kind), but `schemas.item_out` puts `kind: "canary"` on every /api/queue and /api/items answer, and
    # `api.inbox.thread`/`thread_state` key the Agent Inbox interrupt by the item's `interrupt_id`, which
    # `review.checks._insert` makes `canary:<uuid>`. A reviewer's client skips canaries and rubber-stamps the rest.
    with _orch(tmp_path, "canary_rate = 1.0\n") as orch:
        first = orch.start("notify", GATED)
        orch.decide(first.pending_items[0], {"action": "approve", "reviewer": "bob"})
        run = orch.start("notify", GATED | {"recipient": "Cy Ng", "email": "cy@example.com"})
        (gate,) = run.pending_items
        canary = next(i for i in orch.pending(limit=10).items if i.kind == "canary")
        alice = token_for(orch, "alice")
        with serve_api(orch) as url:
            queue = _call("GET", f"{url}/api/queue", alice)
            shown = {i: _call("GET", f"{url}/api/items/{i}", alice) for i in (gate, canary.id)}
            thread = _call("GET", f"{url}/threads/{_thread(canary.id)}", alice)
            state = _call("GET", f"{url}/threads/{_thread(canary.id)}/state", alice)
            search = _call("POST", f"{url}/threads/search", alice, json={})
        assert {i["id"] for i in queue.json()["items"]} == {gate, canary.id}
        for answer in (queue, shown[canary.id], thread, state, search):
            assert answer.status_code == 200, answer.text
            assert "canary" not in answer.text.lower(), answer.request.url
        assert shown[canary.id].json().get("kind") == shown[gate].json().get("kind")


def test_a_reviewer_reading_a_run_does_not_learn_who_missed_a_canary(tmp_path: Path) -> None:
    # Hole: a canary's seeding is kept out of run timelines, but `OversightMixin._judge_check` files
    # `canary.missed`/`canary.caught` (and `record_decision` a `decision.recorded` with `item_kind: canary`) under
    # the copied run's id, and `GET /api/runs/{id}` (`runs_routes.run` -> `ViewsMixin.timeline`) hands any token
    # every event of the run. Bob reads that alice missed a canary, a signal the panel shows owners and admins only,
    # and learns which items were canaries.
    with _orch(tmp_path, "canary_rate = 1.0\n") as orch:
        first = orch.start("notify", GATED)
        orch.decide(first.pending_items[0], {"action": "approve", "reviewer": "bob"})
        orch.start("notify", GATED | {"recipient": "Cy Ng", "email": "cy@example.com"})
        canary = next(i for i in orch.pending(limit=10).items if i.kind == "canary")
        orch.decide(canary.id, {"action": "approve", "reviewer": "alice"})  # a miss
        bob = token_for(orch, "bob")
        with serve_api(orch) as url:
            answer = _call("GET", f"{url}/api/runs/{canary.run_id}", bob)
    assert answer.status_code == 200, answer.text
    kinds = [e["kind"] for e in answer.json()["timeline"]]
    assert "run.completed" in kinds
    assert not any(k.startswith("canary.") for k in kinds), kinds
    assert "canary" not in answer.text.lower()


def test_a_reviewers_token_does_not_read_colleagues_override_rates(orch: Orchestrator) -> None:
    # Hole: `GET /api/metrics` (`runs_routes.metrics`) returns `MetricsReport.to_json()` whole to any token,
    # including `overrides.by_reviewer`: every colleague's share of edits, rejections and redirects. The panel
    # keeps per-reviewer figures for owners and admins (`metrics_tab.reviewers_html(only=...)`).
    item_id = orch.start("notify", GATED).pending_items[0]
    orch.decide(item_id, {"action": "reject", "reason_code": "tone", "reviewer": "bob"})
    alice = token_for(orch, "alice")
    with serve_api(orch) as url:
        answer = _call("GET", f"{url}/api/metrics", alice)
    assert answer.status_code == 200, answer.text
    assert answer.json()["decisions_by_action"]["reject"] == 1
    assert "bob" not in answer.text, answer.json()["overrides"]


# -- errors: clear, and telling nothing about the server --------------------------------------------------


def test_a_database_failure_does_not_tell_the_caller_where_the_database_is(tmp_path: Path) -> None:
    # Hole: `Database._guard` raises StorageError("Database sqlite:////<absolute path>/hg.db failed: <driver
    # text>") and `api.errors` answers it (503) with that message, to a reviewer's token and to an outsider on
    # a review link's sign-in alike. A locked database (any busy moment) prints the server's file layout.
    with _orch(tmp_path, sqlite_busy_timeout_ms=200, public_url="https://review.example.com") as orch:
        orch.set_password("alice", PASSWORD)
        item_id = orch.start("notify", GATED).pending_items[0]
        link = mint_link(orch.settings, item_id, now=orch.clock())[0]
        alice = token_for(orch, "alice")
        with serve_api(orch) as url:
            busy = sqlite3.connect(tmp_path / "hg.db", isolation_level=None)
            busy.execute("BEGIN IMMEDIATE")  # another writer holds the database
            try:
                claimed = _call("POST", f"{url}/api/items/{item_id}/claim", alice)
                signed_in = _call(
                    "POST", f"{url}/links/{link}", data={"action": "claim", "name": "alice", "password": PASSWORD}
                )
            finally:
                busy.execute("ROLLBACK")
                busy.close()
    for answer in (claimed, signed_in):
        assert answer.status_code == 503, answer.text
        assert str(tmp_path) not in answer.text and "hg.db" not in answer.text
        assert "sqlite:" not in answer.text.lower()


@pytest.mark.parametrize("item_id", [2**63, 10**30])
def test_an_item_id_past_the_database_range_is_not_found_not_a_server_failure(orch: Orchestrator, item_id: int) -> None:
    # Hole: `review_routes` takes `item_id: int` unbounded, and SQLite cannot bind it (OverflowError, on
    # PostgreSQL a DataError): read, claim and decide answer 500 InternalError instead of a clear 404/422.
    alice = token_for(orch, "alice")
    with serve_api(orch) as url:
        answers = [
            _call("GET", f"{url}/api/items/{item_id}", alice),
            _call("POST", f"{url}/api/items/{item_id}/claim", alice),
            _call("POST", f"{url}/api/items/{item_id}/decision", alice, json={"action": "approve"}),
        ]
    for answer in answers:
        assert answer.status_code in (404, 422), (answer.request.url, answer.status_code, answer.text)
        assert answer.json()["error"]["type"] != "InternalError"


def test_an_oversized_body_without_content_length_is_refused_as_too_large(orch: Orchestrator) -> None:
    # Hole: `app.BodyLimit` stops a chunked body past MAX_BODY_BYTES by raising `_TooLarge` from `receive`, but
    # FastAPI's body reader turns any exception but a JSON error into HTTPException(400, "There was an error
    # parsing the body"), so the 413 RequestTooLarge a Content-Length gets is never sent; the caller is told the
    # JSON is broken.
    item_id = orch.start("notify", GATED).pending_items[0]

    def chunks() -> Iterator[bytes]:
        yield b'{"action": "approve", "note": "'
        for _ in range(1_100):
            yield b"a" * 1_000
        yield b'"}'

    with serve_api(orch) as url:
        answer = _call(
            "POST",
            f"{url}/api/items/{item_id}/decision",
            token_for(orch, "alice"),
            content=chunks(),
            headers={"content-type": "application/json"},
        )
    assert answer.status_code == 413, answer.text
    assert answer.json()["error"]["type"] == "RequestTooLarge"
    assert orch.item(item_id).status == "pending"


@pytest.mark.parametrize(
    ("task", "item"),
    [
        ("Answer these support tickets.", {"text": "x" * 20_001, "customer": "Ann"}),
        ("Answer these support tickets.", {"text": "Where is my order?", "customer": "A" * 5_000}),
        ("Answer these support tickets.", {"text": "Where is my order?", "customer": "Ann", "id": "x" * 5_000}),
        (
            "Research these companies and draft an intro email to each contact.",
            {"company": "Acme", "name": "Ann", "email": "ann@example.com", "role": "r" * 1_000},
        ),
    ],
    ids=["long-text", "long-customer", "long-id", "long-role"],
)
def test_a_task_item_with_an_overlong_cell_is_a_clear_refusal(
    orch: Orchestrator, task: str, item: dict[str, str]
) -> None:
    # Hole: `tasks._support_run` and `tasks._recipient` build `SupportInput`/`Recipient` from the item's cells
    # directly, so a cell past the model's limit raises pydantic's ValidationError, which no layer turns into
    # InvalidInputError: /api/tasks/plan and /api/tasks answer 500 InternalError instead of naming the cell.
    body = {"task": task, "items": [item], "confirm": True}
    alice = token_for(orch, "alice")
    with serve_api(orch) as url:
        answers = [_call("POST", f"{url}{path}", alice, json=body) for path in ("/api/tasks/plan", "/api/tasks")]
    for answer in answers:
        assert answer.status_code == 422, (answer.request.url, answer.status_code, answer.text)
        assert answer.json()["error"]["type"] == "InvalidInputError"
    assert orch.runs() == []


# -- edits over the API ---------------------------------------------------------------------------------


@pytest.mark.parametrize("hidden", ["\x00", "\x1b[8m", "\x7f"], ids=["nul", "esc", "del"])
def test_an_edit_that_puts_control_characters_in_the_body_is_not_sent_on_one_look(tmp_path: Path, hidden: str) -> None:
    # Hole: an edit is re-assessed before it is sent, and zero-width, bidi and tag characters hold it for a
    # second reviewer (`risk.injection._INVISIBLE`), but C0/C1 controls in a body are in neither that set nor
    # `effects.messages.check_email` (headers only): alice's API edit adding a NUL, an ANSI escape or DEL
    # to the body is sent at once, with no second look and no refusal.
    with _orch(tmp_path) as orch:
        item_id = orch.start("notify", GATED).pending_items[0]
        proposal = orch.item(item_id).request.proposal
        edited = proposal | {"body": proposal["body"].replace("Thanks for the call.", f"Thanks{hidden} for the call.")}
        with serve_api(orch) as url:
            answer = _call(
                "POST",
                f"{url}/api/items/{item_id}/decision",
                token_for(orch, "alice"),
                json={"action": "edit", "edited": edited, "reason_code": "tone"},
            )
        assert answer.status_code in (200, 422), answer.text
        run = orch.run(orch.item(item_id).run_id)
        assert run.status != "completed" and _sent(orch) == 0, (run.status, run.outcome)
        assert not list((tmp_path / "outbox").rglob("*.eml"))
