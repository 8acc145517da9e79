"""Tell when a part of a task limits or undoes the work: a time, a count or share, a recipient, "only", a retraction.

No graph enforces when a message goes out, how many of the items are answered, to whom besides the item
or from whose address, so a part that says any of these is a rule the offline planner cannot keep, and
the claim readers (``claims``) leave it unclaimed: every effect then waits for a person. The test is by
word class, not by phrase:

- a time: a weekday, a date, a clock time, a later part of the day ("this evening", "after lunch"), a
  delay counted in words or figures ("in two days", "after a week"), "not before", "until"; a deadline an
  immediate send meets ("today", "within a week") holds nothing;
- a count or a share of the items: "first 10", "at most", "half of them", "a few", "a sample", "the
  oldest ones", "every other one";
- a recipient or sender: an address, a domain, cc, "forward", "from my address", "as me";
- a draft that is not to be sent, a retraction, an exception ("other than", "apart from", "besides"), a
  cue the user gives ("on my word", "at my signal").
"""

from __future__ import annotations

import re

from humangate.agents.offline.wording import EXCEPT_PHRASE

__all__ = ["COUNT", "CUE", "DRAFT_ONLY", "ONLY", "RECIPIENT", "RETRACT", "SCHEDULE", "restricted"]


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


ONLY = _set("only just merely solely exclusively nur lediglich solo solamente unicamente seulement uniquement")
_DAYS = (
    r"tomorrow|tonight|weekend|later|next|monday|tuesday|wednesday|thursday|friday|saturday|sunday|morgen|"
    r"montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|manana|lunes|martes|miercoles|jueves|viernes|"
    r"sabado|domingo|demain|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
)
_MONTHS = r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
# A span of time, counted in figures or words: "in 2 days", "in two days", "after a week", "in a few hours".
_SPAN = (
    r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|a few|a couple of|couple of|few|"
    r"several|some)\s+(?:min|mins|minutes?|hours?|hrs?|days?|weeks?|months?|business days?|working days?)"
)
# Later parts of the day and ends of periods: "this evening", "after lunch", "end of the week". "Today" and
# "first thing in the morning" are the run's own time and hold nothing.
_DAYTIME = (
    r"evening|midnight|overnight|eow|end of (?:the )?(?:week|month|quarter)|next (?:week|month)|later today|"
    r"later this \w+|after (?:lunch|hours|close|work)"
)
SCHEDULE = re.compile(
    rf"\b(?:{_DAYS})\b|\b\d{{1,2}}(?::\d\d)?\s*(?:am|pm|h|uhr|o'clock)\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})"
    rf"\w*\b|\b(?:{_MONTHS})\w*\s+\d{{1,2}}\b|\b\d{{1,4}}[-/.]\d{{1,2}}[-/.]\d{{1,4}}\b|\b(?:not before|until|till)\b"
    rf"|\b(?:in|after|for)\s+(?:the next\s+|the\s+)?{_SPAN}\b|\b(?:{_DAYTIME})\b"
)
# Shares of the items ("half of them", "a few", "a sample"), and a pick by age or size ("the oldest ones").
_SHARE = (
    r"\b(?:some|most|half|few|couple|handful|portion|fraction|sample|samples|subset|selection|percent|"
    r"every other|every (?:second|third))\b|\b\d+\s*%\s+of\b"
    r"|\b(?:oldest|newest|latest|earliest|recent|biggest|largest|smallest|top|bottom)\b"
)
COUNT = re.compile(
    r"\b(?:first|last|top)\s+\d+|\bat (?:most|least)\b|\bno more than\b|\bup to\s+\d+|\bmax(?:imum)?\b|\blimit\w*|"
    r"\bcap\b|\btwice\b|\bthrice\b|\b(?:\d+|one|two|three|four|five|several|many|multiple)\s+times\b|"
    r"\bper (?:day|hour|week|minute|month)\b|\b\d+\s+(?:a|an|each) (?:day|hour|week|minute)\b|\bbatch\w*|" + _SHARE
)
# Whose address a message goes to or comes from: "cc me", "@example.com", "from my work address", "as me",
# "under the CEO's name", and addresses beyond the item's own: "each address you can find", "more contacts".
RECIPIENT = re.compile(
    r"\bb?cc\b|@|\b[\w-]+\.(?:com|org|net|gov|edu|io|co|de|fr|es|uk|eu|example)\b|\.gov\b|\baddress(?:es|ee)\b"
    r"|\brecipients?\b|\bdomains?\b|\bcopy (?:me|us|in)\b|\breply-to\b|\bforward\w*"
    r"|\b(?:from|under) (?:the )?(?:my|our|his|her|their|[a-z]+'s)(?: [\w-]+){0,2} (?:account|address|e-?mail|"
    r"inbox|mailbox|alias|name)\b|\b(?:as|from) (?:me|us|myself)\b"
    r"|\b(?:each|every|any|whatever|another|other|more|extra|additional) (?:e-?mail )?address\b"
    r"|\b(?:more|other|additional|extra) (?:contacts|people|recipients|addresses|emails|leads)\b"
)
DRAFT_ONLY = re.compile(
    r"\bdrafts\b|\bas (?:a )?draft|\bdraft (?:only|mode|form|state|folder)|\bin drafts?\b|\bhold\w*|\bheld\b|\bstag"
    r"(?:e|ed|es|ing)\b|\bqueue\w*|\bpark\w*|\bpaus\w*|\bsit on\b|\bdry[ -]?run|\btest\w*|\bpretend|\bsimulat\w*|"
    r"\bpreview|\bmanual\w*|\bauto-?send|\bunsent\b|\boutbox\b|\bwait\w*|\bschedul\w*|\bembargo"
)
RETRACT = re.compile(
    r"\bscratch\b|\bactually\b|\bsecond thought|\bnever ?mind\b|\binstead\b|\bcorrection\b|\bignore\b|\bundo\b|"
    r"\bcancel\b|\bforget (?:that|it|this|what|the above|about)\b|\bhold on\b|\bno wait\b|\brather\b|\bskip\w*|"
    r"\bexclud\w*|\bexcept\b|\bleave\b|\btouch\b"
)


# A cue the user gives: "on my word", "at my signal", "upon Dana's nod".
CUE = re.compile(
    r"\b(?:on|at|upon|after|with|given|from) (?:my|our|[a-z]+'s) (?:own )?(?:word|signal|mark|command|cue|go|"
    r"go-ahead|say-?so|nod|call|instruction|instructions|order|orders|ok|okay|sign-?off|green ?light)\b"
)


def restricted(folded: str, words: list[str]) -> bool:
    """Return whether the folded part limits or undoes the work: a time, a count, a recipient, "only", a retraction."""
    return bool(
        any(w in ONLY for w in words)
        or SCHEDULE.search(folded)
        or COUNT.search(folded)
        or RECIPIENT.search(folded)
        or DRAFT_ONLY.search(folded)
        or RETRACT.search(folded)
        or EXCEPT_PHRASE.search(folded)
        or CUE.search(folded)
    )
