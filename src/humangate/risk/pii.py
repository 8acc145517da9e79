"""Personal data in text: e-mail addresses, phone numbers, card numbers, IBANs, US SSNs, IP addresses, names,
and a person's private details: street addresses and special-category data (health, sexual orientation,
religion, political opinions, trade-union membership: GDPR Art. 9).

Pattern recognizers with checksums (Luhn for cards, ISO 7064 mod 97 for IBANs) and context words, in
the manner of presidio-analyzer's regex recognizers, plus a lexicon-and-cue name spotter
(``humangate.risk._names``). Pure functions; nothing is downloaded. ``find_pii`` returns matches;
``pii_triggers`` turns them into one ``pii`` trigger for a reviewer. Private details
(``humangate.risk._private``) are looked for when asked (``entities``) and always by ``pii_triggers``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

from humangate.core.contract import Trigger
from humangate.risk._names import find_names
from humangate.risk._private import find_addresses, find_sensitive, find_spelled_phones

__all__ = [
    "ALL_ENTITIES",
    "PII_ENTITIES",
    "PRIVATE_DETAILS",
    "SENSITIVE_ENTITIES",
    "PiiEntity",
    "PiiMatch",
    "find_pii",
    "pii_triggers",
]

PiiEntity = Literal[
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "US_SSN",
    "IP_ADDRESS",
    "PERSON",
    "STREET_ADDRESS",
    "SPECIAL_CATEGORY",
]
ALL_ENTITIES: tuple[PiiEntity, ...] = get_args(PiiEntity)
PRIVATE_DETAILS: tuple[PiiEntity, ...] = ("STREET_ADDRESS", "SPECIAL_CATEGORY")
"""A person's private details: where they live, and GDPR Art. 9 data (health, sexual orientation, beliefs...)."""
PII_ENTITIES: tuple[PiiEntity, ...] = tuple(e for e in ALL_ENTITIES if e not in PRIVATE_DETAILS)
"""The identifiers and names ``find_pii`` looks for unless told otherwise."""
SENSITIVE_ENTITIES: frozenset[PiiEntity] = frozenset(e for e in ALL_ENTITIES if e != "PERSON")
"""Entities that identify or expose a person on their own; a bare name does not count."""

_LABELS: dict[PiiEntity, str] = {
    "EMAIL_ADDRESS": "an e-mail address",
    "PHONE_NUMBER": "a phone number",
    "CREDIT_CARD": "a payment card number",
    "IBAN_CODE": "a bank account number (IBAN)",
    "US_SSN": "a US social security number",
    "IP_ADDRESS": "an IP address",
    "PERSON": "a person's name",
    "STREET_ADDRESS": "a street address",
    "SPECIAL_CATEGORY": "special-category data (health, sexual orientation, beliefs, politics or union membership)",
}
# How much each kind of match adds to the risk score when it appears in outbound text.
_WEIGHT: dict[PiiEntity, float] = {
    "CREDIT_CARD": 0.65,
    "US_SSN": 0.65,
    "IBAN_CODE": 0.6,
    "PHONE_NUMBER": 0.35,
    "EMAIL_ADDRESS": 0.35,
    "IP_ADDRESS": 0.3,
    "PERSON": 0.15,
    "STREET_ADDRESS": 0.45,
    "SPECIAL_CATEGORY": 0.5,
}


@dataclass(frozen=True)
class PiiMatch:
    """One piece of personal data found in a text."""

    entity: PiiEntity
    start: int
    end: int
    text: str
    score: float


_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b", re.IGNORECASE)
_SSN = re.compile(r"(?<![\w-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\w-])")
_SSN_BARE = re.compile(r"(?<![\w-])\d{9}(?![\w-])")
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]*\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){2,7}(?::|[0-9A-Fa-f]{1,4})(?:[0-9A-Fa-f:]*)(?![\w:])")
_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){11,18}(?![\w-])")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[ .-]?|\(\+\d{1,3}\)[ .-]?)?(?:\(\d{1,5}\)[ ./-]?)?\d+(?:[ .\-/]\d+)*"
    r"(?:\s?(?:x|ext\.?)\s?\d{1,5})?(?![\w])"
)
_DATE = re.compile(r"^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$")

