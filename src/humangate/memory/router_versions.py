"""Stored refits of the escalation router: record, activate, roll back, and serve the active one per gate.

Every refit attempt is a row of ``router_versions``, refused ones too, and an audit event
(``router.refit_accepted``, ``router.refit_refused``, ``router.rollback``). At most one version per
gate is ``active`` (a partial unique index); activating one retires the one before in the same
transaction, by compare-and-set on the version the refit was compared with, so two processes refitting
at once cannot both win. No active version: the gate uses the shipped router.

``RouterBook`` is what assessments ask (``RouterSource``): it reads which versions are active at most
every ``ttl`` seconds (one small query, never one per message), loads a version's model once per
version, and drops its cache when this process activates or rolls back. A version whose model is
damaged, altered (its SHA-256 no longer matches) or built on another shipped network raises, and the
assessment holds the message for a person (fail closed) until someone refits or rolls back.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, update

from humangate.checkpoints.database import Database
from humangate.checkpoints.schema import router_versions
from humangate.errors import ConfigError, InvalidInputError
from humangate.oversight.audit import append_event
from humangate.risk.router import default_router
from humangate.risk.router.refit import CorrectedRouter
from humangate.risk.router.source import Router

__all__ = ["RouterBook", "RouterVersion", "activate_version", "list_versions", "record_refit", "rollback"]

_rv = router_versions


@dataclass(frozen=True)
class RouterVersion:
    """One stored refit attempt and what it reported."""

    id: int
    graph: str
    node: str
    status: str  # active | retired | refused
    parent_id: int | None
    created_by: str
    created_at: float
    activated_at: float | None
    labels: int
    positives: int
    report: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


_COLUMNS = (
    _rv.c.id,
    _rv.c.graph,
    _rv.c.node,
    _rv.c.status,
    _rv.c.parent_id,
    _rv.c.created_by,
    _rv.c.created_at,
    _rv.c.activated_at,
    _rv.c.labels,
    _rv.c.positives,
    _rv.c.report_json,
)


def _version(row: Any) -> RouterVersion:
    try:
        report = json.loads(row.report_json)
    except ValueError:
        report = {"error": "the stored report cannot be read"}
    return RouterVersion(
        id=int(row.id),
        graph=row.graph,
        node=row.node,
        status=row.status,
        parent_id=row.parent_id,
        created_by=row.created_by,
        created_at=float(row.created_at),
        activated_at=row.activated_at,
        labels=int(row.labels),
        positives=int(row.positives),
        report=report if isinstance(report, dict) else {},
    )


def list_versions(conn: Connection, *, graph: str | None = None, node: str | None = None) -> list[RouterVersion]:
    """Return the stored versions, newest first."""
    stmt = select(*_COLUMNS).order_by(_rv.c.id.desc())
    if graph is not None:
        stmt = stmt.where(_rv.c.graph == graph)
    if node is not None:
        stmt = stmt.where(_rv.c.node == node)
    return [_version(r) for r in conn.execute(stmt)]


def active_version(conn: Connection, graph: str, node: str) -> int | None:
    """Return the id of the gate's active version, or None (the shipped router)."""
    return conn.execute(
        select(_rv.c.id).where(_rv.c.graph == graph, _rv.c.node == node, _rv.c.status == "active")
    ).scalar()


def record_refit(
    conn: Connection,
    *,
    graph: str,
    node: str,
    accepted: bool,
    parent_id: int | None,
    actor: str,
    now: float,
    labels: int,
    positives: int,
    model: bytes | None,
    report: dict[str, Any],
) -> int:
    """Store one refit attempt (activating it when accepted) and audit it; return its id."""
    if accepted and active_version(conn, graph, node) != parent_id:
        raise InvalidInputError(
            f"The active router of {graph}.{node} changed while this refit ran; run `humangate calibrate` again."
        )
    if accepted:
        conn.execute(
            update(_rv)
            .where(_rv.c.graph == graph, _rv.c.node == node, _rv.c.status == "active")
            .values(status="retired")
        )
    new_id = conn.execute(
        _rv.insert()
        .values(
            graph=graph,
            node=node,
            status="active" if accepted else "refused",
            parent_id=parent_id,
            created_by=actor,
            created_at=now,
            activated_at=now if accepted else None,
            labels=labels,
            positives=positives,
            model=model,
            model_sha256=hashlib.sha256(model).hexdigest() if model is not None else None,
            report_json=json.dumps(report, sort_keys=True, default=str),
        )
        .returning(_rv.c.id)
    ).scalar_one()
    append_event(
        conn,
        actor=actor,
        kind="router.refit_accepted" if accepted else "router.refit_refused",
        at=now,
        payload={"graph": graph, "node": node, "version": new_id, "replaces": parent_id, **report},
    )
    return int(new_id)


