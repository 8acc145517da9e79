"""Disagreements the red team found missed: units, years, quantifiers and exclusive company attributes.

Each miss is a pair of hand-written sentences from two sources (no evaluation data) that cannot both be
true: a duration or a length in another unit ("within 24 hours" / "3 days"; "10 km" / "10 miles"), two
years for one event ("certified in 2021" / "in 2023"), "all" against a part of the same thing ("all
electric" / "half ... diesel"), or two company attributes that exclude each other ("private" / "listed
on the Nasdaq"). Every miss has controls next to it, sentences that agree or speak of another thing, since
a false conflict sends every brief to a person. The last tests run the research graph end to end.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from humangate import Orchestrator, Settings
from humangate.agents.offline.clashes import find_clashes
from humangate.agents.offline.facts import find_number_conflicts
from humangate.agents.researcher import Researcher
from humangate.core.schemas import Brief, Conflict, ResearchInput, Source
from humangate.tasks import plan_task, start_planned


def brief_of(subject: str, *texts: str) -> Brief:
    """Return the offline brief of sources ``a``, ``b``, ... holding ``texts``."""
    sources = [Source(id=chr(ord("a") + i), text=t) for i, t in enumerate(texts)]
    return Researcher().run(ResearchInput(subject=subject, sources=sources))


def clashes(first: str, second: str, company: str = "") -> list[Conflict]:
    """Return what ``find_clashes`` finds between source ``a`` saying ``first`` and ``b`` saying ``second``."""
    return find_clashes([("a", first), ("b", second)], company=company)


def numbers(first: str, second: str) -> list[Conflict]:
    """Return what ``find_number_conflicts`` finds between ``a`` saying ``first`` and ``b`` saying ``second``."""
    return find_number_conflicts([("a", first), ("b", second)], company=False)


def assert_one_quoting_both(found: list[Conflict], first: str, second: str) -> None:
    """Assert one conflict, naming ``a`` and ``b`` and quoting each sentence whole."""
    [conflict] = found
    assert conflict.source_ids == ["a", "b"]
    assert conflict.quotes == [first, second]
    assert f'"{first}"' in conflict.description and f'"{second}"' in conflict.description


# --- 1. Durations in different units ------------------------------------------------------------------------

DURATIONS = [
    (
        "Zeta Freight delivers within 24 hours anywhere in Portugal.",
        "Delivery with Zeta Freight takes 3 days anywhere in Portugal.",
    ),
    ("The ferry crossing to the island takes 90 minutes.", "The ferry crossing to the island takes 3 hours."),
    ("The warranty on the heat pump lasts 2 years.", "The warranty on the heat pump lasts 6 months."),
]
SAME_DURATIONS = [
    (  # the same time in another unit
        "Zeta Freight delivers within 24 hours anywhere in Portugal.",
        "Delivery with Zeta Freight takes 1 day anywhere in Portugal.",
    ),
    (  # "within" is a bound: 36 hours is within 2 days
        "Zeta Freight delivers within 2 days anywhere in Portugal.",
        "Delivery with Zeta Freight takes 36 hours anywhere in Portugal.",
    ),
    ("The ferry crossing to the island takes 90 minutes.", "The ferry crossing to the island takes 1.5 hours."),
    ("The ferry crossing to the island takes 90 minutes.", "The bus ride to the airport takes 3 hours."),
    ("The island trail is 10 km long.", "The island trail takes 3 hours to walk."),  # a length is no duration
]


@pytest.mark.parametrize(("first", "second"), DURATIONS)
def test_durations_in_different_units_that_differ_conflict(first: str, second: str) -> None:
    assert_one_quoting_both(numbers(first, second), first, second)


@pytest.mark.parametrize(("first", "second"), SAME_DURATIONS)
def test_the_same_duration_in_another_unit_or_another_subject_is_no_conflict(first: str, second: str) -> None:
    assert numbers(first, second) == []
    assert brief_of("the public record", first, second).conflicts == []


# --- 5. Lengths in different units --------------------------------------------------------------------------

LENGTHS = [
    (
        "The coastal trail from Porto to Matosinhos is 10 km long.",
        "The coastal trail from Porto to Matosinhos is 10 miles long.",
    ),
    ("The tunnel under the river is 2 km long.", "The tunnel under the river is 600 metres long."),
]
SAME_LENGTHS = [
    (
        "The coastal trail from Porto to Matosinhos is 10 km long.",
        "The coastal trail from Porto to Matosinhos is 6.2 miles long.",
    ),
    ("The harbour bridge spans 300 metres across the river.", "The harbour bridge spans 985 feet across the river."),
    ("The tunnel under the river is 2 km long.", "The tunnel under the river is 2,000 m long."),
]


@pytest.mark.parametrize(("first", "second"), LENGTHS)
def test_lengths_in_different_units_that_differ_conflict(first: str, second: str) -> None:
    assert_one_quoting_both(numbers(first, second), first, second)


@pytest.mark.parametrize(("first", "second"), SAME_LENGTHS)
def test_the_same_length_in_another_unit_is_no_conflict(first: str, second: str) -> None:
    assert numbers(first, second) == []


def test_a_converted_conflict_shows_each_figure_as_written() -> None:
    [conflict] = numbers(*LENGTHS[0])
    assert conflict.kind == "number" and conflict.values == ["10 km", "10 miles"]


# --- 2. Two years for one event -----------------------------------------------------------------------------

YEARS = [
    ("Zeta Freight's Porto depot was certified in 2021.", "The Porto depot of Zeta Freight was certified in 2023."),
    ("The old lighthouse was restored in 1998 by the port authority.", "The port authority restored it in 2004."),
    ("Zeta Freight was certified in 2021.", "Zeta Freight was certified in March 2023."),
]
OTHER_YEARS = [
    ("Zeta Freight's Porto depot was certified in 2021.", "Zeta Freight opened its Porto depot in 2023."),  # two events
    ("The Porto depot was certified in 2021.", "The Madrid depot was certified in 2023."),  # two depots
    ("Zeta Freight's Porto depot was certified in 2021.", "The Porto depot of Zeta Freight was certified in 2021."),
    ("Zeta Freight was certified in 2021 and recertified in 2023.", "Zeta Freight was recertified in 2023."),
    ("Zeta Freight was not certified in 2021.", "Zeta Freight was certified in 2023."),  # no claim against it
    ("In 2021, the city council approved the tram line.", "In 2023, the city council approved the bus lanes."),
]


@pytest.mark.parametrize(("first", "second"), YEARS)
def test_two_years_for_the_same_event_conflict(first: str, second: str) -> None:
    found = clashes(first, second)
    assert_one_quoting_both(found, first, second)
    assert found[0].kind == "value"


@pytest.mark.parametrize(("first", "second"), OTHER_YEARS)
def test_years_of_other_events_or_subjects_are_no_conflict(first: str, second: str) -> None:
    assert clashes(first, second) == []
    assert brief_of("the public record", first, second).conflicts == []


def test_a_company_founding_year_is_left_to_the_company_facts() -> None:
    first, second = "Zeta Freight was founded in 2018.", "Zeta Freight was founded in 2019."
    assert clashes(first, second, company="Zeta Freight") == []
    assert [c.topic for c in brief_of("Zeta Freight", first, second).conflicts] == ["founding year"]


# --- 3. "All" against a part of the same thing --------------------------------------------------------------

QUANTIFIED = [
    ("Zeta Freight's fleet is all electric.", "Half of the Zeta Freight fleet runs on diesel."),
    ("All of the city's buses are electric.", "Half of the city's buses are electric."),
    (
        "Every classroom in the school has air conditioning.",
        "Only 40% of the school's classrooms have air conditioning.",
    ),
    ("The hotel runs an all-electric fleet of shuttle vans.", "Some of the hotel's vans run on diesel."),
]
UNQUANTIFIED = [
    ("All of the city's buses are electric.", "Half of the city's staff work remotely."),  # another noun
    ("All of the city's buses are electric.", "Half of the city's buses were bought in 2020."),  # another predicate
    ("All of the staff speak English.", "Half of the staff speak Portuguese."),  # both can be true
    ("Zeta Freight's fleet is all electric.", "Every truck in the Zeta Freight fleet is electric."),  # agree
    ("Half of the fleet runs on diesel.", "Half of the fleet runs on diesel and the rest on electricity."),
]


@pytest.mark.parametrize(("first", "second"), QUANTIFIED)
def test_all_against_a_part_of_the_same_noun_conflicts(first: str, second: str) -> None:
    found = clashes(first, second)
    assert_one_quoting_both(found, first, second)
    assert found[0].kind == "statement"


@pytest.mark.parametrize(("first", "second"), UNQUANTIFIED)
def test_quantifiers_over_other_nouns_or_predicates_are_no_conflict(first: str, second: str) -> None:
    assert clashes(first, second) == []
    assert brief_of("the public record", first, second).conflicts == []


# --- 4. Company attributes that exclude each other ----------------------------------------------------------

EXCLUSIVE = [
    ("Zeta Freight is a private company owned by its founders.", "Zeta Freight is listed on the Nasdaq."),
    ("Zeta Freight is privately held.", "Shares of Zeta Freight are publicly traded."),
    ("The company is a privately owned business.", "Zeta Freight is a publicly traded company."),
    ("The Harbour Trust is a non-profit organisation.", "The Harbour Trust is a for-profit company."),
]
NOT_EXCLUSIVE = [
    ("Zeta Freight is a private company.", "Its rival Atlas Logistics is listed on the Nasdaq."),  # another firm
    ("Zeta Freight is a private company.", "Zeta Freight operates a private fleet of trucks."),
    ("Zeta Freight was a private company until its listing in 2022.", "Zeta Freight is listed on the Nasdaq."),
    ("Zeta Freight is a private company.", "Zeta Freight is a privately held firm based in Porto."),  # agree
    ("Zeta Freight is a private company.", "Zeta Freight plans to list its shares on the Nasdaq next year."),
]


@pytest.mark.parametrize(("first", "second"), EXCLUSIVE)
def test_exclusive_company_attributes_conflict(first: str, second: str) -> None:
    found = clashes(first, second, company="Zeta Freight")
    assert_one_quoting_both(found, first, second)
    assert found[0].kind == "value"


@pytest.mark.parametrize(("first", "second"), NOT_EXCLUSIVE)
def test_compatible_or_other_holders_attributes_are_no_conflict(first: str, second: str) -> None:
    assert clashes(first, second, company="Zeta Freight") == []


def test_a_generic_holder_is_the_subject_only_for_a_company_subject() -> None:
    first, second = "The company is a privately owned business.", "The company is a publicly traded company."
    assert len(clashes(first, second, company="Zeta Freight")) == 1
    assert clashes(first, second) == []  # a topic's sources may each speak of another company


# --- End to end: the research graph waits at the gate with both sentences -----------------------------------

RESEARCH_TASK = "Research these companies into cited briefs."
PAGE = (
    "# {title}\n\nZeta Freight runs a fleet of 40 trucks between Porto and Madrid. Zeta Freight was founded in "
    "2018 in Porto and employs 60 people. Zeta Freight builds route-planning software for partner carriers. {extra}\n"
)


@pytest.fixture
def orch(tmp_path: Path) -> Iterator[Orchestrator]:
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "outbox")
    with Orchestrator(settings) as o:  # the built-in policy
        yield o


def _research(orch: Orchestrator, tmp_path: Path, about: str, profile: str) -> tuple[str, list[str]]:
    """Run the research task over two pages ending in ``about`` and ``profile``; return status and reasons."""
    folder = tmp_path / "sources" / "zeta"
    folder.mkdir(parents=True)
    (folder / "about.md").write_text(PAGE.format(title="About Zeta Freight", extra=about), encoding="utf-8")
    (folder / "profile.md").write_text(PAGE.format(title="Zeta Freight profile", extra=profile), encoding="utf-8")
    rows = [{"company": "Zeta Freight", "sources": "zeta"}]
    spec, planned = plan_task(orch, RESEARCH_TASK, rows, source_dir=tmp_path / "sources")
    assert spec.graph == "research" and not spec.require_approval  # the automatic path
    ((_, run),) = list(start_planned(orch, planned, "cli"))
    reasons = [t.reason for i in run.pending_items for t in orch.item(i).request.assessment.triggers]
    return run.status, reasons


def test_control_agreeing_pages_complete_unreviewed(orch: Orchestrator, tmp_path: Path) -> None:
    status, _ = _research(orch, tmp_path, *SAME_DURATIONS[0])
    assert status == "completed"


E2E = {
    "duration": DURATIONS[0],
    "year": ("Zeta Freight's Porto depot was certified in 2021.", "Zeta Freight's Porto depot was certified in 2023."),
    "quantifier": QUANTIFIED[0],
    "exclusive": EXCLUSIVE[0],
    "length": (
        "Zeta Freight's longest route is 600 km long.", "Zeta Freight's longest route is 600 miles long."
    ),
}  # fmt: skip


@pytest.mark.parametrize(("first", "second"), list(E2E.values()), ids=list(E2E))
def test_a_research_brief_over_disagreeing_pages_waits_with_both_quotes(
    orch: Orchestrator, tmp_path: Path, first: str, second: str
) -> None:
    status, reasons = _research(orch, tmp_path, first, second)
    assert status == "paused", status
    [reason] = [r for r in reasons if r.startswith("The sources disagree on")]
    assert f'zeta/about: "{first}"' in reason and f'zeta/profile: "{second}"' in reason, reason
