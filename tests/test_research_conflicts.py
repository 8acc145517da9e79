"""Conflicts between sources on any claim: Yes/No answers, negations, antonyms and same-unit figures.

The sentences are hand-written for these tests (no evaluation data): each conflict must name both
sources and quote what they say, and sources that agree, or give figures in different units, must not
conflict. Brief reasons describe the real gap: no company facts asked of a topic, no coverage reason
when every source gave a claim.
"""

from __future__ import annotations

import json

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.runnables import Runnable, RunnableLambda

from humangate.agents.offline.contradictions import find_statement_conflicts
from humangate.agents.offline.facts import find_number_conflicts, quantities
from humangate.agents.offline.research import is_company
from humangate.agents.researcher import Researcher
from humangate.core.schemas import Brief, Claim, Conflict, ResearchInput, Source
from humangate.core.text import terms
from humangate.risk import RiskPolicy, assess_brief
from humangate.risk.triggers import brief_quality_triggers


def brief_of(subject: str, *texts: str, question: str = "") -> Brief:
    """Return the offline brief of sources ``a``, ``b``, ... holding ``texts``."""
    sources = [Source(id=chr(ord("a") + i), text=t) for i, t in enumerate(texts)]
    return Researcher().run(ResearchInput(subject=subject, question=question, sources=sources))


def reasons_of(brief: Brief, *texts: str) -> str:
    """Return every trigger reason of ``brief`` under the default policy, joined."""
    sources = [Source(id=chr(ord("a") + i), text=t) for i, t in enumerate(texts)]
    return " ".join(t.reason for t in assess_brief(brief, sources, RiskPolicy()).triggers)


def test_opposite_yes_no_answers_are_a_conflict_naming_both_sources_with_quotes() -> None:
    texts = (
        "Yes, the county library lends laptops to card holders for two weeks.",
        "No, the county library only lends books, films and music.",
    )
    brief = brief_of("county library services", *texts, question="Does the county library lend laptops?")
    [conflict] = [c for c in brief.conflicts if c.kind == "yes_no"]
    assert conflict.source_ids == ["a", "b"]
    assert conflict.quotes == [texts[0], texts[1]]
    reasons = reasons_of(brief, *texts)
    assert 'a: "Yes, the county library lends laptops' in reasons
    assert 'b: "No, the county library only lends books' in reasons


@pytest.mark.parametrize(
    ("first", "second", "cue"),
    [
        (
            "The new reactor design was approved by the national safety board in March.",
            "The new reactor design was not approved by the national safety board.",
            "not approved",
        ),
        (
            "Sea ice extent in the Arctic has increased over the past decade.",
            "Over the past decade, sea ice extent in the Arctic has decreased.",
            "decreased",
        ),
        (
            "Independent auditors confirmed the reported emission cuts at the steel plant.",
            "Independent auditors denied the reported emission cuts at the steel plant.",
            "denied",
        ),
        (
            "The vaccine trial showed the dose can prevent infection in older adults.",
            "The vaccine trial showed the dose cannot prevent infection in older adults.",
            "cannot",
        ),
    ],
)
def test_a_statement_and_its_negation_or_antonym_conflict(first: str, second: str, cue: str) -> None:
    brief = brief_of("the public record", first, second)
    [conflict] = brief.conflicts
    assert conflict.kind == "statement" and conflict.source_ids == ["a", "b"]
    assert cue in conflict.quotes[1] and "'a'" in conflict.description and "'b'" in conflict.description
    assert cue in reasons_of(brief, first, second)


