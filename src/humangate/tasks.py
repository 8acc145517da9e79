"""Turn a planned task (``TaskSpec``) into graph inputs: one run per item, each under a stable key.

A run's id is its item's key: a hash of the task text, the graph and the item's own content (and its
place among identical items). Running the same task on the same input again, say after ``humangate
run`` was killed, finds the runs already started and starts only the rest; a run started twice would
be refused by the runs table, and its effects are keyed by run id in the outbox, so no recipient gets a
second message for one item.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from humangate.agents.schemas import Recipient, ResearchInput, TaskSpec
from humangate.checkpoints.schema import runs as runs_table
from humangate.conversations import threaded
from humangate.effects import address_problem
from humangate.errors import InvalidInputError
from humangate.graphs.outreach import OutreachInput
from humangate.graphs.support import SupportInput
from humangate.sources import Fetcher, SearchProvider, SourceGatherer, fetcher_from_settings, find_urls, search_provider

if TYPE_CHECKING:
    from humangate.review.advance.runs import RunInfo
    from humangate.review.service import Orchestrator

__all__ = [
    "RECIPIENT_COLUMNS",
    "SENDER_COLUMNS",
    "PlannedRun",
    "already_started",
    "plan_task",
    "planned_runs",
    "run_key",
    "sender_address",
    "start_planned",
    "submit_planned",
    "task_key",
    "without_sources",
]

RECIPIENT_COLUMNS = ("email", "e-mail", "email_address", "mail", "recipient_email", "to")
"""Columns that hold an outreach recipient's address."""
SENDER_COLUMNS = ("email", "e-mail", "sender_email", "from_email", "reply_to", "from", "sender")
"""Columns that hold a support message's sender address (``from`` and ``sender`` count when they hold one)."""
_CELLS = {"subject": "company"}
"""Input fields read from a cell of another name (the others share their cell's name), to name the cell."""


def sender_address(value: str) -> tuple[str | None, str | None]:
    """Return the address in a sender cell (``ann@x.example`` or ``Ann <ann@x.example>``) and why it is not one.

    A value without ``@`` is a name, not an address: ``(None, None)``.
    """
    if "@" not in value:
        return None, None
    if problem := address_problem(value):
        return None, problem
    return parseaddr(value)[1] or None, None


@dataclass(frozen=True)
class PlannedRun:
    """One run to start: graph, input, label, stable key (the run id), and what was refused, skipped or noted.

    ``sourceless`` is true for a research or outreach item that found no source at all.
    """

    graph: str
    label: str
    inputs: dict[str, Any]
    key: str = ""
    refused: tuple[str, ...] = field(default=())
    skipped: tuple[str, ...] = field(default=())
    notes: tuple[str, ...] = field(default=())
    sourceless: bool = False


def run_key(task: str, graph: str, item: Mapping[str, Any], occurrence: int = 0) -> str:
    """Return the stable run id of an item: the same task, graph and item always give the same key."""
    canonical = {
        "task": " ".join(task.split()),
        "graph": graph,
        "item": {str(k).strip(): v.strip() if isinstance(v, str) else v for k, v in item.items()},
        "occurrence": occurrence,  # two identical rows are two items, each with a key of its own
    }
    blob = json.dumps(canonical, sort_keys=True, ensure_ascii=False, default=str)
    return "task-" + hashlib.sha256(blob.encode()).hexdigest()[:40]


def _slug(text: str) -> str:
    """Return the folder name a company's sources are looked up under ("Müller Bau" -> "muller-bau")."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def _pick(item: Mapping[str, Any], *names: str) -> str:
    """Return the first non-empty value among the columns ``names``, whatever the header's case and spaces."""
    columns = {str(k).strip().lower(): v for k, v in item.items()}
    for name in names:
        value = columns.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _address(item: Mapping[str, Any], names: tuple[str, ...]) -> tuple[str, str | None]:
    """Return the address among the columns ``names`` (as ``_pick`` does), and why it cannot be trusted.

    Every column that names an address is read, each header spelling too ("Email" and "email"): two
    different addresses in one row are a conflict, not a choice, for the one a reader sees may not be the
    one a program picks. A value without "@" is a name, not a competing address.
    """
    found = [
        (str(k).strip(), v.strip())
        for name in names
        for k, v in item.items()
        if str(k).strip().lower() == name and isinstance(v, str) and v.strip()
    ]
    if not found:
        return "", None
    distinct = {(parseaddr(v)[1] or v).casefold() for _, v in found if "@" in v}
    if len(distinct) > 1:
        shown = ", ".join(f"{k} {v[:80]!r}" for k, v in found if "@" in v)
        return found[0][1], f"has {len(distinct)} different addresses ({shown}), and which is meant cannot be told"
    return found[0][1], None


