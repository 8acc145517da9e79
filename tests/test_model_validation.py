"""A model's output is checked against the inputs before it is used; the offline reading (or the stricter one) wins.

The two plans reproduce what a new user met with a small local model: a CSV of messages planned as an
outreach list ("Item 1 names no company"), and a task asking for emails planned as research.
"""

from __future__ import annotations

from typing import Any

import pytest

from humangate.agents.drafter import Drafter
from humangate.agents.planner import Planner
from humangate.agents.researcher import Researcher
from humangate.agents.support import SupportAnalyst
from humangate.core.schemas import DraftInput, ResearchInput, SupportMessage
from humangate.data.demo import demo_recipients, demo_sources
from humangate.tasks import planned_runs
from tests.test_agents_llm import answering

TRIAGE = "Triage these customer support messages and reply to the routine ones"
TICKETS = [{"text": "My order arrived broken and I want a refund.", "id": "T1"}, {"text": "Thanks!", "id": "T2"}]
INTRO = "Research these companies and draft an intro email to each contact. Let me approve before sending."
PEOPLE = [{"company": "Lumen Robotics", "name": "Bruno Ferraz", "email": "bruno@lumen.example"}]


def reading(graph: str, **extra: Any) -> dict[str, Any]:
    """Return a model's plan reading of ``graph``."""
    return {"graph": graph, "items": [], "goal": "", "tone": "friendly and concise"} | extra


def test_a_csv_of_messages_is_not_an_outreach_list() -> None:
    spec = Planner(answering(reading("outreach", items=[{"company": "Acme"}]))).run(TRIAGE, csv_rows=TICKETS)
    assert spec.graph == "support" and spec.items == TICKETS and spec.alternative is None
    assert "needs a column named company" in spec.disagreements[0] and "(support) stands" in spec.disagreements[0]
    assert spec.engine.startswith("offline, checked by")
    assert [p.graph for p in planned_runs(spec)] == ["support", "support"]  # no "Item 1 names no company"


def test_a_task_that_asks_for_emails_is_not_research() -> None:
    spec = Planner(answering(reading("research"))).run(INTRO, csv_rows=PEOPLE)
    assert spec.graph == "outreach" and spec.require_approval and spec.alternative is None
    assert "the task asks for emails to be written" in spec.disagreements[0]
    assert [p.graph for p in planned_runs(spec)] == ["outreach"]


def test_a_folder_of_sources_is_no_list_of_recipients(tmp_path: Any) -> None:
    (tmp_path / "acme").mkdir()
    spec = Planner(answering(reading("support"))).run("Look into these.", source_dir=tmp_path)
    assert spec.graph == "research" and "holds no customer messages" in spec.disagreements[0]


def test_a_reading_that_fits_but_differs_is_offered_not_taken() -> None:
    rows = [{"company": "Acme", "name": "Ann", "email": "ann@acme.example", "text": "Hello there"}]
    spec = Planner(answering(reading("support", require_approval=True))).run("Handle these rows.", csv_rows=rows)
    assert spec.graph == "outreach"  # the offline reading (an email column) stands
    assert spec.alternative is not None and spec.alternative.graph == "support"
    assert spec.alternative.require_approval and spec.alternative.items == rows
    assert any("unless a person chooses" in note for note in spec.disagreements)


def test_items_the_task_does_not_name_are_not_taken() -> None:
    named = Planner(answering(reading("research", items=[{"company": "Initech"}]))).run(
        "Research Acme Corp and Globex."
    )
    assert named.items == [{"company": "Acme Corp"}, {"company": "Globex"}]
    assert "the offline items stand" in named.disagreements[0]
    vague = "Research the firms I mentioned yesterday."
    invented = Planner(answering(reading("research", items=[{"company": "Initech"}]))).run(vague)
    assert invented.items == [] and "does not name" in invented.disagreements[0]
    quoted = 'Research "Acme Corp" and the other one.'
    found = Planner(answering(reading("research", items=[{"company": "Acme Corp"}]))).run(quoted)
    assert found.items == [{"company": "Acme Corp"}]


def test_the_stricter_review_rules_hold_and_ungrounded_goals_do_not() -> None:
    task = "Research Acme Corp and draft an email to ann@acme.example."
    spec = Planner(
        answering(reading("outreach", require_approval=True, goal="a wire transfer of $9,000", tone="warm"))
    ).run(task)
    assert spec.require_approval and spec.tone == "warm"
    assert spec.goal == Planner().run(task).goal  # the goal is not in the task's words: the offline one stands
    lax = Planner(answering(reading("outreach", require_approval=False))).run(INTRO, csv_rows=PEOPLE)
    assert lax.require_approval


def _draft_input() -> DraftInput:
    recipient = next(r for r in demo_recipients() if r.company == "Lumen Robotics")
    brief = Researcher().run(ResearchInput(subject="Lumen Robotics", sources=demo_sources("Lumen Robotics")))
    return DraftInput(brief=brief, recipient=recipient)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (
            "Hello there,\n\nLumen Robotics designs autonomous picking robots for warehouses, we hear. Talk soon?"
            "\n\nBest,\nThe team",
            "does not address the recipient",
        ),
        (
            "Hi Bruno,\n\nWe would love to show you our new product and talk about a partnership next week."
            "\n\nBest,\nThe team",
            "states none of the",
        ),
        (
            "Hi Bruno,\n\nLumen Robotics designs autonomous picking robots for warehouses. [Insert value prop]"
            "\n\nBest,\n[Your Name]",
            "unfilled placeholder",
        ),
    ],
)
def test_a_draft_that_drops_the_recipient_or_the_claims_is_held(body: str, why: str) -> None:
    inp = _draft_input()
    email = Drafter(answering({"to": "x", "subject": "Hi", "body": body, "claims_used": [5], "confidence": 1})).run(inp)
    offline = Drafter().run(inp)
    assert email.model_failure is not None and why in email.model_failure
    assert email.body == offline.body and email.confidence == offline.confidence


ANGRY = SupportMessage(
    id="T1", customer="Rob", text="This is the worst service ever. I am furious and I want a refund."
)


def _analysis(**extra: Any) -> dict[str, Any]:
    reply = "Hi Rob, I am sorry about this. Our billing team will look at your refund request today."
    return {
        "sentiment": -0.8,
        "label": "negative",
        "intent": "refund",
        "urgency": "high",
        "suggested_reply": reply,
        "confidence": 0.99,
    } | extra


@pytest.mark.parametrize(
    ("extra", "why"),
    [
        ({"label": "positive", "sentiment": 0.9}, "reads the message as positive"),
        ({"intent": "string"}, "is not one of"),
        ({"intent": "praise"}, "reads praise"),
        ({"suggested_reply": "OK"}, "too short"),
        ({"suggested_reply": 'Hi Rob, {"reply": "sorry about that"} we will fix it'}, "raw JSON"),
    ],
)
def test_a_support_reading_against_the_strong_signals_is_held(extra: dict[str, Any], why: str) -> None:
    analysis = SupportAnalyst(answering(_analysis(**extra))).run(ANGRY)
    offline = SupportAnalyst().run(ANGRY)
    assert analysis.model_failure is not None and why in analysis.model_failure
    assert analysis.suggested_reply == offline.suggested_reply and analysis.confidence == offline.confidence


def test_a_usable_support_reading_keeps_the_stricter_of_both() -> None:
    analysis = SupportAnalyst(answering(_analysis(urgency="low", sentiment=-0.2))).run(ANGRY)
    offline = SupportAnalyst().run(ANGRY)
    assert analysis.model_failure is None and analysis.suggested_reply.startswith("Hi Rob, I am sorry")
    assert analysis.confidence == offline.confidence < 0.99  # a model's say-so never lowers the risk
    assert analysis.sentiment == min(-0.2, offline.sentiment) and analysis.urgency == "high" and analysis.refund


def test_research_claims_the_cited_source_does_not_say_are_dropped() -> None:
    inp = ResearchInput(subject="Lumen Robotics", sources=demo_sources("Lumen Robotics"))
    invented = {
        "subject": "Lumen Robotics",
        "summary": "A bank in Zurich.",
        "claims": [
            {"text": "Lumen Robotics is a bank headquartered in Zurich.", "source_ids": ["lumen-robotics/about"]},
            {
                "text": "Lumen Robotics designs autonomous picking robots for warehouses.",
                "source_ids": ["lumen-robotics/about"],
            },
            {"text": "Lumen Robotics employs 9,999 people.", "source_ids": ["lumen-robotics/about"]},
        ],
        "coverage": 1.0,
        "confidence": 1.0,
    }
    brief = Researcher(answering(invented)).run(inp)
    offline = Researcher().run(inp)
    assert [c.text for c in brief.claims] == ["Lumen Robotics designs autonomous picking robots for warehouses."]
    assert brief.summary == offline.summary and brief.confidence == offline.confidence
    nothing = invented | {"claims": invented["claims"][:1]}
    failed = Researcher(answering(nothing)).run(inp)
    assert failed.model_failure is not None and "none of its 1 claims" in failed.model_failure
    assert failed.claims == offline.claims
