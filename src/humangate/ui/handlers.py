"""What the panel does, as plain functions of an Orchestrator: testable without a browser.

Every decision goes through ``Orchestrator.decide`` as the signed-in user, so authority, dwell and
conflicts are enforced by the service; these functions only turn its answers into text.
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from sqlalchemy import select

from humangate.checkpoints.schema import audit_events
from humangate.errors import HumanGateError, ReviewError
from humangate.review.contract import ACTIONS, RISK_LEVELS, ROLES, Action, Role, TriggerKind, role_rank
from humangate.review.queue import QueueFilter, ReviewItem
from humangate.review.service import Orchestrator
from humangate.ui.render import (
    esc,
    render_header,
    render_observed,
    render_sources,
    render_timeline,
    render_triggers,
)

__all__ = [
    "ALL",
    "INBOX_HEADERS",
    "PAGE_SIZE",
    "DecisionForm",
    "DecisionOutcome",
    "InboxPage",
    "ItemView",
    "approve_ready",
    "audit_rows",
    "audit_status",
    "decide",
    "filter_choices",
    "inbox_page",
    "next_item_id",
    "open_item",
    "queue_filter",
    "run_detail",
    "runs_rows",
    "start_task",
]

ALL = "all"
PAGE_SIZE = 50
INBOX_HEADERS = ["item", "risk", "title", "graph", "node", "triggers", "role", "age", "claimed by"]
RUNS_HEADERS = ["run", "graph", "title", "status", "outcome", "started by", "waiting items"]
AUDIT_HEADERS = ["seq", "when", "actor", "kind", "run", "item", "details"]
TRIGGER_KINDS: tuple[str, ...] = get_args(TriggerKind)
_EMAIL_FIELDS = ("to", "subject", "body")


def _opt(value: str | None) -> str | None:
    return None if value in (None, "", ALL) else value


def queue_filter(
    graph: str | None = None,
    node: str | None = None,
    risk: str | None = None,
    trigger: str | None = None,
    role: str | None = None,
) -> QueueFilter:
    """Return the filter the inbox dropdowns describe; ``"all"`` (or empty) means no filter."""
    return QueueFilter(
        graph=_opt(graph),
        node=_opt(node),
        risk_level=_opt(risk),  # type: ignore[arg-type]  # QueueFilter.clauses validates the value
        trigger_kind=_opt(trigger),  # type: ignore[arg-type]
        role=_opt(role),  # type: ignore[arg-type]
    )


def _age(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s}s" if s < 120 else f"{s // 60}m" if s < 7200 else f"{s // 3600}h"


@dataclass(frozen=True)
class InboxPage:
    """One page of the inbox: table rows (first column the item id), the total and the next cursor."""

    rows: list[list[Any]]
    total: int
    next_cursor: str | None

    @property
    def count_text(self) -> str:
        """Return e.g. ``12 pending``."""
        return f"{self.total} pending"


def inbox_page(orch: Orchestrator, filt: QueueFilter, cursor: str | None = None, limit: int = PAGE_SIZE) -> InboxPage:
    """Return pending items, highest risk then oldest first, one keyset page from the queue index."""
    page = orch.pending(filt, limit=limit, cursor=cursor)
    now = orch.clock()
    rows = [
        [
            i.id,
            i.risk_level,
            i.title,  # shown by a "str" Dataframe column: as text, never markup
            i.graph,
            i.node,
            ", ".join(i.trigger_kinds),
            i.required_role,
            _age(now - i.created_at),
            i.claimed_by or "",
        ]
        for i in page.items
    ]
    return InboxPage(rows=rows, total=orch.count(filt), next_cursor=page.next_cursor)


def filter_choices(orch: Orchestrator, filt: QueueFilter) -> dict[str, list[tuple[str, str]]]:
    """Return each dropdown's (label with count, value) choices, counted with the other filters applied."""
    graphs = sorted(orch.registry.names())
    nodes = sorted({node for g in graphs for node in orch.registry.get(g).gates})
    options: dict[str, tuple[str, Sequence[str]]] = {
        "graph": ("graph", graphs),
        "node": ("node", nodes),
        "risk": ("risk_level", RISK_LEVELS),
        "trigger": ("trigger_kind", TRIGGER_KINDS),
        "role": ("role", ROLES),
    }
    out: dict[str, list[tuple[str, str]]] = {}
    for key, (attr, values) in options.items():
        others = QueueFilter(**{**filt.__dict__, attr: None})
        choices = [(f"{ALL} ({orch.count(others)})", ALL)]
        for value in values:
            n = orch.count(QueueFilter(**{**filt.__dict__, attr: value}))
            choices.append((f"{value} ({n})", value))
        out[key] = choices
    return out