def _support_run(spec: TaskSpec, item: Mapping[str, Any], number: int, key: str) -> PlannedRun:
    text = _pick(item, "text", "message", "body")
    if not text:
        raise InvalidInputError(f"Item {number} has no message text (a column named text or message).")
    notes: list[str] = []
    sender, conflict = _address(item, SENDER_COLUMNS)
    email, problem = (None, None) if conflict else sender_address(sender)
    if conflict:
        notes.append(f"Item {number} {conflict}; the address was left out and the reply waits for a person.")
    elif problem:
        notes.append(
            f"Item {number}: the sender's address {sender[:80]!r} {problem}; it was left out and the reply waits "
            "for a person."
        )
    from_name = _pick(item, "from") if "@" not in _pick(item, "from") else ""
    message = SupportInput(
        id=_pick(item, "id", "ticket") or f"item-{number}",
        customer=_pick(item, "customer", "name") or from_name or (parseaddr(sender)[0] if email else ""),
        text=text,
        email=email,
        history=list(item.get("history") or []),
        # A sender cell that held something other than one address is input a person must see before a reply.
        require_approval=spec.require_approval or bool(conflict or problem),
        limits=spec.limits,
        routes=spec.routes,
        directives=spec.directives,
    )
    label = message.customer or message.email or message.id
    return PlannedRun("support", label, message.model_dump(mode="json"), key, notes=tuple(notes))


def _recipient(item: Mapping[str, Any], number: int, company: str) -> tuple[Recipient, list[str]]:
    """Return the item's recipient, and a note when its address is missing or invalid.

    A missing address is left empty: the draft waits at the send gate until a reviewer fills it in. An
    invalid one is kept as given, so the reviewer sees it; the send gate holds it, and the mail layer
    refuses it, until a reviewer corrects it.
    """
    email, conflict = _address(item, RECIPIENT_COLUMNS)
    where = f"Item {number} ({company})"
    notes = []
    if conflict:
        # Neither address is used: the draft waits at the send gate until a reviewer fills in the right one.
        notes.append(f"{where} {conflict}; the draft waits at the send gate until a reviewer fills in the address.")
        email = ""
    elif not email:
        notes.append(
            f"{where} has no recipient email: the draft is made and waits at the send gate until a reviewer "
            "fills in the address."
        )
    elif problem := address_problem(email):
        notes.append(
            f"{where}: the email {email[:80]!r} {problem}; the send gate holds it until a reviewer corrects it."
        )
    name = _pick(item, "name", "recipient", "contact") or (email.split("@")[0] if "@" in email else "there")
    return Recipient(name=name[:200], email=email[:320], company=company, role=_pick(item, "role", "title")), notes


def _cell_refusal(exc: ValidationError, number: int) -> InvalidInputError:
    """Return the refusal of item ``number`` whose cells do not fit its run's input model, naming each cell.

    Every planned input is built from an item's cells; a cell past the model's limit is the caller's
    mistake to fix, not a server failure. The value itself is not repeated: it may be long or private.
    """
    problems = []
    for error in exc.errors()[:5]:
        field_name = str(error["loc"][-1]) if error["loc"] else ""
        cell = _CELLS.get(field_name, field_name) or "a cell"
        problems.append(f"the {cell} cell: {error['msg']}")
    return InvalidInputError(f"Item {number} does not fit: {'; '.join(problems)}. Shorten or correct it and try again.")


def _planned_item(
    spec: TaskSpec, gatherer: SourceGatherer, item: Mapping[str, Any], number: int, key: str
) -> PlannedRun:
    """Return the run one item asks for (raises pydantic's ``ValidationError`` on a cell its input refuses)."""
    if spec.graph == "support":
        return _support_run(spec, item, number, key)
    company = _pick(item, "company", "subject", "name", "organisation", "organization")
    if not company:
        columns = ", ".join(str(k) for k in item) or "none"
        raise InvalidInputError(f"Item {number} names no company (a column named company; it has {columns}).")
    names = [_pick(item, "sources", "source"), _slug(company)]
    found = gatherer.gather(item, names, f"Item {number} ({company})", company)
    notes = list(found.notes)
    if spec.graph == "research":
        graph, label = "research", company
        inputs = ResearchInput(subject=company, question=spec.goal, sources=found.sources).model_dump(mode="json")
    else:
        recipient, missing = _recipient(item, number, company)
        notes += missing
        graph, label = "outreach", company if recipient.name == "there" else f"{recipient.name} ({company})"
        inputs = OutreachInput(
            company=company,
            recipient=recipient,
            sources=found.sources,
            goal=spec.goal or "an introduction",
            tone=spec.tone,
            require_approval=spec.require_approval,
            limits=spec.limits,
            directives=spec.directives,
        ).model_dump(mode="json")
    return PlannedRun(
        graph,
        label,
        inputs,
        key,
        refused=tuple(found.refused),
        skipped=tuple(found.skipped),
        notes=tuple(notes),
        sourceless=not found.sources,
    )


