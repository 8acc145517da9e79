"""What a chat model's reply says that no template of the product would: another language, a dated promise,
a person nobody in the thread named.

The offline replies are fixed templates; a model's reply is free text. Three things in it are the model's own
decisions that a customer will act on, so each waits for a person:

- a reply in another language than the customer wrote in (English to a German customer, Spanish to an
  English one), unless the task asked for a language (``risk.directives`` checks that one);
- a promise of an outcome or a time ("we will fix it by tomorrow", "your reports will be back"): nothing
  the product runs will keep it;
- a person's name the customer's messages, the task and the ticket do not hold ("John Smith of Acme had the
  same issue"): another customer's data, or an agent the model made up.

Read on the reply without the product's own template sentences (``risk.escalation.without_templates``), so
the offline engine's replies pass as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from humangate.agents.offline.wording import fold, language, tokens
from humangate.core.contract import Trigger
from humangate.risk.directives import language_asked
from humangate.risk.outgoing import expected_names
from humangate.risk.pii import find_pii

__all__ = ["reply_scope_triggers"]

_I = re.IGNORECASE
# What a promise may not carry without a person: an outcome for the customer, or when it will happen.
_OUTCOME = re.compile(
    r"\b(?:fix|fixed|resolve|resolved|repair|replace|refund|reimburse|credit|compensate|restore|recover|waive"
    r"|unblock|unlock|reactivate|reinstate|ship|deliver|dispatch|send\s+(?:you\s+)?(?:a\s+)?(?:new|replacement)"
    r"|cancel|close|delete|remove|upgrade|downgrade|escalate|prioriti[sz]e|guarantee|make\s+(?:it|this)\s+right)\b",
    _I,
)
_WHEN = re.compile(
    r"\b(?:today|tonight|tomorrow|this\s+(?:morning|afternoon|evening|week|weekend|month)|next\s+\w+"
    r"|within\s+\w+|by\s+(?:the\s+)?(?:end|monday|tuesday|wednesday|thursday|friday|saturday|sunday|noon|midnight"
    r"|close|eod|cob)|(?:right|straight)\s+away|immediately|asap|as\s+soon\s+as|shortly|in\s+(?:a|an|one|two|three"
    r"|a\s+few|\d+)\s+(?:minutes?|hours?|days?|weeks?)|on\s+(?:monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday))\b",
    _I,
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
# Who will do it: the writer ("we'll", "I am going to") or the outcome itself ("your refund will be there").
_PROMISE = re.compile(
    r"\b(?:i|we)(?:'ll|’ll|\s+will|\s+shall|'re\s+going\s+to|\s+(?:are|am)\s+going\s+to|\s+promise|\s+guarantee)\b"
    r"|\b(?:will|'ll|’ll)\s+be\s+(?:fixed|resolved|back|there|restored|refunded|replaced|shipped|delivered|sorted"
    r"|working|available|credited|ready|reactivated|unblocked|processed|done)\b",
    _I,
)
_GREETING = re.compile(r"^\s*(?:dear|hi|hello|hey|good\s+(?:morning|afternoon|evening))\b[^\n]{0,80}$", _I)
_CLOSING = re.compile(r"^\s*(?:best|regards|kind\s+regards|thanks|thank\s+you|cheers|sincerely|warmly)\b", _I)


def _dated_promises(text: str) -> list[str]:
    out: list[str] = []
    for m in _SENTENCE.finditer(text):
        sentence = m.group()
        if _PROMISE.search(sentence) and (_OUTCOME.search(sentence) or _WHEN.search(sentence)):
            out.append(" ".join(sentence.split())[:100])
    return list(dict.fromkeys(out))


def _other_language(reply: str, said: str, directives: Sequence[str]) -> tuple[str, str] | None:
    if any(language_asked(d) for d in directives):
        return None
    theirs, ours = language(tokens(fold(said))), language(tokens(fold(reply)))
    return (theirs, ours) if theirs and ours and theirs != ours else None


def _middle(reply: str) -> str:
    """Return ``reply`` without its greeting line and sign-off: the names there are whom it is to and from."""
    lines = reply.strip().splitlines()
    if lines and _GREETING.match(lines[0]):
        lines = lines[1:]
    for i, line in enumerate(lines):
        if _CLOSING.match(line):
            return "\n".join(lines[:i])
    return "\n".join(lines)


def _new_names(reply: str, body: str, known: Sequence[str]) -> list[str]:
    held = fold(" ".join([*known, *expected_names(body)]))
    found = find_pii(_middle(reply))
    return list(dict.fromkeys(m.text for m in found if m.entity == "PERSON" and fold(m.text) not in held))


def reply_scope_triggers(
    reply: str, body: str, *, said: Sequence[str], known: Sequence[str] = (), directives: Sequence[str] = ()
) -> list[Trigger]:
    """Return the triggers for what ``reply`` (the body without template sentences) decides on its own.

    ``body`` is the whole reply (its greeting and sign-off name who it is to and from), ``said`` the
    customer's message and earlier turns, ``known`` other values the reply may name (the ticket, the
    customer's name, what the task asked it to say) and ``directives`` the task's writing directives.
    """
    out: list[Trigger] = []
    if other := _other_language(reply, " ".join(said), directives):
        out.append(
            Trigger(
                kind="policy",
                reason=f"The reply is written in another language ({other[1]}) than the customer wrote in "
                f"({other[0]}); a person checks it.",
                score=0.9,
                evidence=[f"language: customer {other[0]}, reply {other[1]}"],
            )
        )
    if promises := _dated_promises(reply):
        out.append(
            Trigger(
                kind="policy",
                reason="The reply promises an outcome or a time that nothing the product runs will keep; "
                "a person checks it can be kept.",
                score=0.9,
                evidence=[f"promise: {p}" for p in promises[:5]],
            )
        )
    if names := _new_names(reply, body, [*said, *known]):
        out.append(
            Trigger(
                kind="pii",
                reason="The reply names a person nobody in the thread or the task named (another customer, or "
                "someone the model made up); a person checks it.",
                score=0.9,
                evidence=[f"PERSON: {n}" for n in names[:5]],
            )
        )
    return out
