"""Whether a model's sentence is positively grounded in a passage: a general lexical check, failing closed.

A sentence is held by a *window* (one sentence of a source, or two adjacent ones; for a draft, one claim of the
brief or two) when the window holds most of its content terms, every number it gives, the same polarity over
what they share (a "not", "never", "no longer", "n't" or "without" in one and not in the other, or an antonym
the window does not hold, as "rose" for "fell"), and any allegation or reversal word it uses ("injure", "sued",
"discontinued"). Terms scattered over a whole source do not ground a sentence: a model can assemble a new
statement from a page's words, so every part of it must be found together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations, pairwise

from humangate.agents.offline import drafting  # the drafter's own template sentences
from humangate.agents.offline.contradictions import Stated, on_axis, read
from humangate.agents.offline.directives import read_directives
from humangate.core.schemas import DraftInput, EmailDraft
from humangate.core.text import content_terms, split_sentences

__all__ = ["GROUNDED", "Window", "claim_windows", "held", "sentences_of", "source_windows", "unheld_sentences"]

GROUNDED = 0.75
"""Share of a sentence's content terms one window must hold."""

_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_WORD = re.compile(r"[a-z0-9]+(?:['\u2019][a-z]+)?")
# Allegation and reversal words, as stems matched at the start of a word ("injur" -> injure, injured, injuries)
# or whole words (short or ambiguous ones). A sentence using one must find the same one in its window.
_ALLEGATION_STEMS = tuple(
    re.split(
        r"\s+",
        "injur harm hurt kill lawsuit litigat fraud scam breach hack leak steal stole theft brib corrupt launder "
        "violat illegal unlawful penalt sanction investigat accus alleg indict convict arrest bankrupt insolven "
        "layoff recall defect faulty unsafe danger toxic pollut discriminat harass abus exploit mislead misled "
        "deceiv decept counterfeit plagiar cheat fatal death negligen scandal controvers crimin felon guilty "
        "collaps discontinu abandon cancel withdr suspend boycott closur shutdown explod explosi lost loss "
        "poison contaminat lie lied lying liar",
    )
)
_ALLEGATION_WORDS = frozenset(
    re.split(
        r"\s+",
        "sue sues sued suing die dies died dying dead crime crimes fined fine fines fire fires fired ban bans "
        "banned ceased cease ceases stop stops stopped fail fails failed failure failing closed lose loses "
        "losing",
    )
)


@dataclass(frozen=True)
class Window:
    """A passage a sentence may be grounded in, read once."""

    text: str
    terms: frozenset[str]
    numbers: frozenset[str]
    stated: Stated
    allegations: frozenset[str]


def _numbers(text: str) -> frozenset[str]:
    return frozenset(n.rstrip(".,") for n in _NUMBER.findall(text))


def _allegations(text: str) -> frozenset[str]:
    found: set[str] = set()
    for word in _WORD.findall(text.lower().replace("\u2019", "'")):
        if word in _ALLEGATION_WORDS:
            found.add(word)
        found.update(stem for stem in _ALLEGATION_STEMS if word.startswith(stem))
    return frozenset(found)


@lru_cache(maxsize=4096)  # a source's sentences are read once for all the claims that cite it
def _window(text: str) -> Window:
    return Window(text, content_terms(text), _numbers(text), read("", text), _allegations(text))


def source_windows(texts: Iterable[str]) -> list[Window]:
    """Return each sentence of each text and each pair of adjacent sentences of one text."""
    windows: list[Window] = []
    for text in texts:
        sentences = split_sentences(text)
        windows += [_window(s) for s in sentences]
        windows += [_window(f"{a} {b}") for a, b in pairwise(sentences)]
    return windows


def claim_windows(claims: Sequence[str]) -> list[Window]:
    """Return each claim and each pair of claims: a drafted sentence may join two facts of the brief."""
    return [_window(c) for c in claims] + [_window(f"{a} {b}") for a, b in combinations(claims, 2)]


def sentences_of(text: str) -> list[str]:
    """Return the sentences of ``text``; a text with none is one sentence."""
    return split_sentences(text) or ([text] if text.strip() else [])


def _scoped(s: Stated, scope: frozenset[str]) -> tuple[bool, frozenset[tuple[int, int]]]:
    """Return whether the clauses of ``s`` that speak of ``scope`` negate, and their antonym ends."""
    clauses = [c for c in s.clauses if c.content & scope]
    return any(c.cues for c in clauses), frozenset(e for c in clauses for e in c.ends)


