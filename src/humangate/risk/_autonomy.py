"""Earned autonomy's two questions: which approvals form a streak, and what a proposal says that none approved.

Private to ``humangate.risk.memory``. Fail closed: an approval counts only when it positively covers the
new proposal (the same readings, at its risk level or higher, by someone other than the run's starter),
and a proposal passes only when everything it says to its reader that a reviewer must check (the
sentences the reader-facing triggers point at, every figure and account-like number, every name) was in
a proposal of that streak.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from humangate.agents.offline.corrections import names_in
from humangate.core.contract import READER_KINDS, RISK_LEVELS, SYSTEM_REVIEWER, RiskAssessment, Trigger, risk_rank
from humangate.core.text import split_sentences
from humangate.memory._held import NOT_REASONS, signature
from humangate.memory.redact import redact
from humangate.memory.store import Match

__all__ = ["MIN_REVIEWERS", "novel_content", "proposal_signatures", "reviewers_of", "streak_of"]

MIN_REVIEWERS = 2
"""Distinct reviewers a streak needs: one person's habit is not a pattern the organisation approved."""
_QUOTED = re.compile(r'"([^"\n]{1,80})"')
# A figure: any word with a digit in it (an amount, a percentage, an account or reference number).
_FIGURE = re.compile(r"\w*\d(?:[\w/-]|[.,:](?=\d))*")
_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen"
)
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety"
_SCALES = "hundred thousand million billion trillion dozen half percent per cent"
_NUMBER_WORD = rf"(?:{'|'.join(f'{_UNITS} {_TENS} {_SCALES}'.split())})"
# A run of number words ("fifty thousand", "ninety-nine percent"): a figure written out.
_NUMBER_WORDS = re.compile(rf"\b{_NUMBER_WORD}(?:(?:[\s-]+|\s+and\s+){_NUMBER_WORD})*\b", re.IGNORECASE)


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def proposal_signatures(assessment: RiskAssessment) -> set[str]:
    """Return the signatures of the readings that hold ``assessment`` (see ``memory._held``)."""
    return {signature(t.kind, t.reason) for t in assessment.triggers if t.kind not in NOT_REASONS}


def _rank(level: str | None) -> int:
    """Return a stored level's rank; -1 for none (a correction stored before levels were kept never counts)."""
    return next((risk_rank(lv) for lv in RISK_LEVELS if lv == level), -1)


def streak_of(near: Sequence[Match], assessment: RiskAssessment, *, starter: str | None) -> list[Match]:
    """Return the approvals, newest first up to the newest override, that vouch for ``assessment``.

    One counts when its proposal was held for every reading this one is held for (signatures, not kinds)
    at this level or higher, and was approved by a person other than the run's starter. Approvals that do
    not count neither count nor break the streak; any override breaks it.
    """
    wanted = proposal_signatures(assessment)
    rank = risk_rank(assessment.level)
    streak: list[Match] = []
    for m in near:
        c = m.correction
        if c.overridden:
            break
        if c.reviewer in (starter, SYSTEM_REVIEWER) or _rank(c.level) < rank:
            continue
        if wanted <= set(c.signatures):
            streak.append(m)
    return streak


def reviewers_of(streak: Iterable[Match]) -> set[str]:
    """Return the distinct reviewers who gave the approvals of ``streak``."""
    return {m.correction.reviewer for m in streak}


def _reader_phrases(triggers: Sequence[Trigger]) -> set[str]:
    """Return the words the reader-facing triggers quote: the matched policy phrases and payment words."""
    phrases: set[str] = set()
    for t in triggers:
        if t.kind in READER_KINDS:
            phrases.update(_QUOTED.findall(t.reason))
            phrases.update(e for e in t.evidence if len(e) <= 80 and "\u2026" not in e)
    return {f for p in phrases if (f := _fold(p))}


def _has_phrase(folded: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", folded) is not None


def _figures(text: str) -> set[str]:
    found = {f.casefold() for f in _FIGURE.findall(text)}
    return found | {" ".join(re.split(r"[\s-]+", w.casefold())) for w in _NUMBER_WORDS.findall(text)}


def novel_content(proposal_text: str, triggers: Sequence[Trigger], approved: Sequence[str]) -> list[str]:
    """Return what ``proposal_text`` says that none of the ``approved`` proposals said, for a reviewer.

    That is: a reader-facing trigger's phrase, or a sentence carrying one, none of them held (folded); a
    figure (digits or number words) or account-like number none of them held; a name none of them held.
    """
    said = [_fold(a) for a in approved]
    novel = sorted(names_in(redact(proposal_text)) - set().union(*(names_in(a) for a in approved)))
    phrases = _reader_phrases(triggers)
    novel += sorted(p for p in phrases if not any(_has_phrase(a, p) for a in said))
    for sentence in split_sentences(proposal_text):
        folded = _fold(redact(sentence))
        if any(_has_phrase(folded, p) for p in phrases) and not any(folded in a for a in said):
            novel.append(f"“{sentence[:200]}”")
    seen = set().union(*(_figures(a) for a in approved))
    novel += sorted(_figures(proposal_text) - seen)
    return list(dict.fromkeys(novel))
