"""Read "all" and "part of" statements, and tell when one source's "all" is another's "only half".

"The fleet is all electric" and "half of the fleet runs on diesel" cannot both be true: one quantifies the
whole of a thing, the other a part of the same thing, and either says the same of that part ("all ...
electric" / "half ... electric") or something that excludes it (electric / diesel, from a small table of
values that exclude each other). Each clause is read on its own; a clause without a quantifier says
nothing here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from humangate.agents.offline.contradictions import fold
from humangate.core.text import terms

__all__ = ["Quantified", "clash", "read_quantified"]

# Values that exclude each other, folded as ``contradictions.fold`` folds terms. A small table: extend it
# with care, every pair in it lets "all X" meet "some Y".
_EXCLUSIVE: tuple[frozenset[str], ...] = (
    frozenset(["electr", "diesel", "petrol", "gasoli", "hydrog", "hybrid"]),  # what a vehicle runs on
)
_GROUP = {value: i for i, group in enumerate(_EXCLUSIVE) for value in group}
# Words of the quantifier itself, never part of what is quantified.
_QUANTIFIER_TERMS = fold(
    frozenset(
        terms("all every each entire whole half third thirds quarter quarters majority minority many several part")
        + terms("fully entirely completely wholly exclusively percent cent")
    )
)
# The most words of the quantified noun phrase; more is read as the predicate.
_NOUN_WORDS = 3
_DET = r"(?:(?:the|its|their|our|his|her|these|those|this|that)\s+)?"
_UNIVERSAL_AFTER = re.compile(  # "the fleet is all electric": the noun comes before
    r"\b(?:is|are|was|were|runs?|ran|operates?)\s+(?:all|entirely|fully|completely|wholly|exclusively|"
    r"100\s?%|100\s+per\s?cent)[\s-]+(?=[a-z])",
    re.I,
)
_UNIVERSAL_ADJECTIVE = re.compile(r"\b(?:all|fully|entirely|completely|100\s?%)-[a-z]+\s+", re.I)  # all-electric
_UNIVERSAL_BEFORE = re.compile(
    rf"(?<!\bat\s)\b(not\s+)?(?:all|every|each|the\s+(?:entire|whole))\s+(?:of\s+)?{_DET}", re.I
)
_PARTIAL = re.compile(
    r"\b(?:(half|(?:a|one|two)\s+(?:third|quarter)s?|three\s+quarters|most|(?:the|a)\s+(?:majority|minority)|"
    r"(\d{1,2}(?:\.\d+)?)\s?(?:%|per\s?cent))|some|many|several|part|a\s+few)\s+(?:of\s+)?" + _DET,
    re.I,
)
_NOUN_END = re.compile(
    r"^(?:is|are|was|were|be|been|has|have|had|do|does|did|can|could|will|would|should|must|may|might|in|on|at|"
    r"for|with|from|by|to|into|across|within|that|which|who|and|or)$",
    re.I,
)
_NEGATION = re.compile(r"\b(?:not|no|never|none|cannot)\b|n['\u2019]t\b", re.I)
_NOT_ALL = re.compile(r"\bnot\s+(?=all\b|every\b|each\b)", re.I)
_CLAUSE = re.compile(r"[,;:()\u2014]|\s[\u2013-]\s|\b(?:but|whereas|while|although|though)\b", re.I)


@dataclass(frozen=True)
class Quantified:
    """One clause that speaks of all of a thing or of a part of it."""

    universal: bool
    explicit: bool  # a part that is plainly not the whole: "half", "40%", "most", "not all"
    noun: frozenset[str]  # folded terms of the quantified noun phrase
    content: frozenset[str]  # folded terms of the clause, the quantifier's own words set aside


def _noun(words: list[str]) -> frozenset[str]:
    """Return the folded terms of a noun phrase, a possessor's name set aside ("the city's buses")."""
    kept: list[str] = []
    for word in words:
        bare = word.strip(".,;:!?\"'()")
        if _NOUN_END.match(bare) or not bare:
            break
        if not bare.lower().endswith(("'s", "\u2019s")):
            kept.append(bare)
        if len(kept) == _NOUN_WORDS:
            break
    return fold(frozenset(terms(" ".join(kept))))


def _read_clause(clause: str) -> Quantified | None:
    if _NEGATION.search(_NOT_ALL.sub(" ", clause)):
        return None  # "all of the buses are not electric": left to the negation reading
    content = fold(frozenset(t for t in terms(clause) if not t.isdigit())) - _QUANTIFIER_TERMS
    if after := _UNIVERSAL_AFTER.search(clause):
        noun = _noun(clause[: after.start()].split()[-_NOUN_WORDS:])
        return Quantified(True, False, noun, content)
    if adjective := _UNIVERSAL_ADJECTIVE.search(clause):
        words = [w for w in clause[adjective.end() :].split() if w.lower() != "of"]
        return Quantified(True, False, _noun(words), content)
    if before := _UNIVERSAL_BEFORE.search(clause):
        # "not all of the buses" is a part, plainly not the whole.
        negated = bool(before.group(1))
        return Quantified(not negated, negated, _noun(clause[before.end() :].split()), content)
    if (part := _PARTIAL.search(clause)) is not None:
        explicit = bool(part.group(1)) and not (part.group(2) and float(part.group(2)) >= 100)
        return Quantified(False, explicit, _noun(clause[part.end() :].split()), content)
    return None


def read_quantified(text: str) -> list[Quantified]:
    """Return the clauses of a sentence that quantify a thing as a whole or in part."""
    return [q for clause in _CLAUSE.split(text) if clause and (q := _read_clause(clause)) is not None]


def _values(words: frozenset[str]) -> dict[int, str]:
    return {_GROUP[w]: w for w in words if w in _GROUP}


def clash(whole: Quantified, part: Quantified) -> bool:
    """Return whether ``whole`` (all of a thing) and ``part`` (a part of it) cannot both be true.

    Both must quantify the same noun: each noun phrase shares a term with the other clause. Then either
    they say the same of it and the part is plainly not all ("all ... electric" / "half ... electric"), or
    they give values that exclude each other and differ in at most two other terms.
    """
    if not whole.universal or part.universal:
        return False
    shared = whole.content & part.content
    if not whole.noun & shared or not part.noun & shared:
        return False
    if whole.content == part.content:
        return part.explicit
    said, other = _values(whole.content - part.content), _values(part.content - whole.content)
    opposed = [group for group in said.keys() & other.keys() if said[group] != other[group]]
    rest = (whole.content | part.content) - shared - frozenset(_GROUP)
    return bool(opposed) and len(rest) <= 2
