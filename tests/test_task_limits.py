"""A task's limits on amounts ("let me approve any credit over $100") are read, carried and enforced."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

from humangate import Orchestrator, Settings
from humangate.agents.offline.planning import amount_limits, plan
from humangate.agents.support import SupportAnalyst
from humangate.core.schemas import AmountLimit, SupportMessage, SupportReply
from humangate.graphs.common import GraphDeps
from humangate.graphs.registry import default_registry
from humangate.risk import RiskPolicy, assess_support
from humangate.risk.limits import find_amounts, limit_triggers, parse_amount
from humangate.tasks import planned_runs
from tests.test_agents_llm import answering

CREDIT = AmountLimit(subject="credit", amount=100, unit="$")
# The built-in policy already reviews every price a reply states; a lenient one shows the limit at work.
LENIENT = RiskPolicy.from_toml_text('version = "lenient-1"\n[defaults]\nreview_from = "high"\n')
ASK = "Hi, could you add the missing loyalty points? Thanks!"


@pytest.mark.parametrize(
    ("task", "limits"),
    [
        ("Answer these tickets and let me approve any refund over $100.", [("refund", 100.0, "$")]),
        ("Flag discounts above 20% and refunds over 50 euros.", [("discount", 20.0, "%"), ("refund", 50.0, "€")]),
        ("Show me anything over $1.5k before it goes out.", [("anything", 1500.0, "$")]),
        ("Check credits greater than 1,000 dollars.", [("credit", 1000.0, "$")]),
        ("Review orders over 200.", [("order", 200.0, "")]),
        ("Draft intro emails and let me approve before sending.", []),
    ],
)
def test_the_planner_reads_limits_from_the_task(task: str, limits: list[tuple[str, float, str]]) -> None:
    assert [(x.subject, x.amount, x.unit) for x in amount_limits(task)] == limits
    assert plan(task).limits == amount_limits(task)


# The planner's limit reads amounts with the same grammar as the checks that enforce it (``risk.limits``): a
# currency code before the number, a European decimal comma, a bare number with a scale. Before, "over EUR
# 150" was no limit at all (the task held every reply instead) and "over 1.500,00 €" lost its currency.
@pytest.mark.parametrize(
    ("written", "limit"),
    [
        ("EUR 150", (150.0, "€")),
        ("USD 1,500", (1500.0, "$")),
        ("1.500,00 €", (1500.0, "€")),
        ("2k", (2000.0, "")),
        ("1.5 million", (1_500_000.0, "")),
        ("150 dollars", (150.0, "$")),
    ],
)
def test_the_planner_reads_a_limit_however_its_amount_is_written(written: str, limit: tuple[float, str]) -> None:
    spec = plan(f"Answer these support messages. Refunds over {written} need my approval.")
    assert [(x.subject, x.amount, x.unit) for x in spec.limits] == [("refund", *limit)]
    assert spec.require_approval is False  # scoped to the limit, as with "$150"


@pytest.mark.parametrize(
    ("task", "everything"),
    [
        ("Answer the tickets and let me approve any refund over $100.", False),
        ("Check refunds over $100 before sending the replies.", False),
        ("Let me approve before sending; refunds over $100 need a human.", True),
        ("Draft the emails and let me approve them. Discounts over 20% too.", True),
    ],
)
def test_an_approval_scoped_to_a_limit_covers_that_limit_only(task: str, everything: bool) -> None:
    spec = plan(task)
    assert spec.require_approval is everything and spec.limits


def test_amounts_need_a_unit_and_read_as_written() -> None:
    assert parse_amount("$1,250.50") == (1250.5, "$")
    assert parse_amount("20 percent") == (20.0, "%")
    assert parse_amount("€2k") == (2000.0, "€")
    assert parse_amount("300") == (300.0, "")
    assert parse_amount("three hundred") is None
    assert find_amounts("Order 12345 of 3 items, total £40 and 15% off.") == [("£40", 40.0, "£"), ("15%", 15.0, "%")]


@pytest.mark.parametrize(
    ("written", "value", "unit"),
    [
        ("1.234,56 €", 1234.56, "€"),  # a decimal comma after a thousands dot
        ("12,50 $", 12.5, "$"),  # two digits after one mark: cents
        ("0.750 EUR", 0.75, "€"),  # nothing before the mark: a fraction, not thousands
        ("1 250 EUR", 1250.0, "€"),
        ("USD2,000", 2000.0, "$"),
        ("CHF 1'500.–", 1500.0, ""),  # another currency: any currency limit applies
        ("250,- €", 250.0, "€"),
        ("£2.5m", 2_500_000.0, "£"),
        ("5 Mio. Euro", 5_000_000.0, "€"),
        ("3 thousand dollars", 3000.0, "$"),
        ("15 %", 15.0, "%"),
    ],
)
def test_amounts_are_read_however_they_are_written(written: str, value: float, unit: str) -> None:
    assert parse_amount(written) == (value, unit)
    assert find_amounts(f"That is {written} in all.") == [(written, value, unit)]


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("We have issued a credit of 1 250 EUR.", True),
        ("Your credit of 250,- € is booked.", True),
        ("A credit of £0.5 million is on its way.", True),
        ("We have issued a credit of 12,50 €.", False),
        ("We have issued a credit of EUR 99.", False),
    ],
)
def test_a_limit_catches_amounts_written_the_european_way(text: str, hit: bool) -> None:
    assert bool(limit_triggers(text, [CREDIT])) is hit, text


def test_the_planner_reads_a_limit_written_the_european_way() -> None:
    assert [(x.subject, x.amount, x.unit) for x in amount_limits("Let me approve any refund over 1.000 €.")] == [
        ("refund", 1000.0, "€")
    ]


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("We have added a $150 credit to your account.", "over"),
        ("We credited you 150 euros.", "over"),  # no conversion: another currency still goes to a person
        ("We have added a $50 credit to your account.", None),
        ("Your order of $500 shipped.", None),  # an amount, but not of a credit
        ("A 150% credit? No.", None),  # a percent is not a sum, but it is the credit's size
        # A credit of no stated size may be over the limit: a person looks (fail closed).
        ("Credit note 12345 is attached.", "unsized"),  # a bare number is no amount
        ("We have added a credit. The order was $300.", "unsized"),  # the amount is in another sentence
        ("We have issued the credit you asked for.", "unsized"),
    ],
)
def test_an_amount_over_the_limit_in_a_sentence_about_its_subject_triggers(text: str, hit: str | None) -> None:
    triggers = limit_triggers(text, [CREDIT], where="The reply")
    assert [("over" if "mentions" in t.reason else "unsized") for t in triggers] == ([hit] if hit else [])
    for trigger in triggers:
        assert trigger.kind == "policy" and "any credit over $100" in trigger.reason
        assert trigger.reason.startswith("The reply mentions" if hit == "over" else "The reply speaks of a credit")


def test_a_limit_on_anything_asks_about_amounts_not_sentences() -> None:
    anything = AmountLimit(subject="anything", amount=1000, unit="$")
    assert limit_triggers("Thanks for your order; it ships on Monday.", [anything]) == []
    assert limit_triggers("The total is $1,500.", [anything])


def test_a_limit_forces_review_of_a_reply_the_policy_would_pass() -> None:
    message = SupportMessage(id="m1", customer="Ann Lee", text=ASK)
    analysis = SupportAnalyst().run(message)
    reply = SupportReply(to="Ann Lee", body="Hi Ann,\n\nWe have added a $150 credit to your account.\n\nBest regards")
    policy = LENIENT
    # The customer gave no amount, so each reply is held for stating one (risk.reply_facts): the limit's own
    # trigger is what is compared.
    passed = assess_support(message.text, analysis, reply, policy)
    assert not _over_limit(passed)
    held = assess_support(message.text, analysis, reply, policy, limits=[CREDIT])
    assert held.needs_review and held.level == "high" and _over_limit(held)
    small = reply.model_copy(update={"body": "Hi Ann,\n\nWe have added a $40 credit to your account."})
    assert not _over_limit(assess_support(message.text, analysis, small, policy, limits=[CREDIT]))


def _over_limit(assessment: Any) -> bool:
    return any("any credit over $100" in t.reason for t in assessment.triggers)


def _offering(amount: str) -> GenericFakeChatModel:
    analysis = SupportAnalyst().run(SupportMessage(id="m1", customer="Ann Lee", text=ASK)).model_dump(mode="json")
    analysis["suggested_reply"] = f"Hi Ann,\n\nWe have added a {amount} credit to your account.\n\nBest regards"
    return answering(*[json.dumps(analysis)] * 4)


@pytest.fixture
def credit_model_orch(settings: Settings) -> Iterator[Orchestrator]:
    deps = GraphDeps(model=_offering("$150"), policy=LENIENT)
    with Orchestrator(settings, deps=deps, registry=default_registry(deps)) as o:
        o.add_user("alice", "reviewer")
        yield o


def test_a_support_task_with_a_limit_pauses_the_reply_that_goes_over_it(credit_model_orch: Orchestrator) -> None:
    orch = credit_model_orch
    task = "Answer these support messages and let me approve any credit over $100."
    spec = plan(task, csv_rows=[{"id": "m1", "customer": "Ann Lee", "text": ASK}])
    assert not spec.require_approval  # "let me approve any credit over $100" covers those credits only
    (planned,) = planned_runs(spec)
    assert planned.inputs["limits"] == [{"subject": "credit", "amount": 100.0, "unit": "$"}]
    run = orch.start(planned.graph, planned.inputs)
    assert run.status == "paused", run
    (item_id,) = run.pending_items
    item = orch.item(item_id)
    assert any("any credit over $100" in t.reason for t in item.request.assessment.triggers)
    # The same reply without the task's limit raises no limit trigger (it waits only for the amount nobody gave).
    free = orch.start(planned.graph, dict(planned.inputs, limits=[]))
    assert not _over_limit(orch.item(free.pending_items[0]).request.assessment)


def test_earned_autonomy_never_passes_a_reply_over_the_tasks_limit(settings: Settings) -> None:
    # One approval of a similar reply earns autonomy under this policy, up to level high.
    policy = RiskPolicy.from_toml_text(
        'version = "autonomy-1"\n[defaults]\nreview_from = "high"\nautonomy_after = 1\nautonomy_max_level = "high"\n'
    )
    deps = GraphDeps(model=_offering("$150"), policy=policy)
    inputs = {"id": "m1", "customer": "Ann Lee", "text": ASK, "limits": [CREDIT.model_dump(mode="json")]}
    with Orchestrator(settings, deps=deps, registry=default_registry(deps)) as orch:
        orch.add_user("alice", "reviewer")
        for _ in range(3):
            run = orch.start("support", inputs)
            assert run.status == "paused", run
            orch.decide(run.pending_items[0], {"action": "approve", "reviewer": "alice"})


def test_a_refund_reply_of_no_stated_amount_waits_under_a_refund_limit() -> None:
    # Hole (planner red-team round 3): "let me approve refunds over $100" let the offline refund reply go out
    # under a lenient policy, because the reply names no amount and a limit only read amounts.
    message = SupportMessage(id="m2", customer="Ann Lee", text="Hi, please refund my last order. Thanks!")
    analysis = SupportAnalyst().run(message)
    reply = SupportReply(to="Ann Lee", body=analysis.suggested_reply)
    limit = [AmountLimit(subject="refund", amount=100, unit="$")]
    held = assess_support(message.text, analysis, reply, LENIENT, limits=limit)
    assert held.needs_review
    assert any("refund without saying how much" in t.reason for t in held.triggers), [t.reason for t in held.triggers]
    free = assess_support(message.text, analysis, reply, LENIENT)
    assert not any("without saying how much" in t.reason for t in free.triggers)
