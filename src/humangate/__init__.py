"""humangate: human-in-the-loop automation on LangGraph."""

from humangate.config import Settings
from humangate.core.contract import (
    ReviewDecision,
    ReviewRequest,
    RiskAssessment,
    SourceExcerpt,
    Trigger,
)
from humangate.core.gate_policy import GatePolicy
from humangate.errors import HumanGateError
from humangate.graphs.gate import GateEvent, GateState, GateView, ReviewGate, review_gate
from humangate.graphs.registry import GraphRegistry, GraphSpec, default_registry
from humangate.graphs.step import add_gated_step
from humangate.review.advance.runs import RunInfo
from humangate.review.queue import Page, QueueFilter, ReviewItem
from humangate.review.service import DecideResult, Orchestrator, ReconcileReport

__all__ = [
    "DecideResult",
    "GateEvent",
    "GatePolicy",
    "GateState",
    "GateView",
    "GraphRegistry",
    "GraphSpec",
    "HumanGateError",
    "Orchestrator",
    "Page",
    "QueueFilter",
    "ReconcileReport",
    "ReviewDecision",
    "ReviewGate",
    "ReviewItem",
    "ReviewRequest",
    "RiskAssessment",
    "RunInfo",
    "Settings",
    "SourceExcerpt",
    "Trigger",
    "add_gated_step",
    "default_registry",
    "review_gate",
]
__version__ = "0.1.0"
