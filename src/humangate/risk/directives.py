"""Whether a message says what the task asked every message to say (a mention, a sign-off, a language), and
keeps out what it asked every message not to say ("Don't promise refunds", "Never discuss pricing").

The planner hands the task's writing directives that ask for content ("Mention our free pilot", "Sign as
Dana from Acme", "Reply in German") to the drafter and the support analyst, and every message, first
draft or reviewer's edit, is checked for each of them here. A directive the message does not positively
show is a ``rule`` trigger that holds the message for a person, who can write it in. The check reads
words, not meaning: a message that says it in other words is held too, which is the side to err on. A
directive that forbids (``agents.offline.directives.forbids``) holds a message that holds any of the words it names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from humangate.agents.offline.directives import forbids
from humangate.core.contract import Trigger
from humangate.core.text import terms
from humangate.core.wording import fold, language, tokens

__all__ = ["directive_triggers", "language_asked", "unfollowed"]

# The words that say how to ask, not what to say ("please mention", "make sure you include").
_ASKING = frozenset(
    terms(
        "please kindly also always make sure be sure remember don't forget to mention include add say tell "
        "let them know note state write reply respond answer use explain point out bring up refer them "
        "it each every email emails reply replies message messages them their they customer customers "
        "contact contacts lead leads recipient recipients everyone in the a an our we us you your that"
    )
)
_SIGN = re.compile(
    r"^\s*(?:please\s+)?sign(?:\s+(?:off|it|them|each\s+one|every\s+\w+))?\s+(?:as|with|by)\s+(.+)$", re.I
)
_LANGUAGES = {
    "en": "english|englisch|ingles|anglais",
    "de": "german|deutsch|aleman|allemand",
    "fr": "french|franzosisch|frances|francais",
    "es": "spanish|spanisch|espanol|espagnol",
}
_IN_LANGUAGE = re.compile(r"\b(?:in|auf|en)\s+([a-z]+)\b")
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][\w&-]+")
_FOLLOWED = 0.6
"""Share of a directive's content words a message must hold, beside every figure and name it names."""


def language_asked(directive: str) -> str | None:
    """Return the language a directive asks for ("en", "de", ...), "other" for one the check cannot read."""
    for word in _IN_LANGUAGE.findall(fold(directive)):
        for code, names in _LANGUAGES.items():
            if re.fullmatch(names, word):
                return code
        if re.fullmatch(r"[a-z]+(?:ish|ese|ian|ic|ch)", word) or word in ("hindi", "thai", "greek", "polish"):
            return "other"
    return None


def _says(directive: str, text: str) -> bool:
    """Return whether ``text`` holds what ``directive`` asks it to say: its figures, names and most words."""
    folded = fold(text)
    if any(f not in text for f in _FIGURE.findall(directive)):
        return False
    if any(n.lower() not in folded for n in _NAME.findall(directive)):
        return False
    wanted = {t for t in terms(directive) if t not in _ASKING and not t.isdigit()}
    if not wanted:
        return True
    have = set(terms(text))
    return len(wanted & have) / len(wanted) >= _FOLLOWED


def _same_word(a: str, b: str) -> bool:
    """Return whether two stems are one word: equal, or one begins the other ("pric" of prices, "price")."""
    return a == b or (min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)))


def _followed(directive: str, subject: str, body: str) -> bool:
    if banned := forbids(directive):
        return not any(_same_word(b, t) for b in banned for t in set(terms(f"{subject}\n{body}")))
    quoted = re.findall(r"[\"“]([^\"”]{3,500})[\"”]", directive)
    if quoted:
        return all(" ".join(q.split()).lower() in " ".join(body.split()).lower() for q in quoted)
    if (lang := language_asked(directive)) is not None:
        return lang != "other" and language(tokens(fold(body))) == lang
    if sign := _SIGN.match(directive.strip().rstrip(".!")):
        tail = "\n".join(body.strip().splitlines()[-4:])
        return _says(sign.group(1), tail)
    return _says(directive, f"{subject}\n{body}")


def unfollowed(directives: Sequence[str], *, subject: str, body: str) -> list[str]:
    """Return the ``directives`` the message ``subject`` and ``body`` does not positively show."""
    return [d for d in directives if d.strip() and not _followed(d, subject, body)]


def directive_triggers(directives: Sequence[str], *, subject: str, body: str, what: str = "email") -> list[Trigger]:
    """Return one ``rule`` trigger per task directive the message does not show; each holds it for a person."""
    return [
        Trigger(
            kind="rule",
            reason=f"The task asked every {what}: “{d[:200]}”; this {what} seems to say it, so a person checks it."
            if forbids(d)
            else f"The task asked every {what} to say “{d[:200]}”; this {what} does not show it, so a person "
            "checks it (and can write it in).",
            score=1.0,
            evidence=[d[:300]],
        )
        for d in unfollowed(directives, subject=subject, body=body)
    ]
