"""Runs on workers: queued starts and decisions, async nodes, cancelling, endpoint limits, two workers, a crash.

Everything real: DBOS on a SQLite file beside the database and on a schema of the test's Postgres, worker
pools in this process and in subprocesses killed with SIGKILL, a local HTTP server for the endpoint limits.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import audit_events, outbox, review_items, runs
from humangate.review.advance.jobs import RunRequest
from humangate.runtime import EndpointLimiter, EndpointLimits, JobClient, WorkerPool, limited_clients
from tests.runtime_graphs import timed_registry, topic

HERE = Path(__file__).parent


@contextmanager
def queued(settings: Settings, *, hold: threading.Event | None = None, workers: int = 4) -> Iterator[Orchestrator]:
    """Yield a queued Orchestrator on the ``timed`` graph with a worker pool of ``workers`` in this process."""
    client = JobClient(settings)
    orch = Orchestrator(settings, registry=timed_registry(hold=hold), runtime=client)
    orch.add_user("alice", "reviewer")
    try:
        with WorkerPool(orch, client, concurrency=workers, grace=2):
            yield orch
    finally:
        orch.close()
        client.close()


def _approve_all(orch: Orchestrator, run_id: str) -> list[int]:
    run = orch.wait_run(run_id, timeout=60)
    assert run.status == "paused", run
    for item in run.pending_items:
        assert orch.decide(item, {"action": "approve", "reviewer": "alice"}).run.status in ("resuming", "running")
    return list(run.pending_items)


def test_start_and_decide_enqueue_and_workers_finish_the_run(settings: Settings) -> None:
    with queued(settings) as orch:
        first = orch.start("timed", topic(1))
        assert first.status == "queued" and first.pending_items == ()
        _approve_all(orch, first.id)
        done = orch.wait_run(first.id, timeout=60)
        assert (done.status, done.outcome) == ("completed", "approved")
        values = orch.graph("timed").get_state({"configurable": {"thread_id": first.id}}).values
        assert values["done"] == ["joined"]
        with orch.db.read() as conn:
            kinds = Counter(
                conn.execute(select(audit_events.c.kind).where(audit_events.c.run_id == first.id)).scalars()
            )
            gates = (review_items.c.run_id == first.id) & (review_items.c.kind == "gate")  # not a sampled audit
            decided = conn.execute(select(review_items.c.status).where(gates)).scalars()
            assert sorted(decided) == ["decided", "decided"]
        assert kinds["run.started"] == 1 and kinds["run.completed"] == 1


def test_decide_returns_while_the_resumed_run_still_works(tmp_path: Path) -> None:
    hold = threading.Event()
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "outbox")
    with queued(settings, hold=hold) as orch:
        run = orch.start("timed", topic(2))
        _approve_all(orch, run.id)  # the second decision's resume reaches the join, which waits on hold
        time.sleep(0.3)
        now = orch.run(run.id)
        assert now.status in ("resuming", "running"), now  # decide came back; the run is still being resumed
        hold.set()
        assert orch.wait_run(run.id, timeout=60).status == "completed"


def test_async_nodes_run_inline_without_a_runtime(tmp_path: Path) -> None:
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "outbox")
    with Orchestrator(settings, registry=timed_registry()) as orch:
        orch.add_user("alice", "reviewer")
        run = orch.start("timed", topic(3))
        assert run.status == "paused" and len(run.pending_items) == 2
        for item in run.pending_items:
            last = orch.decide(item, {"action": "approve", "reviewer": "alice"}).run
        assert last.status == "completed"


def test_cancelling_a_task_mid_way_leaves_no_half_started_run(tmp_path: Path) -> None:
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "outbox")
    with queued(settings, workers=2) as orch:
        orch.record_task("t-cancel", "timed batch", "timed", total=60, started_by="alice")
        ids = orch.submit([RunRequest("timed", {"topic": f"t{i}"}, f"r{i:03d}") for i in range(60)], task_id="t-cancel")
        while orch.task_progress("t-cancel").settled < 8:
            time.sleep(0.05)
        orch.cancel_task("t-cancel", "alice")
        final = orch.wait_task("t-cancel", timeout=60)
        assert final.finished and final.cancelled > 0 and final.queued == final.running == 0
        graph = orch.graph("timed")
        for run_id in ids:
            run = orch.run(run_id)
            snap = graph.get_state({"configurable": {"thread_id": run_id}})
            assert run.status in ("cancelled", "paused", "completed"), run
            assert not (snap.tasks and not snap.interrupts), f"{run_id} stopped between nodes"
            if run.status == "cancelled":
                assert run.pending_items == ()  # its items left the queue with it
        with orch.db.read() as conn:
            statuses = Counter(conn.execute(select(review_items.c.status)).scalars())
        assert statuses["pending"] == 0, statuses  # every paused run of the task was cancelled


def test_cancel_refuses_a_finished_run(tmp_path: Path) -> None:
    from humangate.errors import InvalidInputError

    settings = Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "outbox")
    with queued(settings) as orch:
        run = orch.start("timed", topic(4), wait=True)
        assert orch.cancel(run.id, "alice").status == "cancelled"
        with pytest.raises(InvalidInputError, match="only a queued, running or paused run"):
            orch.cancel(run.id, "alice")


# -- endpoint limits ---------------------------------------------------------------------------------


class _SlowServer:
    """Answer every POST after ``delay`` seconds, counting the most requests in flight; the first answers 429."""

    def __init__(self, delay: float, first_429: bool = False) -> None:
        self.delay, self.in_flight, self.peak, self.first_429 = delay, 0, 0, first_429
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with server.lock:
                    server.in_flight += 1
                    server.peak = max(server.peak, server.in_flight)
                    limited, server.first_429 = server.first_429, False
                time.sleep(server.delay)
                with server.lock:
                    server.in_flight -= 1
                body = json.dumps({"usage": {"total_tokens": 10}}).encode()
                self.send_response(429 if limited else 200)
                if limited:
                    self.send_header("Retry-After", "30")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1/chat/completions"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_endpoint_limits_hold_calls_at_once_and_honour_retry_after() -> None:
    server = _SlowServer(0.1)
    limiter = EndpointLimiter(EndpointLimits(concurrency=3))
    sync, _ = limited_clients(limiter)
    with sync:
        threads = [threading.Thread(target=lambda: sync.post(server.url, json={"messages": []})) for _ in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert server.peak == 3 and limiter.peak_in_flight == 3
    server.close()

    asked = _SlowServer(0.0, first_429=True)
    limiter = EndpointLimiter(EndpointLimits(concurrency=3, rpm=600, tpm=100_000))
    sync, _ = limited_clients(limiter)
    with sync:
        assert sync.post(asked.url, json={"messages": []}).status_code == 429
    assert limiter.try_acquire(10) > 25  # every call to the endpoint now waits for the Retry-After
    asked.close()


def test_token_bucket_makes_calls_wait_for_their_tokens() -> None:
    clock = [0.0]
    limiter = EndpointLimiter(EndpointLimits(concurrency=10, tpm=600), clock=lambda: clock[0])
    assert limiter.try_acquire(500) == 0.0
    limiter.release(500, 500, httpx.Response(200))
    assert limiter.try_acquire(500) == pytest.approx(40.0)  # 400 tokens missing at 10 per second
    clock[0] = 40.0
    assert limiter.try_acquire(500) == 0.0


# -- two workers on one Postgres, and a killed one -----------------------------------------------


def _worker(settings: Settings, log: Path, errlog: Path) -> subprocess.Popen[str]:
    cmd = [sys.executable, str(HERE / "runtime_worker.py"), settings.db_url, str(settings.outbox_dir), str(log), "8"]
    with errlog.open("a") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready", errlog.read_text()
    return proc


def test_two_workers_never_advance_one_run_at_once_and_a_killed_ones_jobs_recover(
    pg_server: str, tmp_path: Path
) -> None:
    from tests.conftest import _fresh_pg_database

    settings = Settings(db_url=_fresh_pg_database(pg_server), outbox_dir=tmp_path / "outbox")
    log, errlog = tmp_path / "nodes.log", tmp_path / "workers.err"
    client = JobClient(settings)
    orch = Orchestrator(settings, registry=timed_registry(), runtime=client)
    orch.add_user("alice", "reviewer")
    procs = [_worker(settings, log, errlog), _worker(settings, log, errlog)]
    try:
        ids = orch.submit([RunRequest("timed", {"topic": f"t{i}"}, f"r{i:03d}") for i in range(40)])
        for run_id in ids:  # both items of a run decided back to back: two resume jobs, two workers
            _approve_all(orch, run_id)
            if run_id == ids[20]:
                procs[0].kill()  # SIGKILL mid-batch; the other worker takes over its jobs
                procs[0].wait()
                assert procs[0].returncode == -9
                procs.append(_worker(settings, log, errlog))
        finals = [orch.wait_run(run_id, timeout=120) for run_id in ids]
        assert Counter(r.status for r in finals) == {"completed": 40}, errlog.read_text()[-3000:]
        spans: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
        for line in log.read_text().splitlines():
            run_id, pid, start, end = line.split()
            spans[run_id].append((float(start), float(end), pid))
        for run_id, found in spans.items():
            found.sort()
            for (_, e1, p1), (s2, _, p2) in itertools.pairwise(found):
                # a/b are siblings of one step in one process; across processes nothing may overlap
                assert p1 == p2 or s2 >= e1, f"{run_id}: workers {p1} and {p2} advanced it at once"
        with orch.db.read() as conn:
            started = Counter(
                conn.execute(select(audit_events.c.run_id).where(audit_events.c.kind == "run.started")).scalars()
            )
            locked = conn.execute(select(runs.c.id).where(runs.c.lock_owner.is_not(None))).all()
            effects = conn.execute(select(outbox.c.key)).scalars().all()
        assert set(started.values()) == {1} and not locked
        assert len(effects) == len(set(effects))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=60)
            assert proc.stdout is not None
            proc.stdout.close()
        orch.close()
        client.close()


def test_a_job_never_acts_on_a_status_another_worker_just_changed(pg_server: str, tmp_path: Path) -> None:
    """A job reads its run's status under the row lock: a run another worker finished meanwhile stays finished."""
    from tests.conftest import _fresh_pg_database

    settings = Settings(db_url=_fresh_pg_database(pg_server), outbox_dir=tmp_path / "outbox")
    with Orchestrator(settings) as first, Orchestrator(settings) as second:
        run = first.start("notify", {"recipient": "Ann Lee", "email": "ann@example.com", "topic": "Hello"})
        with first.db.write() as conn:  # a decision was recorded: the run waits for its resume job
            conn.execute(runs.update().where(runs.c.id == run.id).values(status="resuming"))
        finishing = threading.Event()

        def finish_elsewhere() -> None:  # another worker completes the run, in a transaction still open
            with second.db.write() as conn:
                conn.execute(select(runs.c.id).where(runs.c.id == run.id).with_for_update())
                conn.execute(runs.update().where(runs.c.id == run.id).values(status="completed"))
                finishing.set()
                time.sleep(1.0)

        other = threading.Thread(target=finish_elsewhere)
        other.start()
        assert finishing.wait(10)
        taken = first._take_for_job(run.id)  # blocks until the other worker commits, then reads what it wrote
        other.join()
        with first.db.read() as conn:
            status, owner = conn.execute(select(runs.c.status, runs.c.lock_owner).where(runs.c.id == run.id)).one()
        assert (taken, status, owner) == ("completed", "completed", None)


