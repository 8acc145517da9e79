"""Planner agent: a plain-English task -> ``TaskSpec`` (which graph, which items, which review rules).

Items come from a CSV (``--input``), a folder of sources (``--source``) or the task text, in that order.
With a chat model the planner renders ``prompts/planner.md``; the model's reading is merged with the
offline one: items from a file or folder are never replaced by the model's, and a review rule either
reading finds (e.g. "let me approve before sending") is kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel

from humangate.agents.offline import plan
from humangate.agents.offline.planning import GRAPHS
from humangate.agents.schemas import TaskSpec
from humangate.prompts import render_messages

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


def _merged(spec: TaskSpec, offline: TaskSpec, from_input: bool) -> TaskSpec:
    items = offline.items if from_input or not spec.items else spec.items
    return spec.model_copy(
        update={
            "task": offline.task,
            "items": items,
            "require_approval": spec.require_approval or offline.require_approval,
            "rules": list(dict.fromkeys([*spec.rules, *offline.rules])),
            # The limits read from the text by rule always hold; the model may add ones the rules missed.
            "limits": list({(x.subject, x.amount, x.unit): x for x in [*offline.limits, *spec.limits]}.values()),
            # So do the routing rules ("hand me anything angry"): the model may add, never drop, one.
            "routes": list({r.model_dump_json(): r for r in [*offline.routes, *spec.routes]}.values()),
            "model_failure": None,
        }
    )


class Planner:
    """Read a plain-English task into a TaskSpec; with a chat model when given, else offline."""

    def __init__(self, model: BaseChatModel | None = None) -> None:
        self.model = model

    def run(
        self, task: str, *, csv_rows: Sequence[Mapping[str, Any]] | None = None, source_dir: Path | None = None
    ) -> TaskSpec:
        """Return the task spec; a model failure returns the offline spec with ``model_failure`` set."""
        offline = plan(task, csv_rows=csv_rows, source_dir=source_dir)
        if self.model is None:
            return offline
        from humangate.agents.models import call_structured  # lazy: the model layer is optional

        messages = render_messages(PROMPT, prompt_variables(task, csv_rows=csv_rows, source_dir=source_dir))
        try:
            result = call_structured(self.model, TaskSpec, messages)
        except Exception as exc:  # a model failure must become a reviewable proposal, never a crash
            return offline.model_copy(update={"model_failure": f"The model call raised {type(exc).__name__}: {exc}"})
        if result.value is None:
            return offline.model_copy(update={"model_failure": result.failure or "The model returned no usable plan."})
        return _merged(result.value, offline, from_input=bool(csv_rows) or source_dir is not None)
