"""Learn simple, deterministic lessons from past reviewer corrections: phrases replaced, sentences deleted."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from humangate.agents.offline.text import content_terms, overlap, split_sentences
from humangate.agents.schemas import CorrectionExample

__all__ = ["Lessons", "apply_replacements", "learn", "was_deleted"]

_MAX_PHRASE_WORDS = 8
_FACTUAL_REASON = re.compile(r"fact|claim|accura|wrong|halluc|unverified|unsupported|incorrect|false", re.I)
_QUOTED = re.compile(r"[\"“']([^\"”']{4,300})[\"”']")


@dataclass(frozen=True)
class Lessons:
    """What reviewers taught: phrase replacements and sentences they removed."""

    replacements: tuple[tuple[str, str], ...] = ()
    subject_replacements: tuple[tuple[str, str], ...] = ()
    deleted: tuple[frozenset[str], ...] = ()


def _text(data: dict[str, object] | None, key: str) -> str | None:
    value = (data or {}).get(key)
    return value if isinstance(value, str) and value.strip() else None


def _phrase_swaps(old: str, new: str) -> list[tuple[str, str]]:
    a, b = old.split(), new.split()
    swaps: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag != "replace" or i2 - i1 > _MAX_PHRASE_WORDS or j2 - j1 > _MAX_PHRASE_WORDS:
            continue
        before, after = " ".join(a[i1:i2]), " ".join(b[j1:j2])
        # Never learn a fact: a swap that brings in numbers, addresses or links stays with its own email.
        if re.search(r"\d|@|https?://", after):
            continue
        swaps.append((before, after))
    return swaps


def _deleted_sentences(old: str, new: str) -> list[frozenset[str]]:
    kept = [content_terms(s) for s in split_sentences(new)]
    deleted: list[frozenset[str]] = []
    for sentence in split_sentences(old):
        words = content_terms(sentence)
        if len(words) >= 3 and all(overlap(words, k) < 0.5 for k in kept):
            deleted.append(words)
    return deleted


def learn(corrections: list[CorrectionExample]) -> Lessons:
    """Return the lessons in ``corrections``; edits teach swaps and deletions, factual rejections teach bans."""
    swaps: list[tuple[str, str]] = []
    subject_swaps: list[tuple[str, str]] = []
    deleted: list[frozenset[str]] = []
    for correction in corrections:
        old_body, new_body = _text(correction.proposal, "body"), _text(correction.corrected, "body")
        if old_body and new_body:
            swaps += _phrase_swaps(old_body, new_body)
            deleted += _deleted_sentences(old_body, new_body)
        old_subject, new_subject = _text(correction.proposal, "subject"), _text(correction.corrected, "subject")
        if old_subject and new_subject:
            subject_swaps += _phrase_swaps(old_subject, new_subject)
        reason = f"{correction.reason_code or ''} {correction.note or ''}"
        if correction.corrected is None and _FACTUAL_REASON.search(reason):
            deleted += [content_terms(q) for q in _QUOTED.findall(correction.note or "")]
    return Lessons(tuple(dict.fromkeys(swaps)), tuple(dict.fromkeys(subject_swaps)), tuple(deleted))


def was_deleted(text: str, lessons: Lessons) -> bool:
    """Return whether reviewers removed a sentence like ``text`` before."""
    words = content_terms(text)
    return any(overlap(words, d) >= 0.75 for d in lessons.deleted if d)


def apply_replacements(text: str, swaps: tuple[tuple[str, str], ...]) -> str:
    """Return ``text`` with every learned phrase swap applied where the old phrase appears verbatim."""
    for before, after in swaps:
        left = r"\b" if before[:1].isalnum() else ""
        right = r"\b" if before[-1:].isalnum() else ""
        text = re.sub(left + re.escape(before) + right, after.replace("\\", "\\\\"), text)
    return text
