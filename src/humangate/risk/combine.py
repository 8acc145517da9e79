"""How a proposal's triggers become a ``RiskAssessment``: score, combined rules, level, review, sampling.

Scoring: trigger scores combine as independent evidence (``1 - prod(1 - s)``), so two weak signals add
up; the policy's thresholds turn the score into a level. Combined rules then raise the level where
two signals together mean more than their sum ("personal data + external send -> high"), each
adding a ``rule`` trigger that says so. ``needs_review`` is true from the policy's ``review_from``
level up, or always when the task asked for approval.

Audit sampling never blocks: a proposal that passes on its own may be picked (deterministically, from
a hash of the proposal, so a re-run node picks the same) and then carries a ``sampling`` trigger while
``needs_review`` stays false. The gate lets it through; the logged assessment tells the audit queue
to look at it later (``is_sampled``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from humangate.core.contract import RiskAssessment, RiskLevel, Trigger, risk_rank
from humangate.risk.pii import PiiEntity
from humangate.risk.policy import NodeSettings
from humangate.risk.terms import TermCategory
from humangate.risk.triggers import sampled, sampling_trigger

__all__ = ["Signals", "combine", "is_sampled"]


@dataclass
class Signals:
    """Facts the combined rules read, beside the triggers themselves."""

    external: bool = False
    low_confidence: bool = False
    model_failure: bool = False
    sensitive_pii: list[PiiEntity] = field(default_factory=list)
    policy_terms: list[TermCategory] = field(default_factory=list)
    unsupported_claims: bool = False
    conflicts: bool = False
    frustrated: bool = False
    churn: bool = False
    legal_threat: bool = False
    refund_asked: bool = False
    injection: bool = False


@dataclass(frozen=True)
class _Rule:
    level: RiskLevel
    applies: str  # attribute names of Signals that must all be truthy
    reason: str

    def fires(self, s: Signals) -> bool:
        return all(bool(getattr(s, name)) for name in self.applies.split())


_RULES: tuple[_Rule, ...] = (
    _Rule("critical", "legal_threat", "The customer raises legal action, so an expert answers, not the agent."),
    _Rule(
        "high",
        "sensitive_pii external",
        "Personal data ({pii}) would leave the organisation in an external message.",
    ),
    _Rule("high", "policy_terms low_confidence", "The agent is unsure of a proposal that touches {terms}."),
    _Rule("high", "frustrated churn", "A frustrated customer talks of leaving; a careless reply may lose them."),
    _Rule("high", "refund_asked policy_terms", "The reply answers a refund request with wording about {terms}."),
    _Rule("high", "unsupported_claims external", "Figures the research does not back would go out in this message."),
    _Rule("high", "conflicts low_confidence", "The sources disagree and the agent is unsure which to trust."),
    _Rule("high", "injection", "Text the agent read tried to instruct it; a person checks the result."),
    _Rule("high", "model_failure", "The model's output could not be used; the proposal is a fallback."),
)


def _noisy_or(scores: Iterable[float]) -> float:
    miss = 1.0
    for s in scores:
        miss *= 1.0 - s
    return 1.0 - miss


def combine(
    triggers: Sequence[Trigger],
    signals: Signals,
    settings: NodeSettings,
    *,
    policy_version: str,
    confidence: float,
    always_review: bool = False,
    sample_key: str = "",
    required: Sequence[Trigger] = (),
    held: bool = False,
) -> RiskAssessment:
    """Combine triggers into an assessment: score, combined rules, level, review and audit sampling.

    ``required`` triggers come from the task's own rules (``risk.limits``): each one forces review and
    lifts the level to high (a reviewer's call, not an expert's) unless the other triggers rank higher.
    ``held`` forces review at the level the scores give (at least medium): the escalation router or a
    hard rule found a message a person must answer.
    """
    score = _noisy_or(t.score or 0.0 for t in triggers if t.kind not in ("sampling", "rule"))
    found = [*triggers, *required]
    level = settings.thresholds.level(score)
    for rule in _RULES:
        if rule.fires(signals):
            text = rule.reason.format(
                pii=", ".join(e.lower().replace("_", " ") for e in signals.sensitive_pii),
                terms=", ".join(signals.policy_terms),
            )
            found.append(Trigger(kind="rule", reason=text, score=settings.thresholds.floor(rule.level)))
            if risk_rank(rule.level) > risk_rank(level):
                level = rule.level
    if required and risk_rank(level) < risk_rank("high"):
        level = "high"
    if held and risk_rank(level) < risk_rank("medium"):
        level = "medium"
    score = max(score, settings.thresholds.floor(level))
    asked = always_review or settings.always_review
    if asked:
        found.append(
            Trigger(kind="rule", reason="Every proposal at this step is reviewed: the task or policy says so.")
        )
    needs_review = asked or bool(required) or held or risk_rank(level) >= risk_rank(settings.review_from)
    if not needs_review and sampled(sample_key, settings.sampling_rate, salt=policy_version):
        found.append(sampling_trigger(settings.sampling_rate))
    return RiskAssessment(
        level=level,
        score=round(min(1.0, score), 4),
        confidence=confidence,
        triggers=found,
        needs_review=needs_review,
        policy_version=policy_version,
    )


def is_sampled(assessment: RiskAssessment) -> bool:
    """Return whether an auto-passed assessment was picked for a later, non-blocking audit."""
    return not assessment.needs_review and any(t.kind == "sampling" for t in assessment.triggers)
