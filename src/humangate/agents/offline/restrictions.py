"""Tell when a part of a task limits or undoes the work: a time, a count or share, a recipient, "only", a retraction.

No graph enforces when a message goes out, how many of the items are answered, to whom besides the item
or from whose address, so a part that says any of these is a rule the offline planner cannot keep, and
the claim readers (``claims``) leave it unclaimed: every effect then waits for a person. The test is by
word class, not by phrase:

- a time: a day, a part of the day, a clock time, an event or a pace (see ``timing``); a deadline an
  immediate send meets ("today", "within a week") holds nothing;
- a count or a share of the items: "first 10", "first five", "3 of them", "at most", "half of them", "a
  few", "a sample", "the majority", "the oldest ones", "every other one", and a bare number as the whole
  object ("send one", "start with a few");
- a condition on the world, judgment, or a doubt ("where the order is late", "as needed", "maybe"; see
  ``conditions``); a channel, an attachment or another message than the reply (see ``channels``); a form,
  material, sender or repeat the drafters do not have (see ``manner``);
- a recipient or sender: an address, a domain, cc, "forward", "from my address", "as me";
- a draft that is not to be sent (also "Entwürfe", "rascunhos", "a drill"), a retraction ("instead",
  "stattdessen"), an exception ("other than", "apart from", "besides"), a cue the user gives ("on my word",
  "at my signal", "on command").
"""

from __future__ import annotations

import re

from humangate.agents.offline.channels import unsupported
from humangate.agents.offline.conditions import conditional
from humangate.agents.offline.manner import unheeded
from humangate.agents.offline.timing import SCHEDULE, timed
from humangate.core.wording import EXCEPT_PHRASE

__all__ = ["COUNT", "CUE", "DRAFT_ONLY", "ONLY", "RECIPIENT", "RETRACT", "SCHEDULE", "SOLE_COUNT", "restricted"]


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


ONLY = _set("only just merely solely exclusively nur lediglich solo solamente unicamente seulement uniquement")
# Shares of the items ("half of them", "a few", "a sample"), and a pick by age or size ("the oldest ones").
_SHARE = (
    r"\b(?:some|most|half|few|couple|handful|portion|fraction|sample|samples|subset|selection|percent|"
    r"every other|every (?:second|third))\b|\b\d+\s*%\s+of\b"
    r"|\b(?:majority|minority|the bulk|lion's share|as many as|nearly all|almost all|to the extent)\b"
    r"|\b(?:oldest|newest|latest|earliest|recent|biggest|largest|smallest|top|bottom)\b"
)
COUNT = re.compile(
    r"\b(?:first|last|top|next)\s+(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|dozen)\b|\b\d+(?:st|nd|rd"
    r"|th)\s+\d+|"
    r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|a dozen)\s+of\s+(?:them|these|those|the|our|all)\b"
    r"|\bat (?:most|least)\b|\bno more than\b|\bup to\s+\d+|\bmax(?:imum)?\b|\blimit\w*|"
    r"\bcap\b|\btwice\b|\bthrice\b|\b(?:\d+|one|two|three|four|five|several|many|multiple)\s+times\b|"
    r"\bper (?:day|hour|week|minute|month)\b|\b\d+\s+(?:a|an|each) (?:day|hour|week|minute)\b|\bbatch\w*|"
    # a percentage of the work: "send them 50%", "reply to the 5% who complained"
    r"\b(?:send|answer|reply|respond|email|do|handle|process|contact|write)\w*(?: [\w-]+){0,3} \d+\s*%|" + _SHARE
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
# The work cut down to a number with nothing after it to spread it over the items: "send one", "start with a
# few", "do a single one as a test" (not "send one email to each lead").
SOLE_COUNT = re.compile(
    r"^(?:send|reply|answer|respond|email|do|try|handle|process|write|start with|begin with|start by sending|"
    r"go with)\s+(?:to\s+)?(?:just |only |the )?(?:one|a single one|a single|single|a|\d+|two|three|four|five|a few|"
    r"a couple|a handful)(?:\s+(?:one|ones|of them|ticket|tickets|reply|replies|email|emails|message|messages|"
    r"first|now|for now|to start|as a test|only|and stop|and see))*$"
)
DRAFT_ONLY = re.compile(
    r"\bdrafts\b|\bas (?:a )?draft|\bdraft (?:only|mode|form|state|folder)|\bin drafts?\b|\bhold\w*|\bheld\b|\bstag"
    r"(?:e|ed|es|ing)\b|\bqueue\w*|\bpark\w*|\bpaus\w*|\bsit on\b|\bdry[ -]?run|\btest\w*|\bpretend|\bsimulat\w*|"
    r"\bpreview|\bmanual\w*|\bauto-?send|\bunsent\b|\boutbox\b|\bwait\w*|\bschedul\w*|\bembargo"
    # drafts and holding back in the other languages: "Entwürfe", "halte sie zurück", "rascunhos", "als concept"
    r"|\bentwurf\w*|\bzuruckhalt\w*|\bhalt\w* (?:\w+ ){0,3}zuruck\b|\brascunh\w*|\bborrador\w*|\bbrouillon\w*"
    r"|\bbozz[ae]\b|\bals concept\b|\bconcepten\b|\bdrill\b|\brehears\w*"
)
RETRACT = re.compile(
    r"\bscratch\b|\bactually\b|\bsecond thought|\bnever ?mind\b|\binstead\b|\bcorrection\b|\bignore\b|\bundo\b|"
    r"\bcancel\b|\bforget (?:that|it|this|what|the above|about)\b|\bhold on\b|\bno wait\b|\brather\b|\bskip\w*|"
    r"\bexclud\w*|\bexcept\b|\bleave\b|\btouch\b"
    r"|\bstattdessen\b|\bplutot\b|\binvece\b|\bin plaats\b|\ben (?:su )?lugar\b|\bem vez\b|\bau lieu\b"
)


# A cue the user gives: "on my word", "at my signal", "upon Dana's nod".
CUE = re.compile(
    r"\b(?:on|at|upon|after|with|given|from) (?:my|our|[a-z]+'s) (?:own )?(?:word|signal|mark|command|cue|go|"
    r"go-ahead|say-?so|nod|call|instruction|instructions|order|orders|ok|okay|sign-?off|green ?light)\b"
    r"|\b(?:on|upon|at) (?:command|cue|signal|request|demand)\b"
)


def restricted(folded: str, words: list[str]) -> bool:
    """Return whether the folded part limits or undoes the work: a time, a count, a recipient, "only", a retraction."""
    return bool(
        any(w in ONLY for w in words)
        or timed(folded, words)
        or COUNT.search(folded)
        or SOLE_COUNT.search(folded)
        or RECIPIENT.search(folded)
        or DRAFT_ONLY.search(folded)
        or RETRACT.search(folded)
        or EXCEPT_PHRASE.search(folded)
        or CUE.search(folded)
        or conditional(folded)
        or unsupported(folded)
        or unheeded(folded)
    )