def test_a_cancel_that_lands_after_an_approve_stops_the_send_still_waiting_for_a_worker(tmp_path: Path) -> None:
    # A run whose approval was recorded waits as "resuming" for its resume job. A cancel then only flagged it, and
    # the job applied the approval and sent the email the operator had just cancelled.
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "outbox")
    client = JobClient(settings)
    orch = Orchestrator(settings, runtime=client)
    orch.add_user("alice", "reviewer")
    note = {"recipient": "Ann Lee", "email": "ann@example.com", "topic": "Thanks.", "require_approval": True}
    try:
        with WorkerPool(orch, client, concurrency=2, grace=2):
            run = orch.wait_run(orch.start("notify", note).id, timeout=60)
        assert run.status == "paused"
        # No worker runs now: the approval is recorded and its resume waits in the queue.
        assert orch.decide(run.pending_items[0], {"action": "approve", "reviewer": "alice"}).run.status == "resuming"
        orch.cancel(run.id, "alice")
        with WorkerPool(orch, client, concurrency=2, grace=2):
            final = orch.wait_run(run.id, timeout=60)
        assert final.status == "cancelled", final
        with orch.db.read() as conn:
            assert conn.execute(select(outbox.c.key).where(outbox.c.run_id == run.id)).all() == []
    finally:
        orch.close()
        client.close()
