"""From proposal to ``RiskAssessment``: run the triggers, apply the combined rules, pick level and review.

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

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from humangate.agents.schemas import (
    AmountLimit,
    Brief,
    EmailDraft,
    EscalationJudgement,
    Source,
    SupportAnalysis,
    SupportReply,
)
from humangate.core.contract import RiskAssessment, RiskLevel, Trigger, TriggerKind, risk_rank
from humangate.risk.escalation import escalation, without_templates
from humangate.risk.injection import injection_triggers
from humangate.risk.limits import limit_triggers
from humangate.risk.outbound import outbound_triggers
from humangate.risk.pii import SENSITIVE_ENTITIES, PiiEntity, find_pii, pii_triggers
from humangate.risk.policy import NodeSettings, RiskPolicy
from humangate.risk.terms import TermCategory, find_policy_terms, policy_triggers
from humangate.risk.triggers import (
    brief_quality_triggers,
    confidence_triggers,
    draft_support_triggers,
    impact_triggers,
    model_failure_triggers,
    sampled,
    sampling_trigger,
)

if TYPE_CHECKING:
    from humangate.risk.router.source import RouterSource

__all__ = ["Signals", "assess_brief", "assess_draft", "assess_support", "combine", "is_sampled"]


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


def _key(*parts: object) -> str:
    blob = json.dumps([p.model_dump(mode="json") if hasattr(p, "model_dump") else p for p in parts], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def _kinds(triggers: Iterable[Trigger]) -> set[TriggerKind]:
    return {t.kind for t in triggers}


def assess_brief(
    brief: Brief,
    sources: Sequence[Source],
    policy: RiskPolicy,
    *,
    graph: str = "research",
    node: str = "review_brief",
    always_review: bool = False,
    sample_key: str | None = None,
    without_sources: bool = False,
) -> RiskAssessment:
    """Assess a research brief: model failure, confidence, source quality and injected instructions.

    ``without_sources``: the task was started without sources on purpose (``--no-sources``); an empty
    brief is then what was asked for, not a gap, and what is drafted from it is assessed on its own.
    """
    settings = policy.settings(graph, node)
    triggers = [
        *model_failure_triggers(brief.model_failure, what="the researcher"),
        *confidence_triggers(brief.confidence, settings.confidence_threshold, what="The researcher"),
        *brief_quality_triggers(brief, sources),
        *injection_triggers(
            [(f"source {s.id}" + (f" ({s.title})" if s.title else ""), s.text) for s in sources],
            known=[(f"source {f.source_id}", f"{f.pattern}: {f.excerpt}") for f in brief.injections],
        ),
    ]
    if without_sources and not sources:
        triggers = [
            *model_failure_triggers(brief.model_failure, what="the researcher"),
            Trigger(
                kind="data_quality",
                reason="There are no sources: the task was started without them (--no-sources), so the brief is "
                "empty and anything drafted from it rests on the task alone.",
                score=0.1,
            ),
        ]
    signals = Signals(
        low_confidence=brief.confidence < settings.confidence_threshold,
        model_failure=brief.model_failure is not None,
        conflicts=bool(brief.conflicts),
        injection="injection" in _kinds(triggers),
    )
    return combine(
        triggers,
        signals,
        settings,
        policy_version=policy.version,
        confidence=brief.confidence,
        always_review=always_review,
        sample_key=sample_key or _key(graph, node, brief),
    )


_GREETING = re.compile(r"^\s*(?:dear|hi|hello|hey|good\s+(?:morning|afternoon|evening))\s+([^,\n:!]{1,80})", re.I)
_CLOSING = re.compile(r"^\s*(?:best|regards|kind\s+regards|thanks|thank\s+you|cheers|sincerely|warmly)\b", re.I)


def _expected_names(body: str) -> list[str]:
    """Return the names an email is expected to hold: whom it greets and who signs it."""
    lines = body.strip().splitlines()
    names: list[str] = []
    if lines and (m := _GREETING.match(lines[0])):
        names.append(m.group(1))
    for i, line in enumerate(lines):
        if _CLOSING.match(line):
            names.extend(x for x in lines[i + 1 : i + 4] if x.strip())
            break
    return names


def assess_draft(
    draft: EmailDraft,
    brief: Brief,
    policy: RiskPolicy,
    *,
    graph: str = "outreach",
    node: str = "review_send",
    external: bool = True,
    always_review: bool = False,
    payment: bool = False,
    irreversible: bool = False,
    expected: Sequence[str] = (),
    sample_key: str | None = None,
    limits: Sequence[AmountLimit] = (),
    sources: Sequence[Source] = (),
    names: Sequence[tuple[str, str]] = (),
) -> RiskAssessment:
    """Assess an outbound email against its brief: terms, personal data, unsupported figures, impact.

    ``expected`` names values the email should contain (recipient's and sender's names); the
    recipient's address and the names in the greeting and signature are expected anyway. An amount
    over one of the task's ``limits``, or what ``risk.outbound`` holds (bad headers or recipient,
    links, requests for credentials, text lifted from ``sources`` that speaks to the reader), forces review.
    """
    settings = policy.settings(graph, node)
    text = f"{draft.subject}\n\n{draft.body}"
    # The recipient, the greeting and signature names and the company researched are meant to be there.
    allow = [draft.to, brief.subject, *expected, *_expected_names(draft.body)]
    pii = [m for m in find_pii(text) if m.entity in SENSITIVE_ENTITIES and m.text.lower() != draft.to.lower()]
    triggers = [
        *model_failure_triggers(draft.model_failure, what="the drafter"),
        *confidence_triggers(draft.confidence, settings.confidence_threshold, what="The drafter"),
        *policy_triggers(text, where="The email", extra=settings.watch_terms),
        *pii_triggers(text, allow=allow, where="The email"),
        *draft_support_triggers(draft, brief),
        *impact_triggers(external=external, payment=payment, irreversible=irreversible, text=text),
        *injection_triggers(
            [("email draft", text)],
            known=[(f"source {f.source_id}", f"{f.pattern}: {f.excerpt}") for f in brief.injections],
        ),
    ]
    terms = list(dict.fromkeys(m.category for m in find_policy_terms(text, extra=settings.watch_terms)))
    signals = Signals(
        external=external,
        low_confidence=draft.confidence < settings.confidence_threshold,
        model_failure=draft.model_failure is not None,
        sensitive_pii=list(dict.fromkeys(m.entity for m in pii if not _allowed(m.text, allow))),
        policy_terms=terms,
        unsupported_claims=any(t.kind == "data_quality" and "figure" in t.reason for t in triggers),
        injection="injection" in _kinds(triggers),
    )
    return combine(
        triggers,
        signals,
        settings,
        policy_version=policy.version,
        confidence=draft.confidence,
        always_review=always_review,
        sample_key=sample_key or _key(graph, node, draft),
        required=[
            *limit_triggers(text, limits, where="The email"),
            *outbound_triggers(
                to=draft.to,
                subject=draft.subject,
                body=draft.body,
                names=names,
                sources=[(f"source {s.id}", s.text) for s in sources],
            ),
        ],
    )


def _allowed(value: str, allow: Sequence[str]) -> bool:
    return value.strip().lower() in {a.strip().lower() for a in allow if a}


def assess_support(
    message_text: str,
    analysis: SupportAnalysis,
    reply: SupportReply,
    policy: RiskPolicy,
    *,
    graph: str = "support",
    node: str = "review_reply",
    external: bool = True,
    always_review: bool = False,
    expected: Sequence[str] = (),
    sample_key: str | None = None,
    limits: Sequence[AmountLimit] = (),
    ticket: str = "",
    names: Sequence[tuple[str, str]] = (),
    history: Sequence[str] = (),
    judgement: EscalationJudgement | None = None,
    routers: RouterSource | None = None,
) -> RiskAssessment:
    """Assess a reply to a customer: whether a person must answer, terms and data, injected text, limits.

    Whether a person must answer is the escalation router's call on the customer's words (and the last
    turns of their thread, ``history``), with legal, harm, handoff and churn always escalating on top
    (``risk.escalation``); a router that cannot score holds the message. ``routers`` gives the gate's
    active refit (learned from reviewers' decisions); without it, the shipped router decides. ``judgement``
    is a chat model's second opinion on a message the router was unsure of (``risk.cascade``): its call for
    a person holds it.

    The reply goes back on the customer's ticket (``ticket``, its id), so a customer known by name alone
    is a recipient; ``risk.outbound`` holds bad headers, links, requests for credentials and text lifted
    from the customer's message that speaks to the reader.
    """
    settings = policy.settings(graph, node)
    allow = [reply.to, *expected, *_expected_names(reply.body)]
    pii = [m for m in find_pii(reply.body) if m.entity in SENSITIVE_ENTITIES and not _allowed(m.text, allow)]
    route = escalation(analysis, message_text, settings, history, judgement, routers=routers, graph=graph, node=node)
    # Wording the customer used themselves ("refund") is their request, not the reply's promise; the
    # analyst's own template sentences ("I'll update you") are the product's standing promise, not a new one.
    triggers = [
        *model_failure_triggers(analysis.model_failure, what="the support analyst"),
        *confidence_triggers(analysis.confidence, settings.confidence_threshold, what="The support analyst"),
        *route.triggers,
        *policy_triggers(reply.body, where="The reply", extra=settings.watch_terms, commitments=False),
        *policy_triggers(without_templates(reply.body), where="The reply", extra=settings.watch_terms, terms=False),
        *pii_triggers(reply.body, allow=allow, where="The reply"),
        *impact_triggers(external=external, text=reply.body, what="reply"),
        *injection_triggers([("customer message", message_text)]),
    ]
    terms = list(dict.fromkeys(m.category for m in find_policy_terms(reply.body, extra=settings.watch_terms)))
    signals = Signals(
        external=external,
        low_confidence=analysis.confidence < settings.confidence_threshold,
        model_failure=analysis.model_failure is not None,
        sensitive_pii=list(dict.fromkeys(m.entity for m in pii)),
        policy_terms=terms,
        frustrated=any(t.kind == "router" for t in route.held),
        churn=analysis.churn,
        legal_threat=analysis.legal,
        refund_asked=analysis.refund,
        injection="injection" in _kinds(triggers),
    )
    return combine(
        triggers,
        signals,
        settings,
        policy_version=policy.version,
        confidence=analysis.confidence,
        always_review=always_review,
        sample_key=sample_key or _key(graph, node, message_text, reply),
        held=bool(route.held),
        required=[
            *limit_triggers(reply.body, limits, where="The reply"),
            *outbound_triggers(
                to=reply.to,
                subject="",
                body=reply.body,
                names=names,
                sources=[("customer message", message_text)],
                ticket=ticket or "ticket",
                where="The reply",
            ),
        ],
    )