@dataclass(frozen=True)
class ItemView:
    """Everything the review view shows for one item, already rendered safely."""

    item_id: int
    header: str
    triggers: str
    sources: str
    observed: str
    timeline: str
    email: bool
    to: str
    subject: str
    body: str
    proposal_json: str
    allowed: tuple[Action, ...]
    escalate_roles: tuple[Role, ...]
    opened_at: float
    min_dwell_seconds: float
    message: str
    claimed: bool


def _is_email(proposal: dict[str, Any]) -> bool:
    return {"subject", "body"} <= proposal.keys() and all(isinstance(proposal.get(k, ""), str) for k in _EMAIL_FIELDS)


def _view(orch: Orchestrator, item: ReviewItem, *, opened_at: float, message: str, claimed: bool) -> ItemView:
    req = item.request
    try:
        timeline = render_timeline(orch.timeline(item.run_id))
    except HumanGateError as exc:
        timeline = f"<p>{esc(exc)}</p>"
    email = _is_email(req.proposal)
    return ItemView(
        item_id=item.id,
        header=render_header(item),
        triggers=render_triggers(req, blind=item.blind),
        sources=render_sources(req),
        observed=render_observed(req),
        timeline=timeline,
        email=email,
        to=str(req.proposal.get("to", "")) if email else "",
        subject=str(req.proposal.get("subject", "")) if email else "",
        body=str(req.proposal.get("body", "")) if email else "",
        proposal_json=json.dumps(req.proposal, indent=2, ensure_ascii=False),
        allowed=tuple(a for a in ACTIONS if a in req.allowed_actions),
        escalate_roles=tuple(r for r in ROLES if role_rank(r) > role_rank(item.required_role)),
        opened_at=opened_at,
        min_dwell_seconds=item.min_dwell_seconds,
        message=message,
        claimed=claimed,
    )


def open_item(orch: Orchestrator, user: str, item_id: int) -> ItemView:
    """Claim the item for ``user`` and return its view; when the claim is refused, show it with the reason."""
    try:
        item = orch.claim(item_id, user)
    except ReviewError as exc:
        item = orch.item(item_id)
        return _view(orch, item, opened_at=orch.clock(), message=str(exc), claimed=False)
    except HumanGateError as exc:  # e.g. an unknown user: show the item, let the service refuse decisions
        item = orch.item(item_id)
        return _view(orch, item, opened_at=orch.clock(), message=str(exc), claimed=False)
    opened = item.claimed_at if item.claimed_at is not None else orch.clock()
    return _view(orch, item, opened_at=opened, message=f"Item {item.id} opened for {user}.", claimed=True)


def approve_ready(now: float, opened_at: float | None, min_dwell_seconds: float) -> bool:
    """Return True once the policy's minimum dwell has passed since the item was opened."""
    return opened_at is not None and now - opened_at >= min_dwell_seconds


def next_item_id(
    orch: Orchestrator,
    user: str,
    *,
    filt: QueueFilter | None = None,
    skip: Sequence[int] = (),
    max_pages: int = 5,
) -> int | None:
    """Return the first pending item ``user`` may decide: their role suffices and nobody else holds it."""
    try:
        role = orch.user_role(user)
    except HumanGateError:
        return None
    if filt is not None and filt.role is not None and role_rank(filt.role) < role_rank(role):
        role = filt.role  # the inbox shows less than the user may decide: stay inside it
    query = QueueFilter(**{**(filt or QueueFilter()).__dict__, "role": role})
    now = orch.clock()
    cursor: str | None = None
    for _ in range(max_pages):
        page = orch.pending(query, limit=PAGE_SIZE, cursor=cursor)
        for item in page.items:
            if item.id in skip:
                continue
            if item.claimed_by and item.claimed_by != user and (item.lease_expires_at or 0) > now:
                continue
            if item.kind == "gate" and orch.run(item.run_id).started_by == user:
                continue  # the service would refuse: who started a run may not approve its items
            return item.id
        if page.next_cursor is None:
            return None
        cursor = page.next_cursor
    return None


@dataclass(frozen=True)
class DecisionForm:
    """The review view's inputs when a decision button is pressed."""

    action: Action
    reason_code: str | None = None
    note: str | None = None
    instructions: str | None = None
    escalate_to: str | None = None
    to: str | None = None
    subject: str | None = None
    body: str | None = None
    proposal_json: str | None = None


@dataclass(frozen=True)
class DecisionOutcome:
    """What happened: whether the service accepted it, its message, and the item to open next."""

    ok: bool
    message: str
    next_item: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _edited(item: ReviewItem, form: DecisionForm) -> dict[str, Any]:
    proposal = item.request.proposal
    if _is_email(proposal) and form.proposal_json is None:
        typed = {"to": form.to, "subject": form.subject, "body": form.body}
        return {**proposal, **{k: v for k, v in typed.items() if v is not None and k in proposal}}
    try:
        edited = json.loads(form.proposal_json or "")
    except json.JSONDecodeError as exc:
        raise ReviewError(
            f"The edited proposal is not valid JSON ({exc.msg} at line {exc.lineno}); fix it and save again.",
            item_id=item.id,
        ) from None
    if not isinstance(edited, dict):
        raise ReviewError("The edited proposal must be a JSON object with the proposal's fields.", item_id=item.id)
    return edited


