"""Crash test: SIGKILL workers mid-batch, reconcile, and check that nothing is lost, stuck or sent twice."""

from __future__ import annotations

import json
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import audit_events, decisions, outbox, review_items, runs
from tests import crash_worker as worker

HERE = Path(__file__).parent
RUNS = 200
KILLS = 16
MAX_OPS_BEFORE_KILL = 8  # a killed worker starts or decides at most this many times (plus one)
MAX_KILL_DELAY = 0.03  # seconds after the last counted operation: the kill lands anywhere in the next one
SEED = 20_240_916  # even: the last worker leaves the last kill's debris to the test's reconcile()


def _command(settings: Settings, seed: int) -> list[str]:
    db, out = settings.db_url, str(settings.outbox_dir)
    return [sys.executable, str(HERE / "crash_worker.py"), db, out, str(RUNS), str(seed)]


class Worker:
    """One ``crash_worker.py`` process; its stdout lines arrive on a queue, stderr goes to a file."""

    def __init__(self, settings: Settings, seed: int, log: Path) -> None:
        self.log = log
        with log.open("w") as err:
            self.proc = subprocess.Popen(
                _command(settings, seed),
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
            )
        self.lines: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.strip())
        self.lines.put("")  # end of output

    def wait_lines(self, count: int, timeout: float = 60) -> None:
        """Wait until the worker printed ``count`` more lines, or ended."""
        for _ in range(count):
            try:
                if self.lines.get(timeout=timeout) == "":
                    return
            except queue.Empty:
                raise AssertionError(f"worker silent for {timeout} s: {self.log.read_text()}") from None

    def kill(self) -> bool:
        """SIGKILL the worker unless it already ended; reap it; return True when the kill landed."""
        landed = self.proc.poll() is None
        if landed:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)  # reap, so the run-lock takeover sees the pid as dead
        self.reader.join(timeout=10)
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        if not landed:
            assert self.proc.returncode == 0, self.log.read_text()
        return landed


def _decide_rest(orch: Orchestrator) -> int:
    """Approve every pending item (an expert where one is needed); return how many were decided."""
    done = 0
    for _ in range(10):
        items = orch.pending(limit=1000).items
        if not items:
            return done
        for item in items:
            reviewer = "erin" if item.required_role == "expert" else "alice"
            if reviewer in item.request.audited:  # a blind audit of alice's own approval needs other eyes
                reviewer = "bob" if "bob" not in item.request.audited else "erin"
            orch.decide(item.id, {"action": "approve", "reviewer": reviewer})
            done += 1
    raise AssertionError("items kept appearing after 10 passes over the queue")


