"""The cascade: the router decides clear cases, a chat model's rubric is asked about unsure ones, and a
disagreement (or a model that cannot answer) goes to a person. Over real HTTP to a scripted OpenAI server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from humangate import Orchestrator, Settings
from humangate.agents.escalation_judge import failed
from humangate.agents.models import ModelConfig, make_chat_model
from humangate.agents.offline import analyze
from humangate.core.schemas import EscalationJudgement, SupportMessage
from humangate.data.demo import demo_support_messages
from humangate.graphs.common import GraphDeps
from humangate.risk import RiskPolicy
from humangate.risk.escalation import escalation, wants_second_opinion
from humangate.risk.policy import NodeSettings
from tests.fake_openai import FakeOpenAI, content, hang

SUPPORT = {m.id: m for m in demo_support_messages()}
CALM, FURIOUS = "T-1001", "T-1010"  # answered without review offline; held by the router
# The band reaches down to 0: every message the router passes is asked about (the default asks fewer).
WIDE = NodeSettings(second_opinion_recall=0.999)


def judgement(needs_person: bool, **rubric: bool) -> EscalationJudgement:
    keys = ("frustration", "complaint", "churn", "harm", "legal", "asks_for_person")
    return EscalationJudgement(
        **{k: rubric.get(k, False) for k in keys}, needs_person=needs_person, reason="'third time I ask'"
    )


def _held_by_second_opinion(text: str, j: EscalationJudgement | None, settings: NodeSettings = WIDE) -> bool:
    route = escalation(analyze(SupportMessage(id="m", text=text)), text, settings, judgement=j)
    return any("second opinion" in t.reason or "could not answer" in t.reason for t in route.held)


def test_the_model_can_only_add_reviews_never_remove_the_routers() -> None:
    calm = SUPPORT[CALM].text
    assert not _held_by_second_opinion(calm, None)  # no model: the router alone
    assert not _held_by_second_opinion(calm, judgement(False))  # agreement: the router's pass stands
    assert _held_by_second_opinion(calm, judgement(True, frustration=True))  # disagreement escalates
    assert _held_by_second_opinion(calm, failed("connection refused"))  # no answer: fail closed
    furious = SUPPORT[FURIOUS].text
    route = escalation(analyze(SupportMessage(id="m", text=furious)), furious, WIDE, judgement=judgement(False))
    assert any(t.kind == "router" for t in route.held)  # "fine" from the model does not pass what the router holds


def test_the_band_is_between_the_two_thresholds() -> None:
    calm, furious = SUPPORT[CALM].text, SUPPORT[FURIOUS].text
    assert wants_second_opinion(calm, WIDE)
    assert not wants_second_opinion(furious, WIDE)  # a clear case: the router holds it without asking
    narrow = NodeSettings(target_recall=0.95, second_opinion_recall=0.95)
    assert not wants_second_opinion(calm, narrow)  # an empty band asks nothing


def test_a_policy_whose_second_opinion_is_laxer_than_its_target_is_refused() -> None:
    with pytest.raises(ValueError, match="second_opinion_recall must be at least target_recall"):
        NodeSettings(target_recall=0.95, second_opinion_recall=0.9)


def test_a_judgement_that_marks_a_rubric_item_but_not_the_verdict_reads_as_the_verdict() -> None:
    from humangate.agents.escalation_judge import EscalationJudge

    with FakeOpenAI() as fake:
        fake.script(content(json.dumps(judgement(False, churn=True).model_dump())))
        got = EscalationJudge(_model(fake)).run(SupportMessage(id="m", text="Thinking about my options."))
    assert got.needs_person and got.flagged() == ["churn"] and got.model_failure is None


def _model(fake: FakeOpenAI, timeout: float = 10.0) -> Any:
    model = make_chat_model(ModelConfig(provider="openai", model="fake", base_url=fake.base_url, timeout=timeout))
    assert model is not None
    return model


def _analysis(message: SupportMessage) -> str:
    """A model analysis of a calm message that agrees with the offline reading."""
    offline = analyze(message)
    return json.dumps(offline.model_dump(mode="json") | {"confidence": 0.95})


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def _orch(settings: Settings, fake: FakeOpenAI, timeout: float = 10.0) -> Orchestrator:
    policy = RiskPolicy(defaults=WIDE)
    return Orchestrator(settings, deps=GraphDeps(policy=policy, model=_model(fake, timeout)))


def test_a_calm_message_the_model_judges_frustrated_waits_with_the_disagreement(
    settings: Settings, fake: FakeOpenAI
) -> None:
    fake.script(
        content(_analysis(SUPPORT[CALM])),
        content(json.dumps(judgement(True, frustration=True, complaint=True).model_dump())),
    )
    with _orch(settings, fake) as o:
        run = o.start("support", SUPPORT[CALM])
        assert run.status == "paused", run
        item = o.item(run.pending_items[0])
        reasons = [t.reason for t in item.request.assessment.triggers]
        assert any("second opinion disagrees (frustration, complaint)" in r for r in reasons), reasons
        assert "The model's second opinion: a person should answer" in item.request.observed
    assert fake.unused == 0 and len(fake.requests) == 2  # the analyst, then the judge


def test_a_calm_message_the_model_agrees_with_is_answered(settings: Settings, fake: FakeOpenAI) -> None:
    fake.script(content(_analysis(SUPPORT[CALM])), content(json.dumps(judgement(False).model_dump())))
    with _orch(settings, fake) as o:
        run = o.start("support", SUPPORT[CALM])
        assert (run.status, run.outcome) == ("completed", "passed"), run
    assert fake.unused == 0


def test_a_clear_case_costs_no_second_call(settings: Settings, fake: FakeOpenAI) -> None:
    fake.script(content(json.dumps(analyze(SUPPORT[FURIOUS]).model_dump(mode="json"))))
    with _orch(settings, fake) as o:
        run = o.start("support", SUPPORT[FURIOUS])
        assert run.status == "paused"
    assert len(fake.requests) == 1  # the router held it: the model was not asked


def test_a_judge_that_times_out_holds_the_message(settings: Settings, fake: FakeOpenAI) -> None:
    fake.script(content(_analysis(SUPPORT[CALM])), *[hang(3.0)] * 9)
    with _orch(settings, fake, timeout=0.5) as o:
        run = o.start("support", SUPPORT[CALM])
        assert run.status == "paused", run
        item = o.item(run.pending_items[0])
        assert any("could not answer" in t.reason for t in item.request.assessment.triggers)