_CARD_CONTEXT = re.compile(r"\b(?:card|cc|credit|debit|visa|mastercard|amex|maestro|pan)\b", re.IGNORECASE)
_SSN_CONTEXT = re.compile(r"\b(?:ssn|social\s+security|tax\s*id|tin)\b", re.IGNORECASE)
_IBAN_CONTEXT = re.compile(r"\b(?:iban|account|bank|transfer|wire)\b", re.IGNORECASE)
_PHONE_BEFORE = re.compile(
    r"\b(?:phone|tel|telephone|mobile|cell|fax|desk|office|call|calls|called|ring|dial|reach|text|sms|whatsapp"
    r"|number|contact|messages|hotline|line|ph|answering|answer|registered|voicemail|landline|extension)\b",
    re.IGNORECASE,
)
_NOT_PHONE = re.compile(
    r"\b(?:licen[cs]e|passport|account|acct|order|invoice|ref(?:erence)?|id|tracking|policy|serial|zip|postcode)"
    r"(?:\s+(?:number|no\.?|#))?\s*(?:is|:|#)?\s*$",
    re.IGNORECASE,
)
_PHONE_AFTER = re.compile(
    r"^[\s\-–(]*(?:office|mobile|cell|fax|home|work|direct|ext"
    r"|as\s+(?:his|her|my|their|our|your|the|a)\s+(?:phone|number|contact|mobile))\b",
    re.IGNORECASE,
)


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _iban_valid(raw: str) -> bool:
    s = raw.replace(" ", "").upper()
    rearranged = s[4:] + s[:4]
    try:
        return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1
    except ValueError:
        return False


def _context(text: str, start: int, end: int, pattern: re.Pattern[str], width: int = 40) -> bool:
    return bool(pattern.search(text[max(0, start - width) : start]) or pattern.search(text[end : end + 12]))


def _structured(text: str) -> list[PiiMatch]:
    out: list[PiiMatch] = []

    def add(entity: PiiEntity, m: re.Match[str], score: float, group: int = 0) -> None:
        out.append(PiiMatch(entity, m.start(group), m.end(group), m.group(group), score))

    for m in _EMAIL.finditer(text):
        add("EMAIL_ADDRESS", m, 0.95)
    for m in _IBAN.finditer(text):
        if _iban_valid(m.group()):
            add("IBAN_CODE", m, 0.95)
        elif _context(text, m.start(), m.end(), _IBAN_CONTEXT):
            add("IBAN_CODE", m, 0.6)
    for m in _SSN.finditer(text):
        add("US_SSN", m, 0.9 if _context(text, m.start(), m.end(), _SSN_CONTEXT) else 0.6)
    for m in _SSN_BARE.finditer(text):
        if _context(text, m.start(), m.end(), _SSN_CONTEXT):
            add("US_SSN", m, 0.8)
    for m in _IPV4.finditer(text):
        try:
            ipaddress.IPv4Address(m.group())
        except ValueError:
            continue
        add("IP_ADDRESS", m, 0.85)
    for m in _IPV6.finditer(text):
        try:
            ipaddress.IPv6Address(m.group())
        except ValueError:
            continue
        add("IP_ADDRESS", m, 0.85)
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        groups = re.split(r"[ -]", m.group())
        tidy = len(groups) == 1 or all(len(g) in (4, 5, 6) for g in groups[:-1])
        context = _context(text, m.start(), m.end(), _CARD_CONTEXT)
        if tidy and _luhn(digits) and (len(digits) >= 13 or context):
            add("CREDIT_CARD", m, 0.9 if context else 0.75)
        elif tidy and context and len(digits) >= 13:
            add("CREDIT_CARD", m, 0.55)
    for a, b in find_spelled_phones(text):
        out.append(PiiMatch("PHONE_NUMBER", a, b, text[a:b], 0.7))
    taken = _resolve(out)
    for m in _PHONE.finditer(text):
        if any(p.start < m.end() and m.start() < p.end for p in taken):
            continue
        score = _phone_score(text, m)
        if score > 0:
            add("PHONE_NUMBER", m, score)
    return out


