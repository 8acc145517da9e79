"""Reviewer panel: click Approve -> next item rendered while the approved run's resume waits 5 s on its model.

Issue 17: a decision enqueues the resume and returns, so the time to the next item must not depend on how
long the resumed run takes. Measured in a real browser against a resume that takes no time.

Setup: a SQLite database of paused ``outreach`` runs of one sample company, started through the
Orchestrator against ``bench/latency_server.py`` (answers at once), with a policy that always pauses at
the research brief (no audits, no earned autonomy) and lets the drafted email pass the send gate.
Approving a brief resumes the run: the drafter asks the model for an ``EmailDraft``, the email goes to the
outbox spool, the run completes. Slow runs carry the marker ``slow-lane`` in their tone, which only the
drafter's prompt shows; the server answers every call containing it after ``--latency`` s exactly and
every other call at once. So both conditions share one server, one `humangate ui` subprocess (its
embedded worker pool) and one browser, and a run's condition is fixed when it starts, not by a switch.

The queue holds the runs in short blocks of ``--block`` items in the order fast, slow, slow, fast, fast,
slow, slow, fast... (oldest first, all of one risk level). Before each block the bench waits until no
approved run is still resuming: a fast block has nothing slow in flight, so it is the resume that takes
no time, while within a slow block the slow resumes pile up waiting on the model as a quick reviewer's
would. Short blocks spread whatever else loads the machine over both conditions, and in this order each
condition comes first as often as second, so a drift over the session favours neither; each slow sample
is paired with the one at its place in the fast block beside it. Each sample times in the page
(``performance.now()``, as bench/panel.py does) from the Approve click until ``#item-header`` names
another item; ``--warmup`` fast approvals before the first block are dropped. At the end every approved
run must have completed, the server must have counted one slow ``EmailDraft`` call per slow approval (and
no other slow call), and each slow run's decision-to-completion time must be at least ``--latency``;
else the result is INVALID.

Target: median(slow) <= median(fast) within noise, taken as max(10 %, 20 ms) of the fast median. The
median of the paired differences (slow - fast) is printed with a distribution-free 95 % interval.

    .venv/bin/python bench/panel_resume.py [--samples 20] [--block 5] [--latency 5] [--warmup 3]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for bench.* and tests.panel_support

from bench.latency_server import LatencyServer
from bench.panel import sample
from tests.panel_support import PanelServer, add_user, launch_browser, login

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import decisions
from humangate.data.demo import demo_outreach_items

__all__ = ["POLICY", "SLOW_MARKER", "outreach_item", "panel_env", "seed_runs"]

SLOW_MARKER = "slow-lane"
POLICY = """version = "bench-panel-resume"

[overrides."outreach.review_brief"]
always_review = true
audit_rate = 0.0
autonomy_after = 0

