"""Runs, tasks, metrics and the audit trail over HTTP.

Runs and tasks start as the token's user (who then may not approve their items). A task's items come
in the body, as a CSV's rows would; no request names a folder or file on the server. Tasks that could
send without review need ``confirm: true``, as ``humangate run`` asks at a terminal. Progress is
``GET /api/runs?id=...`` on the runs a task started. The audit trail is for owners and admins.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from fastapi.responses import StreamingResponse

from humangate.api.auth import Caller, Orch, is_overseer, require_overseer
from humangate.api.schemas import PlanOut, RunIn, RunOut, TaskIn, TaskOut, run_out
from humangate.errors import InvalidInputError
from humangate.oversight.export import export_audit, parse_time
from humangate.oversight.metrics import parse_since
from humangate.review.service import Orchestrator

__all__ = ["router"]

router = APIRouter()


@router.get("/runs", tags=["runs"], summary="Recent runs, or the runs named")
def runs(
    orch: Orch,
    who: Caller,
    id: Annotated[list[str] | None, Query(max_length=500, description="Only these runs (a task's progress).")] = None,
    status_: Annotated[str | None, Query(alias="status", max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[RunOut]:
    """List the newest runs (optionally of one status), or exactly the runs named by ``id``."""
    if id:
        return [run_out(orch.run(run_id)) for run_id in id]
    return [run_out(r) for r in orch.runs(status=status_, limit=limit)]


@router.get("/runs/{run_id}", tags=["runs"], summary="One run and its timeline")
def run(run_id: str, orch: Orch, who: Caller) -> RunOut:
    """Return the run with its audit events, oldest first (canaries' events for owners and admins only)."""
    return run_out(orch.run(run_id), orch.timeline(run_id, oversight=is_overseer(who)))


@router.post("/runs", tags=["runs"], status_code=status.HTTP_201_CREATED, summary="Start one run of a graph")
def start_run(body: RunIn, orch: Orch, who: Caller) -> RunOut:
    """Start a run as the token's user; it answers when the run completes or pauses for review."""
    return run_out(orch.start(body.graph, body.inputs, started_by=who.name))


def _plan(orch: Orchestrator, body: TaskIn) -> tuple[PlanOut, list[Any]]:
    from humangate.task_plan import confirmation_reason, describe_plan
    from humangate.tasks import already_started, plan_task

    rows = [{str(k): v for k, v in row.items()} for row in body.items] if body.items else None
    spec, planned = plan_task(orch, body.task, rows, None)
    done = already_started(orch, planned)
    plan = PlanOut(
        graph=spec.graph,
        lines=describe_plan(spec, planned, orch.deps.policy, started=len(done)),
        runs=[{"graph": p.graph, "label": p.label, "run_id": p.key, "started": p.key in done} for p in planned],
        already_started=len(done),
        needs_confirmation=confirmation_reason(spec, planned, orch.deps.policy),
    )
    return plan, planned


@router.post("/tasks/plan", tags=["tasks"], summary="Plan a plain-English task without starting it")
def plan_task(body: TaskIn, orch: Orch, who: Caller) -> PlanOut:
    """Return what ``humangate run --dry-run`` prints; nothing starts."""
    return _plan(orch, body)[0]


@router.post("/tasks", tags=["tasks"], status_code=status.HTTP_201_CREATED, summary="Plan and start a task")
def start_task(body: TaskIn, orch: Orch, who: Caller) -> TaskOut:
    """Plan the task and start its runs under stable keys (a repeated task starts only what never started)."""
    from humangate.tasks import start_planned

    plan, planned = _plan(orch, body)
    if plan.needs_confirmation and not body.confirm:
        raise InvalidInputError(f"Not started: {plan.needs_confirmation}. Send the task again with confirm: true.")
    started = [run_out(r) for _, r in start_planned(orch, planned, who.name)]
    return TaskOut(plan=plan, runs=started)


@router.get("/metrics", tags=["oversight"], summary="Oversight metrics")
def metrics(
    orch: Orch,
    who: Caller,
    since: Annotated[str | None, Query(max_length=40, description="7d, 12h or an ISO date/time.")] = None,
    graph: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, Any]:
    """Return escalation and override rates, time to decision, queue age, trigger trends, decisions by action.

    Override rates by reviewer hold only the caller's own row unless the caller is an owner or admin.
    """
    start = None
    if since is not None:
        try:
            start = parse_since(since, time.time())
        except ValueError as exc:
            raise InvalidInputError(str(exc)) from None
    report = orch.metrics(since=start, graph=graph)
    if not is_overseer(who):
        # Each reviewer's override rate is a quality signal on them: others' rows are for owners and admins,
        # as on the panel's metrics tab.
        mine = tuple(row for row in report.overrides.by_reviewer if row[0] == who.name)
        report = replace(report, overrides=replace(report.overrides, by_reviewer=mine))
    return report.to_json()


@router.get("/audit/verify", tags=["oversight"], summary="Verify the keyed audit chain (owners, admins)")
def audit_verify(orch: Orch, who: Caller) -> dict[str, Any]:
    """Recompute the chain and match decisions to their events."""
    require_overseer(who, "Verifying the audit trail")
    report = orch.verify_audit()
    problems = [{"seq": p.seq, "problem": p.problem} for p in report.problems]
    return {"ok": report.ok, "events": report.events, "problems": problems}


@router.get(
    "/audit/export",
    tags=["oversight"],
    summary="The audit trail as JSON Lines (owners, admins)",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}}},
)
def audit_export(
    orch: Orch,
    who: Caller,
    since: Annotated[str | None, Query(max_length=40)] = None,
    run: Annotated[str | None, Query(max_length=64)] = None,
) -> StreamingResponse:
    """Return every audit event, each decision with the exact request its reviewer saw (``humangate audit export``)."""
    require_overseer(who, "The audit export")
    start = None
    if since is not None:
        try:
            start = parse_time(since, now=time.time())
        except ValueError as exc:
            raise InvalidInputError(str(exc)) from None
    if run is not None:
        orch.run(run)  # an unknown run is a mistake, not an empty export
    buffer = io.StringIO()
    with orch.db.read() as conn:
        export_audit(conn, buffer, since=start, run_id=run)

    def lines() -> Iterator[bytes]:
        buffer.seek(0)
        for line in buffer:
            yield line.encode()

    return StreamingResponse(lines(), media_type="application/x-ndjson")
