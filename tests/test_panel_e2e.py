"""The reviewer panel end to end: a real `humangate ui` on localhost, driven by Playwright in Debian's chromium.

The pages are 1280x720, where every decision control must be on screen without scrolling. The module seeds
one SQLite database (the browser tests run on SQLite only; the storage scenarios
behind every button run on SQLite and PostgreSQL in test_review_flow.py), adds users through the CLI,
starts the panel as a subprocess and drives it headless. After each step it reads the database the
panel wrote. Screenshots go to ``test-artifacts/`` (``panel-1280-email.png`` is the README's picture).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import select

from humangate import Orchestrator, QueueFilter, Settings
from humangate.checkpoints.schema import decisions, outbox
from humangate.data.demo import demo_outreach_items, demo_support_messages
from humangate.review.queue import ReviewItem
from humangate.ui.inbox_view import why_waiting
from tests.panel_support import (
    CHROMIUM,
    PanelServer,
    add_user,
    choose,
    click_cell,
    fill,
    header_item_id,
    inbox_ids,
    launch_browser,
    login,
    off_screen,
    open_item,
    open_tab,
    pick_reason,
    review_session,
    screenshot,
    shown_kind,
    unfocus,
    wait_for_item,
)

pytestmark = pytest.mark.timeout(600)
expect.set_options(timeout=20_000)  # CI machines are shared: a page may take seconds to answer


def test_debian_chromium_is_installed() -> None:
    """The browser tests need Debian's chromium; `make test` installs it (Playwright cannot download one here)."""
    assert Path(CHROMIUM).exists(), f"install Debian's chromium at {CHROMIUM}: `apt-get install -y chromium`"


PASSWORDS = {"alice": "alice-pw-1", "erin": "erin-pw-1"}
XSS_SOURCE = (
    'Evil Co makes widgets. <img src=x onerror="window.__pwned=1"> '
    "<script>window.__pwned=2</script> Evil Co was founded in 2001."
)
XSS_ITEM = {
    "company": "Evil Co",
    "recipient": {"name": "Eve Mallory", "email": "eve@evil.example", "company": "Evil Co", "role": "CEO"},
    "sources": [{"id": "evil-about", "title": "About <b>Evil</b> Co", "text": XSS_SOURCE}],
    "require_approval": True,
}
XSS_NAME = '<img src=x onerror="window.__pwned=3">'
XSS_TICKET = {"id": "T-XSS", "customer": XSS_NAME, "text": "I want a refund now.", "require_approval": True}


@dataclass
class Panel:
    """The running panel, the Orchestrator the test reads the database with, and the seeded items."""

    url: str
    orch: Orchestrator
    items: dict[str, int]
    browser: Browser

    def item(self, item_id: int) -> ReviewItem:
        return self.orch.item(item_id)

    def decisions(self, item_id: int) -> list[Any]:
        with self.orch.db.read() as conn:
            return list(conn.execute(select(decisions).where(decisions.c.item_id == item_id)).all())

    def sent(self, run_id: str) -> list[dict[str, Any]]:
        with self.orch.db.read() as conn:
            rows = conn.execute(select(outbox).where(outbox.c.run_id == run_id)).all()
        return [json.loads(r.payload_json) | {"status": r.status} for r in rows]


def _seed(orch: Orchestrator) -> dict[str, int]:
    """Start the demo's outreach and support runs (all held for review) and the hostile-source item."""
    for item in demo_outreach_items():
        orch.start("outreach", item | {"require_approval": True}, started_by="seed")
    for message in demo_support_messages():
        orch.start("support", message.model_dump() | {"require_approval": True}, started_by="seed")
    orch.start("outreach", XSS_ITEM, started_by="seed")
    orch.start("support", XSS_TICKET, started_by="seed")
    northwind = next(i for i in demo_outreach_items() if i["company"] == "Northwind Analytics")
    rui = northwind["recipient"] | {"name": "Rui Costa", "email": "rui.costa@northwind-analytics.example"}
    orch.start("outreach", northwind | {"recipient": rui, "require_approval": True}, started_by="seed")
    items = {item.title: item.id for item in orch.pending(limit=200).items}
    # A critical item on a run erin started herself: the service must refuse her approval.
    legal = next(m for m in demo_support_messages() if m.customer == "Robert King")
    run = orch.start("support", legal.model_dump() | {"id": "T-ERIN", "require_approval": True}, started_by="erin")
    (items["erin's own critical item"],) = run.pending_items
    return items


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Panel]:
    """Seed a fresh SQLite database, add users with the CLI, start `humangate ui` and a browser."""
    tmp = tmp_path_factory.mktemp("panel")
    db_url = f"sqlite:///{tmp / 'panel.db'}"
    with Orchestrator(Settings(db_url=db_url, outbox_dir=tmp / "humangate-outbox")) as orch:
        items = _seed(orch)
        add_user(db_url, "alice", "reviewer", PASSWORDS["alice"])
        add_user(db_url, "erin", "expert", PASSWORDS["erin"])
        with PanelServer(db_url, tmp / "ui.log") as server, sync_playwright() as pw:
            browser = launch_browser(pw)
            try:
                yield Panel(server.url, orch, items, browser)
            finally:
                browser.close()


