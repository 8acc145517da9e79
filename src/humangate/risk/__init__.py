"""Risk classification: who needs to look at a proposal, how urgently, and why.

Triggers are pure functions returning ``list[Trigger]`` with a reviewer-readable reason; the
``assess_*`` entry points combine them under a ``RiskPolicy`` into a ``RiskAssessment``. Agents never
decide whether a human looks: this package does.
"""

from humangate.risk.assess import assess_brief, assess_draft, assess_support
from humangate.risk.combine import Signals, combine, is_sampled
from humangate.risk.injection import InjectionMatch, find_injections, injection_triggers
from humangate.risk.pii import PII_ENTITIES, SENSITIVE_ENTITIES, PiiEntity, PiiMatch, find_pii, pii_triggers
from humangate.risk.policy import DEFAULT_POLICY_VERSION, NodeOverrides, NodeSettings, RiskPolicy, Thresholds
from humangate.risk.terms import (
    TERM_CATEGORIES,
    Commitment,
    TermCategory,
    TermMatch,
    find_commitments,
    find_policy_terms,
    policy_triggers,
)
from humangate.risk.triggers import (
    brief_quality_triggers,
    confidence_triggers,
    draft_support_triggers,
    impact_triggers,
    model_failure_triggers,
    sampled,
    sampling_trigger,
    sentiment_triggers,
)

__all__ = [
    "DEFAULT_POLICY_VERSION",
    "PII_ENTITIES",
    "SENSITIVE_ENTITIES",
    "TERM_CATEGORIES",
    "Commitment",
    "InjectionMatch",
    "NodeOverrides",
    "NodeSettings",
    "PiiEntity",
    "PiiMatch",
    "RiskPolicy",
    "Signals",
    "TermCategory",
    "TermMatch",
    "Thresholds",
    "assess_brief",
    "assess_draft",
    "assess_support",
    "brief_quality_triggers",
    "combine",
    "confidence_triggers",
    "draft_support_triggers",
    "find_commitments",
    "find_injections",
    "find_pii",
    "find_policy_terms",
    "impact_triggers",
    "injection_triggers",
    "is_sampled",
    "model_failure_triggers",
    "pii_triggers",
    "policy_triggers",
    "sampled",
    "sampling_trigger",
    "sentiment_triggers",
]
