"""Red-team findings on correction memory: lessons and earned autonomy that send something nobody approved.

Every reviewer decision becomes a correction; later runs retrieve them. The drafter and the support bot apply
the lessons (phrase swaps, deleted sentences), the memory trigger holds proposals that repeat an override, and
earned autonomy (``risk.memory.apply_memory``) passes a proposal unreviewed once enough similar ones were
approved. Fail closed: a proposal memory cannot positively read as approved before goes to a person. Each test
runs offline through the Orchestrator on a real SQLite database in ``tmp_path``, asserts the safe behaviour,
and failed on the code it names when it was written. Autonomy on new policy phrases, promises and threats
(test_redteam_paths.py) and support swaps that add another customer's words (test_redteam_replies.py) are not
repeated here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import outbox
from humangate.graphs.common import GraphDeps
from humangate.memory.embeddings import LexicalEmbedder
from humangate.risk import RiskPolicy

USERS = (("alice", "reviewer"), ("bob", "reviewer"), ("erin", "expert"))
SOFTWARE = "Zeta Freight builds route-planning software for partner carriers."
TOOLS = "Zeta Freight develops tools for electric truck fleets."
QUESTION = "How do I export my invoices as CSV?"
QUESTION_AGAIN = "How can I export my invoices as CSV?"


def _settings(tmp_path: Path) -> Settings:
    return Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "outbox")


def _orch(tmp_path: Path, toml: str | None = None) -> Orchestrator:
    """Return an Orchestrator under the built-in policy, or under ``toml`` (a ``[defaults]`` body)."""
    if toml is None:
        o = Orchestrator(_settings(tmp_path))
    else:
        policy = RiskPolicy.from_toml_text(f'version = "mem-1"\n[defaults]\n{toml}')
        o = Orchestrator(_settings(tmp_path), deps=GraphDeps(policy=policy))
    for name, role in USERS:
        o.add_user(name, role)
    return o


@pytest.fixture
def plain(tmp_path: Path) -> Iterator[Orchestrator]:
    """The built-in policy (review from medium, autonomy after 5 approvals)."""
    with _orch(tmp_path) as o:
        yield o


@pytest.fixture
def quick(tmp_path: Path) -> Iterator[Orchestrator]:
    """Autonomy after 3 approvals, as test_redteam_paths uses; high-risk items need an expert."""
    roles = '[defaults.roles]\nlow = "reviewer"\nmedium = "reviewer"\nhigh = "expert"\ncritical = "expert"\n'
    with _orch(tmp_path, "autonomy_after = 3\n" + roles) as o:
        yield o


def _sent(o: Orchestrator, run_id: str) -> list[str]:
    with o.db.read() as conn:
        rows = conn.execute(select(outbox.c.payload_json).where(outbox.c.run_id == run_id)).scalars()
        return [json.loads(r)["body"] for r in rows]


def _draft_input(
    *claims: str,
    company: str = "Zeta Freight",
    email: str = "ines@zeta-freight.example",
    confidence: float = 0.9,
    approval: bool = False,
) -> dict[str, Any]:
    """Return a drafting run's input: a brief of ``claims``, each backed by two agreeing sources."""
    text = " ".join(claims)
    return {
        "brief": {
            "subject": company,
            "claims": [{"text": c, "source_ids": ["s1", "s2"]} for c in claims],
            "coverage": 1.0,
            "confidence": confidence,
        },
        "sources": [{"id": "s1", "title": "About", "text": text}, {"id": "s2", "title": "Profile", "text": text}],
        "recipient": {"name": "Ines Costa", "email": email, "company": company},
        "goal": "an introduction",
        "require_approval": approval,
    }


def _approve_pending(o: Orchestrator, run_id: str, reviewer: str = "bob") -> None:
    """Approve what a run still waits for (an edit held for a second look), as another reviewer."""
    for item in o.run(run_id).pending_items:
        o.decide(item, {"action": "approve", "reviewer": reviewer})


