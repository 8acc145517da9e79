"""Read a task's review, approval and escalation wording into rules that fail closed.

The task is read clause by clause (sentences; "but" starts a new clause). A clause that speaks of
review ("let me aprove them", "lass mich jede E-Mail prüfen", "je veux valider avant l'envoi") asks a
person to approve every outside effect, unless its scope is pinned down: an amount limit right after
the review word (the planner's ``AmountLimit``), or kinds of message ("every refund request", "anything
angry"), which become a ``RoutingRule``. A clause that hands messages to a person ("hand me anything
angry", "refund requests go to an expert") becomes a ``RoutingRule`` too; when what it hands over cannot
be told, every reply waits. A clause that stops the send, makes it wait on the user or keeps it for
the user ("do not send them", "ping me before you hit send", "I'll send them myself"; see ``sending``)
asks a person to approve every effect. Only a recognised permission ("send without asking me", "no need
to review") relaxes review, and only when nothing else in its clause negates, limits, conditions or
reviews it ("send without asking me once I have reviewed them" is no permission).

Nothing is dropped: every part of every clause must be claimed, here, by the limit reader
(``limit_wording``) or by a reader of goals, items, writing directives and context (``claims``). A part
none of them claims ("Legal needs to see these", "Stage them", "Scratch that, hold them") makes a person
approve every effect, and the plan's rule quotes it.

The task is read as it shows: invisible characters are taken out first (``disguise``), and a clause in capitals
only is read in lower case too, since in capitals a name and a word look the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from humangate.agents.offline.claims import asks_content, claimed, named, parts
from humangate.agents.offline.directives import forbids
from humangate.agents.offline.disguise import foreign, visible
from humangate.agents.offline.handover import ESCALATE, ROLES, TARGETS
from humangate.agents.offline.limit_wording import limit_covered
from humangate.agents.offline.permission import RELAX
from humangate.agents.offline.sending import defers_send
from humangate.core.schemas import RoutingRule
from humangate.core.wording import (
    BEFORE,
    CONDITIONS,
    CONSULT,
    EXCEPT,
    EXCEPT_PHRASE,
    FILLERS,
    GENERIC,
    NEGATIONS,
    PERSON,
    UNIVERSAL,
    Word,
    fold,
    kinds_in,
    language,
    matches,
    tokens,
)

__all__ = ["TaskRules", "read_rules"]

# "but" starts a new clause, except after a word for all the items: "answer all but one" is one exception.
_CLAUSES = re.compile(
    r"(?<=[.!?;])\s+|\n+|(?<!\ball)(?<!\beveryone)(?<!\beverything)(?<!\banything)(?<!\bnothing)(?<!\bnone)"
    r",?\s+\b(?:but|aber|pero|mais)\b\s+",
    re.I,
)
_PHRASES = re.compile(
    r"\bsign(?:s|ed|ing)? off\b(?! (?:as|with)\b)|\bgreen ?light\b|\bgo ?ahead\b|\bvisto bueno\b|\bfeu vert\b"
    r"|\blook (?:at|over|through)\b|\bhave a look\b|\bmy (?:ok|okay|say-?so|blessing)\b|\bmon (?:accord|aval)\b"
    r"|\bmi (?:permiso|ok)\b"
)
_NEEDS = frozenset({"needs", "need", "wants", "want", "has", "have", "gets"})  # with "to", the team acts
_WILL = _NEEDS | frozenset({"will", "shall", "would", "can", "could", "should", "may", "might", "must", "wanna"})
_PURPOSE = frozenset({"for", "fur", "para", "pour"})  # "review the replies for errors": a purpose, not a scope
_JOINERS = (
    FILLERS | GENERIC | PERSON | {"who", "which", "that", "wer", "que", "qui", "welche", "ones", "lo", "los", "las"}
)


@dataclass
class TaskRules:
    """What the task's wording asks: approval of every effect, routing rules, and the plan's sentences."""

    require: bool = False
    routes: list[RoutingRule] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    directives: list[str] = field(default_factory=list)
    """Parts that ask every message to say something ("Mention our free pilot"): each message is checked for them."""
    named: list[str] = field(default_factory=list)
    """Names the task lists as its items ("Northwind Analytics"): ``planning.plan`` holds them against the rows."""


def _said(clause: str) -> str:
    text = " ".join(clause.split()).strip(" ,")
    return text if len(text) <= 160 else text[:157] + "..."


def _review_at(words: list[str], folded: str) -> int | None:
    """Return the index of the clause's review word, or None when it does not speak of review."""
    person = any(w in PERSON for w in words) or any(w in BEFORE for w in words)
    for i, word in enumerate(words):
        if Word.strong(word) or (person and Word.weak(word)):
            return i
    phrase = _PHRASES.search(folded) or CONSULT.search(folded)
    return len(tokens(folded[: phrase.start()])) if phrase else None


