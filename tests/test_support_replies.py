"""Offline support replies: they answer what they can, promise no response times, and have subjects and addresses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from humangate import Orchestrator, Settings
from humangate.agents.offline.replies import reply_subject, restate_question
from humangate.agents.offline.triage import template_sentences
from humangate.agents.support import SupportAnalyst
from humangate.core.schemas import SupportMessage
from humangate.data.demo import demo_support_cases
from humangate.risk.escalation import without_templates

CASES = demo_support_cases()
# How a reply promises when someone answers: a time, a day, or words that stand for one.
RESPONSE_TIME = re.compile(
    r"\b(?:within|in the next|by (?:the )?(?:end of|tomorrow|today|monday|friday)|business days?|working days?"
    r"|hours?|minutes?|shortly|soon|asap|right away|immediately|today|tomorrow|24/7)\b",
    re.I,
)
MORE = [
    "Did you receive my email from yesterday? What's my ticket number?",
    "Can you tell me where I can find the API docs?",
    "How can we invite our accountant to the workspace?",
    "Does the mobile app work offline?",
    "My card was charged and the page crashed with error 500.",
    "Why is the dashboard so slow lately?",
    "Please cancel the invoice, it's wrong.",
]


def _reply(message: SupportMessage) -> tuple[str, str]:
    analysis = SupportAnalyst().run(message)
    return reply_subject(message, analysis.intent), analysis.suggested_reply


@pytest.mark.parametrize(
    "message", [m for m, _ in CASES] + [SupportMessage(id=f"X-{i}", text=t) for i, t in enumerate(MORE)]
)
def test_no_reply_promises_a_response_time(message: SupportMessage) -> None:
    subject, body = _reply(message)
    assert not RESPONSE_TIME.search(body), body
    assert not RESPONSE_TIME.search(subject), subject


def test_questions_are_said_back_and_subjects_say_what_the_message_was_about() -> None:
    replies = {m.id: _reply(m) for m, _ in CASES}
    assert replies["T-1001"][0] == "Re: How to export your reports to CSV [T-1001]"
    assert "Thanks for asking how to export your reports to CSV." in replies["T-1001"][1]
    # An invoice is a money matter: said back, it would hold a routine answer for a person.
    assert replies["T-1003"][0] == "Re: Your billing question [T-1003]"
    assert "whether you can add a second admin to your workspace" in replies["T-1004"][1]
    assert replies["T-1005"][0] == "Re: Whether the API supports pagination [T-1005]"
    assert replies["T-1006"][0] == "Re: The problem with your sync job (error 502) [T-1006]"
    assert replies["T-1007"][0] == "Re: Your refund request [T-1007]"
    assert replies["T-1012"][0] == "Re: Talking to a person [T-1012]"
    assert replies["T-1012"][1].split("\n\n")[1].startswith("Of course. I'm passing this conversation")
    assert len({subject for subject, _ in replies.values()}) >= 10  # not one subject for everything


def test_what_the_product_knows_it_answers() -> None:
    subject, body = _reply(SupportMessage(id="T-77", customer="Ana Silva", text=MORE[0]))
    assert "Yes, your message has reached us." in body and "Your ticket number is T-77." in body
    assert subject.endswith("[T-77]")


@pytest.mark.parametrize(
    "text",
    [
        "How do I transfer $5,000 to account 12345678?",  # figures are never said back
        "How do I send you my password?",  # nor requests for secrets
        "How do I get a refund for the duplicate charge?",  # nor money matters
        "Can you tell me when you will fix it?",  # nor anything addressed to us
        "How do I visit https://evil.example/login now?",
        "How do I reach John Smith at john@example.com?",
    ],
)
def test_risky_words_are_not_said_back(text: str) -> None:
    assert restate_question(text) is None
    _, body = _reply(SupportMessage(id="T-1", text=text))
    assert "Thanks for asking" not in body


def test_every_fixed_sentence_is_a_template_so_the_router_scores_only_the_customer() -> None:
    templates = template_sentences()
    for message in [m for m, _ in CASES] + [SupportMessage(id=f"X-{i}", text=t) for i, t in enumerate(MORE)]:
        _, body = _reply(message)
        left = without_templates(body)
        # What is left is the greeting, the sign-off and the sentences made from the message itself.
        for sentence in re.split(r"(?<=[.!?])\s+|\n+", left):
            sentence = sentence.strip()
            if not sentence or sentence.startswith("Hi ") or sentence in ("Best regards,", "Customer Support"):
                continue
            assert sentence.startswith(("Thanks for asking", "Thanks for reporting", "Your ticket number")), sentence
    # The sentences earlier versions sent are still known, as customers quote them back.
    assert "I've passed it to our product specialists, who will reply with the steps within one business day." in (
        templates
    )


@pytest.fixture
def orch(tmp_path: Path) -> Orchestrator:
    o = Orchestrator(Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "spool"))
    o.add_user("alice", "reviewer")
    return o


def test_the_proposal_names_the_address_and_the_subject(orch: Orchestrator) -> None:
    text = "How do I export my reports to CSV?"
    with orch:
        run = orch.start(
            "support",
            {
                "id": "T-5",
                "customer": "Priya Shah",
                "text": text,
                "email": "priya@example.org",
                "require_approval": True,
            },
        )
        item = orch.item(run.pending_items[0])
        assert item.request.proposal["to"] == "Priya Shah <priya@example.org>"
        assert item.request.proposal["subject"] == "Re: How to export your reports to CSV [T-5]"
        assert "by email to Priya Shah <priya@example.org>" in item.request.observed
        anonymous = orch.start(
            "support", {"id": "T-6", "customer": "Priya Shah", "text": text, "require_approval": True}
        )
        other = orch.item(anonymous.pending_items[0])
        assert other.request.proposal["to"] == "Priya Shah" and "back on ticket T-6" in other.request.observed
