"""The Orchestrator: start runs, list and claim review items, decide them, and recover after crashes.

The folders show the two halves of the write path. ``record/`` writes what a person or a task asked for
before anything moves: ``authority`` (who may decide what), ``deciding`` (claims, releases and decisions,
then handing the run on), ``decisions`` (a decision closes its item by compare-and-set and is stored with
the request's hash) and ``tasks`` (batches of runs recorded and enqueued together, watched and cancelled as
one). ``advance/`` brings a run up to date from what is recorded: ``runs`` (run rows and the per-run lock),
``advancing`` (invoke the graph under the lock, then sync the queue, the run's status and the decisions it
applied), ``jobs`` (the job body a worker runs), ``effects`` (retrying effects and returning failed ones to
their gates) and ``recovery`` (``reconcile`` after a crash). The Orchestrator is assembled from mixins, one
concern each: these, plus ``_users`` (roles and passwords), ``_views`` (read-only runs, queue and
reports), ``_oversight`` (M-of-N votes, audits, canaries, webhooks and the SLA sweep) and ``_calibrating``
(refitting each gate's escalation router on its reviewers' decisions). This module builds the
Orchestrator and holds starting a run.

Without a ``runtime`` every run advances inline, in the caller (library use, tests). With one (a
``JobQueue``, see ``humangate.runtime``) ``start`` records the run and enqueues it and ``decide`` records
the decision and enqueues the resume; both return at once unless asked to ``wait``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import replace
from types import TracebackType
from typing import Any

from langgraph.pregel import Pregel
from pydantic import BaseModel, ValidationError

from humangate.checkpoints.database import Database
from humangate.checkpoints.fast import Fast
from humangate.checkpoints.savers import open_checkpointer
from humangate.checkpoints.schema import runs
from humangate.config import Settings
from humangate.effects import FileMailer, Outbox, Sender, senders_for
from humangate.errors import InvalidInputError
from humangate.graphs.common import GraphDeps, deps_from_settings
from humangate.graphs.registry import GraphRegistry, GraphSpec, default_registry
from humangate.memory.embeddings import make_embedder
from humangate.memory.recall import Recall
from humangate.memory.router_versions import RouterBook
from humangate.memory.store import MemoryStore
from humangate.oversight._audit_key import audit_key_path, load_audit_key
from humangate.oversight.audit import append_event, key_chain, use_audit_key
from humangate.review._calibrating import CalibratingMixin
from humangate.review._oversight import OversightMixin, SweepReport
from humangate.review._users import UsersMixin
from humangate.review._views import ViewsMixin
from humangate.review.advance.advancing import AdvancingMixin
from humangate.review.advance.effects import EffectsMixin, EffectsReport
from humangate.review.advance.jobs import Job, JobQueue, JobsMixin, start_job
from humangate.review.advance.recovery import ReconcileReport, RecoveryMixin
from humangate.review.advance.runs import RunInfo, RunLock, load_run, new_worker_id, owner_gone
from humangate.review.record.deciding import DecideResult, DecidingMixin
from humangate.review.record.tasks import TasksMixin

__all__ = ["DecideResult", "EffectsReport", "Orchestrator", "ReconcileReport", "SweepReport"]

# Built once and run on the DB-API cursor (see ``Fast``): these run on every start and decision.
_INSERT_RUN = Fast(
    runs.insert(),
    columns=(
        "id",
        "graph",
        "title",
        "status",
        "started_by",
        "inputs_json",
        "created_at",
        "updated_at",
        "lock_owner",
        "lock_expires_at",
        "engine",
        "task_id",
    ),
)


class Orchestrator(
    UsersMixin,
    ViewsMixin,
    DecidingMixin,
    OversightMixin,
    RecoveryMixin,
    EffectsMixin,
    AdvancingMixin,
    CalibratingMixin,
    JobsMixin,
    TasksMixin,
):
    """Start gated runs, serve the review queue and apply decisions; safe across processes.

    ``senders`` replaces the senders the settings configure (``humangate.effects.senders_for``), by kind.
    ``runtime`` carries runs on workers (``humangate.runtime``); without one they advance inline.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        registry: GraphRegistry | None = None,
        deps: GraphDeps | None = None,
        clock: Callable[[], float] = time.time,
        senders: Mapping[str, Sender] | None = None,
        runtime: JobQueue | None = None,
    ) -> None:
        self.settings = settings
        self.runtime = runtime
        deps = deps or deps_from_settings(settings)
        self.clock = clock
        self.worker = new_worker_id()
        self.db = Database(settings)
        # Each gate's escalation router: its active refit from this database, else the shipped one.
        self.routers = RouterBook(self.db)
        self.deps = deps if deps.routers is not None else replace(deps, routers=self.routers)
        self.registry = registry or default_registry(self.deps)
        self._stack = ExitStack()
        self._stack.callback(self.db.dispose)
        try:
            upgraded = self.db.ensure_schema()
            self.saver = self._stack.enter_context(
                open_checkpointer(settings, setup=upgraded or self.db.dialect == "sqlite")
            )
        except BaseException:
            self._stack.close()
            raise
        self._audit_key = self._key_audit_chain(settings)
        self.mailer = FileMailer(settings.outbox_dir)  # the spool: email without SMTP, and replies on tickets
        self.outbox = Outbox(
            self.db,
            {**senders_for(settings, spool=self.mailer), **(senders or {})},
            owner=self.worker,
            abandoned=self._owner_gone,
            clock=clock,
            max_attempts=settings.outbox_max_attempts,
            claim_seconds=60 + 6 * settings.smtp_timeout,  # longer than any one send; then it counts as lost
        )
        # Memory is always recorded; it only steers runs (examples, trigger, autonomy) when switched on.
        self.memory = MemoryStore(self.db, make_embedder(settings.embeddings), clock=clock)
        self.recall = Recall(self.memory, self.deps.policy) if settings.memory else None
        self.lock = RunLock(self.db, self.worker, settings.run_lock_seconds)
        self._compiled: dict[str, Pregel[Any, Any, Any, Any]] = {}
        self._acompiled: dict[str, Pregel[Any, Any, Any, Any]] = {}
        self._async_only: dict[str, bool] = {}

    def _key_audit_chain(self, settings: Settings) -> bytes:
        """Load (or create) the audit key and hash new events with it once the chain is keyed."""
        try:
            key, new = load_audit_key(audit_key_path(settings))
            with self.db.write() as conn:
                keyed = key_chain(conn, key=key, new_key=new)
        except BaseException:
            self._stack.close()
            raise
        if keyed:
            use_audit_key(self.db.engine, key)
        return key

    def _owner_gone(self, owner: str) -> bool:
        """Return whether ``owner`` (a worker id) has died and its database sessions have ended."""
        with self.db.read() as conn:
            return owner_gone(conn, owner)

    def close(self) -> None:
        """Close the checkpointer and database connections."""
        self._stack.close()

    def __enter__(self) -> Orchestrator:
        return self

    def __exit__(self, *exc: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]) -> None:
        self.close()

    # -- runs --------------------------------------------------------------------------------

    def start(
        self,
        graph: str,
        inputs: Mapping[str, Any] | BaseModel,
        *,
        started_by: str | None = None,
        run_id: str | None = None,
        task_id: str | None = None,
        wait: bool = False,
    ) -> RunInfo:
        """Start a run; inline it returns when the run completes or pauses for review.

        With a job runtime it records the run as queued, enqueues its start and returns at once, or with
        ``wait`` when a worker has brought it to a pause or its end.
        """
        spec, model = self._validated(graph, inputs)
        run_id = run_id or uuid.uuid4().hex
        now = self.clock()
        queued = self.runtime is not None
        with self.db.write() as conn:
            _INSERT_RUN.execute(
                conn,
                {
                    "id": run_id,
                    "graph": graph,
                    "title": spec.title(model)[:500],
                    "status": "queued" if queued else "running",
                    "started_by": started_by,
                    "inputs_json": model.model_dump_json(),
                    "created_at": now,
                    "updated_at": now,
                    # Inline, this process advances the run at once; queued, a worker takes the lock.
                    "lock_owner": None if queued else self.worker,
                    "lock_expires_at": None if queued else now + self.settings.run_lock_seconds,
                    "engine": self.deps.engine[:300],
                    "task_id": task_id,
                },
            )
            append_event(
                conn, actor=started_by or "system", kind="run.started", run_id=run_id, at=now, payload={"graph": graph}
            )
        if queued:
            return self._enqueued(start_job(run_id), wait)
        return self._advance(spec, run_id, spec.to_state(model))

    def _validated(self, graph: str, inputs: Mapping[str, Any] | BaseModel) -> tuple[GraphSpec, BaseModel]:
        spec = self.registry.get(graph)
        try:
            model = spec.input_model.model_validate(inputs.model_dump() if isinstance(inputs, BaseModel) else inputs)
        except ValidationError as exc:
            raise InvalidInputError(f"Input for graph {graph!r} is invalid: {_errors(exc)}") from None
        return spec, model

    def _enqueued(self, job: Job, wait: bool) -> RunInfo:
        """Enqueue ``job`` on the runtime; return its run now, or once settled when ``wait``."""
        assert self.runtime is not None
        self.runtime.enqueue([job])
        if wait:
            return self.wait_run(job.run_id)
        with self.db.read() as conn:
            return load_run(conn, job.run_id)


def _errors(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in exc.errors())
