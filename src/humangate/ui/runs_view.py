"""The Runs and Audit tabs' handlers, free of Gradio: the newest runs, one run whole, the audit trail.

Everything here only reads; every text that reaches HTML passes through ``esc`` or a ``render_*`` function.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from humangate.checkpoints.schema import audit_events
from humangate.errors import HumanGateError
from humangate.review.service import Orchestrator
from humangate.ui.render import esc, render_timeline

__all__ = ["AUDIT_HEADERS", "RUNS_HEADERS", "audit_rows", "audit_status", "run_detail", "runs_rows"]

RUNS_HEADERS = ["run", "graph", "title", "status", "outcome", "started by", "waiting items"]
AUDIT_HEADERS = ["seq", "when", "actor", "kind", "run", "item", "details"]


def runs_rows(orch: Orchestrator, limit: int = 100) -> list[list[Any]]:
    """Return the newest runs as table rows."""
    return [
        [
            r.id,
            r.graph,
            r.title,
            r.status,
            r.outcome or "",
            r.started_by or "",
            ", ".join(str(i) for i in r.pending_items),
        ]
        for r in orch.runs(limit=limit)
    ]


def run_detail(orch: Orchestrator, run_id: str) -> str:
    """Return one run's state, decisions and timeline as safe HTML; a prefix of the id is enough."""
    run_id = run_id.strip()
    if not run_id:
        return "<p>Type a run id (or its first characters) from the table.</p>"
    try:
        if len(run_id) < 32:
            matches = [r for r in orch.runs(limit=10_000) if r.id.startswith(run_id)]
        else:
            matches = [orch.run(run_id)]
        if len(matches) != 1:
            return f"<p>{len(matches)} runs match {esc(run_id, limit=64)}; give more of the id.</p>"
        run = matches[0]
        events = orch.timeline(run.id)
    except HumanGateError as exc:
        return f"<p>{esc(exc)}</p>"
    decided = [e for e in events if e["kind"] == "decision.recorded"]
    decisions = "".join(
        f"<li>Item {esc(e['item_id'])}: {esc(e['actor'])} chose {esc(e['payload']['decision']['action'])}"
        + (f" ({esc(e['payload']['decision']['reason_code'])})" if e["payload"]["decision"].get("reason_code") else "")
        + "</li>"
        for e in decided
    )
    return (
        f"<h3>Run {esc(run.id)}</h3>"
        f"<p>{esc(run.title)}</p>"
        f"<p>Graph {esc(run.graph)} · status <b>{esc(run.status)}</b>"
        + (f" ({esc(run.outcome)})" if run.outcome else "")
        + f" · started by {esc(run.started_by or 'system')} · engine {esc(run.engine or 'not recorded')}"
        + (f" · waiting on items {esc(', '.join(str(i) for i in run.pending_items))}" if run.pending_items else "")
        + "</p>"
        + (f'<div class="hg-text">Error: {esc(run.error)}</div>' if run.error else "")
        + (f"<p><b>Decisions</b></p><ul>{decisions}</ul>" if decided else "<p>No decisions yet.</p>")
        + "<p><b>Timeline</b></p>"
        + render_timeline(events)
    )


def audit_rows(orch: Orchestrator, limit: int = 200) -> list[list[Any]]:
    """Return the newest audit events, newest first."""
    with orch.db.read() as conn:
        rows = conn.execute(select(audit_events).order_by(audit_events.c.seq.desc()).limit(limit)).all()
    return [
        [
            r.seq,
            time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r.at)),
            r.actor,
            r.kind,
            (r.run_id or "")[:12],
            r.item_id if r.item_id is not None else "",
            r.payload_json[:300],
        ]
        for r in rows
    ]


def audit_status(orch: Orchestrator) -> str:
    """Verify the hash chain and say whether it is intact."""
    report = orch.verify_audit()
    if report.ok:
        return f"Audit chain intact: {report.events} events verified."
    problems = "; ".join(f"event {p.seq}: {p.problem}" for p in report.problems[:10])
    return f"Audit chain broken ({report.events} events checked): {problems}"
