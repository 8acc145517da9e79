"""Read what reviewers decided at one gate as labels for the escalation router: did this message need a person?

One label per run and gate (a redirect or an escalation gives one run several decisions):

- a gate item approved unchanged: it could have passed (False). Edited, rejected, redirected or escalated:
  a person was needed (True). Any one such decision makes the run's label True.
- a blind second look at an approved item (an audit with a source item) that did not approve it turns
  the label True: the first reviewer let through something a person had to fix.
- an auto-passed message picked by audit sampling: its audit decides the label, which stands for the
  other passes nobody looked at (weight ``1 / rate``). Passes nobody audited are not labels.

SLA fail-closed rejections (``sla``) are nobody's judgement and are left out, as are canaries (seeded test
items) and the decisions of reviewers in ``exclude``. The text is what the router read: the customer's
message and thread as the gate's review request shows them (or, for an audited pass, as the run was
started), without the product's own reply sentences. A row that does not parse is skipped and counted.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from humangate.checkpoints.schema import assessments, decisions, review_items, runs
from humangate.core.contract import SYSTEM_REVIEWER
from humangate.risk.escalation import customer_words
from humangate.risk.router.learning import Label

__all__ = ["LabelSet", "read_labels"]


@dataclass
class LabelSet:
    """The labels of one gate, and what was left out."""

    labels: list[Label] = field(default_factory=list)
    skipped: int = 0  # rows whose request or input could not be read
    excluded: int = 0  # decisions by reviewers the caller left out


@dataclass
class _Run:
    text: tuple[str, list[str]] | None = None
    needs_person: bool = False
    reviewer: str = ""
    weight: float = 1.0
    source: str = "decision"
    first_at: float = 0.0


def _from_request(request_json: str) -> tuple[str, list[str]] | None:
    """Return the message and thread as a review request shows them, or None when it shows no message."""
    try:
        request = json.loads(request_json)
        sources = {str(s["id"]): str(s["excerpt"]) for s in request.get("sources") or []}
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    if "message" not in sources:
        return None
    history = [sources[k] for k in sorted((k for k in sources if k.startswith("history-")), key=_turn)]
    return sources["message"], history


def _turn(key: str) -> int:
    tail = key.rpartition("-")[2]
    return int(tail) if tail.isdigit() else 0


def _from_input(inputs_json: str | None) -> tuple[str, list[str]] | None:
    """Return the message and thread the run was started with, or None when it has no message text."""
    try:
        data: Any = json.loads(inputs_json or "")
        text, history = data.get("text"), data.get("history") or []
    except (ValueError, TypeError, AttributeError):
        return None
    if not isinstance(text, str) or not text.strip() or not isinstance(history, list):
        return None
    return text, [str(h) for h in history if isinstance(h, str)]


def _autonomy(assessment_json: str | None) -> bool:
    """Return whether a pass was earned autonomy (sampled at its own rate) rather than a low score."""
    try:
        triggers = json.loads(assessment_json or "{}").get("triggers") or []
        return any(t.get("kind") == "memory" and "Earned autonomy" in str(t.get("reason")) for t in triggers)
    except (ValueError, TypeError, AttributeError):
        return False


def read_labels(
    conn: Connection,
    *,
    graph: str,
    node: str,
    sampling_rate: float,
    autonomy_sampling_rate: float,
    exclude: Collection[str] = (),
) -> LabelSet:
    """Return one label per run that a person judged at ``graph``.``node``, oldest first."""
    out, found = LabelSet(), dict[str, _Run]()
    ri, d = review_items, decisions
    gate_rows = conn.execute(
        select(ri.c.run_id, ri.c.request_json, d.c.action, d.c.reviewer, d.c.decided_at, runs.c.inputs_json)
        .select_from(d.join(ri, d.c.item_id == ri.c.id).join(runs, runs.c.id == ri.c.run_id))
        .where(ri.c.kind == "gate", ri.c.graph == graph, ri.c.node == node, d.c.reviewer != SYSTEM_REVIEWER)
        .order_by(d.c.decided_at, d.c.id)
    ).all()
    for row in gate_rows:
        if row.reviewer in exclude:
            out.excluded += 1
            continue
        run = found.setdefault(row.run_id, _Run(first_at=float(row.decided_at)))
        run.text = run.text or _from_request(row.request_json) or _from_input(row.inputs_json)
        _judge(run, row.action != "approve", row.reviewer)
    source = ri.alias("source")
    audit_rows = conn.execute(
        select(
            ri.c.run_id,
            source.c.run_id.label("source_run"),
            d.c.action,
            d.c.reviewer,
            d.c.decided_at,
            runs.c.inputs_json,
        )
        .select_from(
            d.join(ri, d.c.item_id == ri.c.id)
            .join(runs, runs.c.id == ri.c.run_id)
            .outerjoin(source, source.c.id == ri.c.source_item_id)
        )
        .where(ri.c.kind == "audit", ri.c.graph == graph, ri.c.node == node, d.c.action != "escalate")
        .where(d.c.reviewer != SYSTEM_REVIEWER)
        .order_by(d.c.decided_at, d.c.id)
    ).all()
    passes = [r for r in audit_rows if r.source_run is None]
    kinds = _pass_kinds(conn, graph, node, [r.run_id for r in passes])
    for row in audit_rows:
        if row.reviewer in exclude:
            out.excluded += 1
            continue
        if row.source_run is not None:  # a second look at an approved item: a finding means a person was needed
            if row.source_run in found and row.action != "approve":
                _judge(found[row.source_run], True, row.reviewer)
            continue
        rate = autonomy_sampling_rate if kinds.get(row.run_id) else sampling_rate
        audited = found.get(row.run_id)
        if audited is None:
            audited = found[row.run_id] = _Run(first_at=float(row.decided_at), source="audit")
            audited.weight = 1.0 / rate if rate > 0 else 1.0
            audited.text = _from_input(row.inputs_json)
        _judge(audited, row.action != "approve", row.reviewer)
    for run_id, run in sorted(found.items(), key=lambda kv: (kv[1].first_at, kv[0])):
        if run.text is None:
            out.skipped += 1
            continue
        words, thread = customer_words(*run.text)
        out.labels.append(
            Label(
                key=f"{run_id}|{node}",
                text=words or run.text[0],
                history=tuple(thread),
                needs_person=run.needs_person,
                reviewer=run.reviewer,
                weight=run.weight,
                source=run.source,
            )
        )
    return out


def _judge(run: _Run, needed: bool, reviewer: str) -> None:
    """Fold one judgement into the run's label: the first 'needed' wins, otherwise the latest approver."""
    if needed and not run.needs_person:
        run.needs_person, run.reviewer = True, reviewer
    elif not run.needs_person:
        run.reviewer = reviewer


def _pass_kinds(conn: Connection, graph: str, node: str, run_ids: list[str]) -> dict[str, bool]:
    """Return, per run, whether its logged pass at the gate was earned autonomy."""
    found: dict[str, bool] = {}
    for start in range(0, len(run_ids), 500):  # SQLite caps the parameters of one statement
        rows = conn.execute(
            select(assessments.c.run_id, assessments.c.assessment_json).where(
                assessments.c.graph == graph,
                assessments.c.node == node,
                assessments.c.needs_review.is_(False),
                assessments.c.run_id.in_(run_ids[start : start + 500]),
            )
        ).all()
        found |= {r.run_id: _autonomy(r.assessment_json) for r in rows}
    return found
