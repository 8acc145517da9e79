"""Offline support analyst: VADER plus intent lexicons, on the sample messages and on nlupp handoffs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from humangate.agents.support import SupportAnalyst
from humangate.core.schemas import SupportMessage
from humangate.data.demo import demo_support_cases

CASES = demo_support_cases()
FLAGS = ("churn", "legal", "refund", "wants_human")
NLUPP = Path(__file__).resolve().parents[2] / "shared" / "data" / "support" / "nlupp.jsonl"


@pytest.mark.parametrize(("message", "expected"), CASES, ids=[m.id for m, _ in CASES])
def test_sample_messages_get_the_labelled_intent_sentiment_and_flags(
    message: SupportMessage, expected: dict[str, Any]
) -> None:
    analysis = SupportAnalyst().run(message)
    assert analysis.intent == expected["intent"]
    assert analysis.label == expected["label"]
    assert {f for f in FLAGS if getattr(analysis, f)} == set(expected["flags"])
    assert analysis.model_failure is None
    assert analysis.suggested_reply.startswith(f"Hi {message.customer.split()[0]},")


def test_furious_churn_and_legal_messages_are_high_urgency_and_calm_ones_are_not() -> None:
    readings = {m.id: SupportAnalyst().run(m) for m, _ in CASES}
    for angry in ("T-1009", "T-1010", "T-1011", "T-1013"):
        assert readings[angry].urgency == "high" and readings[angry].label == "negative"
    for calm in ("T-1001", "T-1002", "T-1004", "T-1005", "T-1014"):
        reading = readings[calm]
        assert reading.urgency == "low" and reading.label != "negative"
        assert not (reading.churn or reading.legal or reading.refund or reading.wants_human)


def test_signals_quote_the_phrases_that_drove_the_reading() -> None:
    legal = next(m for m, _ in CASES if m.id == "T-1011")
    signals = SupportAnalyst().run(legal).signals
    assert "legal: my lawyer" in signals
    assert any(s.startswith("legal: sue") for s in signals)


def test_negative_messages_get_an_empathetic_reply_and_no_promises() -> None:
    for message, _ in CASES:
        analysis = SupportAnalyst().run(message)
        if analysis.label == "negative" or analysis.intent in ("refund", "cancellation", "legal"):
            assert "sorry" in analysis.suggested_reply.lower()
        for promise in ("we will refund", "guarantee", "discount", "our fault"):
            assert promise not in analysis.suggested_reply.lower()


def test_angry_history_tilts_a_neutral_message() -> None:
    text = "Any news on my ticket?"
    calm = SupportAnalyst().run(SupportMessage(id="1", text=text))
    tilted = SupportAnalyst().run(
        SupportMessage(id="2", text=text, history=["This is terrible, awful service.", "I am furious."])
    )
    assert tilted.sentiment < calm.sentiment


def test_polite_words_do_not_make_a_demand_positive() -> None:
    analysis = SupportAnalyst().run(SupportMessage(id="1", text="Please, please refund me, thank you so much."))
    assert analysis.refund and analysis.label == "neutral"


@pytest.mark.parametrize(
    "text",
    [
        "Can I speak to a manager?",
        "Put me through to a real person, now.",
        "I don't want to talk to a bot, get me a human.",
        "Could you transfer me to the billing team please?",
        "Is there someone I can call? Can somebody else look at this?",
    ],
)
def test_requests_for_a_person_are_recognised(text: str) -> None:
    analysis = SupportAnalyst().run(SupportMessage(id="h", text=text))
    assert analysis.wants_human


@pytest.mark.parametrize(
    "text",
    [
        "How do I transfer money to someone else?",
        "I need to schedule a meeting to talk about my savings account.",
        "Block my card, I lost it.",
        "Our team loves the new release.",
    ],
)
def test_ordinary_requests_do_not_ask_for_a_person_or_churn(text: str) -> None:
    analysis = SupportAnalyst().run(SupportMessage(id="n", text=text))
    assert not (analysis.wants_human or analysis.churn or analysis.legal)


def test_a_redirect_adds_the_reviewers_words() -> None:
    message = SupportMessage(
        id="r", customer="Olivia Brown", text="I was charged twice.", instructions='Add "Your refund ID is R-17."'
    )
    assert "Your refund ID is R-17." in SupportAnalyst().run(message).suggested_reply


@pytest.mark.skipif(not NLUPP.exists(), reason="the shared evaluation data is not beside the repository")
def test_handoff_recall_and_flag_rate_on_nlupp_tuning_folds() -> None:
    # Folds 0-14 are the tuning folds; the benchmark reports on 15-19.
    rows = [json.loads(line) for line in NLUPP.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if r["fold"] < 15]
    analyst = SupportAnalyst()
    wants = [analyst.run(SupportMessage(id=str(i), text=r["text"])).wants_human for i, r in enumerate(rows)]
    handoff = ["handoff" in r["intents"] for r in rows]
    recall = sum(w and h for w, h in zip(wants, handoff, strict=True)) / sum(handoff)
    false_flags = sum(w and not h for w, h in zip(wants, handoff, strict=True)) / (len(rows) - sum(handoff))
    assert recall >= 0.9
    assert false_flags <= 0.01
