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

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, bindparam, func, select, text, update

from humangate.checkpoints.database import Database
from humangate.checkpoints.fast import Fast
from humangate.checkpoints.schema import corrections, decisions, memory_backlog, review_items
from humangate.errors import InvalidInputError, UnknownCorrectionError
from humangate.memory.embeddings import Embedder, cosine_top_k
from humangate.memory.redact import redact, redact_value
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
]

CORRECTION_KINDS = ("approve", "edit", "reject", "redirect", "escalate")
OVERRIDE_KINDS = frozenset({"edit", "reject", "redirect", "escalate"})
DONE = {"approve": "approved", "edit": "edited", "reject": "rejected", "redirect": "sent back", "escalate": "escalated"}
"""What each kind of correction did, as a past participle for sentences a reviewer reads."""
_MAX_TEXT = 20_000


@dataclass(frozen=True)
class Correction:
    """One stored reviewer decision: what the agent saw and proposed, and what the human did."""

    id: int
    graph: str
    node: str
    kind: str
    reviewer: str
    reason_code: str | None
    note: str | None
    situation: str
    proposal: dict[str, Any]
    corrected: dict[str, Any] | None
    instructions: str | None
    key_text: str
    active: bool
    created_at: float
    item_id: int | None
    run_id: str | None
    trigger_kinds: tuple[str, ...] = ()

    @property
    def overridden(self) -> bool:
        """Return whether the reviewer changed, refused, redirected or escalated the proposal."""
        return self.kind in OVERRIDE_KINDS

    def summary(self) -> str:
        """Return one line on what the reviewer did, for lists."""
        if self.kind == "edit" and self.corrected:
            return "edited: " + json.dumps(self.corrected, ensure_ascii=False)[:80]
        if self.kind == "redirect":
            return f"redirected: {self.instructions or ''}"[:90]
        if self.kind == "escalate":
            return f"escalated to {self.instructions or '?'}"
        return (self.note or self.key_text)[:90]

    def to_dict(self) -> dict[str, Any]:
        """Return the correction as JSON-ready data."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_row(cls, row: Any) -> Correction:
        """Build from a ``corrections`` row."""
        m = row._mapping
        return cls(
            id=int(m["id"]),
            graph=m["graph"],
            node=m["node"],
            kind=m["kind"],
            reviewer=m["reviewer"],
            reason_code=m["reason_code"],
            note=m["note"],
            situation=m["situation"],
            proposal=json.loads(m["proposal_json"]),
            corrected=json.loads(m["corrected_json"]) if m["corrected_json"] else None,
            instructions=m["instructions"],
            key_text=m["key_text"],
            active=bool(m["active"]),
            created_at=float(m["created_at"]),
            item_id=m["item_id"],
            run_id=m["run_id"],
            trigger_kinds=tuple(k for k in (m["trigger_kinds"] or "").split(",") if k),
        )


@dataclass(frozen=True)
class PreparedCorrection:
    """A redacted, embedded correction waiting to be inserted (see ``MemoryStore.catch_up``)."""

    values: dict[str, Any]
    vector: np.ndarray


@dataclass(frozen=True)
class Match:
    """A correction found by search, with its cosine similarity to the query."""

    correction: Correction
    similarity: float


_COLUMNS = [c for c in corrections.c if c.name != "embedding"]
_PG_SEARCH = "SELECT id, 1 - (embedding_vec <=> CAST(:q AS vector)) AS similarity FROM corrections WHERE graph = :g "
_PG_SEARCH_TAIL = (
    "AND node = :n AND active AND embedder = :e AND embedding_vec IS NOT NULL {kinds}"
    "ORDER BY embedding_vec <=> CAST(:q AS vector), id LIMIT :k"
)
_PG_SEARCH_ALL = text(_PG_SEARCH + _PG_SEARCH_TAIL.format(kinds=""))
_PG_SEARCH_KINDS = text(_PG_SEARCH + _PG_SEARCH_TAIL.format(kinds="AND kind IN :kinds ")).bindparams(
    bindparam("kinds", expanding=True)
)


def _joined_text(proposal: Mapping[str, Any]) -> str:
    return "\n\n".join(str(v) for v in proposal.values() if isinstance(v, str))


_QUERY_CACHE = 64  # query vectors kept per store
_INSERT_CORRECTION = corrections.insert().returning(corrections.c.id)  # built once: it runs on every decision
_log = logging.getLogger("humangate.memory")

# The backlog (see the module docstring). Built once: queueing runs on every decision, the due check on every read.
_QUEUE = Fast(memory_backlog.insert(), columns=("decision_id", "queued_at", "active", "attempts", "retry_at"))
_DUE = Fast(select(memory_backlog.c.decision_id).where(memory_backlog.c.retry_at <= bindparam("now")).limit(1))
_DUE_BATCH = (
    select(
        memory_backlog.c.decision_id,
        memory_backlog.c.active,
        memory_backlog.c.attempts,
        memory_backlog.c.queued_at,
        decisions.c.decision_json,
        review_items.c.id.label("item_id"),
        review_items.c.run_id,
        review_items.c.graph,
        review_items.c.node,
        review_items.c.request_json,
    )
    .join(decisions, decisions.c.id == memory_backlog.c.decision_id)
    .join(review_items, review_items.c.id == decisions.c.item_id)
    .where(memory_backlog.c.retry_at <= bindparam("now"))
    .order_by(memory_backlog.c.decision_id)
    .limit(bindparam("n"))
)
_DEQUEUE = memory_backlog.delete().where(memory_backlog.c.decision_id == bindparam("id"))
_DEFER = (
    update(memory_backlog)
    .where(memory_backlog.c.decision_id == bindparam("id"))
    .values(attempts=memory_backlog.c.attempts + 1, retry_at=bindparam("next_try"), last_error=bindparam("error"))
)
_RETRY_MAX_SECONDS = 3600.0


def _retry_delay(attempts: int) -> float:
    """Seconds before a failed decision is tried again: 5 s, doubling, at most an hour."""
    return float(min(_RETRY_MAX_SECONDS, 5.0 * 2 ** min(attempts, 20)))


@dataclass(frozen=True)
class CatchUp:
    """What one ``catch_up`` did: decisions stored as corrections, and those left queued after a failure."""

    stored: int = 0
    failed: int = 0
    error: str | None = None


class MemoryStore:
    """Record, search and curate corrections in the humangate database."""

    def __init__(self, db: Database, embedder: Embedder, *, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.embedder = embedder
        self.clock = clock
        self._pgvector: bool | None = None
        self._queries: dict[str, np.ndarray] = {}
        self._queries_lock = threading.Lock()

    # -- writing -----------------------------------------------------------------------------

    def _embedded(self, redacted: Sequence[dict[str, Any]]) -> list[PreparedCorrection]:
        """Embed redacted corrections' key texts in one call and attach the vectors."""
        vectors = self.embedder.embed([v["key_text"] for v in redacted]).astype(np.float32)
        return [
            PreparedCorrection({**v, "embedder": self.embedder.name, "embedding": vector.tobytes()}, vector)
            for v, vector in zip(redacted, vectors, strict=True)
        ]

    def queue(self, conn: Connection, decision_id: int, now: float) -> None:
        """Queue a decision for memory inside the decision's transaction; ``catch_up`` stores it."""
        _QUEUE.execute(
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
                rows = conn.execute(_DUE_BATCH, {"now": now, "n": batch}).all()
            if not rows:
                break
            ready: list[tuple[Any, dict[str, Any]]] = []
            problems: list[tuple[Any, str]] = []
            for row in rows:
                try:
                    ready.append((row, _redacted(**_correction_fields(row))))
                except Exception as exc:
                    problems.append((row, f"{type(exc).__name__}: {exc}"))
            try:
                prepared = self._embedded([values for _, values in ready]) if ready else []
            except Exception as exc:  # the embedder is down: every row of the batch waits for the next try
                problems += [(row, f"{type(exc).__name__}: {exc}") for row, _ in ready]
                ready, prepared = [], []
            with self.db.write() as conn:
                for (row, _), prep in zip(ready, prepared, strict=True):
                    if conn.execute(_DEQUEUE, {"id": row.decision_id}).rowcount:  # else another process stored it
                        self.insert(
                            conn, prep, decision_id=row.decision_id, active=bool(row.active), decided_at=row.queued_at
                        )
                        stored += 1
                for row, problem in problems:
                    retry_at = now + _retry_delay(int(row.attempts))
                    conn.execute(_DEFER, {"id": row.decision_id, "next_try": retry_at, "error": problem[:2000]})
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
            if _DUE.first(conn, {"now": self.clock()}) is None:
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
                {"v": _vector_literal(prepared.vector), "id": cid},
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
        """Redact, embed and store one correction in its own transaction; return its id (fields: ``_redacted``)."""
        prepared = self._embedded([_redacted(**fields)])[0]
        with self.db.write() as conn:
            return self.insert(conn, prepared, decision_id=decision_id)

    def set_active(self, correction_id: int, active: bool, *, actor: str, reason: str | None = None) -> Correction:
        """Disable or re-enable one correction; the next search sees the change."""
        self.settle()
        now = self.clock()
        with self.db.write() as conn:
            current = self._load(conn, correction_id)
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
            return self._load(conn, correction_id)

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
                            {"v": _vector_literal(vector), "id": row.id},
                        )
        return len(rows)

    # -- reading -----------------------------------------------------------------------------

    def get(self, correction_id: int) -> Correction:
        """Return one correction or raise ``UnknownCorrectionError``."""
        with self._settled() as conn:
            return self._load(conn, correction_id)

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
        stmt = select(*_COLUMNS).order_by(corrections.c.id.desc()).limit(limit).offset(max(0, offset))
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
                        {"q": _vector_literal(vector), "g": graph, "n": node, "e": self.embedder.name, "k": k}
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
        key = query[:_MAX_TEXT]
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
            int(r.id): Correction.from_row(r) for r in conn.execute(select(*_COLUMNS).where(corrections.c.id.in_(ids)))
        }
        return [Match(found[cid], round(sim, 6)) for cid, sim in best]

    def _load(self, conn: Connection, correction_id: int) -> Correction:
        row = conn.execute(select(*_COLUMNS).where(corrections.c.id == correction_id)).first()
        if row is None:
            raise UnknownCorrectionError(correction_id)
        return Correction.from_row(row)

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


