"""Policy terms (legal, pricing, refunds, guarantees, account changes, allegations) and commitments in text.

Word patterns, no model: each finding keeps the matched phrase so the reviewer sees why. A workflow
owner adds phrases per category through ``RiskPolicy`` (``watch_terms``) without code. Commitments are
found by ``risk._commitments`` (re-exported here).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from humangate.core.contract import Trigger
from humangate.risk._account_terms import ACCOUNT_CHANGES, GIVEN_FREE
from humangate.risk._commitments import Commitment, find_commitments
from humangate.risk._fold import readable
from humangate.risk.limits import MONEY

__all__ = [
    "TERM_CATEGORIES",
    "Commitment",
    "TermCategory",
    "TermMatch",
    "find_commitments",
    "find_policy_terms",
    "policy_triggers",
]

TermCategory = Literal["legal", "pricing", "refund", "guarantee", "account", "allegation"]
TERM_CATEGORIES: tuple[TermCategory, ...] = ("legal", "pricing", "refund", "guarantee", "account", "allegation")

_I = re.IGNORECASE
_WHEN = (
    r"(?:today|tonight|tomorrow|(?:this|next)\s+(?:week|month|monday|tuesday|wednesday|thursday|friday)"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|end\s+of\s+(?:the\s+)?(?:day|week|month|quarter)"
    r"|eod|eow|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[A-Z][a-z]+|[A-Z][a-z]+\s+\d{1,2}(?:st|nd|rd|th)?|\d{1,2}/\d{1,2})"
)
_PATTERNS: dict[TermCategory, list[re.Pattern[str]]] = {
    "legal": [
        re.compile(
            r"\b(?:law\s?suits?|attorneys?|lawyers?|solicitors?|legal\s+(?:action|team|counsel|proceedings|advice)"
            r"|litigation|litigate|courts?\b|subpoena|GDPR|CCPA|HIPAA|data\s+protection|liab(?:le|ility)"
            r"|indemnif\w+|breach\s+of\s+contract|cease\s+and\s+desist|small\s+claims|ombudsman|regulators?"
            r"|class\s+action|legal(?:ly)?\s+binding|terms\s+and\s+conditions|non-?disclosure|NDA)\b",
            _I,
        ),
        re.compile(r"\b(?:sue|sued|suing)\b"),  # lower case only: "Sue" is also a name
    ],
    "pricing": [
        re.compile(
            r"\b(?:prices?|pricing|priced|discounts?|discounted|quotes?|quotation|rebates?|coupons?|promo\s+codes?"
            r"|fees?|rates?\s+card|per\s+(?:seat|user|month|year)|free\s+of\s+charge|(?:free|no[- ]cost)\s+trial"
            r"|special\s+offer|cost(?:s)?\s+(?:you|only|just))\b",
            _I,
        ),
        re.compile(r"\b\d{1,3}(?:\.\d+)?\s?%\s?(?:off|discount|cheaper|less|savings?)\b", _I),
        re.compile(MONEY),  # "$150", "150 €", "EUR 1.500", "£2 million": as risk.limits reads amounts
    ],
    "refund": [
        re.compile(
            r"\b(?:refund(?:s|ed|ing|able)?|reimburse\w*|money\s+back|charge\s?backs?|compensat\w+|credit\s+(?:your|the)"
            r"\s+account|store\s+credit|reverse\s+the\s+charge|cancel\w*\s+(?:the\s+|your\s+)?(?:fee|charge|order))\b",
            _I,
        ),
        GIVEN_FREE,
    ],
    "guarantee": [
        re.compile(
            r"\b(?:guarantee[ds]?|guaranteeing|warrant(?:y|ies|ed)|promise[ds]?|assure\s+you|rest\s+assured"
            r"|risk[- ]free|no[- ]risk|100\s?%\s+(?:sure|certain|safe|secure|satisfaction)|without\s+fail"
            r"|definitely\s+will|we\s+commit\s+to|committed\s+to\s+deliver\w*)\b",
            _I,
        ),
        re.compile(
            r"\b(?:will|'ll|shall)\s+(?:be\s+)?(?:deliver(?:ed)?|ship(?:ped)?|arrive|ready|done|fixed|resolved|live"
            r"|complete[d]?|in\s+place)\s+(?:by|before|on|within)\s+" + _WHEN,
            _I,
        ),
    ],
    "account": ACCOUNT_CHANGES,  # "your subscription has been cancelled": see risk._account_terms
    # Wrongdoing said of someone (a person, a rival) and hearsay: stated in an email as fact, a claim like this
    # may be defamatory, and a single source or a rumour is no proof. A person checks before it goes out.
    "allegation": [
        re.compile(
            r"\b(?:arrest(?:ed|s)?|indicted|convicted|jailed|imprisoned|(?:charged|accused|suspected)\s+(?:with|of)"
            r"|fraud\w*|defraud\w*|falsif\w+|brib(?:e|es|ed|ing|ery)|scam(?:s|med|mers?)?|embezzl\w+|cheat(?:s|ed|ing)?"
            r"|overcharg\w+|rip(?:s|ped|ping)?[- ]off|ripping\s+off|money\s+laundering|launder(?:s|ed|ing)"
            r"|corrupt(?:ion)?|kickbacks?|extort\w*|swindl\w+|crooks?|crooked|ponzi|pyramid\s+scheme|price[- ]fixing"
            r"|insider\s+trading|tax\s+evasion|evad(?:es|ed|ing)\s+taxes|counterfeit\w*|misappropriat\w+|plagiari\w+"
            r"|misconduct|malpractice|lawsuits?\s+against|(?:under|faces?|facing)\s+(?:a\s+|an\s+)?(?:criminal\s+)?"
            r"investigation|(?:is|was|are|were|being)\s+investigated|lie[sd]\s+(?:to|about)|liars?"
            r"|betrug\w*|betr[uü]g\w*|verhaftet|festgenommen|angeklagt|verurteilt|bestechung|korruption"
            r"|escroquer\w*|arr[eê]t[eé]|condamn[eé]|estafa|fraude|sobornos?|subornos?|detenid[oa]|corrup[cç][aã]o)\b",
            _I,
        ),
        re.compile(
            r"\b(?:rumou?r(?:s|ed)?|gossip|hearsay|allegedly|alleged|allegations?|reportedly|purportedly|supposedly"
            r"|unconfirmed|insiders?\s+(?:say|said|claim\w*|allege\w*|report\w*|told)"
            r"|(?:sources?|people)\s+(?:say|said|claim\w*|close\s+to|familiar\s+with)|it\s+is\s+said|it's\s+said"
            r"|(?:is|are|was|were)\s+said\s+to|word\s+(?:is|has\s+it)|according\s+to\s+(?:\w+\s+)?(?:insiders|sources"
            r"|rumou?rs|gossip|hearsay)|ger[uü]chte\w*|rumeurs?|rumores?|boatos?)\b",
            _I,
        ),
    ],
}


@dataclass(frozen=True)
class TermMatch:
    """A policy term found in a text."""

    category: TermCategory
    start: int
    end: int
    text: str


def find_policy_terms(text: str, *, extra: Mapping[TermCategory, Sequence[str]] | None = None) -> list[TermMatch]:
    """Return the legal, pricing, refund, guarantee, account-change and allegation terms in ``text``, in order.

    ``extra`` maps a category to more phrases (matched as whole words, case-insensitively). Both are read as
    a reader reads them (``risk._fold.readable``: "rеfund" with a Cyrillic "е", "ｒｅｆｕｎｄ"); each match
    keeps its span and its words as written in ``text``.
    """
    read = readable(text)
    plain = read.text
    found: list[TermMatch] = []
    for category, patterns in _PATTERNS.items():
        phrases = (readable(p).text.strip() for p in (extra or {}).get(category, ()))
        extra_patterns = [re.compile(r"(?<!\w)" + re.escape(p) + r"(?!\w)", _I) for p in phrases if p]
        for pattern in [*patterns, *extra_patterns]:
            for m in pattern.finditer(plain):
                if category == "pricing" and _is_business_figure(plain, m.start(), m.end()):
                    continue
                if category == "allegation" and _FIGHTS.search(plain[max(0, m.start() - 30) : m.start()]):
                    continue
                start, end = read.span(m.start(), m.end())
                found.append(TermMatch(category, start, end, text[start:end]))
    return _dedupe(found)


_FIGURE_AFTER = re.compile(r"^\s*(?:million|billion|bn|mn|[mkb]\b)", _I)
_FIGURE_SCALE = re.compile(r"\d\s?(?:million|billion|trillion|bn|mn|mio|mrd|milliards?)\b", _I)
_FIGURE_BEFORE = re.compile(
    r"\b(?:raised|raising|revenue|turnover|valuation|valued|funding|round|sales|worth|profit)\b", _I
)


# A product that fights wrongdoing ("detects fraud in invoices", "anti-bribery training") accuses nobody.
_FIGHTS = re.compile(
    r"(?:\banti-?|\b(?:detect|prevent|stop|fight|combat|flag|block|screen|against|spot)\w*\s+(?:\w+\s+)?)$", _I
)


def _is_business_figure(text: str, start: int, end: int) -> bool:
    """Tell a company's figures ("raised $18 million") apart from a price offered to the reader."""
    written = text[start:end]
    if not re.match(r"\s*(?:[$€£¥]|[A-Z]{3}\s?\d|[A-Z]{1,2}\$|\d)", written):
        return False
    return bool(
        _FIGURE_SCALE.search(written)
        or _FIGURE_AFTER.match(text[end:])
        or _FIGURE_BEFORE.search(text[max(0, start - 40) : start])
    )


