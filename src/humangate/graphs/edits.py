"""What an edit changed, as the review gate sees it: recipients, the graph's own check, the risk again.

An edit is the editor's vote for the edited version. ``edit_reasons`` says why that version needs another
reviewer before it is sent: a recipient changed (filling in a missing address is not a change, but the
address must be one valid address), the graph's edit check failed, or, assessed again, the risk went up or
something new reaches the reader. The helpers here also serve the service's checks of an edit before it is
recorded (``review.record.authority``) and the panel's edit form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from humangate.core.contract import READER_KINDS, ReviewRequest, RiskAssessment, Trigger, risk_rank
from humangate.effects import address_problem, header_value_problem
from humangate.effects.messages import ADDRESS_MARKS

__all__ = [
    "RECIPIENT_FIELDS",
    "EditCheck",
    "Reassess",
    "edit_reasons",
    "fill_problem",
    "filled_in",
    "header_edit_problem",
    "is_news",
    "normalized",
    "recipients_of",
]

Reassess = Callable[[Mapping[str, Any]], RiskAssessment]
"""Assess a proposal again from the graph's state (with the proposal under its key), without memory."""
EditCheck = Callable[[Mapping[str, Any], BaseModel], str | None]
"""Return why an edited proposal does not fit the run's state (e.g. unknown claim ids), or None."""

RECIPIENT_FIELDS = ("to", "cc", "bcc", "reply_to", "recipient", "recipients", "email")
"""Proposal fields that say who receives it: locked unless an edit says ``wrong_recipient``."""
# Kinds that follow from the text's hash or from memory, not from what the text says.
_UNSTABLE_KINDS = frozenset({"sampling", "memory"})
# For kinds about what reaches the reader (``READER_KINDS``), new evidence is news even under a kind already
# seen: a link added where the only "impact" was "an external email", a second personal detail, a policy term.


def is_news(trigger: Trigger, before: Sequence[Trigger]) -> bool:
    """Return True when an edit brought ``trigger``: its kind is new, or, for a reader kind, its evidence is."""
    if trigger.kind in _UNSTABLE_KINDS:
        return False
    if trigger.kind not in {t.kind for t in before}:
        return True
    seen = {e for t in before if t.kind == trigger.kind for e in t.evidence}
    return trigger.kind in READER_KINDS and any(e not in seen for e in trigger.evidence)


def normalized(value: Any) -> Any:
    """Return ``value`` with every string's whitespace collapsed, to tell a real edit from a no-op."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, Mapping):
        return {k: normalized(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalized(v) for v in value]
    return value


def recipients_of(proposal: Mapping[str, Any]) -> dict[str, Any]:
    """Return the proposal's recipient fields, normalized (case and whitespace of addresses do not count)."""
    out: dict[str, Any] = {}
    for name in RECIPIENT_FIELDS:
        if name in proposal:
            value = normalized(proposal[name])
            out[name] = value.lower() if isinstance(value, str) else value
    return out


def filled_in(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, str] | None:
    """Return the recipient fields an edit filled in where ``before`` had none, or None.

    None also when the edit changed a recipient that was there: that is a change of recipient, not a
    fill-in. Each filled value must be one valid address (``fill_problem``).
    """
    old, new = recipients_of(before), recipients_of(after)
    changed = [k for k in RECIPIENT_FIELDS if old.get(k) != new.get(k)]
    if not changed or any(old.get(k) not in ("", None) or not isinstance(new.get(k), str) for k in changed):
        return None
    return {k: str(after.get(k, "")).strip() for k in changed}


def fill_problem(filled: Mapping[str, str]) -> str | None:
    """Return why an address filled in by a reviewer may not be sent to (not exactly one valid address), or None."""
    # The mail layer's own check, so the gate and the mailer never disagree on what an address is.
    for name, value in filled.items():
        if problem := address_problem(value):
            return f"the {name} address {value[:200]!r} {problem}"
    return None


def header_edit_problem(before: Mapping[str, Any], after: Mapping[str, Any]) -> str | None:
    """Return why a header value an edit wrote (subject, a recipient) cannot be sent, or None.

    The mail layer's own checks, run when the edit is made: a value it would refuse at the send (a second
    address, an encoded word, a control character) is the editor's to fix now, not a send that fails later.
    A recipient without "@" or "<" is a customer's name for a reply on its ticket, checked as a header value.
    """
    for name in ("subject", *RECIPIENT_FIELDS):
        value = after.get(name)
        if not isinstance(value, str) or value == before.get(name):
            continue
        is_address = name != "subject" and ADDRESS_MARKS.search(value)
        if problem := address_problem(value) if is_address else header_value_problem(value):
            return f"the {name} {value[:200]!r} {problem}"
    return None


def recipients_text(proposal: Mapping[str, Any]) -> str:
    found = recipients_of(proposal)
    return ", ".join(f"{k}: {v}" for k, v in found.items())[:200] or "none"


def edit_reasons(
    state: Mapping[str, Any],
    request: ReviewRequest,
    edited: BaseModel,
    *,
    proposal_key: str,
    reassess: Reassess | None,
    check_edit: EditCheck | None,
) -> tuple[list[str], RiskAssessment]:
    """Return why the edited proposal needs another reviewer (empty: it may go) and its assessment."""
    before, after = request.proposal, edited.model_dump(mode="json")
    reasons: list[str] = []
    if recipients_of(before) != recipients_of(after):
        filled = filled_in(before, after)
        if filled is None:
            reasons.append(f"changed the recipient ({recipients_text(before)} -> {recipients_text(after)})")
        elif problem := fill_problem(filled):  # the service refuses this first; held here should it not
            reasons.append(f"filled in an address that cannot be sent to: {problem}")
    if check_edit is not None and (problem := check_edit(state, edited)):
        reasons.append(problem)
    new = request.assessment
    if reassess is None:
        reasons.append("cannot be assessed again by this gate")
    else:
        old = reassess({**state, proposal_key: before})
        new = reassess({**state, proposal_key: after})
        if risk_rank(new.level) > risk_rank(old.level):
            reasons.append(f"raised the risk from {old.level} to {new.level}")
        added = [t for t in new.triggers if is_news(t, old.triggers)]
        if added:
            reasons.append("added " + "; ".join(f"{t.kind}: {t.reason}" for t in added))
        elif new.needs_review and not old.needs_review:
            reasons.append("now needs review on its own")
    return reasons, new
