"""Who may decide what: checks run in the service, before anything is written."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from humangate.core.contract import (
    ACTIONS,
    MAX_EDIT_BYTES,
    ROLES,
    ReviewDecision,
    Role,
    role_rank,
)
from humangate.errors import ClaimedError, DwellError, InvalidDecisionError, NotAuthorizedError
from humangate.graphs.edits import fill_problem, filled_in, header_edit_problem, normalized, recipients_of
from humangate.graphs.gate import ReviewGate
from humangate.graphs.registry import GraphSpec
from humangate.review.queue import ReviewItem

__all__ = ["check_decision", "parse_decision"]


def parse_decision(item_id: int, decision: ReviewDecision | Mapping[str, Any]) -> ReviewDecision:
    """Validate a decision's shape or raise ``InvalidDecisionError`` naming what is wrong."""
    if isinstance(decision, ReviewDecision):
        return decision
    if not isinstance(decision, Mapping):
        raise InvalidDecisionError(f"A decision must be an object, not {type(decision).__name__}.", item_id=item_id)
    action = decision.get("action")
    if action not in ACTIONS:
        raise InvalidDecisionError(
            f"Unknown action {action!r}; allowed: {', '.join(ACTIONS)}.", item_id=item_id, allowed=ACTIONS
        )
    edited = decision.get("edited")
    if edited is not None and len(json.dumps(edited, default=str).encode()) > MAX_EDIT_BYTES:
        raise InvalidDecisionError(
            f"The edited proposal is larger than {MAX_EDIT_BYTES // 1000} kB; shorten it.", item_id=item_id
        )
    try:
        return ReviewDecision.model_validate(dict(decision))
    except ValidationError as exc:
        problems = "; ".join(
            (f"{'.'.join(str(p) for p in e['loc'])}: " if e["loc"] else "") + e["msg"].removeprefix("Value error, ")
            for e in exc.errors()
        )
        raise InvalidDecisionError(f"Invalid decision for item {item_id}: {problems}.", item_id=item_id) from None


def check_decision(
    item: ReviewItem,
    decision: ReviewDecision | None,
    *,
    reviewer: str,
    role: Role,
    started_by: str | None,
    now: float,
    spec: GraphSpec | None,
    state: Callable[[], Mapping[str, Any]] | None = None,
) -> None:
    """Raise unless ``reviewer`` (with ``role``) may take ``decision`` on ``item``; None checks a claim.

    An edit is that reviewer's vote for the edited version: it passes the same role, dwell and
    starter checks as an approval, and it must change something, keep the recipients (unless the
    reason is ``wrong_recipient``, or it fills in an address that was missing, which must be one valid
    address) and fit the run's ``state`` (read only for edits). A proposal with an empty ``to`` cannot
    be approved or left empty by an edit.
    """
    if role_rank(role) < role_rank(item.required_role):
        raise NotAuthorizedError(
            item.id,
            reviewer,
            item.required_role,
            f"it needs the {item.required_role} role (or higher) and {reviewer} is a {role}.",
        )
    if item.claimed_by and item.claimed_by != reviewer and (item.lease_expires_at or 0) > now:
        from datetime import UTC, datetime

        until = datetime.fromtimestamp(item.lease_expires_at or 0, UTC).isoformat(timespec="seconds")
        raise ClaimedError(item.id, item.claimed_by, until)
    if decision is None:
        return
    request = item.request
    if decision.action not in request.allowed_actions:
        raise InvalidDecisionError(
            f"Action {decision.action!r} is not allowed on item {item.id}; allowed: "
            f"{', '.join(request.allowed_actions)}.",
            item_id=item.id,
            allowed=request.allowed_actions,
        )
    if decision.action in ("approve", "edit") and started_by == reviewer and item.kind == "gate":
        raise NotAuthorizedError(
            item.id,
            reviewer,
            item.required_role,
            "whoever started a run may not approve its items; ask another reviewer.",
        )
    if item.kind == "audit" and reviewer in request.audited:
        raise NotAuthorizedError(
            item.id,
            reviewer,
            item.required_role,
            f"{reviewer} decided the item this audit checks; a blind second look needs another reviewer.",
        )
    if decision.action in ("approve", "edit") and reviewer in request.edited_by and item.kind == "gate":
        raise NotAuthorizedError(
            item.id,
            reviewer,
            item.required_role,
            f"{reviewer} made the edit it holds; another reviewer must approve the edited version.",
        )
    if decision.action in ("approve", "edit") and item.min_dwell_seconds > 0:
        waited = now - item.claimed_at if item.claimed_by == reviewer and item.claimed_at else None
        if waited is None or waited < item.min_dwell_seconds:
            raise DwellError(item.id, item.min_dwell_seconds, waited)
    if decision.action == "approve" and item.kind == "gate" and _blank_recipient(request.proposal):
        raise InvalidDecisionError(
            f"Item {item.id} has no recipient address, so it cannot be sent as it is; fill in `to` with an edit "
            "(reason missing_information), or reject it.",
            item_id=item.id,
            allowed=[a for a in request.allowed_actions if a != "approve"],
        )
    if decision.action == "escalate":
        assert decision.escalate_to is not None
        higher = [r for r in ROLES if role_rank(r) > role_rank(item.required_role)]
        if decision.escalate_to not in higher:
            raise InvalidDecisionError(
                f"Escalate item {item.id} to a role above {item.required_role}: {', '.join(higher) or 'none is left'}.",
                item_id=item.id,
                allowed=higher,
            )
    if decision.action == "edit":
        gate = spec.gates.get(item.node) if spec else None
        if gate is None:
            raise InvalidDecisionError(
                f"Item {item.id} comes from an unknown gate {item.node!r}; it cannot be edited.", item_id=item.id
            )
        try:
            gate.proposal_model.model_validate(decision.edited)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'proposal'}: {e['msg']}" for e in exc.errors()
            )
            fields = list(gate.proposal_model.model_fields)
            raise InvalidDecisionError(
                f"The edited {request.proposal_kind} is invalid: {problems}. Fields: {', '.join(fields)}.",
                item_id=item.id,
                allowed=fields,
            ) from None
        _check_edit_content(item, decision, gate, state)


