"""The checks every outgoing message passes, whoever wrote it: terms, personal data, impact, injection, outbound.

The outreach and drafting graphs (``assess.assess_draft``), the support graph's reply
(``assess.assess_support``) and the ``notify`` graph run ``check_outgoing`` on the message as it would be
sent and add only what is their own (the drafter's confidence, figures the brief backs, whether a person
must answer the customer; a task's approval rule); ``risk.combine`` turns both into the assessment. One
function, so that a check added here holds every graph's messages alike, on the first draft and on every
reviewer's edit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from humangate.core.contract import Trigger
from humangate.core.schemas import AmountLimit
from humangate.risk.combine import Signals
from humangate.risk.injection import injection_triggers
from humangate.risk.limits import limit_triggers
from humangate.risk.outbound import outbound_triggers
from humangate.risk.pii import SENSITIVE_ENTITIES, find_pii, pii_triggers
from humangate.risk.policy import NodeSettings
from humangate.risk.reply_shape import shape_triggers
from humangate.risk.risky_asks import risky_ask_triggers
from humangate.risk.terms import TermCategory, find_policy_terms, policy_triggers
from humangate.risk.triggers import impact_triggers

__all__ = ["CLOSING", "OutgoingChecks", "check_outgoing", "expected_names", "is_expected"]

_GREETING = re.compile(r"^\s*(?:dear|hi|hello|hey|good\s+(?:morning|afternoon|evening))\s+([^,\n:!]{1,80})", re.I)
# A sign-off is a short line of its own ("Best regards,", "Thanks!"); "Thanks for asking how ..." is the message, and
# the lines after it are no signature.
CLOSING = re.compile(
    r"^\s*(?i:(?:best|kind|warm|warmest|many)\s+(?:regards|wishes|thanks)|best|regards|all\s+the\s+best|cheers|warmly"
    r"|sincerely|yours(?:\s+(?:sincerely|truly))?|(?:thanks|thank\s+you)(?:\s+(?:again|so\s+much|very\s+much|a\s+lot))?)"
    r"\s*[,.!]?(?:\s*[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?)?\s*$"
)


def expected_names(body: str) -> list[str]:
    """Return the names a message is expected to hold: whom it greets and who signs it."""
    lines = body.strip().splitlines()
    names: list[str] = []
    if lines and (m := _GREETING.match(lines[0])):
        names.append(m.group(1))
    for i, line in enumerate(lines):
        if CLOSING.match(line):
            names.extend(x for x in lines[i + 1 : i + 4] if x.strip())
            break
    return names


def is_expected(value: str, allow: Sequence[str]) -> bool:
    """Return whether ``value`` is one of the values a message is meant to hold (case and spaces aside)."""
    return value.strip().lower() in {a.strip().lower() for a in allow if a}


@dataclass(frozen=True)
class OutgoingChecks:
    """What the checks found in one outgoing message, as ``risk.combine`` takes it."""

    triggers: list[Trigger]
    """Scored triggers: policy terms and promises, personal data, impact, injected instructions."""
    required: list[Trigger]
    """Triggers that each force review: an amount over a task's limit, what ``risk.outbound`` holds."""
    signals: Signals
    """The facts the combined rules read: external send, sensitive personal data, policy terms, injection."""


def check_outgoing(
    *,
    to: str,
    subject: str,
    body: str,
    settings: NodeSettings,
    where: str = "The email",
    what: str = "email",
    external: bool = True,
    payment: bool = False,
    irreversible: bool = False,
    allow: Sequence[str] = (),
    names: Sequence[tuple[str, str]] = (),
    sources: Sequence[tuple[str, str]] = (),
    known_injections: Sequence[tuple[str, str]] = (),
    limits: Sequence[AmountLimit] = (),
    ticket: str = "",
    extra_terms: Mapping[TermCategory, Sequence[str]] | None = None,
    excerpts: bool = True,
    promises_in: str | None = None,
    also_injection: Sequence[tuple[str, str]] = (),
) -> OutgoingChecks:
    """Run the checks every outgoing message passes on the message ``to``, ``subject`` and ``body`` would make.

    ``allow`` holds values the message is meant to carry besides the recipient's address and the names in
    its greeting and signature (the recipient's name, the company); ``names`` are ``(what, value)`` pairs put
    into the message from the task's input, ``sources`` ``(label, text)`` pairs it was written from, and
    ``known_injections`` ``(label, description)`` findings an agent already reported. ``extra_terms`` adds
    phrases per policy-term category to the gate's ``watch_terms``; ``excerpts=False`` quotes policy terms
    without the text around them (``risk.terms.policy_triggers``). ``promises_in`` is the text whose promises
    count, when not the whole message (a support reply without the product's own template sentences), and
    ``also_injection`` more ``(label, text)`` pairs read for injected instructions besides the message.
    """
    text = f"{subject}\n\n{body}" if subject else body
    allowed = [to, *allow, *expected_names(body)]
    watch: dict[TermCategory, list[str]] = {k: list(v) for k, v in settings.watch_terms.items()}
    for category, phrases in (extra_terms or {}).items():
        watch[category] = [*watch.get(category, []), *phrases]
    pii = [m for m in find_pii(text) if m.entity in SENSITIVE_ENTITIES and not is_expected(m.text, allowed)]
    if promises_in is None:
        terms = policy_triggers(text, where=where, extra=watch, excerpts=excerpts)
    else:
        terms = [
            *policy_triggers(text, where=where, extra=watch, excerpts=excerpts, commitments=False),
            *policy_triggers(promises_in, where=where, extra=watch, excerpts=excerpts, terms=False),
        ]
    triggers = [
        *terms,
        *pii_triggers(text, allow=allowed, where=where),
        *impact_triggers(external=external, payment=payment, irreversible=irreversible, text=text, what=what),
        *injection_triggers([*also_injection, (f"{what} draft", text)], known=known_injections),
    ]
    required = [
        *limit_triggers(text, limits, where=where),
        *outbound_triggers(to=to, subject=subject, body=body, names=names, sources=sources, ticket=ticket, where=where),
        *risky_ask_triggers(text, where=where, said=[t for _, t in sources]),
        *shape_triggers(text, where=where),
    ]
    signals = Signals(
        external=external,
        sensitive_pii=list(dict.fromkeys(m.entity for m in pii)),
        policy_terms=list(dict.fromkeys(m.category for m in find_policy_terms(text, extra=watch))),
        injection=any(t.kind == "injection" for t in triggers),
    )
    return OutgoingChecks(triggers=triggers, required=required, signals=signals)