@pytest.fixture
def dialogs() -> list[str]:
    """Collect the messages of any alert/confirm/prompt a page opens."""
    return []


def _page(panel: Panel, user: str, dialogs: list[str]) -> Page:
    context = panel.browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.set_default_timeout(20_000)

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    login(page, panel.url, user, PASSWORDS[user])
    return page


@pytest.fixture
def alice(panel: Panel, dialogs: list[str]) -> Iterator[Page]:
    """A browser page signed in as alice, a reviewer."""
    page = _page(panel, "alice", dialogs)
    yield page
    page.context.close()


@pytest.fixture
def erin(panel: Panel, dialogs: list[str]) -> Iterator[Page]:
    """A browser page signed in as erin, an expert."""
    page = _page(panel, "erin", dialogs)
    yield page
    page.context.close()


def _status(page: Page) -> Any:
    return expect(page.locator("#decision-status"))


def _text(page: Page, elem_id: str) -> str:
    return page.locator(f"#{elem_id}").inner_text()


def test_login_inbox_and_open_top_item_shows_sources_and_reasons(panel: Panel, alice: Page) -> None:
    page = alice
    # The filters start at "all": the inbox lists every pending item, highest risk first.
    expect(page.locator("#inbox-count")).to_have_text(f"{panel.orch.count()} pending")
    assert inbox_ids(page) == [i.id for i in panel.orch.pending(limit=200).items]
    # A column says why each item waits.
    expect(page.locator("#inbox-table")).to_contain_text("why it waits")
    first = panel.orch.pending(limit=1).items[0]
    expect(page.locator('#inbox-table [role="gridcell"][data-col="3"]').first).to_have_text(why_waiting(first))
    screenshot(page, "panel-inbox")

    page.locator("#open-top").click()
    page.wait_for_function("() => /Item \\d+/.test(document.querySelector('#item-header')?.innerText ?? '')")
    top = header_item_id(page)
    assert top == panel.orch.pending(QueueFilter(role="reviewer"), limit=1).items[0].id
    item = panel.item(top)
    header = _text(page, "item-header")
    assert item.request.title in header and item.risk_level in header and item.required_role in header
    triggers = _text(page, "item-triggers")
    for t in item.request.assessment.triggers:
        assert t.reason.strip().rstrip(".") in triggers
    sources = _text(page, "item-sources")
    assert item.request.sources
    for s in item.request.sources:
        assert s.excerpt.strip().splitlines()[0][:60] in sources
    screenshot(page, "panel-review")
    # Opening claims the item for alice: the database says so.
    assert panel.item(top).claimed_by == "alice"


def test_edit_and_approve_sends_the_edited_email(panel: Panel, alice: Page) -> None:
    page = alice
    item_id = panel.items["Email to Ana Okafor (Northwind Analytics)"]
    open_item(page, item_id)
    body = page.locator("#proposal-body textarea")
    original = body.input_value()
    assert original == panel.item(item_id).request.proposal["body"]
    # The recipient is locked unless the reason is wrong_recipient; locking again puts it back.
    to = page.locator("#proposal-to input, #proposal-to textarea").first
    expect(to).to_be_disabled()
    pick_reason(page, "wrong_recipient")
    expect(to).to_be_enabled()
    to.fill("someone@else.example")
    pick_reason(page, "tone")
    expect(to).to_be_disabled()
    expect(to).to_have_value(panel.item(item_id).request.proposal["to"])
    # An edit that changes nothing is never sent, and the page says so.
    page.locator("#btn-save-edit").click()
    _status(page).to_contain_text("Nothing changed")
    assert panel.decisions(item_id) == []
    fill(page, "proposal-subject", "Northwind and us: a short hello")
    fill(page, "proposal-body", original + "\n\nP.S. Edited in the panel.")
    fill(page, "decision-note", "Friendlier subject.")
    page.locator("#btn-save-edit").click()
    _status(page).to_contain_text(f"Item {item_id}: edit recorded")
    page.wait_for_function(f"() => !/Item {item_id}\\b/.test(document.querySelector('#item-header').innerText)")

    assert panel.item(item_id).status == "decided"
    (row,) = panel.decisions(item_id)
    assert (row.action, row.reviewer, row.reason_code) == ("edit", "alice", "tone")
    edited = json.loads(row.decision_json)["edited"]
    assert edited["subject"] == "Northwind and us: a short hello"
    run = panel.orch.wait_run(panel.item(item_id).run_id, timeout=60)
    assert (run.status, run.outcome) == ("completed", "approved")
    (mail,) = panel.sent(run.id)
    assert mail["body"].endswith("P.S. Edited in the panel.") and mail["status"] == "sent"