def _anchors(words: list[str], folded: str) -> list[int]:
    """Return where the clause hands messages over: escalation verbs and "to me"-like targets."""
    found = [i for i, w in enumerate(words) if any(matches(w, s) for s in ESCALATE)]
    for m in TARGETS.finditer(folded):
        found.extend([len(tokens(folded[: m.start()])), len(tokens(folded[: m.end()])) - 1])
    return sorted(set(found))


def _adjacent(words: list[str], anchors: list[int], kinds: set[int]) -> bool:
    """Return whether a kind word follows or precedes an anchor with only joining words between."""
    allowed = _JOINERS | UNIVERSAL
    for a in anchors:
        for step in (1, -1):
            i = a + step
            while 0 <= i < len(words) and i not in kinds and (words[i] in allowed or i in anchors):
                i += step
            if 0 <= i < len(words) and i in kinds:
                return True
    return False


def _unscoped(words: list[str], kinds: set[int]) -> bool:
    """Return whether a word such as "each", "them" or "alles" covers more than the kinds named."""
    for i, word in enumerate(words):
        if word not in UNIVERSAL:
            continue
        j = i + 1
        while j < len(words) and words[j] in FILLERS and j not in kinds:
            j += 1
        if j not in kinds:
            return True
    return False


def _role(folded: str) -> str | None:
    return next((role for role, pattern in ROLES if re.search(pattern, folded)), None)


def _relaxes(folded: str) -> re.Match[str] | None:
    """Return the permission in the clause when nothing else in it negates, limits or conditions it.

    Outside the permission, a negation or exception ("unless"), a condition or wait ("once", "after",
    "first", "when"), a review word ("let me approve everything else") or a deferred send makes it unclear.
    """
    match = RELAX.search(folded)
    if match is None or foreign(folded):  # "send without asking me, кроме VIP": a word no reader reads
        return None
    rest = folded[: match.start()] + " , " + folded[match.end() :]
    outside = tokens(rest)
    if any(w in NEGATIONS or w in EXCEPT or w in CONDITIONS or w in BEFORE for w in outside):
        return None
    if EXCEPT_PHRASE.search(rest):  # "send without asking me, other than the VIPs"
        return None
    return None if _review_at(outside, rest) is not None or defers_send(rest) else match


def _is_rule(part: str) -> bool:
    """Return whether a part speaks of review, hand-over, permission or holding the send."""
    folded = fold(part)
    words = tokens(folded)
    review = _review_at(words, folded) is not None
    return bool(RELAX.search(folded) or review or _anchors(words, folded) or defers_send(folded))


def _describing(words: list[str], found: dict[str, list[str]]) -> dict[str, list[str]]:
    """Keep the kind words that describe the messages: "anything angry", "refund requests", "legal ones to me".

    A kind word after "for" is a purpose ("review the replies for errors"), and one followed by a verb or
    an aside names no messages ("let legal approve them", "mad as it sounds"): those do not scope a review.
    """
    kept: dict[str, list[str]] = {}
    for i, word in enumerate(words):
        kinds = [k for k, hits in found.items() if word in hits]
        if not kinds or (i and words[i - 1] in _PURPOSE):
            continue
        after = words[i + 1] if i + 1 < len(words) else None
        if after in ("is", "are", "was", "were") and words[i + 2 : i + 3] and words[i + 2].endswith("ing"):
            continue  # "legal is reviewing": a team at work, not the messages it names
        then = words[i + 2] if i + 2 < len(words) else None
        if after in _WILL and then not in (None, "be", "get", "been") and (after not in _NEEDS or then == "to"):
            continue  # "compliance needs to check", "legal will review"; not "legal ones need review"
        if after is None or after in _JOINERS or after in UNIVERSAL or any(after in h for h in found.values()):
            for kind in kinds:
                kept.setdefault(kind, []).append(word)
    return kept