def activate_version(conn: Connection, version_id: int, *, now: float) -> None:
    """Make a retired version the active one of its gate, retiring the one before."""
    row = conn.execute(select(_rv.c.graph, _rv.c.node, _rv.c.status).where(_rv.c.id == version_id)).first()
    if row is None or row.status == "refused":
        raise InvalidInputError(
            f"Router version {version_id} "
            + ("was refused and " if row else "does not exist and ")
            + "cannot be activated; `humangate calibrate --list` shows the versions."
        )
    conn.execute(
        update(_rv)
        .where(_rv.c.graph == row.graph, _rv.c.node == row.node, _rv.c.status == "active")
        .values(status="retired")
    )
    conn.execute(update(_rv).where(_rv.c.id == version_id).values(status="active", activated_at=now))


def rollback(
    conn: Connection, *, graph: str, node: str, to: int | None, actor: str, now: float, why: str = ""
) -> int | None:
    """Re-activate version ``to`` of the gate (None: the shipped router) and audit it; return the version replaced."""
    before = active_version(conn, graph, node)
    if to is None:
        conn.execute(
            update(_rv)
            .where(_rv.c.graph == graph, _rv.c.node == node, _rv.c.status == "active")
            .values(status="retired")
        )
    else:
        gate = conn.execute(select(_rv.c.graph, _rv.c.node).where(_rv.c.id == to)).first()
        if gate is None or (gate.graph, gate.node) != (graph, node):
            raise InvalidInputError(
                f"Router version {to} is not a version of {graph}.{node}; `humangate calibrate --list` shows them."
            )
        activate_version(conn, to, now=now)
    append_event(
        conn,
        actor=actor,
        kind="router.rollback",
        at=now,
        payload={"graph": graph, "node": node, "from": before, "to": to, "why": why},
    )
    return before


class RouterBook:
    """The router each gate uses now, read from the database at most every ``ttl`` seconds."""

    def __init__(self, db: Database, *, ttl: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.db = db
        self.ttl = ttl
        self.clock = clock
        self._lock = threading.Lock()
        self._checked = -float("inf")
        self._active: dict[tuple[str, str], tuple[int, str | None]] = {}
        self._loaded: dict[int, CorrectedRouter | ConfigError] = {}

    def invalidate(self) -> None:
        """Read the active versions again on the next message (after an activation or roll back here)."""
        with self._lock:
            self._checked = -float("inf")

    def router(self, graph: str, node: str) -> Router:
        """Return the gate's active refit, or the shipped router; raise when the active one cannot load."""
        with self._lock:
            if self.clock() - self._checked >= self.ttl:
                with self.db.read() as conn:
                    rows = conn.execute(
                        select(_rv.c.id, _rv.c.graph, _rv.c.node, _rv.c.model_sha256).where(_rv.c.status == "active")
                    ).all()
                self._active = {(r.graph, r.node): (int(r.id), r.model_sha256) for r in rows}
                self._checked = self.clock()
            entry = self._active.get((graph, node))
            if entry is None:
                return default_router()
            version_id, sha = entry
            if version_id not in self._loaded:
                self._loaded[version_id] = self._load(version_id, sha)
            loaded = self._loaded[version_id]
        if isinstance(loaded, ConfigError):
            raise loaded
        return loaded

    def _load(self, version_id: int, sha: str | None) -> CorrectedRouter | ConfigError:
        """Load one version's model, or the error that holds every message until it is replaced."""
        with self.db.read() as conn:
            blob = conn.execute(select(_rv.c.model).where(_rv.c.id == version_id)).scalar()
        if blob is None or sha is None or hashlib.sha256(bytes(blob)).hexdigest() != sha:
            return ConfigError(
                f"Stored router version {version_id} is missing or was altered (its SHA-256 does not match); roll "
                "back with `humangate calibrate --rollback` or refit with `humangate calibrate`."
            )
        try:
            return CorrectedRouter.from_bytes(bytes(blob), default_router(), version=version_id)
        except ConfigError as err:
            return err
