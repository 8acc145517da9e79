"""The inbox's first page is read from the queue index in order, with no sort step, after every migration."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from humangate import Settings
from humangate.checkpoints.database import Database
from humangate.checkpoints.schema import review_items
from humangate.review.queue import QueueFilter


def test_top_of_queue_uses_the_queue_index_without_sorting(tmp_path: Path) -> None:
    # SQLite only: its planner answers EXPLAIN QUERY PLAN the same way on an empty table as on a full one.
    # A migration that rebuilt review_items in batch mode once dropped the index's DESC, so every page sorted.
    db = Database(Settings(db_url=f"sqlite:///{tmp_path / 'q.db'}"))
    try:
        db.ensure_schema()
        c = review_items.c
        stmt = (
            select(review_items)
            .where(*QueueFilter().clauses())
            .order_by(c.risk_rank.desc(), c.created_at, c.id)
            .limit(51)
        )
        with db.read() as conn:
            sql = str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))
            plan = [str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
    finally:
        db.dispose()
    assert any("USING INDEX ix_review_items_queue" in step for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan
