"""The shipped graphs end to end through the Orchestrator, on SQLite and Postgres, with the bundled demo data.

Outreach (research -> review_brief -> draft -> review_send -> send) and support (analyze -> review_reply ->
reply) run offline; one fake chat model that never gives usable output checks that a model failure
becomes a reviewable high-risk item, never a crash.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from pydantic import Field
from sqlalchemy import select

from humangate import Orchestrator, ReviewItem, RunInfo, Settings
from humangate.agents.researcher import Researcher
from humangate.checkpoints.schema import outbox
from humangate.core.contract import risk_rank
from humangate.core.schemas import ResearchInput
from humangate.data.demo import demo_outreach_items, demo_support_messages
from humangate.errors import NotAuthorizedError
from humangate.graphs.common import GraphDeps
from humangate.graphs.registry import default_registry

OUTREACH = {item["company"]: item for item in demo_outreach_items()}
SUPPORT = {message.id: message for message in demo_support_messages()}
CONSISTENT, CONFLICTING, INJECTED = "Northwind Analytics", "Lumen Robotics", "Harbor Freight Labs"
CALM, FURIOUS, LEGAL, FRUSTRATED = "T-1001", "T-1010", "T-1011", "T-1008"
# The injected sentences of harbor-freight-labs/careers, in pieces a rewording would still contain.
INJECTED_TEXT = ("ignore previous instructions", "data-export@", "customer list", "market leader", "ai assistants")
NOT_USABLE = "The model's output could not be used"


def _sent(o: Orchestrator, run_id: str) -> list[dict[str, Any]]:
    with o.db.read() as conn:
        rows = conn.execute(select(outbox).where(outbox.c.run_id == run_id)).all()
    return [json.loads(r.payload_json) | {"status": r.status} for r in rows]


def _outreach(o: Orchestrator, company: str, *, require_approval: bool = False) -> RunInfo:
    return o.start("outreach", OUTREACH[company] | {"require_approval": require_approval}, started_by="cli")


def _only_item(o: Orchestrator, run: RunInfo, node: str) -> ReviewItem:
    assert run.status == "paused", run
    (item_id,) = run.pending_items
    item = o.item(item_id)
    assert item.node == node
    return item


def _state(o: Orchestrator, graph: str, run_id: str) -> dict[str, Any]:
    values = o.graph(graph).get_state({"configurable": {"thread_id": run_id}}).values
    assert isinstance(values, dict)
    return values


def _reasons(item: ReviewItem) -> list[str]:
    return [t.reason for t in item.request.assessment.triggers]


# -- outreach --------------------------------------------------------------------------------------------


def test_consistent_company_completes_and_sends_exactly_one_email(orch: Orchestrator, settings: Settings) -> None:
    run = _outreach(orch, CONSISTENT)
    assert (run.status, run.outcome, run.pending_items) == ("completed", "passed", ())
    (email,) = _sent(orch, run.id)
    assert email["status"] == "sent" and email["to"] == OUTREACH[CONSISTENT]["recipient"]["email"]
    assert email["body"] == _state(orch, "outreach", run.id)["draft"]["body"]
    assert len(list(Path(settings.outbox_dir).glob("*.eml"))) == 1


def test_require_approval_pauses_at_review_send_and_approve_sends(orch: Orchestrator) -> None:
    run = _outreach(orch, CONSISTENT, require_approval=True)
    item = _only_item(orch, run, "review_send")
    assert _sent(orch, run.id) == []
    assert any("Every proposal at this step is reviewed" in r for r in _reasons(item))
    done = orch.decide(item.id, {"action": "approve", "reviewer": "alice"}).run
    assert (done.status, done.outcome) == ("completed", "approved")
    (email,) = _sent(orch, run.id)
    assert (email["to"], email["subject"], email["body"]) == (
        item.request.proposal["to"],
        item.request.proposal["subject"],
        item.request.proposal["body"],
    )


def test_draft_review_shows_the_claims_it_used_and_their_sources(orch: Orchestrator) -> None:
    run = _outreach(orch, CONSISTENT, require_approval=True)
    request = _only_item(orch, run, "review_send").request
    brief = _state(orch, "outreach", run.id)["brief"]
    used: list[int] = request.proposal["claims_used"]
    assert used, "the offline draft cites the brief"
    by_id = {s.id: s for s in request.sources}
    cited = {sid for i in used for sid in brief["claims"][i]["source_ids"]}
    for i in used:
        claim = by_id[f"claim-{i}"]
        assert claim.excerpt == brief["claims"][i]["text"]
        assert all(sid in claim.title for sid in brief["claims"][i]["source_ids"])
    pages = {s["id"]: s for s in OUTREACH[CONSISTENT]["sources"]}
    assert set(by_id) == {f"claim-{i}" for i in used} | cited  # only what the draft leans on
    for sid in cited:
        assert by_id[sid].excerpt == pages[sid]["text"] and by_id[sid].url == pages[sid]["url"]


def test_conflicting_sources_pause_at_review_brief_and_redirect_reworks_the_brief(orch: Orchestrator) -> None:
    run = _outreach(orch, CONFLICTING)
    item = _only_item(orch, run, "review_brief")
    assert "data_quality" in item.trigger_kinds
    assert risk_rank(item.risk_level) >= risk_rank("high")
    assert {c["topic"] for c in item.request.proposal["conflicts"]} == {"founding year", "headcount"}

    instructions = "Ignore the news-profile page; trust the company's about page."
    after = orch.decide(
        item.id,
        {"action": "redirect", "reviewer": "alice", "reason_code": "conflicting_sources", "instructions": instructions},
    ).run
    again = _only_item(orch, after, "review_brief")
    assert again.id != item.id and orch.item(item.id).status == "decided"
    assert any(instructions in a for a in again.request.attempts)
    brief = again.request.proposal
    assert brief["conflicts"] == [] and brief["claims"]
    assert all("lumen-robotics/news-profile" not in c["source_ids"] for c in brief["claims"])
    assert _sent(orch, run.id) == []


def test_an_edited_brief_is_what_the_draft_and_the_email_use(orch: Orchestrator) -> None:
    run = _outreach(orch, CONFLICTING)
    item = _only_item(orch, run, "review_brief")
    fact = "Lumen Robotics builds picking robots that learn new item shapes from a few examples."
    edited = item.request.proposal | {
        "claims": [{"text": fact, "source_ids": ["lumen-robotics/about"]}],
        "conflicts": [],
        "confidence": 0.9,
    }
    after = orch.decide(
        item.id, {"action": "edit", "reviewer": "alice", "reason_code": "conflicting_sources", "edited": edited}
    ).run
    assert _state(orch, "outreach", run.id)["brief"]["claims"] == edited["claims"]
    if after.status == "paused":  # the draft may still want a look; approving it sends it unchanged
        draft = _only_item(orch, after, "review_send")
        after = orch.decide(draft.id, {"action": "approve", "reviewer": "bob"}).run
    assert after.outcome == "approved"
    (email,) = _sent(orch, run.id)
    assert fact in email["body"] and "450" not in email["body"] and "2016" not in email["body"]


def test_an_edited_draft_is_the_email_that_is_sent(orch: Orchestrator) -> None:
    run = _outreach(orch, CONSISTENT, require_approval=True)
    item = _only_item(orch, run, "review_send")
    edited = item.request.proposal | {
        "subject": "Forecasting for Northwind's stores",
        "body": item.request.proposal["body"] + "\n\nP.S. We met at the Lisbon retail summit.",
    }
    done = orch.decide(item.id, {"action": "edit", "reviewer": "alice", "reason_code": "tone", "edited": edited}).run
    assert (done.status, done.outcome) == ("completed", "approved")
    (email,) = _sent(orch, run.id)
    assert (email["subject"], email["body"]) == (edited["subject"], edited["body"])


def test_rejecting_the_brief_ends_the_run_without_sending(orch: Orchestrator) -> None:
    run = _outreach(orch, CONFLICTING, require_approval=True)
    item = _only_item(orch, run, "review_brief")
    done = orch.decide(item.id, {"action": "reject", "reviewer": "alice", "reason_code": "conflicting_sources"}).run
    assert (done.status, done.outcome, done.pending_items) == ("completed", "rejected", ())
    assert _sent(orch, run.id) == []
    assert "draft" not in _state(orch, "outreach", run.id)


def test_injected_instruction_pauses_and_stays_out_of_the_brief(orch: Orchestrator) -> None:
    run = _outreach(orch, INJECTED)
    item = _only_item(orch, run, "review_brief")
    assert "injection" in item.trigger_kinds
    assert risk_rank(item.risk_level) >= risk_rank("high")
    brief = item.request.proposal
    assert {f["source_id"] for f in brief["injections"]} == {"harbor-freight-labs/careers"}
    assert brief["claims"]
    for claim in brief["claims"]:
        assert not any(bad in claim["text"].lower() for bad in INJECTED_TEXT), claim
    assert _sent(orch, run.id) == []


# -- support ---------------------------------------------------------------------------------------------


def test_calm_message_is_answered_once_without_review(orch: Orchestrator) -> None:
    run = orch.start("support", SUPPORT[CALM])
    assert (run.status, run.outcome, run.pending_items) == ("completed", "passed", ())
    (reply,) = _sent(orch, run.id)
    assert reply["to"] == SUPPORT[CALM].customer and reply["status"] == "sent"
    assert reply["body"] == _state(orch, "support", run.id)["reply"]["body"]


def test_furious_message_pauses_for_a_reviewer(orch: Orchestrator) -> None:
    run = orch.start("support", SUPPORT[FURIOUS])
    item = _only_item(orch, run, "review_reply")
    assert risk_rank(item.risk_level) >= risk_rank("high") and item.required_role == "reviewer"
    assert "router" in item.trigger_kinds  # the escalation router reads the frustration
    assert _sent(orch, run.id) == []


def test_legal_threat_is_critical_and_needs_an_expert(orch: Orchestrator) -> None:
    run = orch.start("support", SUPPORT[LEGAL])
    item = _only_item(orch, run, "review_reply")
    assert (item.risk_level, item.required_role) == ("critical", "expert")
    assert any("legal" in r.lower() for r in _reasons(item))
    assert [s.id for s in item.request.sources][-1] == "message"  # the whole conversation is shown
    with pytest.raises(NotAuthorizedError):
        orch.decide(item.id, {"action": "approve", "reviewer": "alice"})
    assert _sent(orch, run.id) == []
    done = orch.decide(item.id, {"action": "approve", "reviewer": "erin"}).run
    assert (done.status, done.outcome) == ("completed", "approved")
    assert len(_sent(orch, run.id)) == 1


def test_support_redirect_reruns_the_analyst_with_the_instructions(orch: Orchestrator) -> None:
    run = orch.start("support", SUPPORT[FRUSTRATED])
    item = _only_item(orch, run, "review_reply")
    promise = "A senior engineer will call you today about the export."
    instructions = f'Apologise for the delay and add "{promise}"'
    after = orch.decide(
        item.id, {"action": "redirect", "reviewer": "alice", "reason_code": "tone", "instructions": instructions}
    ).run
    again = _only_item(orch, after, "review_reply")
    assert again.id != item.id
    assert any(instructions in a for a in again.request.attempts)
    assert promise in again.request.proposal["body"] and promise not in item.request.proposal["body"]
    orch.decide(again.id, {"action": "approve", "reviewer": "bob"})
    (reply,) = _sent(orch, run.id)
    assert promise in reply["body"]


# -- a model whose output can never be used --------------------------------------------------------------


class UnusableModel(BaseChatModel):
    """A chat model that answers every request, structured or not, with prose and no JSON."""

    requests: list[Sequence[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "unusable-fake"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.requests.append(messages)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content="Sorry, I can't help with that."))])

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Runnable[Any, AIMessage]:
        """Accept tools and ignore them, so LangChain's own structured-output path runs and finds no call."""
        return self


