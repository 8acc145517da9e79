"""The ``memory`` trigger and earned autonomy: past reviewer decisions adjust a fresh assessment.

Two uses of the correction memory meet here, after the other triggers have run:

- **Memory trigger.** When a similar past proposal was overridden (edited, rejected, redirected or
  escalated) and the new proposal still does what the reviewer corrected (for an edit: it still holds
  a sentence they deleted, a phrase they replaced or a name they removed; for the other overrides:
  it is similar at all), the proposal is reviewed, at least at the level the earlier escalation
  needed, and the trigger's reason tells the reviewer what happened last time.
- **Earned autonomy.** When the newest similar decisions include ``autonomy_after`` approvals of
  proposals held for the same reasons (the same trigger kinds), with no override since, a proposal
  that would have paused passes unreviewed, unless it says something to its reader those approved
  proposals did not (a policy phrase, a payment word, a name none of them held: the kind alone is not
  what a reviewer approved), unless the task or the policy asked for review of every
  proposal, its level is above ``autonomy_max_level``, or it carries injected text or personal data.
  Audit sampling stays on at ``autonomy_sampling_rate``. The next override of a similar proposal ends
  the streak, so one override revokes the autonomy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from humangate.agents.offline.corrections import learn, names_in, violations
from humangate.agents.schemas import CorrectionExample
from humangate.core.contract import READER_KINDS, RISK_LEVELS, ROLES, RiskAssessment, RiskLevel, Trigger, risk_rank
from humangate.memory.redact import redact
from humangate.memory.store import DONE, Match
from humangate.risk.policy import NodeSettings
from humangate.risk.triggers import sampled, sampling_trigger

__all__ = ["MemoryOutcome", "apply_memory", "example_of", "similar_summary"]

_NO_AUTONOMY = frozenset({"injection", "pii"})
_NOT_REASONS = frozenset({"sampling", "memory", "rule"})


@dataclass(frozen=True)
class MemoryOutcome:
    """The assessment after memory, and the similar past decisions to show the reviewer."""

    assessment: RiskAssessment
    similar: list[dict[str, Any]] = field(default_factory=list)
    autonomous: bool = False


def example_of(match: Match) -> CorrectionExample:
    """Return a stored correction in the form agents learn from."""
    c = match.correction
    return CorrectionExample(proposal=c.proposal, corrected=c.corrected, reason_code=c.reason_code, note=c.note)


def similar_summary(match: Match) -> dict[str, Any]:
    """Return what a reviewer sees of an earlier, similar decision."""
    c = match.correction
    return {
        "correction_id": c.id,
        "kind": c.kind,
        "reviewer": c.reviewer,
        "reason_code": c.reason_code,
        "note": c.note,
        "similarity": round(match.similarity, 3),
        "at": c.created_at,
    }


def _still_applies(match: Match, proposal_text: str) -> list[str]:
    """Return what the new proposal still does that the reviewer corrected; empty when it was fixed."""
    c = match.correction
    if c.kind != "edit" or c.corrected is None:
        return [c.note or c.instructions or f"a similar proposal was {DONE.get(c.kind, c.kind)}"]
    lessons = learn([example_of(match)])
    if not (lessons.replacements or lessons.subject_replacements or lessons.deleted or lessons.banned):
        return ["the reviewer rewrote a similar proposal"]
    return violations(proposal_text, lessons)


def _repeats(match: Match, proposal_text: str) -> list[str]:
    """Return the concrete corrections of an edit (swaps, deletions, removed names) the proposal repeats."""
    c = match.correction
    if c.kind != "edit" or c.corrected is None:
        return []
    return violations(proposal_text, learn([example_of(match)]))


def _text(proposal: dict[str, Any]) -> str:
    return "\n".join(v for v in proposal.values() if isinstance(v, str))


_QUOTED = re.compile(r'"([^"\n]{1,80})"')


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _reader_phrases(triggers: Sequence[Trigger]) -> set[str]:
    """Return the words the reader-facing triggers quote: the matched policy phrases and payment words."""
    phrases: set[str] = set()
    for t in triggers:
        if t.kind in READER_KINDS:
            phrases.update(_QUOTED.findall(t.reason))
            phrases.update(e for e in t.evidence if len(e) <= 80 and "\u2026" not in e)
    return {f for p in phrases if (f := _fold(p))}


def _unapproved(triggers: Sequence[Trigger], approved: Sequence[str]) -> list[str]:
    """Return the reader-facing phrases of a proposal that none of the ``approved`` texts said."""
    said = [_fold(a) for a in approved]
    return sorted(p for p in _reader_phrases(triggers) if not any(p in a for a in said))


def _level_for_role(role: str, settings: NodeSettings) -> RiskLevel:
    want = ROLES.index(role) if role in ROLES else 0
    for level in RISK_LEVELS:
        if ROLES.index(settings.roles[level]) >= want:
            return level
    return "critical"


def _memory_trigger(relevant: list[tuple[Match, list[str]]]) -> Trigger:
    match, what = relevant[0]
    c = match.correction
    why = f" ({c.reason_code})" if c.reason_code else ""
    note = f": “{c.note.strip()[:300]}”" if c.note and c.note.strip() else ""
    more = f" {len(relevant) - 1} more similar proposals were overridden too." if len(relevant) > 1 else ""
    reason = f"A similar proposal was {DONE[c.kind]} by {c.reviewer}{why}{note}.{more}"
    evidence = [re.sub(r"\s+", " ", w)[:300] for w in what[:5]]
    return Trigger(kind="memory", reason=reason[:1_000], score=max(0.0, min(1.0, match.similarity)), evidence=evidence)


def apply_memory(
    assessment: RiskAssessment,
    matches: Sequence[Match],
    settings: NodeSettings,
    *,
    proposal_text: str,
    threshold: float,
    always_review: bool = False,
    sample_key: str = "",
    gate_edits: Sequence[Match] = (),
) -> MemoryOutcome:
    """Return ``assessment`` raised by similar overrides or passed by earned autonomy (see module doc).

    ``gate_edits`` are the gate's recent edits whatever their similarity: a proposal that repeats one of
    their concrete corrections (a replaced phrase, a deleted sentence, a removed name) is raised too.
    """
    cut = settings.memory_similarity if settings.memory_similarity is not None else threshold
    near = sorted((m for m in matches if m.similarity >= cut), key=lambda m: -m.correction.created_at)
    similar = [similar_summary(m) for m in near[:5]]
    relevant = [(m, what) for m in near if m.correction.overridden and (what := _still_applies(m, proposal_text))]
    near_ids = {m.correction.id for m in near}
    relevant += [
        (m, what) for m in gate_edits if m.correction.id not in near_ids and (what := _repeats(m, proposal_text))
    ]
    if not near and not relevant:
        return MemoryOutcome(assessment)
    if relevant and settings.memory_trigger:
        level = max(assessment.level, settings.review_from, key=risk_rank)
        for m, _ in relevant:
            if m.correction.kind == "escalate" and m.correction.instructions:
                level = max(level, _level_for_role(m.correction.instructions, settings), key=risk_rank)
        raised = assessment.model_copy(
            update={
                "level": level,
                "score": round(max(assessment.score, settings.thresholds.floor(level)), 4),
                "triggers": [t for t in assessment.triggers if t.kind != "sampling"] + [_memory_trigger(relevant)],
                "needs_review": True,
            }
        )
        return MemoryOutcome(raised, similar)
    # A pattern is similar text held for the same reasons: approvals of proposals that paused for other
    # reasons neither count nor break the streak; any override breaks it.
    kinds = {t.kind for t in assessment.triggers}
    reasons = kinds - _NOT_REASONS
    streak: list[Match] = []
    for m in near:
        if m.correction.overridden:
            break
        if reasons <= set(m.correction.trigger_kinds):
            streak.append(m)
    # Nothing new: a name none of those approved proposals mentioned (a competitor, a product) is for a person.
    seen = set().union(*(names_in(_text(m.correction.proposal)) for m in streak))
    novel = sorted(names_in(redact(proposal_text)) - seen)
    # Held for the same kinds is not approved for the same words: a guarantee is not the price approved before.
    novel += _unapproved(assessment.triggers, [_text(m.correction.proposal) for m in streak])
    earned = (
        assessment.needs_review
        and settings.autonomy_after > 0
        and len(streak) >= settings.autonomy_after
        and not novel
        and not (always_review or settings.always_review)
        and risk_rank(assessment.level) <= risk_rank(settings.autonomy_max_level)
        and not kinds & _NO_AUTONOMY
    )
    if not earned:
        return MemoryOutcome(assessment, similar)
    newest = near[0].correction
    rate = settings.autonomy_sampling_rate
    note = Trigger(
        kind="memory",
        reason=f"Earned autonomy: {len(streak)} similar proposals held for the same reasons were approved unchanged "
        f"(most recently by {newest.reviewer}), so this one passed without review; {rate:.0%} of such passes "
        "are audited.",
        score=0.0,
    )
    triggers = [*(t for t in assessment.triggers if t.kind != "sampling"), note]
    if sampled(sample_key, rate, salt=f"{assessment.policy_version}|autonomy"):
        triggers.append(sampling_trigger(rate))
    passed = assessment.model_copy(update={"triggers": triggers, "needs_review": False})
    return MemoryOutcome(passed, similar, autonomous=True)