def _redacted(
    *,
    graph: str,
    node: str,
    kind: str,
    reviewer: str,
    key_text: str | None,
    proposal: Mapping[str, Any],
    situation: str = "",
    corrected: Mapping[str, Any] | None = None,
    reason_code: str | None = None,
    note: str | None = None,
    instructions: str | None = None,
    item_id: int | None = None,
    run_id: str | None = None,
    trigger_kinds: Iterable[str] = (),
) -> dict[str, Any]:
    """A correction's columns with every text redacted, before its key text is embedded."""
    if kind not in CORRECTION_KINDS:
        raise InvalidInputError(f"Unknown correction kind {kind!r}; use one of: {', '.join(CORRECTION_KINDS)}.")
    safe_proposal = redact_value(dict(proposal))
    # No key of its own: the proposal's text, built from the fields just redacted rather than redacted again.
    key = redact(key_text[:_MAX_TEXT]) if key_text else _joined_text(safe_proposal)[:_MAX_TEXT]
    return {
        "graph": graph,
        "node": node,
        "kind": kind,
        "item_id": item_id,
        "run_id": run_id,
        "reviewer": reviewer,
        "reason_code": reason_code,
        "note": redact(note) if note else None,
        "situation": redact(situation[:_MAX_TEXT]),
        "proposal_json": json.dumps(safe_proposal, ensure_ascii=False),
        "corrected_json": json.dumps(redact_value(dict(corrected)), ensure_ascii=False) if corrected else None,
        "instructions": redact(instructions) if instructions else None,
        "key_text": key,
        "trigger_kinds": "," + ",".join(sorted(set(trigger_kinds))) + ",",
    }


def _correction_fields(row: Any) -> dict[str, Any]:
    """What memory keeps of a queued decision: its item's request (as the reviewer saw it) and the decision."""
    request = json.loads(row.request_json)
    decision = json.loads(row.decision_json)
    return {
        "graph": row.graph,
        "node": row.node,
        "kind": decision["action"],
        "reviewer": decision["reviewer"],
        "key_text": request.get("memory_key") or None,  # none: the proposal's text
        "situation": request.get("observed") or "",
        "proposal": request.get("proposal") or {},
        "corrected": decision.get("edited"),
        "reason_code": decision.get("reason_code"),
        "note": decision.get("note"),
        # For an escalation, the role it went to: the memory trigger sends the next similar one there.
        "instructions": decision.get("instructions") or decision.get("escalate_to"),
        "item_id": row.item_id,
        "run_id": row.run_id,
        # Why it was held: earned autonomy counts only approvals of proposals held for the same reasons.
        "trigger_kinds": [t["kind"] for t in (request.get("assessment") or {}).get("triggers", [])],
    }


def _vector_literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in vector.tolist()) + "]"
