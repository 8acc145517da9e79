"""The HTTP API end to end: a real uvicorn server on a loopback port, real HTTP, both database backends."""

from __future__ import annotations

import hashlib
import inspect
import json
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import api_tokens, audit_events, decisions
from humangate.graphs.common import GraphDeps
from humangate.review import credentials
from humangate.review.credentials import revoke_token
from humangate.risk import RiskPolicy
from tests.api_support import CRITICAL, GATED, Clock, client, serve_api, token_for


def _events(orch: Orchestrator, kind: str) -> list[dict[str, object]]:
    with orch.db.read() as conn:
        rows = conn.execute(select(audit_events).where(audit_events.c.kind == kind).order_by(audit_events.c.seq))
        return [{"actor": r.actor, "item_id": r.item_id, **json.loads(r.payload_json)} for r in rows]


def _decisions(orch: Orchestrator) -> int:
    with orch.db.read() as conn:
        return len(conn.execute(select(decisions.c.id)).all())


def test_openapi_is_served_and_a_reviewer_works_the_queue_over_http(orch: Orchestrator) -> None:
    run = orch.start("notify", GATED)
    item_id = run.pending_items[0]
    alice = token_for(orch, "alice")
    with serve_api(orch) as url, client(url, alice) as http:
        schema = http.get("/openapi.json").json()
        for path in ("/api/queue", "/api/items/{item_id}/decision", "/api/tasks", "/threads/search", "/info"):
            assert path in schema["paths"], path
        assert "reviewer" not in schema["components"]["schemas"]["DecisionIn"]["properties"]
        assert "swagger" in http.get("/docs").text.lower()

        assert http.get("/api/me").json()["name"] == "alice"
        listed = http.get("/api/queue").json()
        assert [i["id"] for i in listed["items"]] == [item_id] and listed["items"][0]["request"] is None
        shown = http.get(f"/api/items/{item_id}").json()
        assert shown["request"]["proposal"]["to"] == "bob@example.com" and shown["claimed_by"] is None
        assert http.post(f"/api/items/{item_id}/claim").json()["claimed_by"] == "alice"
        done = http.post(f"/api/items/{item_id}/decision", json={"action": "approve"})
        assert done.status_code == 200, done.text
        assert done.json()["run"]["status"] == "completed" and done.json()["decision_id"] > 0

        timeline = http.get(f"/api/runs/{run.id}").json()["timeline"]
        assert "decision.recorded" in [e["kind"] for e in timeline]
        assert http.get("/api/runs", params={"id": run.id}).json()[0]["outcome"] == "approved"
        again = http.post(f"/api/items/{item_id}/decision", json={"action": "approve"})
        assert again.status_code == 409 and again.json()["error"]["type"] == "AlreadyDecidedError"
    (channel,) = _events(orch, "decision.channel")
    assert channel["channel"] == "api" and channel["actor"] == "alice" and channel["item_id"] == item_id
    assert channel["token_id"] == alice.split("_")[1] and channel["decision_id"] == done.json()["decision_id"]
    assert orch.verify_audit().ok


def test_a_reviewers_token_cannot_approve_a_critical_item(orch: Orchestrator) -> None:
    item_id = orch.start("notify", CRITICAL).pending_items[0]
    assert orch.item(item_id).risk_level == "critical"
    with serve_api(orch) as url, client(url, token_for(orch, "alice")) as alice:
        refused = alice.post(f"/api/items/{item_id}/decision", json={"action": "approve"})
        assert refused.status_code == 403
        error = refused.json()["error"]
        assert error["type"] == "NotAuthorizedError" and error["tree"] == [
            "NotAuthorizedError",
            "ReviewError",
            "HumanGateError",
        ]
        assert error["fields"] == {"item_id": item_id, "reviewer": "alice", "required_role": "expert"}
        assert "needs the expert role" in error["message"]
        assert alice.post(f"/api/items/{item_id}/claim").status_code == 403
        assert orch.item(item_id).status == "pending" and _decisions(orch) == 0
        with client(url, token_for(orch, "erin")) as erin:
            assert erin.post(f"/api/items/{item_id}/decision", json={"action": "approve"}).status_code == 200
    assert orch.item(item_id).status == "decided"