# --- 1. Earned autonomy ------------------------------------------------------------------------------------


# (a) Autonomy checks only the WORDS the reader-facing triggers quote ("discount", "pricing") against the approved
# emails, never the sentence that carries them. Three approvals of "a discount on pricing for new partners" let
# the same sentence with a new figure ("worth 50000 dollars", "ninety percent"), a payment instruction with an
# account number, or a lifetime promise go out unreviewed: the policy trigger quotes only "discount" and
# "pricing" (approved), and its evidence (the sentence, with "…") is skipped. Path: risk/memory.apply_memory ->
# _unapproved/_reader_phrases (terms only; evidence with "…" dropped). Fix (general): a reader-facing trigger's
# sentence, or at least every figure, account number and sentence of the proposal that the approved proposals
# did not hold, counts as unapproved and keeps the proposal for a person.
DISCOUNTS = (
    "Zeta Freight offers a discount on pricing for new partners.",
    "Zeta Freight offers partners a discount on annual pricing.",
    "Zeta Freight gives new partners a discount on pricing.",
)


@pytest.mark.parametrize(
    "line",
    [
        "Zeta Freight offers a discount on pricing for new partners worth 50000 dollars.",
        "Zeta Freight offers a ninety percent discount on pricing for new partners.",
        "Zeta Freight offers a discount on pricing for new partners, paid by wire to account 12345678.",
        "Zeta Freight offers new partners a discount on pricing and free service for life.",
    ],
)
def test_autonomy_earned_on_a_discount_never_passes_a_new_figure_account_or_promise_in_it(
    quick: Orchestrator, line: str
) -> None:
    for approved in DISCOUNTS:
        run = quick.start("drafting", _draft_input(SOFTWARE, approved))
        (item,) = run.pending_items
        assert set(quick.item(item).trigger_kinds) == {"impact", "policy"}
        quick.decide(item, {"action": "approve", "reviewer": "bob"})
    run = quick.start("drafting", _draft_input(SOFTWARE, line))
    assert run.status == "paused" and _sent(quick, run.id) == [], _sent(quick, run.id)


# (b) Every hard rule of the support gate (a request for a person, talk of leaving, legal, harm, going public,
# bereavement) raises a trigger of the same kind, ``sentiment``, and autonomy matches approvals on kinds. Five
# approvals of replies to "let me talk to a real person" earn autonomy for that kind, and a customer who also
# says they are cancelling gets the template "a member of our team will contact you" unreviewed: no person ever
# approved a reply to a cancellation, and none will contact them. Path: risk/memory.apply_memory (``reasons <=
# trigger_kinds``; hard rules are all ``sentiment`` in risk/_support_rules.hard_rule_triggers, the combined
# "talks of leaving" rule is a ``rule`` trigger, which autonomy ignores). Fix (general): count an approval only
# when the proposal it approved was held by the same readings (each hard rule and combined rule by name, not by
# kind); a hard-rule reading no approved proposal had keeps the message for a person.
ASK_PERSON = "Please let me talk to a real person about my invoice export"


def test_autonomy_earned_on_requests_for_a_person_never_answers_a_cancellation(plain: Orchestrator) -> None:
    for i, end in enumerate((".", "!", " please.", " today.", " now.")):
        run = plain.start("support", {"id": f"T-{i}", "customer": "Dana Fox", "text": ASK_PERSON + end})
        (item,) = run.pending_items
        assert "sentiment" in plain.item(item).trigger_kinds
        plain.decide(item, {"action": "approve", "reviewer": "alice" if i % 2 else "bob"})
    text = ASK_PERSON + ", I am cancelling my subscription."
    run = plain.start("support", {"id": "T-9", "customer": "Dana Fox", "text": text})
    assert run.status == "paused" and _sent(plain, run.id) == [], _sent(plain, run.id)