def test_redirect_with_instructions_brings_back_a_reworked_item(panel: Panel, alice: Page) -> None:
    page = alice
    item_id = panel.items["Email to Dana Novak (Quill Legal)"]
    open_item(page, item_id)
    fill(page, "redirect-instructions", "Mention our new office in Berlin.")
    pick_reason(page, "missing_information")
    page.locator("#btn-redirect").click()
    _status(page).to_contain_text(f"Item {item_id}: redirect recorded")

    (row,) = panel.decisions(item_id)
    assert row.action == "redirect"
    assert json.loads(row.decision_json)["instructions"] == "Mention our new office in Berlin."
    run = panel.orch.wait_run(panel.item(item_id).run_id, timeout=60)
    assert run.status == "paused"
    (new_id,) = run.pending_items
    assert new_id != item_id
    reworked = panel.item(new_id)
    assert reworked.node == "review_send"
    assert "Redirected: Mention our new office in Berlin." in reworked.request.attempts

    open_tab(page, "Inbox")
    page.locator("#inbox-refresh").click()
    expect(page.locator('#inbox-table [role="gridcell"][data-col="0"]').first).to_be_visible()
    assert new_id in inbox_ids(page)
    open_item(page, new_id)
    assert "Mention our new office in Berlin." in _text(page, "item-observed")
    screenshot(page, "panel-redirected")


def test_reject_with_a_reason(panel: Panel, alice: Page) -> None:
    page = alice
    item_id = panel.items["Reply to Priya Shah: question"]
    open_item(page, item_id)
    # Number keys pick reason codes, but not while typing: "4" in the note is text.
    fill(page, "decision-note", "4")
    page.locator("#decision-note textarea").press("4")
    expect(page.locator("#decision-note textarea")).to_have_value("44")
    expect(page.locator("#reason-code input:checked")).to_have_count(0)
    fill(page, "decision-note", "We do not answer this by mail.")
    unfocus(page)
    page.keyboard.press("4")  # 4 policy
    expect(page.locator("#reason-code input:checked")).to_have_value("policy")
    page.keyboard.press("x")
    _status(page).to_contain_text(f"Item {item_id}: reject recorded")

    (row,) = panel.decisions(item_id)
    assert (row.action, row.reason_code) == ("reject", "policy")
    assert json.loads(row.decision_json)["note"] == "We do not answer this by mail."
    run = panel.orch.wait_run(panel.item(item_id).run_id, timeout=60)
    assert (run.status, run.outcome) == ("completed", "rejected")
    assert panel.sent(run.id) == []


def test_escalate_moves_the_item_from_the_reviewers_inbox_to_the_experts(panel: Panel, alice: Page, erin: Page) -> None:
    item_id = panel.items["Reply to Olivia Brown: refund"]
    open_item(alice, item_id)
    pick_reason(alice, "needs_expert")
    choose(alice, "escalate-role", "expert")
    alice.locator("#btn-escalate").click()
    _status(alice).to_contain_text(f"Item {item_id}: escalate recorded")

    (row,) = panel.decisions(item_id)
    assert (row.action, json.loads(row.decision_json)["escalate_to"]) == ("escalate", "expert")
    (new_id,) = panel.orch.wait_run(panel.item(item_id).run_id, timeout=60).pending_items
    assert panel.item(new_id).required_role == "expert"

    open_tab(alice, "Inbox")
    choose(alice, "filter-role", "reviewer")
    alice.locator("#inbox-refresh").click()
    alice.wait_for_timeout(500)
    in_reviewers = inbox_ids(alice)
    assert in_reviewers and item_id not in in_reviewers and new_id not in in_reviewers

    choose(erin, "filter-role", "expert")
    erin.locator("#inbox-refresh").click()
    erin.wait_for_timeout(500)
    assert new_id in inbox_ids(erin)
    open_item(erin, new_id)
    screenshot(erin, "panel-expert")
    erin.locator("#btn-approve").click()
    _status(erin).to_contain_text(f"Item {new_id}: approve recorded")
    run = panel.orch.wait_run(panel.item(new_id).run_id, timeout=60)
    assert (run.status, run.outcome) == ("completed", "approved")
    assert [r.reviewer for r in panel.decisions(new_id)] == ["erin"]


