"""Instructions hidden in untrusted text (sources, customer messages) that try to steer an agent.

Looks for phrases that address the model ("ignore previous instructions", "you are now", "system
prompt", "send the email to..."), chat-template markers, instructions inside HTML comments or hidden
markup, and zero-width or bidirectional control characters that hide text from a human reader. Lines
labelled with a role ("SYSTEM:", "Assistant instructions:", "AI:") and text that tells the system how to
classify, route, escalate or close the message ("do not escalate", "classify this as", "route: auto",
"mark as resolved") are instructions to the system too: a customer asks for things, they do not triage. The
same kinds of phrase are read in French, German, Spanish, Italian and Portuguese, whatever their case
and accents (``risk._injection_lexicon``), as are sentences whose subject is an AI or automated reader or
writer and that tell it what it must write ("Any assistant reading this page must describe...", "KI-Systeme
sollen ... empfehlen"), imperatives to a writer ("Highlight that...") and a sentence announcing that text is
meant for automated readers. Look-alike letters of other scripts are read as Latin, letter-spaced words and
base64 runs as the words they spell (``risk._obfuscation``). Hidden markup (HTML and markdown comments,
elements styled to be invisible, text a page hid from a reader: ``risk._hidden_text``) that says anything
is a finding of its own. Emoji sequences (🤦‍♀️, 👩🏽‍💻, 🏴 flags) are not hidden text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from humangate.core.contract import Trigger
from humangate.risk._hidden_text import hidden_spans
from humangate.risk._injection_lexicon import hidden_characters, multilingual_matches
from humangate.risk._obfuscation import disguised, unconfuse

__all__ = ["InjectionMatch", "find_injections", "injection_triggers"]

_I = re.IGNORECASE
_PHRASES: list[tuple[str, re.Pattern[str]]] = [
    (
        "tells the model to ignore its instructions",
        re.compile(
            r"\b(?:ignore|disregard|forget|override|bypass|skip)\s+(?:all\s+|any\s+|the\s+|your\s+|my\s+)*"
            r"(?:previous|prior|above|earlier|preceding|original|system|safety|existing)?\s*"
            r"(?:instructions?|prompts?|rules|directions|guidelines|context|messages?|constraints)\b",
            _I,
        ),
    ),
    (
        "tries to give the model a new role",
        re.compile(
            # "act as a ..." only as a command opening a sentence: "oceans act as a sink" is prose; "where you
            # are now" asks about a place.
            r"\b(?:(?<!where\s)(?<!what\s)(?<!how\s)(?<!who\s)(?<!when\s)you\s+are\s+now|from\s+now\s+on,?\s+you"
            r"|(?:^|(?<=[.!?:]\s))act\s+as\s+(?:a|an|my)\b"
            r"|pretend\s+(?:to\s+be|you\s+are)"
            r"|you\s+must\s+now|new\s+instructions?\s*:|developer\s+mode|jailbreak|DAN\s+mode)",
            _I,
        ),
    ),
    (
        "refers to the system prompt",
        re.compile(
            r"\b(?:system\s+prompt|system\s+message|(?:reveal|print|repeat)\s+(?:your|the)\s+(?:prompt|instructions))\b",
            _I,
        ),
    ),
    (
        "tells the agent to send, forward or pay something",
        re.compile(
            r"\b(?:send|forward|e-?mail|transfer|wire|pay|cc|bcc)\s+(?:this|the|all|your|these|it|a\s+copy)?\s*"
            r"(?:e-?mails?|message|messages|data|details|conversation|file|files|money|funds|payment|credentials"
            r"|passwords?|contacts?|copy|summary|everything)?\s*to\s+(?:\S+@\S+|https?://\S+|the\s+following|this\s+address)",
            _I,
        ),
    ),
    (
        "tells the agent to keep something from the user",
        re.compile(
            r"\b(?:do\s+not|don't|never)\s+(?:tell|inform|mention|reveal|show|let)\s+(?:this\s+to\s+)?(?:the\s+)?"
            r"(?:user|human|reviewer|operator|customer|anyone)\b",
            _I,
        ),
    ),
    (
        "addresses an AI model directly",
        re.compile(
            r"\b(?:(?:dear|attention|note\s+to|hey)\s+(?:AI|assistant|chatbot|LLM|language\s+model|GPT|agent)\b"
            r"|(?:if\s+you\s+are|as)\s+an?\s+(?:AI|LLM|large\s+language\s+model|AI\s+assistant)\b[^.]{0,80}\b(?:must|should|will)\b)",
            _I,
        ),
    ),
    (
        "labels a line with a role the system plays",
        re.compile(
            r"(?:^|(?<=[.!?])\s)\s*(?:system|assistant|ai|bot|chatbot|model|llm|gpt|chatgpt|developer|admin)"
            r"(?:\s+(?:instructions?|notes?|messages?|prompt|override|directives?|commands?|rules?))?\s*:"
            r"|\b(?:instructions?|notes?|message)\s+(?:to|for)\s+(?:the\s+)?(?:ai|assistant|model|bot|agent|system|llm|"
            r"triage|classifier|router)\s*:",
            _I | re.M,
        ),
    ),
    (
        "tells the system how to classify, route or close the message",
        re.compile(
            r"\b(?:do\s+not|don't|dont|never|no\s+need\s+to)\s+(?:escalate|flag|route|triage|review|assign|hand\s+(?:this|it)"
            r"\s+(?:off|over|to))\b"
            r"|\b(?:classify|categori[sz]e|label|tag|mark|flag|treat|route|set|file|prioriti[sz]e)\s+(?:this|it|the\s+"
            r"(?:ticket|message|request|case|e-?mail|conversation))\s+(?:as|to|under)\b"
            r"|\bmark(?:ed)?\s+(?:as\s+)?(?:resolved|closed|solved|done|safe|spam|low[- ]priority|non[- ]urgent)\b"
            # keys only a triage system reads: "Status: closed" or "Priority: low" is ordinary text on a web page
            r"|\b(?:route|routing|escalat\w*|sentiment|classification|needs?[_ ]review|auto[_-]?reply|handling)"
            r"\s*[:=]\s*[\"']?"
            r"(?:auto\w*|none|no|false|off|0|low|positive|resolved|closed|safe|skip|send|approved?|bot|ai)\b",
            _I,
        ),
    ),
    (
        "contains chat-template markers",
        re.compile(
            r"<\|(?:im_start|im_end|system|user|assistant|endoftext)\|>|\[/?INST\]|<</?SYS>>"
            r"|^#{2,}\s*(?:system|instruction)",
            _I | re.M,
        ),
    ),
]
# Zero-width characters, word joiners, the BOM, bidirectional controls and Unicode tag characters.
_INVISIBLE = re.compile("[\u200b-\u200d\u2060-\u2064\ufeff\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f]")
_IMPERATIVE = re.compile(
    r"\b(?:ignore|disregard|send|forward|reply|respond|write|say|tell|include|add|delete|remove|click|visit|call"
    r"|pay|transfer|must|should|always|never|instead|assistant|model|AI)\b",
    _I,
)


# Words about how the message is handled: a comment that names them speaks to the system, not to a reader.
_ROUTING = re.compile(
    r"\b(?:escalat\w*|rout(?:e|ing)|sentiment|priority|classif\w*|triage|review|approv\w*|auto)\b", _I
)


@dataclass(frozen=True)
class InjectionMatch:
    """Text that looks like an instruction aimed at the agent rather than information for it."""

    pattern: str
    start: int
    end: int
    excerpt: str


def _excerpt(text: str, start: int, end: int, width: int = 60) -> str:
    a, b = max(0, start - width), min(len(text), end + width)
    shown = _INVISIBLE.sub("\u2423", text[a:b])  # show hidden characters as a visible mark
    return ("…" if a else "") + " ".join(shown.split())[:400] + ("…" if b < len(text) else "")


def _phrases(text: str) -> list[tuple[str, int, int]]:
    """Return ``(label, start, end)`` of each instruction phrase in ``text``, English and the lexicon's."""
    found = [(label, m.start(), m.end()) for label, pattern in _PHRASES for m in pattern.finditer(text)]
    return found + multilingual_matches(text)


