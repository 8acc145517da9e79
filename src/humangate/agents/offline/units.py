"""Units of length and time, and the bounds a figure is given with, so that figures in any unit compare.

"10 km" and "10 miles", or "within 24 hours" and "3 days", are two figures for one thing only once each is
converted to one base unit (metres, seconds) and read with its bound: "within 24 hours" says at most a
day, so "takes 36 hours" disagrees with it and "takes 20 hours" does not.
"""

from __future__ import annotations

import math
import re

__all__ = ["BASE_UNITS", "bounded", "measure"]

# Each dimension with its base unit, as a reader would name it.
BASE_UNITS = {"length": "metres", "duration": "seconds"}

_DAY = 86_400.0
_YEAR = 365.25 * _DAY
# Written forms, lower case. Single letters that are often something else are left out: "s" (plural),
# "h" and "g" (grades, "5G"), "in" (the preposition), "t" (tonnes or time). "m" is metres only apart from
# its figure and without a currency sign: "$3 m" is a scale, "10m users" ten million (facts.quantities).
_TABLE: dict[str, tuple[str, float]] = {
    **dict.fromkeys(["mm", "millimetre", "millimetres", "millimeter", "millimeters"], ("length", 1e-3)),
    **dict.fromkeys(["cm", "centimetre", "centimetres", "centimeter", "centimeters"], ("length", 1e-2)),
    **dict.fromkeys(["m", "metre", "metres", "meter", "meters"], ("length", 1.0)),
    **dict.fromkeys(["km", "kms", "kilometre", "kilometres", "kilometer", "kilometers"], ("length", 1e3)),
    **dict.fromkeys(["inch", "inches"], ("length", 0.0254)),
    **dict.fromkeys(["ft", "foot", "feet"], ("length", 0.3048)),
    **dict.fromkeys(["yd", "yds", "yard", "yards"], ("length", 0.9144)),
    **dict.fromkeys(["mi", "mile", "miles"], ("length", 1609.344)),
    **dict.fromkeys(["sec", "secs", "second", "seconds"], ("duration", 1.0)),
    **dict.fromkeys(["min", "mins", "minute", "minutes"], ("duration", 60.0)),
    **dict.fromkeys(["hr", "hrs", "hour", "hours"], ("duration", 3_600.0)),
    **dict.fromkeys(["day", "days"], ("duration", _DAY)),
    **dict.fromkeys(["week", "weeks"], ("duration", 7 * _DAY)),
    **dict.fromkeys(["month", "months"], ("duration", _YEAR / 12)),
    **dict.fromkeys(["yr", "yrs", "year", "years"], ("duration", _YEAR)),
    **dict.fromkeys(["decade", "decades"], ("duration", 10 * _YEAR)),
    **dict.fromkeys(["century", "centuries"], ("duration", 100 * _YEAR)),
}

# Words just before a figure that make it a bound: "within 24 hours" is [0, 24 h], "over 300" is [300, inf).
_AT_MOST = re.compile(
    r"\b(?:within|under|below|up\s+to|less\s+than|fewer\s+than|at\s+most|no\s+more\s+than|not\s+more\s+than|"
    r"a\s+maximum\s+of|max(?:imum)?\.?)\s*$",
    re.I,
)
_AT_LEAST = re.compile(
    r"\b(?:over|above|more\s+than|greater\s+than|at\s+least|no\s+less\s+than|upwards\s+of|in\s+excess\s+of|"
    r"exceeding|a\s+minimum\s+of|min(?:imum)?\.?)\s*$",
    re.I,
)


def measure(word: str) -> tuple[str, float] | None:
    """Return the dimension of a unit word and its size in the base unit (``"km"`` -> length, 1000)."""
    return _TABLE.get(word.lower().rstrip("."))


def bounded(before: str, low: float, high: float) -> tuple[float, float]:
    """Return the range a figure claims, widened to a bound when ``before`` ends in "within", "over"..."""
    if _AT_MOST.search(before):
        return min(0.0, low), high
    if _AT_LEAST.search(before):
        return low, math.inf
    return low, high
