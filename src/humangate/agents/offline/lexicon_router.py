"""The router's own lexicons: refund, churn, legal, harm, handoff, urgency and complaint, and the intent words.

These are the escalation router's features as it was trained and calibrated on them (``risk.router``); changing
one changes every calibrated score. What the hard rules read on top is in ``lexicon_more``.
"""

from __future__ import annotations

import re

__all__ = ["INTENT_WORDS", "LEXICONS"]

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
INTENT_WORDS = {
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
