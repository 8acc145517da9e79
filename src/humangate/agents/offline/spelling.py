"""Strong words written so that a lexicon misses them: misspelled, spelled out, or shouted with a "1" for a "!".

An angry customer types fast ("unaceptable", "rediculous", "dissapointed", "incompetant"), spaces a word out for
emphasis ("r i d i c u l o u s", "u.n.a.c.c.e.p.t.a.b.l.e") or hits "1" while shouting ("USELESS!!!1").
``respelled`` writes such words out as they were meant, so the analyst's lexicons (``triage.find_signals``) read
them; the router reads the message as written. A word is read as a strong word when, with doubled letters
written once ("dissapointed" -> "disapointed"), it is one edit from it (a letter missing, added, changed or two
swapped) and is not itself an English word the package knows ("curious" is not "furious"). Short words are
left alone: too many real words sit one letter from them.
"""

from __future__ import annotations

import re
from functools import cache

__all__ = ["SPELLED", "respelled"]

# The complaint words whose misspelling still says the same thing. Only those of six letters or more (once doubled
# letters are written once) are matched one edit away; a shorter one ("awful") only with a letter doubled.
_STRONG = (
    "unacceptable",
    "ridiculous",
    "disgusting",
    "disgraceful",
    "pathetic",
    "terrible",
    "horrible",
    "horrendous",
    "useless",
    "incompetent",
    "incompetence",
    "appalling",
    "disappointed",
    "disappointing",
    "disappointment",
    "frustrated",
    "frustrating",
    "furious",
    "outrageous",
    "atrocious",
    "scandalous",
    "infuriating",
    "unprofessional",
    "shambles",
    "awful",
)
# The strong words read as a complaint wherever they are written out; the router's own list lacks some of them.
SPELLED: dict[str, tuple[re.Pattern[str], ...]] = {
    "complaint": (re.compile(rf"\b(?:{'|'.join(_STRONG)})\b", re.I),),
}
_DOUBLED = re.compile(r"(.)\1+")
_WORD = re.compile(r"[A-Za-z]{5,}")
# Letters spelled out one at a time: "r i d i c u l o u s", "s.c.a.m", "u-s-e-l-e-s-s".
_SPACED = re.compile(r"(?<![\w.])(?:[A-Za-z][ .\-_*]){3,}[A-Za-z](?!\w)")
_SPLIT = re.compile(r"(?<=[A-Za-z])_(?=[A-Za-z])")
_SHOUTED_ONE = re.compile(r"(?<=[A-Za-z!])!+1+(?![\w])")


def _once(word: str) -> str:
    return _DOUBLED.sub(r"\1", word)


@cache
def _stems() -> dict[str, str]:
    return {_once(s): s for s in _STRONG}


@cache
def _known() -> frozenset[str]:
    from humangate.risk.readable import english_words  # lazy: risk imports agents

    return english_words()


def _one_edit(a: str, b: str) -> bool:
    """Return whether ``a`` and ``b`` differ by one letter missing, added or changed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    if a[i + 1 :] == b[i + 1 :]:
        return True
    return i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]


def _strong(word: str) -> str | None:
    lower = word.lower()
    once = _once(lower)
    stems = _stems()
    if once in stems:
        return None if lower in _STRONG else stems[once]
    if lower in _known():
        return None
    return next((stem for key, stem in stems.items() if len(key) >= 6 and _one_edit(once, key)), None)


def respelled(text: str) -> str:
    """Return ``text`` with strong words written out as meant ("rediculous" -> "ridiculous", "r i d i c" joined)."""
    text = _SPACED.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group(0)), text)
    text = _SHOUTED_ONE.sub("!", _SPLIT.sub("", text))
    return _WORD.sub(lambda m: _strong(m.group(0)) or m.group(0), text)
