"""What a redirect carries to its result: the redirected proposal is reviewed like the item it came from.

A redirect sends a proposal back to its agent with a reviewer's instructions. What the agent then proposes
is new text that nobody approved, partly written by the redirecting reviewer. So it never passes on its
fresh assessment alone: the gate holds it for review at no lower a role, dwell or count of approvals than
the item it came from (an escalation, an SLA's raise and M of N survive the redirect), and the run's
starter still may not approve it. The record lives in the graph's state (``GateState.gate_carry``), one per
gate, written by the redirect and cleared once the gate's item is decided.
"""

from __future__ import annotations

from typing import Any, TypedDict, cast

from humangate.core.contract import ReviewDecision, ReviewRequest, RiskAssessment, Role, Trigger, role_rank

__all__ = ["CARRY_KEY", "Carry", "carried", "held_like", "higher_role", "merge_carry", "redirect_carry"]

CARRY_KEY = "gate_carry"


class Carry(TypedDict):
    """What one gate's redirected item required, and who redirected it."""

    role: Role
    dwell: float
    approvals: int
    by: str
    reason_code: str


def merge_carry(old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any]:
    """Reduce the ``gate_carry`` channel: a gate's entry is replaced, and removed when set to None."""
    out = dict(old or {})
    for gate, value in (new or {}).items():
        if value is None:
            out.pop(gate, None)
        else:
            out[gate] = value
    return out


def carried(state: Any, gate: str) -> Carry | None:
    """Return what a redirect carried to ``gate``'s next proposal, or None."""
    value = (state.get(CARRY_KEY) or {}).get(gate) if hasattr(state, "get") else None
    return cast(Carry, value) if isinstance(value, dict) else None


def redirect_carry(request: ReviewRequest, decision: ReviewDecision, approvals: int) -> Carry:
    """Return the record a redirect of ``request`` leaves for the proposal that answers it."""
    return Carry(
        role=request.required_role,
        dwell=request.min_dwell_seconds,
        approvals=max(request.approvals_needed, approvals),
        by=decision.reviewer,
        reason_code=decision.reason_code or "other",
    )


def held_like(assessment: RiskAssessment, carry: Carry) -> RiskAssessment:
    """Return ``assessment`` held for review, saying the redirect's result is reviewed like its item."""
    why = (
        f"Redirected by {carry['by']} ({carry['reason_code']}): a redirect's result is reviewed like the item it "
        f"came from (at least the {carry['role']} role, {carry['approvals']} approval(s))."
    )
    kept = [t for t in assessment.triggers if t.kind != "sampling"]
    rule = Trigger(kind="rule", reason=why, evidence=[carry["by"]])
    return assessment.model_copy(update={"needs_review": True, "triggers": [*kept, rule][-50:]})


def higher_role(a: Role, b: Role) -> Role:
    """Return the higher of two roles."""
    return a if role_rank(a) >= role_rank(b) else b
