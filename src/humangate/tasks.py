"""Turn a planned task (``TaskSpec``) into graph inputs: one run per item."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from humangate.agents.researcher import load_sources
from humangate.agents.schemas import Recipient, ResearchInput, Source, TaskSpec
from humangate.errors import InvalidInputError
from humangate.graphs.outreach import OutreachInput
from humangate.graphs.support import SupportInput

if TYPE_CHECKING:
    from humangate.review.runs import RunInfo
    from humangate.review.service import Orchestrator

__all__ = ["PlannedRun", "plan_task", "planned_runs", "start_planned"]


@dataclass(frozen=True)
class PlannedRun:
    """One run to start: the graph, its input and a label for progress and summaries."""

    graph: str
    label: str
    inputs: dict[str, Any]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _pick(item: Mapping[str, Any], *names: str) -> str:
    for name in names:
        value = item.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _sources(item: Mapping[str, Any], company: str, source_dir: Path | None) -> list[Source]:
    if folder := _pick(item, "source_dir"):
        return load_sources(Path(folder))
    if source_dir is None:
        return []
    for name in (_pick(item, "sources", "source"), _slug(company)):
        if name and (source_dir / name).is_dir():
            return load_sources(source_dir / name)
    has_subfolders = any(p.is_dir() for p in source_dir.iterdir())
    return [] if has_subfolders else load_sources(source_dir)  # one flat folder: every item reads it


def planned_runs(spec: TaskSpec, *, source_dir: Path | None = None) -> list[PlannedRun]:
    """Return the runs ``spec`` asks for; raise ``InvalidInputError`` naming what an item lacks."""
    if not spec.items:
        raise InvalidInputError(
            'The task names no items. List them in the text ("these companies: A, B and C"), '
            "or pass --input FILE.csv or --source FOLDER."
        )
    runs: list[PlannedRun] = []
    for number, item in enumerate(spec.items, start=1):
        if spec.graph == "support":
            text = _pick(item, "text", "message", "body")
            if not text:
                raise InvalidInputError(f"Item {number} has no message text (a column named text or message).")
            message = SupportInput(
                id=_pick(item, "id", "ticket") or f"item-{number}",
                customer=_pick(item, "customer", "name", "from"),
                text=text,
                require_approval=spec.require_approval,
                limits=spec.limits,
            )
            runs.append(PlannedRun("support", message.customer or message.id, message.model_dump(mode="json")))
            continue
        company = _pick(item, "company", "subject", "name")
        if not company:
            raise InvalidInputError(f"Item {number} names no company (a column named company).")
        sources = _sources(item, company, source_dir)
        if spec.graph == "research":
            research = ResearchInput(subject=company, question=spec.goal, sources=sources)
            runs.append(PlannedRun("research", company, research.model_dump(mode="json")))
            continue
        email = _pick(item, "email")
        if not email:
            raise InvalidInputError(
                f"Item {number} ({company}) has no recipient email; outreach needs --input FILE.csv with the "
                "columns company,name,email (and optionally role, sources)."
            )
        recipient = Recipient(
            name=_pick(item, "name", "recipient", "contact") or email.split("@")[0],
            email=email,
            company=company,
            role=_pick(item, "role", "title"),
        )
        outreach = OutreachInput(
            company=company,
            recipient=recipient,
            sources=sources,
            goal=spec.goal or "an introduction",
            tone=spec.tone,
            require_approval=spec.require_approval,
            limits=spec.limits,
        )
        runs.append(PlannedRun("outreach", f"{recipient.name} ({company})", outreach.model_dump(mode="json")))
    return runs


def plan_task(
    orch: Orchestrator, task: str, rows: list[dict[str, Any]] | None = None, source_dir: Path | None = None
) -> tuple[TaskSpec, list[PlannedRun]]:
    """Read ``task`` with the planner (the Orchestrator's model, or offline) and list the runs it asks for."""
    from humangate.agents.planner import Planner

    spec = Planner(orch.deps.model).run(task, csv_rows=rows, source_dir=source_dir)
    return spec, planned_runs(spec, source_dir=source_dir)


def start_planned(orch: Orchestrator, planned: list[PlannedRun], who: str) -> Iterator[tuple[str, RunInfo]]:
    """Start the planned runs one by one, yielding each as it completes or pauses."""
    for item in planned:
        yield item.label, orch.start(item.graph, item.inputs, started_by=who)
