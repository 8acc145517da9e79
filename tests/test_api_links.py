"""Approve by link, over real HTTP: the page shows, only a POST decides, once, and never a critical item alone."""

from __future__ import annotations

import base64
import json
import stat
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import audit_events, decisions, link_uses, notifications
from humangate.oversight.links import LinkClaims, link_key, link_key_path, mint_link, read_link, sign_link
from tests.api_support import CRITICAL, GATED, Clock, serve_api

PUBLIC = "https://review.example.com"
PASSWORDS = {"alice": "alice's long passphrase", "bob": "bob's long passphrase", "erin": "erin's long passphrase"}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def linked(db_url: str, tmp_path: Path, clock: Clock) -> Iterator[Orchestrator]:
    """An Orchestrator whose notifications carry review links, with alice, bob (reviewers) and erin (expert).

    On both backends: a link is spent by a primary key in SQLite and in PostgreSQL alike.
    """
    keys = {} if db_url.startswith("sqlite") else {"link_key_file": tmp_path / "link.key"}
    settings = Settings(
        db_url=db_url,
        outbox_dir=tmp_path / "out",
        **keys,  # type: ignore[arg-type]
        public_url=PUBLIC,
        webhook_url="http://127.0.0.1:9/hook",
        webhook_secret="hook-secret",
        link_ttl_seconds=3600,
    )
    with Orchestrator(settings, clock=clock) as orch:
        for name, role in (("alice", "reviewer"), ("bob", "reviewer"), ("erin", "expert")):
            orch.add_user(name, role)  # type: ignore[arg-type]
            orch.set_password(name, PASSWORDS[name])
        yield orch


def _notified_path(orch: Orchestrator, item_id: int) -> str:
    with orch.db.read() as conn:
        body = conn.execute(select(notifications.c.payload_json).where(notifications.c.item_id == item_id)).scalar_one()
    url = json.loads(body)["review_url"]
    assert url.startswith(f"{PUBLIC}/links/")
    return url.removeprefix(PUBLIC)


def _events(orch: Orchestrator) -> int:
    with orch.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(audit_events)).scalar_one())


def _sign_in(name: str) -> dict[str, str]:
    return {"name": name, "password": PASSWORDS[name]}


def test_a_notified_link_shows_the_item_escaped_and_only_a_post_decides_once(linked: Orchestrator) -> None:
    hostile = GATED | {"recipient": "<script>alert(1)</script> Roy", "topic": 'Hi <img src=x onerror="alert(2)">'}
    item_id = linked.start("notify", hostile).pending_items[0]
    path = _notified_path(linked, item_id)
    claims = read_link(link_key(linked.settings), path.removeprefix("/links/"), now=linked.clock())
    with serve_api(linked) as url:
        before = _events(linked)
        for _ in range(2):  # a mail scanner's prefetch, then the reviewer
            page = httpx.get(url + path)
            assert page.status_code == 200
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>" not in page.text
            assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in page.text and "<img" not in page.text
            assert "default-src 'none'" in page.headers["content-security-policy"]
            assert page.headers["referrer-policy"] == "no-referrer" and page.headers["cache-control"] == "no-store"
        item = linked.item(item_id)
        assert item.status == "pending" and item.claimed_by is None and _events(linked) == before  # GET changed nothing

        no_sign_in = httpx.post(url + path, data={"action": "approve"})
        assert no_sign_in.status_code == 401 and linked.item(item_id).status == "pending"
        decided = httpx.post(url + path, data={"action": "approve", **_sign_in("alice")})
        assert decided.status_code == 200 and "Decided: approve by alice" in decided.text
        assert linked.item(item_id).status == "decided"

        reused = httpx.post(url + path, data={"action": "approve", **_sign_in("bob")})
        assert reused.status_code == 410 and "used already" in reused.text
        assert httpx.get(url + path).status_code == 410
    with linked.db.read() as conn:
        (decision_id,) = conn.execute(select(decisions.c.id)).scalars()
        row = conn.execute(select(link_uses)).one()
        (payload,) = conn.execute(
            select(audit_events.c.payload_json).where(audit_events.c.kind == "decision.channel")
        ).scalars()
    assert row.link_id == claims.link_id and row.reviewer == "alice" and row.decision_id == decision_id
    assert json.loads(payload) == {"channel": "link", "link_id": claims.link_id, "decision_id": decision_id}
    assert linked.verify_audit().ok


def test_expired_and_tampered_links_are_refused(linked: Orchestrator, clock: Clock, tmp_path: Path) -> None:
    item_id = linked.start("notify", GATED).pending_items[0]
    token, _ = mint_link(linked.settings, item_id, now=clock.t, reviewer="alice", ttl_seconds=60)
    payload, signature = token.split(".")
    forged_payload = base64.urlsafe_b64encode(json.dumps({"l": "x", "i": item_id, "e": 9e9, "u": "erin"}).encode())
    other_key = sign_link(b"k" * 32, LinkClaims("x", item_id, clock.t + 60, "alice"))
    flipped = signature[:-2] + ("AA" if not signature.endswith("AA") else "BB")
    with serve_api(linked) as url:
        for bad in (
            f"{payload}.{flipped}",
            f"{forged_payload.decode().rstrip('=')}.{signature}",
            other_key,
            "x" * 2000,
        ):
            for answer in (
                httpx.get(f"{url}/links/{bad}"),
                httpx.post(f"{url}/links/{bad}", data={"action": "approve"}),
            ):
                assert answer.status_code == 403 and "This review link is not valid" in answer.text
        clock.t += 61
        expired = httpx.post(f"{url}/links/{token}", data={"action": "approve"})
        assert expired.status_code == 410 and "expired" in expired.text
    assert linked.item(item_id).status == "pending"
    path = link_key_path(linked.settings)
    db = linked.settings.database.sqlite_path
    assert path == (db.with_name(db.name + ".link-key") if db else tmp_path / "link.key")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # a file outside the database, readable by its owner only


