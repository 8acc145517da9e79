"""Crash test on workers: SIGKILL worker processes at random moments while a 500-item batch runs on Postgres.

What is real: a PostgreSQL server (``pg_server``) holding the product's tables, the checkpoints and DBOS's
queue; three worker processes, each ``humangate.runtime.worker.run_worker`` (the body of ``humangate
worker``, a DBOS worker pool of ``CONCURRENCY`` jobs) on the shipped ``outreach`` graph with the offline
engine (research -> review_brief -> draft -> review_send -> send), whose approved email goes through the
outbox to the file mailer; ``Orchestrator.submit`` and ``Orchestrator.decide`` through
``open_orchestrator(mode="external")`` in this process, which runs no job itself.

What happens: the batch is submitted at once; this process decides every gate item as it appears
(approve mostly; some reject, some redirect, a few are left waiting), so start and resume jobs are in
flight together; a seeded killer thread SIGKILLs one or two of the three workers every 1-3 s and starts
replacements, so at least one worker is always alive.

What is checked once every run is settled: every submitted run exists and is completed or paused at the
item left waiting (none lost, failed, or stuck queued, running or resuming), and no run lock is held; each
run was started once (one ``run.started`` event and one ``input`` checkpoint) and completed at most once;
no resume was applied twice (each checkpoint history is one line with no fork, each gate item has at most
one decision and every decision is applied, and the gate events in the run's state are its decisions, once
each, in order); each approved run has exactly one outbox row, sent, under its first key, and one spool file;
no rejected or waiting run has any; every job on the queue ended successfully; the audit chain holds.

``HUMANGATE_CRASH_ITEMS`` changes the batch size (500 in the suite).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from humangate import Orchestrator, ReviewItem, Settings
from humangate.checkpoints.schema import audit_events, decisions, outbox, review_items, runs
from humangate.review.advance.jobs import BUSY, RunRequest
from humangate.runtime import jobs_database, open_orchestrator
from humangate.runtime.engine import QUEUE
from tests.conftest import _fresh_pg_database

HERE = Path(__file__).parent
ITEMS = int(os.environ.get("HUMANGATE_CRASH_ITEMS", "500"))
WORKERS = 3
CONCURRENCY = 8  # jobs at once per worker
SEED = 17_017
KILL_PAUSE = (1.0, 3.0)  # seconds between the replacements being ready and the next kill
SETTLE_SECONDS = 300.0  # generous: 500 items settle in 2-3 minutes on two cores shared with other work
MIN_KILLS = 10  # a long batch must see this many kills, however fast the machine
# The reviewer decides at most this many items per kill so far, so the batch is paced by the killer: on a fast
# machine it cannot settle before MIN_KILLS kills (about two gate decisions per run).
DECISIONS_PER_KILL = max(1, 2 * ITEMS // (MIN_KILLS + 2))
GRAPH = "outreach"
SEND = "send"  # the outreach graph's effect node; its key is RUN:send:ATTEMPT
REVIEWERS = ("alice", "bob")


# -- the workers and the killer ------------------------------------------------------------------------


@dataclass
class Workers:
    """The worker processes: start them, kill some at random, and stop the rest."""

    settings: Settings
    folder: Path
    live: list[subprocess.Popen[str]] = field(default_factory=list)
    started: int = 0
    kills: int = 0

    def start(self, count: int) -> None:
        """Start ``count`` workers and wait until each takes jobs."""
        procs = [self._spawn() for _ in range(count)]
        self.live += [proc for proc, _ in procs]  # stopped with the others, ready or not
        for proc, log in procs:
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            assert line == "ready", f"a worker did not start: {log.read_text()[-3000:]}"

    def _spawn(self) -> tuple[subprocess.Popen[str], Path]:
        self.started += 1
        log = self.folder / f"worker-{self.started:03d}.err"
        settings = self.settings
        cmd = [
            sys.executable,
            str(HERE / "crash_runtime_worker.py"),
            settings.db_url,
            str(settings.outbox_dir),
            str(settings.audit_key_file),
            str(CONCURRENCY),
        ]
        with log.open("w") as err:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
        return proc, log

    def kill(self, rng: random.Random) -> None:
        """SIGKILL one or two live workers (never all of them), reap them, and start as many replacements."""
        victims = rng.sample(self.live, k=min(rng.choice((1, 1, 2)), len(self.live) - 1))
        for proc in victims:
            assert proc.poll() is None, f"worker {proc.pid} ended on its own with {proc.returncode}"
            proc.send_signal(signal.SIGKILL)
        for proc in victims:
            proc.wait(timeout=30)  # reaped: the others now see its pid as dead and take over its runs at once
            assert proc.returncode == -signal.SIGKILL
            assert proc.stdout is not None
            proc.stdout.close()
            self.live.remove(proc)
            self.kills += 1
        self.start(len(victims))

    def stop(self) -> None:
        """Stop the live workers gracefully (SIGTERM)."""
        for proc in self.live:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.live:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            assert proc.stdout is not None
            proc.stdout.close()
        self.live.clear()

    def errors(self) -> str:
        """Return the end of every worker's stderr, for a failure message."""
        return "\n".join(f"{p.name}: {p.read_text()[-1500:]}" for p in sorted(self.folder.glob("worker-*.err")))


