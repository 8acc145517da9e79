"""Read a task's limits on amounts ("let me approve any refund over $100"), and say when one is only half read.

A threshold is a subject ("refunds", "discounts", "anything"), a comparison ("over", "above") and an amount
as ``risk.limits`` reads it. The checker enforces a limit per reply, on a known unit: "$", "€", "£", "%",
or a bare number (any currency). A part of the task that holds a threshold is covered only when every
word in it is the threshold itself or review wording around it ("let me approve", "need a human", "before
it goes out"): "any refund over 10,000 yen" (a currency the checker does not know), "refunds over $100 in
total" (a total, not a per-reply limit) and "refunds over $100 and discounts too" (a second subject with no
amount) leave words over, so the part is half read and every effect waits for a person.
"""

from __future__ import annotations

import re

from humangate.core.schemas import AmountLimit
from humangate.core.wording import (
    BEFORE,
    FILLERS,
    GENERIC,
    PERSON,
    UNIVERSAL,
    Word,
    fold,
    matches,
    tokens,
)
from humangate.risk.limits import WRITTEN_AMOUNT, parse_amount

__all__ = ["THRESHOLD", "amount_limits", "limit_covered"]


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


THRESHOLD = re.compile(
    r"\b(refunds?|discounts?|anything|amounts?|orders?|credits?)\s+(?:over|above|greater than|more than|exceeding|>)"
    rf"\s*({WRITTEN_AMOUNT})",
    re.I,
)
# What may stand around a threshold in a rule that the checker fully enforces: who reviews, and when.
_AROUND = _set(
    "let lets please pls flag flagged hold escalate escalated ask wait waits person people reviewer reviewers "
    "expert experts specialist manager supervisor owner admin human humans team lead it they sending send "
    "sent out goes go going leave leaves leaving my our approval approvals ok okay say-so sign-off signoff "
    "too also always first need needs needed require requires required must should have has before is are be by from"
)
# Aggregates: a limit on a sum over replies, which the checker (one reply at a time) cannot enforce.
_TOTALS = _set("total totals combined cumulative altogether overall sum daily weekly monthly per day week month year")


def amount_limits(task: str) -> list[AmountLimit]:
    """Return the task's limits on amounts ("approve any refund over $100"), one per subject and amount."""
    limits: dict[tuple[str, float, str], AmountLimit] = {}
    for what, written in THRESHOLD.findall(task):
        parsed = parse_amount(written.strip())
        if parsed is None:
            continue
        subject = what.lower().rstrip("s")  # "refunds" -> "refund"; "amounts" means anything
        limit = AmountLimit(subject="anything" if subject == "amount" else subject, amount=parsed[0], unit=parsed[1])
        limits.setdefault((limit.subject, limit.amount, limit.unit), limit)
    return list(limits.values())


def _around(word: str) -> bool:
    if word in _TOTALS:
        return False
    if word in _AROUND or word in FILLERS or word in PERSON or word in BEFORE or word in GENERIC:
        return True
    return Word.strong(word) or Word.weak(word) or any(matches(word, s) for s in ("escal", "approv"))


def limit_covered(part: str) -> bool | None:
    """Return None when ``part`` holds no threshold, else whether the checker enforces all of it.

    Covered: every threshold parses, and every other word is review wording the limit scopes
    ("Refunds over $100 need my approval"). A word left over (an unknown currency, "in total", a second
    subject) or a word such as "them" that widens the review beyond the limit makes it half read.
    """
    found = list(THRESHOLD.finditer(part))
    if not found:
        return None
    if any(parse_amount(m.group(2).strip()) is None for m in found):
        return False
    rest = THRESHOLD.sub(" , ", part)
    words = tokens(fold(rest))
    if any(w in UNIVERSAL for w in words):
        return False  # "approve them and any refund over $100": the review is wider than the limit
    return all(_around(w) for w in words)