@pytest.fixture
def broken(settings: Settings) -> Iterator[tuple[Orchestrator, UnusableModel]]:
    """Return an Orchestrator whose graphs were built with ``UnusableModel``, and the model."""
    model = UnusableModel()
    deps = GraphDeps(model=model)
    with Orchestrator(settings, deps=deps, registry=default_registry(deps)) as o:
        o.add_user("alice", "reviewer")
        o.add_user("erin", "expert")
        yield o, model


def _assert_model_failure(item: ReviewItem) -> None:
    assert risk_rank(item.risk_level) >= risk_rank("high")
    assert item.request.assessment.needs_review
    assert any(NOT_USABLE in r for r in _reasons(item)), _reasons(item)


def _reviewer(item: ReviewItem) -> str:
    return "erin" if item.required_role == "expert" else "alice"


def test_unusable_model_output_pauses_outreach_at_each_step_and_never_crashes(
    broken: tuple[Orchestrator, UnusableModel],
) -> None:
    o, model = broken
    run = o.start("outreach", OUTREACH[CONSISTENT])  # would pass untouched offline
    assert run.error is None
    brief = _only_item(o, run, "review_brief")
    _assert_model_failure(brief)
    # The fallback is the offline brief with its own confidence; the model-failure trigger is what holds it.
    offline = Researcher().run(ResearchInput.model_validate(_state(o, "outreach", run.id)["research_input"]))
    assert brief.request.proposal["model_failure"] and brief.request.proposal["confidence"] == offline.confidence
    assert model.requests, "the graph asked the fake model"
    after = o.decide(brief.id, {"action": "approve", "reviewer": _reviewer(brief)}).run
    draft = _only_item(o, after, "review_send")
    _assert_model_failure(draft)
    assert draft.request.proposal["model_failure"]
    assert _sent(o, run.id) == []
    done = o.decide(draft.id, {"action": "approve", "reviewer": _reviewer(draft)}).run
    assert (done.status, done.outcome) == ("completed", "approved")
    assert len(_sent(o, run.id)) == 1


