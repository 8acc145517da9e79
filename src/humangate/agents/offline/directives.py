"""Read a reviewer's redirect ("shorter, more formal, don't mention pricing") into deterministic directives."""

from __future__ import annotations

import re
from dataclasses import dataclass

from humangate.core.text import terms

__all__ = ["Directives", "forbids", "read_directives"]

_CLAUSE_END = r"(?=[,.;!?\n]|\band\b|\bbut\b|$)"
_EXCLUDE = re.compile(
    r"\b(?:ignore|exclude|skip|drop|disregard|distrust|(?:don't|do not|never)\s+(?:use|trust|rely on))\s+"
    r"(?:the\s+)?(?:source\s+|page\s+)?[\"'`]?([\w./\-]+)",
    re.I,
)
_AVOID = re.compile(
    rf"\b(?:(?:don't|do not|never)\s+(?:mention|talk about|bring up|say|include|promise|quote|discuss|offer|"
    rf"reference|refer to|name|use the words?)|avoid|leave out|remove|drop|"
    rf"no\s+more|without)\s+(?:the\s+|any\s+|mentions?\s+of\s+)?(.+?){_CLAUSE_END}",
    re.I,
)
_FOCUS = re.compile(
    rf"(?<!not )(?<!n't )\b(?:focus on|emphasi[sz]e|highlight|mention|lead with|talk about|stress|point out)\s+"
    rf"(?:the\s+|their\s+|its\s+)?(.+?){_CLAUSE_END}",
    re.I,
)
_QUOTED_ADD = re.compile(
    r"\b(?:add|include|say|insert|append|write|end with|close with)\b[^\"“]{0,30}[\"“]([^\"”]{3,500})[\"”]", re.I
)
_SUBJECT = re.compile(r"\bsubject(?:\s+line)?\s*(?:to|:|=|should be)?\s*[\"“]([^\"”]{3,200})[\"”]", re.I)
_SHORTER = re.compile(
    r"\b(?:shorter|shorten|more concise|concise|brief(?:er)?|trim|tighter|fewer words|too long)\b", re.I
)
_LONGER = re.compile(r"\b(?:longer|more detail(?:ed)?|expand|elaborate)\b", re.I)
_FORMAL = re.compile(r"\b(?:more\s+)?(?:formal|professional|polite)\b", re.I)
_CASUAL = re.compile(r"\b(?:casual|informal|friendlier|warmer|more relaxed|less formal|less stiff)\b", re.I)
_SIGN_AS = re.compile(
    r"\bsign(?:\s+(?:off|it|them|each\s+one|every\s+\w+))?\s+(?:as|with|by)\s+([^.;!?\n\"“”]{2,80})", re.I
)
_CALL = re.compile(r"\b(?:ask|propose|suggest|offer|request|invite)\b[^.;]{0,20}\b(call|meeting|demo|chat)\b", re.I)


@dataclass(frozen=True)
class Directives:
    """What a reviewer's free-text instruction asks for, in forms the offline engine can apply."""

    text: str
    exclude_sources: tuple[str, ...] = ()
    avoid_terms: frozenset[str] = frozenset()
    focus_terms: frozenset[str] = frozenset()
    additions: tuple[str, ...] = ()
    subject: str | None = None
    length: str | None = None  # "short" | "long"
    tone: str | None = None  # "formal" | "casual"
    call_to_action: str | None = None  # "call" | "meeting" | "demo" | "chat"
    sign_as: str | None = None  # "Dana from Acme": who signs the message


def read_directives(text: str | None) -> Directives:
    """Return the directives in ``text``; an empty instruction gives empty directives."""
    if not text or not text.strip():
        return Directives(text="")
    quoted = _QUOTED_ADD.findall(text)
    bare = _QUOTED_ADD.sub(" ", text)
    subject = _SUBJECT.search(text)
    if subject is not None:
        bare = bare.replace(subject.group(0), " ")
    avoid = frozenset(t for m in _AVOID.findall(bare) for t in terms(m))
    focus = frozenset(t for m in _FOCUS.findall(bare) for t in terms(m)) - avoid
    length = "short" if _SHORTER.search(bare) else "long" if _LONGER.search(bare) else None
    tone = "casual" if _CASUAL.search(bare) else "formal" if _FORMAL.search(bare) else None
    call = _CALL.search(bare)
    sign = _SIGN_AS.search(bare)
    return Directives(
        text=text.strip(),
        exclude_sources=tuple(m.lower().strip(".") for m in _EXCLUDE.findall(bare)),
        avoid_terms=avoid,
        focus_terms=focus,
        additions=tuple(q.strip() for q in quoted),
        subject=subject.group(1).strip() if subject else None,
        length=length,
        tone=tone,
        call_to_action=call.group(1).lower() if call else None,
        sign_as=" ".join(sign.group(1).split()).strip(" ,") if sign else None,
    )


_NEGATIVE = re.compile(r"^\W*(?:please\s+)?(?:don'?t|do\s+not|never|avoid|no)\b", re.I)


def forbids(directive: str) -> frozenset[str]:
    """Return the words (stemmed) a task directive keeps out of every message ("Don't mention pricing").

    Empty for a directive that does not start by forbidding; ``risk.directives`` holds a message with any of them.
    """
    if not _NEGATIVE.match(directive):
        return frozenset()
    return read_directives(directive).avoid_terms
