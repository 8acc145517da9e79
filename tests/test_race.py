"""Race test: two processes decide the same item at the same moment; exactly one decision applies."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import audit_events, decisions, outbox, runs

HERE = Path(__file__).parent
ROUNDS = 200
LEAD = 0.03  # seconds between sending a round and the moment both workers decide


class Racer:
    """One ``race_worker.py`` process deciding as ``reviewer``."""

    def __init__(self, settings: Settings, reviewer: str, log: Path) -> None:
        self.reviewer = reviewer
        self.log = log
        cmd = [sys.executable, str(HERE / "race_worker.py"), settings.db_url, str(settings.outbox_dir), reviewer]
        with log.open("w") as err:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.strip())

    def next_line(self, timeout: float = 60) -> str:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(
                f"{self.reviewer}'s worker said nothing for {timeout} s: {self.log.read_text()}"
            ) from None

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def stop(self) -> int:
        """End the worker (killing it if it does not stop) and return its exit code."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        if self.proc.poll() is None:
            try:
                self.send("")
                self.proc.wait(timeout=30)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(timeout=30)
        self.reader.join(timeout=10)
        self.proc.stdin.close()
        self.proc.stdout.close()
        return self.proc.returncode


def _round(racers: list[Racer], item_id: int) -> list[dict[str, Any]]:
    """Have every racer approve ``item_id`` at the same moment; return their reports."""
    go_at = time.time() + LEAD
    for r in racers:
        r.send(f"{item_id} {go_at!r}")
    reports = [json.loads(r.next_line()) for r in racers]
    for r, rep in zip(racers, reports, strict=True):
        rep["reviewer"] = r.reviewer
    return reports


@pytest.mark.timeout(300)
def test_two_processes_decide_the_same_item(
    orch: Orchestrator, settings: Settings, db_url: str, tmp_path: Path
) -> None:
    inputs = {"recipient": "Ann Lee", "email": "ann@example.com", "topic": "Agenda.", "require_approval": True}
    items: dict[int, str] = {}
    for i in range(ROUNDS):
        run = orch.start("notify", inputs, run_id=f"race-{i:04d}", started_by="race-test")
        assert run.status == "paused" and len(run.pending_items) == 1, run
        items[run.pending_items[0]] = run.id

    racers = [Racer(settings, name, tmp_path / f"{name}.log") for name in ("alice", "bob")]
    winners: dict[int, str] = {}
    refused_in: Counter[str] = Counter()
    problems: list[str] = []
    try:
        for r in racers:
            assert r.next_line() == "ready", r.log.read_text()
        for item_id in items:
            reports = _round(racers, item_id)
            won = [rep for rep in reports if rep["outcome"] == "won"]
            lost = [rep for rep in reports if rep["outcome"] != "won"]
            if len(won) != 1:
                problems.append(f"item {item_id}: {len(won)} winners: {reports}")
                continue
            winners[item_id] = won[0]["reviewer"]
            loser = lost[0]
            if loser["error"] != "AlreadyDecidedError" or "already decided" not in loser["message"]:
                problems.append(f"item {item_id}: the loser got {loser['error']}: {loser['message']}")
            refused_in[loser["refused_in"]] += 1
    finally:
        codes = [r.stop() for r in racers]
    assert not problems, f"{len(problems)} bad rounds of {ROUNDS}:\n" + "\n".join(problems[:20])
    assert codes == [0, 0], [r.log.read_text() for r in racers]
    print(f"{db_url.split(':')[0]}: the loser was refused in {dict(refused_in)}; winners {Counter(winners.values())}")
    if db_url.startswith("postgresql"):  # SQLite serialises writers, so there only the status check can refuse
        assert refused_in["record_decision"] >= ROUNDS // 10, f"the workers hardly overlapped: {dict(refused_in)}"

    with orch.db.read() as conn:
        decided = conn.execute(select(decisions.c.item_id, decisions.c.reviewer, decisions.c.applied_at)).all()
        run_rows = conn.execute(select(runs.c.id, runs.c.status, runs.c.outcome)).all()
        sent = conn.execute(select(outbox.c.run_id, outbox.c.key, outbox.c.status)).all()
        recorded = conn.execute(select(audit_events.c.item_id).where(audit_events.c.kind == "decision.recorded")).all()
    assert sorted(d.item_id for d in decided) == sorted(items), "want exactly one decision row per item"
    assert {d.item_id: d.reviewer for d in decided} == winners, "each decision row must be the reported winner's"
    assert all(d.applied_at is not None for d in decided)
    assert sorted(e.item_id for e in recorded) == sorted(items), "want one decision.recorded event per item"
    assert {(r.id, r.status, r.outcome) for r in run_rows} == {(rid, "completed", "approved") for rid in items.values()}
    assert sorted((o.run_id, o.key, o.status) for o in sent) == sorted(
        (rid, f"{rid}:send:1", "sent") for rid in items.values()
    ), "want exactly one sent outbox row per run"
    files = sorted(settings.outbox_dir.glob("*.eml"))
    assert files == sorted(orch.mailer.path_for(f"{rid}:send:1") for rid in items.values())
    assert orch.verify_audit().ok
