"""Inputs: CSV files in any delimiter and encoding, sender addresses on support items, and a missing recipient
address that waits at the send gate for a reviewer to fill in (validated), whatever the policy says."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from humangate import Orchestrator, Settings
from humangate.agents.planner import Planner
from humangate.checkpoints.schema import metadata
from humangate.cli import app
from humangate.core.contract import RiskAssessment, Trigger
from humangate.effects import check_email
from humangate.errors import EffectRefused, InvalidDecisionError, InvalidInputError
from humangate.graphs.common import GraphDeps
from humangate.graphs.registry import default_registry
from humangate.memory.store import Correction, Match, signatures_of
from humangate.risk import RiskPolicy
from humangate.risk.memory import apply_memory
from humangate.risk.outbound import outbound_triggers
from humangate.sources import read_csv_rows
from humangate.tasks import planned_runs, start_planned

runner = CliRunner()
# Sends anything below critical without a person, with no dwell: the missing address must still hold.
LENIENT = RiskPolicy.from_toml_text(
    'version = "lenient-2"\n[defaults]\nreview_from = "critical"\nautonomy_after = 1\n'
    "min_dwell_seconds = { low = 0, medium = 0, high = 0, critical = 0 }\n"
)
CFO_TASK = "Draft an email to each CFO about our new invoicing service."


def test_a_semicolon_csv_in_a_windows_code_page_is_read(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes("Company;Name;Role\nMüller Bau;Jürgen Weiß;CFO\nCafé Noir;Zoë Lefèvre;CFO\n".encode("cp1252"))
    rows = read_csv_rows(path)
    assert rows == [
        {"Company": "Müller Bau", "Name": "Jürgen Weiß", "Role": "CFO"},
        {"Company": "Café Noir", "Name": "Zoë Lefèvre", "Role": "CFO"},
    ]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("name;city\nŁukasz Żółć;Kraków\nJiří Dvořák;Brno\n", "cp1250"),
        ("имя;город\nИван Петров;Москва\n", "cp1251"),
        ("name;city\nΓιάννης Παπαδόπουλος;Αθήνα\nΜαρία Κωνσταντίνου;Θεσσαλονίκη\n", "cp1253"),
        ("名前,都市\n山田,東京\n", "shift_jis"),
        ("a;b\nnaïve;façade\n", "latin-1"),
    ],
)
def test_code_pages_are_told_apart_by_how_their_reading_looks(tmp_path: Path, text: str, encoding: str) -> None:
    path = tmp_path / "items.csv"
    path.write_bytes(text.encode(encoding))
    header, *rows = text.splitlines()
    delimiter = ";" if ";" in header else ","
    assert read_csv_rows(path) == [dict(zip(header.split(delimiter), r.split(delimiter), strict=True)) for r in rows]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("company\tname\nAcme, Inc.\tAnn\n".encode("utf-16"), {"company": "Acme, Inc.", "name": "Ann"}),
        (b"sep=;\ncompany;note\nAcme;a, b and c\n", {"company": "Acme", "note": "a, b and c"}),
        ('\ufeffcompany|name\n"Acme; Ltd"|Ann\n'.encode(), {"company": "Acme; Ltd", "name": "Ann"}),
        (b'company,name\n"Globex; EU",Hank\n', {"company": "Globex; EU", "name": "Hank"}),
    ],
)
def test_delimiters_and_encodings_are_sniffed(tmp_path: Path, data: bytes, expected: dict[str, str]) -> None:
    path = tmp_path / "items.csv"
    path.write_bytes(data)
    assert read_csv_rows(path) == [expected]


def test_an_unreadable_csv_names_the_file_and_the_fix(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("company,name\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"empty\.csv has no rows under its header"):
        read_csv_rows(empty)
    with pytest.raises(InvalidInputError, match="Cannot read"):
        read_csv_rows(tmp_path / "missing.csv")


def test_the_cli_plans_a_semicolon_csv_without_an_email_column(tmp_path: Path) -> None:
    people = tmp_path / "cfos.csv"
    people.write_bytes("company;name;role\nMüller Bau;Jürgen Weiß;CFO\n".encode("cp1252"))
    db = f"sqlite:///{tmp_path / 'hg.db'}"
    result = runner.invoke(app, ["run", CFO_TASK, "--input", str(people), "--db", db, "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)["plan"]
    assert plan["graph"] == "outreach" and plan["labels"] == ["Jürgen Weiß (Müller Bau)"]
    assert plan["notes"] == [
        "Item 1 (Müller Bau) has no recipient email: the draft is made and waits at the send gate until a "
        "reviewer fills in the address."
    ]


def test_support_items_carry_the_senders_address_when_the_csv_has_one() -> None:
    task = "Answer these support tickets."
    rows = [
        {"id": "T-1", "customer": "Ann Lee", "email": "ann@lee.example", "text": "How do I export a report?"},
        {"id": "T-2", "From": "Bo Berg <bo@berg.example>", "text": "Where is my invoice?"},
        {"id": "T-3", "sender_email": "not an address@", "customer": "Cy", "text": "Hello?"},
        {"id": "T-4", "from": "Dee Kay", "text": "Can I change my plan?"},
        {"id": "T-5", "email": "eve@x.example\r\nBcc: all@x.example", "text": "Hi"},
    ]
    runs = planned_runs(Planner(None).run(task, csv_rows=rows))
    assert [(r.inputs["customer"], r.inputs["email"]) for r in runs] == [
        ("Ann Lee", "ann@lee.example"),
        ("Bo Berg", "bo@berg.example"),
        ("Cy", None),
        ("Dee Kay", None),
        ("", None),
    ]
    assert "is not one email address; it was left out" in runs[2].notes[0]
    assert "control character" in runs[4].notes[0]


# -- a missing recipient address -------------------------------------------------------------------------------


@pytest.fixture
def lenient(settings: Settings) -> Iterator[Orchestrator]:
    deps = GraphDeps(policy=LENIENT)
    with Orchestrator(settings, deps=deps, registry=default_registry(deps)) as o:
        o.add_user("alice", "reviewer")
        yield o


def _snapshot(o: Orchestrator) -> dict[str, list[tuple[Any, ...]]]:
    with o.db.read() as conn:
        return {t.name: sorted(map(tuple, conn.execute(select(t)).all()), key=repr) for t in metadata.sorted_tables}


def _start_without_address(orch: Orchestrator, tmp_path: Path) -> int:
    folder = tmp_path / "sources" / "muller-bau"
    folder.mkdir(parents=True)
    (folder / "about.md").write_text(
        "# About Müller Bau\n\nMüller Bau builds timber houses in Bavaria. The company was founded in 1998 and "
        "employs 120 people.\n",
        encoding="utf-8",
    )
    rows = [{"company": "Müller Bau", "name": "Jürgen Weiß", "role": "CFO"}]
    (planned,) = planned_runs(Planner(None).run(CFO_TASK, csv_rows=rows), source_dir=tmp_path / "sources")
    ((_, run),) = list(start_planned(orch, [planned], "cli"))
    assert run.status == "paused"
    (item_id,) = run.pending_items
    return item_id


def test_a_missing_address_waits_at_the_send_gate_and_a_reviewer_fills_it_in(
    lenient: Orchestrator, tmp_path: Path
) -> None:
    item_id = _start_without_address(lenient, tmp_path)
    item = lenient.item(item_id)
    assert item.node == "review_send" and item.request.proposal["to"] == ""
    reasons = [t.reason for t in item.request.assessment.triggers]
    assert any("has no recipient address" in r for r in reasons), reasons
    assert item.risk_level == "high" and item.required_role == "reviewer"  # a reviewer's call, not an expert's
    lenient.claim(item_id, "alice")
    before = _snapshot(lenient)
    draft = dict(item.request.proposal)
    refused = [
        {"action": "approve", "reviewer": "alice"},
        {
            "action": "edit",
            "reviewer": "alice",
            "reason_code": "tone",
            "edited": {**draft, "body": draft["body"] + "!"},
        },
        {"action": "edit", "reviewer": "alice", "reason_code": "missing_information", "edited": {**draft, "to": "CFO"}},
        {
            "action": "edit",
            "reviewer": "alice",
            "reason_code": "missing_information",
            "edited": {**draft, "to": "j.weiss@muller-bau.example\r\nBcc: everyone@muller-bau.example"},
        },
        {
            "action": "edit",
            "reviewer": "alice",
            "reason_code": "missing_information",
            "edited": {**draft, "to": "a@muller-bau.example, b@muller-bau.example"},
        },
    ]
    messages = []
    for decision in refused:
        with pytest.raises(InvalidDecisionError) as caught:
            lenient.decide(item_id, decision)
        messages.append(str(caught.value))
    assert "has no recipient address" in messages[0] and "leaves the recipient's address empty" in messages[1]
    assert "not an email address" in messages[2] and "control character" in messages[3]
    assert _snapshot(lenient) == before  # a refused decision changes nothing
    filled = {**draft, "to": "j.weiss@muller-bau.example"}
    result = lenient.decide(
        item_id, {"action": "edit", "reviewer": "alice", "reason_code": "missing_information", "edited": filled}
    )
    assert result.run.status == "completed" and result.run.outcome == "approved"
    (sent,) = sorted((tmp_path / "outbox").glob("*.eml"))
    assert message_from_bytes(sent.read_bytes())["To"] == "j.weiss@muller-bau.example"


def test_earned_autonomy_never_passes_a_message_without_an_address() -> None:
    held = outbound_triggers(to="", subject="Hello", body="Hi Jürgen,\n\nWe make invoicing simple.\n\nBest,\nThe team")
    assert [t.kind for t in held] == ["data_quality"] and "no recipient address" in held[0].reason
    assessment = RiskAssessment(
        level="low",
        score=0.1,
        confidence=0.9,
        triggers=[Trigger(kind="impact", reason="External.", score=0.1)],
        needs_review=True,
        policy_version="t",
    )
    approvals = [
        Match(
            Correction(
                id=n, graph="outreach", node="review_send", kind="approve", reviewer=("alice", "bob")[n % 2],
                reason_code=None, note=None, situation="", proposal={"body": "x"}, corrected=None, instructions=None,
                key_text="x", active=True, created_at=1000.0 + n, item_id=n, run_id=f"r{n}", trigger_kinds=("impact",),
                signatures=tuple(signatures_of([assessment.triggers[0].model_dump()])), level="low",
            ),
            0.99,
        )
        for n in range(1, 4)
    ]  # fmt: skip
    settings = LENIENT.settings("outreach", "review_send")
    earned = apply_memory(assessment, approvals, settings, proposal_text="x", threshold=0.5, sample_key="k")
    assert earned.autonomous  # the same history passes a message that has its address...
    kept = apply_memory(
        assessment, approvals, settings, proposal_text="x", threshold=0.5, sample_key="k", always_review=bool(held)
    )
    assert not kept.autonomous and kept.assessment.needs_review  # ...but never one without


def test_the_mail_layer_refuses_an_empty_recipient() -> None:
    with pytest.raises(EffectRefused, match="not an email address"):
        check_email({"to": "", "subject": "Hello", "body": "Hi"})
    with pytest.raises(EffectRefused):
        check_email({"to": "   ", "subject": "Hello", "body": "Hi"})
