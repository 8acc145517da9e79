"""The review contract: what a gate shows a reviewer and what a reviewer answers.

``ReviewRequest`` is the snapshot passed to ``interrupt``; ``ReviewDecision`` is the resume value,
validated by LangGraph (``response_schema``) and, before anything is written, by the service.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "ACTIONS",
    "MAX_EDIT_BYTES",
    "READER_KINDS",
    "REASON_CODES",
    "RISK_LEVELS",
    "ROLES",
    "SYSTEM_REVIEWER",
    "Action",
    "ReviewDecision",
    "ReviewRequest",
    "RiskAssessment",
    "RiskLevel",
    "Role",
    "SourceExcerpt",
    "Trigger",
    "TriggerKind",
    "risk_rank",
    "role_rank",
]

TriggerKind = Literal[
    "confidence",
    "policy",
    "pii",
    "data_quality",
    "impact",
    "sentiment",
    "router",
    "injection",
    "memory",
    "sampling",
    "rule",
]
READER_KINDS: frozenset[TriggerKind] = frozenset({"impact", "policy", "injection", "pii"})
"""Trigger kinds about what reaches the reader: their evidence, not only their kind, says what was reviewed."""
RiskLevel = Literal["low", "medium", "high", "critical"]
Role = Literal["reviewer", "expert", "owner", "admin"]
Action = Literal["approve", "edit", "reject", "redirect", "escalate"]

RISK_LEVELS: tuple[RiskLevel, ...] = ("low", "medium", "high", "critical")
ROLES: tuple[Role, ...] = ("reviewer", "expert", "owner", "admin")
ACTIONS: tuple[Action, ...] = ("approve", "edit", "reject", "redirect", "escalate")
REASON_CODES: tuple[str, ...] = (
    "factual_error",
    "unsupported_claim",
    "tone",
    "policy",
    "pii",
    "wrong_recipient",
    "missing_information",
    "conflicting_sources",
    "needs_expert",
    "duplicate",
    "injection",
    "other",
)
SYSTEM_REVIEWER = "sla"
"""Who decides when nobody did in time: the SLA's fail-closed rejection. No user may take this name."""
MAX_EDIT_BYTES = 64_000
"""Largest edited proposal accepted, as JSON bytes."""

_Text = Annotated[str, Field(max_length=4_000)]


def _default_chain() -> list[Role]:
    return ["reviewer", "expert", "owner"]


def risk_rank(level: RiskLevel) -> int:
    """Return 0 for low up to 3 for critical."""
    return RISK_LEVELS.index(level)


def role_rank(role: Role) -> int:
    """Return 0 for reviewer up to 3 for admin."""
    return ROLES.index(role)


class Trigger(BaseModel):
    """One reason a proposal may need a human, written for the reviewer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: TriggerKind
    reason: str = Field(min_length=1, max_length=1_000)
    score: float | None = Field(default=None, ge=0.0, le=1.0)
    evidence: list[Annotated[str, Field(max_length=2_000)]] = Field(default_factory=list, max_length=50)


class RiskAssessment(BaseModel):
    """How risky a proposal is, and why; ``needs_review`` decides whether the gate pauses."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    level: RiskLevel
    score: float = Field(ge=0.0, le=1.0)
    confidence: float = Field(ge=0.0, le=1.0)
    triggers: list[Trigger] = Field(default_factory=list)
    needs_review: bool
    policy_version: str = Field(min_length=1, max_length=100)


class SourceExcerpt(BaseModel):
    """A piece of source material the agent saw, shown beside the proposal."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(max_length=200)
    title: str = Field(default="", max_length=500)
    excerpt: str = Field(max_length=20_000)
    url: str | None = Field(default=None, max_length=2_000)


class ReviewRequest(BaseModel):
    """The contextual snapshot a reviewer sees: what the system saw, proposes and why it paused."""

    model_config = ConfigDict(extra="forbid")

    graph: str
    node: str
    thread_id: str
    title: str = Field(max_length=500)
    proposal: dict[str, Any]
    proposal_kind: str = Field(description="Name of the proposal's model, e.g. EmailDraft.")
    sources: list[SourceExcerpt] = Field(default_factory=list)
    observed: str = Field(default="", description="What the system saw, in a few sentences.")
    attempts: list[str] = Field(default_factory=list, description="What the system tried before.")
    assessment: RiskAssessment
    allowed_actions: list[Action] = Field(default_factory=lambda: list(ACTIONS))
    required_role: Role = "reviewer"
    min_dwell_seconds: float = Field(default=0.0, ge=0.0)
    escalation_level: int = Field(default=0, ge=0)
    sla_seconds: float = Field(default=0.0, ge=0.0, description="Time per escalation step; 0 means no SLA.")
    escalation_chain: list[Role] = Field(default_factory=_default_chain)
    approvals_needed: int = Field(default=1, ge=1, le=10, description="Distinct approvals needed (M of N).")
    similar_corrections: list[dict[str, Any]] = Field(
        default_factory=list, description="Earlier reviewer decisions on similar proposals, newest first."
    )
    memory_key: str = Field(default="", description="The text memory files a correction of this proposal under.")
    edited_by: list[str] = Field(
        default_factory=list,
        description="Reviewers whose edit this request carries (held again after it); none of them may approve it.",
    )
    audited: list[str] = Field(
        default_factory=list,
        description="On a blind audit: the reviewers whose decision it checks; none of them may decide it.",
    )
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class ReviewDecision(BaseModel):
    """A reviewer's answer to a ``ReviewRequest``.

    ``edit`` needs ``edited``, ``redirect`` needs ``instructions``, ``escalate`` needs ``escalate_to``;
    every action but ``approve`` needs a ``reason_code`` from ``REASON_CODES``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: Action
    reviewer: str = Field(min_length=1, max_length=100)
    reason_code: str | None = None
    note: _Text | None = None
    edited: dict[str, Any] | None = None
    instructions: _Text | None = None
    escalate_to: Role | None = None
    item_role: Role | None = Field(
        default=None,
        description="The role the queue item required when this was decided (an SLA may have raised it). Set by "
        "the service when it records the decision, whatever a caller sent; the gate never lowers a role by it.",
    )

    @model_validator(mode="after")
    def _fields_match_action(self) -> ReviewDecision:
        needs = {"edit": "edited", "redirect": "instructions", "escalate": "escalate_to"}
        for action, name in needs.items():
            present = getattr(self, name) is not None
            if self.action == action and not present:
                raise ValueError(f"a {action} decision needs `{name}`")
            if self.action != action and present:
                raise ValueError(f"`{name}` belongs to a {action} decision, not to {self.action}")
        if self.action != "approve" and not self.reason_code:
            raise ValueError(f"a {self.action} decision needs a reason_code, one of: {', '.join(REASON_CODES)}")
        if self.reason_code is not None and self.reason_code not in REASON_CODES:
            raise ValueError(f"unknown reason_code {self.reason_code!r}; use one of: {', '.join(REASON_CODES)}")
        if self.instructions is not None and not self.instructions.strip():
            raise ValueError("redirect instructions are empty")
        return self