def test_a_reviewer_cannot_approve_a_critical_item(panel: Panel, alice: Page, erin: Page) -> None:
    item_id = panel.items["Research brief: Harbor Freight Labs"]
    assert panel.item(item_id).risk_level == "critical"
    choose(alice, "filter-role", "all")
    alice.locator("#inbox-refresh").click()
    alice.wait_for_timeout(500)
    open_item(alice, item_id)
    # Above her role the item opens read only: she sees it, is told who decides it, and cannot act on it.
    # (A forged decision event for it is refused by the service: test_ui_handlers.)
    _status(alice).to_contain_text("Read only")
    _status(alice).to_contain_text("expert")
    for button in ("#btn-approve", "#btn-reject", "#btn-redirect", "#btn-save-edit"):
        expect(alice.locator(button)).to_be_disabled()
    expect(alice.locator("#proposal-summary textarea")).to_be_disabled()
    expect(alice.locator("#proposal-claims input[type=checkbox]").first).to_be_disabled()
    wait_for_item(alice, item_id)
    screenshot(alice, "panel-refused")
    assert panel.item(item_id).status == "pending" and panel.decisions(item_id) == []

    own = panel.items["erin's own critical item"]
    assert panel.item(own).risk_level == "critical"
    choose(erin, "filter-role", "all")
    erin.locator("#inbox-refresh").click()
    erin.wait_for_timeout(500)
    open_item(erin, own)
    erin.locator("#btn-approve").click()
    _status(erin).to_contain_text("may not approve its items")
    assert panel.item(own).status == "pending" and panel.decisions(own) == []


def test_hostile_source_text_is_shown_and_never_executed(panel: Panel, alice: Page, dialogs: list[str]) -> None:
    page = alice
    item_id = panel.items["Research brief: Evil Co"]
    assert any("onerror" in s.excerpt for s in panel.item(item_id).request.sources)
    choose(page, "filter-role", "all")
    page.locator("#inbox-refresh").click()
    page.wait_for_timeout(500)
    open_item(page, item_id)
    sources = page.locator("#item-sources")
    expect(sources).to_contain_text('<img src=x onerror="window.__pwned=1">')
    expect(sources).to_contain_text("<script>window.__pwned=2</script>")
    expect(sources).to_contain_text("About <b>Evil</b> Co")
    page.wait_for_timeout(1_000)  # give a broken image time to fire its onerror
    assert page.evaluate("window.__pwned") is None
    assert sources.locator("img, script").count() == 0
    assert page.locator("img[onerror], script:has-text('__pwned')").count() == 0
    # Markup in a source never becomes a claim (the researcher keeps it out and holds the brief for it), so
    # the claims form has none of it; a form field holding hostile text is the reply's recipient below.
    expect(page.locator("#proposal-claims")).not_to_contain_text("onerror")
    assert page.locator("#proposal-claims img, #proposal-claims script").count() == 0
    open_item(page, panel.items[f"Reply to {XSS_NAME}: refund"])
    # With no address the reply stays on the ticket: the name fills the recipient field, minus the characters
    # that would make it an address (graphs.support._recipient); what is left is still hostile text, shown as text.
    on_ticket = re.sub(r"[@<>]", " ", XSS_NAME)
    expect(page.locator("#proposal-to input, #proposal-to textarea").first).to_have_value(on_ticket)
    expect(page.locator("#item-header")).to_contain_text(XSS_NAME)
    page.wait_for_timeout(1_000)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#review-body img, #review-body script").count() == 0
    assert dialogs == []
    screenshot(page, "panel-hostile-source")


