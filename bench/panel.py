"""Reviewer panel latency: click Approve -> the next item rendered, in a real browser, with 10,000 pending items.

Setup: a SQLite database with ``--real`` real paused support runs (started through the Orchestrator,
so approving them resumes a real graph) at the top of the queue, and bulk-inserted filler rows (as
bench/core.py does) up to ``--items`` pending items below them. `humangate ui` runs as a subprocess on
a free loopback port; Playwright drives Debian's chromium headless, signed in as an expert.

Each sample: open the top item, then time in the page (``performance.now()``) from the Approve
button's click until ``#item-header`` shows a different item id. The first ``--warmup`` samples are
dropped. Target: median <= 300 ms.

    .venv/bin/python bench/panel.py [--items 10000] [--samples 40]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.panel_support

from tests.panel_support import PanelServer, add_user, header_item_id, launch_browser, login

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import review_items, runs
from humangate.data.demo import demo_support_messages

TARGET_MS = 300.0
USER, PASSWORD = "bench-expert", "bench-password"

# Resolves with the milliseconds from the click to the header naming another item (or -1 on timeout).
_CLICK_TO_NEXT_JS = """
([oldId, timeoutMs]) => new Promise((resolve) => {
  const header = document.querySelector('#item-header');
  const button = document.querySelector('#btn-approve');
  const shows = () => { const m = /Item (\\d+)/.exec(header.innerText); return m ? Number(m[1]) : null; };
  let done = false;
  const finish = (value) => { if (!done) { done = true; observer.disconnect(); resolve(value); } };
  const observer = new MutationObserver(() => {
    const id = shows();
    if (id !== null && id !== oldId) finish(performance.now() - t0);
  });
  observer.observe(header, {subtree: true, childList: true, characterData: true});
  setTimeout(() => finish(-1), timeoutMs);
  const t0 = performance.now();
  button.click();
})
"""


def seed(settings: Settings, real: int, items: int, rng: random.Random) -> tuple[int, int]:
    """Start ``real`` paused runs, then bulk-insert filler rows up to ``items`` pending; return both counts."""
    messages = demo_support_messages()
    with Orchestrator(settings) as orch:
        for i in range(real):
            m = messages[i % len(messages)]
            orch.start(
                "support",
                m.model_dump() | {"id": f"B-{i:05d}", "require_approval": True},
                started_by="bench-seed",
            )
        n_real = orch.count()
        with orch.db.read() as conn:
            template = conn.execute(
                review_items.select().where(review_items.c.status == "pending").order_by(review_items.c.id).limit(1)
            ).one()
            inputs_json = conn.execute(runs.select().where(runs.c.id == template.run_id)).one().inputs_json
        request = json.loads(template.request_json)
        # Filler rows are low risk and newer than every real item, so the real ones stay on top of the
        # queue (highest risk, then oldest) and every approval in the sample resumes a real graph.
        now = time.time() + 60
        fill = max(0, items - n_real)
        for start in range(0, fill, 5_000):
            run_rows: list[dict[str, Any]] = []
            item_rows: list[dict[str, Any]] = []
            for k in range(start, min(fill, start + 5_000)):
                run_id = uuid.uuid4().hex
                created = now + k * 0.001
                title = f"Reply to Customer {rng.randrange(10**6):06d}: question"
                body = request | {"thread_id": run_id, "title": title, "required_role": "reviewer"}
                body["assessment"] = request["assessment"] | {"level": "low"}
                run_rows.append(
                    {
                        "id": run_id,
                        "graph": template.graph,
                        "title": title,
                        "status": "paused",
                        "started_by": "bench-fill",
                        "inputs_json": inputs_json,
                        "created_at": created,
                        "updated_at": created,
                    }
                )
                item_rows.append(
                    {
                        "interrupt_id": uuid.uuid4().hex,
                        "run_id": run_id,
                        "graph": template.graph,
                        "node": template.node,
                        "title": title,
                        "risk_level": "low",
                        "risk_rank": 0,
                        "score": template.score,
                        "trigger_kinds": template.trigger_kinds,
                        "required_role": "reviewer",
                        "min_dwell_seconds": 0.0,
                        "escalation_level": 0,
                        "status": "pending",
                        "version": 0,
                        "created_at": created,
                        "request_json": json.dumps(body, separators=(",", ":")),
                    }
                )
            with orch.db.write() as conn:
                conn.execute(runs.insert(), run_rows)
                conn.execute(review_items.insert(), item_rows)
        return n_real, orch.count()


def sample(page: Page, timeout_ms: int = 30_000) -> tuple[int, float]:
    """Approve the open item; return its id and the click-to-next-item milliseconds."""
    old = header_item_id(page)
    assert old is not None, "no item is open"
    page.wait_for_function("() => !document.querySelector('#btn-approve').disabled")
    ms = float(page.evaluate(_CLICK_TO_NEXT_JS, [old, timeout_ms]))
    if ms < 0:
        status = page.locator("#decision-status").inner_text()
        raise RuntimeError(f"item {old}: no next item within {timeout_ms} ms; status: {status}")
    return old, ms


def main(argv: list[str] | None = None) -> int:
    """Seed, start the panel, time ``--samples`` approvals, print median and p95."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000, help="pending items in the queue (default 10000)")
    parser.add_argument("--real", type=int, default=200, help="real paused runs among them (default 200)")
    parser.add_argument("--samples", type=int, default=40, help="timed approvals (default 40)")
    parser.add_argument("--warmup", type=int, default=3, help="approvals before timing (default 3)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.real < args.samples + args.warmup + 1:
        parser.error("--real must exceed --samples + --warmup")

    with tempfile.TemporaryDirectory(prefix="humangate-panel-bench-") as tmpdir:
        tmp = Path(tmpdir)
        db_url = f"sqlite:///{tmp / 'panel.db'}"
        t0 = time.perf_counter()
        n_real, total = seed(
            Settings(db_url=db_url, outbox_dir=tmp / "outbox"), args.real, args.items, random.Random(args.seed)
        )
        add_user(db_url, USER, "expert", PASSWORD)
        print(f"seeded {total:,} pending items ({n_real} from real runs) in {time.perf_counter() - t0:.1f} s")
        with PanelServer(db_url, tmp / "ui.log") as server, sync_playwright() as pw:
            browser = launch_browser(pw)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(30_000)
            login(page, server.url, USER, PASSWORD)
            page.locator("#open-top").click()
            # The Review tab renders lazily: the header may not exist yet.
            page.wait_for_function(
                "() => { const el = document.querySelector('#item-header');"
                " return !!el && /Item \\d+/.test(el.innerText); }"
            )
            times: list[float] = []
            approved: list[int] = []
            for i in range(args.warmup + args.samples):
                item_id, ms = sample(page)
                approved.append(item_id)
                if i >= args.warmup:
                    times.append(ms)
            browser.close()
        with Orchestrator(Settings(db_url=db_url, outbox_dir=tmp / "outbox")) as orch:
            decided = sum(orch.item(i).status == "decided" for i in approved)
            left = orch.count()
    assert decided == len(approved), f"only {decided} of {len(approved)} approvals reached the database"
    med = statistics.median(times)
    p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
    verdict = "PASS" if med <= TARGET_MS else "MISS"
    print(
        f"click Approve -> next item rendered, {len(times)} samples ({args.warmup} warm-up dropped), "
        f"{total:,} pending at start, {left:,} after:"
    )
    print(f"  median {med:.0f} ms, p95 {p95:.0f} ms, min {min(times):.0f} ms, max {max(times):.0f} ms")
    print(f"  target median <= {TARGET_MS:.0f} ms: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
