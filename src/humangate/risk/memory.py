"""The ``memory`` trigger and earned autonomy: past reviewer decisions adjust a fresh assessment.

Two uses of the correction memory meet here, after the other triggers have run:

- **Memory trigger.** When a similar past proposal was overridden (edited, rejected, redirected or
  escalated) and the new proposal still does what the reviewer corrected (for an edit: it still holds
  a sentence they deleted, a phrase they replaced or a name they removed, or it lacks a sentence like
  one they added; for the other overrides: it is similar at all), the proposal is reviewed, at least
  at the level the earlier escalation needed, and the trigger's reason tells the reviewer what happened
  last time.
- **Earned autonomy.** When the newest similar decisions include ``autonomy_after`` approvals of
  proposals held for the same readings (trigger signatures: kind and reason, see ``memory._held``) at
  this proposal's risk level or higher, given by at least two reviewers other than the run's starter,
  with no override since, a proposal that would have paused passes unreviewed, unless it says something
  those approved proposals did not (a policy phrase or a sentence carrying one, a figure or account
  number, a name: see ``risk._autonomy``), unless the task or the policy asked for review of every
  proposal, its level is above ``autonomy_max_level``, or it carries injected text or personal data.
  Audit sampling stays on at ``autonomy_sampling_rate``. The next override of a similar proposal ends
  the streak, so one override revokes the autonomy. A gate whose corrections memory cannot compare
  (stored by another embedder) gets no autonomy and holds its proposals (``memory.recall``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from humangate.agents.offline.corrections import added_sentences, learn, missing_additions, violations
from humangate.core.contract import RISK_LEVELS, ROLES, RiskAssessment, RiskLevel, Trigger, risk_rank
from humangate.core.schemas import CorrectionExample
from humangate.memory.store import DONE, Match
from humangate.risk._autonomy import MIN_REVIEWERS, novel_content, reviewers_of, streak_of
from humangate.risk.policy import NodeSettings
from humangate.risk.triggers import sampled, sampling_trigger

__all__ = ["MemoryOutcome", "apply_memory", "example_of", "similar_summary"]

_NO_AUTONOMY = frozenset({"injection", "pii"})


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
    example = example_of(match)
    lessons = learn([example])
    if not (lessons.replacements or lessons.subject_replacements or lessons.deleted or lessons.banned):
        return ["the reviewer rewrote a similar proposal"]
    # Following the swaps is not taking the edit in: a sentence the reviewer added must be there too.
    return violations(proposal_text, lessons) + missing_additions(proposal_text, added_sentences(example))


def _repeats(match: Match, proposal_text: str) -> list[str]:
    """Return the concrete corrections of an edit (swaps, deletions, removed names) the proposal repeats."""
    c = match.correction
    if c.kind != "edit" or c.corrected is None:
        return []
    return violations(proposal_text, learn([example_of(match)]))


def _text(proposal: dict[str, Any]) -> str:
    return "\n".join(v for v in proposal.values() if isinstance(v, str))


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


def _unreadable_trigger(unreadable: Mapping[str, int]) -> Trigger:
    n = sum(unreadable.values())
    which = ", ".join(sorted(unreadable))
    return Trigger(
        kind="memory",
        reason=f"Memory holds {n} correction(s) at this step stored by another embedder ({which}) that the current "
        "one cannot compare, so what reviewers taught here cannot be checked: no earned autonomy until an "
        "operator runs `humangate memory reindex`.",
        score=1.0,
        evidence=[f"{name}: {count}" for name, count in sorted(unreadable.items())][:5],
    )


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
    starter: str | None = None,
    unreadable: Mapping[str, int] | None = None,
) -> MemoryOutcome:
    """Return ``assessment`` raised by similar overrides or passed by earned autonomy (see module doc).

    ``gate_edits`` are the gate's recent edits whatever their similarity: a proposal that repeats one of
    their concrete corrections (a replaced phrase, a deleted sentence, a removed name) is raised too.
    ``starter`` started the run: their own approvals never earn it autonomy. ``unreadable`` counts the gate's
    active corrections by embedders search cannot compare with: while there are any, no autonomy, and the
    memory trigger holds the proposal (what they say cannot be checked until memory is reindexed).
    """
    cut = settings.memory_similarity if settings.memory_similarity is not None else threshold
    near = sorted((m for m in matches if m.similarity >= cut), key=lambda m: -m.correction.created_at)
    similar = [similar_summary(m) for m in near[:5]]
    relevant = [(m, what) for m in near if m.correction.overridden and (what := _still_applies(m, proposal_text))]
    near_ids = {m.correction.id for m in near}
    relevant += [
        (m, what) for m in gate_edits if m.correction.id not in near_ids and (what := _repeats(m, proposal_text))
    ]
    stale = _unreadable_trigger(unreadable) if unreadable else None
    if not near and not relevant and stale is None:
        return MemoryOutcome(assessment)
    if (relevant or stale) and settings.memory_trigger:
        level = max(assessment.level, settings.review_from, key=risk_rank)
        for m, _ in relevant:
            if m.correction.kind == "escalate" and m.correction.instructions:
                level = max(level, _level_for_role(m.correction.instructions, settings), key=risk_rank)
        raised = assessment.model_copy(
            update={
                "level": level,
                "score": round(max(assessment.score, settings.thresholds.floor(level)), 4),
                "triggers": [t for t in assessment.triggers if t.kind != "sampling"]
                + ([_memory_trigger(relevant)] if relevant else [])
                + ([stale] if stale else []),
                "needs_review": True,
            }
        )
        return MemoryOutcome(raised, similar)
    if stale:  # memory cannot read all it was taught here: it vouches for nothing
        return MemoryOutcome(assessment, similar)
    # A pattern is similar text held for the same readings at this risk or higher, approved by people other
    # than the run's starter: other approvals neither count nor break the streak; any override breaks it.
    streak = streak_of(near, assessment, starter=starter)
    # Held for the same readings is not approved for the same words: a new figure, a new sentence with a
    # policy phrase, a name none of the approved proposals held is for a person.
    novel = novel_content(proposal_text, assessment.triggers, [_text(m.correction.proposal) for m in streak])
    kinds = {t.kind for t in assessment.triggers}
    earned = (
        assessment.needs_review
        and settings.autonomy_after > 0
        and len(streak) >= settings.autonomy_after
        and len(reviewers_of(streak)) >= MIN_REVIEWERS
        and not novel
        and not (always_review or settings.always_review)
        and risk_rank(assessment.level) <= risk_rank(settings.autonomy_max_level)
        and not kinds & _NO_AUTONOMY
    )
    if not earned:
        return MemoryOutcome(assessment, similar)
    newest = streak[0].correction
    rate = settings.autonomy_sampling_rate
    note = Trigger(
        kind="memory",
        reason=f"Earned autonomy: {len(streak)} similar proposals held for the same reasons were approved unchanged "
        f"by {len(reviewers_of(streak))} reviewers (most recently by {newest.reviewer}), so this one passed without "
        f"review; {rate:.0%} of such passes are audited.",
        score=0.0,
    )
    triggers = [*(t for t in assessment.triggers if t.kind != "sampling"), note]
    if sampled(sample_key, rate, salt=f"{assessment.policy_version}|autonomy"):
        triggers.append(sampling_trigger(rate))
    passed = assessment.model_copy(update={"triggers": triggers, "needs_review": False})
    return MemoryOutcome(passed, similar, autonomous=True)
