"""Escalation judge agent: a chat model's second opinion, by a fixed rubric, on a message the router was unsure of.

The local router decides clear cases on its own (``risk.cascade``); a message it would pass but scores close to
its threshold is read by the model with ``prompts/escalation.md``. The judge only reports: whether the message
is held is decided in ``risk/``, where the model's call to escalate holds it and a failed call holds it too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from humangate.core.schemas import EscalationJudgement, SupportMessage
from humangate.prompts import render_messages

if TYPE_CHECKING:
    from humangate.agents.endpoint import ChatModel

__all__ = ["PROMPT", "PROMPT_VARIABLES", "EscalationJudge", "prompt_variables"]

PROMPT = "escalation"
PROMPT_VARIABLES = frozenset({"message", "history"})


def prompt_variables(message: SupportMessage) -> dict[str, str]:
    """Return the values of the escalation prompt's placeholders for ``message``."""
    return {
        "message": message.text.replace("</message", "&lt;/message"),
        "history": "\n".join(f"- {h}" for h in message.history[-5:]) or "(none)",
    }


def failed(why: str) -> EscalationJudgement:
    """Return the judgement of a call that gave no usable answer: a person must read the message."""
    return EscalationJudgement(
        frustration=False,
        complaint=False,
        churn=False,
        harm=False,
        legal=False,
        asks_for_person=False,
        needs_person=True,
        reason="",
        model_failure=why[:2_000],
    )


class EscalationJudge:
    """Ask a chat model whether a person should answer a support message."""

    def __init__(self, model: ChatModel) -> None:
        self.model = model

    def run(self, message: SupportMessage) -> EscalationJudgement:
        """Return the model's rubric for ``message``; a failed call says so and asks for a person."""
        from humangate.agents.endpoint import ask  # lazy: the model layer is optional

        try:
            messages = render_messages(PROMPT, prompt_variables(message))
            result = ask(self.model, EscalationJudgement, messages)
        except Exception as exc:  # a model failure must become a reviewable item, never a crash
            return failed(f"The model call raised {type(exc).__name__}: {exc}")
        if result.value is None:
            return failed(result.failure or "The model returned no usable judgement.")
        value = result.value
        # A rubric item marked without the verdict is read as the verdict: the stricter of the two answers.
        verdict = value.needs_person or bool(value.flagged())
        return value.model_copy(update={"needs_person": verdict, "model_failure": None})
