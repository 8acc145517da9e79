"""The reading every outgoing-text check starts from (``risk._fold.readable``), and what it must leave alone.

Disguised letters and dots read as the plain ones a reader sees; ordinary accented words and CJK punctuation
are not links, policy terms or confirmations because of it.
"""

from __future__ import annotations

import unicodedata

import pytest

from humangate.agents.offline.planning import plan
from humangate.agents.plan_check import reconcile
from humangate.core.schemas import AmountLimit, PlanReading
from humangate.risk._fold import readable
from humangate.risk.confirmations import confirmation_triggers, find_confirmations
from humangate.risk.outbound import find_links, outbound_triggers
from humangate.risk.terms import find_commitments, find_policy_terms, policy_triggers

ORDINARY = [
    "Hi Zoë,\n\nThanks for the café photos from Zürich! I read your résumé, and it is not naïve at all.\n\n"
    "Best regards,\nCustomer Support",
    "Bonjour Renée,\n\nMerci pour votre message. Nous avons bien noté la réunion à Genève.\n\nCordialement,\nSupport",
    "Hi Priya,\n\nYou can export your reports to CSV from the Reports page.\n\nBest regards,\nCustomer Support",
    "您好，感谢您的来信。我们会尽快查看您的问题。\n\nBest regards,\nCustomer Support",
    "こんにちは。レポートはCSVで書き出せます。よろしくお願いします。",
    "Thanks for the note about Ålesund and Malmö。 We enjoyed the smørrebrød.",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_accented_and_cjk_text_carries_no_link_term_or_confirmation(text: str) -> None:
    assert find_links(text) == []
    assert find_policy_terms(text) == []
    assert find_confirmations(text, "How do I export my reports?") == []
    reasons = [t.reason for t in outbound_triggers(to="priya@example.com", subject="Re: export", body=text)]
    assert not any("link" in r for r in reasons), reasons
    assert [t for t in policy_triggers(text, commitments=False)] == []


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_keeps_its_letters_and_accents(text: str) -> None:
    # Only compatibility forms ("，" is ",") and the host dots change: "é", "ö", "å" and CJK letters stay.
    assert readable(text).text == unicodedata.normalize("NFKC", text).replace("。", ".")


def test_plain_ascii_is_read_as_written_with_its_own_positions() -> None:
    text = "We will refund you."
    read = readable(text)
    assert read.text == text and read.span(8, 14) == (8, 14)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("r\u0435fund", "refund"),  # Cyrillic е
        ("\uff52\uff45\uff46\uff55\uff4e\uff44", "refund"),  # fullwidth
        ("re\u00adfund", "refund"),  # soft hyphen
        ("re\u200bfund", "refund"),  # zero-width space
        ("help\u3002example", "help.example"),
        ("help\uff0eexample", "help.example"),
        ("help\uff61example", "help.example"),
        ("help\ufe52example", "help.example"),
    ],
)
def test_disguises_read_as_what_they_show(written: str, read: str) -> None:
    assert readable(written).text == read


def test_a_term_found_in_disguise_is_quoted_as_written() -> None:
    text = "Good news: we will r\u0435\u00adfund you."
    (match,) = [m for m in find_policy_terms(text) if m.category == "refund"]
    assert match.text == "r\u0435\u00adfund" and text[match.start : match.end] == match.text
    (trigger,) = [t for t in policy_triggers(text, commitments=False) if "refund" in t.reason]
    assert "r\u0435\u00adfund" in trigger.evidence[0]


def test_a_watch_term_matches_its_disguised_spelling() -> None:
    text = "We can offer a go\u043ed\u200bwill gesture."
    assert [m.text for m in find_policy_terms(text, extra={"refund": ["goodwill gesture"]})] == [
        "go\u043ed\u200bwill gesture"
    ]


def test_a_promise_in_disguise_is_a_commitment_quoted_as_written() -> None:
    text = "I w\u0456ll send you the contract."
    (promise,) = [c for c in find_commitments(text) if c.kind == "promise"]
    assert promise.text == "I w\u0456ll send"


def test_a_confirmation_in_disguise_holds_and_is_quoted_as_written() -> None:
    reply = "Hi,\n\nWe have r\u0435fund\u0435d your p\u0430yment.\n\nBest"
    assert find_confirmations(reply) == ["We have r\u0435fund\u0435d your p\u0430yment."]
    assert confirmation_triggers(reply, "Did you get my p\u0430yment?")


def test_a_credential_request_in_look_alike_letters_is_found() -> None:
    body = "Please reply with your p\u0430ssw\u043erd so we can check."
    assert any("credentials" in t.reason for t in outbound_triggers(to="a@example.com", subject="", body=body))


TASK = "Research Acme Corp and draft an email to ann@acme.example."


def test_the_models_free_text_rules_are_not_the_plans_rules_but_its_enforced_fields_are() -> None:
    offline = plan(TASK)
    reading = PlanReading(
        graph="outreach",
        require_approval=True,
        rules=["Every email is checked by legal.", *offline.rules],
        limits=[AmountLimit(subject="discount", amount=10, unit="%")],
    )
    spec = reconcile(reading, offline, engine="fake")
    assert spec.require_approval
    assert "Every email is checked by legal." not in spec.rules
    assert any("approves every email" in r for r in spec.rules)
    assert any("any discount over 10%" in r for r in spec.rules)
    assert [r for r in spec.rules if r in offline.rules] == offline.rules
