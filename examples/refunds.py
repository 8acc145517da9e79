"""A new graph with its own agent and a review gate: refunds above $100 wait for a person."""

from typing import Any

from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel

from humangate import GateState, GraphRegistry, GraphSpec, Orchestrator, RiskAssessment, Settings, Trigger
from humangate import add_gated_step, review_gate


class Refund(BaseModel):
    customer: str
    amount: float


class State(GateState, total=False):
    request: dict[str, Any]
    proposal: dict[str, Any]
    assessment: dict[str, Any]


def agent(state: State) -> dict[str, Any]:  # your model call or rules: propose, never decide who looks
    return {"proposal": Refund(**state["request"]).model_dump()}


def assess(state: State) -> dict[str, Any]:  # the risk rule: above $100 a person decides
    refund = Refund(**state["proposal"])
    big = refund.amount > 100
    reason = [Trigger(kind="impact", reason=f"A refund of ${refund.amount:.2f} is above the $100 limit.")]
    risk = RiskAssessment(level="high" if big else "low", score=0.8 if big else 0.1, confidence=0.9,
                          triggers=reason if big else [], needs_review=big, policy_version="refunds-1")
    return {"assessment": risk.model_dump()}


gate = review_gate(name="review", graph="refunds", proposal_model=Refund, next="pay", redirect_to="agent")
builder = StateGraph(State)
builder.add_edge(START, add_gated_step(builder, ("agent", agent), ("assess", assess), gate))  # agent -> assess -> gate
builder.add_node("pay", lambda state: {})  # approve goes on here: effects go through the outbox
builder.add_edge("pay", END)
spec = GraphSpec.create(name="refunds", description="Refunds, a person above $100", build=lambda: builder,
                        input_model=Refund, to_state=lambda r: {"request": r.model_dump()}, title=lambda r: "Refund")

with Orchestrator(Settings(db_url="sqlite:///refunds.db"), registry=GraphRegistry([spec])) as orch:
    orch.add_user("alice", "reviewer")
    print(orch.start("refunds", {"customer": "Ann", "amount": 20}).status)  # completed: no one needed
    run = orch.start("refunds", {"customer": "Bob", "amount": 250})  # paused at the gate
    item = orch.item(run.pending_items[0])
    print(item.request.assessment.triggers[0].reason)
    print(orch.decide(item.id, {"action": "approve", "reviewer": "alice"}).run.status)  # completed
