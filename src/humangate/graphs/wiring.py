"""Mistakes in composing a gate, refused when the graph is built rather than found when something is sent.

A ``GatePolicy`` written by hand is held to what the risk policy's TOML enforces (``risk.policy``): a role,
a dwell, an SLA and a count of approvals for every level, roles that do not fall as the risk rises, at
least one approval, no negative times, and an escalation chain of rising roles. A gate's routes must keep
the outcomes apart: a rejection or a redirect that goes where approvals go would send what a reviewer
turned down. Two gates may not share the state keys of their proposal or assessment, or one would pass on
the other's assessment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from langgraph.graph import END

from humangate.core.contract import RISK_LEVELS, ROLES
from humangate.core.gate_policy import GatePolicy

if TYPE_CHECKING:
    from humangate.graphs.gate import ReviewGate

__all__ = ["check_routes", "check_shared_keys", "checked_policy"]


def check_routes(name: str, *, next: str, on_reject: str, redirect_to: str | None) -> None:
    """Raise ``ValueError`` when a gate's routes let a rejection or redirect reach where approvals go."""
    if next == name:
        raise ValueError(f"Gate {name!r} routes approvals to itself; `next` is the node that acts on an approval.")
    if on_reject == next and next != END:  # both ending the run acts on nothing
        raise ValueError(
            f"Gate {name!r} sends rejections to {next!r}, where approvals go: a rejected proposal would be acted on. "
            "Give on_reject another node (the default ends the run)."
        )
    if redirect_to is not None and redirect_to in (next, name):
        raise ValueError(
            f"Gate {name!r} redirects to {redirect_to!r}: a redirect goes back to the agent that proposes, "
            "never on to where approvals go."
        )


def _levels(policy: GatePolicy, field: str, gate: str) -> Mapping[str, Any]:
    value = getattr(policy, field, None)
    if not isinstance(value, Mapping):
        raise ValueError(f"Gate {gate!r}: its GatePolicy's {field} must map every risk level to a value.")
    missing = [lvl for lvl in RISK_LEVELS if lvl not in value]
    if missing:
        raise ValueError(
            f"Gate {gate!r}: its GatePolicy's {field} needs a value for every level; missing: {', '.join(missing)}."
        )
    return value


def checked_policy(policy: GatePolicy, gate: str) -> GatePolicy:
    """Return ``policy`` if it keeps the risk policy's own rules; raise ``ValueError`` naming the first it breaks."""
    roles = _levels(policy, "roles", gate)
    if any(roles[lvl] not in ROLES for lvl in RISK_LEVELS):
        raise ValueError(f"Gate {gate!r}: its GatePolicy's roles must be among {', '.join(ROLES)}.")
    ranks = [ROLES.index(roles[lvl]) for lvl in RISK_LEVELS]
    if ranks != sorted(ranks):
        raise ValueError(
            f"Gate {gate!r}: its GatePolicy's roles must not fall as the level rises "
            "(critical needs at least the role of high)."
        )
    for field in ("min_dwell_seconds", "sla_seconds"):
        values = _levels(policy, field, gate)
        if any(not isinstance(values[lvl], int | float) or values[lvl] < 0 for lvl in RISK_LEVELS):
            raise ValueError(f"Gate {gate!r}: its GatePolicy's {field} must be zero or more seconds at every level.")
    approvals = _levels(policy, "approvals_needed", gate)
    if any(not isinstance(approvals[lvl], int) or not 1 <= approvals[lvl] <= 10 for lvl in RISK_LEVELS):
        raise ValueError(f"Gate {gate!r}: its GatePolicy's approvals_needed must be 1 to 10 at every level.")
    chain = list(policy.escalation_chain)
    chain_ranks = [ROLES.index(r) if r in ROLES else -1 for r in chain]
    if not chain or -1 in chain_ranks or chain_ranks != sorted(set(chain_ranks)):
        raise ValueError(
            f"Gate {gate!r}: its GatePolicy's escalation_chain must list rising roles, e.g. reviewer, expert, owner."
        )
    return policy


def check_shared_keys(gates: Mapping[str, ReviewGate]) -> None:
    """Raise ``ValueError`` when two gates of one graph read the same proposal or assessment key."""
    seen: dict[tuple[str, str], str] = {}
    for name, gate in gates.items():
        for what, key in (("proposal_key", gate.proposal_key), ("assessment_key", gate.assessment_key)):
            other = seen.setdefault((what, key), name)
            if other != name:
                raise ValueError(
                    f"Gates {other!r} and {name!r} both read {what} {key!r}: one would pass on the other's "
                    f"proposal or assessment. Give each gate its own {what}."
                )
