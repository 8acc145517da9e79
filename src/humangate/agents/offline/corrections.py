"""Learn simple, deterministic lessons from past reviewer corrections: phrases replaced, sentences deleted."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from humangate.core.schemas import CorrectionExample
from humangate.core.text import content_terms, overlap, split_sentences

__all__ = [
    "Lessons",
    "added_sentences",
    "apply_lessons",
    "apply_replacements",
    "foreign_words",
    "learn",
    "missing_additions",
    "names_banned",
    "names_in",
    "own_swaps",
    "violations",
    "was_deleted",
]

_MAX_PHRASE_WORDS = 8
_PLACEHOLDER = re.compile(r"<[A-Z_]+>")
_TOUCH_UP = 0.6  # word-level similarity below which an edit is a rewrite, which teaches no phrase or deletion
_FACTUAL_REASON = re.compile(r"fact|claim|accura|wrong|halluc|unverified|unsupported|incorrect|false", re.I)
_QUOTED = re.compile(r"[\"“']([^\"”']{4,300})[\"”']")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# A capitalised word inside a sentence: a name (a company, product or person) the reviewer removed.
_NAME = re.compile(r"(?<=[a-z,;:]\s)([A-Z][A-Za-z0-9&.-]{2,})")


@dataclass(frozen=True)
class Lessons:
    """What reviewers taught: phrase replacements and sentences they removed."""

    replacements: tuple[tuple[str, str], ...] = ()
    subject_replacements: tuple[tuple[str, str], ...] = ()
    deleted: tuple[frozenset[str], ...] = ()
    banned: frozenset[str] = frozenset()


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
        # Memory stores redacted text: a placeholder such as <PERSON> must never reach a live email.
        if _PLACEHOLDER.search(before) or _PLACEHOLDER.search(after):
            continue
        swaps.append((before, after))
    return swaps


def _removed_sentences(old: str, new: str) -> list[str]:
    """Return the sentences of ``old`` the reviewer deleted; none when they rewrote it all (no lesson there)."""
    kept = [content_terms(s) for s in split_sentences(new)]
    substantial = [s for s in split_sentences(old) if len(content_terms(s)) >= 3]
    removed = [s for s in substantial if all(overlap(content_terms(s), k) < 0.5 for k in kept)]
    return removed if len(removed) < len(substantial) else []


def names_in(text: str) -> set[str]:
    """Return the capitalised words inside sentences of ``text``: the names (companies, products) it mentions."""
    return set(_NAME.findall(text))


def _removed_names(removed: list[str], new: str) -> set[str]:
    """Return names that only occurred in removed sentences: what the reviewer keeps out of emails."""
    return {n for sentence in removed for n in _NAME.findall(sentence) if not re.search(rf"\b{re.escape(n)}\b", new)}


def _is_touch_up(old: str, new: str) -> bool:
    """Return whether ``new`` edits ``old`` rather than rewriting it: only edits teach local lessons."""
    return difflib.SequenceMatcher(a=old.split(), b=new.split(), autojunk=False).ratio() >= _TOUCH_UP


def learn(corrections: list[CorrectionExample]) -> Lessons:
    """Return the lessons in ``corrections``; edits teach swaps and deletions, factual rejections teach bans."""
    swaps: list[tuple[str, str]] = []
    subject_swaps: list[tuple[str, str]] = []
    deleted: list[frozenset[str]] = []
    banned: set[str] = set()
    for correction in corrections:
        old_body, new_body = _text(correction.proposal, "body"), _text(correction.corrected, "body")
        if old_body and new_body and _is_touch_up(old_body, new_body):
            swaps += _phrase_swaps(old_body, new_body)
            removed = _removed_sentences(old_body, new_body)
            deleted += [content_terms(r) for r in removed]
            banned |= _removed_names(removed, new_body)
        old_subject, new_subject = _text(correction.proposal, "subject"), _text(correction.corrected, "subject")
        if old_subject and new_subject:
            subject_swaps += _phrase_swaps(old_subject, new_subject)
        reason = f"{correction.reason_code or ''} {correction.note or ''}"
        if correction.corrected is None and _FACTUAL_REASON.search(reason):
            deleted += [content_terms(q) for q in _QUOTED.findall(correction.note or "")]
    return Lessons(tuple(dict.fromkeys(swaps)), tuple(dict.fromkeys(subject_swaps)), tuple(deleted), frozenset(banned))


def added_sentences(correction: CorrectionExample) -> list[str]:
    """Return the sentences a reviewer's edit added to the body: like none of the proposal's sentences.

    Only substantial sentences count (three content terms or more), as for deletions; the drafting agents
    never learn to add them, but a proposal that lacks one has not taken the edit in.
    """
    old, new = _text(correction.proposal, "body"), _text(correction.corrected, "body")
    if not (old and new):
        return []
    before = [content_terms(s) for s in split_sentences(old)]
    return [
        s
        for s in split_sentences(new)
        if len(content_terms(s)) >= 3 and all(overlap(content_terms(s), b) < 0.5 for b in before)
    ]


def missing_additions(text: str, added: list[str]) -> list[str]:
    """Return, as short phrases, the ``added`` sentences ``text`` has no sentence like (as ``was_deleted`` reads)."""
    have = [content_terms(s) for s in split_sentences(text)]
    return [f"added before: “{a}”" for a in added if all(overlap(content_terms(a), h) < 0.75 for h in have)]


def names_banned(text: str, lessons: Lessons) -> list[str]:
    """Return the names in ``text`` that reviewers removed from earlier proposals."""
    return sorted(n for n in lessons.banned if re.search(rf"\b{re.escape(n)}\b", text))


def was_deleted(text: str, lessons: Lessons) -> bool:
    """Return whether reviewers removed a sentence like ``text``, or one naming what it names, before."""
    words = content_terms(text)
    return any(overlap(words, d) >= 0.75 for d in lessons.deleted if d) or bool(names_banned(text, lessons))


def violations(text: str, lessons: Lessons) -> list[str]:
    """Return, as short phrases, what ``text`` still does that the lessons' reviewers corrected."""
    found = [f"removed before: “{s}”" for s in split_sentences(text) if was_deleted(s, lessons)]
    for before, after in (*lessons.replacements, *lessons.subject_replacements):
        if apply_replacements(text, ((before, after),)) != text:
            found.append(f"replaced before: “{before}” → “{after}”")
    return list(dict.fromkeys(found))


