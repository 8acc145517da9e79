"""The memory trigger and earned autonomy as pure functions over past corrections."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from humangate.core.contract import RiskAssessment, Trigger
from humangate.memory.store import Correction, Match, signatures_of
from humangate.risk import RiskPolicy
from humangate.risk.memory import apply_memory

SETTINGS = RiskPolicy.from_toml_text("[defaults]\nautonomy_after = 3\n").settings("drafting", "review_send")
BODY = "Hi <PERSON>,\n\nAcme builds robots for small farms.\n\nBest,\nThe team"
HELD = RiskAssessment(
    level="medium",
    score=0.4,
    confidence=0.7,
    triggers=[Trigger(kind="confidence", reason="The drafter is unsure.", score=0.4)],
    needs_review=True,
    policy_version="t",
)


def _match(n: int, kind: str = "approve", *, body: str = BODY, corrected: dict[str, Any] | None = None,
           held: RiskAssessment = HELD, similarity: float = 0.9) -> Match:  # fmt: skip
    """Return a past decision on a proposal held as ``held`` was, by alice or bob (two reviewers earn autonomy)."""
    correction = Correction(
        id=n,
        graph="drafting",
        node="review_send",
        kind=kind,
        reviewer=("alice", "bob")[n % 2] if kind == "approve" else "alice",
        reason_code=None if kind == "approve" else "policy",
        note=None if kind == "approve" else "No competitors.",
        situation="",
        proposal={"subject": "Hello", "body": body},
        corrected=corrected,
        instructions=None,
        key_text=body,
        active=True,
        created_at=1000.0 + n,
        item_id=n,
        run_id=f"r{n}",
        trigger_kinds=tuple(t.kind for t in held.triggers),
        signatures=tuple(signatures_of([t.model_dump() for t in held.triggers])),
        level=held.level,
    )
    return Match(correction, similarity)


def _apply(matches: list[Match], text: str = BODY, **kw: Any) -> Any:
    return apply_memory(HELD, matches, SETTINGS, proposal_text=text, threshold=0.5, sample_key="k", **kw)


def test_three_similar_approvals_for_the_same_reasons_earn_autonomy() -> None:
    out = _apply([_match(1), _match(2), _match(3)])
    assert out.autonomous and not out.assessment.needs_review and out.assessment.level == "medium"
    assert any("Earned autonomy: 3 similar proposals" in t.reason for t in out.assessment.triggers)


def test_approvals_held_for_other_reasons_or_below_the_similarity_do_not_count() -> None:
    policy = HELD.model_copy(update={"triggers": [Trigger(kind="policy", reason="A price.", score=0.4)]})
    assert not _apply([_match(1), _match(2), _match(3, held=policy)]).autonomous
    assert not _apply([_match(1), _match(2), _match(3, similarity=0.2)]).autonomous


def test_a_name_no_approved_proposal_mentioned_keeps_it_for_a_person() -> None:
    text = BODY.replace("small farms.", "small farms, and they left Globex last year.")
    assert not _apply([_match(1), _match(2), _match(3)], text).autonomous


def test_the_newest_override_revokes_autonomy_and_raises_the_proposal() -> None:
    edited = {"subject": "Hello", "body": BODY.replace("Acme builds robots for small farms.", "Acme builds robots.")}
    out = _apply([_match(1), _match(2), _match(3), _match(4, "reject")])
    assert not out.autonomous and out.assessment.needs_review
    memory = [t for t in out.assessment.triggers if t.kind == "memory"]
    assert memory and "rejected by alice (policy)" in memory[0].reason and "No competitors." in memory[0].reason
    # An edit whose lesson the proposal already follows does not raise it again.
    fixed = _apply([_match(1), _match(2), _match(4, "edit", corrected=edited)], edited["body"])
    assert not any(t.kind == "memory" for t in fixed.assessment.triggers)


def test_a_recent_edit_at_the_gate_raises_a_proposal_that_repeats_it_whatever_its_similarity() -> None:
    before = "Hi <PERSON>,\n\nZed builds boats. They moved their billing from Rivalsoft last year.\n\nBest,\nThe team"
    after = "Hi <PERSON>,\n\nZed builds boats.\n\nBest,\nThe team"
    edit = _match(9, "edit", body=before, corrected={"subject": "Hello", "body": after}, similarity=0.0)
    repeat = "Hi Dana,\n\nAcme builds robots. Acme moved off Rivalsoft in 2024.\n\nBest,\nThe team"
    out = _apply([], repeat, gate_edits=[edit])
    [trigger] = [t for t in out.assessment.triggers if t.kind == "memory"]
    assert "Rivalsoft" in " ".join(trigger.evidence)


def test_a_task_that_asks_for_approval_is_never_passed_by_autonomy() -> None:
    assert not _apply([_match(1), _match(2), _match(3)], always_review=True).autonomous


def test_autonomy_counts_approvals_only_for_the_same_readings_at_this_level_or_higher() -> None:
    # Same kind, another reading: "confidence" held for another reason is not what was approved.
    other = HELD.model_copy(
        update={"triggers": [Trigger(kind="confidence", reason="The sources disagree.", score=0.4)]}
    )
    assert not _apply([_match(1), _match(2), _match(3, held=other)]).autonomous
    # Approved at medium vouches for medium and below, never for high.
    high = HELD.model_copy(update={"level": "high"})
    assert not apply_memory(
        high, [_match(1), _match(2), _match(3)], SETTINGS, proposal_text=BODY, threshold=0.5
    ).autonomous
    # A correction stored before signatures and levels were kept never counts.
    bare = [Match(replace(m.correction, signatures=(), level=None), 0.9) for m in (_match(1), _match(2), _match(3))]
    assert not _apply(bare).autonomous


def test_autonomy_needs_two_reviewers_other_than_the_runs_starter() -> None:
    alone = [Match(replace(m.correction, reviewer="alice"), 0.9) for m in (_match(1), _match(2), _match(3))]
    assert not _apply(alone).autonomous
    assert not _apply([_match(1), _match(2), _match(3)], starter="bob").autonomous  # bob's own approvals do not count
    assert _apply([_match(1), _match(2), _match(3), _match(5)], starter="carol").autonomous


def test_a_figure_or_a_written_out_number_no_approval_held_keeps_it_for_a_person() -> None:
    for text in (BODY.replace("small farms", "500 small farms"), BODY.replace("small farms", "fifty small farms")):
        assert not _apply([_match(1), _match(2), _match(3)], text).autonomous


def test_corrections_another_embedder_stored_hold_the_proposal_and_stop_autonomy() -> None:
    out = _apply([_match(1), _match(2), _match(3)], unreadable={"lexical-v1": 4})
    assert not out.autonomous and out.assessment.needs_review
    [memory] = [t for t in out.assessment.triggers if t.kind == "memory"]
    assert "humangate memory reindex" in memory.reason
