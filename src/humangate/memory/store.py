"""The correction store: record what reviewers taught, search it by similarity, curate it.

A decision queues itself in ``memory_backlog`` inside its own transaction; ``catch_up`` stores the
queue behind it, and every read catches up first, so a search always sees the decisions before it
while no decision waits on the embedder (or loses its correction when the embedder is down: failures
stay queued and are retried with backoff). Every correction is redacted before it is written and
stored with its embedding. Search is top-k by
cosine similarity within one graph and gate: on PostgreSQL with pgvector the database orders by
``embedding_vec <=> query``; elsewhere (SQLite without extension loading, or Postgres without
pgvector) the vectors are read from the table and compared in numpy. Curation (disable, enable,
roll back) never deletes: it flips ``active`` and writes an audit event.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from sqlalchemy import Connection, bindparam, func, select, text

from humangate.checkpoints.database import Database
from humangate.checkpoints.fast import Fast
from humangate.checkpoints.schema import corrections, runs
from humangate.errors import InvalidInputError
from humangate.memory._backlog import DEFER, DEQUEUE, DUE, DUE_BATCH, QUEUE, CatchUp, retry_delay
from humangate.memory._curation import CurationMixin
from humangate.memory._held import signatures_of
from humangate.memory._records import (
    COLUMNS,
    CORRECTION_KINDS,
    DONE,
    MAX_TEXT,
    OVERRIDE_KINDS,
    Correction,
    Match,
    PreparedCorrection,
    decision_fields,
    load_correction,
    redacted,
    vector_literal,
)
from humangate.memory.embeddings import Embedder, cosine_top_k
from humangate.memory.redact import redact
from humangate.oversight.audit import append_event

__all__ = [
    "CORRECTION_KINDS",
    "DONE",
    "OVERRIDE_KINDS",
    "CatchUp",
    "Correction",
    "Match",
    "MemoryStore",
    "PreparedCorrection",
    "signatures_of",
]

_PG_SEARCH = "SELECT id, 1 - (embedding_vec <=> CAST(:q AS vector)) AS similarity FROM corrections WHERE graph = :g "
_PG_SEARCH_TAIL = (
    "AND node = :n AND active AND embedder = :e AND embedding_vec IS NOT NULL {kinds}"
    "ORDER BY embedding_vec <=> CAST(:q AS vector), id LIMIT :k"
)
_PG_SEARCH_ALL = text(_PG_SEARCH + _PG_SEARCH_TAIL.format(kinds=""))
_PG_SEARCH_KINDS = text(_PG_SEARCH + _PG_SEARCH_TAIL.format(kinds="AND kind IN :kinds ")).bindparams(
    bindparam("kinds", expanding=True)
)
_QUERY_CACHE = 64  # query vectors kept per store
_INSERT_CORRECTION = corrections.insert().returning(corrections.c.id)  # built once: it runs on every decision
_log = logging.getLogger("humangate.memory")

# Whether a gate has any active correction at all: answered from the lookup index, on the DB-API cursor,
# before every graph node asks memory for examples and for its say (three searches) about a gate that has
# none, as every gate has until its reviewers decide something.
_ANY_ACTIVE = Fast(
    select(corrections.c.id)
    .where(corrections.c.graph == bindparam("g"), corrections.c.node == bindparam("n"), corrections.c.active.is_(True))
    .limit(1)
)

_STARTER = Fast(select(runs.c.started_by).where(runs.c.id == bindparam("run_id")))


class MemoryStore(CurationMixin):
    """Record, search and curate corrections in the humangate database."""

    def __init__(self, db: Database, embedder: Embedder, *, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.embedder = embedder
        self.clock = clock
        self._pgvector: bool | None = None
        self._queries: dict[str, np.ndarray] = {}
        self._queries_lock = threading.Lock()

    # -- writing -----------------------------------------------------------------------------

    def _embedded(self, rows: Sequence[dict[str, Any]]) -> list[PreparedCorrection]:
        """Embed redacted corrections' key texts in one call and attach the vectors."""
        vectors = self.embedder.embed([v["key_text"] for v in rows]).astype(np.float32)
        return [
            PreparedCorrection({**v, "embedder": self.embedder.name, "embedding": vector.tobytes()}, vector)
            for v, vector in zip(rows, vectors, strict=True)
        ]

    def queue(self, conn: Connection, decision_id: int, now: float) -> None:
        """Queue a decision for memory inside the decision's transaction; ``catch_up`` stores it."""
        QUEUE.execute(
            conn, {"decision_id": decision_id, "queued_at": now, "active": True, "attempts": 0, "retry_at": 0.0}
        )

    def catch_up(self, *, batch: int = 64) -> CatchUp:
        """Store every due queued decision as a correction, oldest first, ``batch`` per embedding call.

        A decision that cannot be redacted or embedded stays queued with its error and is tried again
        after a backoff (5 s, doubling, at most an hour); several processes may catch up at once, and
        each queued decision is stored once.
        """
        stored = failed = 0
        error: str | None = None
        while True:
            now = self.clock()
            with self.db.read() as conn:
                rows = conn.execute(DUE_BATCH, {"now": now, "n": batch}).all()
            if not rows:
                break
            ready: list[tuple[Any, dict[str, Any]]] = []
            problems: list[tuple[Any, str]] = []
            for row in rows:
                try:
                    ready.append((row, redacted(**decision_fields(row))))
                except Exception as exc:
                    problems.append((row, f"{type(exc).__name__}: {exc}"))
            try:
                prepared = self._embedded([values for _, values in ready]) if ready else []
            except Exception as exc:  # the embedder is down: every row of the batch waits for the next try
                problems += [(row, f"{type(exc).__name__}: {exc}") for row, _ in ready]
                ready, prepared = [], []
            with self.db.write() as conn:
                for (row, _), prep in zip(ready, prepared, strict=True):
                    if conn.execute(DEQUEUE, {"id": row.decision_id}).rowcount:  # else another process stored it
                        self.insert(
                            conn, prep, decision_id=row.decision_id, active=bool(row.active), decided_at=row.queued_at
                        )
                        stored += 1
                for row, problem in problems:
                    retry_at = now + retry_delay(int(row.attempts))
                    conn.execute(DEFER, {"id": row.decision_id, "next_try": retry_at, "error": problem[:2000]})
            if problems:
                failed += len(problems)
                error = problems[0][1]
                _log.warning(
                    "Memory could not store %d decision(s) yet (%s); they stay queued and are retried",
                    len(problems),
                    error,
                )
            if len(rows) < batch:
                break
        return CatchUp(stored, failed, error)

    def settle(self) -> None:
        """Catch up before reading corrections (also outside the store); a failure is logged, never raised."""
        try:
            self.catch_up()
        except Exception:
            _log.exception("Memory could not store its queued decisions before a read")

    @contextmanager
    def _settled(self) -> Iterator[Connection]:
        """A read transaction that sees every queued decision that is due (caught up first when there are some)."""
        with self.db.read() as conn:
            if DUE.first(conn, {"now": self.clock()}) is None:
                yield conn
                return
        self.settle()
        with self.db.read() as conn:
            yield conn

    def insert(
        self,
        conn: Connection,
        prepared: PreparedCorrection,
        *,
        decision_id: int | None = None,
        active: bool = True,
        decided_at: float | None = None,
    ) -> int:
        """Store a prepared correction in the caller's write transaction; return its id. The audit trail notes it.

        ``decided_at`` dates the correction by its decision, not by when memory caught up with it, so that
        a roll back "since" a time covers what reviewers decided since then.
        """
        now = self.clock()
        created = now if decided_at is None else decided_at
        values = {
            **prepared.values,
            "decision_id": decision_id,
            "active": active,
            "created_at": created,
            "updated_at": now,
        }
        cid = int(conn.execute(_INSERT_CORRECTION, values).scalar_one())
        if self._has_pgvector(conn):
            conn.execute(
                text("UPDATE corrections SET embedding_vec = CAST(:v AS vector) WHERE id = :id"),
                {"v": vector_literal(prepared.vector), "id": cid},
            )
        append_event(
            conn,
            actor=values["reviewer"],
            kind="memory.recorded",
            run_id=values["run_id"],
            item_id=values["item_id"],
            at=now,
            payload={"correction_id": cid, "graph": values["graph"], "node": values["node"], "kind": values["kind"]},
        )
        return cid

    def record(self, *, decision_id: int | None = None, **fields: Any) -> int:
        """Redact, embed and store one correction in its own transaction; return its id (fields: ``redacted``)."""
        prepared = self._embedded([redacted(**fields)])[0]
        with self.db.write() as conn:
            return self.insert(conn, prepared, decision_id=decision_id)

    # -- reading -----------------------------------------------------------------------------

    def get(self, correction_id: int) -> Correction:
        """Return one correction or raise ``UnknownCorrectionError``."""
        with self._settled() as conn:
            return load_correction(conn, correction_id)

    def corrections(
        self,
        *,
        graph: str | None = None,
        node: str | None = None,
        active: bool | None = None,
        kinds: Iterable[str] | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Correction]:
        """Return corrections, newest first."""
        if not 1 <= limit <= 1000:
            raise InvalidInputError(f"limit must be between 1 and 1000, got {limit}.")
        stmt = select(*COLUMNS).order_by(corrections.c.id.desc()).limit(limit).offset(max(0, offset))
        stmt = stmt.where(*_filters(graph, node, active, kinds))
        with self._settled() as conn:
            return [Correction.from_row(r) for r in conn.execute(stmt)]

    def recent(self, graph: str, node: str, *, kinds: Iterable[str], limit: int = 20) -> list[Match]:
        """Return the newest active corrections of ``kinds`` at ``graph``/``node``, as matches of similarity 0."""
        return [Match(c, 0.0) for c in self.corrections(graph=graph, node=node, active=True, kinds=kinds, limit=limit)]

    def count(self, *, graph: str | None = None, active: bool | None = None) -> int:
        """Count corrections."""
        stmt = select(func.count()).select_from(corrections).where(*_filters(graph, None, active, None))
        with self._settled() as conn:
            return int(conn.execute(stmt).scalar_one())

    def has_active(self, graph: str, node: str) -> bool:
        """Return True when ``graph``/``node`` has an active correction (queued decisions that are due count)."""
        with self._settled() as conn:
            return _ANY_ACTIVE.first(conn, {"g": graph, "n": node}) is not None

    def unreadable(self, graph: str, node: str) -> dict[str, int]:
        """Return how many active corrections of ``graph``/``node`` each other embedder stored (search skips them).

        Their vectors cannot be compared with the current embedder's until ``humangate memory reindex``.
        """
        c = corrections.c
        stmt = (
            select(func.coalesce(c.embedder, ""), func.count())
            .where(*_filters(graph, node, True, None), (c.embedder != self.embedder.name) | c.embedder.is_(None))
            .group_by(c.embedder)
        )
        with self._settled() as conn:
            return {str(name) or "unknown": int(n) for name, n in conn.execute(stmt)}

    def starter(self, run_id: str) -> str | None:
        """Return who started run ``run_id`` (None: the system, or no such run)."""
        with self.db.read() as conn:
            starter = _STARTER.scalar(conn, {"run_id": run_id})
        return None if starter is None else str(starter)

    def search(
        self, graph: str, node: str, query: str, *, k: int = 5, kinds: Iterable[str] | None = None
    ) -> list[Match]:
        """Return the ``k`` active corrections of ``graph``/``node`` (of ``kinds``) most similar to ``query``."""
        if k <= 0 or not query.strip():
            return []
        wanted = sorted(set(kinds)) if kinds is not None else None
        if wanted == []:
            return []
        where = [*_filters(graph, node, True, wanted), corrections.c.embedder == self.embedder.name]
        with self._settled() as conn:
            if self._has_pgvector(conn):
                vector = self._query_vector(query)
                best = [
                    (int(r.id), float(r.similarity))
                    for r in conn.execute(
                        _PG_SEARCH_ALL if wanted is None else _PG_SEARCH_KINDS,
                        {"q": vector_literal(vector), "g": graph, "n": node, "e": self.embedder.name, "k": k}
                        | ({} if wanted is None else {"kinds": wanted}),
                    )
                ]
                return self._matches(conn, best)
            rows = conn.execute(select(corrections.c.id, corrections.c.embedding).where(*where)).all()
            if not rows:  # nothing to compare with: skip redacting and embedding the query
                return []
            vector = self._query_vector(query)
            matrix = np.frombuffer(b"".join(r.embedding for r in rows), dtype=np.float32).reshape(len(rows), -1)
            return self._matches(conn, [(int(rows[i].id), sim) for i, sim in cosine_top_k(vector, matrix, k)])

    def _query_vector(self, query: str) -> np.ndarray:
        """Redact and embed a query; an assess node searches twice with one key, so the last few are kept."""
        key = query[:MAX_TEXT]
        with self._queries_lock:
            vector = self._queries.get(key)
        if vector is None:
            vector = self.embedder.embed([redact(key)])[0].astype(np.float32)
            with self._queries_lock:
                if len(self._queries) >= _QUERY_CACHE:
                    self._queries.pop(next(iter(self._queries)))  # the oldest
                self._queries[key] = vector
        return vector

    def _matches(self, conn: Connection, best: list[tuple[int, float]]) -> list[Match]:
        ids = [cid for cid, _ in best]
        found = {
            int(r.id): Correction.from_row(r) for r in conn.execute(select(*COLUMNS).where(corrections.c.id.in_(ids)))
        }
        return [Match(found[cid], round(sim, 6)) for cid, sim in best]


def _filters(graph: str | None, node: str | None, active: bool | None, kinds: Iterable[str] | None) -> list[Any]:
    c = corrections.c
    out: list[Any] = []
    if graph:
        out.append(c.graph == graph)
    if node:
        out.append(c.node == node)
    if active is not None:
        out.append(c.active.is_(active))
    if kinds is not None:
        out.append(c.kind.in_(list(kinds)))
    return out