def _dedupe(found: list[TermMatch]) -> list[TermMatch]:
    kept: list[TermMatch] = []
    for m in sorted(found, key=lambda x: (x.start, -(x.end - x.start))):
        if not any(k.category == m.category and k.start <= m.start and m.end <= k.end for k in kept):
            kept.append(m)
    return kept


_CATEGORY_REASON: dict[TermCategory, tuple[str, float]] = {
    "legal": ("mentions legal matters ({terms}); wording about law, contracts or liability needs a careful read", 0.4),
    "pricing": ("states prices or discounts ({terms}); check they match what the business actually offers", 0.35),
    "refund": ("talks about refunds or compensation ({terms}); only an authorised person may offer them", 0.4),
    "guarantee": ("makes a guarantee or promise ({terms}); check the business can keep it", 0.4),
    "account": (
        "confirms a change to the reader's account, order or data ({terms}); check it was made and may be said",
        0.4,
    ),
    "allegation": (
        "states an allegation of wrongdoing or hearsay ({terms}); an unverified claim, or a claim about a third "
        "party's wrongdoing, may be false or defamatory: check the source, or take it out",
        0.5,
    ),
}


def _listing(values: Iterable[str], limit: int = 4) -> str:
    unique = list(dict.fromkeys(v.strip() for v in values))
    shown = ", ".join(f'"{v}"' for v in unique[:limit])
    return shown + (f" and {len(unique) - limit} more" if len(unique) > limit else "")


