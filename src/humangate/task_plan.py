"""Describe a planned task before it starts: graph, items, and each gate with what will hold it.

``humangate run --dry-run`` and the panel's Plan button print this; ``confirmation_reason`` says when a
run should be confirmed by a person first: when a gate before an outside effect is not forced by a task
rule (a proposal the risk policy rates low would go out unreviewed), or when the task is large. The plan
says whose reading it is (the offline engine's, or a model's checked against it) and where the model
read the task otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from humangate.core.schemas import TaskSpec
from humangate.risk.policy import RiskPolicy
from humangate.tasks import PlannedRun

__all__ = ["CONFIRM_OVER", "GatePlan", "confirmation_reason", "describe_plan", "gate_plans", "sourceless_reason"]

CONFIRM_OVER = 25  # items: a larger run asks for confirmation even when every send is reviewed

# The gates of each graph, in order: (node, what it holds, whether passing it leads to an outside effect).
_GATES: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "outreach": (("review_brief", "the research brief", False), ("review_send", "the email, before it is sent", True)),
    "research": (("review_brief", "the brief", False),),
    "support": (("review_reply", "the reply, before it is sent", True),),
}


@dataclass(frozen=True)
class GatePlan:
    """One gate of the plan: what it holds, what holds it, and whether a task rule holds every proposal."""

    node: str
    what: str
    effect: bool
    held_by: tuple[str, ...]
    forced: bool


def gate_plans(spec: TaskSpec, policy: RiskPolicy) -> list[GatePlan]:
    """Return the gates the task's runs pass, each with the rules and policy that will hold it."""
    plans: list[GatePlan] = []
    for node, what, effect in _GATES.get(spec.graph, ()):
        settings = policy.settings(spec.graph, node)
        held: list[str] = []
        task_forced = effect and spec.require_approval
        if task_forced:
            held.append("task rule: a person approves every one")
        if effect and spec.limits:
            held.append("limits: " + ", ".join(x.label() for x in spec.limits))
        if effect and spec.routes and spec.graph == "support":
            held.append("routing: " + "; ".join(r.label() for r in spec.routes))
        if settings.always_review:
            held.append(f"policy {policy.version}: every proposal")
        else:
            held.append(f"policy {policy.version}: risk {settings.review_from} and above")
        plans.append(GatePlan(node, what, effect, tuple(held), task_forced or settings.always_review))
    return plans


def confirmation_reason(spec: TaskSpec, planned: list[PlannedRun], policy: RiskPolicy) -> str | None:
    """Return why the run should be confirmed first, or None when every effect waits for a person."""
    loose = [g.node for g in gate_plans(spec, policy) if g.effect and not g.forced]
    if loose:
        return (
            f"{len(planned)} {spec.graph} runs could send without review: at {', '.join(loose)} the risk "
            "policy lets low-risk proposals through"
        )
    if len(planned) > CONFIRM_OVER:
        return f"the task starts {len(planned)} runs (more than {CONFIRM_OVER})"
    return None


def sourceless_reason(spec: TaskSpec, planned: list[PlannedRun]) -> str | None:
    """Return which research or outreach items found no sources (their briefs would rest on nothing), or None."""
    empty = [p.label for p in planned if p.sourceless]
    if not empty:
        return None
    names = ", ".join(empty[:3]) + (f" and {len(empty) - 3} more" if len(empty) > 3 else "")
    return f"{len(empty)} of {len(planned)} {spec.graph} items have no sources ({names})"


def describe_plan(
    spec: TaskSpec, planned: list[PlannedRun], policy: RiskPolicy, *, started: int = 0, show: int = 5
) -> list[str]:
    """Return the plan as lines of text: graph and items, the rules read, each gate and what holds it."""
    lines = [f"Plan: {len(planned)} {spec.graph} runs ({spec.goal or 'as the graph does'})."]
    lines.extend(f"  {n}. {p.label}" for n, p in enumerate(planned[:show], start=1))
    if len(planned) > show:
        lines.append(f"  ... and {len(planned) - show} more")
    lines.append(f"Planned by: {spec.engine}.")
    lines.extend(f"  The model read it otherwise: {note}" for note in spec.disagreements)
    if spec.model_failure:
        lines.append(f"  The model's plan could not be used, so the offline reading stands: {spec.model_failure}")
    lines.append("Rules read from the task:")
    lines.extend(f"  - {rule}" for rule in spec.rules or ["none: the risk policy decides what a person sees"])
    lines.append("Gates:")
    for gate in gate_plans(spec, policy):
        lines.append(f"  {gate.node} ({gate.what}): held by " + "; ".join(gate.held_by))
    lines.extend(f"Refused: {note}" for p in planned for note in p.refused)
    lines.extend(f"Skipped: {note}" for p in planned for note in p.skipped)
    lines.extend(f"Note: {note}" for p in planned for note in p.notes)
    if missing := sourceless_reason(spec, planned):
        lines.append(
            f"Without sources: {missing}; their briefs would be empty. Give them sources (--source FOLDER, URLs "
            "in the task or a url column), or start them anyway (--no-sources)."
        )
    if started:
        lines.append(
            f"{started} of {len(planned)} items already started by an earlier run of this task; "
            f"{len(planned) - started} to start."
        )
    return lines
