"""The panel's Metrics tab: its HTML and plot data as plain functions, then end to end in Debian's chromium.

The browser test seeds a SQLite database with the story of ``test_quality`` moved to the last three days
plus two weeks of ordinary activity (assessments, gate items and decisions), starts `humangate ui`, signs
in, opens the Metrics tab and reads the numbers and the flagged reviewer off the page. Its screenshot goes
to pytest's tmp_path, and to ``docs/metrics.png`` when ``HUMANGATE_UPDATE_DOCS=1``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import Connection, insert

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import assessments, decisions, review_items, runs
from humangate.oversight.metrics import Rate
from humangate.oversight.quality import Agreement, Canaries, QualityReport, ReviewerQuality
from humangate.oversight.trends import DailySeries
from humangate.ui.metrics_tab import reviewers_html, series_frames
from tests.panel_support import ROOT, PanelServer, add_user, launch_browser, login, open_tab
from tests.test_quality import seed_story

pytestmark = pytest.mark.timeout(600)

D = 86_400.0
TRIGGERS = (",pii,", ",policy,", ",impact,", ",pii,policy,", ",sentiment,")
HOSTILE = '<img src=x onerror="window.__pwned=1">${alert(1)}'


def _reviewer(name: str, flags: tuple[str, ...] = ()) -> ReviewerQuality:
    return ReviewerQuality(name, 12, 11, 11 / 12, 12, 9, 0.75, 11, 0.3, 2, 2, 0.0, flags)


def _report(*reviewers: ReviewerQuality) -> QualityReport:
    return QualityReport(
        0.0, None, None, Agreement(0, 0, 0, None, None, None), reviewers, Rate(0, 0), Rate(0, 0), Canaries(0, 0, 0, 0)
    )


def test_reviewer_table_marks_flags_and_escapes_names() -> None:
    html = reviewers_html(_report(_reviewer("alice"), _reviewer(HOSTILE, (f"Flag about {HOSTILE}.",))))
    assert "<img" not in html and "${" not in html and "&lt;img src=x" in html
    assert html.index("hg-flagged") < html.index("alice")  # flagged reviewers come first
    assert html.count('class="hg-flagged"') == 1 and "1 of 2 reviewers flagged" in html
    assert reviewers_html(_report()) == "<p>No reviewer decided anything in this period.</p>"


def test_a_reviewer_sees_only_their_own_row() -> None:
    report = _report(_reviewer("alice"), _reviewer("bob", ("Flag about bob.",)))
    html = reviewers_html(report, only="alice")
    assert "alice" in html and "bob" not in html and "hg-flagged" not in html
    assert "owners and admins see every reviewer" in html and "Not flagged." in html
    assert "Flagged for possible rubber-stamping." in reviewers_html(report, only="bob")
    assert "You decided nothing in this period." in reviewers_html(report, only="carol")


def test_series_frames_are_long_form() -> None:
    s = DailySeries(
        days=("2024-05-01", "2024-05-02"),
        escalation=(Rate(1, 4), Rate(0, 0)),
        overrides=(Rate(1, 2), Rate(2, 2)),
        actions=(("approve", (3, 0)), ("reject", (1, 2))),
        triggers=(("pii", (2, 1)),),
    )
    rates, actions, triggers = series_frames(s)
    # A day without assessments has no escalation rate: the line skips it rather than drawing 0.
    assert rates.to_dict("records") == [
        {"day": "2024-05-01", "series": "escalation rate", "percent": 25.0},
        {"day": "2024-05-01", "series": "override rate", "percent": 50.0},
        {"day": "2024-05-02", "series": "override rate", "percent": 100.0},
    ]
    assert list(actions["decisions"]) == [3, 0, 1, 2] and list(actions.columns) == ["day", "action", "decisions"]
    assert list(triggers["assessments"]) == [2, 1]
    assert series_frames(DailySeries((), (), (), (), ()))[0].empty


def seed_activity(conn: Connection, now: float) -> None:
    """Insert 14 days of ordinary work: 12 assessments a day, 4 + day % 4 of them held and decided.

    bob approves whatever he gets in 2 s (under every minimum dwell); alice and carol take their time.
    """
    conn.execute(
        insert(runs).values(
            id="activity",
            graph="notify",
            title="activity",
            status="paused",
            inputs_json="{}",
            created_at=now - 15 * D,
            updated_at=now,
        )
    )
    for d in range(14):
        for k in range(12):
            t = now - (13 - d) * D - 3_600 + k * 60
            held = k < 4 + d % 4
            kinds = TRIGGERS[(k + d) % len(TRIGGERS)] if held else ""
            conn.execute(
                insert(assessments).values(
                    event_id=f"a-{d}-{k}",
                    run_id="activity",
                    graph="notify",
                    node="review",
                    level="high" if held else "low",
                    score=0.5,
                    needs_review=held,
                    trigger_kinds=kinds,
                    policy_version="test",
                    assessment_json="{}",
                    created_at=t,
                )
            )
            if not held:
                continue
            item = conn.execute(
                insert(review_items).values(
                    interrupt_id=f"act-{d}-{k}",
                    run_id="activity",
                    graph="notify",
                    node="review",
                    title=f"activity {d}-{k}",
                    risk_level="high",
                    risk_rank=2,
                    score=0.5,
                    trigger_kinds=kinds,
                    required_role="reviewer",
                    min_dwell_seconds=10.0,
                    escalation_level=0,
                    status="pending" if (d, k) in {(13, 0), (12, 0)} else "decided",
                    version=0,
                    created_at=t,
                    request_json="{}",
                    kind="gate",
                    sla_step=0,
                    approvals_needed=1,
                    blind=False,
                )
            ).inserted_primary_key[0]
            if (d, k) in {(13, 0), (12, 0)}:
                continue  # still in the queue
            reviewer = ("bob", "alice", "carol")[k % 3]
            action = {
                "bob": "approve",
                "alice": ("approve", "edit", "approve", "reject")[(d + k) % 4],
                "carol": ("approve", "redirect")[(d + k) % 2],
            }[reviewer]
            conn.execute(
                insert(decisions).values(
                    item_id=item,
                    run_id="activity",
                    interrupt_id=f"act-{d}-{k}",
                    reviewer=reviewer,
                    action=action,
                    decision_json="{}",
                    request_sha256="0" * 64,
                    decided_at=t + 300 + 40 * k,
                    dwell_seconds=2.0 if reviewer == "bob" else 40.0,
                )
            )


def test_metrics_tab_in_the_browser(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'metrics.db'}"
    with Orchestrator(Settings(db_url=db_url, outbox_dir=tmp_path / "outbox")) as orch:
        now = orch.clock()
        with orch.db.write() as conn:
            seed_story(conn, (now // D - 3) * D)  # the story's two days are the two days before today
            seed_activity(conn, now)
    add_user(db_url, "alice", "reviewer", "alice-pw-1")
    add_user(db_url, "olive", "owner", "olive-pw-1")
    with PanelServer(db_url, tmp_path / "ui.log") as server, sync_playwright() as pw:
        browser = launch_browser(pw)
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.set_default_timeout(30_000)
            login(page, server.url, "olive", "olive-pw-1")  # an owner sees every reviewer's signals
            open_tab(page, "Metrics")
            # Escalation over the last 30 days: activity 14 * 4 + (0+1+2+3)*3 + 0 + 1 = 75 held of 14 * 12 = 168,
            # the story 3 of 5: 78 / 173 = 45.1%. The story's figures are those of test_quality.
            cards = {
                "escalation": "45.1%",
                "kappa": "0.50",
                "post-review": "50.0%",
                "auto-pass": "33.3%",
                "canary": "50.0%",
            }
            for key, value in cards.items():
                expect(page.locator(f"#card-{key} .hg-value")).to_have_text(value)
            # The queue counts items that hold a run: 2 activity items + the story's v1-v5 (not audit k6, canary p4).
            expect(page.locator("#card-queue .hg-value")).to_have_text("7 pending")
            for key in ("override", "ttd"):
                expect(page.locator(f"#card-{key} .hg-value")).not_to_have_text("–")
            flagged = page.locator("#metrics-reviewers tr.hg-flagged")
            expect(flagged).to_have_count(1)
            expect(flagged).to_contain_text("bob")
            expect(flagged).to_contain_text("faster than the minimum review time")
            expect(page.locator("#metrics-reviewers tr", has_text="alice")).not_to_have_class("hg-flagged")
            for plot in ("plot-rates", "plot-actions", "plot-triggers"):
                page.locator(f"#{plot} canvas, #{plot} svg.marks").first.wait_for(state="visible")
            page.wait_for_timeout(1_000)  # let vega finish its transitions before the picture

            shot = tmp_path / "metrics.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 50_000, "the screenshot looks empty"
            if os.environ.get("HUMANGATE_UPDATE_DOCS") == "1":
                (ROOT / "docs").mkdir(exist_ok=True)
                shutil.copyfile(shot, ROOT / "docs" / "metrics.png")

            page.get_by_label("Last 7 days").check()
            # Seven days back: activity days 7..13 hold 4*7 + (3+0+1+2+3+0+1) = 38 of 84; story 3 of 5: 41/89.
            expect(page.locator("#card-escalation .hg-value")).to_have_text("46.1%")

            # A reviewer sees the same figures and only their own row.
            mine = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            mine.set_default_timeout(30_000)
            login(mine, server.url, "alice", "alice-pw-1")
            open_tab(mine, "Metrics")
            expect(mine.locator("#card-escalation .hg-value")).to_have_text("45.1%")
            expect(mine.locator("#metrics-reviewers")).to_contain_text("owners and admins see every reviewer")
            expect(mine.locator("#metrics-reviewers tr")).to_have_count(2)  # the header and alice
            expect(mine.locator("#metrics-reviewers tr").nth(1)).to_contain_text("alice")
            expect(mine.locator("#metrics-reviewers")).not_to_contain_text("bob")
        finally:
            browser.close()
