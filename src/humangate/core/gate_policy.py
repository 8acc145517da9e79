"""``GatePolicy``: who may decide at each risk level, how long they must look, and how many must agree.

It is policy, not wiring: the risk policy builds it per graph and gate (``risk/policy.py``) and each
``review_gate`` enforces it, so it lives on the ground floor beside the review contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from humangate.core.contract import RiskLevel, Role

__all__ = ["GatePolicy"]


@dataclass(frozen=True)
class GatePolicy:
    """Who may decide at each risk level and how long they must look first."""

    roles: Mapping[RiskLevel, Role] = field(
        default_factory=lambda: {"low": "reviewer", "medium": "reviewer", "high": "reviewer", "critical": "expert"}
    )
    min_dwell_seconds: Mapping[RiskLevel, float] = field(
        default_factory=lambda: {"low": 0.0, "medium": 0.0, "high": 0.0, "critical": 0.0}
    )
    sla_seconds: Mapping[RiskLevel, float] = field(
        default_factory=lambda: {"low": 0.0, "medium": 0.0, "high": 0.0, "critical": 0.0}
    )
    escalation_chain: tuple[Role, ...] = ("reviewer", "expert", "owner")
    approvals_needed: Mapping[RiskLevel, int] = field(
        default_factory=lambda: {"low": 1, "medium": 1, "high": 1, "critical": 1}
    )
