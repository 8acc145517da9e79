"""``MemoryStore``'s curation: disable, re-enable and roll back corrections, re-embed them for a new embedder.

Curation never deletes: it flips ``active`` and writes an audit event.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sqlalchemy import Connection, select, text, update

from humangate.checkpoints.database import Database
from humangate.checkpoints.schema import corrections, decisions, memory_backlog, review_items
from humangate.memory._records import Correction, load_correction, vector_literal
from humangate.memory.embeddings import Embedder
from humangate.oversight.audit import append_event

__all__ = ["CurationMixin"]


class CurationMixin:
    """Curate stored corrections; ``MemoryStore`` supplies the database, clock, embedder and ``settle``."""

    db: Database
    clock: Callable[[], float]
    embedder: Embedder
    _pgvector: bool | None

    def settle(self) -> None:
        """Store the queued decisions first (``MemoryStore.settle``)."""
        raise NotImplementedError

    def set_active(self, correction_id: int, active: bool, *, actor: str, reason: str | None = None) -> Correction:
        """Disable or re-enable one correction; the next search sees the change."""
        self.settle()
        now = self.clock()
        with self.db.write() as conn:
            current = load_correction(conn, correction_id)
            if current.active != active:
                conn.execute(
                    update(corrections).where(corrections.c.id == correction_id).values(active=active, updated_at=now)
                )
            append_event(
                conn,
                actor=actor,
                kind="memory.enabled" if active else "memory.disabled",
                run_id=current.run_id,
                item_id=current.item_id,
                at=now,
                payload={"correction_id": correction_id, "reason": reason, "changed": current.active != active},
            )
            return load_correction(conn, correction_id)

    def rollback(
        self,
        *,
        since: float,
        actor: str,
        reviewer: str | None = None,
        graph: str | None = None,
        reason: str | None = None,
    ) -> list[int]:
        """Disable every active correction decided at or after ``since`` (of one reviewer or graph); return ids.

        Decisions still queued for memory (the embedder is failing) are covered too: they are stored
        disabled when memory catches up, and the audit event counts them.
        """
        self.settle()
        now = self.clock()
        with self.db.write() as conn:
            queued = select(memory_backlog.c.decision_id).join(
                decisions, decisions.c.id == memory_backlog.c.decision_id
            )
            queued = queued.join(review_items, review_items.c.id == decisions.c.item_id).where(
                memory_backlog.c.active.is_(True), memory_backlog.c.queued_at >= since
            )
            if reviewer:
                queued = queued.where(decisions.c.reviewer == reviewer)
            if graph:
                queued = queued.where(review_items.c.graph == graph)
            waiting = [int(i) for i in conn.execute(queued).scalars()]
            if waiting:
                conn.execute(
                    update(memory_backlog).where(memory_backlog.c.decision_id.in_(waiting)).values(active=False)
                )
            where = [corrections.c.active.is_(True), corrections.c.created_at >= since]
            if reviewer:
                where.append(corrections.c.reviewer == reviewer)
            if graph:
                where.append(corrections.c.graph == graph)
            ids = [int(i) for i in conn.execute(select(corrections.c.id).where(*where)).scalars()]
            if ids:
                conn.execute(update(corrections).where(corrections.c.id.in_(ids)).values(active=False, updated_at=now))
            append_event(
                conn,
                actor=actor,
                kind="memory.rolled_back",
                at=now,
                payload={
                    "since": since,
                    "reviewer": reviewer,
                    "graph": graph,
                    "reason": reason,
                    "disabled": ids,
                    "queued_disabled": len(waiting),
                },
            )
        return ids

    def reindex(self) -> int:
        """Re-embed corrections stored by another embedder (after a provider change); return how many."""
        self.settle()
        with self.db.read() as conn:
            rows = conn.execute(
                select(corrections.c.id, corrections.c.key_text).where(
                    (corrections.c.embedder != self.embedder.name) | corrections.c.embedder.is_(None)
                )
            ).all()
        for start in range(0, len(rows), 64):
            batch = rows[start : start + 64]
            vectors = self.embedder.embed([r.key_text for r in batch]).astype(np.float32)
            with self.db.write() as conn:
                pg = self._has_pgvector(conn)
                for row, vector in zip(batch, vectors, strict=True):
                    conn.execute(
                        update(corrections)
                        .where(corrections.c.id == row.id)
                        .values(embedder=self.embedder.name, embedding=vector.tobytes())
                    )
                    if pg:
                        conn.execute(
                            text("UPDATE corrections SET embedding_vec = CAST(:v AS vector) WHERE id = :id"),
                            {"v": vector_literal(vector), "id": row.id},
                        )
        return len(rows)

    def _has_pgvector(self, conn: Connection) -> bool:
        if self._pgvector is None:
            self._pgvector = conn.dialect.name == "postgresql" and bool(
                conn.execute(
                    text(
                        "SELECT 1 FROM information_schema.columns "
                        "WHERE table_name = 'corrections' AND column_name = 'embedding_vec'"
                    )
                ).first()
            )
        return self._pgvector