def _killer(workers: Workers, rng: random.Random, done: threading.Event, failed: list[BaseException]) -> None:
    try:
        while not done.wait(rng.uniform(*KILL_PAUSE)):
            workers.kill(rng)
    except BaseException as exc:  # reported by the test, which stops deciding at once
        failed.append(exc)
        done.set()


# -- the batch and the reviewer ------------------------------------------------------------------------


def _inputs(i: int) -> dict[str, Any]:
    """Return the ``i``-th outreach item: a company, one or two sources, a contact; every email needs approval."""
    first = ("Ana", "Bruno", "Chen", "Dana", "Emil", "Fatima", "Goran", "Hana")[i % 8]
    last = ("Okafor", "Ferraz", "Wei", "Novak", "Berg", "Haddad", "Ilic")[i % 7]
    what, who, city = (
        ("route planning software", "regional delivery firms", "Lisbon"),
        ("inventory forecasting tools", "independent grocers", "Utrecht"),
        ("scheduling software", "small clinics", "Vienna"),
    )[i % 3]
    company = f"{('North', 'Lumen', 'Harbor', 'Quill', 'Cedar')[i % 5]} Systems {i}"
    slug = company.lower().replace(" ", "-")
    sources = [
        {
            "id": "about",
            "title": f"About {company}",
            "text": f"{company} makes {what} for {who}. The company was founded in {2005 + i % 15} and is based "
            f"in {city}. {company} employs {20 + i % 80} people.",
            "url": f"https://{slug}.example/about",
        }
    ]
    if i % 2:
        sources.append(
            {
                "id": "news",
                "title": f"News from {company}",
                "text": f"{company} opened a second office this spring to serve more {who}.",
                "url": f"https://{slug}.example/news",
            }
        )
    return {
        "company": company,
        "recipient": {"name": f"{first} {last}", "email": f"{first.lower()}@{slug}.example", "role": "CEO"},
        "sources": sources,
        "require_approval": True,
    }


@dataclass
class Reviewer:
    """Decide gate items as they appear, by a seeded plan per run, gate and visit; leave a few waiting."""

    orch: Orchestrator
    visits: Counter[tuple[str, str]] = field(default_factory=Counter)
    waiting: set[int] = field(default_factory=set)  # items left for a person who never comes
    decided: int = 0
    held: int = 0  # items the last sweep left for later, over its budget

    def decision(self, item: ReviewItem) -> dict[str, Any] | None:
        """Return the decision for ``item`` (None: leave it waiting)."""
        visit = self.visits[(item.run_id, item.node)]
        rng = random.Random(f"{SEED}:{item.run_id}:{item.node}:{visit}")
        reviewer = "erin" if item.required_role == "expert" else rng.choice(REVIEWERS)
        roll = rng.random() if visit == 0 else 1.0  # a gate seen again (after a redirect) is approved
        if roll < 0.04:
            return None
        if roll < 0.08:
            return {"action": "reject", "reviewer": reviewer, "reason_code": "policy", "note": "Not this one."}
        if roll < 0.18:
            return {"action": "redirect", "reviewer": reviewer, "reason_code": "tone", "instructions": "Keep it short."}
        return {"action": "approve", "reviewer": reviewer}

    def _pending(self) -> list[ReviewItem]:
        page = self.orch.pending(limit=1_000)
        found = list(page.items)
        while page.next_cursor is not None:
            page = self.orch.pending(limit=1_000, cursor=page.next_cursor)
            found += page.items
        return found

    def sweep(self, budget: int) -> int:
        """Decide up to ``budget`` pending gate items not left waiting; return how many were decided."""
        done = self.held = 0
        for item in self._pending():
            if item.kind != "gate" or item.id in self.waiting:
                continue  # audit items (second looks at sampled work) hold no run
            if done >= budget:
                self.held += 1
                continue
            decision = self.decision(item)
            self.visits[(item.run_id, item.node)] += 1
            if decision is None:
                self.waiting.add(item.id)
                continue
            self.orch.decide(item.id, decision)
            done += 1
        self.decided += done
        return done