[overrides."outreach.review_send"]
review_from = "critical"
confidence_threshold = 0.5
sampling_rate = 0.0
"""
USER, PASSWORD = "bench-expert", "bench-password"
TOLERANCE, TOLERANCE_MS = 0.10, 20.0


def outreach_item(slow: bool) -> dict[str, Any]:
    """Return an outreach item of Northwind Analytics; a slow one names the marker in its tone."""
    item = next(i for i in demo_outreach_items() if i["company"] == "Northwind Analytics")
    return item | {"tone": "friendly and concise" + (f" ({SLOW_MARKER})" if slow else "")}


def panel_env(base_url: str, policy: Path) -> dict[str, str]:
    """Return what `humangate ui` needs to resume runs with the model at ``base_url`` under ``policy``."""
    return {"OPENAI_BASE_URL": base_url, "HUMANGATE_MODEL": "latency", "HUMANGATE_POLICY": str(policy)}


def seed_runs(settings: Settings, slow: list[bool]) -> dict[int, tuple[bool, str]]:
    """Start one paused outreach run per flag, oldest first; return item id -> (slow, run id)."""
    seeded: dict[int, tuple[bool, str]] = {}
    with Orchestrator(settings) as orch:
        for flag in slow:
            run = orch.start("outreach", outreach_item(flag), started_by="bench-seed")
            assert run.status == "paused" and len(run.pending_items) == 1, f"run did not pause at the brief: {run}"
            seeded[run.pending_items[0]] = (flag, run.id)
    return seeded


def median_interval(diffs: list[float]) -> tuple[float, float]:
    """Return a distribution-free 95 % interval for the median of ``diffs`` (sign-test order statistics)."""
    n, ordered = len(diffs), sorted(diffs)
    k, below = 0, 0.0  # the largest k with P(Binomial(n, 1/2) < k) <= 2.5 %
    while below + math.comb(n, k) / 2**n <= 0.025:
        below += math.comb(n, k) / 2**n
        k += 1
    return ordered[max(k - 1, 0)], ordered[n - max(k, 1)]


def main(argv: list[str] | None = None) -> int:
    """Seed, start the panel, time approvals of fast and slow resumes in alternating blocks, print both medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=20, help="timed approvals per condition (default 20)")
    parser.add_argument("--block", type=int, default=5, help="approvals per block (default 5)")
    parser.add_argument("--latency", type=float, default=5.0, help="seconds per slow model call (default 5)")
    parser.add_argument("--warmup", type=int, default=3, help="fast approvals before timing (default 3)")
    args = parser.parse_args(argv)
    blocks, rest = divmod(2 * args.samples, args.block)
    if args.samples < 6 or args.block < 1 or rest or blocks % 4:
        parser.error("--samples must be at least 6 (for the paired interval) and 2 x --block times 2, 4, 6...")
    load = os.getloadavg()[0]
    order = [b % 4 in (1, 2) for b in range(blocks)]  # fast, slow, slow, fast, ...
    plan = [False] * args.warmup + [slow for slow in order for _ in range(args.block)]

    with (
        tempfile.TemporaryDirectory(prefix="humangate-panel-resume-") as tmpdir,
        LatencyServer(latency=0.0, jitter=0.0, slow_marker=SLOW_MARKER, slow_latency=args.latency) as server,
    ):
        tmp = Path(tmpdir)
        (tmp / "policy.toml").write_text(POLICY)
        settings = Settings(
            db_url=f"sqlite:///{tmp / 'panel.db'}", outbox_dir=tmp / "outbox", policy_path=tmp / "policy.toml"
        )
        os.environ["OPENAI_BASE_URL"] = server.base_url  # the seeding Orchestrator's research calls
        seeded = seed_runs(settings, [*plan, False, False])  # two spare runs: the last sample needs a next item
        add_user(settings.db_url, USER, "expert", PASSWORD)
        env = panel_env(server.base_url, tmp / "policy.toml") | {"HUMANGATE_OUTBOX_DIR": str(tmp / "outbox")}
        times: dict[bool, list[float]] = {False: [], True: []}
        approved: list[int] = []
        with (
            PanelServer(settings.db_url, tmp / "ui.log", env=env) as panel,
            sync_playwright() as pw,
            Orchestrator(settings) as orch,
        ):
            browser = launch_browser(pw)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(30_000)
            login(page, panel.url, USER, PASSWORD)
            page.locator("#open-top").click()
            page.wait_for_function("() => /Item \\d+/.test(document.querySelector('#item-header')?.innerText ?? '')")
            for i, planned in enumerate(plan):
                if i >= args.warmup and (i - args.warmup) % args.block == 0:  # a new block: nothing in flight
                    for done in approved:
                        orch.wait_run(seeded[done][1], timeout=args.latency + 60)
                item_id, ms = sample(page)
                approved.append(item_id)
                slow = seeded[item_id][0]
                assert slow == planned, f"item {item_id} is not the next {'slow' if planned else 'fast'} run"
                if i >= args.warmup:
                    times[slow].append(ms)
            browser.close()
            finished = {i: orch.wait_run(seeded[i][1], timeout=args.latency + 60) for i in approved}
            with orch.db.read() as conn:
                decided_at = dict(conn.execute(select(decisions.c.item_id, decisions.c.decided_at)).all())
        stats = server.stats()

    slow_items = [i for i in approved if seeded[i][0]]
    completed = sum(run.status == "completed" for run in finished.values())
    resume_s = [finished[i].updated_at - decided_at[i] for i in slow_items]
    # Slow resumes still waiting on the model when each timed approval was recorded, by condition.
    in_flight: dict[bool, list[int]] = {False: [], True: []}
    for i in approved[args.warmup :]:
        in_flight[seeded[i][0]].append(sum(decided_at[j] < decided_at[i] < finished[j].updated_at for j in slow_items))
    fast, slow_ms = statistics.median(times[False]), statistics.median(times[True])
    allowed = fast + max(TOLERANCE * fast, TOLERANCE_MS)
    diffs = [s - f for s, f in zip(times[True], times[False], strict=True)]
    low, high = median_interval(diffs)
    print(
        f"click Approve -> next item rendered, {args.samples} samples per condition in blocks of {args.block} "
        f"(load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, {os.cpu_count()} CPUs)"
    )
    for name, flag in (("resume ~0 s", False), (f"resume {args.latency:g} s", True)):
        ts = times[flag]
        print(
            f"  {name:>12}: median {statistics.median(ts):.0f} ms, min {min(ts):.0f}, max {max(ts):.0f}; "
            f"slow resumes in flight at its approvals: median {statistics.median(in_flight[flag]):.0f}, "
            f"max {max(in_flight[flag])}"
        )
    print(f"  ratio slow/fast {slow_ms / fast:.2f}")
    print(f"  paired slow - fast: median {statistics.median(diffs):+.0f} ms, 95 % interval [{low:+.0f}, {high:+.0f}]")
    print(
        f"  resumed runs: {completed} of {len(approved)} completed; slow EmailDraft calls "
        f"{stats['slow_by_schema'].get('EmailDraft', 0)} for {len(slow_items)} slow approvals; all calls "
        f"{stats['by_schema']}; slow decision -> run completed {min(resume_s):.1f}-{max(resume_s):.1f} s"
    )
    honest = (
        completed == len(approved)
        and stats["slow_by_schema"] == {"EmailDraft": len(slow_items)}
        and min(resume_s) >= args.latency
    )
    met = honest and slow_ms <= allowed
    print(
        f"  target median(slow) {slow_ms:.1f} ms <= median(fast) + max(10 %, 20 ms) = {allowed:.1f} ms: "
        + ("PASS" if met else "MISS" if honest else "INVALID (the slow resumes did not happen as planned)")
    )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
