"""Fold text for matching: case and accents removed, positions kept so a match can be shown as written."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "fold_map", "sentences"]

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
