"""Conversation history from a support CSV: a ``history`` cell or a conversation id feeds the router and the rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from humangate.agents.planner import Planner
from humangate.cli import app
from humangate.conversations import MAX_TURN_CHARS, MAX_TURNS, history_cell, threaded
from humangate.core.schemas import SupportMessage
from humangate.tasks import planned_runs

TASK = "Answer these support tickets."


def test_rows_that_share_a_conversation_id_are_read_with_the_customers_earlier_turns() -> None:
    rows = [
        {"conversation_id": "c1", "speaker": "customer", "text": "My router stopped working after the update."},
        {"conversation_id": "c2", "speaker": "customer", "text": "How do I change my plan?"},
        {"conversation_id": "c1", "speaker": "agent", "text": "I'll update you shortly."},
        {"conversation_id": "c1", "speaker": "customer", "text": "Still broken. Third time I ask."},
        {"conversation_id": "c1", "speaker": "Customer", "text": "Any news?"},
    ]
    out = threaded(rows)
    assert [r["text"] for r in out] == [
        "My router stopped working after the update.",
        "How do I change my plan?",
        "Still broken. Third time I ask.",
        "Any news?",
    ]  # the agent's own turn is not a message to answer
    assert [r.get("history", []) for r in out] == [
        [],
        [],
        ["My router stopped working after the update."],
        ["My router stopped working after the update.", "Still broken. Third time I ask."],
    ]


def test_a_history_cell_is_one_turn_per_line_or_a_json_list_and_is_capped() -> None:
    assert history_cell("first\n\n  second  ") == ["first", "second"]
    assert history_cell(json.dumps(["a", "b", 3])) == ["a", "b", "3"]
    assert history_cell("[not json") == ["[not json"]
    long = history_cell("\n".join(f"turn {i} " + "x" * (MAX_TURN_CHARS + 50) for i in range(MAX_TURNS + 7)))
    assert len(long) == MAX_TURNS and all(len(t) == MAX_TURN_CHARS for t in long)
    assert long[-1].startswith(f"turn {MAX_TURNS + 6} ")  # the newest turns are kept


def test_a_job_title_in_a_role_column_does_not_hide_a_customer_row() -> None:
    rows = [{"text": "Please call me back.", "role": "CFO"}, {"text": "Done.", "role": "assistant"}]
    assert [r["text"] for r in threaded(rows)] == ["Please call me back."]


def test_planned_support_runs_carry_the_thread_and_rows_without_one_are_unchanged() -> None:
    rows = [
        {"id": "t1", "thread_id": "x", "text": "I will sue you if this is not fixed."},
        {"id": "t2", "thread_id": "x", "text": "Ok, any news?"},
        {"id": "t3", "history": "I asked twice already\nNobody answers", "text": "Hello?"},
        {"id": "t4", "text": "When do you open?"},
    ]
    runs = planned_runs(Planner(None).run(TASK, csv_rows=rows))
    history = {r.inputs["id"]: r.inputs["history"] for r in runs}
    assert history == {
        "t1": [],
        "t2": ["I will sue you if this is not fixed."],
        "t3": ["I asked twice already", "Nobody answers"],
        "t4": [],
    }
    assert len({r.key for r in runs}) == 4


def test_a_message_model_refuses_an_unbounded_thread() -> None:
    with pytest.raises(ValueError, match="50"):
        SupportMessage(id="a", text="hi", history=["x"] * 51)


def test_a_calm_turn_after_a_legal_threat_in_its_thread_waits_for_a_person(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the thread, 'Ok, any news?' is a routine question; after a legal threat it is not."""
    monkeypatch.setenv("HUMANGATE_OUTBOX_DIR", str(tmp_path / "outbox"))
    csv = tmp_path / "tickets.csv"
    csv.write_text(
        "conversation_id,speaker,id,text\n"
        "c1,customer,t1,My lawyer will take you to court over this charge.\n"
        "c1,agent,t1b,Thanks for your patience.\n"
        'c1,customer,t2,"Ok, any news?"\n'
        'c2,customer,t3,"Ok, any news?"\n',
        encoding="utf-8",
    )
    db = f"sqlite:///{tmp_path / 'hg.db'}"
    result = CliRunner().invoke(app, ["run", TASK, "--input", str(csv), "--db", db, "--yes", "--json"])
    assert result.exit_code == 0, result.output
    queue = json.loads(CliRunner().invoke(app, ["queue", "--db", db, "--json"]).output)["items"]
    shown = {
        i["title"]: json.loads(CliRunner().invoke(app, ["show", str(i["id"]), "--db", db, "--json"]).output)
        for i in queue
    }
    t2 = next(s for title, s in shown.items() if title.startswith("Reply to t2"))
    reasons = [t["reason"] for t in t2["request"]["assessment"]["triggers"]]
    assert any(r.startswith("Earlier in this thread") for r in reasons), reasons
    assert "My lawyer will take you to court" in json.dumps(t2["request"]["sources"])
    for title, s in shown.items():  # the same words with no thread carry no thread reason
        if title.startswith("Reply to t3"):
            assert not any(t["reason"].startswith("Earlier") for t in s["request"]["assessment"]["triggers"])


def test_a_task_rule_an_earlier_turn_matched_still_holds_the_thread(tmp_path: Path) -> None:
    """'Hand refund requests to me' holds 'any news?' when the refund was asked for two messages ago."""
    from humangate import Orchestrator, Settings
    from humangate.agents.offline.planning import plan
    from humangate.graphs.common import GraphDeps
    from humangate.graphs.registry import default_registry
    from humangate.risk import RiskPolicy
    from humangate.tasks import start_planned

    # Lenient on moods (a low recall target), so only the task's own rule can hold the thread.
    lenient = RiskPolicy.from_toml_text(
        'version = "l-1"\n[defaults]\nreview_from = "critical"\ntarget_recall = 0.05\nhold_unsafe_readings = false\n'
    )
    deps = GraphDeps(policy=lenient)
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "outbox")
    refund = "I was charged twice for my plan this month, please refund the second payment."
    rows = [
        {"id": "t1", "customer": "Pat Lee", "history": refund, "text": "Hello, any news on this?"},
        {"id": "t2", "customer": "Kim Ho", "history": "Thanks for the quick help last week.", "text": "Any news?"},
    ]
    spec = plan("Answer these support tickets. Hand refund requests to me.", csv_rows=rows)
    assert [r.kinds for r in spec.routes] == [["refund"]]
    with Orchestrator(settings, deps=deps, registry=default_registry(deps)) as orch:
        (_, held), (_, calm) = start_planned(orch, planned_runs(spec), "cli")
        assert held.status == "paused", held
        reasons = [t.reason for t in orch.item(held.pending_items[0]).request.assessment.triggers]
        assert any("an earlier message of the thread" in r for r in reasons), reasons
        assert calm.status == "completed", calm
