"""A task's own limits on amounts ("let me approve any refund over $100"), checked in each proposal.

The planner reads the limits from the task (``AmountLimit``); every gate of the run then looks for
amounts in the proposal. An amount counts when it carries a unit (a currency or a percent: a bare
number is an order number as often as a sum), stands in a sentence that names the limit's subject
("refund", "refunded", "refunds"; any sentence for "anything"), and is over the limit. Currencies are
not converted: a limit in dollars also catches euros and pounds, so a person looks rather than a rate
deciding; an amount in a currency the reader does not know (CHF, ¥) counts as over a limit in a known
one, whatever its number. Each hit is a ``policy`` trigger that forces review, whatever the risk policy says.

Amounts are read as people write them: the currency before or after ("$150", "150 €", "EUR 150",
"150 euros"), thousands grouped by a comma, dot, space or apostrophe ("1,500", "1.500", "1 500",
"1'500"), a decimal comma ("1,50 €", "1.234,56 €"), "150,-" and a scale ("$2 million", "€3k",
"5 Mio. EUR"). One separator followed by three digits or more groups thousands ("€1.500" is 1500): prices are
not written to three decimals, and of two readings the larger is the one that sends it to a person.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from humangate.core.contract import Trigger
from humangate.core.schemas import AmountLimit

__all__ = ["MONEY", "WRITTEN_AMOUNT", "find_amounts", "limit_triggers", "parse_amount"]

_CODES = r"USD|EUR|GBP|CHF|CAD|AUD|NZD|JPY|CNY|INR|SEK|NOK|DKK|PLN|CZK|HUF"
_GROUP = r"[,.'’\u00a0\u2009\u202f ]"  # what separates thousands; a comma or a dot may also be a decimal mark
_NUMBER = rf"\d{{1,3}}(?:{_GROUP}\d{{3}})+(?:[.,]\d+)?(?!\d)|\d+(?:[.,]\d+)?"
_ROUND = r"(?:[.,][-–—]{1,2})?"  # "150,-" and "1'500.–": a whole amount
_SCALE_WORDS = r"k|m|mn|mm|b|bn|thousand|million|billion|trillion|tsd|mio|mrd|millions?|milliards?|millones|mil"
_PRE = rf"(?i:(?:US|A|C|NZ|HK)?\$|[€£¥]|\b(?:{_CODES})(?![a-z]))"
_CURRENCY = rf"[$€£¥]|(?:dollars?|bucks|euros?|pounds?|francs?|franken|{_CODES})\b"
_PERCENTS = r"%|(?:per ?cent|prozent|por ?ciento|pour ?cent)\b"


def _scale(name: str = "") -> str:
    group = f"?P<{name}>" if name else "?:"
    return rf"(?:\s?(?i:({group}{_SCALE_WORDS}))\b)?"


_AMOUNT = re.compile(
    rf"(?P<pre>{_PRE})\s?(?P<a>{_NUMBER}){_ROUND}{_scale('scale_a')}"
    rf"|(?<![\w.,])(?P<b>{_NUMBER}){_ROUND}{_scale('scale_b')}\.?\s?(?P<post>(?i:{_CURRENCY}|{_PERCENTS}))"
)
# The same amounts without percents or named groups, for other patterns (the pricing terms of risk.terms).
MONEY = (
    rf"(?:{_PRE}\s?(?:{_NUMBER}){_ROUND}{_scale()}|(?<![\w.,])(?:{_NUMBER}){_ROUND}{_scale()}\.?\s?(?i:{_CURRENCY}))"
)
# An amount as a task writes a limit: with a currency, a percent, or a bare number ("over 150").
WRITTEN_AMOUNT = (
    rf"(?:{_PRE}\s?(?:{_NUMBER}){_ROUND}{_scale()}"
    rf"|(?<![\w.,])(?:{_NUMBER}){_ROUND}{_scale()}(?:\.?\s?(?i:{_CURRENCY}|{_PERCENTS}))?)"
)
_SCALES = {"k": 1e3, "thousand": 1e3, "tsd": 1e3, "m": 1e6, "mn": 1e6, "mm": 1e6, "mio": 1e6, "million": 1e6}
_SCALES |= {"millions": 1e6, "millones": 1e6, "mil": 1e3, "b": 1e9, "bn": 1e9, "billion": 1e9, "mrd": 1e9}
_SCALES |= {"milliard": 1e9, "milliards": 1e9, "trillion": 1e12}
_UNITS = {"$": "$", "us$": "$", "usd": "$", "dollar": "$", "dollars": "$", "bucks": "$"}
_UNITS |= {"€": "€", "eur": "€", "euro": "€", "euros": "€", "£": "£", "gbp": "£", "pound": "£", "pounds": "£"}
_PERCENT = {"%", "percent", "per cent", "prozent", "por ciento", "porciento", "pour cent", "pourcent"}
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_ANY = {"anything", "amount"}


def parse_amount(text: str) -> tuple[float, str] | None:
    """Return the value and unit ("$", "€", "£", "%" or "") of an amount as a task writes it ("$1,500")."""
    text = text.strip()
    m = _AMOUNT.fullmatch(text)
    if m:
        return _value(m)
    bare = re.fullmatch(rf"(?P<b>{_NUMBER}){_ROUND}{_scale('scale_b')}", text)  # "150", "2k", "1.5 million"
    if bare is None:
        return None
    value = _number(bare.group("b")) * _SCALES.get((bare.group("scale_b") or "").lower(), 1)
    return value, ""


def find_amounts(text: str) -> list[tuple[str, float, str]]:
    """Return ``(as written, value, unit)`` of every amount with a unit in ``text``."""
    return [(m.group(0), *_value(m)) for m in _AMOUNT.finditer(text)]


def _number(raw: str) -> float:
    """Return the value of a written number, its separators read as grouping or as a decimal mark."""
    digits = re.sub(r"['’\s]", "", raw)
    marks = [c for c in digits if c in ".,"]
    if not marks:
        return float(digits)
    last = digits.rfind(marks[-1])
    if len(set(marks)) == 2:  # "1,234.56" and "1.234,56": the last mark is the decimal one
        return float(digits[:last].replace(",", "").replace(".", "") + "." + digits[last + 1 :])
    whole, after = digits[:last], digits[last + 1 :]
    if len(marks) > 1 or (len(after) >= 3 and whole.strip("0")):  # "1.500.000", "1,500", "€1.500", "1,5000"
        return float(digits.replace(marks[0], ""))
    return float(whole + "." + after)  # "1,50", "12.5", "0.500": cents


def _value(m: re.Match[str]) -> tuple[float, str]:
    value = _number(m.group("a") or m.group("b"))
    scale = (m.group("scale_a") or m.group("scale_b") or "").lower()
    written = " ".join((m.group("pre") or m.group("post")).lower().split())
    unit = "%" if written in _PERCENT else _UNITS.get(written, "")
    return value * _SCALES.get(scale, 1), unit


def _stem(subject: str) -> str:
    word = subject.strip().lower()
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _same_kind(limit: AmountLimit, unit: str) -> bool:
    """Return whether an amount in ``unit`` is measured against ``limit`` by value at all."""
    if limit.unit == "%" or unit == "%":
        return limit.unit == unit
    return True  # a currency against a currency limit, or a limit without a unit


def _over(limit: AmountLimit, value: float, unit: str) -> bool:
    """Return whether an amount goes over ``limit``; one in a currency the reader does not know always does.

    An amount with a unit that maps to none of "$", "€", "£" (CHF, ¥, A$) is in a currency of unknown
    value: comparing its number with a limit in a known currency ("¥10,000" against "$100") lets a rate
    nobody checked decide, so a person looks instead.
    """
    if not _same_kind(limit, unit):
        return False
    if limit.unit and not unit:
        return True
    return value > limit.amount


def limit_triggers(text: str, limits: Sequence[AmountLimit], *, where: str = "The proposal") -> list[Trigger]:
    """Return a ``policy`` trigger for each limit an amount in ``text`` goes over, or may go over.

    A sentence that names a limit's subject ("We have issued your refund.") but gives no amount at all
    says nothing the limit can check: the refund may be over it, so a person looks (fail closed). That
    holds for limits on a named subject; "anything over $1,000" asks about amounts, not about sentences.
    """
    if not limits:
        return []
    out: list[Trigger] = []
    sentences = [s for s in _SENTENCE.split(text) if s.strip()]
    for limit in limits:
        stem = _stem(limit.subject)
        words = re.compile(rf"\b{re.escape(stem)}", re.IGNORECASE)
        anything = limit.subject.lower() in _ANY
        about = [sentence for sentence in sentences if anything or words.search(sentence)]
        over = [
            written
            for sentence in about
            for written, value, unit in find_amounts(sentence)
            if _over(limit, value, unit)
        ]
        unsized = [] if anything else [sentence.strip() for sentence in about if not find_amounts(sentence)]
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
        elif unsized:
            out.append(
                Trigger(
                    kind="policy",
                    score=0.9,
                    evidence=[s[:200] for s in dict.fromkeys(unsized)][:5],
                    reason=f"{where} speaks of a {limit.subject} without saying how much; the task asks a person "
                    f"to approve {limit.label()}.",
                )
            )
    return out