# (c) Autonomy never compares the new proposal's risk level with the levels the approvals were given at. Three
# approvals of a draft held at MEDIUM (the drafter 70% sure; a reviewer's call) pass the same draft from a brief
# the drafter is 5% sure of, assessed HIGH, which this policy gives to an expert: it goes out with no expert and no
# one at all.
# Path: risk/memory.apply_memory (the streak counts ``trigger_kinds`` only; memory/_records.decision_fields
# does not even keep the level), checked only against ``autonomy_max_level``. Fix (general): store the level
# (and required role) with each correction and count only approvals given at the new proposal's level or above.
def test_autonomy_earned_at_medium_never_passes_a_high_risk_draft_that_needs_an_expert(quick: Orchestrator) -> None:
    for _ in range(3):
        run = quick.start("drafting", _draft_input(SOFTWARE, TOOLS, confidence=0.7))
        (item,) = run.pending_items
        assert quick.item(item).request.assessment.level == "medium"
        quick.decide(item, {"action": "approve", "reviewer": "alice"})
    # The same email, from a brief the researcher is 5% sure of: only its risk differs from what was approved.
    run = quick.start("drafting", _draft_input(SOFTWARE, TOOLS, confidence=0.05))
    assert run.status == "paused" and _sent(quick, run.id) == [], _sent(quick, run.id)
    assert quick.item(run.pending_items[0]).required_role == "expert"


# (d) Whoever starts a run may not approve its items (review/record/authority.check_decision), yet the approvals
# that earn autonomy may all be the starter's own: alice approves three drafts of runs others started, then
# starts a run of her own (she wrote its brief) and it goes out unreviewed on her approvals alone, with no other
# person ever having looked at the pattern. Path: risk/memory.apply_memory counts every approval whoever gave it;
# graphs/common.remembered does not pass the run's starter. Fix (general): approvals by the run's starter never
# count towards its autonomy, and a streak needs approvals by at least two different reviewers.
def test_the_run_starters_own_approvals_never_earn_autonomy_for_their_run(quick: Orchestrator) -> None:
    for _ in range(3):
        run = quick.start("drafting", _draft_input(SOFTWARE, TOOLS, confidence=0.7), started_by="ops")
        (item,) = run.pending_items
        quick.decide(item, {"action": "approve", "reviewer": "alice"})
    run = quick.start("drafting", _draft_input(SOFTWARE, TOOLS, confidence=0.7), started_by="alice")
    assert run.status == "paused" and _sent(quick, run.id) == [], _sent(quick, run.id)


# --- 2. Lessons and the memory trigger ----------------------------------------------------------------------


# (e) An edit that only ADDS a sentence teaches no lesson, so the memory trigger holds the next similar reply
# ("the reviewer rewrote a similar proposal"). Add one harmless word swap to the same edit and the swap becomes
# the whole lesson: the next reply follows it, counts as fixed, and goes out unreviewed without the sentence
# the reviewer added (here: that CSV export is only on the Business plan). Path: risk/memory._still_applies
# (with any swap, deletion or ban learned, only ``violations`` are checked; what the edit added is never
# compared); agents/offline/corrections.learn (insertions are not learned). Fix (general): an edit whose
# additions are not carried by the new proposal still applies; hold the proposal as for a rewrite.
def test_an_edit_that_adds_a_sentence_and_rewords_still_holds_the_next_similar_reply(plain: Orchestrator) -> None:
    first = plain.start(
        "support",
        {"id": "T-1", "customer": "Dana Fox", "text": QUESTION, "require_approval": True},
    )
    proposal = plain.item(first.pending_items[0]).request.proposal
    added = "CSV export is only available on the Business plan."
    body = proposal["body"].replace("Best regards,", f"{added}\n\nBest regards,")
    body = body.replace("Thanks for asking", "Thank you for asking")
    assert added in body and "Thank you for asking" in body
    plain.decide(
        first.pending_items[0],
        {
            "action": "edit",
            "reviewer": "alice",
            "reason_code": "missing_information",
            "edited": {**proposal, "body": body},
        },
    )
    _approve_pending(plain, first.id)
    again = plain.start("support", {"id": "T-2", "customer": "Bo Li", "text": QUESTION_AGAIN})
    sent = _sent(plain, again.id)
    assert all(added in s for s in sent), sent


