"""Support analyst agent: a customer message + history -> ``SupportAnalysis`` with a suggested reply.

With a chat model it renders ``prompts/support.md`` and asks for a structured ``SupportAnalysis``;
without one, or when the model's answer cannot be used, the offline engine (VADER plus intent
lexicons) answers. Lexicon hits for legal threats, churn, refunds and requests for a person are kept
even when the model missed them: a missed legal threat costs more than an extra look. A model reading
that contradicts the message's strong signals (a furious message read as positive, an intent outside the
list) or whose reply is unfinished is a model failure: the offline reading answers and the item is held.
Otherwise the stricter of the two readings stands on every risk-bearing field (``agents.validation``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from humangate.agents.drafter import format_correction
from humangate.agents.offline import analyze
from humangate.agents.offline.corrections import apply_lessons, learn
from humangate.agents.offline.replies import template_sentences
from humangate.agents.validation import MAX_FAILURE, analysis_problems, stricter_analysis
from humangate.core.schemas import CorrectionExample, SupportAnalysis, SupportMessage
from humangate.prompts import render_messages

if TYPE_CHECKING:
    from humangate.agents.endpoint import ChatModel

__all__ = ["PROMPT", "PROMPT_VARIABLES", "SupportAnalyst", "prompt_variables"]

PROMPT = "support"
PROMPT_VARIABLES = frozenset({"customer", "message", "history", "instructions", "corrections"})


def prompt_variables(message: SupportMessage, corrections: Sequence[CorrectionExample] = ()) -> dict[str, str]:
    """Return the values of the support prompt's placeholders for ``message``."""
    return {
        "customer": message.customer or "(unknown)",
        "message": message.text.replace("</message", "&lt;/message"),
        "history": "\n".join(f"- {h}" for h in message.history[-10:]) or "(none)",
        "instructions": message.instructions or "",
        "corrections": "\n".join(format_correction(c) for c in corrections[:5]) or "(none)",
    }


class SupportAnalyst:
    """Read a support message for sentiment, intent, urgency and risk; with a chat model when given."""

    def __init__(self, model: ChatModel | None = None) -> None:
        self.model = model

    def run(self, message: SupportMessage, corrections: Sequence[CorrectionExample] = ()) -> SupportAnalysis:
        """Return the analysis of ``message``; a model failure returns the offline one with ``model_failure`` set.

        ``corrections`` are reviewers' past corrections of replies to similar messages: the model sees
        them as examples, and the sentences they deleted and phrases they replaced are fixed in the reply.
        A replaced phrase may only bring in words of this message, this reply or the product's own
        sentences: one customer's details never reach another's reply through a lesson.
        """
        analysis = self._analyze(message, corrections)
        if not corrections:
            return analysis
        known = "\n".join([message.text, *sorted(template_sentences())])
        reply = apply_lessons(analysis.suggested_reply, learn(list(corrections)), known=known)
        return analysis.model_copy(update={"suggested_reply": reply or analysis.suggested_reply})

    def _analyze(self, message: SupportMessage, corrections: Sequence[CorrectionExample]) -> SupportAnalysis:
        offline = analyze(message)
        if self.model is None:
            return offline
        from humangate.agents.endpoint import ask  # lazy: the model layer is optional

        try:
            messages = render_messages(PROMPT, prompt_variables(message, corrections))
            result = ask(self.model, SupportAnalysis, messages)
        except Exception as exc:  # a model failure must become a reviewable proposal, never a crash
            failure = f"The model call raised {type(exc).__name__}: {exc}"
        else:
            problems = analysis_problems(result.value, offline) if result.value is not None else []
            if result.value is not None and not problems:
                return stricter_analysis(result.value, offline)
            failure = (
                f"The model's reading was not used: {'; '.join(problems)}."
                if problems
                else result.failure or "The model returned no usable analysis."
            )
        # The offline reading keeps its own confidence; the model_failure trigger holds the item.
        return offline.model_copy(update={"model_failure": failure[:MAX_FAILURE]})
