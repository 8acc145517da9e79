"""Offline support analyst: VADER sentiment plus intent lexicons for refund, churn, legal, harm and handoff.

The lexicons and VADER scores are also the escalation router's features (``humangate.risk.router``).
The suggested reply is written by ``humangate.agents.offline.replies``, whose ``template_sentences``
this module re-exports for the router.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # type: ignore[import-untyped]

from humangate.agents.offline.directives import read_directives
from humangate.agents.offline.lexicon_more import MORE
from humangate.agents.offline.lexicon_tone import SNEER_CUES
from humangate.agents.offline.replies import compose_reply, template_sentences
from humangate.agents.schemas import SupportAnalysis, SupportMessage

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

_DEPARTMENT = (
    r"(?:reception|front desk|concierge|restaurant|spa|gym|pool|room service|housekeeping|cleaners?|"
    r"billing|sales|support|accounts?)"
)
_HUMAN = (
    r"(?:(?:a|an|the|your|some|some of your|one of your|another|other|actual|real|live|normal)\s+)*"
    r"(?:real\s+|actual\s+|live\s+|normal\s+|human\s+|non-?robotic\s+|bank\s+|customer\s+service\s+"
    r"|support\s+)*(?:(?:person|people|human|agent|manager|supervisor|representative|rep|operator|advisor|"
    rf"adviser|staff|worker|employee|colleague|receptionist|team)s?|someone|somebody|{_DEPARTMENT}(?:\s+team)?)"
)

LEXICONS: dict[str, tuple[re.Pattern[str], ...]] = {
    "legal": tuple(
        re.compile(p, re.I)
        for p in (
            r"\b(?:my|our|a)\s+(?:lawyer|attorney|solicitor|legal team|legal counsel)\b",
            r"\b(?:sue|suing|lawsuit|legal action|take you to court|small claims|class action)\b",
            r"\bcharge-?backs?\b",
            r"\breport(?:ing)?\s+(?:you|this|your company)\s+to\b",
            r"\b(?:ombudsman|trading standards|consumer protection|regulator|ftc|bbb|gdpr complaint)\b",
        )
    ),
    "churn": tuple(
        re.compile(p, re.I)
        for p in (
            r"\bcancel(?:l?ing|l?ed)?\s+(?:my|our|the)\s+(?:subscription|account|plan|membership|contract|service)\b",
            r"\bI'?m\s+cancel+ing\b|\bwe(?:'re| are)\s+cancel+ing\b",
            r"\bclos(?:e|ing)\s+(?:my|our)\s+(?:account|accounts|workspace)\b",
            r"\b(?:switching|moving|going|migrating)\s+(?:over\s+)?to\s+(?:a\s+|your\s+|another\s+)?"
            r"(?:competitor|another|different|other)\b",
            r"\b(?:taking|take)\s+(?:my|our)\s+business\s+elsewhere\b",
            r"\b(?:leave|leaving)\s+(?:the bank|your (?:bank|service|company|platform)|for good)\b",
            r"\bnever\s+(?:use|buy|order|book)\b[^.!?]{0,30}\bagain\b",
            r"\b(?:terminate|end)\s+(?:my|our|the)\s+(?:contract|subscription|account)\b",
        )
    ),
    "refund": tuple(
        re.compile(p, re.I)
        for p in (
            r"\brefund(?:s|ed)?\b",
            r"\bmoney back\b",
            r"\breimburs\w*",
            r"\b(?:charged|billed)\s+(?:me\s+)?twice\b",
            r"\bdouble[- ](?:charged|billed)\b",
            r"\bduplicate (?:payment|charge)\b",
            r"\bcharge-?backs?\b",
            r"\bwant\s+(?:my|those|the|these)\s+[^.!?]{0,25}\bback\b",
            r"\bcompensat\w+",
        )
    ),
    "handoff": tuple(
        re.compile(p, re.I)
        for p in (
            rf"\b(?:speak|talk|chat|discuss\s+\w+|deal)(?:ing)?\s+(?:directly\s+)?(?:to|with)\s+{_HUMAN}\b",
            rf"\b(?:put|pass|transfer|connect|escalate|forward|send|get)\s+me\s+(?:through\s+|on\s+|over\s+)?"
            rf"(?:to|with)\s+{_HUMAN}\b",
            rf"\b(?:put|transfer|connect|pass)\s+me\s+(?:through\s+)?(?:to|with)\s+(?:the\s+)?{_DEPARTMENT}\b",
            rf"\b(?:speak|talk)\s+(?:directly\s+)?(?:to|with)\s+(?:the\s+|your\s+)?{_DEPARTMENT}\b",
            rf"\b(?:get|give)\s+me\s+{_HUMAN}\b",
            r"\bget\s+(?:a|an)\s+(?:human|person|manager|supervisor)\b",
            r"\b(?:get|find)\s+(?:me\s+)?(?:someone|somebody)\s+(?:else\s+)?to\s+(?:help|call|look)\b",
            r"\b(?:real|actual|live|human)\s+(?:person|human|agent|being)\b",
            r"\b(?:with|to)\s+a\s+(?:machine|bot|robot)\b",
            r"\b(?:bots?|virtual agents?|machine)\b.{0,40}\b(?:stupid|useless)\b",
            r"\bthis\s+(?:bot|conversation|chat)\s+is\s+(?:not\s+(?:working|helping|leading)|useless|pointless|stupid)\b",
            r"\b(?:can|could)\s+(?:somebody|someone)\s+else\b",
            rf"\b(?:reach|contact)\s+{_HUMAN}\b",
            r"\b(?:don't|do not|dont)\s+want\s+to\s+(?:talk|speak|chat)\s+(?:to|with)\s+(?:you|a\s+(?:bot|machine))\b",
            r"\b(?:someone|somebody)\s+(?:there\s+)?to\s+(?:talk|speak)\s+to\b",
            r"\b(?:somebody|someone)\s+(?:else\s+)?on\s+the\s+line\b",
            rf"^\W*(?:the\s+)?{_DEPARTMENT}(?:\s+team)?,?\s+please\W*$",
            r"\bhuman\s+please\b",
        )
    ),
    "urgency": tuple(
        re.compile(p, re.I)
        for p in (
            # Deadline words alone ("today", "right now", "!!") say when, not that something is wrong:
            # they are features of the router, not reasons on their own.
            r"\burgent(?:ly)?\b",
            r"\basap\b",
            r"\bas soon as possible\b",
            r"\bemergency\b",
            r"\b(?:outage|locked out|can't log ?in|cannot log ?in)\b",
            r"\bthird time\b",
            r"\bstill waiting\b",
        )
    ),
    "harm": tuple(
        re.compile(p, re.I)
        for p in (
            r"\b(?:kill|hurt|harm|cut)\s+(?:my|him|her|them|your|you)sel(?:f|ves)\b",
            r"\b(?:suicid\w*|self[- ]harm\w*|end (?:it all|my life)|want to die|overdos\w*)\b",
            r"\b(?:i(?:'ll| will| am going to|'m going to)|gonna)\s+(?:kill|hurt|shoot|stab|attack|find)\s+"
            r"(?:you|him|her|them|someone|somebody|your)\b",
            r"\bthreat(?:en(?:ed|ing)?)?\s+(?:me|my|us)\b",
            r"\b(?:injur(?:ed|y|ies)|hospitali[sz]ed|poison(?:ed|ing)|caught fire|exploded|electric shock)\b",
            r"\b(?:fraud|scammed|stolen|hacked|identity theft|unauthori[sz]ed (?:payment|transaction|charge)s?)\b",
        )
    ),
    "complaint": tuple(
        re.compile(p, re.I)
        for p in (
            r"\b(?:unacceptable|ridiculous|worst|terrible|awful|disgusting|useless|incompetent|pathetic|scam|rip-?off|"
            r"theft|fed up|furious|outraged|disappointed|frustrat\w+|appalling|shocking)\b",
            r"\bnobody (?:answers|replies|helps)\b",
            r"\b(?:still|again) (?:not|no)\b",
        )
    ),
}
_INTENT_WORDS = {
    "billing": re.compile(
        r"\b(?:invoice|bill(?:ing|ed)?|charge[ds]?|payment|receipt|vat|pricing|price|plan|"
        r"subscription|card)\b",
        re.I,
    ),
    "technical": re.compile(
        r"\b(?:error|bug|crash\w*|broken|not working|doesn't work|stopped working|fail\w*|timeout|timed out|"
        r"outage|down|not loading|won't load|can't log ?in|cannot log ?in|locked out|5\d\d|4\d\d)\b",
        re.I,
    ),
    "praise": re.compile(
        r"\b(?:thank(?:s| you)|love|great|fantastic|amazing|awesome|excellent|brilliant|perfect\w*|"
        r"helpful|kudos)\b",
        re.I,
    ),
}


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


def deleet(text: str) -> str:
    """Return ``text`` with simple leetspeak undone in words that mix letters and digits ("R3FUND" -> "REFUND")."""
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
    """
    found: dict[str, list[str]] = {}
    lexicons, texts = (LEXICONS, (text,)) if router else (_more(), tuple(dict.fromkeys((text, deleet(text)))))
    for name, patterns in lexicons.items():
        hits = [m.group(0).strip() for p in patterns for t in texts if (m := p.search(t))]
        if hits:
            found[name] = list(dict.fromkeys(hits))
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
    praise = _INTENT_WORDS["praise"].search(text) or re.search(
        r"\b(?:glad|wow|appreciate\w*|nice|wonderful|lovely|cheers|impressive|superb|terrific|splendid|marvell?ous|fab"
        r"|fabulous|super|stellar|bravo|well\s+done)\b",
        text,
        re.I,
    )
    if not praise:
        return []
    signals = find_signals(text) if signals is None else signals
    cues = [m.group(0).strip() for p in (*_SNEER, *SNEER_CUES, _INTENT_WORDS["technical"]) if (m := p.search(text))]
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
    problem = _INTENT_WORDS["technical"].search(text) is not None
    if "complaint" in signals or (compound <= -0.5 and not problem):
        return "complaint"
    asks = "?" in text or re.match(r"\s*(?:how|what|when|where|why|who|which|can|could|is|are|does|do)\b", text, re.I)
    if _INTENT_WORDS["praise"].search(text) and compound >= 0.5 and not asks:
        return "praise"
    if problem:
        return "technical"
    if _INTENT_WORDS["billing"].search(text):
        return "billing"
    if asks:
        return "question"
    if _INTENT_WORDS["praise"].search(text) and compound >= 0.3:
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
