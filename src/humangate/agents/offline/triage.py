"""Offline support analyst: VADER sentiment plus intent lexicons for refund, churn, legal, harm and handoff.

The lexicons (``lexicon_router``) and VADER scores are also the escalation router's features
(``humangate.risk.router``), re-exported here as ``LEXICONS``.
The suggested reply is written by ``humangate.agents.offline.replies``, whose ``template_sentences``
this module re-exports for the router.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # type: ignore[import-untyped]

from humangate.agents.offline.directives import read_directives
from humangate.agents.offline.lexicon_curt import bare_reply, status_request
from humangate.agents.offline.lexicon_irony import IRONY_CUES
from humangate.agents.offline.lexicon_marks import disguised_swearing
from humangate.agents.offline.lexicon_more import MORE
from humangate.agents.offline.lexicon_router import INTENT_WORDS, LEXICONS
from humangate.agents.offline.lexicon_tone import SNEER_CUES
from humangate.agents.offline.replies import compose_reply, template_sentences
from humangate.agents.offline.spelling import respelled
from humangate.core.schemas import SupportAnalysis, SupportMessage

__all__ = [
    "LEXICONS",
    "analyze",
    "deleet",
    "find_signals",
    "mixed_praise",
    "polarity",
    "sentiment",
    "sentiment_words",
    "template_sentences",
]

Urgency = Literal["low", "normal", "high"]


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    """Load VADER's lexicon once: it is read-only and takes a noticeable moment to parse."""
    return SentimentIntensityAnalyzer()


def sentiment(text: str) -> float:
    """Return VADER's compound score of ``text`` (-1 very negative .. 1 very positive)."""
    return float(_analyzer().polarity_scores(text)["compound"])


def polarity(text: str) -> tuple[float, float, float, float]:
    """Return VADER's (negative, neutral, positive, compound) scores of ``text``."""
    s = _analyzer().polarity_scores(text)
    return float(s["neg"]), float(s["neu"]), float(s["pos"]), float(s["compound"])


def sentiment_words() -> frozenset[str]:
    """Return the words of VADER's English lexicon (a vocabulary of everyday English)."""
    return frozenset(w for w in _analyzer().lexicon if w.isalpha())


_LEET = str.maketrans({"4": "a", "@": "a", "3": "e", "0": "o", "1": "i", "!": "i", "5": "s", "$": "s", "7": "t"})
_LEET_WORD = re.compile(r"(?<![\w@$!])(?=[\w@$!]*[A-Za-z])(?=[\w@$!]*[0-9@$])[A-Za-z0-9@$!]*[A-Za-z][A-Za-z0-9@$!]*")


_ONE = re.compile(r"\b(some|sum|any|no|every)1\b", re.I)
_SPELLED = {"sum": "some", "no": "no "}


def deleet(text: str) -> str:
    """Return ``text`` with simple leetspeak undone in words that mix letters and digits ("R3FUND" -> "REFUND").

    A "1" that spells "one" ("some1", "no1") is read as the word it spells.
    """
    text = _ONE.sub(lambda m: _SPELLED.get(m.group(1).lower(), m.group(1)) + "one", text)
    return _LEET_WORD.sub(
        lambda m: m.group(0).rstrip("!").translate(_LEET) + "!" * (len(m.group(0)) - len(m.group(0).rstrip("!"))), text
    )


@cache
def _more() -> dict[str, tuple[re.Pattern[str], ...]]:
    merged = {k: (*v, *MORE.get(k, ())) for k, v in LEXICONS.items()}
    return merged | {k: v for k, v in MORE.items() if k not in LEXICONS}


def find_signals(text: str, *, router: bool = False) -> dict[str, list[str]]:
    """Return, per lexicon, the phrases of ``text`` (or of it with leetspeak undone) that matched it.

    ``router`` reads the router's own lexicons on the text as written: its features, as it was calibrated.
    Otherwise strong words misspelled or spelled out are read as meant (``spelling.respelled``), and a swear word
    the customer disguised ("f*ck", "$hit") is read as a complaint.
    """
    found: dict[str, list[str]] = {}
    plain = text if router else deleet(text)
    texts: tuple[str, ...] = (text,) if router else tuple(dict.fromkeys((text, plain, respelled(plain))))
    for name, patterns in (LEXICONS if router else _more()).items():
        hits = [m.group(0).strip() for p in patterns for t in texts if (m := p.search(t))]
        if hits:
            found[name] = list(dict.fromkeys(hits))
    swearing = [] if router else disguised_swearing(text, plain)
    if swearing:
        found["complaint"] = list(dict.fromkeys([*found.get("complaint", []), *swearing]))
    return found


_SNEER = (
    re.compile(r"(?:^|[.!?,]\s*)not\W*$|\bfor nothing\b|\bas (?:always|usual)\b|\bkeep it up\b", re.I),
    # Waiting, counted: "on hold for two hours", "still 'processing' after a month".
    re.compile(
        r"\b(?:on hold|waiting|waited|still|after|for)\b[^.!?]{0,40}?\b(?:an?|one|two|three|four|five|several|many|"
        r"\d+|few)\s+(?:minutes?|hours?|days?|weeks?|months?)\b",
        re.I,
    ),
    re.compile(r"\bstill\s+(?:not|no|\W*[\"'\u201c]\w+|waiting|broken|down|missing|nothing)|\b(?:yet )?again\b", re.I),
)


