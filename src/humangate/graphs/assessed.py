"""Tie an assessment to the proposal it assessed, so a gate never passes one proposal on another's assessment.

``add_gated_step`` wraps the step's assessment node: each time it runs, it must write a valid
``RiskAssessment`` under the gate's ``assessment_key`` (else the run stops with an error naming the node),
and it records in the ``gate_assessed`` state channel digests of the proposal it read and the assessment
it wrote. The gate then lets a proposal through unreviewed only when both digests still match what it
finds in the state: a proposal changed after its assessment (a node beside or after it, a list or dict
changed in place, a loop that reached the gate without assessing again, two gates sharing a key) is held
for a person, at no less than high risk, with a trigger that says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.types import Command
from pydantic import ValidationError

from humangate.core.contract import RiskAssessment, Trigger, risk_rank
from humangate.graphs.release import digest

__all__ = ["ASSESSED_KEY", "bind_assessment", "gate_assessment", "held_unbound", "unbound_reason"]

ASSESSED_KEY = "gate_assessed"


def _writes(out: Any) -> Mapping[str, Any] | None:
    """Return the state writes of a node's return value (a dict, or a ``Command``'s update), or None."""
    if isinstance(out, Command):
        update = out.update
        if isinstance(update, Mapping):
            return update
        if isinstance(update, list | tuple):
            return dict(update)
        return None
    return out if isinstance(out, Mapping) else None


def _stamped(
    out: Any, state: Mapping[str, Any], *, gate: str, node: str, proposal_key: str, assessment_key: str
) -> Any:
    writes = _writes(out)
    if writes is None or assessment_key not in writes:
        raise ValueError(
            f"The assessment node {node!r} of gate {gate!r} returned no {assessment_key!r}: an assessment node must "
            f"write a RiskAssessment under the gate's assessment_key every time it runs, also when all is well "
            f"(needs_review=False). It returned {type(out).__name__}."
        )
    try:
        RiskAssessment.model_validate(writes[assessment_key])
    except ValidationError as exc:
        raise ValueError(
            f"The assessment node {node!r} of gate {gate!r} wrote an {assessment_key!r} that is not a RiskAssessment: "
            f"{exc.errors()[0].get('msg', exc)} at {exc.errors()[0].get('loc')}."
        ) from None
    proposal = writes[proposal_key] if proposal_key in writes else state.get(proposal_key)
    stamp = {gate: {"node": node, "proposal": digest(proposal), "assessment": digest(writes[assessment_key])}}
    if isinstance(out, Command):
        return Command(graph=out.graph, update={**writes, ASSESSED_KEY: stamp}, resume=out.resume, goto=out.goto)
    return {**writes, ASSESSED_KEY: stamp}


def bind_assessment(node: Any, *, gate: str, name: str, proposal_key: str, assessment_key: str) -> Any:
    """Return ``node`` wrapped to check what it writes and record what it assessed for ``gate``."""
    from langgraph._internal._runnable import RunnableCallable, coerce_to_runnable

    inner = coerce_to_runnable(node, name=name, trace=False)
    keys = {"gate": gate, "node": name, "proposal_key": proposal_key, "assessment_key": assessment_key}

    def run(state: Any, config: RunnableConfig) -> Any:
        return _stamped(inner.invoke(state, config), state, **keys)

    async def arun(state: Any, config: RunnableConfig) -> Any:
        return _stamped(await inner.ainvoke(state, config), state, **keys)

    # An async-only node stays async-only, so the Orchestrator still runs its graph with ``ainvoke``.
    async_only = getattr(inner, "func", "sync") is None and getattr(inner, "afunc", None) is not None
    return RunnableCallable(None if async_only else run, arun, name=name, trace=False)


def unbound_reason(
    state: Mapping[str, Any], *, gate: str, node: str, proposal_key: str, assessment_key: str
) -> str | None:
    """Return why the assessment in ``state`` is not known to be of the proposal there, or None when it is."""
    stamp = (state.get(ASSESSED_KEY) or {}).get(gate)
    if not isinstance(stamp, Mapping) or stamp.get("node") != node:
        return f"its assessment was not written by the assessment node {node!r}"
    if stamp.get("proposal") != digest(state.get(proposal_key)):
        return f"the proposal under {proposal_key!r} changed after {node!r} assessed it"
    if stamp.get("assessment") != digest(state.get(assessment_key)):
        return f"the assessment under {assessment_key!r} changed after {node!r} wrote it"
    return None


def held_unbound(assessment: RiskAssessment, gate: str, why: str) -> RiskAssessment:
    """Return ``assessment`` held for a person at no less than high risk, saying ``why`` it cannot pass."""
    reason = f"Gate {gate!r} cannot pass this unreviewed: {why}. A person checks what will be sent."
    level = assessment.level if risk_rank(assessment.level) >= risk_rank("high") else "high"
    kept = [t for t in assessment.triggers if t.kind != "sampling"]
    trigger = Trigger(kind="rule", reason=reason[:1_000], score=0.9)
    return assessment.model_copy(update={"level": level, "needs_review": True, "triggers": [*kept, trigger][-50:]})


def gate_assessment(
    state: Mapping[str, Any], *, gate: str, assessed_by: str | None, proposal_key: str, assessment_key: str
) -> RiskAssessment:
    """Return the assessment ``gate`` acts on: held for a person when it is not known to be of this proposal.

    Raise ``ValueError`` naming the key when the state holds no proposal or no assessment for the gate.
    """
    for key, what in ((proposal_key, "proposal"), (assessment_key, "assessment")):
        if state.get(key) is None:
            raise ValueError(
                f"Gate {gate!r} found no {what} under {key!r}: the nodes before it must write one "
                f"(or give review_gate the {what}_key they write)."
            )
    assessment = RiskAssessment.model_validate(state[assessment_key])
    if assessed_by is None or assessment.needs_review:  # wired by hand, or a person looks anyway
        return assessment
    why = unbound_reason(state, gate=gate, node=assessed_by, proposal_key=proposal_key, assessment_key=assessment_key)
    return assessment if why is None else held_unbound(assessment, gate, why)