def test_no_request_body_names_the_reviewer(orch: Orchestrator) -> None:
    item_id = orch.start("notify", GATED).pending_items[0]
    with serve_api(orch) as url, client(url, token_for(orch, "alice")) as alice:
        for body in ({"action": "approve", "reviewer": "erin"}, {"action": "approve", "as": "erin"}):
            refused = alice.post(f"/api/items/{item_id}/decision", json=body)
            assert refused.status_code == 422 and refused.json()["error"]["type"] == "RequestValidationError"
        assert orch.item(item_id).status == "pending" and _decisions(orch) == 0
        bad = alice.post(f"/api/items/{item_id}/decision", json={"action": "reject"})
        assert bad.status_code == 422 and bad.json()["error"]["type"] == "InvalidDecisionError"
        assert "reason_code" in bad.json()["error"]["message"]
        missing = alice.get("/api/items/999999")
        assert missing.status_code == 404 and missing.json()["error"]["fields"] == {"item_id": 999999}


def test_tokens_are_random_hashed_checked_and_revocable(tmp_path: Path) -> None:
    clock = Clock()
    with Orchestrator(Settings(db_url=f"sqlite:///{tmp_path / 'h.db'}", outbox_dir=tmp_path), clock=clock) as orch:
        orch.add_user("alice", "reviewer")
        tokens = [token_for(orch, "alice") for _ in range(3)]
        assert len(set(tokens)) == 3 and all(len(t.split("_", 2)[2]) == 43 for t in tokens)  # 32 random bytes
        short = token_for(orch, "alice", expires_at=clock.t + 60)
        with orch.db.read() as conn:
            stored = [tuple(map(str, r)) for r in conn.execute(select(api_tokens))]
        for token in tokens:
            token_id, secret = token.split("_", 2)[1:]
            assert not any(secret in value for row in stored for value in row)  # only its hash is kept
            assert (token_id, hashlib.sha256(secret.encode()).hexdigest()) in {(r[0], r[3]) for r in stored}
        # Hashes are compared in constant time, and an unknown id is compared against a dummy hash.
        assert "hmac.compare_digest" in inspect.getsource(credentials.authenticate)
        with serve_api(orch) as url:

            def me(token: str | None) -> httpx.Response:
                return httpx.get(f"{url}/api/me", headers={"x-api-key": token} if token else {})

            assert me(tokens[0]).status_code == 200
            for bad in (None, "nonsense", tokens[0][:-1] + ("A" if tokens[0][-1] != "A" else "B")):
                answer = me(bad)
                assert answer.status_code == 401 and answer.json()["error"]["type"] == "CredentialError"
                assert answer.headers["www-authenticate"].startswith("ApiKey")
            studio = httpx.get(f"{url}/api/me", headers={"x-auth-scheme": "langsmith"})  # no Studio-style bypass
            assert studio.status_code == 401
            bearer = httpx.get(f"{url}/api/me", headers={"Authorization": f"Bearer {tokens[1]}"})
            assert bearer.json()["name"] == "alice"
            revoke_token(orch.db, tokens[0].split("_")[1], actor="test", now=clock.t)
            revoked = me(tokens[0]).json()["error"]
            assert revoked["fields"] == {"kind": "token", "problem": "revoked"}
            assert me(short).status_code == 200
            clock.t += 61
            assert me(short).json()["error"]["fields"]["problem"] == "expired"
            assert me(tokens[1]).status_code == 200
        assert [e["token_id"] for e in _events(orch, "token.revoked")] == [tokens[0].split("_")[1]]
        assert len(_events(orch, "token.created")) == 4