def _vocabulary(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def foreign_words(swap: tuple[str, str], known: str) -> list[str]:
    """Return the words ``swap`` brings in that are neither in what it replaces nor in ``known``.

    A swap was learned from one item's edit; a word it adds that the current item does not hold
    (another customer's company, a name, a fact) would carry that item's details into this one.
    """
    before, after = swap
    have = _vocabulary(before) | _vocabulary(known)
    return [w for w in _WORD.findall(after) if w.lower() not in have]


def apply_lessons(text: str, lessons: Lessons, *, known: str) -> str:
    """Return ``text`` without the sentences reviewers deleted and with their phrase swaps applied.

    A swap applies only when every word it adds is in ``text`` or ``known`` (the message being answered
    and the product's own sentences): a lesson may reword a reply, never bring in another item's facts.
    """
    lines = []
    for line in text.split("\n"):
        kept = [s for s in split_sentences(line) if not was_deleted(s, lessons)] if line.strip() else []
        if line.strip() and not kept:
            continue
        lines.append(" ".join(kept) if kept and len(kept) < len(split_sentences(line)) else line)
    return apply_replacements("\n".join(lines), own_swaps(lessons.replacements, f"{text}\n{known}"))


def own_swaps(swaps: tuple[tuple[str, str], ...], known: str) -> tuple[tuple[str, str], ...]:
    """Return the swaps that add no word outside ``known``: a lesson may reword, never import another item's facts."""
    return tuple(s for s in swaps if not foreign_words(s, known))


def apply_replacements(text: str, swaps: tuple[tuple[str, str], ...]) -> str:
    """Return ``text`` with every learned phrase swap applied where the old phrase appears verbatim."""
    for before, after in swaps:
        left = r"\b" if before[:1].isalnum() else ""
        right = r"\b" if before[-1:].isalnum() else ""
        text = re.sub(left + re.escape(before) + right, after.replace("\\", "\\\\"), text)
    return text
