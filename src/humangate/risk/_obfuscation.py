"""Undo the disguises an instruction wears to slip past phrase matching: look-alike letters, spacing, base64.

``unconfuse`` maps Greek and Cyrillic letters that look Latin ("Ιgnore" with a Greek capital Iota) to
the Latin letter, one character for one, so positions stay those of the text as written. ``disguised``
returns the runs of a text that hide words: letters spaced apart ("i g n o r e   a l l") read as the
words they spell, and base64 runs that decode to readable text, each with its span in the text.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Disguised", "disguised", "unconfuse"]

# Letters of other scripts that a reader takes for Latin ones (a small table of Unicode's confusables).
_CONFUSABLES = str.maketrans(
    {
        # Greek
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
        "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "α": "a", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
        "τ": "t", "υ": "u", "χ": "x", "ϲ": "c", "ϳ": "j", "ε": "e",
        # Cyrillic
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
        "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S", "Ԁ": "D", "Ԍ": "G", "Ү": "Y", "Ӏ": "I",
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
        "ԁ": "d", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ү": "y", "ɡ": "g", "ı": "i",
    }
)  # fmt: skip


def unconfuse(text: str) -> str:
    """Return ``text`` with look-alike letters of other scripts as the Latin letters they imitate, same length."""
    mapped = text.translate(_CONFUSABLES)
    # Full-width and mathematical letters ("ｉｇｎｏｒｅ", "𝐢𝐠𝐧𝐨𝐫𝐞") fold to one Latin letter each.
    return "".join(n if ord(c) > 0x7F and len(n := unicodedata.normalize("NFKC", c)) == 1 else c for c in mapped)


@dataclass(frozen=True)
class Disguised:
    """A run of ``text`` that hides words: where it is, what it says and how it was hidden."""

    start: int
    end: int
    text: str
    how: str


# Six or more single letters, each apart from the next by spaces or a dot, dash or star: "i g n o r e".
_SPACED = re.compile(r"(?<![^\W\d_])[^\W\d_](?:(?:[ \t\u00a0]{1,4}|[.\-*·_]\s?)[^\W\d_]){5,}(?![^\W\d_])")
_B64 = re.compile(r"(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/_=-])")
_WORDS = re.compile(r"[A-Za-z]{2,}")


def _spaced(run: str) -> str:
    """Return the words a letter-spaced run spells: wide gaps part words, narrow ones part letters."""
    words = re.split(r"[ \t\u00a0]{2,}|\s*[/|]\s*", run)
    if len(words) == 1:
        return re.sub(r"[^\w]", "", run)
    return " ".join(re.sub(r"[^\w]", "", w) for w in words)


def _decoded(run: str) -> str | None:
    """Return the readable text a base64 run decodes to, or None when it decodes to bytes, not words."""
    body = run.rstrip("=")
    if len(body) % 4 == 1:
        return None
    padded = body + "=" * (-len(body) % 4)
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            raw = decode(padded.replace("-", "+").replace("_", "/") if decode is base64.b64decode else padded)
        except (binascii.Error, ValueError):
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        printable = sum(c.isprintable() or c in "\n\t" for c in text)
        if text and printable / len(text) >= 0.9 and len(_WORDS.findall(text)) >= 2:
            return text
    return None


def disguised(text: str) -> list[Disguised]:
    """Return the letter-spaced and base64 runs of ``text`` with the words they hide."""
    found: list[Disguised] = []
    for m in _SPACED.finditer(text):
        found.append(Disguised(m.start(), m.end(), _spaced(m.group()), "letter-spaced"))
    for m in _B64.finditer(text):
        if not re.search(r"[A-Za-z]", m.group()) or (m.group().isalpha() and m.group().islower()):
            continue  # a long word ("internationalisation") is not an encoding
        decoded = _decoded(m.group())
        if decoded is not None:
            found.append(Disguised(m.start(), m.end(), decoded, "base64"))
    return found
