"""The Runs and Audit tabs' handlers, free of Gradio: the newest runs, one run whole, the audit trail.

Everything here only reads; every text that reaches HTML passes through ``esc`` or a ``render_*`` function.
An edit decision is shown with its diff (edited against proposed), computed from the stored request and the
recorded decision by ``humangate.oversight.edit_diff``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select

from humangate.checkpoints.schema import audit_events, review_items
from humangate.errors import HumanGateError
from humangate.oversight.edit_diff import EditChange, recorded_edit
from humangate.review.service import Orchestrator
from humangate.ui.render import esc, render_diff, render_timeline

__all__ = [
    "AUDIT_HEADERS",
    "RUNS_HEADERS",
    "audit_detail",
    "audit_rows",
    "audit_status",
    "run_detail",
    "runs_rows",
]

_DECISION = "decision.recorded"

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
    decided = [e for e in events if e["kind"] == _DECISION]
    edits = _edits(orch, decided)
    decisions = "".join(
        f"<li>Item {esc(e['item_id'])}: {esc(e['actor'])} chose {esc(e['payload']['decision']['action'])}"
        + (f" ({esc(e['payload']['decision']['reason_code'])})" if e["payload"]["decision"].get("reason_code") else "")
        + _edit_html(edits.get(int(e["seq"])))
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


def _edits(orch: Orchestrator, events: Iterable[Mapping[str, Any]]) -> dict[int, EditChange]:
    """Return, by event seq, what each edit decision among ``events`` changed in its item's stored proposal."""
    wanted = {
        int(e["seq"]): (int(e["item_id"]), e["payload"].get("decision"))
        for e in events
        if e["kind"] == _DECISION
        and e.get("item_id") is not None
        and isinstance(e.get("payload"), Mapping)
        and isinstance(e["payload"].get("decision"), Mapping)
        and e["payload"]["decision"].get("edited") is not None
    }
    if not wanted:
        return {}
    ids = {item_id for item_id, _ in wanted.values()}
    with orch.db.read() as conn:
        stored = dict(
            conn.execute(select(review_items.c.id, review_items.c.request_json).where(review_items.c.id.in_(ids))).all()
        )
    out: dict[int, EditChange] = {}
    for seq, (item_id, decision) in wanted.items():
        change = recorded_edit(stored.get(item_id), decision)
        if change is not None:
            out[seq] = change
    return out


def _edit_html(change: EditChange | None) -> str:
    if change is None:
        return ""
    fields = ", ".join(change.fields) or "nothing"
    return f"<div>Edited {esc(fields, limit=500)} (- proposed, + edited):</div>{render_diff(change.diff)}"


def _events(orch: Orchestrator, limit: int, seq: int | None = None) -> list[dict[str, Any]]:
    stmt = select(audit_events).order_by(audit_events.c.seq.desc()).limit(limit)
    if seq is not None:
        stmt = stmt.where(audit_events.c.seq == seq)
    with orch.db.read() as conn:
        rows = conn.execute(stmt).all()
    return [dict(r._mapping) | {"payload": json.loads(r.payload_json)} for r in rows]


def audit_rows(orch: Orchestrator, limit: int = 200) -> list[list[Any]]:
    """Return the newest audit events, newest first; an edit's details start with the fields it changed."""
    events = _events(orch, limit)
    edits = _edits(orch, events)
    rows = []
    for e in events:
        change = edits.get(int(e["seq"]))
        lead = f"edited {', '.join(change.fields) or 'nothing'} · " if change else ""
        rows.append(
            [
                e["seq"],
                time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e["at"])),
                e["actor"],
                e["kind"],
                (e["run_id"] or "")[:12],
                e["item_id"] if e["item_id"] is not None else "",
                (lead + e["payload_json"])[:300],
            ]
        )
    return rows


def audit_detail(orch: Orchestrator, seq: int) -> str:
    """Return one audit event as safe HTML: who did what, its payload, and for an edit the diff it made."""
    found = _events(orch, 1, seq)
    if not found:
        return f"<p>No audit event {esc(seq)}.</p>"
    e = found[0]
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e["at"]))
    change = _edits(orch, found).get(int(e["seq"]))
    payload = json.dumps(e["payload"], indent=2, ensure_ascii=False, default=str)
    return (
        f"<h4>Event {esc(e['seq'])}: {esc(e['kind'])}</h4>"
        f"<p>{esc(when)} · {esc(e['actor'])}"
        + (f" · run {esc(e['run_id'])}" if e["run_id"] else "")
        + (f" · item {esc(e['item_id'])}" if e["item_id"] is not None else "")
        + "</p>"
        + _edit_html(change)
        + f'<details><summary>Payload</summary><div class="hg-text">{esc(payload)}</div></details>'
    )


def audit_status(orch: Orchestrator) -> str:
    """Verify the hash chain and say whether it is intact."""
    report = orch.verify_audit()
    if report.ok:
        return f"Audit chain intact: {report.events} events verified."
    problems = "; ".join(f"event {p.seq}: {p.problem}" for p in report.problems[:10])
    return f"Audit chain broken ({report.events} events checked): {problems}"