def decide(orch: Orchestrator, user: str | None, item_id: int | None, form: DecisionForm) -> DecisionOutcome:
    """Record ``form`` as ``user``'s decision through the service; on success pick the next item."""
    if not user:
        return DecisionOutcome(False, "Sign in first: decisions are recorded under your name.")
    if item_id is None:
        return DecisionOutcome(False, "Open an item from the inbox first.")
    try:
        item = orch.item(item_id)
        decision: dict[str, Any] = {
            "action": form.action,
            "reviewer": user,
            "reason_code": form.reason_code or None,
            "note": (form.note or "").strip() or None,
        }
        if form.action == "edit":
            decision["edited"] = _edited(item, form)
        elif form.action == "redirect":
            decision["instructions"] = form.instructions or ""
        elif form.action == "escalate":
            decision["escalate_to"] = form.escalate_to or None
        result = orch.decide(item_id, decision)
    except HumanGateError as exc:
        return DecisionOutcome(False, str(exc))
    run = result.run
    state = run.status + (f", {run.outcome}" if run.outcome else "")
    message = f"Item {item_id}: {form.action} recorded (run {run.id[:12]} is {state})."
    return DecisionOutcome(True, message, next_item_id(orch, user, skip=[item_id]))


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
        + f" · started by {esc(run.started_by or 'system')}"
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


def _read_rows(path: str | Path) -> list[dict[str, Any]]:
    try:
        with Path(path).open(newline="", encoding="utf-8") as fh:
            rows = [dict(r) for r in csv.DictReader(fh)]
    except (OSError, csv.Error, UnicodeDecodeError) as exc:
        raise ValueError(f"The uploaded file is not a readable CSV file: {exc}.") from None
    if not rows:
        raise ValueError("The uploaded CSV has no rows under its header.")
    return rows


def start_task(
    orch: Orchestrator,
    user: str | None,
    task: str,
    csv_path: str | Path | None = None,
    source_paths: list[str] | None = None,
) -> Iterator[str]:
    """Plan a plain-English task as ``humangate run`` does, start its runs, and report each as it starts."""
    from humangate.tasks import plan_task, start_planned

    if not user:
        yield "Sign in first: runs are started under your name."
        return
    if not task.strip():
        yield "Type a task first, e.g. “Draft a thank-you note to each customer in the CSV and let me approve it.”"
        return
    log = [f"Task: {task.strip()[:2_000]}"]
    try:
        rows = _read_rows(csv_path) if csv_path else None
    except ValueError as exc:
        yield "\n".join([*log, str(exc)])
        return
    if rows is not None:
        log.append(f"Read {len(rows)} rows from the CSV.")
    started = []
    with tempfile.TemporaryDirectory(prefix="humangate-sources-") as folder:
        source_dir = _gather_sources(source_paths or [], Path(folder))
        if source_dir is not None:
            log.append(f"Read {len(list(source_dir.iterdir()))} uploaded source file(s); every item reads them.")
        try:
            spec, planned = plan_task(orch, task, rows, source_dir)
        except HumanGateError as exc:
            yield "\n".join([*log, f"Could not start: {exc}"])
            return
        rules = "; ".join(spec.rules) or "the risk policy decides what a person sees"
        log.append(f"Plan: {len(planned)} {spec.graph} runs; {rules}")
        yield "\n".join(log)
        for number, (label, run) in enumerate(start_planned(orch, planned, user), start=1):
            started.append(run)
            items = ", ".join(str(i) for i in run.pending_items)
            waits = f"; waits for review at items {items}" if items else ""
            outcome = f" ({run.outcome})" if run.outcome else ""
            log.append(f"[{number}/{len(planned)}] {label}: {run.graph} {run.id[:12]} {run.status}{outcome}{waits}")
            yield "\n".join(log)
    done = sum(1 for r in started if r.status == "completed")
    waiting = sum(1 for r in started if r.status == "paused")
    log.append(f"{len(started)} runs started: {done} completed without a person, {waiting} waiting for review.")
    yield "\n".join(log)


def _gather_sources(paths: list[str], folder: Path) -> Path | None:
    """Copy uploaded source files (text or markdown) into one folder; None when there are none."""
    for raw in paths:
        src = Path(raw)
        if src.suffix.lower() in (".md", ".txt", ".markdown") and src.is_file():
            shutil.copyfile(src, folder / src.name)
    return folder if any(folder.iterdir()) else None
