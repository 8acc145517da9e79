"""Planner agent: a plain-English task -> ``TaskSpec`` (which graph, which items, which review rules).

Items come from a CSV (``--input``), a folder of sources (``--source``) or the task text, in that order.
With a chat model the planner renders ``prompts/planner.md`` and asks for a ``PlanReading``; the
model's reading is checked against the inputs and merged with the offline one (``agents.plan_check``):
a graph that does not fit the items is not taken, the offline graph stands when the two differ, items
from a file or folder are never replaced by the model's, and a review rule either reading finds (e.g.
"let me approve before sending") is kept. The spec says whose reading it is (``engine``) and where the
two disagreed (``disagreements``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from humangate.agents.offline import plan
from humangate.agents.offline.planning import GRAPHS
from humangate.agents.plan_check import reconcile
from humangate.core.schemas import PlanReading, TaskSpec
from humangate.prompts import render_messages

if TYPE_CHECKING:
    from humangate.agents.endpoint import ChatModel

__all__ = ["PROMPT", "PROMPT_VARIABLES", "Planner", "plan", "prompt_variables"]

PROMPT = "planner"
PROMPT_VARIABLES = frozenset({"task", "graphs", "inputs"})


def prompt_variables(
    task: str, *, csv_rows: Sequence[Mapping[str, Any]] | None = None, source_dir: Path | None = None
) -> dict[str, str]:
    """Return the values of the planner prompt's placeholders."""
    inputs: list[str] = []
    if csv_rows:
        columns = ", ".join(str(k) for k in csv_rows[0])
        inputs.append(f"a CSV file with {len(csv_rows)} rows and the columns {columns}")
    if source_dir is not None:
        inputs.append(f"a folder of source documents named {source_dir.name!r}")
    return {
        "task": task,
        "graphs": "\n".join(f"- {name}: {what}" for name, what in GRAPHS.items()),
        "inputs": "; ".join(inputs) or "none",
    }


class Planner:
    """Read a plain-English task into a TaskSpec; with a chat model when given, else offline."""

    def __init__(self, model: ChatModel | None = None) -> None:
        self.model = model

    def run(
        self, task: str, *, csv_rows: Sequence[Mapping[str, Any]] | None = None, source_dir: Path | None = None
    ) -> TaskSpec:
        """Return the task spec; a model failure returns the offline spec with ``model_failure`` set."""
        offline = plan(task, csv_rows=csv_rows, source_dir=source_dir)
        if self.model is None:
            return offline
        from humangate.agents.endpoint import ask, engine_label  # lazy: the model layer is optional

        engine = engine_label(self.model)
        messages = render_messages(PROMPT, prompt_variables(task, csv_rows=csv_rows, source_dir=source_dir))
        try:
            result = ask(self.model, PlanReading, messages)
        except Exception as exc:  # a model failure must become a reviewable proposal, never a crash
            failure = f"The model call raised {type(exc).__name__}: {exc}"
        else:
            if result.value is not None:
                return reconcile(result.value, offline, engine=engine, csv_rows=csv_rows, source_dir=source_dir)
            failure = result.failure or "The model returned no usable plan."
        return offline.model_copy(
            update={"model_failure": failure, "engine": f"offline ({engine} gave no usable plan)"}
        )
