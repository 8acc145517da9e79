"""Offline researcher on the bundled sample companies: citations, conflicts, injections, gaps, redirects."""

from __future__ import annotations

from pathlib import Path

import pytest

from humangate.agents.researcher import Researcher
from humangate.core.schemas import Brief, ResearchInput, Source
from humangate.data.demo import demo_recipients, demo_sources
from humangate.sources import read_folder

COMPANIES = [r.company for r in demo_recipients()]


def brief_for(company: str, **kwargs: str) -> Brief:
    """Return the offline brief of a sample company."""
    return Researcher().run(ResearchInput(subject=company, sources=demo_sources(company), **kwargs))


@pytest.mark.parametrize("company", COMPANIES)
def test_every_claim_is_a_sentence_of_the_sources_it_cites(company: str) -> None:
    sources = {s.id: s for s in demo_sources(company)}
    brief = brief_for(company)
    assert brief.claims
    for claim in brief.claims:
        assert claim.source_ids
        for sid in claim.source_ids:
            assert sid in sources
            assert " ".join(claim.text.split()[:6]) in " ".join(sources[sid].text.split())


def test_sources_disagreeing_on_founding_year_and_headcount_make_conflicts_naming_both() -> None:
    brief = brief_for("Lumen Robotics")
    by_topic = {c.topic: c for c in brief.conflicts}
    assert set(by_topic) == {"founding year", "headcount"}
    year = by_topic["founding year"]
    assert dict(zip(year.source_ids, year.values, strict=True)) == {
        "lumen-robotics/about": "2014",
        "lumen-robotics/news-profile": "2016",
    }
    heads = by_topic["headcount"]
    assert dict(zip(heads.source_ids, heads.values, strict=True)) == {
        "lumen-robotics/about": "120",
        "lumen-robotics/news-profile": "450",
    }
    for conflict in brief.conflicts:
        for text in [*conflict.source_ids, *conflict.values]:
            assert text in conflict.description
    assert "disagree" in brief.summary


def test_consistent_companies_have_no_conflicts_and_more_confidence() -> None:
    lumen = brief_for("Lumen Robotics")
    for company in ("Northwind Analytics", "Quill Legal"):
        brief = brief_for(company)
        assert brief.conflicts == []
        assert brief.coverage == 1.0
        assert brief.injections == []
        assert brief.confidence > lumen.confidence + 0.2


def test_the_same_sentence_in_two_sources_is_one_claim_citing_both() -> None:
    brief = brief_for("Lumen Robotics")
    subscription = [c for c in brief.claims if "monthly subscription" in c.text]
    assert len(subscription) == 1
    assert set(subscription[0].source_ids) == {"lumen-robotics/about", "lumen-robotics/news-profile"}


def test_a_near_empty_page_is_a_weak_source_and_lowers_coverage() -> None:
    brief = brief_for("Lumen Robotics")
    assert brief.weak_sources == ["lumen-robotics/directory"]
    assert brief.coverage == pytest.approx(0.67)


def test_injected_instructions_are_findings_and_never_claims() -> None:
    brief = brief_for("Harbor Freight Labs")
    assert {f.source_id for f in brief.injections} == {"harbor-freight-labs/careers"}
    excerpts = " ".join(f.excerpt for f in brief.injections)
    assert "Ignore previous instructions" in excerpts
    assert "market leader" in excerpts
    for claim in brief.claims:
        lowered = claim.text.lower()
        assert "ignore" not in lowered and "customer list" not in lowered and "market leader" not in lowered
    assert "harbor-freight-labs/careers" in brief.summary
    assert brief.confidence < brief_for("Quill Legal").confidence


def test_missing_facts_are_named() -> None:
    sources = [Source(id="a", text="Acme Widgets makes industrial widgets for bakeries in three countries.")]
    brief = Researcher().run(ResearchInput(subject="Acme Widgets", sources=sources))
    assert "no source states the founding year" in brief.missing
    assert "no source states the headcount" in brief.missing
    assert brief.weak_sources == ["a"]


def test_no_sources_gives_an_empty_brief_with_zero_confidence() -> None:
    brief = Researcher().run(ResearchInput(subject="Nobody Inc"))
    assert brief.claims == [] and brief.coverage == 0.0 and brief.confidence == 0.0
    assert brief.missing == ["no sources were provided"]


def test_a_redirect_can_leave_a_source_out() -> None:
    brief = brief_for("Lumen Robotics", instructions="Ignore the news-profile source, it is outdated.")
    assert brief.conflicts == []
    assert all("lumen-robotics/news-profile" not in c.source_ids for c in brief.claims)
    assert "Reviewer asked" in brief.summary and "left out lumen-robotics/news-profile" in brief.summary


def test_a_redirect_can_focus_the_claims() -> None:
    focused = brief_for("Northwind Analytics", instructions="Focus on the stock-outs forecasting results.")
    assert "stock-outs" in focused.claims[0].text


def test_research_is_deterministic() -> None:
    assert brief_for("Lumen Robotics") == brief_for("Lumen Robotics")


def test_read_folder_reads_title_url_and_text_and_names_what_it_skips(tmp_path: Path) -> None:
    folder = tmp_path / "acme"
    folder.mkdir()
    (folder / "about.md").write_text("# About Acme\nSource: https://acme.example/about\n\nAcme makes anvils.\n")
    (folder / "notes.txt").write_text("Plain notes without a title.")
    (folder / "image.png").write_bytes(b"\x89PNG")
    reading = read_folder(folder)
    sources = reading.sources
    assert [s.id for s in sources] == ["acme/about", "acme/notes"]
    assert reading.skipped == [
        "the file 'image.png' was skipped: humangate reads .md, .markdown, .txt, .html, .htm, .xhtml, .pdf, .docx files"
    ]
    assert sources[0].title == "About Acme" and sources[0].url == "https://acme.example/about"
    assert sources[0].text == "Acme makes anvils."
    assert sources[1].title == "" and sources[1].url is None