def _check(orch: Orchestrator, outbox_dir: Path, *, final: bool) -> Counter[str]:
    """Check every invariant against the tables and checkpoints; return counts of run states."""
    graph = orch.graph("notify")
    with orch.db.read() as conn:
        run_rows = conn.execute(select(runs).order_by(runs.c.id)).all()
        # Audit items (second looks at sampled auto-passed work) wait on no interrupt; check the gates' items.
        item_rows = conn.execute(select(review_items).where(review_items.c.kind == "gate")).all()
        gate_items = select(review_items.c.id).where(review_items.c.kind == "gate")
        decision_rows = conn.execute(
            select(decisions).where(decisions.c.item_id.in_(gate_items)).order_by(decisions.c.id)
        ).all()
        all_decisions = len(conn.execute(select(decisions.c.id)).all())
        outbox_rows = conn.execute(select(outbox)).all()
        events = conn.execute(select(audit_events.c.kind, audit_events.c.run_id)).all()
    items_of: dict[str, list[Any]] = defaultdict(list)
    for it in item_rows:
        items_of[it.run_id].append(it)
    decisions_of: dict[str, list[Any]] = defaultdict(list)
    for d in decision_rows:
        decisions_of[d.run_id].append(d)
    outbox_of: dict[str, list[Any]] = defaultdict(list)
    for o in outbox_rows:
        outbox_of[o.run_id].append(o)
    event_count = Counter((e.kind, e.run_id) for e in events)
    problems: list[str] = []
    states: Counter[str] = Counter()
    expected_files: set[Path] = set()

    assert [r.id for r in run_rows] == [worker.run_id_for(i) for i in range(RUNS)]
    for run in run_rows:
        rid = run.id
        inputs = json.loads(run.inputs_json)
        snap = graph.get_state({"configurable": {"thread_id": rid}})
        open_ids = sorted(i.id for i in snap.interrupts)
        pending = sorted(it.interrupt_id for it in items_of[rid] if it.status == "pending")
        states[f"{run.status}:{run.outcome}"] += 1
        if run.status not in (("completed",) if final else ("completed", "paused")):
            problems.append(f"{rid}: status {run.status} (error {run.error})")
            continue
        if run.lock_owner is not None:
            problems.append(f"{rid}: still locked by {run.lock_owner}")
        if pending != open_ids:
            problems.append(f"{rid}: pending items {pending} but open interrupts {open_ids}")
        tasks = [t.name for t in snap.tasks]  # a finished run's last checkpoint has none; ``next`` may hide some
        if run.status == "paused" and not open_ids:
            problems.append(f"{rid}: paused without an open interrupt (tasks: {tasks})")
        if run.status == "completed" and tasks:
            problems.append(f"{rid}: completed but its last checkpoint still has tasks {tasks}")
        for d in decisions_of[rid]:
            if d.interrupt_id in open_ids:
                problems.append(f"{rid}: decision {d.id} ({d.action}) was recorded, but its interrupt is still open")
            elif d.applied_at is None:
                problems.append(f"{rid}: decision {d.id} ({d.action}) was consumed but is not marked applied")
        if event_count[("run.started", rid)] != 1:
            problems.append(f"{rid}: {event_count[('run.started', rid)]} run.started events")
        files = outbox_of[rid]
        if run.status == "paused":
            if files:
                problems.append(f"{rid}: paused yet has outbox rows {[o.key for o in files]}")
            continue
        actions = [d.action for d in decisions_of[rid]]
        expected = "passed" if not actions else ("rejected" if actions[-1] == "reject" else "approved")
        if run.outcome != expected:
            problems.append(f"{rid}: outcome {run.outcome}, decisions {actions} say {expected}")
        if worker.needs_review(inputs) != bool(actions):
            problems.append(f"{rid}: inputs {inputs} but decisions {actions}")
        if event_count[("run.completed", rid)] != 1:
            problems.append(f"{rid}: {event_count[('run.completed', rid)]} run.completed events")
        if expected == "rejected":
            if files:
                problems.append(f"{rid}: rejected yet has outbox rows {[o.key for o in files]}")
            continue
        key = f"{rid}:send:1"
        if [(o.key, o.status) for o in files] != [(key, "sent")]:
            problems.append(f"{rid}: outbox rows {[(o.key, o.status) for o in files]}, want one sent {key}")
            continue
        path = orch.mailer.path_for(key)
        expected_files.add(path)
        if not path.is_file():
            problems.append(f"{rid}: no file {path.name}")
            continue
        text = path.read_text()
        body = json.loads(files[0].payload_json)["body"]
        if f"X-Humangate-Key: {key}\n" not in text or body not in text:
            problems.append(f"{rid}: {path.name} does not hold the whole message ({len(text)} characters)")
        if (worker.EDIT_MARK in text) != (actions[-1:] == ["edit"]):
            problems.append(f"{rid}: sent text does not match the last decision {actions[-1:]}")
        if ("redirect" in actions) != ("Please keep it brief." in text):
            problems.append(f"{rid}: sent text does not match the redirect in {actions}")

    decided = Counter(d.item_id for d in decision_rows)
    for it in item_rows:
        if it.status not in ("pending", "decided"):
            problems.append(f"item {it.id} of {it.run_id}: status {it.status}")
        if (it.status == "decided") != (decided[it.id] == 1):
            problems.append(f"item {it.id} of {it.run_id}: status {it.status}, {decided[it.id]} decisions")
    if sum(1 for e in events if e.kind == "decision.recorded") != all_decisions:
        problems.append("decision.recorded events do not match the decisions table")
    keys = Counter(o.key for o in outbox_rows)
    problems += [f"outbox key {k} appears {n} times" for k, n in keys.items() if n != 1]
    on_disk = set(outbox_dir.glob("*.eml"))
    if on_disk != expected_files:
        problems.append(
            f"outbox files: extra {sorted(p.name for p in on_disk - expected_files)}, "
            f"missing {sorted(p.name for p in expected_files - on_disk)}"
        )
    audit = orch.verify_audit()
    if not audit.ok:
        problems.append(f"audit chain broken: {audit.problems[:5]}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:30])
    return states


@pytest.mark.timeout(300)
def test_sigkill_mid_batch_then_reconcile(settings: Settings, tmp_path: Path) -> None:
    with Orchestrator(settings) as admin:
        for name, role in worker.USERS:
            admin.add_user(name, role)
    rng = random.Random(SEED)
    landed = 0
    for attempt in range(1, KILLS + 1):
        w = Worker(settings, SEED + attempt, tmp_path / f"worker-{attempt}.log")
        try:
            w.wait_lines(1 + rng.randint(0, MAX_OPS_BEFORE_KILL))  # "ready", then some operations
            time.sleep(rng.uniform(0.0, MAX_KILL_DELAY))
        finally:
            landed += w.kill()
    assert landed == KILLS, f"the batch was done after {landed} kills; lower MAX_OPS_BEFORE_KILL"

    last = subprocess.run(_command(settings, SEED), capture_output=True, text=True, timeout=180)
    assert last.returncode == 0, last.stderr

    with Orchestrator(settings) as orch:
        report = orch.reconcile()
        assert not report.failed and not report.busy, report
        states = _check(orch, settings.outbox_dir, final=False)
        print(f"after reconcile ({report}): {dict(states)}")
        for outcome in ("completed:approved", "completed:rejected", "completed:passed", "paused:None"):
            assert states[outcome] > 0, f"the batch never reached {outcome}: {states}"
        assert _decide_rest(orch) >= states["paused:None"]
        states = _check(orch, settings.outbox_dir, final=True)
        assert states["completed:approved"] + states["completed:rejected"] + states["completed:passed"] == RUNS