def _read_rule(text: str, graph: str, out: TaskRules, everything: str) -> None:
    """Add what the review, hand-over or permission wording in ``text`` asks to ``out``."""
    folded = fold(text)
    words = tokens(folded)
    said = _said(text)
    review = _review_at(words, folded)
    anchors = _anchors(words, folded)
    if RELAX.search(folded):
        if _relaxes(folded) and not anchors:
            out.rules.append(
                f"Do not ask for approval where the risk policy passes a proposal (I read {said!r} as that "
                "permission); the task's limits and escalation rules still hold."
            )
        else:
            out.require = True
            out.rules.append(f"I could not read {said!r} as a clear permission to send unreviewed, so {everything}.")
        return
    if defers_send(folded):  # "do not send them", "ping me before you hit send", "I'll send them myself"
        out.require = True
        out.rules.append(f"I read {said!r} as holding the send for a person, so {everything}.")
        return
    found = _describing(words, kinds_in(words, lang=language(words)))
    at = {i for i, w in enumerate(words) if any(w in hits for hits in found.values())}
    scoped = bool(found) and _adjacent(words, anchors or [review or 0], at) and not _unscoped(words, at)
    if not scoped:
        out.require = True
        out.rules.append(f"I read {said!r} as: {everything}.")
        return
    rule = RoutingRule(
        kinds=list(found),
        terms=sorted({w for hits in found.values() for w in hits})[:20],
        role=_role(folded),
        said=said[:300],
    )
    if graph != "support":
        out.require = True
        out.rules.append(f"The {graph} graph cannot sort work by {rule.label()!r}, so {everything} ({said!r}).")
        return
    out.routes.append(rule)
    out.rules.append(f"Escalate {rule.label()} before any reply is sent (the task says: {said!r}).")


def _read_clause(clause: str, graph: str, out: TaskRules, unit: str, everything: str) -> None:
    """Add what one clause asks to ``out``: its limits, rules, directives, and what no reader claims."""
    rules: list[str] = []
    unread: list[str] = []
    for part in parts(clause):
        kind: str | None = None
        covered = limit_covered(part)
        if covered is False:
            out.require = True
            out.rules.append(
                f"The task says {_said(part)!r}, a limit the planner could not fully read (an unknown currency, "
                f"a total, or words besides the amount); {everything}."
            )
        elif covered is None and _is_rule(part):
            rules.append(part)
        elif covered is None and (kind := claimed(part)) is None:
            unread.append(part)
        elif covered is None and kind == "style" and forbids(part) and graph != "research":
            # "Don't promise refunds": the writing is left to the drafter, and every message is checked for it.
            out.directives.append(_said(part)[:500])
            out.rules.append(f"The task asks every {unit}: {_said(part)!r}; one that seems to, waits for a person.")
        if kind == "items" and (name := named(part)):
            out.named.append(name)
    asked = [p for p in unread if asks_content(p)]
    unread = [p for p in unread if p not in asked]
    if asked and graph != "research":  # a brief goes to the task's owner, not out: what to cover is theirs
        for part in asked:
            # Cutting clauses drops a quote's closing mark ('Add "We met at the fair."'): put it back.
            closing = '"' if part.count('"') % 2 else "”" if part.count("“") > part.count("”") else ""
            out.directives.append((_said(part) + closing)[:500])
            out.rules.append(
                f"The task asks every {unit}: {_said(part)!r}; one that does not show it waits for a person."
            )
    if unread:
        out.require = True
        quoted = _said(" ... ".join(unread))
        out.rules.append(
            f"The task says {quoted!r}, which the planner could not read as safe; every {unit} waits for a person."
        )
    if rules:
        _read_rule(", ".join(rules), graph, out, everything)


def _shouted(clause: str) -> bool:
    """Return whether the clause is written in capitals only, where case no longer tells a name from a word."""
    letters = [c for c in clause if c.isalpha()]
    return len(letters) >= 4 and not any(c.islower() for c in letters)


def read_rules(task: str, graph: str) -> TaskRules:
    """Return the review rules of ``task`` for ``graph``; a part no reader understands holds every effect.

    Each clause is cut into parts (``claims.parts``). A part with a threshold is a limit, covered or half
    read (``limit_wording``); a part with review, hand-over, permission or hold wording is read here; every
    other part must be claimed by a reader of goals, items, writing directives or context (``claims``).
    A clause in capitals only ("PING ME BEFORE ANYTHING LEAVES") is read as written and in lower case too,
    and holds if either reading holds: in capitals every word looks like a name.
    """
    task = visible(task)  # "se\u200dnd" reads as the "send" it shows
    out = TaskRules()
    unit = {"outreach": "email", "support": "reply"}.get(graph, "brief")
    effect = f"{unit} before it is sent" if unit != "brief" else unit
    everything = f"a person approves every {effect}"
    for clause in (c for c in _CLAUSES.split(task) if c and c.strip()):
        _read_clause(clause, graph, out, unit, everything)
        if _shouted(clause):
            lower = TaskRules()
            _read_clause(clause.lower(), graph, lower, unit, everything)
            out.require = out.require or lower.require
            out.rules.extend(r for r in lower.rules if lower.require and r not in out.rules)
    return out