def _phone_score(text: str, m: re.Match[str]) -> float:
    """Score a digit sequence as a phone number by its shape and the words around it."""
    raw = m.group()
    digits = re.sub(r"\D", "", raw.split("x")[0].split("ext")[0])
    if not 7 <= len(digits) <= 15 or _DATE.match(raw) or re.fullmatch(r"\d+\.\d+", raw):
        return 0.0
    if re.match(r"\d{4}-\d{2}-\d{2}\b", raw) or _NOT_PHONE.search(text[max(0, m.start() - 30) : m.start()]):
        return 0.0
    groups = [g for g in re.split(r"[ .\-()+/]+", raw) if g]
    shape = 0.3
    international = raw.startswith(("+", "(+")) or re.match(r"\(\d{1,5}\)|00[1-9]\d{0,2}[ .-]\d", raw)
    if international or re.fullmatch(r"\d{3}[-. ]\d{3}[-. ]\d{4}(?:\s?(?:x|ext\.?)\s?\d{1,5})?", raw):
        shape = 0.7
    elif len(groups) >= 3 and all(1 <= len(g) <= 4 for g in groups):
        shape = 0.55
    elif len(groups) == 1 and len(digits) in (10, 11) and digits[0] in "01":
        shape = 0.45
    before = text[max(0, m.start() - 40) : m.start()]
    context = bool(_PHONE_BEFORE.search(before.split("\n\n")[-1])) or bool(_PHONE_AFTER.match(text[m.end() :]))
    return min(0.95, shape + (0.35 if context else 0.0))


def _resolve(matches: Iterable[PiiMatch]) -> list[PiiMatch]:
    """Keep the best of overlapping matches: higher score, then longer."""
    kept: list[PiiMatch] = []
    for m in sorted(matches, key=lambda x: (-x.score, -(x.end - x.start), x.start)):
        if not any(k.start < m.end and m.start < k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda x: x.start)


def find_pii(text: str, *, entities: Iterable[PiiEntity] | None = None, min_score: float = 0.5) -> list[PiiMatch]:
    """Return the personal data in ``text`` scoring at least ``min_score``, in text order."""
    wanted = set(entities) if entities is not None else set(PII_ENTITIES)
    structured = [m for m in _structured(text) if m.score >= min_score]
    if "STREET_ADDRESS" in wanted:
        structured += [PiiMatch("STREET_ADDRESS", a, b, text[a:b], 0.8) for a, b in find_addresses(text)]
    if "SPECIAL_CATEGORY" in wanted:
        structured += [PiiMatch("SPECIAL_CATEGORY", a, b, text[a:b], 0.8) for a, b in find_sensitive(text)]
    blocked = [(m.start, m.end) for m in structured] + [(u.start(), u.end()) for u in _URL.finditer(text)]
    names = [PiiMatch("PERSON", a, b, text[a:b], s) for a, b, s in find_names(text, blocked=blocked)]
    found = _resolve([*structured, *(n for n in names if n.score >= min_score)])
    return [m for m in found if m.entity in wanted]


def _mask(value: str) -> str:
    """Show enough of a value to recognise it, not enough to leak it again in the review record."""
    if len(value) <= 4:
        return value
    keep = 2 if len(value) < 10 else 4
    return value[:keep] + "…" + value[-keep:] if "@" not in value else value[:2] + "…@" + value.split("@", 1)[1]


def pii_triggers(
    text: str,
    *,
    allow: Iterable[str] = (),
    where: str = "The outbound text",
    entities: Iterable[PiiEntity] | None = None,
) -> list[Trigger]:
    """Return one ``pii`` trigger listing the personal data in ``text``, or nothing.

    ``allow`` holds values that are expected there (the recipient's address and name, the sender's
    name); a match equal to one of them, or to a word of one of them for names, is ignored.
    """
    allowed = {a.strip().lower() for a in allow if a and a.strip()}
    allowed |= {w for a in list(allowed) for w in re.split(r"\s+", a) if len(w) > 1}
    wanted = ALL_ENTITIES if entities is None else entities
    matches = [m for m in find_pii(text, entities=wanted) if not _is_allowed(m, allowed)]
    if not matches:
        return []
    kinds: list[PiiEntity] = list(dict.fromkeys(m.entity for m in matches))
    labels = [_LABELS[k] for k in kinds]
    listed = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    score = 1.0
    for k in kinds:
        score *= 1.0 - _WEIGHT[k]
    shown = ("PERSON", "SPECIAL_CATEGORY")  # a word such as "chemotherapy" identifies no one; masked, it says nothing
    evidence = [f"{m.entity}: {m.text if m.entity in shown else _mask(m.text)}" for m in matches][:20]
    return [
        Trigger(
            kind="pii",
            reason=f"{where} contains {listed}; check that sharing it is intended and allowed.",
            score=round(1.0 - score, 3),
            evidence=evidence,
        )
    ]


def _is_allowed(match: PiiMatch, allowed: set[str]) -> bool:
    value = match.text.strip().lower()
    if value in allowed:
        return True
    return match.entity == "PERSON" and all(w.rstrip(".") in allowed for w in value.split())