def _check_edit_content(
    item: ReviewItem, decision: ReviewDecision, gate: ReviewGate, state: Callable[[], Mapping[str, Any]] | None
) -> None:
    """Refuse an edit that changes nothing, moves a recipient without saying why, or does not fit the run."""
    edited = gate.proposal_model.model_validate(decision.edited)
    after = edited.model_dump(mode="json")
    try:
        before = gate.proposal_model.model_validate(item.request.proposal).model_dump(mode="json")
    except ValidationError:
        before = item.request.proposal
    if normalized(after) == normalized(before):
        raise InvalidDecisionError(
            f"The edit of item {item.id} changes nothing (whitespace aside); use approve to send it as it is.",
            item_id=item.id,
            allowed=["approve"],
        )
    old, new = recipients_of(before), recipients_of(after)
    filled = filled_in(before, after) if old != new else None
    if filled is not None and (problem := fill_problem(filled)):
        raise InvalidDecisionError(
            f"The edit of item {item.id} fills in {problem}; write one address such as name@example.com.",
            item_id=item.id,
        )
    if problem := header_edit_problem(before, after):
        raise InvalidDecisionError(
            f"The edit of item {item.id} writes {problem}; the mail layer would refuse it. Correct it and try again.",
            item_id=item.id,
        )
    if _blank_recipient(after):
        raise InvalidDecisionError(
            f"The edit of item {item.id} leaves the recipient's address empty; fill in `to` with their address, "
            "or reject the item.",
            item_id=item.id,
        )
    if old != new and filled is None and decision.reason_code != "wrong_recipient":
        moved = ", ".join(sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k)))
        raise InvalidDecisionError(
            f"The edit of item {item.id} changes the recipient ({moved}); recipients are locked. If the recipient "
            "is wrong, edit with reason_code wrong_recipient, and another reviewer approves the new one.",
            item_id=item.id,
        )
    if gate.check_edit is not None and state is not None and (problem := gate.check_edit(state(), edited)):
        raise InvalidDecisionError(f"The edit of item {item.id} is refused: {problem}.", item_id=item.id)


def _blank_recipient(proposal: Mapping[str, Any]) -> bool:
    """Return whether a proposal names a recipient field ``to`` and leaves it empty: it can never be sent."""
    return "to" in proposal and not str(proposal.get("to") or "").strip()
