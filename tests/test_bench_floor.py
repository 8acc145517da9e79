"""The floor bench writes what the product writes: its rows read back through the Orchestrator."""

from __future__ import annotations

import sqlite3
from contextlib import ExitStack, closing
from pathlib import Path

from bench.core import APPROVE, GRAPH, GatedSide, _input, bench_registry, build_gated_graph
from bench.floor import FLOOR_STATEMENTS, FloorSide

from humangate.checkpoints.savers import open_checkpointer
from humangate.config import Settings
from humangate.graphs.common import GraphDeps
from humangate.review.service import Orchestrator
from humangate.risk import RiskPolicy

RUNS = 3


def test_floor_rows_are_real_runs(tmp_path: Path) -> None:
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'floor.db'}", outbox_dir=tmp_path / "outbox")
    GatedSide(settings).close()
    assert settings.database.sqlite_path is not None
    with ExitStack() as stack:
        graph = build_gated_graph().compile(checkpointer=stack.enter_context(open_checkpointer(settings)))
        side = FloorSide(settings.database.sqlite_path, graph, GRAPH, _input, APPROVE)
        stack.callback(side.close)
        statements: list[str] = []
        side.conn.set_trace_callback(statements.append)
        for _ in range(RUNS):
            assert side.run() > 0
        side.conn.set_trace_callback(None)
        graph_only = FloorSide(settings.database.sqlite_path, graph, GRAPH, _input, APPROVE, sql=False)
        stack.callback(graph_only.close)
        graph_only.run()

    work = [s for s in statements if s.split()[0].upper() not in {"BEGIN", "COMMIT"}]
    assert len(work) == RUNS * FLOOR_STATEMENTS
    assert sum(s.startswith("BEGIN IMMEDIATE") for s in statements) == RUNS * 4

    # The product queues 5% of approvals for a blind second look; the floor leaves that out, and so does this run.
    no_audits = GraphDeps(policy=RiskPolicy.from_toml_text("[defaults]\naudit_rate = 0.0\n"))
    orch = Orchestrator(settings, registry=bench_registry(), deps=no_audits)
    try:
        done = orch.runs(status="completed")
        assert len(done) == RUNS
        assert {r.outcome for r in done} == {"approved"}
        assert orch.count() == 0  # nothing left pending
        assert orch.verify_audit().ok
        info = orch.start(GRAPH, _input(99), started_by="bench")  # one run by the product, for comparison
        orch.decide(info.pending_items[0], APPROVE)
        product = [e["kind"] for e in orch.timeline(info.id)]
        assert [e["kind"] for e in orch.timeline(done[0].id)] == product
        with closing(sqlite3.connect(settings.database.sqlite_path)) as conn:
            for table in ("review_items", "assessments", "decisions", "audit_events"):
                sql = f"SELECT count(*) FROM {table} WHERE run_id = ?"
                counts = {conn.execute(sql, (run_id,)).fetchone()[0] for run_id in (info.id, *(r.id for r in done))}
                assert len(counts) == 1 and counts != {0}, (table, counts)
        report = orch.reconcile()  # nothing for recovery to repair; memory takes every decision
        assert (report.runs_checked, report.memory_stored, report.memory_waiting) == (0, RUNS + 1, 0)
    finally:
        orch.close()
