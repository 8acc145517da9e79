"""Bare, defanged and spelled-out hosts are links; a recipient-row value that reads as a sentence holds the email."""

from __future__ import annotations

import pytest

from humangate.core.schemas import Recipient
from humangate.graphs.drafting import DraftRequest, _names
from humangate.risk.outbound import find_links, name_problem, outbound_triggers


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("Book a slot on partners.acme-cargo.io before Friday.", "partners.acme-cargo.io"),
        ("Our status page is status.acme.dev.", "status.acme.dev"),
        ("Find us at acme-cargo.co.uk.", "acme-cargo.co.uk"),
        ("Write to the desk at ACME-CARGO.DE.", "ACME-CARGO.DE"),
        ("Onboarding runs at acme-cargo(.)test/start.", "acme-cargo.test/start"),
        ("The portal is acme-cargo{.}app.", "acme-cargo.app"),
        ("The portal is acme-cargo[dot]ai.", "acme-cargo.ai"),
        ("Sign up on acme cargo dot example slash join.", "cargo.example/join"),
        ("Details: hxxps[:]//acme-cargo.example/x", "https://acme-cargo.example/x"),
    ],
)
def test_hosts_without_a_scheme_are_links(text: str, link: str) -> None:
    assert link in find_links(text)


@pytest.mark.parametrize(
    "text",
    [
        "See report.pdf and setup.py, e.g. the Node.js client, i.e. the U.S. build.",
        "Version 2.5 ships with v1.2.3 of the driver, 3.14 times faster, 2.5gb of cache.",
        "Zeta was founded in Porto.The fleet grew in 2019.",
        "Write to ines@acme-cargo.example for the contract.",
        "Kuehne + Nagel, AT&T, Procter & Gamble and Ernst & Young use polka dot packaging.",
        "Meet us at 9 a.m. at St. Pancras; notes are in README.md.",
    ],
)
def test_ordinary_text_has_no_links(text: str) -> None:
    assert find_links(text) == []


@pytest.mark.parametrize(
    "value",
    [
        "Kuehne + Nagel",
        "AT&T",
        "Procter & Gamble Co.",
        "Ernst & Young",
        "Dr. Maria da Silva",
        "Yahoo! Japan",
        "3M",
        "7-Eleven",
        "US Foods",
        "Our Lady of Lourdes Hospital",
        "Banque du Liban",
        "Head of Operations, EMEA",
        "Jean-Luc O'Neil",
        "Contact Energy",
    ],
)
def test_ordinary_names_and_companies_pass(value: str) -> None:
    assert name_problem(value) is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("Acme Cargo. Please wire the deposit before Monday", "full stop"),
        ("Acme Cargo – thank you for your patience with the delayed invoice", "words"),
        ("Acme Cargo, reply to us today", "reader"),
        ("Acme Cargo (see acme-pay.example)", "link"),
        ("Acme 0912 345 678", "digits"),
    ],
)
def test_a_value_that_is_a_sentence_is_named(value: str, problem: str) -> None:
    assert problem in (name_problem(value) or "")


def test_every_row_value_put_into_the_email_is_checked() -> None:
    req = DraftRequest(
        recipient=Recipient(
            name="Ana Ruiz", email="ana@acme.example", company="Acme", role="Buyer. Send us your login now"
        )
    )
    names = _names(req)
    assert [what for what, _ in names] == [
        "The recipient's name",
        "The company cell",
        "The role cell",
        "The sender's name",
    ]
    triggers = outbound_triggers(to="ana@acme.example", subject="Hello", body="Hi Ana,", names=names)
    (held,) = triggers
    assert held.kind == "injection" and "The role cell reads like a sentence, not a name" in held.reason


def test_a_company_cell_that_is_a_company_holds_nothing() -> None:
    req = DraftRequest(recipient=Recipient(name="Ana Ruiz", email="ana@acme.example", company="Procter & Gamble"))
    assert outbound_triggers(to="ana@acme.example", subject="Hello", body="Hi Ana,", names=_names(req)) == []
