"""Find disagreements that are neither a negation nor a figure: two years, all vs part, exclusive attributes.

- Two years for one event: "the depot was certified in 2021" / "... certified in 2023". The event is the
  verb the year belongs to; the rest of the two sentences must be nearly the same, so "certified" and
  "opened", or "the Porto depot" and "the Madrid depot", stay apart.
- All against part of the same thing: see ``quantifiers``.
- Company attributes that exclude each other: private / publicly listed, for-profit / non-profit, held by
  the same company (named the same, or "the company" when the sources are about one company).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

from humangate.agents.offline.contradictions import MIN_SHARED, Stated, fold, on_axis, quote, read, topic_of
from humangate.agents.offline.facts import extract_facts
from humangate.agents.offline.quantifiers import clash, read_quantified
from humangate.core.schemas import Conflict
from humangate.core.text import overlap, terms

__all__ = ["find_clashes"]

_MAX_CLASHES = 6
# Two sentences give one event two years only when they are nearly the same sentence otherwise.
_SAME_EVENT = 0.8
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_IN_YEAR = re.compile(
    rf"\bin\s+(?:(?:early|mid|late)[- ]?\s*)?(?:{_MONTH}\s+(?:\d{{1,2}},?\s+)?)?((?:1[89]|20)\d\d)\b"
    r"(?!\s*(?:[-\u2013/]|to\b|and\b|or\b)\s*\d)",
    re.I,
)
_CLAUSE_END = re.compile(r"[,;:()\u2014]")
# Past forms that do not end in -ed: enough to find the verb a year belongs to.
_IRREGULAR = frozenset(
    [
        "began",
        "begun",
        "became",
        "become",
        "built",
        "bought",
        "brought",
        "came",
        "chose",
        "chosen",
        "drew",
        "drawn",
        "found",
        "grew",
        "grown",
        "held",
        "kept",
        "laid",
        "led",
        "left",
        "lost",
        "made",
        "met",
        "paid",
        "put",
        "sold",
        "sent",
        "set",
        "shut",
        "spent",
        "stood",
        "struck",
        "took",
        "taken",
        "won",
        "wrote",
        "written",
    ]
)
_NOT_VERBS = frozenset(["hundred", "indeed", "speed", "breed", "seed", "need", "based", "red", "bed"])
# Words that make a year one of several (repeated, planned or hedged events), not the event's one year.
_NOT_ONE_YEAR = re.compile(
    r"\b(?:will|would|could|might|plans?|planned|expects?|expected|aims?|intends?|scheduled|proposed|"
    r"again|every|each|annually|until|since)\b",
    re.I,
)
_WINDOW = 6  # words back from "in <year>" to the event's verb

_PRIVATE = (
    r"\bprivate(?:ly)?[- ](?:held|owned)\b|\bprivate\s+(?:limited\s+)?(?:company|firm|business|corporation|"
    r"enterprise)\b"
)
_PUBLIC = (
    r"\bpublic(?:ly)?[- ](?:traded|listed|quoted)\b|\bpublic\s+(?:limited\s+)?(?:company|corporation)\b|"
    r"\b(?:listed|traded|quoted)\s+on\s+(?:the\s+)?(?:[\w&-]+\s+){0,3}?(?:nasdaq|nyse|exchange|bourse|euronext|"
    r"stock\s+market)\b"
)
_NON_PROFIT = r"\bnon[- ]?profit\b|\bnot[- ]for[- ]profit\b|\bcharity\b|\bcharitable\s+organi[sz]ation\b"
_FOR_PROFIT = r"(?<!not[- ])\bfor[- ]profit\b"
_ATTRIBUTES: tuple[tuple[str, tuple[tuple[str, re.Pattern[str]], ...]], ...] = (
    ("ownership", (("private", re.compile(_PRIVATE, re.I)), ("publicly listed", re.compile(_PUBLIC, re.I)))),
    ("profit status", (("non-profit", re.compile(_NON_PROFIT, re.I)), ("for-profit", re.compile(_FOR_PROFIT, re.I)))),
)
# A change of status, or another company's, makes the attribute no claim about the company now.
_CHANGED = re.compile(
    r"\b(?:until|formerly|previously|former|used\s+to|bec[oa]me|becoming|went|going|ipo|plans?|planned|will|"
    r"would|intends?|delisted|acquired|acquisition|subsidiary|parent|merged|bought|spun|spin-off)\b",
    re.I,
)
# Words that name no company in particular: "the company", "shares of X".
_GENERIC = fold(frozenset(terms("company firm business corporation organisation organization enterprise share stock")))


@dataclass(frozen=True)
class _Read:
    stated: Stated
    content: frozenset[str]  # folded
    events: tuple[tuple[str, str, int], ...]  # (folded verb, year, word index)
    attributes: tuple[tuple[str, str, frozenset[str], int], ...]  # (attribute, value, holder, word index)


def _is_event(word: str) -> bool:
    if on_axis(word):
        return False  # "rose", "fell", "increased": a trend, measured again every year
    return word in _IRREGULAR or (len(word) >= 5 and word.endswith("ed") and word not in _NOT_VERBS)


def _events(text: str) -> list[tuple[str, str, int]]:
    found: dict[str, tuple[str, str, int] | None] = {}
    for match in _IN_YEAR.finditer(text):
        head = _CLAUSE_END.split(text[: match.start()])[-1].lower().split()
        before = [w.strip(".,;:!?\"'") for w in head[-_WINDOW:]]
        verb = next((w for w in reversed(before) if _is_event(w)), None)
        if verb is None and not head:  # "In 2021, the council approved ...": the verb follows
            after = text[match.end() :].lower().split()[: _WINDOW + 1]
            verb = next((w.strip(".,;:!?\"'") for w in after if _is_event(w.strip(".,;:!?\"'"))), None)
        if verb is None:
            continue
        key = verb[:6]
        event = (key, match.group(1), len(text[: match.start(1)].split()))
        # One verb with two years in one sentence ("opened in 2019 and in 2021") is no single date.
        found[key] = None if key in found and found[key] != event else event
    return [event for event in found.values() if event is not None]


def _attributes(text: str, company: frozenset[str]) -> list[tuple[str, str, frozenset[str], int]]:
    found: list[tuple[str, str, frozenset[str], int]] = []
    for attribute, values in _ATTRIBUTES:
        said = [(value, match) for value, pattern in values if (match := pattern.search(text))]
        if len(said) != 1:
            continue  # neither, or both in one sentence ("a non-profit with a for-profit arm")
        value, match = said[0]
        holder = fold(frozenset(terms(text[: match.start()]))) - _GENERIC or company
        if holder:
            found.append((attribute, value, holder, len(text[: match.start()].split())))
    return found


def _read(source_id: str, text: str, company: frozenset[str], founding: bool) -> _Read:
    stated = read(source_id, text)
    if any(clause.cues for clause in stated.clauses) or stated.conditional:
        return _Read(stated, frozenset(), (), ())  # a negation or a hypothesis dates nothing
    events = () if _NOT_ONE_YEAR.search(text) else tuple(_events(text))
    if founding:  # a company's founding year is compared by facts.find_conflicts
        years = {f.value for f in extract_facts(source_id, text) if f.topic == "founding year"}
        events = tuple(e for e in events if e[1] not in years)
    attributes = () if _CHANGED.search(text) else tuple(_attributes(text, company))
    return _Read(stated, fold(stated.content), events, attributes)


def _conflict(kind: Literal["value", "statement"], topic: str, a: _Read, b: _Read, at: tuple[int, int]) -> Conflict:
    qa, qb = quote(a.stated.text, at[0]), quote(b.stated.text, at[1])
    sa, sb = a.stated.source_id, b.stated.source_id
    return Conflict(
        topic=topic[:300],
        kind=kind,
        description=f'Sources disagree on {topic}: {sa!r} says "{qa}", but {sb!r} says "{qb}".'[:2_000],
        source_ids=[sa, sb],
        values=[qa, qb],
        quotes=[qa, qb],
    )


def _year_clash(a: _Read, b: _Read) -> Conflict | None:
    shared = a.content & b.content
    if len(shared) < MIN_SHARED or overlap(a.content, b.content) < _SAME_EVENT:
        return None
    for verb, year, word in a.events:
        other = next((e for e in b.events if e[0] == verb and e[1] != year), None)
        if other is not None:
            topic = f"the year: {topic_of(a.stated, b.stated)}"
            conflict = _conflict("value", topic, a, b, (word, other[2]))
            return conflict.model_copy(update={"values": [year, other[1]]})
    return None


def _attribute_clash(a: _Read, b: _Read) -> Conflict | None:
    for attribute, value, holder, word in a.attributes:
        for other, other_value, other_holder, other_word in b.attributes:
            if other == attribute and other_value != value and overlap(holder, other_holder) >= 0.6:
                conflict = _conflict("value", f"{attribute} ({value} or {other_value})", a, b, (word, other_word))
                return conflict.model_copy(update={"values": [value, other_value]})
    return None


def _quantifier_clash(a: _Read, b: _Read) -> Conflict | None:
    qa, qb = read_quantified(a.stated.text), read_quantified(b.stated.text)
    if any(clash(x, y) or clash(y, x) for x in qa for y in qb):
        return _conflict("statement", f"all or part: {topic_of(a.stated, b.stated)}", a, b, (0, 0))
    return None


def find_clashes(sentences: list[tuple[str, str]], *, company: str = "") -> list[Conflict]:
    """Return conflicts between sources on an event's year, "all" against "part", or exclusive attributes.

    ``company`` names the company the sources are about, when they are about one: "the company" then
    means it, and its founding year is left to ``facts.find_conflicts``.
    """
    named = fold(frozenset(terms(company))) - _GENERIC
    readings = [_read(sid, text, named, bool(company)) for sid, text in sentences if not text.rstrip().endswith("?")]
    found: list[Conflict] = []
    seen: set[tuple[frozenset[str], str]] = set()
    for a, b in combinations(readings, 2):
        if a.stated.source_id == b.stated.source_id or len(found) >= _MAX_CLASHES:
            continue
        pair = frozenset((a.stated.source_id, b.stated.source_id))
        for check in (_year_clash, _attribute_clash, _quantifier_clash):
            if (pair, check.__name__) not in seen and (conflict := check(a, b)) is not None:
                seen.add((pair, check.__name__))
                found.append(conflict)
    return found
