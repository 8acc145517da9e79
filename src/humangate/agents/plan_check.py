"""Check a model's reading of a task against the inputs and the offline reading, and merge the two.

A plan whose graph does not fit the items is not taken: a CSV of messages is not an outreach list, a
folder of sources holds no recipients, and a task that asks for emails is not research. When both
graphs fit but differ, the offline reading stands and the model's is kept as ``alternative`` for a
person to choose (``humangate run --dry-run`` shows it, ``--reading model`` takes it). Items from a
file or folder are never the model's; items it reads from the text must be named there. Review rules
are the stricter of the two readings: approval either one reads holds, and every limit and route either
one finds is kept. The plan's ``rules`` say only what holds: the offline reading's rules, and one rule for
each approval, limit or route the model added (those fields are enforced). The model's own free-text
``rules`` are not shown: nothing enforces them, so "a person approves every email" written there while
its ``require_approval`` is false would be a guarantee that does not hold. Each difference is told in
``disagreements``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from humangate.agents.offline.planning import named_graph
from humangate.core.schemas import PlanReading, TaskSpec
from humangate.core.text import content_terms
from humangate.core.wording import fold

__all__ = ["misfit", "reconcile"]

# Columns each graph reads an item from (tasks.planned_runs): every group needs one of its names.
_NEEDS: dict[str, tuple[frozenset[str], ...]] = {
    "support": (frozenset({"text", "message", "body"}),),
    "research": (frozenset({"company", "subject", "name"}),),
    "outreach": (frozenset({"company", "subject", "name"}), frozenset({"email"})),
}
_ASKS = {
    "support": "the task is about customer messages",
    "outreach": "the task asks for emails to be written",
    "research": "the task asks for research, not for emails or replies",
}
_TONE_WORDS = frozenset(
    {"formal", "informal", "friendly", "casual", "warm", "concise", "short", "professional", "polite", "brief"}
    | {"enthusiastic", "upbeat", "direct", "playful", "clear", "and"}
)


def misfit(
    graph: str, task: str, *, csv_rows: Sequence[Mapping[str, Any]] | None = None, source_dir: Path | None = None
) -> str | None:
    """Return why ``graph`` cannot run on these inputs and this wording, or None when it fits."""
    if csv_rows:
        columns = {str(k).strip().lower() for k in csv_rows[0] if k}
        for need in _NEEDS[graph]:
            if not columns & need:
                names = " or ".join(sorted(need))
                return f"the {graph} graph needs a column named {names}, and the file has {', '.join(sorted(columns))}"
    elif source_dir is not None and graph != "research":
        return f"a folder of sources holds no {'customer messages' if graph == 'support' else 'recipient emails'}"
    named = named_graph(task)
    if named is not None and named != graph:
        return _ASKS[named]
    return None


def _named_in(item: Mapping[str, Any], task: str) -> bool:
    text = fold(task)
    values = [v for v in item.values() if isinstance(v, str) and v.strip()]
    return bool(values) and all(fold(v.strip()) in text for v in values)


def _grounded(value: str, task: str, extra: frozenset[str] = frozenset()) -> bool:
    words = content_terms(value)
    return not words or words <= (content_terms(task) | extra)


def _enforced_rules(reading: PlanReading, offline: TaskSpec, graph: str) -> list[str]:
    """Return a rule for each approval, limit and route the model added: what the merged plan enforces."""
    unit = {"outreach": "email", "support": "reply"}.get(graph)
    effect = f"every {unit} before it is sent" if unit else "every brief"
    rules: list[str] = []
    if reading.require_approval and not offline.require_approval:
        rules.append(f"The model read a request to approve every send, so a person approves {effect}.")
    if unit:  # limits and routes hold where something is sent (task_plan.gate_plans)
        rules.extend(
            f"Ask a reviewer for {x.label()} (read by the model)." for x in reading.limits if x not in offline.limits
        )
    if graph == "support":
        rules.extend(
            f"Escalate {r.label()} before any reply is sent (read by the model)."
            for r in reading.routes
            if r not in offline.routes
        )
    return rules


def _merge(reading: PlanReading, offline: TaskSpec, graph: str, items: list[dict[str, Any]]) -> TaskSpec:
    return offline.model_copy(
        update={
            "graph": graph,
            "items": items,
            "require_approval": reading.require_approval or offline.require_approval,
            # The model's free-text rules are its reading, not rules: only enforced fields make a rule shown.
            "rules": list(dict.fromkeys([*offline.rules, *_enforced_rules(reading, offline, graph)])),
            # The limits and routing rules read by rule always hold; the model may add ones the rules missed.
            "limits": list({(x.subject, x.amount, x.unit): x for x in [*offline.limits, *reading.limits]}.values()),
            "routes": list({r.model_dump_json(): r for r in [*offline.routes, *reading.routes]}.values()),
            "model_failure": None,
        }
    )


def reconcile(
    reading: PlanReading,
    offline: TaskSpec,
    *,
    engine: str,
    csv_rows: Sequence[Mapping[str, Any]] | None = None,
    source_dir: Path | None = None,
) -> TaskSpec:
    """Return the plan: the offline reading checked against the model's, with what differs and who won."""
    task = offline.task
    notes: list[str] = []
    from_input = bool(csv_rows) or source_dir is not None
    items = offline.items
    if not from_input and reading.items and reading.items != offline.items:
        if offline.items:
            notes.append(f"The model listed other items ({_names(reading.items)}); the offline items stand.")
        elif all(_named_in(i, task) for i in reading.items):
            items = reading.items
            notes.append(f"The items ({_names(items)}) were read by the model; each is named in the task.")
        else:
            notes.append(f"The model listed items the task does not name ({_names(reading.items)}); not taken.")
    spec = _merge(reading, offline, offline.graph, items)
    alternative = None
    if reading.graph != offline.graph:
        why = misfit(reading.graph, task, csv_rows=csv_rows, source_dir=source_dir)
        if why is not None:
            notes.append(
                f"The model chose the {reading.graph} graph, which does not fit: {why}. "
                f"The offline reading ({offline.graph}) stands."
            )
        else:
            notes.append(
                f"The model read this as a {reading.graph} task, the offline reading as {offline.graph}; the "
                "offline reading stands unless a person chooses the model's."
            )
            alternative = _merge(reading, offline, reading.graph, items)
    updates: dict[str, Any] = {}
    if reading.goal.strip() and _grounded(reading.goal, task):
        updates["goal"] = reading.goal.strip()
    if reading.tone.strip() and _grounded(reading.tone, task, _TONE_WORDS):
        updates["tone"] = reading.tone.strip()
    if reading.require_approval and not offline.require_approval:
        notes.append("The model read a request to approve every send; the stricter reading holds.")
    agreed = reading.graph == offline.graph and not notes
    engine_note = engine if agreed else f"offline, checked by {engine}"
    spec = spec.model_copy(update={**updates, "disagreements": notes, "engine": engine_note})
    if alternative is not None:
        alternative = alternative.model_copy(update={**updates, "engine": engine, "disagreements": notes})
    return spec.model_copy(update={"alternative": alternative})


def _names(items: Sequence[Mapping[str, Any]], show: int = 4) -> str:
    labels = [next((str(v) for v in i.values() if isinstance(v, str) and v.strip()), "?") for i in items]
    more = f" and {len(labels) - show} more" if len(labels) > show else ""
    return ", ".join(labels[:show]) + more
