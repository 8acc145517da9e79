"""A message whose shape is a model's failure, not a message: the same words over and over, or no end to it.

A chat model stuck in a loop repeats a sentence or a run of words until its token limit ("Open Reports and
click Export. Open Reports and click Export. ..."), and one that lost the thread writes pages. No template
of the product does either, and a person would never send it, so such a message waits, whoever wrote it.
A run of eight words that comes back three times, or one sentence of four words or more that does, counts
as a loop; a message past ``MAX_WORDS`` words is too long to pass unread.
"""

from __future__ import annotations

import re
from collections import Counter

from humangate.core.contract import Trigger

__all__ = ["MAX_WORDS", "loops_in", "shape_triggers"]

MAX_WORDS = 600
_RUN = 8
_TIMES = 3
_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE = re.compile(r"[^.!?\n]+")


def loops_in(text: str) -> list[str]:
    """Return the sentences or word runs ``text`` repeats ``_TIMES`` times or more."""
    sentences = Counter(
        " ".join(_WORD.findall(s.lower())) for s in _SENTENCE.findall(text) if len(_WORD.findall(s)) >= 4
    )
    found = [s for s, n in sentences.items() if n >= _TIMES]
    if found:
        return found
    words = _WORD.findall(text.lower())
    runs = Counter(" ".join(words[i : i + _RUN]) for i in range(len(words) - _RUN + 1))
    return [run for run, n in runs.most_common(1) if n >= _TIMES]


def shape_triggers(text: str, *, where: str = "The message") -> list[Trigger]:
    """Return a trigger when ``text`` loops or runs past ``MAX_WORDS`` words."""
    out: list[Trigger] = []
    if loops := loops_in(text):
        out.append(
            Trigger(
                kind="policy",
                reason=f"{where} repeats the same words over and over, as a model stuck in a loop writes; "
                "a person rewrites it.",
                score=0.9,
                evidence=[f"repeated: {loop[:80]}" for loop in loops[:3]],
            )
        )
    if (count := len(_WORD.findall(text))) > MAX_WORDS:
        out.append(
            Trigger(
                kind="policy",
                reason=f"{where} runs to {count} words (over {MAX_WORDS}); a person reads it before it goes out.",
                score=0.9,
                evidence=[f"words: {count}"],
            )
        )
    return out
