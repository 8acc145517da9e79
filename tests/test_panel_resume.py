"""Approve in the panel while the resumed run's model call is slow: the next item shows at once (issue 17).

A real `humangate ui` (its embedded worker pool) resumes outreach runs against ``bench/latency_server.py``;
approving a research brief resumes drafting, whose one model call the server answers after 10 s. A click
handler that waited for the resume could not show the next item before then; the test asks for it within
half of that. (Issue 17 names a 5 s model; on a shared 2-CPU machine a plain approval has taken 3.3 s to
show the next item, so a 5 s model with a 2.5 s bound would fail for reasons other than the one it
guards.) ``bench/panel_resume.py`` measures 5 s resumes against ones that take no time.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.latency_server import LatencyServer
from bench.panel import sample
from bench.panel_resume import POLICY, SLOW_MARKER, panel_env, seed_runs
from playwright.sync_api import sync_playwright
from sqlalchemy import select

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import decisions
from tests.panel_support import PanelServer, add_user, header_item_id, launch_browser, login, wait_for_item

pytestmark = pytest.mark.timeout(240)

SLOW_SECONDS = 10.0
SHOWN_WITHIN_MS = 1_000 * SLOW_SECONDS / 2


def test_next_item_shows_long_before_a_slow_resume_ends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Approving a run whose resume waits 10 s on the model shows the next item within 5 s; the run completes."""
    with LatencyServer(latency=0.0, jitter=0.0, slow_marker=SLOW_MARKER, slow_latency=SLOW_SECONDS) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)  # the research calls that start the runs
        policy = tmp_path / "policy.toml"
        policy.write_text(POLICY)
        db_url = f"sqlite:///{tmp_path / 'hg.db'}"
        settings = Settings(db_url=db_url, outbox_dir=tmp_path / "outbox", policy_path=policy)
        # A fast run to warm the page up with, the slow one, and one to show next.
        seeded = seed_runs(settings, [False, True, False])
        warm, slow, after = seeded
        slow_run = seeded[slow][1]
        add_user(settings.db_url, "erin", "expert", "erin-pw-1")
        env = panel_env(server.base_url, policy) | {"HUMANGATE_OUTBOX_DIR": str(tmp_path / "outbox")}
        with (
            PanelServer(settings.db_url, tmp_path / "ui.log", env=env) as panel,
            Orchestrator(settings) as orch,
            sync_playwright() as pw,
        ):
            browser = launch_browser(pw)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                login(page, panel.url, "erin", "erin-pw-1")
                page.locator("#open-top").click()
                wait_for_item(page, warm)
                assert sample(page)[0] == warm
                orch.wait_run(seeded[warm][1], timeout=60)  # its resume's work is done before the timed click
                wait_for_item(page, slow)
                item, ms = sample(page)
                resuming = orch.run(slow_run).status
                status = page.locator("#decision-status").inner_text()
                shown = header_item_id(page)
            finally:
                browser.close()
            assert item == slow
            assert ms < SHOWN_WITHIN_MS, f"the next item took {ms:.0f} ms: the click waited for the resume"
            assert shown == after
            assert resuming != "completed" and "resuming in the background" in status, (resuming, status)
            run = orch.wait_run(slow_run, timeout=SLOW_SECONDS + 60)
            with orch.db.read() as conn:
                decided = select(decisions.c.decided_at).where(decisions.c.item_id == slow)
                decided_at = conn.execute(decided).scalar_one()
        assert run.status == "completed" and run.outcome == "approved", (run.status, run.error, panel.log_tail())
        assert run.updated_at - decided_at >= SLOW_SECONDS, "the resume did not wait for the slow model call"
        stats = server.stats()
    assert stats["slow_by_schema"] == {"EmailDraft": 1}, stats
    assert stats["by_schema"]["EmailDraft"] == 2, stats  # the warm-up run's draft, answered at once
