"""Where humangate's CPU per item goes at high concurrency: bare LangGraph, the job body alone, the whole pool.

Run: ``.venv/bin/python bench/throughput_parts.py [--items 300] [--concurrency 64] [--rounds 2]``

``bench/throughput.py`` compares humangate on workers with bare LangGraph ``abatch``. At 64 jobs in flight
one process is bound by its CPU, so the ratio of the two is the ratio of their CPU per item. This bench
splits humangate's side in the same process, against the same model server (500 ms +- 20% a call):

* ``bare``: bare LangGraph, as ``bench/throughput.py`` runs it;
* ``job body``: every run recorded and its start job run by ``Orchestrator.run_job`` on one asyncio loop,
  C at a time, with no queue engine: the run lock, the run's rows, the review queue, the audit chain and
  memory's say at each gate, without DBOS;
* ``job body, no memory``: the same with memory switched off (the runs' context has no recall);
* ``workers``: the embedded DBOS worker pool, as ``bench/throughput.py`` runs it.

Each side runs once per round, in rotated order; the table prints the median items/s and CPU ms per item
(this process, all threads). The difference between ``workers`` and ``job body`` is the engine's share.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # as a script, bench/ is on the path, not the repo
from bench.latency_server import LatencyServer
from bench.throughput import _settings, plan_items, run_bare, run_humangate

from humangate.review.advance.jobs import Job
from humangate.review.service import Orchestrator
from humangate.runtime.session import limited_deps
from humangate.tasks import PlannedRun, submit_planned


class _Collected:
    """A job queue that only keeps what was enqueued: the bench runs the jobs itself."""

    def __init__(self) -> None:
        self.jobs: list[Job] = []

    def enqueue(self, jobs: Any) -> None:
        self.jobs.extend(jobs)

    def existing(self, job_ids: Any) -> set[str]:
        return set()


def run_body(folder: Path, planned: list[PlannedRun], level: int, memory: bool) -> tuple[float, float]:
    """Record every run, then run their start jobs C at a time on one loop; return (items/s, CPU s per item)."""
    settings = _settings(folder, f"sqlite:///{folder / 'hg.db'}", level)
    with ExitStack() as stack:
        queue = _Collected()
        orch = Orchestrator(settings, deps=limited_deps(settings, stack), runtime=queue)
        stack.callback(orch.close)
        if not memory:
            orch.recall = None
        orch.agraph("outreach")  # compiled before the clock, as on the other sides
        fresh = [replace(p, key="") for p in planned]
        cpu, started = time.process_time(), time.perf_counter()
        submit_planned(orch, "parts", "outreach", fresh, "bench", skip=set())

        async def main() -> None:
            asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(level * 4 + 8))
            gate = asyncio.Semaphore(level)

            async def one(job: Job) -> None:
                async with gate:
                    await orch.run_job(job.run_id)

            await asyncio.gather(*(one(j) for j in queue.jobs))

        asyncio.run(main())
        seconds = time.perf_counter() - started
        return len(fresh) / seconds, (time.process_time() - cpu) / len(fresh)


def main() -> None:
    """Run every side per round and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    for name in [k for k in os.environ if k.startswith(("OPENAI_", "HUMANGATE_"))]:
        del os.environ[name]
    sides = ["bare", "job body", "job body, no memory", "workers"]
    found: dict[str, list[tuple[float, float]]] = {s: [] for s in sides}
    with LatencyServer(latency=0.5, jitter=0.2, seed=17) as server, tempfile.TemporaryDirectory() as tmp:
        os.environ["OPENAI_BASE_URL"] = server.base_url
        os.environ["HUMANGATE_MODEL_TIMEOUT"] = "30"
        root = Path(tmp)
        planned = plan_items(root / "inputs", args.items)
        (root / "warm").mkdir()
        run_body(root / "warm", planned[:2], 2, memory=True)  # imports, prompts, routers: not timed
        level = args.concurrency
        for r in range(args.rounds):
            for i, side in enumerate(sides[r % len(sides) :] + sides[: r % len(sides)]):
                folder = root / f"{r}-{i}"
                folder.mkdir()
                if side == "bare":
                    p = run_bare(folder, planned, level, server)
                    found[side].append((p.rate, p.cpu / p.items))
                elif side == "workers":
                    p = run_humangate(folder, planned, level, server)
                    found[side].append((p.rate, p.cpu / p.items))
                else:
                    found[side].append(run_body(folder, planned, level, memory=side == "job body"))
                print(f"round {r + 1}, {side}: {found[side][-1][0]:.2f} items/s", file=sys.stderr)
    print(f"\n{args.items} outreach items at C={level}, {args.rounds} round(s), {os.cpu_count()} CPU cores\n")
    print("| side | items/s | CPU ms per item |")
    print("|---|---:|---:|")
    for side in sides:
        rate = statistics.median(x for x, _ in found[side])
        cpu = statistics.median(c for _, c in found[side])
        print(f"| {side} | {rate:.2f} | {1000 * cpu:.0f} |")


if __name__ == "__main__":
    main()