def test_cors_is_closed_unless_origins_are_named(tmp_path: Path) -> None:
    inbox = "https://inbox.example.com"
    preflight = {
        "Origin": inbox,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-api-key",
    }
    base = Settings(db_url=f"sqlite:///{tmp_path / 'c.db'}", outbox_dir=tmp_path)
    with Orchestrator(base) as orch, serve_api(orch) as url:
        answer = httpx.options(f"{url}/threads/search", headers=preflight)
        assert "access-control-allow-origin" not in answer.headers
        assert "access-control-allow-origin" not in httpx.get(f"{url}/info", headers={"Origin": inbox}).headers
    with Orchestrator(replace(base, cors_origins=(inbox,))) as orch, serve_api(orch) as url:
        answer = httpx.options(f"{url}/threads/search", headers=preflight)
        assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == inbox
        assert "x-api-key" in answer.headers["access-control-allow-headers"].lower()
        other = httpx.options(f"{url}/threads/search", headers=preflight | {"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
    with pytest.raises(Exception, match="no wildcard"):
        Settings(cors_origins=("*",))


def test_tasks_start_with_confirmation_and_report_progress(orch: Orchestrator) -> None:
    task = {
        "task": "Answer these support tickets and hand me anything angry.",
        "items": [
            {"text": "How do I reset my password?", "customer": "Ann"},
            {"text": "This is useless!!", "customer": "Bo"},
        ],
    }
    owner_token = token_for(orch, "erin")
    with serve_api(orch) as url, client(url, owner_token) as http:
        plan = http.post("/api/tasks/plan", json=task).json()
        assert plan["graph"] == "support" and len(plan["runs"]) == 2 and plan["lines"][0].startswith("Plan: 2 support")
        assert orch.runs() == []  # planning starts nothing
        if plan["needs_confirmation"]:
            refused = http.post("/api/tasks", json=task)
            assert refused.status_code == 422 and "confirm" in refused.json()["error"]["message"]
            assert orch.runs() == []
        started = http.post("/api/tasks", json=task | {"confirm": True})
        assert started.status_code == 201, started.text
        ids = [r["id"] for r in started.json()["runs"]]
        progress = http.get("/api/runs", params=[("id", i) for i in ids]).json()
        assert [r["id"] for r in progress] == ids and all(r["started_by"] == "erin" for r in progress)
        assert http.post("/api/tasks", json=task | {"confirm": True}).json()["runs"] == []  # started already


def test_metrics_for_all_and_the_audit_trail_for_owners(orch: Orchestrator) -> None:
    orch.add_user("olga", "owner")
    item_id = orch.start("notify", GATED).pending_items[0]
    with serve_api(orch) as url, client(url, token_for(orch, "alice")) as alice:
        alice.post(f"/api/items/{item_id}/decision", json={"action": "approve"}).raise_for_status()
        metrics = alice.get("/api/metrics", params={"since": "7d"}).json()
        assert metrics["decisions_by_action"]["approve"] == 1
        denied = alice.get("/api/audit/export")
        assert denied.status_code == 403 and denied.json()["error"]["type"] == "RoleError"
        with client(url, token_for(orch, "olga")) as olga:
            lines = [json.loads(line) for line in olga.get("/api/audit/export").text.splitlines()]
            assert {"decision.recorded", "decision.channel", "token.created"} <= {e["kind"] for e in lines}
            assert olga.get("/api/audit/verify").json()["ok"] is True
        too_big = alice.post(f"/api/items/{item_id}/decision", content=b"{" + b" " * 1_100_000 + b"}")
        assert too_big.status_code == 413 and too_big.json()["error"]["type"] == "RequestTooLarge"


def test_owners_still_see_canaries_and_every_reviewers_override_rate(settings: Settings) -> None:
    # Control for the reviewer-side masking (tests/test_redteam_api.py): owners and admins keep the real kind,
    # the canary's events in its run's timeline and each reviewer's override rate; a reviewer sees only their own.
    policy = RiskPolicy.from_toml_text('version = "api-canary"\n[defaults]\ncanary_rate = 1.0\n')
    with Orchestrator(settings, deps=GraphDeps(policy=policy)) as orch:
        for name, role in (("alice", "reviewer"), ("bob", "reviewer"), ("olga", "owner")):
            orch.add_user(name, role)  # type: ignore[arg-type]
        first = orch.start("notify", GATED)
        orch.decide(first.pending_items[0], {"action": "reject", "reason_code": "tone", "reviewer": "bob"})
        orch.start("notify", GATED | {"recipient": "Cy Ng", "email": "cy@example.com"})
        canary = next(i for i in orch.pending(limit=10).items if i.kind == "canary")
        with serve_api(orch) as url:
            with client(url, token_for(orch, "alice")) as alice:
                assert alice.get(f"/api/items/{canary.id}").json()["kind"] == "gate"
                alice.post(f"/api/items/{canary.id}/decision", json={"action": "approve"}).raise_for_status()
                seen = [e["kind"] for e in alice.get(f"/api/runs/{canary.run_id}").json()["timeline"]]
                mine = alice.get("/api/metrics").json()["overrides"]["by_reviewer"]
            with client(url, token_for(orch, "olga")) as olga:
                assert olga.get(f"/api/items/{canary.id}").json()["kind"] == "canary"
                timeline = olga.get(f"/api/runs/{canary.run_id}").json()["timeline"]
                everyone = olga.get("/api/metrics").json()["overrides"]["by_reviewer"]
    assert "canary.missed" not in seen and "canary.missed" in [e["kind"] for e in timeline]
    assert any(e["item_id"] == canary.id for e in timeline) and not set(mine) - {"alice"}
    assert "bob" in everyone
