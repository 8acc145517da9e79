"""Offline planner: graph, items (text, CSV, source folder), goal, tone and review rules."""

from __future__ import annotations

from pathlib import Path

from humangate.agents.planner import Planner

TASK = (
    "Research these 3 companies: Northwind Analytics, Lumen Robotics and Harbor Freight Labs, "
    "draft an intro email to each, let me approve before sending"
)


def test_the_design_example_is_outreach_on_three_companies_with_approval() -> None:
    spec = Planner().run(TASK)
    assert spec.graph == "outreach"
    assert spec.items == [
        {"company": "Northwind Analytics"},
        {"company": "Lumen Robotics"},
        {"company": "Harbor Freight Labs"},
    ]
    assert spec.goal == "an introduction"
    assert spec.require_approval is True
    assert any("let me approve" in rule for rule in spec.rules)
    assert spec.task == TASK and spec.model_failure is None


def test_a_list_without_a_colon_ends_where_the_names_end() -> None:
    spec = Planner().run("Research Northwind Analytics and Quill Legal then draft a formal follow-up email to each.")
    assert spec.items == [{"company": "Northwind Analytics"}, {"company": "Quill Legal"}]
    assert spec.goal == "a follow-up email" and spec.tone == "formal"
    assert spec.require_approval is False


def test_quoted_names_are_items_and_research_alone_is_the_research_graph() -> None:
    spec = Planner().run('Look into "Acme Corp" and "Globex" and summarise what they do.')
    assert spec.graph == "research"
    assert spec.items == [{"company": "Acme Corp"}, {"company": "Globex"}]


def test_support_triage_with_escalation_and_amount_rules() -> None:
    spec = Planner().run(
        "Triage the support tickets and reply to them. Escalate angry customers to me. Refunds over $100 need a human."
    )
    assert spec.graph == "support"
    assert "Ask a reviewer for refunds over $100." in spec.rules
    assert any(rule.startswith("Escalate angry messages") for rule in spec.rules)


def test_review_wording_variants() -> None:
    for task in (
        "Draft intro emails to these prospects and check with me before anything is sent.",
        "Write follow-up emails; nothing goes out without my approval.",
        "Draft replies to the support inbox but I want to review them before sending.",
    ):
        assert Planner().run(task).require_approval is True, task
    relaxed = Planner().run("Draft intro emails to the contacts in the file, no need to ask me.")
    assert relaxed.require_approval is False
    assert any("Do not ask" in rule for rule in relaxed.rules)


def test_items_come_from_csv_rows_first() -> None:
    rows = [{"name": " Ana Okafor ", "email": "ana@northwind.example", "company": "Northwind Analytics"}]
    spec = Planner().run("Draft a short intro email to each contact in the file.", csv_rows=rows)
    assert spec.graph == "outreach"
    assert spec.items == [{"name": "Ana Okafor", "email": "ana@northwind.example", "company": "Northwind Analytics"}]
    assert spec.tone == "short"


def test_items_come_from_a_folder_of_sources(tmp_path: Path) -> None:
    for name in ("lumen-robotics", "quill_legal"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "about.md").write_text("# About\nText.")
    spec = Planner().run("Research these companies and write to each of them.", source_dir=tmp_path)
    # Items name their sub-folder; tasks.py resolves it inside the given folder before reading it.
    assert spec.items == [
        {"company": "Lumen Robotics", "sources": "lumen-robotics"},
        {"company": "Quill Legal", "sources": "quill_legal"},
    ]
    flat = Planner().run("Research this company.", source_dir=tmp_path / "quill_legal")
    assert flat.graph == "research" and flat.items == [{"company": "Quill Legal", "sources": "."}]
