"""Red team: a developer composes a new graph from the README and makes the natural mistakes; data flows through it.

Every path to an outside effect must pass the gate, ``check_outgoing``'s kind of checks (through the graph's own
assessment) and the outbox, and untrusted input must not choose the path. Each test below builds a small graph
the way the README's "Compose your own graph" does (``add_gated_step``, ``review_gate``, a send node), makes one
mistake or feeds one hostile input, runs it offline on SQLite in ``tmp_path`` and asserts that nothing reaches
the outbox without a person, or that the mistake is refused with an error naming it. Each failed before its fix.

Tried, and what was found:

- An effect sent from a node before the gate (or after a reject or redirect, or naming a misspelt gate), and a
  conditional edge that routes a low-risk note around the gate: the email went out unreviewed. Fixed: the send
  helpers check the named gate's last event is a release (``graphs.release.check_release``); otherwise the run
  stops with an error naming the node and gate.
- A node beside the gate that changes the proposal after the gate released it (``add_edge("assess", "polish")``):
  the changed text was sent unreviewed. Fixed: the gate records a digest of what it released; the send helper
  sends the item back to a person when the proposal in state is not that one.
- A node that calls ``runtime.context.outbox.deliver`` itself (the README said "effects go through the outbox"):
  nothing was checked. Fixed: ``Outbox.deliver`` refuses a call from inside a graph node unless a send helper made
  it (``effects.guard``); the README names the helpers.
- A message whose recipient comes from the state (the request) rather than the proposal the reviewer saw: sent to
  the other address. Fixed: the helpers refuse a payload whose recipient, subject or text the released proposal
  does not hold.
- A field the proposal model does not declare (pydantic ignores it), shown to nobody, then used by the send
  node: sent unseen. Fixed: the gate passes on exactly the proposal it showed (the model's dump).
- ``Command(resume=approve)`` handed to ``orch.graph(name).invoke`` for a user who does not exist, or a recorded
  approval of an earlier item of the run handed in again: the send failed for want of a run context, and
  ``reconcile`` then sent it. Fixed: an approval or edit must be one the review service recorded, an approval for
  an item that showed exactly the released proposal, or the item goes back to the queue.
- A graph whose own assessment does not run ``check_outgoing``: a note with a link or a request for a password went
  out unreviewed, and a reviewer's edit adding a link went out on one look. Fixed: what ``risk.outbound`` holds
  every message for is checked on what is sent when nobody looked (``outgoing_floor``), and on an edit's text
  (``edit_floor``: another reviewer approves it), even when the graph's own rules miss it.
- A step entered past its assessment (a loop node that writes the next proposal and goes straight to the gate),
  and a proposal changed in place after its assessment: passed on the previous assessment. Fixed:
  ``add_gated_step`` ties each assessment to the proposal it read (``graphs.assessed``); otherwise the gate holds.
- An assessment node that returns nothing when all is well, or a gate reading a ``proposal_key`` nobody writes: a
  bare ``KeyError``. Now a ``ValueError`` naming the node or gate and the key.
- A ``cc`` in the proposal the reviewer approved, or ``cc`` or ``headers`` in a payload: silently dropped, so what
  went out differed from what was reviewed. Now refused (``check_email``): the item goes back to a person.
- A hand-built ``GatePolicy`` with a missing level, roles that fall as risk rises, zero approvals or an empty
  escalation chain; a gate whose rejection goes where approvals go; two gates reading one assessment key; a state
  without ``GateState`` (LangGraph silently drops the gate's records): now a ``ValueError`` when the graph is built.

Tried and already safe: an effect kind no sender exists for (``sms``: refused by the outbox, the item goes back to
its gate), a gate inside a compiled subgraph (approvals and sends work; edits are refused as an unknown gate), an
async assessment node, a ``Send`` fan-out of one approved proposal into several messages to other recipients (each
is not the released proposal, so each is held; the holds collide and the run fails: nothing is sent, one release
is one message), ``update_state`` changing a paused proposal (the gate pauses again with the new text).

By design (not changed): a gate wired by hand without ``add_gated_step`` has no assessment binding (its agent may
write the assessment itself, as ``tests/graphs.py`` does); the send helpers' release checks still hold for it.
A graph's ``reassess`` reads what it reads: an edit to a field it ignores is caught only by the recipient lock,
``edit_floor`` (a link, a request for credentials, a bad header in ``to``, ``subject`` or ``body``) and the release
checks; other wording is the editor's vote, as for every graph. Graphs compiled without the Orchestrator
(``exported``) have no outbox, so no effect.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command
from pydantic import BaseModel
from sqlalchemy import select

from humangate import (
    GatePolicy,
    GateState,
    GraphRegistry,
    GraphSpec,
    Orchestrator,
    RiskAssessment,
    Settings,
    Trigger,
    add_gated_step,
    review_gate,
)
from humangate.checkpoints.schema import decisions, outbox
from humangate.effects import check_email
from humangate.errors import EffectRefused, RunFailedError
from humangate.graphs.common import send_or_hold
from humangate.graphs.context import RunContext

Build = Callable[[], StateGraph[Any, Any, Any, Any]]


class Note(BaseModel):
    """The proposal: an email."""

    to: str
    subject: str
    body: str


class State(GateState, total=False):
    request: dict[str, Any]
    proposal: dict[str, Any]
    assessment: dict[str, Any]
    queue: list[dict[str, Any]]
    sent: dict[str, Any]


def _risk(held: bool) -> dict[str, Any]:
    triggers = [Trigger(kind="impact", reason="The note mentions a secret.")] if held else []
    return RiskAssessment(
        level="high" if held else "low",
        score=0.8 if held else 0.1,
        confidence=0.9,
        triggers=triggers,
        needs_review=held,
        policy_version="composed-1",
    ).model_dump()


def agent(state: State) -> dict[str, Any]:
    return {"proposal": Note(**state["request"]).model_dump()}


def assess(state: State) -> dict[str, Any]:  # the developer's rule: a note about a secret waits for a person
    return {"assessment": _risk("secret" in state["proposal"]["body"])}


def send(state: State, runtime: Runtime[RunContext]) -> Command[str]:
    return send_or_hold(
        runtime, state, graph="g", node="send", gate="review", assessment_key="assessment", message=state["proposal"]
    )


def gate(**kw: Any) -> Any:
    return review_gate(**{"name": "review", "graph": "g", "proposal_model": Note, "next": "send", **kw})


def _orch(tmp_path: Path, build: Build) -> Orchestrator:
    spec = GraphSpec.create(
        name="g",
        description="a composed graph",
        build=build,
        input_model=Note,
        to_state=lambda n: {"request": n.model_dump()},
        title=lambda n: "Note",
    )
    o = Orchestrator(
        Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "outbox"),
        registry=GraphRegistry([spec]),
    )
    for name, role in (("alice", "reviewer"), ("bob", "reviewer")):
        o.add_user(name, role)
    return o


def _sent(o: Orchestrator) -> list[dict[str, Any]]:
    with o.db.read() as conn:
        return [json.loads(r) for r in conn.execute(select(outbox.c.payload_json)).scalars()]


def _standard(extra: Callable[[StateGraph[Any, Any, Any, Any]], None] = lambda b: None, **kw: Any) -> Build:
    """Return the README's shape: agent -> assess -> review -> send, plus the developer's ``extra`` wiring."""

    def build() -> StateGraph[Any, Any, Any, Any]:
        builder = StateGraph(State)
        builder.add_edge(START, add_gated_step(builder, ("agent", agent), ("assess", assess), gate(**kw)))
        builder.add_node("send", send, destinations=("review", END))
        extra(builder)
        return builder

    return build


PLAIN = {"to": "ann@customer.example", "subject": "Your order", "body": "Your order has shipped."}
SECRET = {"to": "ann@customer.example", "subject": "Your order", "body": "Here is the secret plan."}


def test_good_usage_still_sends_a_plain_note_at_once_and_holds_a_risky_one(tmp_path: Path) -> None:
    o = _orch(tmp_path, _standard())
    assert o.start("g", PLAIN).status == "completed"
    run = o.start("g", SECRET)
    assert run.status == "paused" and _sent(o) == [PLAIN]
    assert o.decide(run.pending_items[0], {"action": "approve", "reviewer": "alice"}).run.status == "completed"
    assert _sent(o) == [PLAIN, SECRET]


def test_an_effect_sent_from_a_node_before_the_gate_is_refused_and_nothing_goes_out(tmp_path: Path) -> None:
    def extra(builder: StateGraph[Any, Any, Any, Any]) -> None:
        builder.add_node("early", send)  # the developer sends "as soon as the draft exists"
        builder.add_edge("agent", "early")

    o = _orch(tmp_path, _standard(extra))
    with pytest.raises(RunFailedError, match="gate 'review', but that gate never ran"):
        o.start("g", SECRET)
    assert _sent(o) == []


def test_a_conditional_edge_that_skips_the_gate_for_a_low_risk_note_cannot_send(tmp_path: Path) -> None:
    def build() -> StateGraph[Any, Any, Any, Any]:
        builder = StateGraph(State)
        builder.add_node("agent", agent)
        builder.add_node("assess", assess)
        builder.add_node("review", gate(), destinations=("send", END))
        builder.add_node("send", send, destinations=("review", END))
        builder.add_edge(START, "agent")
        builder.add_edge("agent", "assess")
        # "Why pause the graph for a low-risk note?": the developer routes around the gate.
        builder.add_conditional_edges("assess", lambda s: "review" if s["assessment"]["needs_review"] else "send")
        return builder

    o = _orch(tmp_path, build)
    with pytest.raises(RunFailedError, match="that gate never ran"):
        o.start("g", PLAIN)
    assert _sent(o) == []


def test_a_gate_reading_a_proposal_key_nobody_writes_names_the_key(tmp_path: Path) -> None:
    o = _orch(tmp_path, _standard(proposal_key="draft"))  # the agent writes "proposal"
    with pytest.raises(RunFailedError, match="Gate 'review' found no proposal under 'draft'"):
        o.start("g", PLAIN)
    assert _sent(o) == []


def test_a_proposal_changed_beside_the_gate_goes_back_to_a_person(tmp_path: Path) -> None:
    def polish(state: State) -> dict[str, Any]:  # runs beside the gate, after the assessment read the draft
        return {"proposal": {**state["proposal"], "body": state["proposal"]["body"] + " P.S. the secret plan."}}

    def extra(builder: StateGraph[Any, Any, Any, Any]) -> None:
        builder.add_node("polish", polish)
        builder.add_edge("assess", "polish")

    o = _orch(tmp_path, _standard(extra))
    run = o.start("g", PLAIN)
    assert run.status == "paused" and _sent(o) == []
    item = o.item(run.pending_items[0])
    assert "P.S." in item.request.proposal["body"]  # the person sees what would go out
    assert "changed after gate 'review' let it through" in item.request.assessment.triggers[-1].reason


def test_a_node_that_hands_the_outbox_an_effect_itself_is_refused(tmp_path: Path) -> None:
    def pay(state: State, runtime: Runtime[RunContext]) -> dict[str, Any]:  # "effects go through the outbox"
        ctx = runtime.context
        ctx.outbox.deliver(key=f"{ctx.run_id}:pay", run_id=ctx.run_id, node="pay", kind="email", payload=PLAIN)
        return {}

    def build() -> StateGraph[Any, Any, Any, Any]:
        builder = StateGraph(State)
        builder.add_edge(START, add_gated_step(builder, ("agent", agent), ("assess", assess), gate(next="pay")))
        builder.add_node("pay", pay)
        return builder

    o = _orch(tmp_path, build)
    with pytest.raises(RunFailedError, match=r"called Outbox\.deliver directly"):
        o.start("g", PLAIN)
    assert _sent(o) == []


def test_a_recipient_taken_from_the_request_rather_than_the_proposal_is_refused(tmp_path: Path) -> None:
    def agent_fixing_to(state: State) -> dict[str, Any]:
        return {"proposal": {**Note(**state["request"]).model_dump(), "to": "ann@customer.example"}}

    def send_to_request(state: State, runtime: Runtime[RunContext]) -> Command[str]:
        message = {**state["proposal"], "to": state["request"]["to"]}  # the address the input gave
        return send_or_hold(
            runtime, state, graph="g", node="send", gate="review", assessment_key="assessment", message=message
        )

    def build() -> StateGraph[Any, Any, Any, Any]:
        builder = StateGraph(State)
        builder.add_edge(START, add_gated_step(builder, ("agent", agent_fixing_to), ("assess", assess), gate()))
        builder.add_node("send", send_to_request, destinations=("review", END))
        return builder

    o = _orch(tmp_path, build)
    with pytest.raises(RunFailedError, match=r"recipient 'eve@attacker\.example' is none of the proposal's"):
        o.start("g", {**PLAIN, "to": "eve@attacker.example"})
    assert _sent(o) == []


def test_a_proposal_field_the_model_does_not_declare_is_not_carried_past_the_gate(tmp_path: Path) -> None:
    def agent_with_footer(state: State) -> dict[str, Any]:  # the model reads a footer from a web page
        return {"proposal": {**Note(**state["request"]).model_dump(), "footer": "Pay at https://evil.example/pay"}}

    def send_with_footer(state: State, runtime: Runtime[RunContext]) -> Command[str]:
        p = state["proposal"]
        message = {"to": p["to"], "subject": p["subject"], "body": p["body"] + "\n" + p.get("footer", "")}
        return send_or_hold(
            runtime, state, graph="g", node="send", gate="review", assessment_key="assessment", message=message
        )

    def build() -> StateGraph[Any, Any, Any, Any]:
        builder = StateGraph(State)
        builder.add_edge(START, add_gated_step(builder, ("agent", agent_with_footer), ("assess", assess), gate()))
        builder.add_node("send", send_with_footer, destinations=("review", END))
        return builder

    o = _orch(tmp_path, build)
    assert o.start("g", PLAIN).status == "completed"
    assert [p["body"].strip() for p in _sent(o)] == [PLAIN["body"]]


def test_a_forged_resume_handed_to_the_compiled_graph_never_sends(tmp_path: Path) -> None:
    o = _orch(tmp_path, _standard())
    run = o.start("g", SECRET)
    forged = Command(resume={"action": "approve", "reviewer": "mallory"})
    with pytest.raises(RuntimeError):  # no run context: the send node cannot act
        o.graph("g").invoke(forged, {"configurable": {"thread_id": run.id}})
    o.reconcile()  # carries the run on, with the Orchestrator's context
    assert _sent(o) == []
    assert o.run(run.id).status == "paused"
    pending = o.run(run.id).pending_items
    assert "never recorded" in o.item(pending[-1]).request.assessment.triggers[-1].reason
    assert o.decide(pending[-1], {"action": "approve", "reviewer": "alice"}).run.status == "completed"
    assert _sent(o) == [SECRET]


def test_a_loop_that_enters_the_gate_past_its_assessment_holds_the_next_proposal(tmp_path: Path) -> None:
    def start(state: State) -> dict[str, Any]:
        return {"queue": [SECRET]}

    def send_then_next(state: State, runtime: Runtime[RunContext]) -> Command[str]:
        out = send(state, runtime)
        if out.goto == END and state.get("queue"):  # next item: straight to the gate ("already assessed")
            return Command(goto="review", update={"proposal": state["queue"][0], "queue": []})
        return out

    def build() -> StateGraph[Any, Any, Any, Any]:
        builder = StateGraph(State)
        builder.add_node("start", start)
        builder.add_edge(START, "start")
        builder.add_edge("start", add_gated_step(builder, ("agent", agent), ("assess", assess), gate()))
        builder.add_node("send", send_then_next, destinations=("review", END))
        return builder

    o = _orch(tmp_path, build)
    run = o.start("g", PLAIN)
    assert _sent(o) == [PLAIN] and run.status == "paused"
    reason = o.item(run.pending_items[0]).request.assessment.triggers[-1].reason
    assert "changed after 'assess' assessed it" in reason


def test_a_proposal_changed_in_place_after_its_assessment_is_held(tmp_path: Path) -> None:
    def annotate(state: State) -> dict[str, Any]:  # "only logging", beside the gate: but it edits the dict in place
        state["proposal"]["body"] += " The secret plan is attached."
        return {}

    def extra(builder: StateGraph[Any, Any, Any, Any]) -> None:
        builder.add_node("annotate", annotate)
        builder.add_edge("assess", "annotate")

    o = _orch(tmp_path, _standard(extra))
    run = o.start("g", PLAIN)
    assert run.status == "paused" and _sent(o) == []
    assert "secret plan" in o.item(run.pending_items[0]).request.proposal["body"]


def test_an_assessment_node_that_returns_nothing_names_itself(tmp_path: Path) -> None:
    def quiet(state: State) -> dict[str, Any]:  # "nothing to report" when all is well
        return {"assessment": _risk(True)} if "secret" in state["proposal"]["body"] else {}

    def build() -> StateGraph[Any, Any, Any, Any]:
        builder = StateGraph(State)
        builder.add_edge(START, add_gated_step(builder, ("agent", agent), ("assess", quiet), gate()))
        builder.add_node("send", send, destinations=("review", END))
        return builder

    o = _orch(tmp_path, build)
    with pytest.raises(RunFailedError, match="assessment node 'assess' of gate 'review' returned no 'assessment'"):
        o.start("g", PLAIN)
    assert _sent(o) == []


async def _async_assess(state: State) -> dict[str, Any]:
    return {"assessment": _risk("secret" in state["proposal"]["body"])}


def test_an_async_assessment_node_keeps_working_through_the_binding(tmp_path: Path) -> None:
    def build() -> StateGraph[Any, Any, Any, Any]:
        builder = StateGraph(State)
        builder.add_edge(START, add_gated_step(builder, ("agent", agent), ("assess", _async_assess), gate()))
        builder.add_node("send", send, destinations=("review", END))
        return builder

    o = _orch(tmp_path, build)
    assert o.start("g", PLAIN).status == "completed"
    assert o.start("g", SECRET).status == "paused"
    assert _sent(o) == [PLAIN]


@pytest.mark.parametrize("field", ["cc", "bcc", "headers", "attachments"])
def test_an_email_payload_with_a_field_it_cannot_carry_is_refused(field: str) -> None:
    with pytest.raises(EffectRefused, match="is not part of an email"):
        check_email({**PLAIN, field: "eve@attacker.example"})


LOOSE = [
    (GatePolicy(roles={"low": "reviewer", "medium": "reviewer", "high": "reviewer"}), "missing: critical"),
    (
        GatePolicy(roles={"low": "reviewer", "medium": "reviewer", "high": "expert", "critical": "reviewer"}),
        "must not fall",
    ),
    (GatePolicy(approvals_needed={"low": 1, "medium": 1, "high": 0, "critical": 1}), "1 to 10"),
    (GatePolicy(min_dwell_seconds={"low": 0, "medium": 0, "high": -5, "critical": 0}), "zero or more"),
    (GatePolicy(escalation_chain=()), "rising roles"),
]


@pytest.mark.parametrize(("policy", "says"), LOOSE)
def test_a_hand_built_gate_policy_that_loosens_the_rules_is_refused_at_build(policy: GatePolicy, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        gate(policy=policy)


def test_a_gate_whose_rejection_goes_where_approvals_go_is_refused_at_build() -> None:
    with pytest.raises(ValueError, match="sends rejections to 'send', where approvals go"):
        gate(on_reject="send")
    with pytest.raises(ValueError, match="a redirect goes back to the agent"):
        gate(redirect_to="send")


def test_two_gates_reading_one_assessment_key_are_refused_at_build() -> None:
    def build() -> StateGraph[Any, Any, Any, Any]:
        builder = StateGraph(State)
        first = gate(next="review_2")
        second = review_gate(name="review_2", graph="g", proposal_model=Note, next="send", proposal_key="second")
        builder.add_edge(START, add_gated_step(builder, ("agent", agent), ("assess", assess), first))
        builder.add_node(second.name, second, destinations=second.destinations)
        builder.add_node("send", send, destinations=("review", END))
        return builder

    with pytest.raises(ValueError, match="both read assessment_key 'assessment'"):
        GraphSpec.create(
            name="g", description="g", build=build, input_model=Note, to_state=dict, title=lambda n: "Note"
        )


@pytest.mark.parametrize(
    "body",
    [
        "Your order has shipped. Track it at https://track.evil.example/ann",
        "Your order has shipped. Please reply with your password to confirm.",
    ],
)
def test_a_note_whose_own_assessment_skips_the_outgoing_checks_is_not_sent_unreviewed(
    tmp_path: Path, body: str
) -> None:
    o = _orch(tmp_path, _standard())  # the developer's rule reads only for "secret", not check_outgoing
    run = o.start("g", {**PLAIN, "body": body})
    assert run.status == "paused" and _sent(o) == []
    triggers = o.item(run.pending_items[0]).request.assessment.triggers
    assert "let this through unreviewed" in triggers[-1].reason
    assert {t.kind for t in triggers[:-1]} & {"impact", "policy"}


def test_a_state_without_the_gate_channels_is_refused_at_build() -> None:
    from typing import TypedDict

    class Bare(TypedDict, total=False):  # the developer forgot to mix in GateState
        request: dict[str, Any]
        proposal: dict[str, Any]
        assessment: dict[str, Any]

    with pytest.raises(ValueError, match="mix GateState into it"):
        add_gated_step(StateGraph(Bare), ("agent", agent), ("assess", assess), gate())


def test_an_edit_adding_a_link_the_graphs_reassess_ignores_needs_a_second_reviewer(tmp_path: Path) -> None:
    def reassess(state: Any) -> RiskAssessment:  # the developer's rule again: it reads for "secret" only
        return RiskAssessment.model_validate(_risk("secret" in state["proposal"]["body"]))

    o = _orch(tmp_path, _standard(reassess=reassess))
    run = o.start("g", SECRET)
    edited = {**SECRET, "body": "Here is the secret plan: https://files.evil.example/plan"}
    edit = {"action": "edit", "reviewer": "alice", "reason_code": "other", "edited": edited}
    after = o.decide(run.pending_items[0], edit).run
    assert after.status == "paused" and _sent(o) == []
    item = o.item(after.pending_items[0])
    assert item.request.edited_by == ["alice"] and "the edit added" in item.request.assessment.triggers[-1].reason
    assert o.decide(item.id, {"action": "approve", "reviewer": "bob"}).run.status == "completed"
    assert _sent(o) == [edited]


def test_a_recorded_approval_replayed_for_another_item_of_the_run_approves_nothing(tmp_path: Path) -> None:
    second = {**SECRET, "body": "Here is the secret plan, part two: wire the deposit today."}

    def start(state: State) -> dict[str, Any]:
        return {"queue": [second]}

    def send_then_next(state: State, runtime: Runtime[RunContext]) -> Command[str]:
        out = send(state, runtime)
        if out.goto == END and state.get("queue"):  # the next note goes through the whole step again
            return Command(goto="agent", update={"request": state["queue"][0], "queue": []})
        return out

    def build() -> StateGraph[Any, Any, Any, Any]:
        builder = StateGraph(State)
        builder.add_node("start", start)
        builder.add_edge(START, "start")
        builder.add_edge("start", add_gated_step(builder, ("agent", agent), ("assess", assess), gate()))
        builder.add_node("send", send_then_next, destinations=("review", "agent", END))
        return builder

    o = _orch(tmp_path, build)
    run = o.start("g", SECRET)
    run = o.decide(run.pending_items[0], {"action": "approve", "reviewer": "alice"}).run
    assert run.status == "paused" and _sent(o) == [SECRET]
    with o.db.read() as conn:
        recorded = json.loads(conn.execute(select(decisions.c.decision_json)).scalar_one())
    with pytest.raises(RuntimeError):  # alice's approval of the first note, handed to the graph again
        o.graph("g").invoke(Command(resume=recorded), {"configurable": {"thread_id": run.id}})
    o.reconcile()
    assert _sent(o) == [SECRET] and o.run(run.id).status == "paused"


class CopiedNote(Note):
    """A proposal with a copy recipient: the reviewer reads it as part of the email."""

    cc: str = ""


def test_a_copy_recipient_in_the_proposal_is_held_not_silently_dropped(tmp_path: Path) -> None:
    def agent_cc(state: State) -> dict[str, Any]:
        return {"proposal": {**Note(**state["request"]).model_dump(), "cc": "boss@customer.example"}}

    def build() -> StateGraph[Any, Any, Any, Any]:
        builder = StateGraph(State)
        step = add_gated_step(builder, ("agent", agent_cc), ("assess", assess), gate(proposal_model=CopiedNote))
        builder.add_edge(START, step)
        builder.add_node("send", send, destinations=("review", END))
        return builder

    o = _orch(tmp_path, build)
    run = o.start("g", PLAIN)
    assert run.status == "paused" and _sent(o) == []
    assert "its cc" in o.item(run.pending_items[0]).request.assessment.triggers[-1].reason
