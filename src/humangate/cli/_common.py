"""Shared pieces of the command line: the Typer apps, common options, output helpers."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from humangate.config import Settings
from humangate.errors import HumanGateError
from humangate.review.advance.runs import RunInfo
from humangate.review.queue import ReviewItem
from humangate.review.service import Orchestrator

__all__ = ["DbOpt", "JsonOpt", "ModelOpt", "app", "clean", "err", "out", "shown"]

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="The humangate command: run graphs, work the review queue, verify the audit trail.",
)
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
audit_app = typer.Typer(no_args_is_help=True, help="The tamper-evident audit trail.")
users_app = typer.Typer(no_args_is_help=True, help="Reviewers and their roles.")
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
app.add_typer(users_app, name="users")

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

DbOpt = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: HUMANGATE_DB_URL or sqlite:///./humangate.db).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
ModelOpt = Annotated[
    str | None,
    typer.Option("--model", help="Chat model for the agents, or `offline` (default: HUMANGATE_MODEL, else offline)."),
]


# What a terminal would act on or reorder instead of showing: C0 and C1 controls (ESC starts ANSI escape
# sequences), DEL, bidirectional marks, embeddings, overrides and isolates, line and paragraph separators,
# and tag characters. Newlines and tabs are handled apart.
_TERMINAL_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\U000e0000-\U000e007f]"
)


def clean(text: object, *, newlines: bool = True) -> str:
    """Return ``text`` without control and bidi characters, safe to print on a terminal.

    Tabs become spaces; newlines stay where a layout needs them (``newlines=True``), else become spaces.
    """
    value = str(text).replace("\r\n", "\n").replace("\t", " ")
    value = _TERMINAL_UNSAFE.sub("", value)
    return value if newlines else value.replace("\n", " ")


def shown(text: object, *, newlines: bool = True) -> str:
    """Return untrusted ``text`` cleaned (``clean``) and escaped for rich markup; print stored values with it."""
    return escape(clean(text, newlines=newlines))


def _fail(message: str, *, as_json: bool, code: int = 1) -> NoReturn:
    if as_json:
        print(json.dumps({"error": message}))
    else:
        err.print(f"[bold red]error:[/] {shown(message)}")
    raise typer.Exit(code)


@contextmanager
def _orchestrator(
    db: str | None,
    as_json: bool,
    *,
    model: str | None = None,
    queued: bool = False,
    concurrency: int | None = None,
) -> Iterator[Orchestrator]:
    """Open the Orchestrator for a command; ``queued`` ones enqueue runs, with workers as HUMANGATE_WORKERS says.

    Embedded (the default), a worker pool runs inside the command and stops with it; external, only
    ``humangate worker`` processes run the jobs.
    """
    try:
        settings = Settings.from_env(db_url=db).with_model(model)
        if not queued:
            with Orchestrator(settings) as orch:
                yield orch
            return
        from humangate.runtime import open_orchestrator

        with open_orchestrator(settings, concurrency=concurrency) as orch:
            yield orch
    except HumanGateError as exc:
        _fail(str(exc), as_json=as_json)


def _age(ts: float) -> str:
    s = max(0, int(time.time() - ts))
    return f"{s}s" if s < 120 else f"{s // 60}m" if s < 7200 else f"{s // 3600}h"


def _item_json(item: ReviewItem, *, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": item.id,
        "run_id": item.run_id,
        "graph": item.graph,
        "node": item.node,
        "title": item.title,
        "risk_level": item.risk_level,
        "score": item.score,
        "triggers": list(item.trigger_kinds),
        "required_role": item.required_role,
        "status": item.status,
        "claimed_by": item.claimed_by,
        "created_at": item.created_at,
        "due_at": item.due_at,
        "blind": item.blind,  # a blind audit: the request's assessment is deliberately empty
    }
    if full:
        data["request"] = item.request.model_dump(mode="json")
    return data


def _run_json(run: RunInfo) -> dict[str, Any]:
    return {
        "id": run.id,
        "graph": run.graph,
        "title": run.title,
        "status": run.status,
        "outcome": run.outcome,
        "pending_items": list(run.pending_items),
        "error": run.error,
        "created_at": run.created_at,
    }


def _runs_table(runs: list[RunInfo], orch: Orchestrator) -> Table:
    table = Table(title="Runs")
    for col in ("run", "title", "status", "why it waits"):
        table.add_column(col)
    for run in runs:
        why = " ".join(r.reason for i in run.pending_items for r in orch.item(i).request.assessment.triggers)
        status = run.status + (f" ({run.outcome})" if run.outcome else "")
        table.add_row(shown(run.id[:12]), shown(run.title, newlines=False), shown(status), shown(why) or "-")
    return table