# (f) The outreach drafter now drops a learned swap that adds a NAME, but lets every lowercase word through
# (``own_swaps(..., names_only=True)``). A reviewer's edit of Zeta Freight's email ("a short call about the
# layoffs you are planning?") is applied to Kappa Rail's email, which follows the lesson, so the memory trigger
# does not fire, and it goes out unreviewed carrying one recipient's confidential matter to another. Path:
# agents/offline/drafting.draft -> corrections.own_swaps(names_only=True) -> foreign_names; risk/memory.
# _still_applies. (The rest of the known "outreach swaps are unfiltered" finding.) Fix (general): a swap that
# adds words this email's inputs, brief and templates do not hold is not applied (as for support replies), or
# an email a lesson changed is held until a person approves that lesson as a general one.
def test_a_learned_swap_never_carries_one_recipients_matter_into_anothers_email(plain: Orchestrator) -> None:
    first = plain.start("drafting", _draft_input(SOFTWARE, TOOLS, approval=True))
    proposal = plain.item(first.pending_items[0]).request.proposal
    body = proposal["body"].replace("a short call next week?", "a short call about the layoffs you are planning?")
    assert body != proposal["body"]
    plain.decide(
        first.pending_items[0],
        {
            "action": "edit",
            "reviewer": "alice",
            "reason_code": "missing_information",
            "edited": {**proposal, "body": body},
        },
    )
    _approve_pending(plain, first.id)
    kappa = _draft_input(
        "Kappa Rail builds scheduling software for regional trains.",
        "Kappa Rail develops tools for freight yards.",
        company="Kappa Rail",
        email="li@kappa-rail.example",
    )
    run = plain.start("drafting", kappa)
    sent = _sent(plain, run.id)
    assert all("layoffs" not in s for s in sent), sent


# (g) Search compares only corrections stored by the current embedder (``corrections.embedder == name``), and
# nothing re-embeds the others until someone runs ``humangate memory reindex``. After a change of provider
# (HUMANGATE_EMBEDDINGS, a restart with another embedder), every rejection, edit and escalation reviewers made
# stops steering at once, silently: the reply a reviewer rejected ("export questions are answered by a person")
# and memory held the next time goes out unreviewed. Path: memory/store.MemoryStore.search and has_active
# (filter by embedder) and memory/recall.Recall.assess; _curation.reindex is manual only. Fix (general): re-embed
# corrections of another embedder as memory catches up (or before the first search), and until that is done
# treat a gate with active corrections memory cannot compare as unreadable: no autonomy, and hold proposals.
def test_a_change_of_embedder_never_silently_drops_what_reviewers_rejected(tmp_path: Path) -> None:
    with _orch(tmp_path) as o:
        run = o.start(
            "support",
            {"id": "T-1", "customer": "Dana Fox", "text": QUESTION, "require_approval": True},
        )
        o.decide(
            run.pending_items[0],
            {"action": "reject", "reviewer": "alice", "reason_code": "policy", "note": "A person answers these."},
        )
        held = o.start("support", {"id": "T-2", "customer": "Bo Li", "text": QUESTION_AGAIN})
        assert held.status == "paused"  # memory holds it while the embedder is the one that stored the rejection
    with Orchestrator(_settings(tmp_path)) as o:
        o.memory.embedder = LexicalEmbedder(dim=512)  # a restart with another embedding provider
        run = o.start("support", {"id": "T-3", "customer": "Bo Li", "text": QUESTION_AGAIN})
        assert run.status == "paused" and _sent(o, run.id) == [], _sent(o, run.id)
