"""How a column name of a task's input is read: one fold for the CSV reader and for the readers of an item.

A column is found by its name, so a name that reads as one thing and is written as another chooses a different
column than the one a person sees: ``"\\u200bemail"`` shows as "email" but is no email column, ``"emаil"`` with a
Cyrillic "а" neither, and ``"e‑mail"`` with a non-breaking hyphen is not ``"e-mail"``. ``column_problem`` refuses
the first two kinds (invisible characters, Latin letters mixed with Greek or Cyrillic ones in one word), and
``column_key`` reads the rest as a person does: compatibility forms as plain ones, every dash as "-", case and
spaces folded. The CSV reader finds duplicate columns by ``column_key``; the item readers match columns by it.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["column_key", "column_problem"]

# Drawn as nothing though not in a format category: combining grapheme joiner, Hangul fillers, Khmer vowels
# inherent, Mongolian and other variation selectors.
_BLANK = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u3164\uffa0") | frozenset(
    chr(c) for c in range(0xFE00, 0xFE10)
)
# Control, format (zero-width, bidi, byte-order mark), private-use, surrogate, unassigned; line and paragraph
# separators.
_UNSEEN = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
# Scripts whose letters pass for Latin ones: a word mixing them with Latin letters is a disguise, not a name.
_LOOK_ALIKE = frozenset({"GREEK", "CYRILLIC"})
_WORD = re.compile(r"\w+")


def column_key(name: str) -> str:
    """Return ``name`` as the readers of rows match it: NFKC, every dash as "-", spaces and case folded."""
    plain = unicodedata.normalize("NFKC", name)
    plain = "".join("-" if unicodedata.category(ch) == "Pd" else ch for ch in plain)
    return " ".join(plain.split()).casefold()


def _script(ch: str) -> str:
    return unicodedata.name(ch, "").split(" ", 1)[0]


def column_problem(name: str) -> str | None:
    """Return why ``name`` cannot be a column's name (it reads as another name than it is), or None."""
    for ch in name:
        if (ch in _BLANK or unicodedata.category(ch) in _UNSEEN) and ch not in "\t ":
            return f"holds the invisible character U+{ord(ch):04X}, so it reads as another column's name than it is"
    for word in _WORD.findall(unicodedata.normalize("NFKC", name)):
        scripts = {_script(ch) for ch in word if ch.isalpha()}
        if "LATIN" in scripts and (mixed := scripts & _LOOK_ALIKE):
            return (
                f"mixes Latin and {' and '.join(sorted(s.title() for s in mixed))} letters in {word!r}, so it reads "
                "as another column's name than it is"
            )
    return None