def _same_polarity(claim: Stated, window: Stated) -> bool:
    """Return whether ``claim`` and ``window`` say what they share with the same polarity.

    Any negation in the claim needs one in the window's clauses about the same thing, and a negation there
    needs one in the claim; an antonym end ("rose", "includes") of the claim must be in the window as is.
    """
    claim_negates = any(c.cues for c in claim.clauses)
    window_negates, window_ends = _scoped(window, claim.content)
    _, claim_ends = _scoped(claim, window.content)
    claim_ends |= frozenset(e for c in claim.clauses if not c.content for e in c.ends)
    return claim_negates == window_negates and claim_ends <= window_ends


def held(sentence: str, windows: Sequence[Window], ignore: frozenset[str] = frozenset()) -> bool:
    """Return whether one of ``windows`` holds ``sentence`` (``ignore``: terms not counted as its content)."""
    words = content_terms(sentence) - ignore
    axis_words = {w for w in _WORD.findall(sentence.lower()) if on_axis(w)}
    numbers = _numbers(sentence)
    stated = read("", sentence)
    allegations = _allegations(sentence)
    if not content_terms(sentence) or not (words or numbers or axis_words or allegations):
        return False  # nothing to ground: not a statement of fact the windows could hold
    for window in windows:
        if words and len(words & window.terms) / len(words) < GROUNDED:
            continue
        if numbers <= window.numbers and allegations <= window.allegations and _same_polarity(stated, window.stated):
            return True
    return False


# --- a model's email ------------------------------------------------------------------------------------------

# Words of an email's framing, not of its facts: a sentence made only of these (with the drafter's own template
# words and the email's inputs) is a greeting, a sign-off, a call to action or a courtesy, and states nothing
# about the recipient's company. Evaluative words ("best", "leading", "award") are deliberately not here.
_COURTESY = (
    "hope well finds find look looking forward hear hearing reach reaching out love chat talk connect thank thanks "
    "time happy glad interested interest explore discuss conversation meet meeting soon reply know let share idea "
    "ideas partnership opportunity question introduction collaboration hello today week weeks minutes free "
    "convenient sometime day please feel regards best wishes sincerely note touch learn more about work"
)
# Words of the drafter's reading of the brief ("I read", "caught my eye"): subtracted from a factual sentence.
_READING = "read reading saw see seen noticed learned came across caught eye stood things few following"


def _framing(inp: DraftInput) -> tuple[frozenset[str], frozenset[str]]:
    """Return the words a drafted sentence may hold besides facts, and those that also carry no fact."""
    directives = read_directives(inp.instructions)
    company = inp.recipient.company or inp.brief.subject
    what = directives.call_to_action or "call"
    templates = [
        *(t.format(company=company) for t in drafting._CLAIMS_INTRO.values()),
        *(t.format(what=what) for t in drafting._CALL.values()),
        *(drafting._opening(inp, company, kind) for kind in drafting._GREETING),
        _READING,
    ]
    r = inp.recipient
    inputs = [inp.goal, inp.tone, inp.sender, inp.instructions or "", r.name, r.company or "", r.role or ""]
    own = content_terms("\n".join([*templates, *inputs, inp.brief.subject]))
    polite = [*drafting._GREETING.values(), *drafting._SIGN_OFF.values(), *drafting._COURTESIES, _COURTESY]
    return own, own | content_terms("\n".join(polite))


def unheld_sentences(email: EmailDraft, inp: DraftInput, usable: Sequence[int]) -> list[str]:
    """Return the sentences of a model's email (subject first) that the brief's usable claims do not hold.

    A sentence made only of framing words (greeting, sign-off, call to action, the drafter's own template
    sentences, the email's own inputs) states no fact and is skipped; any other must be held by one usable claim
    or two, with the same polarity, numbers and allegations, its framing words aside.
    """
    own, framing = _framing(inp)
    windows = claim_windows([inp.brief.claims[i].text for i in usable if 0 <= i < len(inp.brief.claims)])
    unheld: list[str] = []
    for sentence in [*sentences_of(email.subject), *sentences_of(email.body)]:
        words = content_terms(sentence)
        if not words or (words <= framing and not _allegations(sentence)):
            continue
        if not held(sentence, windows, ignore=own):
            unheld.append(sentence)
    return unheld