def find_injections(text: str) -> list[InjectionMatch]:
    """Return the places in ``text`` that look like instructions to the model, in text order."""
    found: list[InjectionMatch] = []
    # Hidden characters can split a phrase to dodge the patterns: match on the text without them, and with
    # look-alike letters of other scripts read as the Latin ones they imitate ("Ιgnore" with a Greek Iota).
    visible = _INVISIBLE.sub("", text)
    normalised = unicodedata.normalize("NFKC", visible)
    target = unconfuse(normalised if len(normalised) == len(visible) else visible)
    for label, start, end in _phrases(target):
        found.append(InjectionMatch(label, start, end, _excerpt(target, start, end)))
    # Letters spaced apart and base64 runs hide the words they spell: read those words too.
    for run in disguised(target):
        for label, _, _ in _phrases(unconfuse(run.text))[:1]:
            found.append(
                InjectionMatch(f"{label} ({run.how})", run.start, run.end, _excerpt(target, run.start, run.end))
            )
        if run.how == "base64" and len(re.findall(r"[A-Za-z]{2,}", run.text)) >= 4 and " " in run.text:
            found.append(
                InjectionMatch("hides words in base64", run.start, run.end, _excerpt(target, run.start, run.end))
            )
    for span in hidden_spans(text):
        # Hidden text is an attack signal: what a page shows a model and not a person is a finding once it
        # says anything, and at once when it holds an imperative or a routing word.
        if span.words >= 3 or _IMPERATIVE.search(span.text) or _ROUTING.search(span.text):
            label = (
                "hides an instruction in an HTML comment"
                if span.how == "an HTML comment" and (_IMPERATIVE.search(span.text) or _ROUTING.search(span.text))
                else f"hides text from a human reader ({span.how})"
            )
            found.append(InjectionMatch(label, span.start, span.end, _excerpt(text, span.start, span.end)))
    invisible = hidden_characters(text)
    if invisible:
        first = invisible[0]
        found.append(
            InjectionMatch(
                f"contains {len(invisible)} invisible character(s) that can hide text from a reader",
                first,
                first + 1,
                _excerpt(text, first, first + 1),
            )
        )
    return sorted(found, key=lambda m: m.start)


def injection_triggers(texts: Iterable[tuple[str, str]], *, known: Iterable[tuple[str, str]] = ()) -> list[Trigger]:
    """Return one ``injection`` trigger per text holding instructions aimed at the agent.

    ``texts`` are ``(label, text)`` pairs, e.g. ``("source s1", source.text)``; ``known`` are
    ``(label, description)`` findings an agent already reported, which are included as they are.
    """
    out: list[Trigger] = []
    for label, text in texts:
        matches = find_injections(text)
        if not matches:
            continue
        kinds = list(dict.fromkeys(m.pattern for m in matches))
        out.append(
            Trigger(
                kind="injection",
                reason=f"The {label} {'; it '.join(kinds)}: an agent reading it may have been steered, "
                "so check the proposal against the task, not against the text.",
                score=0.7,
                evidence=[m.excerpt for m in matches[:10]],
            )
        )
    reported = list(known)
    if reported:
        out.append(
            Trigger(
                kind="injection",
                reason=f"The agent itself reported {len(reported)} instruction(s) hidden in its sources; "
                "check the proposal against the task, not against those sources.",
                score=0.7,
                evidence=[f"{label}: {desc}"[:2_000] for label, desc in reported[:10]],
            )
        )
    return out
