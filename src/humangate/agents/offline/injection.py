"""Find text in untrusted sources that tries to instruct the agent instead of informing it.

English patterns live here; the same kinds of instruction in French, German, Spanish, Italian and
Portuguese, in any case and with or without accents, come from ``risk._injection_lexicon``.
"""

from __future__ import annotations

import re

from humangate.agents.offline.text import split_sentences
from humangate.agents.schemas import InjectionFinding, Source
from humangate.risk._injection_lexicon import hidden_characters, multilingual_matches

__all__ = ["find_injections", "looks_like_injection"]

_TARGET = r"(?:instructions?|prompts?|directions?|rules|guidelines|context|messages?)"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "override of earlier instructions",
        re.compile(
            rf"\b(?:ignore|disregard|forget|override|bypass|skip)\b[^.!?\n]{{0,40}}\b(?:previous|prior|above|earlier|"
            rf"preceding|all|any|your|the|system|original)\b[^.!?\n]{{0,20}}\b{_TARGET}\b",
            re.I,
        ),
    ),
    (
        "new instructions for the AI",
        re.compile(
            r"\b(?:new|updated|real|actual|hidden|secret)\s+(?:instructions?|task|orders?|system prompt)\s*[:\-]", re.I
        ),
    ),
    (
        "role reassignment",
        re.compile(
            r"\byou\s+are\s+(?:now|no\s+longer)\b|\b(?:act|behave|respond|pretend)\s+as\s+(?:if\s+you\s+(?:are|were)|an?|"
            r"the)\b[^.!?\n]{0,40}\b(?:assistant|ai|bot|model|agent|admin|developer)\b",
            re.I,
        ),
    ),
    (
        "message addressed to the AI",
        re.compile(
            r"\b(?:ai|assistant|chatbot|language model|llm|gpt|agent)s?\s*[,:]\s*(?:you\s+(?:must|should|will)|please|"
            r"do\s+not|don't|always|never)\b|\bif\s+you\s+are\s+an?\s+(?:ai|assistant|language model|llm|bot)\b"
            r"|\bas\s+an?\s+(?:ai|language model|llm)\b",
            re.I,
        ),
    ),
    (
        "request to send data elsewhere",
        re.compile(
            r"\b(?:e-?mail|send|forward|share|upload|post|export|leak|transmit)\b[^.!?\n]{0,60}\b(?:customer|client|"
            r"contact|user|employee|mailing)\s+(?:list|data|database|records|emails?|details)\b[^.!?\n]{0,60}"
            r"(?:\bto\b|@|https?://)",
            re.I,
        ),
    ),
    (
        "request for secrets",
        re.compile(
            r"\b(?:reveal|print|show|send|share|output|repeat)\b[^.!?\n]{0,40}\b(?:system prompt|api[ -]?keys?|"
            r"passwords?|credentials|secrets?|tokens?)\b",
            re.I,
        ),
    ),
    (
        "concealment from the reader",
        re.compile(
            r"\b(?:do not|don't|never)\s+(?:tell|inform|mention|reveal|show)\b[^.!?\n]{0,30}\b(?:the\s+)?(?:user|human|"
            r"reviewer|operator|recipient|customer)\b",
            re.I,
        ),
    ),
    (
        "chat-template markup",
        re.compile(
            r"<\|(?:im_start|im_end|system|user|assistant)\|>|\[/?INST\]|<<SYS>>|^#{2,}\s*(?:system|instruction)s?\b",
            re.I | re.M,
        ),
    ),
)


def looks_like_injection(text: str) -> str | None:
    """Return what kind of instruction ``text`` looks like, or None when it reads as information."""
    for name, pattern in _PATTERNS:
        if pattern.search(text):
            return name
    if found := multilingual_matches(text):
        return found[0][0]
    if hidden_characters(text):
        return "text hidden from the reader"
    return None


def find_injections(sources: list[Source]) -> list[InjectionFinding]:
    """Return one finding per source sentence that looks like an instruction to the agent."""
    findings: list[InjectionFinding] = []
    for source in sources:
        for sentence in split_sentences(source.text):
            pattern = looks_like_injection(sentence)
            if pattern is not None:
                findings.append(InjectionFinding(source_id=source.id, excerpt=sentence[:1_000], pattern=pattern))
    return findings