def _unsettled(orch: Orchestrator) -> Counter[str]:
    """Count runs a job is still owed for."""
    with orch.db.read() as conn:
        rows = conn.execute(select(runs.c.status)).scalars().all()
    return Counter(s for s in rows if s in BUSY)


# -- the checks ----------------------------------------------------------------------------------------


@dataclass
class Findings:
    """What the checks found: the runs' end states, the problems, and signs that the kills hit work in flight."""

    states: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    recovered_jobs: int = 0  # jobs dispatched again after the worker running them was killed
    retried_sends: int = 0  # outbox rows claimed again after the worker sending them was killed


def _check(orch: Orchestrator, ids: list[str], waiting: set[int]) -> Findings:
    """Check every invariant of the module docstring."""
    with orch.db.read() as conn:
        run_rows = {r.id: r for r in conn.execute(select(runs)).all()}
        items = conn.execute(select(review_items).where(review_items.c.kind == "gate")).all()
        gate_items = select(review_items.c.id).where(review_items.c.kind == "gate")
        decision_rows = conn.execute(
            select(decisions).where(decisions.c.item_id.in_(gate_items)).order_by(decisions.c.id)
        ).all()
        effects = conn.execute(select(outbox)).all()
        events = Counter(tuple(e) for e in conn.execute(select(audit_events.c.kind, audit_events.c.run_id)).all())
        recorded = conn.execute(select(audit_events.c.item_id).where(audit_events.c.kind == "decision.recorded"))
        recorded_items = Counter(recorded.scalars())
        # Every checkpoint of the runs' top-level graphs: a run advanced twice from one point forks its history.
        history = conn.execute(
            text(
                "SELECT thread_id, parent_checkpoint_id, metadata->>'source', (metadata->>'step')::int "
                "FROM checkpoints WHERE checkpoint_ns = ''"
            )
        ).all()
    found = Findings()
    problems = found.problems
    if sorted(run_rows) != sorted(ids):
        missing, extra = sorted(set(ids) - set(run_rows)), sorted(set(run_rows) - set(ids))
        problems.append(f"runs missing {missing[:10]} ({len(missing)}), unexpected {extra[:10]}")
    items_of, decisions_of, effects_of, checkpoints_of = (
        _by_run(rows) for rows in (items, decision_rows, effects, history)
    )
    graph = orch.graph(GRAPH)
    expected_files: set[Path] = set()
    for rid in ids:
        run = run_rows.get(rid)
        if run is None:
            continue
        found.states[f"{run.status}:{run.outcome}"] += 1
        if run.lock_owner is not None:
            problems.append(f"{rid}: still locked by {run.lock_owner}")
        if events[("run.started", rid)] != 1:
            problems.append(f"{rid}: {events[('run.started', rid)]} run.started events")
        # One line of checkpoints from one input: no second start, and no step taken twice from one point.
        chain = checkpoints_of[rid]
        children, sources = Counter(h[1] for h in chain), Counter(h[2] for h in chain)
        if sources["input"] != 1 or any(n > 1 for n in children.values()):
            problems.append(f"{rid}: checkpoint history forks or restarts: {dict(sources)}, {children.most_common(2)}")
        if sorted(h[3] for h in chain) != list(range(-1, len(chain) - 1)):
            problems.append(f"{rid}: checkpoint steps {sorted(h[3] for h in chain)} are not one line")
        # Each gate item decided at most once, recorded once, and every decision applied.
        mine = decisions_of[rid]
        problems += [f"{rid}: item {i} has {n} decisions" for i, n in Counter(d.item_id for d in mine).items() if n > 1]
        problems += [f"{rid}: decision {d.id} ({d.action}) never applied" for d in mine if d.applied_at is None]
        problems += [
            f"{rid}: item {d.item_id} recorded {n} times" for d in mine if (n := recorded_items[d.item_id]) != 1
        ]
        # The run's own record of what its gates did: its decisions, once each, in order.
        snap = graph.get_state({"configurable": {"thread_id": rid}})
        gate_events = snap.values.get("gate_events", [])
        decided = [e["outcome"] for e in gate_events if e["outcome"] != "passed"]
        if decided != [d.action for d in mine]:
            problems.append(f"{rid}: gate events {decided} but decisions {[d.action for d in mine]}")
        if len({e["id"] for e in gate_events}) != len(gate_events):
            problems.append(f"{rid}: a gate event appears twice: {[(e['node'], e['outcome']) for e in gate_events]}")
        pending = [it for it in items_of[rid] if it.status == "pending"]
        files = effects_of[rid]
        if run.status == "paused":  # waiting for a person: at the item left waiting, nothing sent
            if not pending or any(it.id not in waiting for it in pending):
                problems.append(f"{rid}: paused at items {[it.id for it in pending]}, not the one left waiting")
            if sorted(it.interrupt_id for it in pending) != sorted(i.id for i in snap.interrupts):
                problems.append(f"{rid}: pending items do not match its open interrupts")
            if files or events[("run.completed", rid)]:
                problems.append(f"{rid}: waiting yet has outbox rows {[f.key for f in files]} or a run.completed")
            continue
        if run.status != "completed":
            problems.append(f"{rid}: ended {run.status} ({run.error})")
            continue
        if snap.tasks or snap.interrupts or pending or events[("run.completed", rid)] != 1:
            problems.append(f"{rid}: completed with tasks, items {pending} or not one run.completed event")
        want = "rejected" if decided[-1:] == ["reject"] else ("approved" if decided else "passed")
        if run.outcome != want:
            problems.append(f"{rid}: outcome {run.outcome}, decisions say {want}")
        if want == "rejected":
            if files:
                problems.append(f"{rid}: rejected yet has outbox rows {[f.key for f in files]}")
            continue
        key = f"{rid}:{SEND}:1"  # approved once at review_send: its first and only attempt
        if [(f.key, f.status) for f in files] != [(key, "sent")]:
            problems.append(f"{rid}: outbox rows {[(f.key, f.status) for f in files]}, want one sent {key}")
            continue
        path = orch.mailer.path_for(key)
        expected_files.add(path)
        body = json.loads(files[0].payload_json)["body"]
        if not path.is_file() or f"X-Humangate-Key: {key}" not in (sent := path.read_text()) or body[:40] not in sent:
            problems.append(f"{rid}: spool file {path.name} missing or not the approved message")
    problems += [f"outbox key {k} appears {n} times" for k, n in Counter(e.key for e in effects).items() if n > 1]
    on_disk = set(orch.mailer.folder.glob("*.eml"))
    if on_disk != expected_files:
        extra, missing = (
            sorted(p.name for p in paths) for paths in (on_disk - expected_files, expected_files - on_disk)
        )
        problems.append(f"spool files: extra {extra[:10]}, missing {missing[:10]}")
    found.retried_sends = sum(1 for e in effects if e.attempts > 1)
    found.recovered_jobs = _check_jobs(orch, ids, decision_rows, problems)
    audit = orch.verify_audit()
    if not audit.ok:
        problems.append(f"audit chain broken: {audit.problems[:5]}")
    return found