def _excerpt(text: str, start: int, end: int, width: int = 60) -> str:
    a, b = max(0, start - width), min(len(text), end + width)
    return ("…" if a else "") + " ".join(text[a:b].split()) + ("…" if b < len(text) else "")


def _phrases(found: Iterable[str], limit: int = 10) -> list[str]:
    """Return the matched phrases once each, in lower case with single spaces: "Refund" and "refund" are one."""
    return list(dict.fromkeys(" ".join(p.split()).lower() for p in found))[:limit]


def policy_triggers(
    text: str,
    *,
    where: str = "The draft",
    extra: Mapping[TermCategory, Sequence[str]] | None = None,
    commitments: bool = True,
    terms: bool = True,
    excerpts: bool = True,
) -> list[Trigger]:
    """Return one ``policy`` trigger per category of policy term in ``text``, plus one for promises made.

    ``excerpts=False``: the evidence is the matched phrases alone (once each, in lower case), not the text
    around them, so that an edit compared by its evidence is news for a new term and not for new wording
    beside a term already seen.
    """
    out: list[Trigger] = []
    matches = find_policy_terms(text, extra=extra) if terms else []
    for category in TERM_CATEGORIES:
        hits = [m for m in matches if m.category == category]
        if not hits:
            continue
        template, score = _CATEGORY_REASON[category]
        out.append(
            Trigger(
                kind="policy",
                reason=f"{where} {template.format(terms=_listing(m.text for m in hits))}.",
                score=score,
                evidence=[f"{category}: {_excerpt(text, m.start, m.end)}" for m in hits[:10]]
                if excerpts
                else _phrases(m.text for m in hits),
            )
        )
    if commitments:
        promises = [c for c in find_commitments(text) if c.kind == "promise"]
        if promises:
            out.append(
                Trigger(
                    kind="policy",
                    reason=f"{where} commits the sender to do something ({_listing(c.text for c in promises)}); "
                    "check someone will follow through.",
                    score=0.1,
                    evidence=[f"promise: {_excerpt(text, c.start, c.end)}" for c in promises[:10]]
                    if excerpts
                    else _phrases(c.text for c in promises),
                )
            )
    return out
