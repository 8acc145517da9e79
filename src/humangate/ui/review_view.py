"""The Review tab's handlers, free of Gradio: open (claim) an item, check the dwell, record a decision.

Every decision goes through ``Orchestrator.decide`` as the signed-in user, so authority, dwell and
conflicts are enforced by the service; these functions only turn its answers into text. An edit comes
from the typed form (``humangate.ui.proposal_form``) or, as a fallback, from the proposal's JSON; one that
changes nothing is answered here and never sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from humangate.agents.served import served_by
from humangate.core.contract import ACTIONS, ROLES, Action, Role, role_rank
from humangate.errors import HumanGateError, NotAuthorizedError, ReviewError
from humangate.review.queue import CorruptItemError, ReviewItem
from humangate.review.service import Orchestrator
from humangate.ui.inbox_view import next_item_id
from humangate.ui.proposal_form import (
    ProposalEdit,
    ProposalForm,
    apply_edit,
    changes_nothing,
    proposal_form,
    unknown_sources,
)
from humangate.ui.render import (
    esc,
    render_header,
    render_observed,
    render_sources,
    render_timeline,
    render_triggers,
)

__all__ = [
    "NO_OP_EDIT",
    "DecisionForm",
    "DecisionOutcome",
    "ItemView",
    "approve_ready",
    "decide",
    "open_item",
]

NO_OP_EDIT = (
    "Nothing changed: the edit is the proposal as it stands (whitespace aside), so it was not sent. "
    "Change a field, or Approve to send it as proposed."
)


@dataclass(frozen=True)
class ItemView:
    """Everything the review view shows for one item, already rendered safely."""

    item_id: int
    header: str
    triggers: str
    sources: str
    observed: str
    timeline: str
    form: ProposalForm
    proposal_json: str
    allowed: tuple[Action, ...]
    escalate_roles: tuple[Role, ...]
    opened_at: float
    min_dwell_seconds: float
    message: str
    claimed: bool


def _view(orch: Orchestrator, item: ReviewItem, *, opened_at: float, message: str, claimed: bool) -> ItemView:
    req = item.request
    engine = ""
    try:
        timeline = render_timeline(orch.timeline(item.run_id))
        engine = orch.run(item.run_id).engine
    except HumanGateError as exc:
        timeline = f"<p>{esc(exc)}</p>"
    return ItemView(
        item_id=item.id,
        header=render_header(item),
        triggers=render_triggers(req, blind=item.blind),
        sources=render_sources(req),
        observed=render_observed(req) + f"<p><b>Served by</b>: {esc(served_by(engine, req.assessment.triggers))}</p>",
        timeline=timeline,
        form=proposal_form(req),
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
    except NotAuthorizedError as exc:  # above the user's role: read only, and say who may decide it
        item = orch.item(item_id)
        higher = [r for r in ROLES if role_rank(r) >= role_rank(item.required_role)]
        note = (
            f"Read only: item {item.id} is decided by a {' or '.join(higher)}; you may look at it but not "
            f"decide it. ({exc})"
        )
        return _view(orch, item, opened_at=orch.clock(), message=note, claimed=False)
    except CorruptItemError:
        raise
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


@dataclass(frozen=True)
class DecisionForm:
    """The review view's inputs when a decision button is pressed.

    An edit carries ``edit`` (the typed form's values) or ``proposal_json`` (the advanced JSON editor).
    """

    action: Action
    reason_code: str | None = None
    note: str | None = None
    instructions: str | None = None
    escalate_to: str | None = None
    edit: ProposalEdit | None = None
    proposal_json: str | None = None


@dataclass(frozen=True)
class DecisionOutcome:
    """What happened: whether the service accepted it, its message, and the item to open next."""

    ok: bool
    message: str
    next_item: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _edited(item: ReviewItem, form: DecisionForm) -> dict[str, Any]:
    if form.proposal_json is None:
        edit = form.edit or ProposalEdit()
        typed = proposal_form(item.request)
        if unknown := unknown_sources(typed, edit):
            known = ", ".join(typed.source_choices) or "none"
            raise ReviewError(
                f"A claim cites {', '.join(unknown)}, which is not a source of this brief; cite one of: {known}.",
                item_id=item.id,
            )
        return apply_edit(item.request.proposal, edit)
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
            if changes_nothing(item.request.proposal, decision["edited"]):
                return DecisionOutcome(False, NO_OP_EDIT)
        elif form.action == "redirect":
            decision["instructions"] = form.instructions or ""
        elif form.action == "escalate":
            decision["escalate_to"] = form.escalate_to or None
        result = orch.decide(item_id, decision)
    except HumanGateError as exc:
        return DecisionOutcome(False, str(exc))
    run = result.run
    state = run.status + (f", {run.outcome}" if run.outcome else "")
    if run.status == "resuming":  # a worker resumes it; the reviewer moves on at once
        state = "resuming in the background"
    message = f"Item {item_id}: {form.action} recorded (run {run.id[:12]} is {state})."
    try:
        following = next_item_id(orch, user, skip=[item_id])
    except HumanGateError as exc:  # the decision stands: say so, and why nothing else opened
        return DecisionOutcome(True, f"{message} The next item could not be found: {exc}")
    return DecisionOutcome(True, message, following)