def _by_run(rows: Sequence[Any]) -> dict[str, list[Any]]:
    """Group rows by their run: the ``run_id`` column, or the first (a checkpoint's thread)."""
    grouped: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.run_id if "run_id" in row._fields else row[0]].append(row)
    return grouped


def _check_jobs(orch: Orchestrator, ids: list[str], decision_rows: Sequence[Any], problems: list[str]) -> int:
    """Check that the queue holds a start job per run and a resume job per decision, each ended successfully.

    Return how many jobs were dispatched more than once: taken over after the worker running them was killed.
    """
    schema = jobs_database(orch.settings).schema
    with orch.db.read() as conn:
        jobs = conn.execute(
            text(
                f"SELECT workflow_uuid, status, recovery_attempts FROM {schema}.workflow_status WHERE queue_name = :q"
            ),
            {"q": QUEUE},
        ).all()
    want = {f"start:{rid}" for rid in ids} | {f"resume:{d.run_id}:{d.id}" for d in decision_rows}
    have = {j[0]: j[1] for j in jobs}
    if set(have) != want:
        problems.append(f"jobs missing {sorted(want - set(have))[:10]}, unexpected {sorted(set(have) - want)[:10]}")
    unfinished = Counter(s for s in have.values() if s != "SUCCESS")
    if unfinished:
        problems.append(f"jobs not ended successfully: {dict(unfinished)}")
    return sum(1 for j in jobs if (j[2] or 0) > 1)