def mixed_praise(text: str, signals: dict[str, list[str]] | None = None) -> list[str]:
    """Return the problem cues of a message that also praises: praise beside a problem is not positively safe.

    "great, third time this week, love it" and "Thanks for nothing." are sarcasm; the praise words make them
    read as positive, the other words say something went wrong.
    """
    praise = INTENT_WORDS["praise"].search(text) or re.search(
        r"\b(?:glad|wow|appreciate\w*|nice|wonderful|lovely|cheers|impressive|superb|terrific|splendid|marvell?ous|fab"
        r"|fabulous|super|stellar|bravo|well\s+done)\b",
        text,
        re.I,
    )
    if not praise:
        return []
    signals = find_signals(text) if signals is None else signals
    sneers = (*_SNEER, *SNEER_CUES, *IRONY_CUES, INTENT_WORDS["technical"])
    cues = [m.group(0).strip() for p in sneers if (m := p.search(text))]
    cues += [h for k in ("urgency", "complaint") for h in signals.get(k, [])]
    return list(dict.fromkeys(cues))


def _intent(text: str, signals: dict[str, list[str]], compound: float) -> str:
    for intent, lexicon in (
        ("legal", "legal"),
        ("cancellation", "churn"),
        ("refund", "refund"),
        ("handoff", "handoff"),
    ):
        if lexicon in signals:
            return intent
    problem = INTENT_WORDS["technical"].search(text) is not None
    if "complaint" in signals or (compound <= -0.5 and not problem):
        return "complaint"
    asks = "?" in text or re.match(r"\s*(?:how|what|when|where|why|who|which|can|could|is|are|does|do)\b", text, re.I)
    if INTENT_WORDS["praise"].search(text) and compound >= 0.5 and not asks:
        return "praise"
    if problem:
        return "technical"
    if INTENT_WORDS["billing"].search(text):
        return "billing"
    if asks:
        return "question"
    if INTENT_WORDS["praise"].search(text) and compound >= 0.3:
        return "praise"
    return "other"


def _urgency(signals: dict[str, list[str]], compound: float, intent: str) -> Urgency:
    if "legal" in signals or "urgency" in signals or compound <= -0.6 or ("churn" in signals and compound < 0):
        return "high"
    if intent in ("praise", "question", "other") and compound > -0.05:
        return "low"
    return "normal"


def analyze(message: SupportMessage) -> SupportAnalysis:
    """Return the sentiment, intent, urgency, risk signals and a suggested reply for one message."""
    own = sentiment(message.text)
    recent = [sentiment(h) for h in message.history[-3:]]
    # The newest message speaks for the customer now; history only tilts the reading.
    compound = round(0.75 * own + 0.25 * sum(recent) / len(recent), 4) if recent else round(own, 4)
    signals = find_signals(message.text)
    curt = bare_reply(message.text) if message.history else None
    if curt:  # "Sure." after earlier turns: what it accepts cannot be seen, so it is not read as safe
        signals["curt"] = [curt]
    chased = [h for h in message.history if status_request(h)]
    if chased and status_request(message.text):
        # Asking for news again after asking before: the customer is chasing, however politely.
        signals.setdefault("urgency", []).append(f"chased again after: {chased[-1][:60]}")
    sneer = mixed_praise(message.text, signals)
    if sneer:
        signals["sarcasm"] = sneer  # praise beside a problem: read as a complaint, never as praise
    if signals.keys() & {"legal", "churn", "refund", "handoff", "complaint", "sarcasm"}:
        # "Please refund me" reads as polite to VADER; a demand is not a positive message.
        compound = min(compound, 0.0)
    label = "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"
    intent = "complaint" if sneer and not signals.keys() & {"legal", "churn", "refund", "handoff"} else None
    intent = intent or _intent(message.text, signals, compound)
    additions = list(read_directives(message.instructions).additions)
    reply = compose_reply(message, intent, negative=label == "negative", additions=additions)
    # Confidence is how well the canned reply fits, not whether a person must look: that is the escalation
    # router's call in risk/, which reads the message itself. Every template is a safe holding reply.
    confidence = 0.9
    if (intent == "praise" and compound < 0) or (intent in ("legal", "cancellation") and compound > 0.3):
        confidence = 0.4  # the words and the tone disagree: a person should read it more carefully
    return SupportAnalysis(
        sentiment=max(-1.0, min(1.0, compound)),
        label=label,
        intent=intent,
        urgency=_urgency(signals, compound, intent),
        churn="churn" in signals,
        legal="legal" in signals,
        refund="refund" in signals,
        wants_human="handoff" in signals,
        signals=[f"{kind}: {hit}" for kind, hits in signals.items() for hit in hits][:50],
        suggested_reply=reply,
        confidence=confidence,
    )
