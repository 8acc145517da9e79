"""The Inbox tab's handlers, free of Gradio: filter and page the queue, count the choices, pick the next item.

Every list comes from the queue index through the Orchestrator; these functions only shape its answers into
table rows and dropdown choices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, get_args

from humangate.core.contract import RISK_LEVELS, ROLES, TriggerKind, role_rank
from humangate.errors import HumanGateError
from humangate.review.queue import CorruptItemError, QueueFilter, ReviewItem
from humangate.review.service import Orchestrator

__all__ = [
    "ALL",
    "INBOX_HEADERS",
    "INBOX_WIDTHS",
    "PAGE_SIZE",
    "TRIGGER_KINDS",
    "InboxPage",
    "filter_choices",
    "inbox_page",
    "next_item_id",
    "queue_filter",
    "why_waiting",
]

ALL = "all"
PAGE_SIZE = 50
INBOX_HEADERS = ["item", "risk", "title", "why it waits", "graph", "node", "triggers", "role", "age", "claimed by"]
INBOX_WIDTHS: list[str | int] = ["56px", "76px", "20%", "30%", "80px", "100px", "110px", "76px", "56px", "90px"]
"""Column widths: the title and why it waits get the room; the rest are short words."""
_WHY_CHARS = 160  # one or two lines of the table: the review view has the rest
TRIGGER_KINDS: tuple[str, ...] = get_args(TriggerKind)


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


def why_waiting(item: ReviewItem) -> str:
    """Return in one sentence why ``item`` waits for a person: its strongest trigger, or what kind of look it is."""
    if item.blind:  # a blind audit hides the system's assessment, here as in the review view
        return "Blind audit: a second look at work that already went ahead."
    try:
        request = item.request
    except CorruptItemError as exc:
        return exc.problem
    lead: list[str] = []
    if item.kind != "gate":
        lead.append("Audit sample of work that went ahead")
    if item.escalation_level > 0:
        lead.append(f"Escalated to the {item.required_role} role")
    if item.approvals_needed > 1:
        lead.append(f"needs {item.approvals_needed} approvals")
    triggers = sorted(request.assessment.triggers, key=lambda t: -(t.score or 0.0))
    if triggers:
        reason = " ".join(triggers[0].reason.split()).rstrip(".")
        more = f" (+{len(triggers) - 1} more)" if len(triggers) > 1 else ""
        lead.append(f"{reason}{more}")
    else:
        lead.append("held for review by the policy")
    text = "; ".join(lead)
    text = text[0].upper() + text[1:]
    return text if len(text) <= _WHY_CHARS else text[: _WHY_CHARS - 1].rstrip() + "…"


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
            why_waiting(i),
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
            try:
                request = item.request
            except CorruptItemError as exc:  # one unreadable row must not block everyone behind it
                orch.quarantine(item.id, exc.problem)
                continue
            if item.kind == "gate" and user in request.edited_by:
                continue  # their own edit, held for a second look: another reviewer must approve it
            if item.kind == "audit" and user in request.audited:
                continue  # an audit of their own decision: it needs other eyes
            return item.id
        if page.next_cursor is None:
            return None
        cursor = page.next_cursor
    return None
