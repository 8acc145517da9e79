"""Decide through a credential: the Orchestrator's one decide path, then an audit record of how it came.

An API token, Agent Inbox, a review link and a Slack button all end here. The reviewer is the one
the credential names; ``Orchestrator.decide`` checks role, dwell, M-of-N and the edit itself. A link
is spent (a unique row) before it decides and given back only when the decision was refused, which
writes nothing; the audit event ``decision.channel`` names the token's or the link's id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from humangate.errors import ReviewError
from humangate.oversight.links import LinkClaims
from humangate.review.credentials import Principal, record_channel, release_link, reserve_link
from humangate.review.service import DecideResult, Orchestrator

__all__ = ["decide_as", "decide_by_link"]


def _decision(who: Principal, decision: Mapping[str, Any]) -> dict[str, Any]:
    # The reviewer is always the credential's user; any name in the request is overwritten, never read.
    return {k: v for k, v in decision.items() if v is not None and k != "reviewer"} | {"reviewer": who.name}


def decide_as(
    orch: Orchestrator, who: Principal, item_id: int, decision: Mapping[str, Any], *, channel: str
) -> DecideResult:
    """Decide ``item_id`` as ``who`` and audit the channel (``api`` or ``inbox``) with the token's id."""
    result = orch.decide(item_id, _decision(who, decision))
    record_channel(
        orch.db,
        channel=channel,
        credential=who.credential,
        reviewer=who.name,
        item_id=item_id,
        run_id=result.run.id,
        decision_id=result.decision_id,
        approvals_missing=result.approvals_missing,
        now=orch.clock(),
    )
    return result


def decide_by_link(
    orch: Orchestrator, claims: LinkClaims, who: Principal, decision: Mapping[str, Any], *, channel: str
) -> DecideResult:
    """Spend the link, decide its item as ``who``, and audit it with the link's id (``link`` or ``slack``)."""
    parsed = _decision(who, decision)
    reserve_link(
        orch.db,
        claims.link_id,
        item_id=claims.item_id,
        channel=channel,
        reviewer=who.name,
        action=str(parsed.get("action", "")),
        now=orch.clock(),
    )
    try:
        result = orch.decide(claims.item_id, parsed)
    except ReviewError:
        release_link(orch.db, claims.link_id)  # refused: nothing was written, the link may try again
        raise
    record_channel(
        orch.db,
        channel=channel,
        credential=claims.link_id,
        reviewer=who.name,
        item_id=claims.item_id,
        run_id=result.run.id,
        decision_id=result.decision_id,
        approvals_missing=result.approvals_missing,
        now=orch.clock(),
    )
    return result
