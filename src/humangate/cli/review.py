"""Commands that work the review queue: list, show and decide items."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.panel import Panel
from rich.table import Table

from humangate.cli._common import (
    DbOpt,
    JsonOpt,
    _age,
    _fail,
    _item_json,
    _orchestrator,
    _run_json,
    app,
    out,
    shown,
)
from humangate.config import Settings
from humangate.core.contract import REASON_CODES, ROLES
from humangate.errors import HumanGateError
from humangate.review.queue import QueueFilter


@app.command()
def queue(
    graph: Annotated[str | None, typer.Option(help="Only this graph.")] = None,
    node: Annotated[str | None, typer.Option(help="Only this gate node.")] = None,
    risk: Annotated[str | None, typer.Option(help="low, medium, high or critical.")] = None,
    trigger: Annotated[str | None, typer.Option(help="Only items with this trigger kind.")] = None,
    role: Annotated[str | None, typer.Option(help="Only items this role may decide.")] = None,
    limit: Annotated[int, typer.Option(help="Items per page.")] = 50,
    cursor: Annotated[str | None, typer.Option(help="Cursor of the next page, as printed.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List pending review items, highest risk then oldest first."""
    with _orchestrator(db, as_json) as orch:
        filt = QueueFilter(graph=graph, node=node, risk_level=risk, trigger_kind=trigger, role=role)  # type: ignore[arg-type]
        try:
            page = orch.pending(filt, limit=limit, cursor=cursor)
            total = orch.count(filt)
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
        if as_json:
            print(
                json.dumps(
                    {"total": total, "items": [_item_json(i) for i in page.items], "next_cursor": page.next_cursor},
                    indent=2,
                )
            )
            return
        table = Table(title=f"Pending review items ({total})")
        for col in ("item", "risk", "title", "triggers", "role", "age", "claimed by"):
            table.add_column(col)
        for i in page.items:
            table.add_row(
                str(i.id),
                i.risk_level,
                shown(i.title, newlines=False),
                ", ".join(i.trigger_kinds),
                i.required_role,
                _age(i.created_at),
                shown(i.claimed_by or "", newlines=False),
            )
        out.print(table)
        if page.next_cursor:
            out.print(f"more: humangate queue --cursor {page.next_cursor}")