def test_sentences_that_differ_only_in_polarity_within_one_source_are_no_conflict() -> None:
    # A source that says "X, not Y" contradicts nobody; only different sources can disagree.
    sentences = [
        ("a", "The museum opens on Mondays in summer."),
        ("a", "The museum does not open on Mondays in summer."),
    ]
    assert find_statement_conflicts(sentences) == []


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            "Global sea levels rose by about 20 centimetres during the twentieth century.",
            "During the twentieth century, global sea levels rose roughly 20 centimetres.",
        ),
        (
            "The drug did not reduce mortality in the hospital trial.",
            "In the hospital trial, the drug failed to reduce mortality.",
        ),
        (
            "The bakery opened a second shop in the old town.",
            "Tourists queue at the old town cathedral every morning.",
        ),
        (
            "The council does not only repair roads, it also builds cycle lanes.",
            "The council repairs roads and builds cycle lanes.",
        ),
    ],
)
def test_sources_that_agree_or_speak_of_other_things_are_not_flagged(first: str, second: str) -> None:
    brief = brief_of("the public record", first, second)
    assert brief.conflicts == []
    assert "disagree" not in reasons_of(brief, first, second)


def test_figures_in_the_same_unit_on_the_same_subject_conflict() -> None:
    first = "The harbour bridge spans 300 metres across the river."
    second = "The harbour bridge spans 450 metres across the river."
    [conflict] = find_number_conflicts([("a", first), ("b", second)])
    assert conflict.kind == "number" and conflict.source_ids == ["a", "b"]
    assert conflict.values == ["300 metres", "450 metres"] and "(in metres)" in conflict.topic
    assert "300 metres" in conflict.description and "450 metres" in conflict.description
    assert [c.kind for c in brief_of("the harbour bridge", first, second).conflicts] == ["number"]


def test_lengths_in_other_units_are_converted_before_they_are_compared() -> None:
    # 450 feet is about 137 metres: two sources giving 300 m and 450 ft for one bridge disagree.
    first = "The harbour bridge spans 300 metres across the river."
    second = "The harbour bridge spans 450 feet across the river."
    [conflict] = find_number_conflicts([("a", first), ("b", second)])
    assert conflict.source_ids == ["a", "b"] and "300 metres" in conflict.description
    assert "450 feet" in conflict.description


@pytest.mark.parametrize(
    "second",
    [
        "The harbour bridge spans 985 feet across the river.",  # the same length in another unit
        "The harbour bridge spans 310 metres across the river.",  # within rounding of 300
        "The old ferry pier reaches 450 metres into the bay.",  # another subject
        "The harbour bridge spans the river since 1932.",  # a year is no figure with a unit
    ],
)
def test_the_same_figure_in_other_units_rounding_or_other_subjects_do_not_conflict(second: str) -> None:
    first = "The harbour bridge spans 300 metres across the river."
    assert find_number_conflicts([("a", first), ("b", second)]) == []


def test_quantities_read_currency_percent_scale_and_unit_words() -> None:
    found = {(q.unit, q.high) for q in quantities("It raised $3 million, grew 12% and shipped 1,250 crates in 2019.")}
    assert found == {("$", 3e6), ("%", 12.0), (terms("crates")[0], 1250.0)}


def test_a_topic_or_a_claim_gets_no_company_gaps() -> None:
    claim = "The polar bear population has been growing."
    brief = brief_of(claim, "Polar bear numbers are stable in most of the nineteen subpopulations.", question=claim)
    assert not any("founding year" in m or "headcount" in m or "does" in m for m in brief.missing)
    assert "founding year" not in reasons_of(brief, "x")
    company = brief_of("Acme Widgets", "Acme Widgets makes industrial widgets for bakeries in three countries.")
    assert "no source states the founding year" in company.missing


@pytest.mark.parametrize(
    ("subject", "company"),
    [
        ("Lumen Robotics", True),
        ("acme labs", True),
        ("Bank of Lisbon", True),
        ("The polar bear population has been growing.", False),
        ("polar bear populations", False),
        ("Is the sun getting hotter?", False),
    ],
)
def test_is_company(subject: str, company: bool) -> None:
    assert is_company(subject) is company


SHORT = [Source(id=f"s{i}", text=f"Fact number {i} about the county library opening hours.") for i in range(4)]


