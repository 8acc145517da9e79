"""A task's own limits on amounts ("let me approve any refund over $100"), checked in each proposal.

The planner reads the limits from the task (``AmountLimit``); every gate of the run then looks for
amounts in the proposal. An amount counts when it carries a unit (a currency or a percent: a bare
number is an order number as often as a sum), stands in a sentence that names the limit's subject
("refund", "refunded", "refunds"; any sentence for "anything"), and is over the limit. Currencies are
not converted: a limit in dollars also catches euros and pounds, so a person looks rather than a rate
deciding. Each hit is a ``policy`` trigger that forces review, whatever the risk policy says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from humangate.agents.schemas import AmountLimit
from humangate.core.contract import Trigger

__all__ = ["find_amounts", "limit_triggers", "parse_amount"]

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_AMOUNT = re.compile(
    rf"(?P<pre>[$€£])\s?(?P<a>{_NUMBER})(?:\s?(?P<k>[kK])\b)?"
    rf"|(?<![\w.,])(?P<b>{_NUMBER})(?:\s?(?P<k2>[kK])\b)?\s?(?P<post>%|percent\b|dollars?\b|euros?\b|pounds?\b|USD\b|EUR\b|GBP\b)"
)
_UNITS = {
    "$": "$",
    "€": "€",
    "£": "£",
    "%": "%",
    "percent": "%",
    "dollar": "$",
    "dollars": "$",
    "usd": "$",
    "euro": "€",
    "euros": "€",
    "eur": "€",
    "pound": "£",
    "pounds": "£",
    "gbp": "£",
}
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_ANY = {"anything", "amount"}


def parse_amount(text: str) -> tuple[float, str] | None:
    """Return the value and unit ("$", "€", "£", "%" or "") of an amount as a task writes it ("$1,500")."""
    text = text.strip()
    m = _AMOUNT.fullmatch(text)
    if m:
        return _value(m)
    number = re.fullmatch(rf"({_NUMBER})", text)
    return (float(number.group(1).replace(",", "")), "") if number else None


def find_amounts(text: str) -> list[tuple[str, float, str]]:
    """Return ``(as written, value, unit)`` of every amount with a unit in ``text``."""
    return [(m.group(0), *_value(m)) for m in _AMOUNT.finditer(text)]


def _value(m: re.Match[str]) -> tuple[float, str]:
    raw = m.group("a") or m.group("b")
    value = float(raw.replace(",", ""))
    if m.group("k") or m.group("k2"):
        value *= 1000
    unit = _UNITS[(m.group("pre") or m.group("post")).lower()]
    return value, unit


def _stem(subject: str) -> str:
    word = subject.strip().lower()
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _same_kind(limit: AmountLimit, unit: str) -> bool:
    if limit.unit == "%" or unit == "%":
        return limit.unit == unit
    return True  # any currency against a currency limit, or a limit without a unit


def limit_triggers(text: str, limits: Sequence[AmountLimit], *, where: str = "The proposal") -> list[Trigger]:
    """Return a ``policy`` trigger for each limit an amount in ``text`` goes over."""
    if not limits:
        return []
    out: list[Trigger] = []
    sentences = [s for s in _SENTENCE.split(text) if s.strip()]
    for limit in limits:
        stem = _stem(limit.subject)
        words = re.compile(rf"\b{re.escape(stem)}", re.IGNORECASE)
        over = [
            written
            for sentence in sentences
            if limit.subject.lower() in _ANY or words.search(sentence)
            for written, value, unit in find_amounts(sentence)
            if _same_kind(limit, unit) and value > limit.amount
        ]
        if over:
            out.append(
                Trigger(
                    kind="policy",
                    score=0.9,
                    evidence=list(dict.fromkeys(over))[:5],
                    reason=f"{where} mentions {', '.join(dict.fromkeys(over))}; the task asks a person to "
                    f"approve {limit.label()}.",
                )
            )
    return out
