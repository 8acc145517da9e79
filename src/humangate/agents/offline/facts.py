"""Pull comparable facts (founding year, headcount, revenue...) out of sentences and find disagreements."""

from __future__ import annotations

import re
from dataclasses import dataclass

from humangate.agents.schemas import Conflict

__all__ = ["EXPECTED_FACTS", "Fact", "extract_facts", "find_conflicts"]

_YEAR = r"((?:18|19|20)\d{2})"
_NUM = r"(\d[\d,]*(?:\.\d+)?(?:\s*(?:million|billion|thousand|bn|k|m)\b)?\+?)"
_MONEY = r"((?:[$€£]|usd\s*|eur\s*)\s?\d[\d,]*(?:\.\d+)?(?:\s*(?:million|billion|thousand|bn|k|m)\b)?)"
_NAME = r"([A-Z][a-zA-Z'\-]+(?:\s+[A-Z][a-zA-Z'\-]+){0,2})"


@dataclass(frozen=True)
class _Attribute:
    topic: str
    numeric: bool
    patterns: tuple[re.Pattern[str], ...]


_ATTRIBUTES: tuple[_Attribute, ...] = (
    _Attribute(
        "founding year",
        True,
        (
            re.compile(
                rf"\b(?:founded|established|incorporated|started|set up)\b[^.;]{{0,40}}?\b(?:in\s+)?{_YEAR}\b", re.I
            ),
            re.compile(
                rf"\b(?:in|since)\s+{_YEAR}\b[^.;]{{0,40}}?\b(?:was|were|got)\s+(?:founded|established|started)", re.I
            ),
            re.compile(rf"\bfounded\s*:\s*{_YEAR}\b", re.I),
        ),
    ),
    _Attribute(
        "headcount",
        True,
        (
            re.compile(rf"\b{_NUM}\s+(?:full[- ]time\s+)?(?:employees|staff|people|workers|team members)\b", re.I),
            re.compile(
                rf"\b(?:headcount|workforce|team|staff)\s+(?:of|is|was|stands at|has grown to|grew to|:)\s*"
                rf"(?:about|around|roughly|nearly|over|more than|some)?\s*{_NUM}",
                re.I,
            ),
            re.compile(rf"\bemploys\s+(?:about|around|roughly|nearly|over|more than|some)?\s*{_NUM}", re.I),
            re.compile(rf"\bemployees\s*:\s*{_NUM}", re.I),
        ),
    ),
    _Attribute(
        "customer count",
        True,
        (
            re.compile(rf"\b{_NUM}\s+(?:paying\s+|active\s+|enterprise\s+)?(?:customers|clients)\b", re.I),
            re.compile(rf"\bcustomers\s*:\s*{_NUM}", re.I),
        ),
    ),
    _Attribute(
        "revenue",
        True,
        (
            re.compile(rf"\b(?:revenue|turnover|sales|arr)\b[^.;]{{0,30}}?{_MONEY}", re.I),
            re.compile(
                rf"{_MONEY}\s+(?:in\s+)?(?:annual\s+|yearly\s+|recurring\s+)?(?:revenue|turnover|sales|arr)\b", re.I
            ),
        ),
    ),
    _Attribute(
        "funding raised",
        True,
        (
            re.compile(rf"\braised\s+(?:a\s+total\s+of\s+)?{_MONEY}", re.I),
            re.compile(rf"{_MONEY}\s+(?:series\s+[a-e]\s+|seed\s+)?(?:round|funding|investment)\b", re.I),
        ),
    ),
    _Attribute(
        "headquarters",
        False,
        (
            re.compile(rf"\b(?:headquartered|based|head office is)\s+in\s+{_NAME}"),
            re.compile(rf"\bheadquarters\s+(?:is\s+|are\s+)?in\s+{_NAME}"),
        ),
    ),
    _Attribute(
        "chief executive",
        False,
        (
            re.compile(rf"\b(?:CEO|chief executive(?: officer)?)(?:\s+is|,|:)?\s+{_NAME}"),
            re.compile(rf"\b{_NAME},\s+(?:the\s+)?(?:company's\s+)?(?:CEO|chief executive)\b"),
        ),
    ),
)

EXPECTED_FACTS = ("founding year", "headcount", "headquarters")
_MULTIPLIERS = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}
_NOT_NAMES = frozenset(
    {
        "The",
        "Our",
        "Its",
        "This",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    }
)


@dataclass(frozen=True)
class Fact:
    """One value of one attribute, as one source states it."""

    topic: str
    value: str
    source_id: str
    sentence: str
    number: float | None


def _number(raw: str) -> float | None:
    match = re.search(r"\d[\d,]*(?:\.\d+)?", raw)
    if match is None:
        return None
    value = float(match.group(0).replace(",", ""))
    unit = re.search(r"(k|m|bn|million|billion|thousand)\b", raw[match.end() :].lower())
    return value * _MULTIPLIERS[unit.group(1)] if unit else value


def extract_facts(source_id: str, sentence: str) -> list[Fact]:
    """Return the comparable facts a sentence states, at most one per attribute."""
    facts: list[Fact] = []
    for attribute in _ATTRIBUTES:
        for pattern in attribute.patterns:
            match = pattern.search(sentence)
            if match is None:
                continue
            raw = match.group(1).strip().rstrip(",.")
            if not attribute.numeric and raw.split()[0] in _NOT_NAMES:
                continue
            number = _number(raw) if attribute.numeric else None
            if attribute.numeric and number is None:
                continue
            facts.append(Fact(attribute.topic, raw, source_id, sentence, number))
            break
    return facts


def _same(a: Fact, b: Fact) -> bool:
    if a.number is not None and b.number is not None:
        if a.topic == "founding year":
            return a.number == b.number
        return abs(a.number - b.number) <= 0.1 * max(a.number, b.number)
    return a.value.lower() == b.value.lower()


def find_conflicts(facts: list[Fact]) -> list[Conflict]:
    """Return one conflict per attribute on which two or more sources state different values."""
    conflicts: list[Conflict] = []
    topics = list(dict.fromkeys(f.topic for f in facts))
    for topic in topics:
        per_source: dict[str, Fact] = {}
        for fact in facts:
            if fact.topic == topic:
                per_source.setdefault(fact.source_id, fact)  # a source's first statement is its claim
        stated = list(per_source.values())
        groups: list[list[Fact]] = []
        for fact in stated:
            for group in groups:
                if _same(group[0], fact):
                    group.append(fact)
                    break
            else:
                groups.append([fact])
        if len(groups) < 2:
            continue
        parts = [f"{g[0].value} ({', '.join(repr(f.source_id) for f in g)})" for g in groups]
        description = f"Sources disagree on the {topic}: " + " vs ".join(parts) + "."
        conflicts.append(
            Conflict(
                topic=topic,
                description=description[:2_000],
                source_ids=[f.source_id for f in stated],
                values=[f.value for f in stated],
            )
        )
    return conflicts
