"""Controls for the model-path checks of support replies and routing rules: what they hold, and what they let through.

A model's reading may add a routing match, never remove one (``risk.routing``, ``agents.validation.stricter_analysis``);
a model's reply may repeat the customer's own figures but not state new ones (``risk.reply_facts``), and is read for
its own tone (``risk.reply_tone``). The controls make sure none of these holds a plain, friendly, correct reply.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from humangate import Orchestrator, Settings
from humangate.agents.models import ModelConfig, make_chat_model
from humangate.agents.offline import analyze
from humangate.agents.offline.replies import compose_reply, template_sentences
from humangate.agents.validation import reply_problems, stricter_analysis
from humangate.core.schemas import RoutingRule, SupportAnalysis, SupportMessage
from humangate.data.demo import demo_support_messages
from humangate.graphs.common import GraphDeps
from humangate.graphs.support import SupportInput
from humangate.risk import RiskPolicy
from humangate.risk.reply_facts import reply_fact_triggers, unsourced_figures
from humangate.risk.reply_tone import hostile_tone
from humangate.risk.routing import route_hits
from tests.fake_openai import FakeOpenAI, content

CALM = next(m for m in demo_support_messages() if m.id == "T-1001")  # "How do I export my reports to CSV?"
NOTHING = {
    "frustration": False,
    "complaint": False,
    "churn": False,
    "harm": False,
    "legal": False,
    "asks_for_person": False,
    "needs_person": False,
    "reason": "A calm how-to question.",
}
ORDER = SupportInput(
    id="T-77", customer="Priya Shah", text="Where is order 48213? I placed it on 12/03/2024 and would love an update."
)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def _support(tmp_path: Path, fake: FakeOpenAI, message: Any, **reading: Any) -> tuple[str, list[str]]:
    """Run the support graph on ``message`` with the model's reading (the offline one, changed by ``reading``)."""
    analysis = analyze(message).model_dump(mode="json") | {"confidence": 0.95} | reading
    fake.script(content(json.dumps(analysis)), content(json.dumps(NOTHING)))
    model = make_chat_model(
        ModelConfig(provider="openai", model="fake", base_url=fake.base_url, timeout=10.0, max_attempts=1)
    )
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "outbox")
    with Orchestrator(settings, deps=GraphDeps(policy=RiskPolicy(), model=model)) as o:
        run = o.start("support", message)
        reasons = (
            [t.reason for t in o.item(run.pending_items[0]).request.assessment.triggers] if run.pending_items else []
        )
        return run.status, reasons


def _reply(sentence: str) -> str:
    return f"Hi Priya,\n\n{sentence}\n\nBest regards,\nCustomer Support"


# --- end to end: the model's plain replies still go out ---------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Thanks for your question! You can export your reports to CSV from the Reports page.",
        "Happy to help: open Reports, pick the report, and choose Export as CSV.",
    ],
)
def test_a_friendly_model_reply_to_a_calm_customer_is_sent(tmp_path: Path, fake: FakeOpenAI, sentence: str) -> None:
    status, reasons = _support(tmp_path, fake, CALM, suggested_reply=_reply(sentence))
    assert status == "completed", reasons


def test_a_model_reply_repeating_the_customers_order_number_and_date_is_not_held_for_figures(
    tmp_path: Path, fake: FakeOpenAI
) -> None:
    sentence = "Thanks for asking about order 48213 from 12/03/2024. I've asked our team to check where it is."
    status, reasons = _support(tmp_path, fake, ORDER, suggested_reply=_reply(sentence))
    assert status == "completed", reasons
    invented = "Order 48213 from 12/03/2024 will arrive on 19/03/2024."  # the same figures, and a date nobody gave
    (tmp_path / "invented").mkdir()
    status, reasons = _support(tmp_path / "invented", fake, ORDER, suggested_reply=_reply(invented))
    assert status == "paused" and any("figure" in r for r in reasons), reasons


def test_a_model_apology_is_not_read_as_hostile(tmp_path: Path, fake: FakeOpenAI) -> None:
    sentence = "I'm sorry for the trouble with your export. You can export your reports to CSV from the Reports page."
    status, reasons = _support(tmp_path, fake, CALM, suggested_reply=_reply(sentence))
    assert status == "completed", reasons


# --- the figures a reply may state ------------------------------------------------------------------------------------


