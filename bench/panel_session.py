"""A scripted review session in a real browser: one reviewer decides 50 items by keyboard; seconds per decision.

Setup: a SQLite database with the demo's support tickets and outreach companies started several times over
(every run held for review), so the queue mixes replies, research briefs and, once briefs are approved,
emails. `humangate ui` runs as a subprocess; Playwright drives Debian's chromium at 1280x720, signed in as
an expert who started none of the runs.

The session (``tests.panel_support.review_session``) opens the top item with ``o`` and then, item after item,
approves (``a``), edits in the typed form (a reply's body, an email's subject, a brief's first claim removed)
and saves with reason key ``3`` and ``e``, or rejects with ``4`` and ``x``: half approvals, a quarter edits, a
quarter rejections. Each decision is timed from its item on screen to the next item on screen, so the
figure is what the panel costs per decision: the page, the service, the graph's resume, the next item. It
holds no human reading time. The page is never scrolled; on the first item of each form kind every
decision control is checked to lie inside the 1280x720 window.

    .venv/bin/python bench/panel_session.py [--decisions 50] [--copies 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.panel_support

from tests.panel_support import PanelServer, add_user, launch_browser, login, review_session

from humangate import Orchestrator, Settings
from humangate.data.demo import demo_outreach_items, demo_support_messages

USER, PASSWORD = "session-expert", "session-password"


def seed(settings: Settings, copies: int) -> int:
    """Start every demo ticket and company ``copies`` times, each held for review; return the pending count."""
    with Orchestrator(settings) as orch:
        for k in range(copies):
            for message in demo_support_messages():
                inputs = message.model_dump() | {"id": f"{message.id}-{k}", "require_approval": True}
                orch.start("support", inputs, started_by="session-seed")
            for item in demo_outreach_items():
                orch.start("outreach", item | {"require_approval": True}, started_by="session-seed")
        return orch.count()


def main(argv: list[str] | None = None) -> int:
    """Seed, start the panel, run the scripted session, print seconds per decision."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--decisions", type=int, default=50, help="decisions in the session (default 50)")
    parser.add_argument("--copies", type=int, default=3, help="times each demo ticket and company is started")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="humangate-session-bench-") as tmpdir:
        tmp = Path(tmpdir)
        db_url = f"sqlite:///{tmp / 'session.db'}"
        settings = Settings(db_url=db_url, outbox_dir=tmp / "outbox")
        t0 = time.perf_counter()
        pending = seed(settings, args.copies)
        add_user(db_url, USER, "expert", PASSWORD)
        print(f"seeded {pending} pending items in {time.perf_counter() - t0:.1f} s")
        if pending < args.decisions:
            parser.error(f"only {pending} items to decide: raise --copies")
        with PanelServer(db_url, tmp / "ui.log") as server, sync_playwright() as pw:
            browser = launch_browser(pw)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.set_default_timeout(30_000)
            login(page, server.url, USER, PASSWORD)
            t0 = time.perf_counter()
            session = review_session(page, args.decisions)
            wall = time.perf_counter() - t0
            browser.close()
        with Orchestrator(settings) as orch:
            decided = sum(orch.item(i).status == "decided" for i in session.items)
    n = len(session.seconds)
    assert n == args.decisions, f"the session stopped after {n} decisions"
    assert decided == n, f"only {decided} of {n} decisions reached the database"
    p95 = statistics.quantiles(session.seconds, n=20, method="inclusive")[18]
    kinds = ", ".join(f"{k} {v}" for k, v in Counter(session.kinds).most_common())
    actions = ", ".join(f"{k.split(':')[0]} {v}" for k, v in Counter(session.actions).most_common())
    print(f"{n} decisions in {wall:.1f} s ({kinds}; {actions})")
    print(
        f"  seconds per decision: mean {statistics.fmean(session.seconds):.2f}, "
        f"median {statistics.median(session.seconds):.2f}, p95 {p95:.2f}, max {max(session.seconds):.2f}"
    )
    bad = {k: v for k, v in session.off_screen.items() if v}
    print(f"  page scrolled during {session.scrolled} decisions; controls off screen at 1280x720: {bad or 'none'}")
    return 0 if not bad and session.scrolled == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
