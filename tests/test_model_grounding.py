"""Controls for the model path's grounding checks: faithful model output still passes, unfaithful output does not.

The red-team cases (``test_redteam_model.py``) show a reversed, invented or scattered claim, a model "conflict" that
hides a real one and an invented drafted sentence are stopped; these show what a faithful model says still goes
through: a paraphrased claim, a claim joining two adjacent sentences, a draft that restates the brief in its own
words, and a model conflict that is a real one.
"""

from __future__ import annotations

from typing import Any

import pytest

from humangate.agents.drafter import Drafter
from humangate.agents.offline import research
from humangate.agents.researcher import Researcher
from humangate.agents.validation import grounded
from humangate.core.schemas import Brief, DraftInput, Recipient, ResearchInput, Source
from humangate.data.demo import demo_sources
from tests.test_agents_llm import answering

LUMEN = demo_sources("Lumen Robotics")
ABOUT = [s for s in LUMEN if s.id == "lumen-robotics/about"]


@pytest.mark.parametrize(
    "claim",
    [
        "Lumen Robotics designs autonomous picking robots for warehouses.",  # verbatim
        "Lumen Robotics designs picking robots for warehouses.",  # shortened
        "Lumen Robotics, based in Porto, Portugal, was founded in 2014.",  # reordered
        "Lumen Robotics has 120 employees, most of them engineers.",  # reworded
        "Lumen Robotics designs autonomous picking robots and was founded in 2014.",  # two adjacent sentences
    ],
)
def test_a_faithful_claim_is_grounded(claim: str) -> None:
    assert grounded(claim, ABOUT)


@pytest.mark.parametrize(
    "claim",
    [
        "Lumen Robotics never designed autonomous picking robots for warehouses.",  # reversed
        "Lumen Robotics no longer sells its robots as a monthly subscription.",  # reversed
        "Lumen Robotics was founded in 2015 and is headquartered in Porto, Portugal.",  # a number not there
        "Lumen Robotics was sued by warehouse staff in Porto.",  # an allegation nobody made
        "Lumen Robotics discontinued its monthly subscription.",  # a reversal verb
        # Every word is on the page, but no sentence (or two adjacent) says it.
        "Lumen Robotics engineers learn monthly maintenance in Porto.",
    ],
)
def test_an_unfaithful_claim_is_not_grounded(claim: str) -> None:
    assert not grounded(claim, ABOUT)


def test_a_source_that_negates_grounds_the_claim_that_negates_alike() -> None:
    source = [Source(id="a", title="A", text="Acme Tools does not sell its drills online. It sells them in stores.")]
    assert grounded("Acme Tools does not sell drills online.", source)
    assert not grounded("Acme Tools sells its drills online.", source)


def test_a_faithful_model_brief_keeps_its_claims() -> None:
    inp = ResearchInput(subject="Lumen Robotics", question="What do they sell?", sources=LUMEN)
    claims = [
        {"text": "Lumen Robotics designs picking robots for warehouses.", "source_ids": ["lumen-robotics/about"]},
        {"text": "Lumen Robotics has 120 employees, most of them engineers.", "source_ids": ["lumen-robotics/about"]},
    ]
    answer = research(inp).model_dump(mode="json") | {"claims": claims}
    brief = Researcher(answering(answer)).run(inp)
    assert brief.model_failure is None and [c.text for c in brief.claims] == [c["text"] for c in claims]


def test_a_models_real_conflict_is_kept_next_to_the_offline_ones() -> None:
    inp = ResearchInput(subject="Lumen Robotics", question="What do they sell?", sources=LUMEN)
    offline = research(inp)
    real = {
        "topic": "company size",
        "description": "The sources do not agree on how many people work there.",
        "source_ids": ["lumen-robotics/about", "lumen-robotics/news-profile"],
        "values": ["120", "450"],
    }
    invented = real | {"topic": "revenue", "values": ["9 million", "12 million"], "description": "Revenue differs."}
    agreeing = real | {"topic": "location", "values": ["Porto", "Porto"], "description": "Both say Porto."}
    again = offline.conflicts[0].model_dump(mode="json")  # the offline one, listed again by the model
    answer = offline.model_dump(mode="json") | {"conflicts": [real, invented, agreeing, again]}
    brief = Researcher(answering(answer)).run(inp)
    assert brief.conflicts[: len(offline.conflicts)] == offline.conflicts  # every offline conflict stays
    extra = {c.topic: c.values for c in brief.conflicts[len(offline.conflicts) :]}
    # Unbacked values dropped, the "agreeing" one dropped, the offline one not listed twice.
    assert extra == {"company size": ["120", "450"], "revenue": []}
    assert len(brief.conflicts) == len(offline.conflicts) + 2


ACME = [
    Source(
        id="acme/about",
        title="About Acme Tools",
        text="Acme Tools makes cordless drills for builders. "
        "Acme Tools sells its drills in hardware stores across Spain.",
    )
]
ADA = Recipient(name="Ada Park", email="ada@acme.example", company="Acme Tools", role="Buyer")


def _acme() -> DraftInput:
    brief = research(ResearchInput(subject="Acme Tools", question="What do they sell?", sources=ACME))
    return DraftInput(brief=Brief.model_validate(brief.model_dump() | {"confidence": 0.95}), recipient=ADA)


def _email(body: str, subject: str = "Quick introduction for Acme Tools") -> dict[str, Any]:
    return {"to": "x", "subject": subject, "body": body, "claims_used": [0, 1], "confidence": 0.9}


def test_a_faithful_model_draft_in_its_own_words_goes_out() -> None:
    body = (
        "Hi Ada,\n\nI hope this finds you well. I saw that Acme Tools makes cordless drills for builders and sells "
        "them in hardware stores across Spain.\n\nWould you be open to a short call next week?\n\n"
        "Looking forward to hearing from you.\n\nBest,\nThe team"
    )
    email = Drafter(answering(_email(body, "Hello Ada"))).run(_acme())
    assert email.model_failure is None and email.body == body


@pytest.mark.parametrize(
    "sentence",
    [
        "Acme Tools no longer makes cordless drills for builders.",  # reversed
        "Acme Tools makes the best cordless drills for builders in Europe.",  # embellished
        "Acme Tools sells its drills in 40 hardware stores across Spain.",  # a figure nobody gave
        "Acme Tools recalled its cordless drills in Spain.",  # an allegation
    ],
)
def test_a_model_draft_sentence_the_brief_does_not_hold_falls_back(sentence: str) -> None:
    body = f"Hi Ada,\n\nAcme Tools makes cordless drills for builders. {sentence}\n\nCould we talk next week?"
    body += "\n\nBest,\nThe team"
    inp = _acme()
    email = Drafter(answering(_email(body))).run(inp)
    assert email.model_failure is not None and "state what the brief's usable claims do not" in email.model_failure
    assert email.body == Drafter().run(inp).body
