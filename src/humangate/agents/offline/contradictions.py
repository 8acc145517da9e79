"""Find statements that disagree across sources: opposite Yes/No answers, negations and antonyms.

Two sentences from different sources disagree when they say nearly the same thing (most of their content
words are shared once negation and antonym words are set aside) with opposite polarity: one negates
what the other asserts ("is"/"is not"), or they sit on opposite ends of an antonym pair ("rose"/"fell").
Sentences that each restate the research question closely are compared through it, so "populations
are increasing" and "declining populations" meet when the question is about the population.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

from humangate.core.schemas import Conflict
from humangate.core.text import STOPWORDS, overlap, terms

__all__ = [
    "MIN_OVERLAP",
    "MIN_SHARED",
    "Stated",
    "find_statement_conflicts",
    "fold",
    "on_axis",
    "quote",
    "read",
    "related",
    "topic_of",
]

# Two sentences are "about the same thing" when at least MIN_SHARED content terms are shared and they
# make up MIN_OVERLAP of the shorter sentence's terms. Three terms rule out chance meetings on one
# common word pair ("the company", "the sun"); 0.6 still lets a paraphrase add or drop a few words.
MIN_SHARED = 3
MIN_OVERLAP = 0.6
_MAX_CONFLICTS = 6
# Terms cut to six letters meet across word forms the stemmer keeps apart ("deliver"/"delivery").
_FOLD = 6
_QUOTE_WORDS = 24

_WORD = re.compile(r"[a-z0-9]+(?:['\u2019][a-z]+)?")
_NEGATIONS = frozenset(
    ["not", "no", "never", "cannot", "without", "none", "nobody", "nothing", "neither", "nor", "nowhere"]
)
_NEGATING_PHRASES = re.compile(r"\b(?:fail(?:s|ed|ing)?\s+to|unable\s+to|no\s+longer|lack(?:s|ed)?\s+of)\b", re.I)
# "not only X but also Y" asserts X; "no doubt" asserts.
_NOT_NEGATING = re.compile(r"\bnot\s+only\b|\bno\s+doubt\b|\bnothing\s+but\b", re.I)
_CLAUSE_BREAK = re.compile(r"[,;:()\u2014]|\s[\u2013-]\s|\b(?:but|whereas|while|although|though)\b")
_CONDITIONAL = re.compile(r"\b(?:if|unless)\b")
_FIGURES = re.compile(r"\d+(?:[.,]\d+)*")
_ANSWER = re.compile(r"^\W*(yes|no)\s*(?:[,.!:;\u2014-]|$)", re.I)

# Antonym pairs: (words at one end, words at the other). A trailing "*" matches any ending. Superlatives
# are left out: "the highest" and "the lowest" name two different things, not two views of one.
_AXES: tuple[tuple[str, str], ...] = (
    ("increas*", "decreas*"),
    ("rise rises rising rose risen", "fall falls falling fell fallen"),
    ("grow grows growing grew grown growth", "shrink* shrank shrunk declin*"),
    ("more", "less fewer"),
    ("higher greater larger", "lower smaller"),
    ("gain gains gained gaining", "lose loses losing lost loss losses"),
    ("support supports supported supporting", "refut* contradict*"),
    ("true", "false untrue"),
    ("confirm*", "deny denies denied denying"),
    ("accept*", "reject*"),
    ("agree agrees agreed agreeing", "disagree*"),
    ("warm*", "cool*"),
    ("hot hotter", "cold colder"),
    ("strong stronger strengthen*", "weak weaker weaken*"),
    ("positive positively", "negative negatively"),
    ("above", "below"),
    ("possible", "impossible"),
    ("likely", "unlikely"),
    ("legal", "illegal"),
    ("safe safer", "unsafe dangerous"),
    ("include includes included including", "exclude*"),
    ("allow* permit*", "forbid* ban bans banned prohibit*"),
    ("success successful succeed*", "failure unsuccessful"),
    ("win wins won winning", "lose loses losing lost"),
)


def _axis_table() -> tuple[dict[str, tuple[int, int]], list[tuple[str, int, int]]]:
    exact: dict[str, tuple[int, int]] = {}
    prefixes: list[tuple[str, int, int]] = []
    for axis, ends in enumerate(_AXES):
        for sign, words in zip((1, -1), ends, strict=True):
            for word in words.split():
                if word.endswith("*"):
                    prefixes.append((word[:-1], axis, sign))
                else:
                    exact[word] = (axis, sign)
    return exact, prefixes


_EXACT, _PREFIXES = _axis_table()


def _axis(word: str) -> tuple[int, int] | None:
    if word in _EXACT:
        return _EXACT[word]
    return next(((axis, sign) for root, axis, sign in _PREFIXES if word.startswith(root)), None)


def on_axis(word: str) -> bool:
    """Return whether ``word`` is one end of an antonym pair ("rose", "increased", "confirmed")."""
    return _axis(word) is not None


@dataclass(frozen=True)
class _Clause:
    content: frozenset[str]
    cues: int  # negation words and phrases
    ends: frozenset[tuple[int, int]]  # (axis, sign) of the antonym words


@dataclass(frozen=True)
class Stated:
    """One sentence of one source, read clause by clause for what it asserts and with which polarity."""

    source_id: str
    text: str
    content: frozenset[str]
    clauses: tuple[_Clause, ...]
    cue: int  # word index of the first polarity word, where a quote is centred
    conditional: bool  # "if ..., then ...": a hypothesis asserts nothing to contradict


def _clause(text: str) -> _Clause:
    cues = len(_NEGATING_PHRASES.findall(text))
    ends: set[tuple[int, int]] = set()
    kept: list[str] = []
    for word in _WORD.findall(text):
        if word in _NEGATIONS or word.endswith(("n't", "n\u2019t")):
            cues += 1
        elif (found := _axis(word)) is not None:
            ends.add(found)
        elif not any(c.isdigit() for c in word) and word not in STOPWORDS:
            kept.append(word)
    return _Clause(frozenset(terms(" ".join(kept))), cues, frozenset(ends))


def read(source_id: str, text: str) -> Stated:
    """Return the content terms of one sentence and, per clause, its negations and antonym ends."""
    lowered = _NOT_NEGATING.sub(" ", text.lower())
    clauses = [_clause(part) for part in _CLAUSE_BREAK.split(lowered) if part.strip()]
    words = _WORD.findall(lowered)
    first = next((i for i, w in enumerate(words) if w in _NEGATIONS or "n't" in w or _axis(w)), 0)
    return Stated(
        source_id=source_id,
        text=text,
        content=frozenset().union(*(c.content for c in clauses)),
        clauses=tuple(clauses),
        cue=first,
        conditional=bool(_CONDITIONAL.search(lowered)),
    )


def related(a: frozenset[str], b: frozenset[str]) -> bool:
    """Return whether two term sets share enough to be statements about the same thing."""
    return len(a & b) >= MIN_SHARED and overlap(a, b) >= MIN_OVERLAP


def fold(words: frozenset[str]) -> frozenset[str]:
    """Return terms cut to their first six letters, so that "delivers" and "delivery" meet."""
    return frozenset(w[:_FOLD] for w in words)


def _polarity(s: Stated, scope: frozenset[str]) -> tuple[bool, dict[int, int]]:
    """Return the negation parity and antonym ends of the clauses of ``s`` that speak of ``scope``.

    A "not" in a clause about something else ("..., it never became law") says nothing about the shared
    statement; an axis whose both ends occur ("increases ... decrease") gives no direction.
    """
    cues, ends = 0, set[tuple[int, int]]()
    for clause in s.clauses:
        if clause.content & scope:
            cues += clause.cues
            ends |= clause.ends
    axes = {axis: sign for axis, sign in ends if (axis, -sign) not in ends}
    return cues % 2 == 1, axes


def _opposed(a: Stated, b: Stated, pivot: frozenset[str] = frozenset()) -> bool:
    """Return whether two readings have opposite polarity (a shared antonym axis decides first)."""
    a_neg, a_axes = _polarity(a, b.content | pivot)
    b_neg, b_axes = _polarity(b, a.content | pivot)
    shared = a_axes.keys() & b_axes.keys()
    if shared:
        flip = (-1 if a_neg else 1) * (-1 if b_neg else 1)
        return any(a_axes[x] * b_axes[x] * flip < 0 for x in shared)
    return a_neg != b_neg


def _same_figures(a: str, b: str) -> bool:
    """Return whether two sentences give the same figures, or one gives none.

    "Not certified in 2021" and "certified in 2023" speak of two years, not one statement and its negation.
    """
    fa, fb = frozenset(_FIGURES.findall(a)), frozenset(_FIGURES.findall(b))
    return not fa or not fb or fa == fb


def quote(text: str, centre: int = 0, words: int = _QUOTE_WORDS) -> str:
    """Return a short quote of ``text``: at most ``words`` words around word ``centre``."""
    parts = text.split()
    if len(parts) <= words:
        return " ".join(parts)
    start = max(0, min(centre - words // 2, len(parts) - words))
    head = "\u2026 " if start else ""
    tail = " \u2026" if start + words < len(parts) else ""
    return head + " ".join(parts[start : start + words]) + tail


def topic_of(a: Stated, b: Stated) -> str:
    """Return a few words of ``a`` that both sentences share: what they disagree about."""
    shared = a.content & b.content
    picked: list[str] = []
    for word in a.text.split():
        bare = word.strip(".,;:!?\"'()[]")
        if bare and set(terms(bare)) & shared and bare.lower() not in (p.lower() for p in picked):
            picked.append(bare)
        if len(picked) == 5:
            break
    return " ".join(picked)[:300] or "a statement"


def _conflict(kind: Literal["statement", "yes_no"], topic: str, a: Stated, b: Stated) -> Conflict:
    qa, qb = quote(a.text, a.cue), quote(b.text, b.cue)
    return Conflict(
        topic=topic,
        kind=kind,
        description=f'Source {a.source_id!r} says "{qa}", but source {b.source_id!r} says "{qb}".'[:2_000],
        source_ids=[a.source_id, b.source_id],
        values=[qa, qb],
        quotes=[qa, qb],
    )


def _answers(sentences: list[Stated]) -> list[Conflict]:
    first: dict[str, tuple[bool, Stated]] = {}
    for s in sentences:
        if answer := _ANSWER.match(s.text):
            first.setdefault(s.source_id, (answer.group(1).lower() == "yes", s))
    yes = [s for said_yes, s in first.values() if said_yes]
    no = [s for said_yes, s in first.values() if not said_yes]
    if not yes or not no:
        return []
    return [_conflict("yes_no", "the Yes/No answer", yes[0], no[0])]


def find_statement_conflicts(sentences: list[tuple[str, str]], question: str = "") -> list[Conflict]:
    """Return conflicts between sources whose sentences answer Yes/No differently or state opposites."""
    stated = [read(sid, text) for sid, text in sentences if not text.rstrip().endswith("?")]
    stated = [s for s in stated if not s.conditional or _ANSWER.match(s.text)]
    found = _answers(stated)
    pivot = read("", question).content if len(terms(question)) >= MIN_SHARED else frozenset()
    on_question = {id(s) for s in stated if pivot and related(s.content, pivot)}
    pairs: set[frozenset[str]] = {frozenset(c.source_ids) for c in found}
    for a, b in combinations(stated, 2):
        pair = frozenset((a.source_id, b.source_id))
        if a.source_id == b.source_id or pair in pairs or len(found) >= _MAX_CONFLICTS:
            continue
        close = related(a.content, b.content) or (id(a) in on_question and id(b) in on_question)
        if close and _same_figures(a.text, b.text) and _opposed(a, b, pivot):
            pairs.add(pair)
            found.append(_conflict("statement", topic_of(a, b), a, b))
    return found