def test_unusable_model_output_pauses_a_calm_support_message(broken: tuple[Orchestrator, UnusableModel]) -> None:
    o, _ = broken
    run = o.start("support", SUPPORT[CALM])  # answered without review offline
    item = _only_item(o, run, "review_reply")
    _assert_model_failure(item)
    assert _state(o, "support", run.id)["analysis"]["model_failure"]
    assert _sent(o, run.id) == []


def test_a_gated_step_wires_agent_assess_gate_and_refuses_a_redirect_that_skips_the_assessment() -> None:
    """``add_gated_step`` is the wiring every graph shares; a gate redirecting past the assessment is refused."""
    from langgraph.graph import StateGraph
    from pydantic import BaseModel

    from humangate import GateState, add_gated_step, review_gate

    class Proposal(BaseModel):
        text: str

    builder: StateGraph[Any, Any, Any, Any] = StateGraph(GateState)
    gate = review_gate(name="review", graph="g", proposal_model=Proposal, next="done", redirect_to="agent")
    assert add_gated_step(builder, ("agent", lambda s: {}), ("assess", lambda s: {}), gate) == "agent"
    assert {("agent", "assess"), ("assess", "review")} <= builder.edges
    stray = review_gate(name="review2", graph="g", proposal_model=Proposal, next="done", redirect_to="assess")
    with pytest.raises(ValueError, match="not to its step's agent"):
        add_gated_step(StateGraph(GateState), ("agent", lambda s: {}), ("assess", lambda s: {}), stray)
