"""``humangate run`` on 1,000 items in a real terminal: a live bar over their outcomes, then a cancel mid-way.

Real throughout: the installed ``humangate`` command in a pseudo-terminal (so rich draws its bar as a user
sees it), its embedded DBOS worker pool, a SQLite database, the offline support graph, and ``humangate tasks
cancel`` from a second process while the first is still working. Afterwards the database and every run's
checkpoint are read directly: nothing is left half-started.
"""

from __future__ import annotations

import csv
import os
import pty
import re
import select
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import select as sql_select

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import review_items, runs

ITEMS = 1000
CANCEL_AFTER = 120  # runs settled (waiting for review) before the second process cancels the task
TASK = "Answer these support tickets. Let me approve every reply."
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")
PROGRESS = re.compile(r"(\d+) done, (\d+) waiting for review, (\d+) failed")
BAR = re.compile(r"(\d+)/1000")


def _tickets(path: Path) -> None:
    asks = [
        "Where is my order {n}?",
        "How do I reset my password?",
        "Can I change the delivery address for order {n}?",
        "Do you ship to Norway?",
        "Thanks, the replacement for order {n} arrived.",
    ]
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "email", "text"])
        for i in range(ITEMS):
            writer.writerow([f"T{i:04d}", f"Customer {i}", f"c{i}@example.com", asks[i % len(asks)].format(n=1000 + i)])


def _humangate() -> str:
    return str(Path(sys.executable).with_name("humangate"))


def test_a_thousand_items_show_progress_and_a_cancel_leaves_no_half_started_run(tmp_path: Path) -> None:
    db = tmp_path / "hg.db"
    _tickets(tmp_path / "tickets.csv")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "HUMANGATE_"))}
    env.update(HUMANGATE_DB_URL=f"sqlite:///{db}", COLUMNS="200", TERM="xterm", HUMANGATE_OUTBOX_DIR=str(tmp_path))
    master, slave = pty.openpty()
    cmd = [_humangate(), "run", TASK, "--input", "tickets.csv", "--yes"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    raw, task_id, cancel_output = b"", None, None
    seen: list[int] = []
    before_cancel: list[int] = []
    deadline = time.monotonic() + 600
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the command exited and closed its side
                    break
                if not chunk:
                    break
                raw += chunk
                text = ANSI.sub(b"", raw).decode(errors="replace")
                if task_id is None and (m := re.search(r"Task (\S+): 1000 runs queued", text)):
                    task_id = m.group(1)
                seen = [int(w) for _, w, _ in PROGRESS.findall(text)]
                if cancel_output is None and seen and seen[-1] >= CANCEL_AFTER:
                    assert task_id is not None, text[-2000:]
                    cancel = [_humangate(), "tasks", "cancel", task_id, "--as", "cli"]
                    done = subprocess.run(cancel, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
                    assert done.returncode == 0, done.stderr
                    cancel_output, before_cancel = done.stdout, seen
            elif proc.poll() is not None:
                break
        assert proc.wait(timeout=120) == 0, ANSI.sub(b"", raw).decode(errors="replace")[-3000:]
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    text = ANSI.sub(b"", raw).decode(errors="replace")

    # the bar was live: it counted up in several frames before the cancel, out of all 1,000 runs
    assert cancel_output is not None, text[-3000:]
    assert len(set(before_cancel)) >= 3 and before_cancel == sorted(before_cancel), before_cancel
    assert len(set(BAR.findall(text))) >= 3, text[:3000]
    assert re.search(r"Task \S+ cancelled: .*\d+ cancelled", cancel_output), cancel_output
    assert "and 950 more runs" in text, text[-3000:]  # the outcome table stops at 50 rows
    assert re.search(r"\d+ completed without a person, \d+ waiting for review, \d+ cancelled", text), text[-500:]

    orch = Orchestrator(Settings(db_url=f"sqlite:///{db}", outbox_dir=tmp_path / "outbox"))
    try:
        assert task_id is not None
        progress = orch.task_progress(task_id)
        assert progress.finished and progress.total == ITEMS, progress
        assert progress.cancelled >= ITEMS - CANCEL_AFTER - 200, progress  # most never started
        graph = orch.graph("support")
        with orch.db.read() as conn:
            statuses = Counter(conn.execute(sql_select(runs.c.status).where(runs.c.task_id == task_id)).scalars())
            pending = conn.execute(sql_select(review_items.c.id).where(review_items.c.status == "pending")).all()
            run_ids = list(conn.execute(sql_select(runs.c.id).where(runs.c.task_id == task_id)).scalars())
        assert sum(statuses.values()) == ITEMS and set(statuses) <= {"cancelled", "paused", "completed"}, statuses
        assert not pending, "a cancelled task left items in the queue"
        for run_id in run_ids:
            snap = graph.get_state({"configurable": {"thread_id": run_id}})
            # never started (no checkpoint), or stopped at a pause or the end: never between two nodes
            assert not (snap.tasks and not snap.interrupts), f"{run_id} stopped between nodes"
    finally:
        orch.close()
