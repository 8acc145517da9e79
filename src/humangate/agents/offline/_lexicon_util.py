"""What the support lexicon modules share: a word list compiled once into case-blind patterns."""

from __future__ import annotations

import re

__all__ = ["compiled"]


def compiled(*patterns: str | re.Pattern[str]) -> tuple[re.Pattern[str], ...]:
    """Return ``patterns`` compiled case-blind; a pattern compiled already is kept as it is."""
    return tuple(p if isinstance(p, re.Pattern) else re.compile(p, re.I) for p in patterns)
