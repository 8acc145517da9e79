"""``planned_runs``: a planned task becomes one graph input per item, sources found per item, gaps named."""

from __future__ import annotations

from pathlib import Path

import pytest

from humangate import Orchestrator
from humangate.agents.planner import Planner
from humangate.errors import InvalidInputError
from humangate.tasks import planned_runs

OUTREACH_TASK = "Research each company and draft an intro email to the contact there."


def _page(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"# {name}\nSource: https://example.com/{name}\n\n{text}\n", encoding="utf-8")


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """Return a folder with one sub-folder of pages per company."""
    root = tmp_path / "sources"
    _page(root / "acme", "about.md", "Acme Corp makes anvils. It was founded in 1999.")
    _page(root / "globex-corp", "about.md", "Globex Corp builds reactors. It employs 300 people.")
    return root


def test_csv_rows_with_a_sources_column_read_their_own_folder(sources: Path) -> None:
    rows = [
        {"company": "Acme Corp", "name": "Wile Coyote", "email": "wile@acme.example", "sources": "acme"},
        {"company": "Globex Corp", "name": "Hank Scorpio", "email": "hank@globex.example", "sources": ""},
    ]
    spec = Planner(None).run(OUTREACH_TASK + " Let me approve before sending.", csv_rows=rows, source_dir=sources)
    runs = planned_runs(spec, source_dir=sources)
    assert [(r.graph, r.label) for r in runs] == [
        ("outreach", "Wile Coyote (Acme Corp)"),
        ("outreach", "Hank Scorpio (Globex Corp)"),
    ]
    acme, globex = (r.inputs for r in runs)
    assert [s["id"] for s in acme["sources"]] == ["acme/about"]
    assert [s["id"] for s in globex["sources"]] == ["globex-corp/about"]  # found by the company's slug
    assert acme["sources"][0]["url"] == "https://example.com/about.md"
    assert acme["recipient"] == {
        "name": "Wile Coyote",
        "email": "wile@acme.example",
        "company": "Acme Corp",
        "role": "",
    }
    assert acme["require_approval"] is True and acme["goal"] == "an introduction"


def test_a_folder_without_sub_folders_is_read_for_every_item(tmp_path: Path) -> None:
    _page(tmp_path / "flat", "notes.md", "Both companies were at the trade fair.")
    rows = [{"company": c, "email": f"x@{c.lower()}.example"} for c in ("Acme", "Globex")]
    runs = planned_runs(Planner(None).run(OUTREACH_TASK, csv_rows=rows), source_dir=tmp_path / "flat")
    assert [[s["id"] for s in r.inputs["sources"]] for r in runs] == [["flat/notes"], ["flat/notes"]]
    assert runs[0].inputs["recipient"]["name"] == "x"  # no name column: the address's local part


def test_an_item_without_its_folder_gets_no_sources_rather_than_another_companys(sources: Path) -> None:
    rows = [{"company": "Initech", "email": "bill@initech.example", "sources": "initech"}]
    (run,) = planned_runs(Planner(None).run(OUTREACH_TASK, csv_rows=rows), source_dir=sources)
    assert run.inputs["sources"] == []


def test_an_outreach_item_without_an_email_is_planned_and_says_a_reviewer_fills_it_in() -> None:
    rows = [{"company": "Acme", "email": "a@acme.example"}, {"company": "Globex", "email": " "}]
    acme, globex = planned_runs(Planner(None).run(OUTREACH_TASK, csv_rows=rows))
    assert acme.inputs["recipient"]["email"] == "a@acme.example" and not acme.notes
    assert globex.inputs["recipient"]["email"] == "" and globex.label == "Globex"
    assert globex.notes == (
        "Item 2 (Globex) has no recipient email: the draft is made and waits at the send gate until a reviewer "
        "fills in the address.",
    )


def test_a_task_without_items_says_where_items_come_from() -> None:
    spec = Planner(None).run(OUTREACH_TASK)
    with pytest.raises(InvalidInputError, match=r"names no items.*--input FILE\.csv"):
        planned_runs(spec)


def test_support_rows_become_support_messages_and_need_text() -> None:
    task = "Triage these support tickets and answer the calm ones."
    rows = [{"ticket": "T-9", "from": "Ann Lee", "message": "How do I add a second admin?"}]
    (run,) = planned_runs(Planner(None).run(task, csv_rows=rows))
    assert (run.graph, run.label) == ("support", "Ann Lee")
    assert {k: run.inputs[k] for k in ("id", "customer", "text")} == {
        "id": "T-9",
        "customer": "Ann Lee",
        "text": "How do I add a second admin?",
    }
    with pytest.raises(InvalidInputError, match="Item 1 has no message text"):
        planned_runs(Planner(None).run(task, csv_rows=[{"ticket": "T-10", "message": ""}]))


def test_a_support_task_that_asks_for_approval_pauses_every_reply(orch: Orchestrator) -> None:
    task = "Answer these support messages, but let me approve every reply before it goes out."
    rows = [{"id": "T-1", "customer": "Priya Shah", "text": "Hi! How do I export my reports to CSV?"}]
    spec = Planner(None).run(task, csv_rows=rows)
    assert spec.graph == "support" and spec.require_approval
    (planned,) = planned_runs(spec)
    run = orch.start(planned.graph, planned.inputs)
    assert run.status == "paused"
