"""Cells of a task's input that could change what is sent: each is read whole, refused clearly, or held.

Controls sit next to each hole: ordinary CSVs, names and addresses must go on working as before.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from humangate.agents.offline.planning import plan
from humangate.effects import address_problem, build_email
from humangate.errors import EffectRefused, InvalidInputError
from humangate.risk.outbound import name_problem
from humangate.sources import read_csv_rows
from humangate.sources.local import item_sources
from humangate.tasks import planned_runs

OUTREACH = "Draft an intro email to the contact at each of these companies."
SUPPORT = "Answer these support tickets."


def _read(tmp_path: Path, text: str) -> list[dict[str, Any]]:
    path = tmp_path / "items.csv"
    path.write_text(text, encoding="utf-8", newline="")
    return read_csv_rows(path)


# --- read_csv_rows: no cell dropped, no column hidden --------------------------------------------------------


def test_quoted_delimiters_stay_in_their_cell(tmp_path: Path) -> None:
    rows = _read(tmp_path, 'company,name,note\n"Acme, Inc.",Ann,"a, b and c"\n')
    assert rows == [{"company": "Acme, Inc.", "name": "Ann", "note": "a, b and c"}]


def test_an_unquoted_comma_keeps_the_rest_of_the_row_in_the_last_column(tmp_path: Path) -> None:
    rows = _read(tmp_path, "id,customer,text\nt1,Pat,Hello, when does it ship? Else, my lawyer calls.\n")
    assert rows == [{"id": "t1", "customer": "Pat", "text": "Hello, when does it ship? Else, my lawyer calls."}]
    assert None not in rows[0]


def test_trailing_delimiters_add_no_column_and_no_text(tmp_path: Path) -> None:
    rows = _read(tmp_path, "company,name,,\nAcme,Ann,,\nGlobex,Hank,late, note\n")
    assert rows == [{"company": "Acme", "name": "Ann"}, {"company": "Globex", "name": "Hank,late, note"}]


def test_a_short_row_reads_its_missing_cells_as_none(tmp_path: Path) -> None:
    assert _read(tmp_path, "company,name,email\n\nAcme,Ann\n") == [{"company": "Acme", "name": "Ann", "email": None}]


@pytest.mark.parametrize(
    "header", ["company,email,email", "company,Email,email", "company,email , Email", "company,E-Mail,e-mail"]
)
def test_a_header_naming_one_column_twice_is_refused_naming_the_line(tmp_path: Path, header: str) -> None:
    with pytest.raises(InvalidInputError, match=r"line 1: the header names the column .* twice"):
        _read(tmp_path, f"{header}\nAcme,ann@acme.example,eve@evil.example\n")


def test_the_line_of_a_duplicate_header_counts_the_excel_sep_line(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="line 2"):
        _read(tmp_path, "sep=;\nname;Name\nAnn;Bo\n")


def test_different_columns_that_only_look_alike_are_kept(tmp_path: Path) -> None:
    rows = _read(tmp_path, "company,email,to\nAcme,ann@acme.example,ann@acme.example\n")
    assert rows == [{"company": "Acme", "email": "ann@acme.example", "to": "ann@acme.example"}]


def test_a_nul_byte_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_bytes(b"company,sources\nAcme,acme\nGlobex,glo\x00bex\n")
    with pytest.raises(InvalidInputError, match=r"items\.csv line 3 holds a NUL character"):
        read_csv_rows(path)


# --- address columns that disagree ----------------------------------------------------------------------------


def _outreach_run(row: dict[str, str]) -> tuple[dict[str, Any], tuple[str, ...]]:
    (run,) = planned_runs(plan(OUTREACH, csv_rows=[row]))
    return run.inputs["recipient"], run.notes


def test_two_address_columns_that_agree_give_the_address() -> None:
    recipient, notes = _outreach_run(
        {"company": "Acme", "name": "Ann", "email": "ann@acme.example", "to": "Ann <ANN@acme.example>"}
    )
    assert recipient["email"] == "ann@acme.example" and notes == ()


@pytest.mark.parametrize(("first", "second"), [("email", "to"), ("mail", "email"), ("Email", "email")])
def test_two_address_columns_that_disagree_leave_the_address_for_a_reviewer(first: str, second: str) -> None:
    row = {"company": "Acme", "name": "Ann", first: "ann@acme.example", second: "eve@evil.example"}
    recipient, notes = _outreach_run(row)
    assert recipient["email"] == ""
    (note,) = notes
    assert "2 different addresses" in note and "eve@evil.example" in note and "reviewer fills in" in note


def test_a_support_row_with_two_sender_addresses_is_held_and_emails_neither() -> None:
    row = {"id": "t1", "customer": "Pat", "email": "pat@x.example", "reply_to": "eve@evil.example", "text": "Hi?"}
    (run,) = planned_runs(plan(SUPPORT, csv_rows=[row]))
    assert run.inputs["email"] is None and run.inputs["require_approval"] is True
    assert "different addresses" in run.notes[0]


def test_a_support_row_with_one_sender_address_is_unchanged() -> None:
    row = {"id": "t1", "customer": "Pat", "email": "pat@x.example", "from": "Pat Lee", "text": "Hi?"}
    (run,) = planned_runs(plan(SUPPORT, csv_rows=[row]))
    assert run.inputs["email"] == "pat@x.example" and run.notes == ()


# --- encoded-words and parser errors in addresses -------------------------------------------------------------

HIDDEN = base64.b64encode(b"Ann <ceo@bank.example>, x").decode()


@pytest.mark.parametrize(
    "value",
    [
        f"=?utf-8?b?{HIDDEN}?= <ann@northwind.example>",
        "=?utf-8?q?Ann=0D=0ABcc=3A_x=40evil.example?= <ann@northwind.example>",
        "=?iso-8859-1?q?Ann?= <ann@northwind.example>",
    ],
)
def test_an_encoded_word_in_an_address_is_a_problem_not_a_crash(value: str) -> None:
    assert "encoded word" in (address_problem(value) or "")


@pytest.mark.parametrize(
    "value",
    [
        "ann@lee.example",
        '"Ann Lee" <ann@lee.example>',
        '"Dr. Smith" <smith@x.example>',
        "José Núñez <jose@x.example>",
        "Anne-Marie O'Neil <am@x.example>",
    ],
)
def test_ordinary_addresses_pass_and_are_written_as_given(value: str) -> None:
    assert address_problem(value) is None
    msg = build_email({"to": value, "subject": "Über uns", "body": "Hallo"}, "k1")
    assert [a.addr_spec for a in msg["To"].addresses] == [value.rsplit("<", 1)[-1].rstrip(">")]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"to": "ann@x.example", "subject": "=?utf-8?q?Hi=0D=0ABcc=3A_eve=40evil.example?=", "body": "x"}, "subject"),
        ({"to": "ann@x.example", "subject": "=?utf-8?q?Hi?=", "body": "x"}, "subject"),
        ({"to": "Ann", "ticket": "T-1", "subject": "=?utf-8?q?Re=0D=0ATo=3A_eve=40evil.example?=", "body": ""}, ""),
    ],
)
def test_build_email_refuses_headers_a_receiver_would_read_otherwise(payload: dict[str, str], field: str) -> None:
    with pytest.raises(EffectRefused) as info:
        build_email(payload, "k1")
    assert info.value.field == (field or "subject")


def test_build_email_writes_a_ticket_reply_and_a_long_subject_unchanged() -> None:
    subject = "Ré: " + "a rather long subject line " * 6
    msg = build_email({"to": "Zoë Lefèvre", "ticket": "T-9", "subject": subject, "body": "Merci"}, "k2")
    assert msg["X-Humangate-Customer"] == "Zoë Lefèvre" and " ".join(str(msg["Subject"]).split()) == subject.strip()
    assert msg["To"] is None


# --- name cells that are markup ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("=cmd|' /C calc'!A0", "spreadsheet formula"),
        ('=HYPERLINK("x")', "spreadsheet formula"),
        ("+cmd|' /C calc'!A0", "spreadsheet formula"),
        ("-2+3+cmd|' /C calc'!A0", "spreadsheet formula"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "spreadsheet formula"),
        ("=?utf-8?b?" + base64.b64encode(b"Ann <ceo@bank.example>").decode() + "?=", "encoded word"),
        ("Ann|Bo", "markup"),
        ("Ann <ceo@bank.example>", "markup"),
        ("{{first_name}}", "markup"),
    ],
)
def test_a_name_cell_that_is_markup_is_a_problem(value: str, problem: str) -> None:
    assert problem in (name_problem(value) or "")


@pytest.mark.parametrize(
    "value",
    ["Anne-Marie O'Neil", "José", "Dr. Smith", "O’Brien", "María José García-López", "@Home Network", "-", "+ Bo"],
)
def test_ordinary_names_are_no_problem(value: str) -> None:
    assert name_problem(value) is None


# --- a control character in a sources cell -------------------------------------------------------------------


def test_a_control_character_in_a_sources_cell_is_refused_naming_the_item(tmp_path: Path) -> None:
    (tmp_path / "acme").mkdir()
    with pytest.raises(InvalidInputError, match=r"Item 1 \(Acme\): the sources value .* U\+0000"):
        item_sources({"sources": "acme\x00x"}, ["acme\x00x", "acme"], tmp_path, "Item 1 (Acme)")


def test_a_plain_sources_cell_reads_its_sub_folder(tmp_path: Path) -> None:
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "about.md").write_text("# Acme\n\nAcme makes anvils.\n", encoding="utf-8")
    sources, refused = item_sources({"sources": "acme"}, ["acme"], tmp_path, "Item 1 (Acme)")
    assert [s.id for s in sources][:1] and refused == []