def planned_runs(
    spec: TaskSpec,
    *,
    source_dir: Path | None = None,
    fetcher: Fetcher | None = None,
    search: SearchProvider | None = None,
) -> list[PlannedRun]:
    """Return the runs ``spec`` asks for; raise ``InvalidInputError`` naming what an item lacks.

    Sources come from ``source_dir``, the pages the task or an item names (fetched with ``fetcher``;
    without one they are listed as skipped) and, for an item with none, ``search``.
    """
    if not spec.items:
        raise InvalidInputError(
            'The task names no items. List them in the text ("these companies: A, B and C"), '
            "or pass --input FILE.csv or --source FOLDER."
        )
    gatherer = SourceGatherer(root=source_dir, fetcher=fetcher, search=search, task_urls=find_urls(spec.task))
    if spec.graph != "support":
        gatherer.prefetch(spec.items)
    runs: list[PlannedRun] = []
    seen: dict[str, int] = {}
    # Support rows are read with the turns before them in their thread (a history cell or a conversation id).
    items = threaded(spec.items) if spec.graph == "support" else spec.items
    for number, item in enumerate(items, start=1):
        same = json.dumps(item, sort_keys=True, default=str)
        seen[same] = seen.get(same, -1) + 1
        key = run_key(spec.task, spec.graph, item, seen[same])
        try:
            runs.append(_planned_item(spec, gatherer, item, number, key))
        except ValidationError as exc:  # a cell the graph's input model refuses (too long, wrong type)
            raise _cell_refusal(exc, number) from None
    return runs


def task_key(task: str, graph: str, planned: list[PlannedRun]) -> str:
    """Return the stable id of a task: the same task on the same items always gives the same id."""
    blob = json.dumps([" ".join(task.split()), graph, sorted(p.key for p in planned)], ensure_ascii=False)
    return "t-" + hashlib.sha256(blob.encode()).hexdigest()[:20]


def submit_planned(
    orch: Orchestrator, task: str, graph: str, planned: list[PlannedRun], who: str, *, skip: set[str]
) -> tuple[str, list[tuple[str, str]]]:
    """Record the task and enqueue the planned runs not yet started; return its id and (label, run id) pairs.

    Needs an Orchestrator with a job runtime. Every run is recorded in one transaction: a batch is either
    queued whole or not at all. Runs without a stable key get a fresh id.
    """
    from humangate.review.advance.jobs import RunRequest

    keyed = [replace(p, key=p.key or f"run-{uuid.uuid4().hex}") for p in planned]
    task_id = task_key(task, graph, keyed)
    orch.record_task(task_id, task, graph, total=len(keyed), started_by=who)
    todo = [p for p in keyed if p.key not in skip]
    try:
        orch.submit([RunRequest(p.graph, p.inputs, p.key) for p in todo], started_by=who, task_id=task_id)
    except IntegrityError:  # another process started some of them meanwhile: submit only the rest
        fresh = already_started(orch, todo)
        rest = [p for p in todo if p.key not in fresh]
        orch.submit([RunRequest(p.graph, p.inputs, p.key) for p in rest], started_by=who, task_id=task_id)
    return task_id, [(p.label, p.key) for p in keyed]


def without_sources(planned: list[PlannedRun]) -> list[PlannedRun]:
    """Return ``planned`` with each sourceless item marked as started without sources on purpose (``--no-sources``)."""
    return [replace(p, inputs={**p.inputs, "without_sources": True}) if p.sourceless else p for p in planned]


def plan_task(
    orch: Orchestrator, task: str, rows: list[dict[str, Any]] | None = None, source_dir: Path | None = None
) -> tuple[TaskSpec, list[PlannedRun]]:
    """Read ``task`` with the planner (the Orchestrator's model, or offline) and list the runs it asks for.

    Pages the task or its items name are fetched under the operator's settings (``HUMANGATE_FETCH_*``),
    and web search is used when configured (``HUMANGATE_SEARCH_*``).
    """
    from humangate.agents.planner import Planner

    spec = Planner(orch.deps.model).run(task, csv_rows=rows, source_dir=source_dir)
    fetcher = fetcher_from_settings(orch.settings)
    return spec, planned_runs(spec, source_dir=source_dir, fetcher=fetcher, search=search_provider(orch.settings))


def already_started(orch: Orchestrator, planned: list[PlannedRun]) -> set[str]:
    """Return the keys of ``planned`` that an earlier run of the same task already started."""
    keys = [p.key for p in planned if p.key]
    found: set[str] = set()
    with orch.db.read() as conn:
        for i in range(0, len(keys), 500):
            found.update(conn.execute(select(runs_table.c.id).where(runs_table.c.id.in_(keys[i : i + 500]))).scalars())
    return found


def start_planned(
    orch: Orchestrator, planned: list[PlannedRun], who: str, *, skip: set[str] | None = None
) -> Iterator[tuple[str, RunInfo]]:
    """Start the planned runs not yet started, one by one, yielding each as it completes or pauses.

    ``skip`` holds keys known to be started (``already_started``); a run another process started
    meanwhile is refused by its key and skipped too, so no item runs twice.
    """
    done = already_started(orch, planned) if skip is None else skip
    for item in planned:
        if item.key and item.key in done:
            continue
        try:
            run = orch.start(item.graph, item.inputs, started_by=who, run_id=item.key or None)
        except IntegrityError:
            if item.key and item.key in already_started(orch, [item]):
                continue  # started by another process between the check and the insert
            raise
        yield item.label, run
