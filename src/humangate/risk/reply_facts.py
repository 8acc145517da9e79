"""Figures a support reply states that nobody gave: dates, versions, amounts, counts a chat model made up.

A reply to a customer may repeat a figure the customer wrote (their order number, the date they were
charged, the error code), the ticket's own number, a figure the task asked the reply to carry, or one of
the product's own template sentences; any other digit in it is the reply's own claim ("ships in version
4.2 on 3 June"), which nothing checked, so it waits for a person. A list's running numbers ("1. Open
Reports") are wording, not figures. Text is NFKC-folded first, so fullwidth or other-script digits count.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from humangate.core.contract import Trigger

__all__ = ["reply_fact_triggers", "unsourced_figures"]

_NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*")
_LIST_MARK = re.compile(r"(?m)^[ \t>*-]*\d{1,2}[.)](?=\s)")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _dated(figure: str, parts: list[str]) -> bool:
    """Return whether ``figure`` reads as a date or a time ("03/05/2024", "9:30", "3.5.2024"), not an amount."""
    return len(parts) > 1 and (re.search(r"[:/]", figure) is not None or (len(parts) >= 3 and "," not in figure))


def _forms(figure: str) -> set[str]:
    """Return the ways ``figure`` may be written: as is, without separators, and (a date or time) part by part.

    Only a date or a time lends its parts ("03/05/2024" backs a "3" or "2024" in a reply); a version or an
    amount does not ("version 4.2" backs no "4 days").
    """
    parts = re.split(r"[.,:/]", figure)
    forms = {figure, "".join(parts)}
    if _dated(figure, parts):
        forms |= {p.lstrip("0") or "0" for p in parts}
    return forms


def _known(texts: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for text in texts:
        for m in _NUMBER.finditer(_fold(text)):
            found |= _forms(m.group())
    return found


def _backed(figure: str, known: set[str]) -> bool:
    """Return whether the sources hold ``figure``: as written, without separators or leading zeros.

    A date or time ("03/05/2024", "9:30", "3.5.2024") may be rewritten part by part; a version or an amount
    ("4.2", "1,200") may not: "4 users and 2 projects" does not back "version 4.2".
    """
    parts = re.split(r"[.,:/]", figure)
    if figure in known or "".join(parts) in known:
        return True
    if len(parts) == 1 or _dated(figure, parts):
        return all((p.lstrip("0") or "0") in known for p in parts)
    return False


def unsourced_figures(reply: str, sources: Sequence[str]) -> list[str]:
    """Return the sentences of ``reply`` that state a figure none of ``sources`` holds, in order."""
    known = _known(sources)
    body = _LIST_MARK.sub(lambda m: " " * len(m.group()), _fold(reply))
    out: list[str] = []
    for sentence in _SENTENCE.split(body):
        if any(not _backed(m.group(), known) for m in _NUMBER.finditer(sentence)):
            out.append(" ".join(sentence.split()))
    return list(dict.fromkeys(s for s in out if s))


def reply_fact_triggers(reply: str, sources: Sequence[str], *, where: str = "The reply") -> list[Trigger]:
    """Return a trigger holding ``reply`` when it states a figure that neither ``sources`` nor the templates give."""
    from humangate.agents.offline.replies import template_sentences  # lazy: the agents import risk

    unsourced = unsourced_figures(reply, [*sources, *sorted(template_sentences())])
    if not unsourced:
        return []
    return [
        Trigger(
            kind="data_quality",
            reason=f"{where} states {len(unsourced)} figure(s) (a date, version, amount or number) that neither "
            "the customer's messages nor the product's own sentences give; they may be wrong or made up.",
            score=0.5,
            evidence=[s[:300] for s in unsourced[:10]],
        )
    ]
