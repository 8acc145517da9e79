"""PII detection: one clear example per entity type, quiet on calm text, allow-lists and masking."""

from __future__ import annotations

import importlib.util

import pytest

from humangate.risk import find_pii, pii_triggers
from humangate.risk._names import load_lexicon
from humangate.risk.pii import PiiEntity

needs_lexicon = pytest.mark.skipif(
    importlib.util.find_spec("faker") is None,
    reason="the name lexicon comes from the faker package, which is not installed",
)


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        ("Write to jane.roe@example.org for details.", "EMAIL_ADDRESS", "jane.roe@example.org"),
        ("Call me on 415-555-0132 tomorrow.", "PHONE_NUMBER", "415-555-0132"),
        ("Mobile: +44 7700 900123", "PHONE_NUMBER", "+44 7700 900123"),
        ("Desk: +41 (0)96 471 07 95", "PHONE_NUMBER", "+41 (0)96 471 07 95"),
        ("My card 4111 1111 1111 1111 was declined.", "CREDIT_CARD", "4111 1111 1111 1111"),
        ("Charge card number 378282246310005 please.", "CREDIT_CARD", "378282246310005"),
        ("Pay to GB82 WEST 1234 5698 7654 32 by Friday.", "IBAN_CODE", "GB82 WEST 1234 5698 7654 32"),
        ("My IBAN is DE89370400440532013000.", "IBAN_CODE", "DE89370400440532013000"),
        ("Here's my SSN: 123-45-6789", "US_SSN", "123-45-6789"),
        ("The login came from 203.0.113.42 last night.", "IP_ADDRESS", "203.0.113.42"),
        ("Traffic from 2001:db8:85a3::8a2e:370:7334 was blocked.", "IP_ADDRESS", "2001:db8:85a3::8a2e:370:7334"),
        pytest.param("Yesterday I met John Smith at the fair.", "PERSON", "John Smith", marks=needs_lexicon),
        ("Please ask Mr. Pálffy about it.", "PERSON", "Pálffy"),
        ("My name is Sieda Batukayev.", "PERSON", "Sieda Batukayev"),
    ],
)
def test_each_entity_type_is_found(text: str, entity: PiiEntity, value: str) -> None:
    found = [(m.entity, m.text) for m in find_pii(text)]
    assert (entity, value) in found


@pytest.mark.parametrize(
    "text",
    [
        "Thanks for the quick call, the report looks good.",
        "We shipped version 2.4.1 on 2024-05-03 at 10:30.",
        "The meeting is in room 12 at 3 pm; bring 2 copies.",
        "Our revenue grew 12% to 4,500,000 this year.",
    ],
)
def test_calm_text_has_no_pii(text: str) -> None:
    assert find_pii(text) == []


def test_checksums_separate_cards_and_ibans_from_random_digits() -> None:
    assert not [m for m in find_pii("Order 4111 1111 1111 1112 shipped.") if m.entity == "CREDIT_CARD"]
    assert not [m for m in find_pii("Reference GB00 WEST 1234 5698 7654 32.") if m.entity == "IBAN_CODE"]


def test_entities_filter_and_min_score() -> None:
    text = "Mail jane@example.org or call 415-555-0132."
    assert [m.entity for m in find_pii(text, entities=["PHONE_NUMBER"])] == ["PHONE_NUMBER"]
    assert find_pii(text, min_score=0.99) == []


@needs_lexicon
def test_name_lexicon_ships_in_a_package() -> None:
    lex = load_lexicon()
    assert lex.knows("Maria") and lex.knows("Schmidt")
    assert not lex.knows("will")  # common words that are also names are not names on their own


@needs_lexicon
def test_names_listed_with_a_name_are_names() -> None:
    found = {m.text for m in find_pii("The song was written by Usamov and Bowers in 1977.")}
    assert {"Usamov", "Bowers"} <= found


def test_pii_trigger_reason_lists_kinds_and_masks_values() -> None:
    [trigger] = pii_triggers("Card 4111 1111 1111 1111, ask Mr. Pálffy.", where="The email")
    assert trigger.kind == "pii"
    assert trigger.reason.startswith("The email contains a payment card number and a person's name")
    assert trigger.reason.endswith(".")
    assert trigger.score is not None and trigger.score >= 0.65
    assert all("4111 1111 1111 1111" not in e for e in trigger.evidence)


def test_pii_trigger_ignores_expected_values() -> None:
    text = "Hi Ana Okafor, reply to ana@northwind.example when you can."
    assert pii_triggers(text, allow=["ana@northwind.example", "Ana Okafor"]) == []
    assert pii_triggers(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Our Athens desk is (+30) 6974 890682.", "(+30) 6974 890682"),  # country code in brackets
        ("Dial 00420 775 337 406 from abroad.", "00420 775 337 406"),  # "00" international prefix
        ("Phone: (06)91/417-7763", "(06)91/417-7763"),  # slashes between groups
        ("He left 0388 368595 as his number.", "0388 368595"),  # context after the number
        ("They're not answering at 9472 7916.", "9472 7916"),
    ],
)
def test_phone_numbers_in_more_national_formats(text: str, value: str) -> None:
    assert ("PHONE_NUMBER", value) in [(m.entity, m.text) for m in find_pii(text)]


def test_slashed_years_and_order_numbers_are_not_phones() -> None:
    assert not [m for m in find_pii("The 2023/2024 budget is final.") if m.entity == "PHONE_NUMBER"]
    assert not [m for m in find_pii("Order number: 12/345/678 shipped.") if m.entity == "PHONE_NUMBER"]


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Her office moved; she now lives at 14 Crown Street, Leeds.", "STREET_ADDRESS"),
        ("Send the samples to Calle Mayor 5, 28013 Madrid.", "STREET_ADDRESS"),
        ("He works from Hauptstraße 17, 10115 Berlin.", "STREET_ADDRESS"),
        ("The CTO gave us her home address for the courier.", "STREET_ADDRESS"),
        ("The CFO was diagnosed with multiple sclerosis last spring.", "SPECIAL_CATEGORY"),
        ("Our buyer is pregnant and on leave until June.", "SPECIAL_CATEGORY"),
        ("Its founder is bisexual.", "SPECIAL_CATEGORY"),
        ("The plant manager is a devout Muslim.", "SPECIAL_CATEGORY"),
        ("The sales lead is a member of the Green Party.", "SPECIAL_CATEGORY"),
        ("Two drivers are trade-union representatives.", "SPECIAL_CATEGORY"),
        ("Ring the desk on four four two zero seven nine four six oh oh.", "PHONE_NUMBER"),
        ("Der Rückruf: null eins sieben zwei drei vier fünf sechs.", "PHONE_NUMBER"),
    ],
)
def test_private_details_are_personal_data(text: str, entity: PiiEntity) -> None:
    (trigger,) = pii_triggers(text)
    assert trigger.kind == "pii" and trigger.score >= 0.3
    assert any(e.startswith(entity) for e in trigger.evidence), trigger.evidence


@pytest.mark.parametrize(
    "text",
    [
        "Zeta Freight runs 40 electric trucks between Porto and Madrid.",
        "The feature is disabled by default; fault diagnosis runs nightly.",
        "The planner aids dispatchers; a 2 way radio is in every cab.",
        "Count one, two, three, four, five, six, seven before lifting.",
        "Christian Dior and the European Union are among its clients.",
        "See report.pdf, version 2.5, e.g. the Node.js client.",
    ],
)
def test_ordinary_text_has_no_private_details(text: str) -> None:
    assert find_pii(text, entities=("STREET_ADDRESS", "SPECIAL_CATEGORY", "PHONE_NUMBER")) == []
