"""When a reviewer's edit goes out and when it waits for another reviewer (``held_edit``).

An edit is the editor's vote for the edited version. It goes on to the send only when nothing about it needs
another look: the graph's own reassessment raised nothing, the recipient stayed, the graph's edit check passed,
it added nothing every outgoing message is held for (``graphs.release.edit_floor``), and the item needs one
approval. Otherwise the gate pauses again with the edited version, at the higher of the two risk levels, the
role and dwell that level asks for, and the approvals still missing; an edit of an edit starts the count again,
since the earlier approvals were for another text, while a redirect's count carries over to its result.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from humangate.core.contract import ReviewDecision, ReviewRequest, RiskAssessment, Trigger, risk_rank, role_rank
from humangate.core.gate_policy import GatePolicy
from humangate.graphs.carry import carried
from humangate.graphs.edits import EditCheck, Reassess, edit_reasons
from humangate.graphs.release import edit_floor

__all__ = ["held_edit"]


def held_edit(
    state: Mapping[str, Any],
    request: ReviewRequest,
    edited: BaseModel,
    decision: ReviewDecision,
    *,
    gate: str,
    policy: GatePolicy,
    proposal_key: str,
    reassess: Reassess | None,
    check_edit: EditCheck | None,
) -> ReviewRequest | None:
    """Return the request to pause again with when the edit needs another reviewer, or None to send it."""
    after = edited.model_dump(mode="json")
    reasons, new = edit_reasons(
        state, request, edited, proposal_key=proposal_key, reassess=reassess, check_edit=check_edit
    )
    if not reasons and (added := edit_floor(request.proposal, after)):  # what the graph's reassess missed
        reasons.append(added)
    level = new.level if risk_rank(new.level) > risk_rank(request.assessment.level) else request.assessment.level
    # The item's full count: an edit of an edit starts it again, since the earlier approvals (and the earlier
    # editor's vote) were for another text. A redirect's count carries over to its result.
    carry = carried(state, gate)
    full = max(request.approvals_needed, policy.approvals_needed[level], carry["approvals"] if carry else 1)
    if full > 1:
        reasons.append(f"is one of {full} approvals this item needs")
    if not reasons:
        return None
    # The editor's edit is their vote for the edited version; the others must come from other reviewers.
    needed = max(1, full - 1)
    role = policy.roles[level]
    why = f"Edited by {decision.reviewer} ({decision.reason_code}): the edit " + "; ".join(reasons)
    why = why[:900] + ". Another reviewer must approve the edited version before it is sent."
    kept = [t for t in new.triggers if t.kind != "sampling"]
    assessment = RiskAssessment(
        level=level,
        score=max(new.score, request.assessment.score),
        confidence=min(new.confidence, request.assessment.confidence),
        triggers=[*kept, Trigger(kind="rule", reason=why, evidence=[decision.reviewer])][-50:],
        needs_review=True,
        policy_version=new.policy_version,
    )
    return request.model_copy(
        update={
            "proposal": after,
            "assessment": assessment,
            "required_role": role if role_rank(role) > role_rank(request.required_role) else request.required_role,
            "min_dwell_seconds": max(request.min_dwell_seconds, policy.min_dwell_seconds[level]),
            "approvals_needed": needed,
            "edited_by": [*request.edited_by, decision.reviewer],
            "attempts": [*request.attempts, why],
        }
    )