def test_short_sources_that_each_gave_a_claim_raise_no_coverage_reason() -> None:
    # Before: "Only 100% of the sources contributed a claim" whenever most sources were short.
    brief = Brief(
        subject="county library",
        claims=[Claim(text=s.text, source_ids=[s.id]) for s in SHORT],
        coverage=1.0,
        weak_sources=[s.id for s in SHORT],
        confidence=0.9,
    )
    assert brief_quality_triggers(brief, SHORT) == []


def test_low_coverage_is_worded_with_counts() -> None:
    brief = Brief(
        subject="county library",
        claims=[Claim(text=SHORT[0].text, source_ids=["s0"])],
        coverage=0.25,
        weak_sources=["s2"],
        confidence=0.9,
    )
    [trigger] = brief_quality_triggers(brief, SHORT)
    assert trigger.reason == (
        "Only 1 of 4 sources contributed a claim, and 1 of the other 3 had little usable text; "
        "the brief may rest on too little."
    )


def test_a_long_list_of_conflicts_stays_one_readable_reason() -> None:
    long = "word " * 300
    conflicts = [
        Conflict(topic=f"point {i}", description=long, source_ids=["s0", "s1"], quotes=[long, long]) for i in range(8)
    ]
    brief = Brief(subject="x", claims=[Claim(text="x y z", source_ids=["s0", "s1"])], conflicts=conflicts,
                  coverage=0.5, confidence=0.9)  # fmt: skip
    [trigger] = [t for t in brief_quality_triggers(brief, SHORT) if "disagree" in t.reason]
    assert trigger.reason.startswith('The sources disagree on 8 point(s): point 0 (s0: "word')
    assert "more. A person should decide which to trust." in trigger.reason and len(trigger.reason) <= 1_000


class _Answering(GenericFakeChatModel):
    """Answer a structured-output request with canned JSON, as a model with function calling would."""

    def with_structured_output(self, schema: object, **kwargs: object) -> Runnable[object, object]:
        """Return the fake followed by a wrapper shaped like LangChain's ``include_raw`` output."""
        return self | RunnableLambda(lambda message: {"raw": message, "parsed": None, "parsing_error": None})


def test_a_model_lists_contradictions_with_source_ids_and_the_offline_ones_are_kept() -> None:
    texts = (
        "The ferry runs every hour on Sundays. The harbour bridge spans 300 metres across the river.",
        "The ferry does not run on Sundays. The harbour bridge spans 450 metres across the river.",
        "The harbour cafe serves breakfast from seven.",
    )
    sources = [Source(id=f"port/{n}", text=t) for n, t in zip(("a", "b", "c"), texts, strict=True)]
    said = {
        "topic": "Sunday ferry",
        "kind": "statement",
        "description": "port/a says the ferry runs on Sundays; port/b says it does not.",
        "source_ids": ["port/a", "port/b"],
        "quotes": ["The ferry runs every hour on Sundays.", "The ferry does not run on Sundays."],
    }
    invented = {
        "topic": "cafe hours",
        "description": "They disagree on the cafe.",
        "source_ids": ["port/c", "port/a"],
        "quotes": ["The cafe opens at nine.", "The harbour bridge spans 300 metres across the river."],
    }
    claims = [{"text": "The harbour cafe serves breakfast from seven.", "source_ids": ["port/c"]}]
    answer = {"subject": "x", "claims": claims, "conflicts": [said, invented], "coverage": 1, "confidence": 0.9}
    model = _Answering(messages=iter([AIMessage(content=json.dumps(answer))]))
    brief = Researcher(model).run(ResearchInput(subject="the harbour", sources=sources))
    by_topic = {c.topic: c for c in brief.conflicts}
    assert by_topic["Sunday ferry"].quotes == said["quotes"]
    assert by_topic["cafe hours"].quotes == []  # a quote no source holds is not shown as a source's words
    assert any(c.kind == "number" and set(c.source_ids) == {"port/a", "port/b"} for c in brief.conflicts)
    assert brief.model_failure is None
