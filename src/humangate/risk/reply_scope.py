"""What a chat model's reply says that no template of the product would: another language, a dated promise,
a person nobody in the thread named, a claim only a person may make, or nothing at all.

The offline replies are fixed templates; a model's reply is free text. These things in it are the model's own
decisions that a customer will act on, so each waits for a person:

- a reply in another language than the customer wrote in (English to a German customer, Spanish to an
  English one), unless the task asked for a language (``risk.directives`` checks that one);
- a promise of an outcome or a time ("we will fix it by tomorrow", "your reports will be back"): nothing
  the product runs will keep it;
- a person's name the customer's messages, the task and the ticket do not hold ("John Smith of Acme had the
  same issue"): another customer's data, or an agent the model made up;
- a claim that a human wrote the reply ("I'm a real person, not a bot"), a statement of what was done with
  the customer's data ("your data has been shared with our partners"), or of what the product or the
  customer's plan allows and where else to go ("not possible on your plan", "upgrade", "our competitor",
  "free for all users forever"), a change to their case stated as made ("your ticket has been closed", "I've
  forwarded your details"), or a refusal, a brush-off or blame ("I'm unable to assist", "don't contact us
  again", "your responsibility");
- no answer: fewer than three words of its own ("OK.", an emoji).

Read on the reply without the product's own template sentences (``risk.escalation.without_templates``), so
the offline engine's replies pass as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from humangate.core.contract import Trigger
from humangate.core.wording import fold, language, tokens
from humangate.risk.directives import language_asked
from humangate.risk.outgoing import CLOSING, expected_names
from humangate.risk.pii import find_pii
from humangate.risk.risky_asks import echoed

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
# A claim to be a person: the customer is owed the truth about who answers.
_HUMAN = re.compile(
    r"\b(?:i'?m|i\s+am|we'?re|we\s+are|this\s+is)\s+(?:a\s+|an\s+)?(?:real\s+|actual\s+|live\s+)?"
    r"(?:human|person|people|not\s+(?:a\s+|an\s+)?(?:bot|robot|machine|ai|automated))\b"
    r"|\bnot\s+(?:a\s+|an\s+)?(?:bot|robot|chatbot|automated\s+(?:reply|response|system))\b",
    _I,
)
# What happened to the customer's data: shared, sold, leaked, exposed.
_DATA = re.compile(
    r"\b(?:data|information|details|records|account|files|reports)\s+(?:has|have|was|were|is|are|may\s+have)\s+"
    r"(?:been\s+)?(?:shared|sold|leaked|exposed|breached|compromised|disclosed|passed\s+on|transferred|accessed)\b",
    _I,
)
# What the product or the customer's plan allows, and where else to go: nothing the product runs gave the model
# these facts ("Exports are not possible on your plan", "our competitor does it better").
_PRODUCT = re.compile(
    r"\b(?:(?:your|the|a|our)\s+(?:\w+\s+)?(?:plan|tier|subscription|licen[cs]e|contract|agreement|sla)|premium|upgrade|downgrade|add-?on"
    r"|paid\s+(?:feature|option|plan)|not\s+(?:possible|available|supported|allowed|included|offered)|unavailable"
    r"|unsupported|(?:is|are)\s+(?:broken|disabled|blocked|restricted|discontinued)|competitors?|(?:switch|move)\s+to"
    r"\s+(?:another|a\s+different|other)\s+(?:provider|vendor|service|tool|product))\b",
    _I,
)
# A refusal, a brush-off or blame: the customer is left with nothing, or told it is theirs to carry.
_REFUSAL = re.compile(
    r"\b(?:i|we)(?:'m|\s+am|'re|\s+are)?\s+(?:can(?:no|')?t|cannot|unable\s+to|not\s+able\s+to|won't|will\s+not"
    r"|not\s+allowed\s+to)\s+(?:help|assist|answer|support|do\s+(?:that|this|anything)|look\s+into|provide)\b"
    r"|\b(?:don't|do\s+not|never)\s+(?:contact|email|e-mail|write\s+to|call|message)\s+us\b"
    r"|\byour\s+(?:own\s+)?(?:responsibility|fault|problem|risk)\b|\byou\s+agreed\s+to\b|\bnot\s+eligible\b",
    _I,
)
# A change of the customer's case or data stated as made: nothing the reply's graph did made it.
_DONE = re.compile(
    r"\b(?:ticket|case|request|complaint|claim|account|order|subscription)\s+(?:has\s+been|was|is\s+now|is)\s+"
    r"(?:closed|resolved|cancel+ed|deleted|escalated|suspended|reopened|locked|frozen|flagged)\b"
    r"|\b(?:i|we)(?:'ve|\s+have)?\s+(?:forwarded|shared|sent|passed|given|sold|handed)\s+(?:on\s+)?your\s+"
    r"(?:details|data|information|info|number|address|e-?mail|files|reports|records)\b",
    _I,
)
# A price said as none at all: "free for all users forever" ("feel free to" is no price).
_FREE = re.compile(r"\b(?:is|it's|are|they're|for|completely|totally|always)\s+free\b(?!\s+to\b)", _I)
_WORD = re.compile(r"\w+", re.UNICODE)
_MIN_WORDS = 3
_NAME_SCORE = 0.6  # the name spotter's own weak readings (a capitalised noun opening a sentence) stay soft
_GREETING = re.compile(r"^\s*(?:dear|hi|hello|hey|good\s+(?:morning|afternoon|evening))\b[^\n]{0,80}$", _I)


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
        if CLOSING.match(line):
            return "\n".join(lines[:i])
    return "\n".join(lines)


def _new_names(reply: str, body: str, known: Sequence[str]) -> list[str]:
    held = fold(" ".join([*known, *expected_names(body)]))
    found = find_pii(_middle(reply))
    # A name as a reply writes one: capitalised ("contact sales" is a team, "John Smith" a person).
    names = (m.text for m in found if m.entity == "PERSON" and m.text[:1].isupper() and m.score >= _NAME_SCORE)
    return list(dict.fromkeys(n for n in names if fold(n) not in held))


_CLAIMS = (
    ("claims to be human", _HUMAN),
    ("data handling", _DATA),
    ("product or plan", _PRODUCT),
    ("product or plan", _FREE),
    ("refusal or blame", _REFUSAL),
    ("stated as done", _DONE),
)


def _own_claims(middle: str, said: Sequence[str]) -> list[str]:
    """Return what the reply says of itself or the customer's data that only a person may say.

    Words the customer wrote themselves and the reply says back ("Thanks for asking why your ticket was closed")
    are their question, not the reply's claim.
    """
    found = [
        f"{what}: {m.group()}"
        for what, pattern in _CLAIMS
        for m in pattern.finditer(middle)
        if not echoed(m.group(), said)
    ]
    if middle.strip() and len(_WORD.findall(middle)) < _MIN_WORDS:
        found.append(f"no answer: {' '.join(middle.split())[:40]}")
    return found


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
    if claims := _own_claims(_middle(reply), said):
        out.append(
            Trigger(
                kind="policy",
                reason="The reply says what only a person may say (that a human wrote it, what was done with the "
                "customer's case or data, what the product or their plan allows, a refusal or blame) or gives no "
                "answer; a person checks it.",
                score=0.9,
                evidence=claims[:5],
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
