"""Firm names built from surnames: "Smith, Jones and Brown LLP", "the firm Wachtell, Lipton, Rosen and Katz".

Law, accounting and consulting firms are named after their partners, so their names are lists of
surnames, and a list of surnames also names people ("invite Smith, Jones and Brown"). Only the words
around the list tell the two apart, so a list counts as a firm when a company form follows it ("LLP",
"Inc.", "& Co.", "Partners") or a firm cue comes before it ("the firm", "law firm of", "counsel at").
A list with neither stays a list of people: missing a person costs more than flagging a firm.
"""

from __future__ import annotations

import re

__all__ = ["firm_spans"]

_CAP = r"[A-ZÀ-ÖØ-Þ][^\W\d_]*(?:['’\-][^\W\d_]+)*"
_SEP = r"(?:\s*,\s*(?:(?:and|&)\s+)?|\s+(?:and|&)\s+|\s*&\s*)"
_LIST = rf"{_CAP}(?:{_SEP}{_CAP})+"
_FORM = (
    r"(?:LLP|L\.L\.P\.|LLC|L\.L\.C\.|Inc\.?|Ltd\.?|Limited|PLC|plc|GmbH|AG|S\.A\.|Partners|Associates"
    r"|Attorneys|Solicitors|Accountants|(?:&|and)\s+Co\.?|Co\.|Company)(?![\w&])"
)
_FIRM_AFTER = re.compile(rf"(?P<list>{_LIST})\s*,?\s+{_FORM}")
_FIRM_BEFORE = re.compile(
    r"(?i:\b(?:the|law|legal|accounting|audit|consulting|advisory|PR)\s+firms?\s+(?:of\s+|called\s+|named\s+)?"
    r"|\bfirms?\s+(?:of|called|named)\s+"
    r"|\b(?:counsel|lawyers|attorneys|solicitors|auditors|accountants|partners?)\s+(?:at|from)\s+)"
    rf"(?P<list>{_LIST})"
)


def firm_spans(text: str) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` spans of surname lists that name a firm."""
    spans = {m.span("list") for pattern in (_FIRM_AFTER, _FIRM_BEFORE) for m in pattern.finditer(text)}
    return sorted(spans)
