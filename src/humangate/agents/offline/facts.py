"""Pull comparable facts (founding year, headcount, any figure with a unit) out of sentences; find disagreements."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from humangate.agents.offline.contradictions import Stated, fold, quote, read, related, topic_of
from humangate.agents.offline.units import bounded, measure
from humangate.core.schemas import Conflict
from humangate.core.text import terms

__all__ = [
    "EXPECTED_FACTS",
    "Fact",
    "Quantity",
    "extract_facts",
    "find_conflicts",
    "find_number_conflicts",
    "quantities",
]

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


def _word_at(sentence: str, value: str) -> int:
    at = sentence.find(value)
    return len(sentence[:at].split()) if at >= 0 else 0


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
        quotes = [quote(f.sentence, _word_at(f.sentence, f.value), 16) for f in stated]
        said = "; ".join(f'{f.source_id!r}: "{q}"' for f, q in zip(stated, quotes, strict=True))
        description = f"Sources disagree on the {topic}: " + " vs ".join(parts) + f". {said}."
        conflicts.append(
            Conflict(
                topic=topic,
                description=description[:2_000],
                source_ids=[f.source_id for f in stated],
                values=[f.value for f in stated],
                quotes=quotes,
            )
        )
    return conflicts


# Any figure with a unit: "450 metres", "$3 million", "12%", "52-98 cm". Bare numbers and years carry
# no unit to compare on, so they are left out ("in 2017", "one of 19").
_FIGURE = r"(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?!\d)"
_QUANTITY = re.compile(rf"(?<![\w.,])([$€£])?\s?{_FIGURE}(?:\s*(?:\u2013|-|\u2014|to)\s*[$€£]?{_FIGURE})?")
_SCALE = re.compile(r"\s*(million|billion|thousand|bn|k|m)\b", re.I)
_UNIT = re.compile(r"\s*(%|per\s?cent\b|°\s?[cf]\b|[a-z][a-z]*)", re.I)
_HYPHEN_UNIT = re.compile(r"-([a-z]+)\b", re.I)  # "a 24-hour service"
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_MONTHS = frozenset(m.lower() for m in _NOT_NAMES) - {"the", "our", "its", "this"}
_TOLERANCE = 0.1  # sources round: 26,000 and 25,000 bears are the same figure


@dataclass(frozen=True)
class Quantity:
    """A figure with a unit, as one sentence states it (a range when ``low < high``)."""

    low: float  # in the base unit of a length or a duration (metres, seconds); 0 after "within"
    high: float  # math.inf after "over" or "at least"
    unit: str  # the key: a currency sign, "%", "°c", "length", "duration" or the stem of the unit word
    label: str  # the unit as written, for the reader
    raw: str
    word: int  # word index in the sentence, where a quote is centred
    digits: frozenset[str]  # the digit strings it is written with


def _unit(word: str, currency: str | None, year_like: bool) -> str | None:
    if currency:
        return currency
    if (dimension := measure(word)) is not None:
        return dimension[0]
    if word == "%" or word.replace(" ", "") == "percent":
        return "%"
    if word.startswith("°"):
        return word.replace(" ", "")
    if word and word not in _MONTHS and terms(word) and not year_like:
        return terms(word)[0]
    return None


def quantities(sentence: str) -> list[Quantity]:
    """Return the figures with a unit that ``sentence`` states (currency, percent or a unit word)."""
    found: list[Quantity] = []
    for match in _QUANTITY.finditer(sentence):
        currency = match.group(1)
        values = [float(w.replace(",", "") + (f or "")) for w, f in (match.group(2, 3), match.group(4, 5)) if w]
        end = match.end()
        scale = _SCALE.match(sentence, end)
        if scale and (currency or scale.group(1).lower() not in ("k", "m")):
            values = [v * _MULTIPLIERS[scale.group(1).lower()] for v in values]
            end = scale.end()
        unit_match = _UNIT.match(sentence, end)
        if not currency and (hyphened := _HYPHEN_UNIT.match(sentence, end)) and measure(hyphened.group(1)):
            unit_match = hyphened
        word = unit_match.group(1).lower() if unit_match else ""
        if word == "m" and unit_match and unit_match.start(1) == end:
            word = ""  # "10m users" is ten million more often than ten metres; "300 m" is metres
        year_like = not match.group(3) and 1800 <= values[0] <= 2100
        unit = _unit(word, currency, year_like)
        if unit is None:
            continue
        end = unit_match.end() if unit_match and not currency else end
        raw = sentence[match.start() : end].strip()
        label = unit if unit in ("$", "€", "£", "%") or unit.startswith("°") else word
        size = dimension[1] if not currency and (dimension := measure(word)) else 1.0
        low, high = bounded(sentence[: match.start()], min(values) * size, max(values) * size)
        found.append(
            Quantity(
                low,
                high,
                unit,
                label,
                raw,
                len(sentence[: match.start()].split()),
                frozenset(_DIGITS.findall(match.group(0))),
            )
        )
    return found


def _differ(a: Quantity, b: Quantity) -> bool:
    """Return whether two figures cannot both be right, allowing for rounding and overlapping ranges."""
    slack = _TOLERANCE * max(abs(v) for v in (a.low, a.high, b.low, b.high) if math.isfinite(v))
    return a.low - slack > b.high or b.low - slack > a.high


def _reading(source_id: str, sentence: str, company: bool) -> tuple[Stated, frozenset[str], dict[str, Quantity]] | None:
    if sentence.rstrip().endswith("?") or (company and extract_facts(source_id, sentence)):
        return None  # a company's facts are compared per attribute by find_conflicts
    stated = read(source_id, sentence)
    if stated.conditional:
        return None  # "if emissions stay high, ... 98 cm": a scenario, not a statement of fact
    per_unit: dict[str, list[Quantity]] = {}
    for q in quantities(sentence):
        per_unit.setdefault(q.unit, []).append(q)
    single = {u: qs[0] for u, qs in per_unit.items() if len(qs) == 1}
    if not single:
        return None
    return stated, fold(stated.content - frozenset(terms(" ".join(q.label for q in single.values())))), single


def find_number_conflicts(sentences: list[tuple[str, str]], *, company: bool = True) -> list[Conflict]:
    """Return conflicts between sources that give different figures for the same subject.

    Figures compare in one unit: lengths and durations are converted ("10 km" and "10 miles" differ,
    "24 hours" and "1 day" agree), and a bound is a range ("within 2 days" holds "36 hours").

    The subject is the sentence's content words (figures and the unit set aside): two sentences must
    share most of them (``contradictions.related``), and every other number they hold must be the same,
    so that they differ in that one figure ("5% below 2000 levels" and "15% below 1990 levels" are two
    statements, not one in dispute). A sentence with two figures in one unit is ambiguous ("from 300 to
    400 ppm") and is not compared in that unit. With ``company``, sentences holding a company fact are
    left to ``find_conflicts``.
    """
    readings = [r for sid, text in sentences if (r := _reading(sid, text, company)) is not None]
    conflicts: list[Conflict] = []
    seen: set[tuple[frozenset[str], str]] = set()
    for i, (a, a_subject, a_units) in enumerate(readings):
        for b, b_subject, b_units in readings[i + 1 :]:
            if a.source_id == b.source_id or not related(a_subject, b_subject):
                continue
            for unit in a_units.keys() & b_units.keys():
                qa, qb, key = a_units[unit], b_units[unit], (frozenset((a.source_id, b.source_id)), unit)
                rest_a = frozenset(_DIGITS.findall(a.text)) - qa.digits
                rest_b = frozenset(_DIGITS.findall(b.text)) - qb.digits
                if key in seen or rest_a != rest_b or not _differ(qa, qb):
                    continue
                seen.add(key)
                conflicts.append(_number_conflict(a, b, qa, qb))
    return conflicts


def _number_conflict(a: Stated, b: Stated, qa: Quantity, qb: Quantity) -> Conflict:
    units = qa.label if qa.label == qb.label else f"{qa.label} and {qb.label}"
    topic = f"{topic_of(a, b)} (in {units})"[:300]
    quotes = [quote(a.text, qa.word), quote(b.text, qb.word)]
    return Conflict(
        topic=topic,
        kind="number",
        description=(
            f'Sources disagree on {topic}: source {a.source_id!r} says "{quotes[0]}", '
            f'but source {b.source_id!r} says "{quotes[1]}".'
        )[:2_000],
        source_ids=[a.source_id, b.source_id],
        values=[qa.raw, qb.raw],
        quotes=quotes,
    )
