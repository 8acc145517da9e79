"""Drafter agent: brief + recipient + tone + past corrections -> ``EmailDraft``.

With a chat model it renders ``prompts/drafter.md`` and asks for a structured ``EmailDraft``; without
one, or when the model's answer cannot be used, the offline engine writes a template email grounded in
the brief. The model's draft is always addressed to the recipient's own address and may only cite
claims that exist; a draft carrying instruction-like text, one that drops the recipient or every
usable claim of the brief, or one with a factual sentence those usable claims do not hold
(``agents.validation.draft_problems``), is refused in favour of the offline one and held.
Its confidence is never above the offline draft's: a model's say-so does not lower the risk.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from humangate.agents.offline import draft
from humangate.agents.offline.corrections import learn
from humangate.agents.offline.directives import read_directives
from humangate.agents.offline.drafting import usable_claims
from humangate.agents.offline.injection import looks_like_injection
from humangate.agents.validation import MAX_FAILURE, draft_problems
from humangate.core.schemas import CorrectionExample, DraftInput, EmailDraft
from humangate.prompts import render_messages

if TYPE_CHECKING:
    from humangate.agents.endpoint import ChatModel

__all__ = ["PROMPT", "PROMPT_VARIABLES", "Drafter", "format_correction", "prompt_variables"]

PROMPT = "drafter"
PROMPT_VARIABLES = frozenset(
    {
        "recipient",
        "goal",
        "tone",
        "sender",
        "instructions",
        "subject",
        "summary",
        "claims",
        "conflicts",
        "corrections",
    }
)
_MAX_CORRECTIONS = 5


def format_correction(c: CorrectionExample) -> str:
    """Return one past correction as prompt text: the proposal, the reviewer's version, the reason."""
    lines = [f"- Proposed: {json.dumps(c.proposal, ensure_ascii=False)[:1_500]}"]
    lines.append(
        f"  Reviewer's version: {json.dumps(c.corrected, ensure_ascii=False)[:1_500]}" if c.corrected else "  Rejected."
    )
    if c.reason_code or c.note:
        lines.append(f"  Reason: {c.reason_code or ''} {c.note or ''}".rstrip())
    return "\n".join(lines)


def prompt_variables(inp: DraftInput) -> dict[str, str]:
    """Return the values of the drafter prompt's placeholders for ``inp``."""
    brief, r = inp.brief, inp.recipient
    return {
        "recipient": (f"{r.name} <{r.email}>" if r.email else f"{r.name} (address not known yet)")
        + (f", {r.role}" if r.role else "")
        + (f" at {r.company}" if r.company else ""),
        "goal": inp.goal,
        "tone": inp.tone,
        "sender": inp.sender,
        "instructions": inp.instructions or "",
        "subject": brief.subject,
        "summary": brief.summary or "(none)",
        "claims": "\n".join(f"{i}: {c.text} [{', '.join(c.source_ids)}]" for i, c in enumerate(brief.claims))
        or "(no claims: write without facts about the company)",
        "conflicts": "\n".join(f"- {c.description}" for c in brief.conflicts) or "(none)",
        "corrections": "\n".join(format_correction(c) for c in inp.corrections[:_MAX_CORRECTIONS]) or "(none)",
    }


def _failed(offline: EmailDraft, failure: str) -> EmailDraft:
    # The offline draft keeps its own confidence: the model_failure trigger holds it, no more strictly than
    # that, so a dead endpoint does not turn every item into a critical one.
    return offline.model_copy(update={"model_failure": failure[:MAX_FAILURE]})


class Drafter:
    """Write an email from a brief; with a chat model when given, else offline."""

    def __init__(self, model: ChatModel | None = None) -> None:
        self.model = model

    def run(self, inp: DraftInput) -> EmailDraft:
        """Return the draft for ``inp``; a model failure returns the offline draft with ``model_failure`` set."""
        offline = draft(inp)
        if self.model is None:
            return offline
        from humangate.agents.endpoint import ask  # lazy: the model layer is optional

        try:
            result = ask(self.model, EmailDraft, render_messages(PROMPT, prompt_variables(inp)))
        except Exception as exc:  # a model failure must become a reviewable proposal, never a crash
            return _failed(offline, f"The model call raised {type(exc).__name__}: {exc}")
        if result.value is None:
            return _failed(offline, result.failure or "The model returned no usable email.")
        email = result.value
        injected = looks_like_injection(f"{email.subject}\n{email.body}")
        if injected is not None:
            return _failed(offline, f"The model's email contained instruction-like text ({injected}); not used.")
        usable = usable_claims(inp.brief, learn(inp.corrections), read_directives(inp.instructions))
        problems = draft_problems(email, inp, usable)
        if problems:
            return _failed(offline, f"The model's email was not used: {'; '.join(problems)}.")
        used = [i for i in dict.fromkeys(email.claims_used) if 0 <= i < len(inp.brief.claims)]
        return email.model_copy(
            update={
                "to": inp.recipient.email,
                "claims_used": used,
                "confidence": min(email.confidence, offline.confidence),
                "model_failure": None,
            }
        )
