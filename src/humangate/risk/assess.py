"""From proposal to ``RiskAssessment``: the triggers of a brief, a draft and a support reply.

Each ``assess_*`` runs the triggers that read its kind of proposal and collects the ``Signals`` the combined
rules read; ``risk.combine`` turns both into the level, the review decision and audit sampling. What a draft
would send passes ``risk.outgoing.check_outgoing``, the checks every graph's outgoing messages share.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from humangate.core.contract import RiskAssessment, Trigger, TriggerKind
from humangate.core.schemas import (
    AmountLimit,
    Brief,
    EmailDraft,
    EscalationJudgement,
    Source,
    SupportAnalysis,
    SupportReply,
)
from humangate.risk.combine import Signals, combine
from humangate.risk.confirmations import confirmation_triggers
from humangate.risk.directives import directive_triggers
from humangate.risk.escalation import escalation, without_templates
from humangate.risk.injection import injection_triggers
from humangate.risk.outgoing import check_outgoing
from humangate.risk.policy import RiskPolicy
from humangate.risk.reply_facts import reply_fact_triggers
from humangate.risk.reply_scope import reply_scope_triggers
from humangate.risk.triggers import (
    brief_quality_triggers,
    confidence_triggers,
    draft_support_triggers,
    model_failure_triggers,
)

if TYPE_CHECKING:
    from humangate.risk.router.source import RouterSource

__all__ = ["assess_brief", "assess_draft", "assess_support"]


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
            # A title is source text the model reads too (a "# " heading, <title>, document metadata).
            [(f"source {s.id}" + (f" ({s.title})" if s.title else ""), f"{s.title}\n\n{s.text}") for s in sources],
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
    directives: Sequence[str] = (),
) -> RiskAssessment:
    """Assess an outbound email against its brief: the checks of every outgoing message, confidence, figures.

    ``risk.outgoing.check_outgoing`` runs the checks every graph's messages pass (terms, personal data,
    impact, injected text, an amount over one of the task's ``limits``, what ``risk.outbound`` holds);
    ``expected`` names values the email should contain (recipient's and sender's names) besides the
    recipient's address and the names in the greeting and signature. On top come the drafter's failure
    and confidence and the figures the brief does not back, and each of the task's ``directives`` ("mention
    our free pilot") the email does not show, which holds it (``risk.directives``).
    """
    settings = policy.settings(graph, node)
    # The recipient, the greeting and signature names and the company researched are meant to be there.
    checks = check_outgoing(
        to=draft.to,
        subject=draft.subject,
        body=draft.body,
        settings=settings,
        external=external,
        payment=payment,
        irreversible=irreversible,
        allow=[brief.subject, *expected],
        names=names,
        sources=[(f"source {s.id}", s.text) for s in sources],
        known_injections=[(f"source {f.source_id}", f"{f.pattern}: {f.excerpt}") for f in brief.injections],
        limits=limits,
    )
    triggers = [
        *model_failure_triggers(draft.model_failure, what="the drafter"),
        *confidence_triggers(draft.confidence, settings.confidence_threshold, what="The drafter"),
        *checks.triggers,
        *draft_support_triggers(draft, brief),
    ]
    signals = replace(
        checks.signals,
        low_confidence=draft.confidence < settings.confidence_threshold,
        model_failure=draft.model_failure is not None,
        unsupported_claims=any(t.kind == "data_quality" and "figure" in t.reason for t in triggers),
    )
    return combine(
        triggers,
        signals,
        settings,
        policy_version=policy.version,
        confidence=draft.confidence,
        always_review=always_review,
        sample_key=sample_key or _key(graph, node, draft),
        required=[*checks.required, *directive_triggers(directives, subject=draft.subject, body=draft.body)],
    )


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
    directives: Sequence[str] = (),
) -> RiskAssessment:
    """Assess a reply to a customer: whether a person must answer, terms and data, injected text, limits.

    Whether a person must answer is the escalation router's call on the customer's words (and the last
    turns of their thread, ``history``), with legal, harm, handoff and churn always escalating on top
    (``risk.escalation``); a router that cannot score holds the message. ``routers`` gives the gate's
    active refit (learned from reviewers' decisions); without it, the shipped router decides. ``judgement``
    is a chat model's second opinion on a message the router was unsure of (``risk.cascade``): its call for
    a person holds it.

    The reply passes the checks every outgoing message passes (``risk.outgoing.check_outgoing``), read in
    the customer's message too for injected instructions. It goes back on the customer's ticket (``ticket``,
    its id), so a customer known by name alone is a recipient; ``risk.outbound`` holds bad headers, links,
    requests for credentials and text lifted from the customer's message that speaks to the reader.
    """
    settings = policy.settings(graph, node)
    route = escalation(analysis, message_text, settings, history, judgement, routers=routers, graph=graph, node=node)
    # Wording the customer used themselves ("refund") is their request, not the reply's promise; the
    # analyst's own template sentences ("I'll update you") are the product's standing promise, not a new one.
    checks = check_outgoing(
        to=reply.to,
        subject="",
        body=reply.body,
        settings=settings,
        where="The reply",
        what="reply",
        external=external,
        allow=expected,
        names=names,
        sources=[("customer message", message_text)],
        limits=limits,
        ticket=ticket or "ticket",
        promises_in=without_templates(reply.body),
        also_injection=[("customer message", message_text)],
    )
    triggers = [
        *model_failure_triggers(analysis.model_failure, what="the support analyst"),
        *confidence_triggers(analysis.confidence, settings.confidence_threshold, what="The support analyst"),
        *route.triggers,
        *checks.triggers,
    ]
    signals = replace(
        checks.signals,
        low_confidence=analysis.confidence < settings.confidence_threshold,
        model_failure=analysis.model_failure is not None,
        frustrated=any(t.kind == "router" for t in route.held),
        churn=analysis.churn,
        legal_threat=analysis.legal,
        refund_asked=analysis.refund,
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
            *checks.required,
            *confirmation_triggers(reply.body, message_text),
            *directive_triggers(directives, subject="", body=reply.body, what="reply"),
            # A figure (a date, a version, an amount) nobody gave is the reply's own claim: a person checks it.
            *reply_fact_triggers(
                reply.body, [message_text, *history, ticket, reply.to, *expected, *(v for _, v in names), *directives]
            ),
            # What a model's free text decides on its own: another language, a dated promise, a new name.
            *reply_scope_triggers(
                without_templates(reply.body),
                reply.body,
                said=[message_text, *history],
                known=[ticket, reply.to, *expected, *(v for _, v in names), *directives],
                directives=directives,
            ),
        ],
    )
