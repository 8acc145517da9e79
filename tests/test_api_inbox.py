"""Agent Inbox's calls against a live server, made with the Python `langgraph-sdk` client it mirrors.

The client lists humangate's pending items as interrupted threads and resumes them with
``HumanResponse`` values; role, dwell, M-of-N and reasons are enforced by the Orchestrator.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph.graph import END, START, StateGraph
from langgraph_sdk import get_sync_client
from langgraph_sdk.errors import ConflictError, PermissionDeniedError, UnprocessableEntityError
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select, update

from humangate import GateState, Orchestrator, RiskAssessment, Settings, Trigger, review_gate
from humangate.checkpoints.schema import audit_events, decisions, review_items
from humangate.graphs.common import GraphDeps, deps_from_settings
from humangate.graphs.registry import GraphSpec, default_registry
from humangate.risk import RiskPolicy
from tests.api_support import CRITICAL, GATED, HIGH, Clock, serve_api, token_for


class Refund(BaseModel):
    """A typed proposal: an amount and a list, which Agent Inbox sends back as strings."""

    model_config = ConfigDict(extra="forbid")

    customer: str
    amount: float
    tags: list[str] = []
    memo: str | None = None


class RefundState(GateState, total=False):
    request: dict[str, Any]
    proposal: dict[str, Any]
    assessment: dict[str, Any]
    paid: bool


def _risk(proposal: dict[str, Any]) -> RiskAssessment:
    big = Refund.model_validate(proposal).amount > 100
    trigger = Trigger(kind="impact", reason="A refund above $100 needs a person.")
    return RiskAssessment(
        level="high" if big else "low",
        score=0.8 if big else 0.1,
        confidence=0.9,
        triggers=[trigger] if big else [],
        needs_review=big,
        policy_version="refunds-test",
    )


def refunds_spec() -> GraphSpec:
    """Return a small refunds graph: propose, assess, gate (re-assessing edits), pay."""
    gate = review_gate(
        name="review",
        graph="refunds",
        proposal_model=Refund,
        next="pay",
        redirect_to="agent",
        reassess=lambda state: _risk(state["proposal"]),
    )

    def build() -> StateGraph[Any, Any, Any, Any]:
        builder = StateGraph(RefundState)
        builder.add_node("agent", lambda s: {"proposal": Refund(**s["request"]).model_dump()})
        builder.add_node("assess", lambda s: {"assessment": _risk(s["proposal"]).model_dump()})
        builder.add_node(gate.name, gate, destinations=gate.destinations)
        builder.add_node("pay", lambda s: {"paid": True})
        for a, b in ((START, "agent"), ("agent", "assess"), ("assess", gate.name), ("pay", END)):
            builder.add_edge(a, b)
        return builder

    return GraphSpec.create(
        name="refunds",
        description="Refunds; a person above $100",
        build=build,
        input_model=Refund,
        to_state=lambda r: {"request": r.model_dump()},
        title=lambda r: "Refund",
    )


def _channel_events(orch: Orchestrator) -> list[dict[str, Any]]:
    with orch.db.read() as conn:
        rows = conn.execute(select(audit_events.c.payload_json).where(audit_events.c.kind == "decision.channel"))
        return [json.loads(r[0]) for r in rows]


def _thread(item_id: int) -> str:
    return f"00000000-0000-4000-8000-{item_id:012x}"


ACCEPT = {"resume": [{"type": "accept", "args": None}]}


def test_langgraph_sdk_lists_pending_items_and_resumes_one(orch: Orchestrator) -> None:
    gated = orch.start("notify", GATED).pending_items[0]
    critical = orch.start("notify", CRITICAL).pending_items[0]
    with (
        serve_api(orch) as url,
        get_sync_client(url=url, api_key=token_for(orch, "alice")) as alice,
        get_sync_client(url=url, api_key=token_for(orch, "erin")) as erin,
    ):
        assert httpx.get(f"{url}/info").json()["host"]["kind"] == "humangate"  # Agent Inbox checks it without a key
        assert httpx.post(f"{url}/threads/search", json={}).status_code == 401

        threads = alice.threads.search(status="interrupted", metadata={"graph_id": "notify"}, limit=20)
        assert [t["thread_id"] for t in threads] == [_thread(gated)]  # a reviewer's inbox holds no critical item
        assert {t["thread_id"] for t in erin.threads.search(status="interrupted")} == {
            _thread(gated),
            _thread(critical),
        }
        assert alice.threads.search(metadata={"graph_id": "research"}) == []

        thread = alice.threads.get(_thread(gated))
        assert thread["status"] == "interrupted" and orch.item(gated).claimed_by is None  # reading claims nothing
        (interrupt,) = next(iter(thread["interrupts"].values()))
        value = interrupt["value"]
        assert value["action_request"]["action"] == "review"
        assert (
            value["action_request"]["args"]["to"] == "bob@example.com"
            and value["action_request"]["args"]["reason_code"] == ""
        )
        assert value["config"] == {
            "allow_accept": True,
            "allow_edit": True,
            "allow_respond": True,
            "allow_ignore": True,
        }
        assert "Reason codes" in value["description"]
        state = alice.threads.get_state(_thread(gated))
        assert state["tasks"][0]["interrupts"][0]["value"] == value and state["next"] == ["review"]

        run = alice.runs.create(_thread(gated), "notify", command=ACCEPT)
        assert run["status"] == "success" and run["metadata"]["humangate_run_status"] == "completed"
        assert alice.threads.get(_thread(gated))["status"] == "idle"

        critical_thread = alice.threads.get(_thread(critical))
        (critical_interrupt,) = next(iter(critical_thread["interrupts"].values()))
        assert not any(critical_interrupt["value"]["config"].values())  # nothing a reviewer may do
        with pytest.raises(PermissionDeniedError, match="expert"):
            alice.runs.create(_thread(critical), "notify", command=ACCEPT)
        assert orch.item(critical).status == "pending"
        assert erin.runs.create(_thread(critical), "notify", command=ACCEPT)["status"] == "success"
    assert [(e["channel"], e["decision_id"] > 0) for e in _channel_events(orch)] == [("inbox", True)] * 2


def test_edited_strings_are_read_into_the_typed_proposal(tmp_path: Path) -> None:
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'r.db'}", outbox_dir=tmp_path / "out")
    registry = default_registry(deps_from_settings(settings))
    registry.register(refunds_spec())
    with Orchestrator(settings, registry=registry) as orch:
        orch.add_user("alice", "reviewer")
        run = orch.start("refunds", {"customer": "Bob", "amount": 250, "tags": ["vip"]})
        item_id = run.pending_items[0]
        with serve_api(orch) as url, get_sync_client(url=url, api_key=token_for(orch, "alice")) as sdk:
            args = sdk.threads.get(_thread(item_id))["values"]["proposal"]
            assert args == {"customer": "Bob", "amount": 250.0, "tags": ["vip"], "memo": None}

            def edit(fields: dict[str, str]) -> dict[str, Any]:
                response = {"type": "edit", "args": {"action": "review", "args": fields}}
                return sdk.runs.create(_thread(item_id), "refunds", command={"resume": [response]})

            # As Agent Inbox sends them: strings as they were, everything else as JSON text.
            as_text = {"customer": "Bob", "amount": "80", "tags": '["vip", "goodwill"]', "memo": "null"}
            with pytest.raises(UnprocessableEntityError, match="reason_code"):
                edit(as_text)
            with pytest.raises(UnprocessableEntityError, match="'amount'"):
                edit(as_text | {"amount": "a lot", "reason_code": "policy"})
            with pytest.raises(UnprocessableEntityError, match="'tags'"):
                edit(as_text | {"tags": "vip, goodwill", "reason_code": "policy"})
            with pytest.raises(UnprocessableEntityError, match="does not have: iban"):
                edit(as_text | {"iban": "DE00", "reason_code": "policy"})
            with orch.db.read() as conn:
                assert conn.execute(select(decisions)).all() == []  # refused answers write nothing
            done = edit(as_text | {"reason_code": "policy", "note": "Cap goodwill refunds."})
            assert done["metadata"]["humangate_run_status"] == "completed"
        with orch.db.read() as conn:
            (stored,) = conn.execute(select(decisions.c.decision_json)).scalars()
        decision = json.loads(stored)
        assert decision["edited"] == {"customer": "Bob", "amount": 80.0, "tags": ["vip", "goodwill"], "memo": None}
        assert decision["reason_code"] == "policy" and decision["reviewer"] == "alice"


def test_answers_without_a_reason_are_refused_and_threads_cannot_be_dismissed(orch: Orchestrator) -> None:
    first = orch.start("notify", GATED)
    second = orch.start("notify", GATED | {"recipient": "Ed Fox"})
    with serve_api(orch) as url, get_sync_client(url=url, api_key=token_for(orch, "alice")) as sdk:
        thread = _thread(first.pending_items[0])
        for bad in ({"type": "response", "args": "Keep it shorter."}, {"type": "ignore", "args": None}):
            with pytest.raises(UnprocessableEntityError, match="reason code"):
                sdk.runs.create(thread, "notify", command={"resume": [bad]})
        with pytest.raises(UnprocessableEntityError, match="cannot be dismissed"):
            sdk.threads.update_state(thread, None, as_node="__end__")
        with pytest.raises(UnprocessableEntityError, match=r"command\.resume"):
            sdk.runs.create(thread, "notify", input={"topic": "something else"})
        assert orch.item(first.pending_items[0]).status == "pending"

        redirect = {"type": "response", "args": "tone: Mention the call on Tuesday."}
        assert sdk.runs.create(thread, "notify", command={"resume": [redirect]})["status"] == "success"
        redrafted = orch.run(first.id)
        assert (
            redrafted.status == "paused" and "Tuesday" in orch.item(redrafted.pending_items[0]).request.proposal["body"]
        )

        reject = {"type": "ignore", "args": "policy: We do not write to this customer."}
        values = sdk.runs.wait(_thread(second.pending_items[0]), "notify", command={"resume": reject})
        assert values["status"] == "decided" and orch.run(second.id).outcome == "rejected"


def test_dwell_and_m_of_n_hold_for_inbox_answers(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(
        'version = "t"\n[defaults.min_dwell_seconds]\nlow = 0\nmedium = 0\nhigh = 5\ncritical = 5\n'
        "[defaults.approvals_needed]\nlow = 1\nmedium = 1\nhigh = 2\ncritical = 2\n"
    )
    clock = Clock()
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'd.db'}", outbox_dir=tmp_path / "out", policy_path=policy)
    with Orchestrator(settings, clock=clock) as orch:
        orch.add_user("alice", "reviewer")
        orch.add_user("bob", "reviewer")
        run = orch.start("notify", HIGH)
        thread = _thread(run.pending_items[0])
        with (
            serve_api(orch) as url,
            get_sync_client(url=url, api_key=token_for(orch, "alice")) as alice,
            get_sync_client(url=url, api_key=token_for(orch, "bob")) as bob,
        ):
            (interrupt,) = next(iter(alice.threads.get(thread)["interrupts"].values()))
            assert "Needs at least 5 s of review" in interrupt["value"]["description"]
            assert orch.item(run.pending_items[0]).claimed_by is None  # reading claims nothing
            with pytest.raises(ConflictError, match=r"at least 5 s of review; it was claimed 0\.0 s ago"):
                alice.runs.create(thread, "notify", command=ACCEPT)  # the first answer claims it
            clock.t += 3
            with pytest.raises(ConflictError, match=r"claimed 3\.0 s ago"):
                alice.runs.create(thread, "notify", command=ACCEPT)
            clock.t += 3
            vote = alice.runs.create(thread, "notify", command=ACCEPT)
            assert vote["status"] == "pending" and vote["metadata"]["approvals_missing"] == 1
            assert alice.threads.get(thread)["status"] == "interrupted"
            with pytest.raises(ConflictError, match="at least 5 s"):
                bob.runs.create(thread, "notify", command=ACCEPT)
            clock.t += 6
            assert bob.runs.create(thread, "notify", command=ACCEPT)["status"] == "success"
        assert orch.run(run.id).status == "completed"


def test_a_streamed_answer_ends_with_an_end_event(orch: Orchestrator) -> None:
    item_id = orch.start("notify", GATED).pending_items[0]
    with serve_api(orch) as url, get_sync_client(url=url, api_key=token_for(orch, "alice")) as sdk:
        parts = list(sdk.runs.stream(_thread(item_id), "notify", command=ACCEPT, stream_mode="values"))
    assert [p.event for p in parts] == ["metadata", "values", "end"]
    assert parts[1].data["status"] == "decided" and orch.item(item_id).status == "decided"


def test_untrusted_text_reaches_agent_inbox_as_escaped_markdown(tmp_path: Path) -> None:
    hostile = GATED | {"recipient": "[Click](https://evil.example/x) ![](https://evil.example/p.png) <b>Bo</b>"}
    with Orchestrator(Settings(db_url=f"sqlite:///{tmp_path / 'm.db'}", outbox_dir=tmp_path / "o")) as orch:
        orch.add_user("alice", "reviewer")
        item_id = orch.start("notify", hostile).pending_items[0]
        with serve_api(orch) as url, get_sync_client(url=url, api_key=token_for(orch, "alice")) as sdk:
            (interrupt,) = next(iter(sdk.threads.get(_thread(item_id))["interrupts"].values()))
    description = interrupt["value"]["description"]
    assert r"\[Click\]\(https://evil.example/x\)" in description and r"\!\[\]\(" in description
    assert "](https" not in description and "<b>" not in description and r"\<b\>Bo\</b\>" in description


def test_a_canary_with_an_old_style_interrupt_id_is_not_labelled_and_still_answers(settings: Settings) -> None:
    # Databases written before canaries got LangGraph-shaped interrupt ids hold them as "canary:<hex>": the
    # thread shows a hash of that id instead, and a resume map keyed by the id shown still answers the item.
    policy = RiskPolicy.from_toml_text('version = "inbox-old-ids"\n[defaults]\ncanary_rate = 1.0\n')
    with Orchestrator(settings, deps=GraphDeps(policy=policy)) as orch:
        orch.add_user("alice", "reviewer")
        orch.add_user("bob", "reviewer")
        first = orch.start("notify", GATED)
        orch.decide(first.pending_items[0], {"action": "approve", "reviewer": "bob"})
        orch.start("notify", GATED | {"recipient": "Cy Ng", "email": "cy@example.com"})
        canary = next(i for i in orch.pending(limit=10).items if i.kind == "canary")
        assert ":" not in canary.interrupt_id and len(canary.interrupt_id) == 32  # shaped like a gate's
        with orch.db.write() as conn:
            conn.execute(
                update(review_items).where(review_items.c.id == canary.id).values(interrupt_id=f"canary:{'ab' * 16}")
            )
        with serve_api(orch) as url, get_sync_client(url=url, api_key=token_for(orch, "alice")) as sdk:
            thread = sdk.threads.get(_thread(canary.id))
            assert "canary" not in json.dumps(thread).lower()
            (shown,) = thread["interrupts"]
            sdk.runs.wait(_thread(canary.id), "notify", command={"resume": {shown: {"type": "accept", "args": None}}})
        assert orch.item(canary.id).status == "decided"
