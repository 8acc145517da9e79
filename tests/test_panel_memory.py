"""The panel's Memory tab: its handlers on SQLite and PostgreSQL, then end to end in Debian's chromium.

The handler tests read the database after every refusal to check that nothing changed. The browser test
teaches memory through a real decision (an edit with a hostile note), signs in as an owner, disables the
correction on the page and reads the corrections table and the audit trail the panel wrote.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import select

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import audit_events, corrections
from humangate.errors import InvalidInputError
from humangate.ui import build_app
from humangate.ui import memory_view as m
from tests.panel_support import PanelServer, add_user, launch_browser, login, open_tab

pytestmark = pytest.mark.timeout(600)

T0 = 1_700_000_000.0
H = 3_600.0
QUESTION = "How do I export my invoices as CSV?"
HOSTILE = '<img src=x onerror=alert(1)> <img src=x onerror="window.__pwned=1"> ${alert(2)} `tick`'


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    """Return a clock that starts at T0."""
    return Clock(T0)


@pytest.fixture
def morch(settings: Settings, clock: Clock) -> Iterator[Orchestrator]:
    """Return an Orchestrator on a hand-moved clock with a reviewer (alice), an owner (olga) and an admin (adam)."""
    with Orchestrator(settings, clock=clock) as o:
        o.add_user("alice", "reviewer")
        o.add_user("olga", "owner")
        o.add_user("adam", "admin")
        yield o


def _teach(orch: Orchestrator, *, graph: str = "support", kind: str = "edit", reviewer: str = "bea", **kw: Any) -> int:
    """Store one correction through the real store (redacted, embedded, audited)."""
    return orch.memory.record(
        graph=graph,
        node="review_reply",
        kind=kind,
        reviewer=reviewer,
        key_text=kw.pop("key_text", f"{kind} lesson in {graph}"),
        proposal=kw.pop("proposal", {"body": "We reply within one business day."}),
        **kw,
    )


def _active(orch: Orchestrator) -> dict[int, bool]:
    with orch.db.read() as conn:
        return {int(r.id): bool(r.active) for r in conn.execute(select(corrections.c.id, corrections.c.active))}


def _memory_events(orch: Orchestrator) -> list[tuple[str, str, dict[str, Any]]]:
    with orch.db.read() as conn:
        rows = conn.execute(
            select(audit_events.c.kind, audit_events.c.actor, audit_events.c.payload_json)
            .where(audit_events.c.kind.in_(["memory.disabled", "memory.enabled", "memory.rolled_back"]))
            .order_by(audit_events.c.seq)
        ).all()
    return [(r.kind, r.actor, json.loads(r.payload_json)) for r in rows]


def _planned(outcome: m.Outcome) -> tuple[int, ...]:
    assert outcome.ok and outcome.plan is not None, outcome.message
    return outcome.plan.ids


def test_list_is_newest_first_filtered_and_paged(morch: Orchestrator) -> None:
    edit, reject, approve = (_teach(morch, kind=k) for k in ("edit", "reject", "approve"))
    other = _teach(morch, graph="drafting", kind="redirect", instructions="Cite the source.")
    morch.memory.set_active(reject, False, actor="olga")

    page = m.memory_page(morch)
    assert [r[0] for r in page.rows] == [other, approve, reject, edit]
    assert page.rows[0][2:5] == ["drafting", "review_reply", "redirect"]
    assert page.rows[0][7] == "redirected: Cite the source."
    assert page.rows[2][8] == "no" and page.count_text == "4 correction(s) match; showing 1–4."
    assert [r[0] for r in m.memory_page(morch, graph="support").rows] == [approve, reject, edit]
    assert [r[0] for r in m.memory_page(morch, kind="edit").rows] == [edit]
    assert [r[0] for r in m.memory_page(morch, show="disabled").rows] == [reject]
    assert [r[0] for r in m.memory_page(morch, show="active", graph="support").rows] == [approve, edit]

    second = m.memory_page(morch, offset=2, limit=2)
    assert [r[0] for r in second.rows] == [reject, edit] and second.count_text.endswith("showing 3–4.")
    assert m.memory_page(morch, offset=99, limit=2).offset == 2  # past the end: the last page
    assert m.memory_page(morch, graph="nope").count_text == "No correction matches."
    with pytest.raises(InvalidInputError, match="Show must be one of all, active, disabled"):
        m.memory_page(morch, show="maybe")


def test_a_correction_is_shown_whole_and_inert(morch: Orchestrator) -> None:
    cid = _teach(
        morch,
        situation=f"Customer wrote: {HOSTILE}",
        proposal={"body": f"Sure {HOSTILE}"},
        corrected={"body": "Sure, here is how."},
        reason_code="policy",
        note=f"Never promise times {HOSTILE}",
    )
    html = m.correction_html(morch, f" #{cid} ")
    for text in ("(active)", "edit at support / review_reply by bea", "reason policy", "What the agent saw"):
        assert text in html
    assert "Sure, here is how." in html and "Reviewer's version" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img" not in html and "${" not in html and "`" not in html
    morch.memory.set_active(cid, False, actor="olga")
    assert "(disabled: it no longer steers runs)" in m.correction_html(morch, cid)
    assert "No correction 9999" in m.correction_html(morch, "9999")
    assert "Type a correction id" in m.correction_html(morch, "<b>x</b>")
    assert "<b>" not in m.correction_html(morch, "<b>x</b>")


def test_a_reviewer_cannot_change_memory_and_nothing_changes(morch: Orchestrator, clock: Clock) -> None:
    cid = _teach(morch)
    before = _active(morch)
    for user in ("alice", None, "mallory"):
        refused = m.change_active(morch, user, str(cid), False, "I dislike it")
        assert not refused.ok
    refused = m.change_active(morch, "alice", cid, False, "")
    assert "alice's role is reviewer; only owners and admins may" in refused.message
    assert "Sign in first" in m.change_active(morch, None, cid, False, "").message
    assert "mallory" in m.change_active(morch, "mallory", cid, False, "").message  # not in the users table

    clock.now += H
    assert not m.plan_rollback(morch, "alice", "2h").ok
    plan = m.plan_rollback(morch, "olga", "2h").plan  # an owner's preview does not let a reviewer confirm it
    assert plan is not None and plan.ids == (cid,)
    refused = m.confirm_rollback(morch, "alice", plan)
    assert not refused.ok and "only owners and admins" in refused.message
    assert _active(morch) == before == {cid: True}
    assert _memory_events(morch) == []


def test_an_owner_disables_and_re_enables_with_an_audit_trail(morch: Orchestrator) -> None:
    cid = _teach(morch)
    done = m.change_active(morch, "olga", str(cid), False, "  too broad  ")
    assert done.ok and done.message == f"Correction {cid} is now disabled: the next run no longer sees it."
    assert _active(morch) == {cid: False}
    again = m.change_active(morch, "olga", cid, False, "")
    assert again.ok and "already disabled; nothing changed" in again.message
    assert m.change_active(morch, "adam", cid, True, "").ok
    assert _active(morch) == {cid: True}
    events = _memory_events(morch)
    assert [(k, a) for k, a, _ in events] == [
        ("memory.disabled", "olga"),
        ("memory.disabled", "olga"),
        ("memory.enabled", "adam"),
    ]
    assert events[0][2] == {"correction_id": cid, "reason": "too broad", "changed": True}
    assert events[2][2]["reason"] is None


def test_unknown_ids_and_bad_since_are_clear_errors(morch: Orchestrator) -> None:
    cid = _teach(morch)
    unknown = m.change_active(morch, "olga", "9999", False, "")
    assert not unknown.ok and unknown.message.startswith("No correction 9999")
    assert "Type a correction id" in m.change_active(morch, "olga", "seven", False, "").message
    bad = m.plan_rollback(morch, "olga", "yesterday-ish")
    assert not bad.ok and bad.plan is None and "Cannot read" in bad.message and "7d" in bad.message
    assert "Give a time to roll back from" in m.plan_rollback(morch, "olga", "  ").message
    assert "Preview the roll back first" in m.confirm_rollback(morch, "olga", None).message
    assert _active(morch) == {cid: True} and _memory_events(morch) == []


def test_rollback_previews_then_disables_only_what_it_showed(morch: Orchestrator, clock: Clock) -> None:
    old = _teach(morch)
    clock.now += 3 * H
    recent = _teach(morch, reviewer="alice")
    bobs = _teach(morch, graph="drafting", reviewer="bob")
    clock.now += H

    assert _planned(m.plan_rollback(morch, "olga", "2h", reviewer="bob")) == (bobs,)
    assert _planned(m.plan_rollback(morch, "olga", "2h", graph="support")) == (recent,)
    nothing = m.plan_rollback(morch, "olga", "30m")
    assert not nothing.ok and nothing.plan is None and "nothing to undo" in nothing.message

    preview = m.plan_rollback(morch, "olga", "2h")
    assert preview.ok and preview.plan is not None and preview.plan.ids == (recent, bobs)
    assert preview.plan.since == clock.now - 2 * H
    assert f"2 active correction(s) learned since 2023-11-15 00:13 UTC would be disabled: {recent}, {bobs}" in (
        preview.message
    )
    assert _active(morch) == {old: True, recent: True, bobs: True}  # a preview changes nothing

    late = _teach(morch, reviewer="alice")  # learned after the preview: confirming must not hide it silently
    changed = m.confirm_rollback(morch, "olga", preview.plan, "bad afternoon")
    assert not changed.ok and "3 correction(s) match now, not 2" in changed.message
    assert changed.plan is not None and changed.plan.ids == (recent, bobs, late)
    assert _active(morch) == {old: True, recent: True, bobs: True, late: True}

    done = m.confirm_rollback(morch, "adam", changed.plan, " bad afternoon ")
    assert done.ok and done.message.startswith(f"Disabled 3 correction(s): {recent}, {bobs}, {late}.")
    assert _active(morch) == {old: True, recent: False, bobs: False, late: False}
    [(kind, actor, payload)] = _memory_events(morch)
    assert (kind, actor, payload["reason"], sorted(payload["disabled"])) == (
        "memory.rolled_back",
        "adam",
        "bad afternoon",
        [recent, bobs, late],
    )


# Building gr.Blocks leaves gradio's event loops unclosed (see test_ui_handlers); that leak is gradio's.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_the_panel_builds_with_the_memory_tab(morch: Orchestrator) -> None:
    app = build_app(morch, default_user="olga")
    ids = {getattr(b, "elem_id", None) for b in app.blocks.values()}
    assert {"memory-table", "memory-detail", "memory-disable", "memory-enable", "memory-rb-confirm"} <= ids
    gc.collect()  # collect gradio's loops here, where the warning is ignored, not in a later test


def test_memory_tab_in_the_browser(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'memory.db'}"
    with Orchestrator(Settings(db_url=db_url, outbox_dir=tmp_path / "outbox")) as orch:
        orch.add_user("alice", "reviewer")
        run = orch.start(
            "support",
            {"id": "t", "customer": "Dana Fox", "text": QUESTION, "require_approval": True},
        )
        (item_id,) = run.pending_items
        proposal = orch.item(item_id).request.proposal
        orch.decide(
            item_id,
            {
                "action": "edit",
                "reviewer": "alice",
                "reason_code": "policy",
                "note": f"We never promise response times. {HOSTILE}",
                "edited": {**proposal, "body": proposal["body"] + "\nYou will find the export under Billing."},
            },
        )
        [taught] = orch.memory.corrections()
        assert taught.active and HOSTILE in (taught.note or "")
    add_user(db_url, "olga", "owner", "olga-pw-1")
    dialogs: list[str] = []
    with PanelServer(db_url, tmp_path / "ui.log") as server, sync_playwright() as pw:
        browser = launch_browser(pw)
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.set_default_timeout(30_000)
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            login(page, server.url, "olga", "olga-pw-1")
            open_tab(page, "Memory")
            expect(page.locator("#memory-access")).to_contain_text("Signed in as olga. You may disable")
            expect(page.locator("#memory-count")).to_contain_text("1 correction(s) match")
            cell = page.locator('#memory-table [role="gridcell"][data-col="0"]', has_text=str(taught.id))
            cell.first.click()
            detail = page.locator("#memory-detail")
            expect(detail).to_contain_text(f"Correction {taught.id} (active)")
            expect(detail).to_contain_text("edit at support / review_reply by alice")
            expect(detail).to_contain_text(f"We never promise response times. {HOSTILE}")
            page.wait_for_timeout(1_000)  # give a broken image time to fire its onerror
            assert page.evaluate("window.__pwned") is None and dialogs == []
            assert detail.locator("img, script").count() == 0
            assert page.locator("img[onerror]").count() == 0

            page.locator("#memory-reason textarea, #memory-reason input").first.fill("Too broad a lesson.")
            page.locator("#memory-disable").click()
            expect(page.locator("#memory-status")).to_contain_text(f"Correction {taught.id} is now disabled")
            expect(detail).to_contain_text("(disabled: it no longer steers runs)")
            expect(page.locator('#memory-table [role="gridcell"][data-col="8"]').first).to_have_text("no")
        finally:
            browser.close()
    with Orchestrator(Settings(db_url=db_url, outbox_dir=tmp_path / "outbox")) as orch:
        assert not orch.memory.get(taught.id).active
        events = _memory_events(orch)
    assert [(k, a, p["correction_id"], p["reason"]) for k, a, p in events] == [
        ("memory.disabled", "olga", taught.id, "Too broad a lesson.")
    ]