def test_figures_the_customer_gave_may_be_rewritten_but_not_made_up() -> None:
    given = ["Where is order A-12345? I placed it on 3/5/2024 and paid 1,200 EUR."]
    assert unsourced_figures("Order A-12345 from 03/05/2024, for 1200 EUR, is on its way.", given) == []
    assert unsourced_figures("Hi,\n1. Open Reports.\n2) Choose Export.", given) == []  # a list's running numbers
    assert unsourced_figures("It ships in version 4.2.", ["I have 4 users and 2 projects."]) != []
    # A version or an amount lends none of its parts: "version 4.2" does not back "4 days".
    assert unsourced_figures("It arrives in 4 days.", ["I am on version 4.2."]) != []
    assert unsourced_figures("We refunded 200 of it.", ["I paid 1,200.50 last week."]) != []
    assert unsourced_figures("It is due on the 3rd, in 2024.", ["Charged on 03/05/2024."]) == []  # a date does
    assert unsourced_figures("It ships in version \uff14.\uff12.", ["hello"]) != []  # fullwidth digits count
    assert reply_fact_triggers("Your ticket number is T-1001.", ["T-1001"]) == []


def test_every_offline_reply_states_only_figures_it_was_given() -> None:
    for m in demo_support_messages():
        reply = analyze(m).suggested_reply
        assert reply_fact_triggers(reply, [m.text, *m.history, m.id, m.customer]) == [], (m.id, reply)


# --- the reply's own tone ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Sorry about that, the export is broken right now and we are fixing it.",
        "I'm sorry to hear you were charged twice. I've asked billing to check the payment.",
        "I understand how frustrating this must be, and I'm sorry.",
        "Don't hesitate to reach out if you have any other questions.",
        "Unfortunately the CSV export is not available on the free plan.",
    ],
)
def test_kind_replies_read_as_kind(sentence: str) -> None:
    assert hostile_tone(_reply(sentence), template_sentences()) is None
    assert reply_problems(_reply(sentence)) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Your complaint is ridiculous and we will not answer it again.",
        "That is a terrible question, you clearly have no idea what you are doing.",
        "Stop bothering us about the export.",
    ],
)
def test_hostile_replies_are_a_model_failure(sentence: str) -> None:
    assert any("hostile" in p for p in reply_problems(_reply(sentence)))


def test_every_template_reply_reads_as_kind() -> None:
    texts = [m.text for m in demo_support_messages()] + ["My sync job fails with error 502, it is broken!"]
    intents = ("legal", "cancellation", "refund", "handoff", "complaint", "billing", "technical", "question", "other")
    for text in texts:
        for intent in (*intents, "praise"):
            for negative in (True, False):
                message = SupportMessage(id="T-1", customer="Rob Stone", text=text)
                reply = compose_reply(message, intent, negative=negative, additions=[])
                assert hostile_tone(reply, template_sentences()) is None, reply


# --- the task's routing rules read both readings ----------------------------------------------------------------------


BILLING = RoutingRule(kinds=["billing"], terms=["billing"], said="send billing questions to me")


def test_a_rule_matches_when_either_reading_finds_it_and_only_then() -> None:
    receipt = "Could you resend my receipt for last month?"
    offline = analyze(SupportMessage(id="T-9", text=receipt))
    assert offline.intent == "billing"
    milder = offline.model_copy(update={"intent": "question"})
    assert route_hits(receipt, milder, [BILLING])  # the offline reading still matches
    calm = analyze(SupportMessage(id="T-9", text=CALM.text))
    assert route_hits(CALM.text, calm, [BILLING]) == []  # neither reading is billing: no hold
    added = calm.model_copy(update={"intent": "billing"})
    assert route_hits(CALM.text, added, [BILLING])  # the model may add a match


def test_the_stricter_reading_keeps_every_offline_signal_and_intent() -> None:
    offline = analyze(SupportMessage(id="T-9", text="Nobody answers my emails about my invoice."))
    flood = [f"note: {i}" for i in range(80)]
    model = offline.model_copy(update={"intent": "question", "signals": flood})
    kept = stricter_analysis(model, offline)
    assert kept.signals[: len(offline.signals)] == offline.signals
    assert len(kept.signals) == 50
    assert kept.intent == offline.intent
    louder = stricter_analysis(offline.model_copy(update={"intent": "legal"}), offline)
    assert louder.intent == "legal" and f"intent: {offline.intent}" in louder.signals


def test_a_model_may_read_a_calm_question_as_technical() -> None:
    calm = analyze(SupportMessage(id="T-9", text=CALM.text))
    assert calm.intent == "question"
    model = SupportAnalysis.model_validate(calm.model_dump() | {"intent": "technical"})
    assert stricter_analysis(model, calm).intent == "technical"
