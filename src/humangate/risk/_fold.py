"""Fold text for matching: case and accents removed, positions kept so a match can be shown as written.

``readable`` is the one reading every check of outgoing text (policy terms, confirmations, links) starts
from: the text as a reader sees it, so that letters and dots in disguise match as the plain ones they show.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from humangate.risk._obfuscation import unconfuse

__all__ = ["Readable", "fold", "fold_map", "readable", "sentences"]

# A sentence ends at . ! or ? before white space (so "example.com/x" stays whole), or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def fold_map(text: str) -> tuple[str, list[int]]:
    """Return ``text`` without case, accents and compatibility forms, and each folded character's index in ``text``."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        # NFKD splits "é" into "e" and a combining accent, which is dropped; casefold turns "ß" into "ss".
        for part in unicodedata.normalize("NFKD", ch).casefold():
            if unicodedata.combining(part):
                continue
            out.append(part)
            where.append(i)
    return "".join(out), where


def fold(text: str) -> str:
    """Return ``text`` without case, accents and compatibility forms ("Ignorez" -> "ignorez", "É" -> "e")."""
    return fold_map(text)[0]


def sentences(text: str) -> list[str]:
    """Return the sentences and lines of ``text``, stripped, without empty ones."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


# Dots a browser reads as the full stop between host labels (IDNA, UTS 46): "help。example" opens help.example.
_DOTS = {"\u3002": ".", "\uff0e": ".", "\uff61": ".", "\ufe52": "."}
# Unicode's Default_Ignorable_Code_Point: drawn as nothing (soft hyphen, zero-width space and joiners, bidi
# marks, variation selectors, Hangul fillers, tags), so a word or a host split by one reads as if whole.
_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)


@dataclass(frozen=True)
class Readable:
    """Text as a reader reads it (``text``), with where each of its characters was written in the original."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Return the span of the original text that ``text[start:end]`` was read from."""
        if start >= len(self.text):
            return (self.ends[-1], self.ends[-1]) if self.ends else (0, 0)
        first = self.starts[start]
        return (first, self.ends[end - 1]) if end > start else (first, first)


def readable(text: str) -> Readable:
    """Return ``text`` as a reader reads it: what a check of outgoing text must match, not the code points typed.

    Compatibility forms are read as their plain letters (NFKC: "ｒｅｆｕｎｄ" is "refund"), look-alike
    letters of other scripts as the Latin ones they imitate ("rеfund" with a Cyrillic "е"), characters drawn
    as nothing are dropped ("re\u00adfund"), and the dots a browser takes for a full stop in a host name are
    ".". Plain ASCII is read as written. Accents stay: "café" is read as "café".
    """
    if text.isascii():
        return Readable(text, tuple(range(len(text))), tuple(range(1, len(text) + 1)))
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):  # a letter and its accents are read together
            j += 1
        for ch in unicodedata.normalize("NFKC", text[i:j]):
            ch = _DOTS.get(ch, ch)
            if _IGNORABLE.match(ch):
                continue
            out.append(unconfuse(ch))
            starts.append(i)
            ends.append(j)
        i = j
    return Readable("".join(out), tuple(starts), tuple(ends))