def test_a_link_alone_never_decides_a_critical_item(linked: Orchestrator, clock: Clock) -> None:
    critical = linked.start("notify", CRITICAL).pending_items[0]
    gated = linked.start("notify", GATED).pending_items[0]

    def link(item_id: int, reviewer: str | None) -> str:
        return "/links/" + mint_link(linked.settings, item_id, now=clock.t, reviewer=reviewer)[0]

    with serve_api(linked) as url:
        for_erin = link(critical, "erin")
        page = httpx.get(url + for_erin)
        assert "critical: sign in to decide it" in page.text and 'name="password"' in page.text
        alone = httpx.post(url + for_erin, data={"action": "approve"})
        assert alone.status_code == 401 and linked.item(critical).status == "pending"
        as_bob = httpx.post(url + for_erin, data={"action": "approve", **_sign_in("bob")})
        assert as_bob.status_code == 401 and "made for erin" in as_bob.text
        wrong = httpx.post(url + for_erin, data={"action": "approve", "name": "erin", "password": "not it at all"})
        assert wrong.status_code == 401
        as_alice = httpx.post(url + link(critical, None), data={"action": "approve", **_sign_in("alice")})
        assert as_alice.status_code == 403 and "expert" in as_alice.text  # the service's role check
        assert linked.item(critical).status == "pending"
        signed_in = httpx.post(url + for_erin, data={"action": "approve", **_sign_in("erin")})
        assert signed_in.status_code == 200 and linked.item(critical).status == "decided"

        for_alice = link(gated, "alice")  # not critical: a per-reviewer link decides without signing in
        assert 'name="password"' not in httpx.get(url + for_alice).text
        assert httpx.post(url + for_alice, data={"action": "approve"}).status_code == 200
    with linked.db.read() as conn:
        failures = conn.execute(select(audit_events.c.actor).where(audit_events.c.kind == "auth.login_failed"))
        assert list(failures.scalars()) == ["erin"]


def test_a_refused_decision_gives_the_link_back(linked: Orchestrator, clock: Clock) -> None:
    item_id = linked.start("notify", GATED).pending_items[0]
    path = "/links/" + mint_link(linked.settings, item_id, now=clock.t, reviewer="alice")[0]
    with serve_api(linked) as url:
        no_reason = httpx.post(url + path, data={"action": "reject"})
        assert no_reason.status_code == 422 and "reason_code" in no_reason.text
        edit = httpx.post(url + path, data={"action": "edit"})
        assert edit.status_code == 422 and "approves, rejects or sends back" in edit.text
        with linked.db.read() as conn:
            assert conn.execute(select(link_uses)).all() == []
        back = httpx.post(url + path, data={"action": "redirect", "reason_code": "tone", "instructions": "Say thanks."})
        assert back.status_code == 200 and "Decided: redirect by alice" in back.text
    run = linked.run(linked.item(item_id).run_id)
    assert "Say thanks." in linked.item(run.pending_items[0]).request.proposal["body"]


def test_a_link_starts_the_minimum_review_time_with_a_claim(linked: Orchestrator, clock: Clock, tmp_path: Path) -> None:
    policy = tmp_path / "dwell.toml"
    policy.write_text('version = "t"\n[defaults.min_dwell_seconds]\nlow = 10\nmedium = 10\nhigh = 10\ncritical = 10\n')
    with Orchestrator(replace(linked.settings, policy_path=policy), clock=clock) as orch:
        item_id = orch.start("notify", GATED).pending_items[0]
        path = "/links/" + mint_link(orch.settings, item_id, now=clock.t, reviewer="alice")[0]
        with serve_api(orch) as url:
            assert "Start reviewing" in httpx.get(url + path).text
            early = httpx.post(url + path, data={"action": "approve"})
            assert early.status_code == 409 and "claim it first" in early.text
            claimed = httpx.post(url + path, data={"action": "claim"})
            assert claimed.status_code == 200 and "Claimed for alice" in claimed.text
            assert orch.item(item_id).claimed_by == "alice"
            clock.t += 11
            assert httpx.post(url + path, data={"action": "approve"}).status_code == 200
        assert orch.item(item_id).status == "decided"


def test_concurrent_posts_of_one_link_decide_once(linked: Orchestrator, clock: Clock) -> None:
    item_id = linked.start("notify", GATED).pending_items[0]
    path = "/links/" + mint_link(linked.settings, item_id, now=clock.t, reviewer="alice")[0]
    with serve_api(linked) as url, ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: httpx.post(url + path, data={"action": "approve"}), range(4)))
    assert [a.status_code for a in answers].count(200) == 1, [a.status_code for a in answers]
    assert {a.status_code for a in answers} - {200} <= {409, 410}
    with linked.db.read() as conn:
        assert len(conn.execute(select(decisions)).all()) == 1 and len(conn.execute(select(link_uses)).all()) == 1