def test_runs_and_audit_tabs_show_what_an_edit_changed(panel: Panel, alice: Page) -> None:
    page = alice
    open_tab(page, "Runs")
    expect(page.locator("#runs-table")).to_contain_text("Outreach to Ana Okafor")
    # The decision record of the edit made above: its diff, edited against proposed.
    edited = panel.items["Email to Ana Okafor (Northwind Analytics)"]
    run_id = panel.item(edited).run_id
    fill(page, "run-id", run_id)
    page.locator("#run-show").click()
    detail = page.locator("#run-detail")
    expect(detail).to_contain_text("Edited subject, body")
    expect(detail).to_contain_text("+subject: Northwind and us: a short hello")
    expect(detail).to_contain_text("+body: P.S. Edited in the panel.")
    open_tab(page, "Audit")
    click_cell(page, "audit-table", re.compile(r"^\s*edited subject, body"))
    expect(page.locator("#audit-detail")).to_contain_text("-subject: " + panel.item(edited).request.proposal["subject"])
    expect(page.locator("#audit-detail")).to_contain_text("+subject: Northwind and us: a short hello")
    page.locator("#audit-verify").click()
    expect(page.locator("#audit-status")).to_contain_text(re.compile("intact", re.I))
    assert panel.orch.verify_audit().ok


def test_a_brief_is_edited_claim_by_claim(panel: Panel, alice: Page) -> None:
    page = alice
    item_id = panel.items["Research brief: Lumen Robotics"]
    open_item(page, item_id)
    claims = panel.item(item_id).request.proposal["claims"]
    expect(page.locator("#proposal-claims-note")).to_contain_text(f"{len(claims)} claims")
    cell = page.locator('#proposal-claims [role="gridcell"][data-row="0"][data-col="1"]')
    expect(cell).to_have_text(claims[0]["text"])
    cell.dblclick()
    page.keyboard.press("Control+a")
    page.keyboard.type("Lumen Robotics was founded in 2016, according to its press page.")
    page.keyboard.press("Enter")
    page.locator('#proposal-claims [role="gridcell"][data-row="1"][data-col="0"] input[type=checkbox]').check()
    unfocus(page)
    page.keyboard.press("2")  # 2 unsupported_claim
    expect(page.locator("#reason-code input:checked")).to_have_value("unsupported_claim")
    page.keyboard.press("e")
    _status(page).to_contain_text(f"Item {item_id}: edit recorded")
    (row,) = panel.decisions(item_id)
    assert (row.action, row.reason_code) == ("edit", "unsupported_claim")
    edited = json.loads(row.decision_json)["edited"]["claims"]
    text = "Lumen Robotics was founded in 2016, according to its press page."
    assert edited == [{"text": text, "source_ids": claims[0]["source_ids"]}, *claims[2:]]


def test_every_decision_control_is_on_screen_for_each_proposal_kind(panel: Panel, erin: Page) -> None:
    page = erin
    choose(page, "filter-role", "all")
    page.locator("#inbox-refresh").click()
    page.wait_for_timeout(500)
    for title, kind in (
        ("Email to Rui Costa (Northwind Analytics)", "email"),
        ("Reply to Marco Rossi: question", "reply"),
        ("Research brief: Harbor Freight Labs", "brief"),
    ):
        open_item(page, panel.items[title])
        assert shown_kind(page) == kind
        assert off_screen(page) == [], f"{kind}: decision controls off screen at 1280x720"
        # Why it paused sits beside the proposal, on the first screen.
        proposal = page.locator("#proposal-body, #proposal-summary").first.bounding_box()
        why = page.locator("#item-triggers").bounding_box()
        assert proposal and why and why["x"] >= proposal["x"] + proposal["width"] and why["y"] < 720 / 2
        screenshot(page, f"panel-1280-{kind}", full_page=False)


def test_a_scripted_session_decides_by_keyboard_without_scrolling(panel: Panel, erin: Page) -> None:
    """A short run of bench/panel_session.py's scripted reviewer: the same code, four decisions."""
    before = {i.id for i in panel.orch.pending(limit=200).items}
    session = review_session(erin, 4)
    assert len(session.items) == 4 and session.scrolled == 0
    assert session.off_screen and all(v == [] for v in session.off_screen.values()), session.off_screen
    assert all(s > 0 for s in session.seconds)
    for item_id in session.items:
        assert item_id in before and panel.item(item_id).status == "decided"
        assert [r.reviewer for r in panel.decisions(item_id)] == ["erin"]
