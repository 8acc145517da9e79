"""Words and runs of capitalised words: the candidates that ``humangate.risk._names`` scores as names.

A run is a group of capitalised words separated by single spaces, with lower-case particles inside it
("Jan van der Berg"); a full stop ends a run except after an initial ("Vrelitha T. Quonsby"). Helpers
here also tell where a run sits: at the start of a sentence, alone on its line (a signature, an address
block, a "Ship to:" field), or on the line after a street address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from humangate.risk._lexicon import COMMON_WORDS

__all__ = [
    "PARTICLES",
    "WORD",
    "Token",
    "after_street_line",
    "alone_on_line",
    "at_sentence_start",
    "capitalised",
    "runs",
]

# Lower-case words inside a name ("Jan van der Berg", "Ludwig van Beethoven").
PARTICLES = frozenset(
    {"van", "von", "de", "der", "den", "del", "della", "di", "da", "dos", "das", "du", "le", "la", "ten", "ter"}
    | {"bin", "ibn", "al", "el", "st"}
)

WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’](?!s\b)(?=[^\W\d_])|-(?=[^\W\d_]))*\.?")
_SENTENCE_END = re.compile(r"(?:^|[.!?:;\n\"“(>\]]|\s-)\s*$")


@dataclass
class Token:
    """One word of a text, with its offsets."""

    start: int
    end: int
    text: str

    @property
    def bare(self) -> str:
        """Return the word without a trailing full stop."""
        return self.text.rstrip(".")

    @property
    def is_initial(self) -> bool:
        """Return whether the word is one capital letter ("D" or "D.")."""
        return len(self.bare) == 1 and self.bare.isupper()

    @property
    def is_cap(self) -> bool:
        """Return whether the word is capitalised and not a common word or a long all-capitals word."""
        b = self.bare
        if self.is_initial and self.text.endswith("."):
            return True  # "Wilma A. Larsson": an initial, not the article
        return b[:1].isupper() and (len(b) == 1 or not b.isupper() or len(b) <= 3) and b.lower() not in COMMON_WORDS


def runs(text: str, blocked: list[tuple[int, int]]) -> list[list[Token]]:
    """Group capitalised words separated by a single space (or a particle) into runs."""
    found: list[list[Token]] = []
    current: list[Token] = []
    pending: list[Token] = []  # particles waiting for a capitalised word after them
    last_end = -1
    for m in WORD.finditer(text):
        word = m.group()
        if word.endswith(".") and len(word) > 2:
            word = word[:-1]  # a full stop after a word ends the sentence; only initials keep theirs
        tok = Token(m.start(), m.start() + len(word), word)
        if any(a < tok.end and tok.start < b for a, b in blocked):
            tok = Token(tok.start, tok.end, "")
        gap = text[last_end : tok.start] if last_end >= 0 else "\n"
        joined = gap in (" ", "\u00a0") and current
        if not joined:
            if current:
                found.append(current)
            current, pending = [], []
        if tok.text and tok.is_cap:
            current.extend(pending)
            current.append(tok)
            pending = []
        elif tok.text and current and tok.bare.lower() in PARTICLES:
            pending.append(tok)
        else:
            if current:
                found.append(current)
            current, pending = [], []
        last_end = tok.end
    if current:
        found.append(current)
    return found


def at_sentence_start(text: str, start: int) -> bool:
    """Return whether ``start`` begins a sentence, a line, a quotation or a field."""
    return start == 0 or bool(_SENTENCE_END.search(text[max(0, start - 4) : start]))


# Field labels that come before a person on a line of their own ("Billing address: Tirrowen Brannaugh").
_LINE_LABEL = re.compile(
    r"^$|^(?:(?:full\s+|first\s+|last\s+|account\s+|card\s*holder\s+)?name|(?:account|card)\s*holder|from|to|cc"
    r"|attn|attention|contact"
    r"|recipient|sender|customer|client|patient|user|author|signed|(?:billing|shipping|postal|mailing|home)"
    r"\s+address|address|deliver\s+to|bill\s+to|ship\s+to)\s*:$",
    re.IGNORECASE,
)


def alone_on_line(text: str, start: int, end: int) -> Literal["label", "bare", ""]:
    """Tell whether a run fills its line after a field label ("Billing address:"), bullets aside, or alone."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    before = re.sub(r"^\W+", "", text[line_start:start]).strip()
    after = text[end : len(text) if line_end < 0 else line_end].strip(" \t,.")
    if after or not _LINE_LABEL.match(before):
        return ""
    return "label" if before else "bare"


def after_street_line(text: str, start: int) -> bool:
    """Return whether the line before the one at ``start`` starts with a house number."""
    line_start = text.rfind("\n", 0, start)
    if line_start < 0:
        return False
    previous = text[text.rfind("\n", 0, line_start) + 1 : line_start]
    return bool(re.match(r"^\W*\d", previous))


def capitalised(text: str) -> str:
    """Return ``text`` with the first letter of every word upper case (same length, same offsets)."""

    def up(m: re.Match[str]) -> str:
        upper = m.group().upper()
        return upper if len(upper) == 1 else m.group()

    return re.sub(r"(?<![\w'’])[^\W\d_]", up, text)