@app.command()
def show(
    item_id: Annotated[int, typer.Argument(metavar="ITEM")],
    claim: Annotated[bool, typer.Option("--claim", help="Also lease the item to --as USER.")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="Reviewer claiming the item.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show what the system saw, what it proposes and why it paused."""
    with _orchestrator(db, as_json) as orch:
        try:
            if claim:
                if not as_user:
                    _fail("--claim needs --as USER.", as_json=as_json, code=2)
                item = orch.claim(item_id, as_user)
            else:
                item = orch.item(item_id)
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
        if as_json:
            print(json.dumps(_item_json(item, full=True), indent=2))
            return
        req = item.request
        a = req.assessment
        out.print(Panel(shown(req.title), title=f"item {item.id} · {item.status} · run {item.run_id[:12]}"))
        if item.blind:
            out.print(
                "[bold]Blind audit[/] of work that already went ahead; the system's assessment is hidden. Approve if "
                f"it was fine as it is, reject with a reason if not. Needs role [bold]{req.required_role}[/]"
            )
        else:
            out.print(
                f"[bold]Risk[/] {a.level} (score {a.score:.2f}, confidence {a.confidence:.2f}, "
                f"policy {shown(a.policy_version)}); needs role [bold]{req.required_role}[/]"
            )
        for t in a.triggers:
            out.print(
                f"  • {shown('[' + t.kind + ']')} {shown(t.reason)}"
                + (f"  evidence: {shown('; '.join(t.evidence))}" if t.evidence else "")
            )
        if req.observed:
            out.print(f"[bold]Saw[/] {shown(req.observed)}")
        for attempt in req.attempts:
            out.print(f"[bold]Tried[/] {shown(attempt)}")
        for s in req.sources:
            out.print(Panel(shown(s.excerpt), title=f"source {shown(s.id)}: {shown(s.title)}"))
        out.print(
            Panel(
                shown(json.dumps(req.proposal, indent=2, ensure_ascii=False)), title=f"proposal ({req.proposal_kind})"
            )
        )
        out.print(f"Allowed: {', '.join(req.allowed_actions)}. Reason codes: {', '.join(REASON_CODES)}.")


@app.command()
def decide(
    item_id: Annotated[int, typer.Argument(metavar="ITEM")],
    as_user: Annotated[str, typer.Option("--as", help="The reviewer deciding.")],
    approve: Annotated[bool, typer.Option("--approve", help="Accept the proposal as it is.")] = False,
    edit: Annotated[Path | None, typer.Option("--edit", help="JSON file with the corrected proposal.")] = None,
    reject: Annotated[bool, typer.Option("--reject", help="Stop the run here.")] = False,
    redirect: Annotated[str | None, typer.Option("--redirect", help="Send it back with these instructions.")] = None,
    escalate: Annotated[
        str | None, typer.Option("--escalate", help=f"Hand to a higher role: {', '.join(ROLES[1:])}.")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help=f"Reason code: {', '.join(REASON_CODES)}.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="A note for the record.")] = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="With external workers, wait until a worker has resumed the run.")
    ] = False,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Decide a review item and resume its run.

    With HUMANGATE_WORKERS=external the decision is recorded and its resume enqueued for the workers, and the
    command returns at once (``--wait`` waits for the outcome); otherwise this command resumes the run itself.
    """
    chosen = [
        name
        for name, on in (
            ("approve", approve),
            ("edit", edit is not None),
            ("reject", reject),
            ("redirect", redirect is not None),
            ("escalate", escalate is not None),
        )
        if on
    ]
    if len(chosen) != 1:
        _fail(
            "Give exactly one of --approve, --edit FILE, --reject, --redirect TEXT, --escalate ROLE.",
            as_json=as_json,
            code=2,
        )
    decision: dict[str, Any] = {"action": chosen[0], "reviewer": as_user, "reason_code": reason, "note": note}
    if edit is not None:
        try:
            decision["edited"] = json.loads(edit.read_text(encoding="utf-8"))
        except OSError as exc:
            _fail(f"Cannot read edit file {edit}: {exc.strerror}.", as_json=as_json)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            _fail(
                f"Edit file {edit} is not valid JSON ({exc}); it must hold the whole corrected proposal "
                "as a JSON object, as `humangate show ITEM --json` prints under request.proposal.",
                as_json=as_json,
            )
        if not isinstance(decision["edited"], dict):
            _fail(f"Edit file {edit} must hold a JSON object, the whole corrected proposal.", as_json=as_json)
    if redirect is not None:
        decision["instructions"] = redirect
    if escalate is not None:
        decision["escalate_to"] = escalate
    external = Settings.from_env(db_url=db).workers == "external"
    with _orchestrator(db, as_json, queued=external) as orch:
        try:
            result = orch.decide(item_id, decision, wait=wait)
        except HumanGateError as exc:
            _fail(str(exc), as_json=as_json)
        if as_json:
            print(
                json.dumps(
                    {"item_id": item_id, "decision_id": result.decision_id, "run": _run_json(result.run)}, indent=2
                )
            )
            return
        r = result.run
        nxt = f"; new item(s) {', '.join(map(str, r.pending_items))}" if r.pending_items else ""
        out.print(
            f"Item {item_id}: {chosen[0]} recorded. Run {r.id[:12]} is {r.status}"
            + (f" ({r.outcome})" if r.outcome else "")
            + nxt
            + "."
        )


@app.command()
def sweep(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Apply SLAs now: escalate overdue items along their chain and reject those past its end (fail closed)."""
    with _orchestrator(db, as_json) as orch:
        report = orch.sweep()
    if as_json:
        data = {"escalated": report.escalated, "failed_closed": report.failed_closed, "skipped": report.skipped}
        print(json.dumps(data, indent=2))
        return
    out.print(
        f"Escalated {len(report.escalated)} overdue item(s)"
        + (f" ({', '.join(map(str, report.escalated))})" if report.escalated else "")
        + f"; rejected {len(report.failed_closed)} at the end of their chain (fail closed)"
        + (f" ({', '.join(map(str, report.failed_closed))})." if report.failed_closed else ".")
    )
    for item_id, why in report.skipped:
        out.print(f"  skipped item {item_id}: {shown(why)}")
