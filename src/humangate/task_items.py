"""One item of a planned task (a CSV row, a folder, a name) turned into its run's input, or refused clearly.

A support item becomes a ``SupportInput`` (message, sender, thread, the task's rules); an outreach or
research item becomes its recipient and gathered sources. A cell the input model refuses is the caller's
mistake to fix: ``cell_refusal`` names the item and the cell, never a server failure.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

from pydantic import ValidationError

from humangate.core.schemas import Recipient, ResearchInput, TaskSpec
from humangate.effects import address_problem
from humangate.errors import InvalidInputError
from humangate.graphs.outreach import OutreachInput
from humangate.graphs.support import SupportInput
from humangate.sources import SourceGatherer
from humangate.sources.columns import column_key, column_problem

__all__ = ["RECIPIENT_COLUMNS", "SENDER_COLUMNS", "PlannedRun", "cell_refusal", "planned_item", "sender_address"]

RECIPIENT_COLUMNS = ("email", "e-mail", "email_address", "mail", "recipient_email", "to")
"""Columns that hold an outreach recipient's address."""
SENDER_COLUMNS = ("email", "e-mail", "sender_email", "from_email", "reply_to", "from", "sender")
"""Columns that hold a support message's sender address (``from`` and ``sender`` count when they hold one)."""
_CELLS = {"subject": "company"}
"""Input fields read from a cell of another name (the others share their cell's name), to name the cell."""
_UNSENT = ("cc", "bcc", "reply_to", "reply-to", "attachment", "attachments", "attach")
"""Columns asking for more than a run sends (a copy, an attachment, another reply address): refused, never dropped."""


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


def _slug(text: str) -> str:
    """Return the folder name a company's sources are looked up under ("Müller Bau" -> "muller-bau")."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def _pick(item: Mapping[str, Any], *names: str) -> str:
    """Return the first non-empty value among the columns ``names``, whatever the header's case, spaces and dashes."""
    columns = {column_key(str(k)): v for k, v in item.items()}
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
        if column_key(str(k)) == name and isinstance(v, str) and v.strip()
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


def cell_refusal(exc: ValidationError, number: int) -> InvalidInputError:
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


def _check_columns(item: Mapping[str, Any], number: int, graph: str) -> None:
    """Refuse (``InvalidInputError``) a column whose name reads as another, or that asks for what no run sends.

    A cc, bcc or attachment cell read as nothing would send less than the row asks, and nobody would know;
    ``reply_to`` is a support message's sender, and asks for another reply address anywhere else.
    """
    for column, value in item.items():
        name = str(column)
        if problem := column_problem(name):
            raise InvalidInputError(
                f"Item {number}: the column {name!r} {problem}. Retype the column's name in plain letters and try "
                "again."
            )
        unsent = column_key(name) in _UNSENT and not (graph == "support" and column_key(name) in SENDER_COLUMNS)
        if unsent and isinstance(value, str) and value.strip():
            raise InvalidInputError(
                f"Item {number} has a {name} value ({value.strip()[:80]!r}), but each message goes to its one "
                "recipient, without copies, attachments or another reply address, so it would be left out. Remove "
                f"the {name} column (or empty it) and try again."
            )


def planned_item(
    spec: TaskSpec, gatherer: SourceGatherer, item: Mapping[str, Any], number: int, key: str
) -> PlannedRun:
    """Return the run one item asks for (raises pydantic's ``ValidationError`` on a cell its input refuses)."""
    _check_columns(item, number, spec.graph)
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