# -- the test ------------------------------------------------------------------------------------------


@pytest.mark.timeout(600)
def test_sigkill_workers_at_random_during_a_batch_loses_nothing_and_applies_nothing_twice(
    pg_server: str, tmp_path: Path
) -> None:
    began = time.monotonic()
    settings = Settings(
        db_url=_fresh_pg_database(pg_server),
        outbox_dir=tmp_path / "outbox",
        audit_key_file=tmp_path / "audit.key",
        model="offline",
        workers="external",
    )
    workers = Workers(settings, tmp_path)
    rng = random.Random(SEED)
    done = threading.Event()
    failed: list[BaseException] = []
    with open_orchestrator(settings, mode="external") as orch:  # enqueues only: every job runs on the workers
        orch.add_user("alice", "reviewer")
        orch.add_user("bob", "reviewer")
        orch.add_user("erin", "expert")
        reviewer = Reviewer(orch)
        killer = threading.Thread(target=_killer, args=(workers, rng, done, failed), name="killer", daemon=True)
        try:
            workers.start(WORKERS)
            requests = [RunRequest(GRAPH, _inputs(i), f"crash-{i:04d}") for i in range(ITEMS)]
            ids = orch.submit(requests, started_by="crash-test")
            killer.start()
            deadline = time.monotonic() + SETTLE_SECONDS
            while not done.is_set():
                busy = _unsettled(orch)  # read first: a run settled by then has its items in the sweep below
                decided = reviewer.sweep(budget=(workers.kills + 1) * DECISIONS_PER_KILL - reviewer.decided)
                if not decided and not busy and not reviewer.held:
                    break  # nothing owed a job, and every item is decided or left waiting
                assert time.monotonic() < deadline, f"not settled: {_unsettled(orch)}\n{workers.errors()}"
                time.sleep(0.05 if decided else 0.2)
            done.set()
            killer.join(timeout=120)
            assert not failed, f"the killer failed: {failed[0]!r}\n{workers.errors()}"
            settled = time.monotonic() - began
        finally:
            done.set()
            if killer.is_alive():
                killer.join(timeout=120)  # it may be starting replacements: let it finish before stopping them
            workers.stop()
        found = _check(orch, ids, reviewer.waiting)
    print(
        f"\n{ITEMS} runs, {reviewer.decided} decisions, {workers.kills} workers killed; settled after {settled:.0f} s, "
        f"checked after {time.monotonic() - began:.0f} s; {found.recovered_jobs} jobs recovered, "
        f"{found.retried_sends} sends retried; {dict(found.states)}"
    )
    assert not found.problems, f"{len(found.problems)} problems:\n" + "\n".join(found.problems[:40])
    if ITEMS >= 200:  # a batch this long sees many kills land mid-job, and every way a run can end
        assert workers.kills >= MIN_KILLS and found.recovered_jobs > 0, "the kills never landed on a job in flight"
        for end in ("completed:approved", "completed:rejected", "paused:None"):
            assert found.states[end], f"no run ended {end}: {found.states}"
