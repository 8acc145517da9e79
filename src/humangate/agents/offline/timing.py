"""Tell when a part of a task times the send: a day, a part of the day, a clock time, an event, a pace.

No graph schedules a message: each one goes out when its run reaches the send. So a part of the task that
says when the send must happen is a rule the offline planner cannot keep, and the claim readers leave it
unclaimed (every effect then waits for a person). The test is by word class, not by phrase:

- a day or a date: a weekday, "tomorrow" (and "tmrw", "tomorow"), "next week", "3 March", "until";
- a part of the day or a clock time, whatever the preposition: "in the morning", "this afternoon", "at
  noon", "at lunchtime", "at 9", "by noon", "before 5", "during business hours", "am Nachmittag", "por la
  tarde", "dans la matinée". The product has no clock of the user's day and does not know their time zone,
  so it cannot tell a deadline still ahead ("by noon") from one that makes the send wait ("at noon"); a
  hold on a deadline costs a click, a send before its time cannot be recalled;
- an event the send waits on, which the product cannot see: "before the meeting", "following the board
  vote", "upon confirmation", "pending legal review", "post-launch", "nach dem Meeting";
- a wait or a moment of the recipient's: "in a bit", "eventually", "at the best time", "in their time
  zone", "at 9 their time"; and a pace: "gradually", "over the week", "in waves".

What an immediate send meets holds nothing: "today", "now", "right away", "soon", "within a week", "within
the hour", "this morning" (the current day and the part of it the user is in, like "today"), and "first
thing in the morning" (an idiom for "as early as you can"). A greeting ("good morning") is no time.
"""

from __future__ import annotations

import re

from humangate.core.wording import matches

__all__ = ["SCHEDULE", "timed"]

_DAYS = (
    r"tomorrow|tonight|tonite|weekend|later|next|monday|tuesday|wednesday|thursday|friday|saturday|sunday|morgen|"
    r"montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|manana|lunes|martes|miercoles|jueves|viernes|"
    r"sabado|domingo|demain|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|tmrw|tmr|tmw|tmrow|2moro|2morrow|"
    r"2mrw|amanha|domani|domattina|morgenochtend|spater|tard|tardi|luego|depois|"
    r"prochaine?|proxim[ao]|prossim[ao]|nachste\w*|volgende|irgendwann|ooit"
)
_MONTHS = r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
# A span of time, counted in figures or words: "in 2 days", "in two days", "after a week", "in a few hours".
_SPAN = (
    r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|a few|a couple of|couple of|few|"
    r"several|some)\s+(?:min|mins|minutes?|hours?|hrs?|days?|weeks?|months?|business days?|working days?)"
)
# Parts of the day, in the languages the planner reads: "in the morning", "am Nachmittag", "por la tarde".
_PARTS = (
    r"evening|evenings|midnight|overnight|mornings?|afternoons?|noon|midday|lunch|lunchtime|lunch-time|dawn|"
    r"daybreak|sunrise|sunset|dusk|nights?|the am|the pm|a\.m|p\.m|"
    r"vormittags?|nachmittags?|mittags?|abends?|morgens|fruh|nachts|"
    r"tarde|mediodia|madrugada|noche|manha|noite|"
    r"matin|matinee|apres-midi|midi|soir|soiree|"
    r"mattina|mattinata|pomeriggio|mezzogiorno|sera|stasera|"
    r"ochtend|ochtends|'s ochtends|middag|middags|vanmiddag|avond|vanavond"
)
# Ends of periods, hours of business, and later today: "end of the week", "during business hours", "COB".
_PERIODS = (
    r"eow|eod|cob|eob|end of (?:the )?(?:week|month|quarter|day|business)|next (?:week|month)|later today|"
    r"later this \w+|after (?:hours|close|work)|(?:start|open|opening|close|closing) of (?:business|play|day)|"
    r"(?:business|office|working|work|opening|school) hours|half past|quarter (?:past|to)|o'?clock"
)
# A clock time with no unit after it: "at 9", "by 5", "at 10 sharp", "at 9 their time", "a las 9", "om 9 uur".
_CLOCK = (
    r"\b(?:at|by|before|after|around|from|until|till|um|a las|alle|om|as|a|vers|ab|bis|hacia|antes de las)\s+"
    r"\d{1,2}(?:[:.h]\d\d)?(?=\s*(?:$|[^\w\s%]|(?:sharp|their|your|our|local|uhr|uur|h|hrs|tomorrow|today|tonight|"
    r"on|in|and|or|then|please|pls|am|pm|pst|est|cet|cest|gmt|utc|bst|et|pt|ct)\b))"
    # hours of a day: "between 9 and 5", "from 9 to 5" (not "between 50 and 80 words")
    r"|\b(?:from|between) (?:[01]?\d|2[0-3])(?::\d\d)? ?(?:am|pm)?,? ?(?:to|and|-|till|until)? ?(?:[01]?\d|2[0-3])"
    r"(?::\d\d)? ?(?:am|pm|o'?clock)?(?=\s*(?:$|[^\w\s%]|(?:their|local|on|every|each|daily|only|please)\b))"
)
# Events the send waits on: "before the meeting", "following the board vote", "upon confirmation".
_EVENT_NOUNS = (
    r"meeting|call|standup|stand-up|sync|launch|release|announcement|event|webinar|demo|deal|signing|vote|"
    r"review|update|holidays?|break|conference|trip|migration|fix|incident|outage|merger|closing|presentation|"
    r"interview|board|approval|sign-?off|confirmation|go-?live|rollout|deploy\w*|payment|funding|press"
)
_EVENTS = (
    rf"\bbefore (?:the|our|my|their|this|next|a|an|his|her|its|your|tomorrow'?s|today'?s|[a-z]+'s)\b"
    rf"|\b(?:following|post|pre|after)[- ](?:the |our |my |their |this |next |a |an |[a-z]+'s )?(?:\w+ )?"
    rf"(?:{_EVENT_NOUNS})\b|\bupon\b|\bpending\b|\bsubject to\b|\bcontingent\b|\bdepending on\b"
    r"|\b(?:ahead of|prior to|in advance of|in time for)\b|\b(?:while|whilst) (?:i|i'm|we|we're|you're|they're"
    r"|[a-z]+ is|"
    r"[a-z]+'s)\b|\bduring (?:my|our|the|his|her|their|your|[a-z]+'s) (?!writing|reply|replies)\w+"
    r"|\b(?:nach|vor) (?:dem|der|den|einem|einer)\b|\bdespues de\b|\bdepois d[aoe]s?\b|\bdopo\b|\bna de\b"
)
# A wait with no length, a moment of the recipient's, and a pace.
_VAGUE = (
    r"\b(?:in|after) a (?:bit|while|moment|sec|second|jiffy|little while)\b|\beventually\b|\bsometime\b"
    r"|\bsome ?day\b|\bin due course\b|\bat (?:some|a later|a good|the best|the right|the optimal|the ideal|an? "
    r"(?:appropriate|suitable|sensible|good|better|later)) (?:point|time|moment|date|hour)\b"
    r"|(?:\b(?:at|in|by|during|within|before|after|around|until|till)|\d) their (?:time|morning|afternoon|evening"
    r"|day|timezone|time ?zone|local time|working hours|business hours)\b"
    r"|\btime ?zones?\b|\blocal time\b|\b(?:best|optimal|ideal|right) (?:time|moment|slot)\b"
    r"|\ben algun momento\b|\bun de ces jours\b|\bprima o poi\b|\bpoco a poco\b|\bpetit a petit\b"
    r"|\bat a time (?:when|that|they|it|you|of day)\b|\b(?:when|while) they(?:'re| are) (?:likely|most likely|online"
    r"|awake)\b"
    r"|\bgradually\b|\bslowly\b|\b(?:go|send|reply|answer|move|work|run)\w* (?:\w+ )?slow\b"
    r"|\bstagger\w*|\btrickl\w*|\bdrip\w*|\bspac\w+ (?:them |it |these )?out\b"
    r"|\bspread\w* (?:them |it |these )?(?:out|over)\b|\bin (?:waves|stages|phases|rounds|chunks|tranches)\b"
    r"|\bover (?:the (?:next |coming )?|a |two |three |several |the course of )(?:day|days|week|weeks|month)\b"
    r"|\bover time\b|\bthrottl\w*"
)
# A clock time in words: "at nine", "by six sharp", "around 9ish"; "at three locations" counts, it does not time.
_WORD_CLOCK = (
    r"\b(?:at|by|before|after|around|until|till) (?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
    r"\b(?! (?:of|days?|weeks?|hours?|minutes?|months?|\w+s)\b)|\b\d{1,2}ish\b"
    r"|\bthe (?:first|last|\d{1,2}(?:st|nd|rd|th)?) of (?:the|each|every|next) (?:month|week|year)\b"
)
SCHEDULE = re.compile(
    rf"\b(?:{_DAYS})\b|\b\d{{1,2}}(?::\d\d)?\s*(?:am|pm|h|uhr|o'clock)\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})"
    rf"\w*\b|\b(?:{_MONTHS})\w*\s+\d{{1,2}}\b|\b\d{{1,4}}[-/.]\d{{1,2}}[-/.]\d{{1,4}}\b|\b(?:not before|until|till)\b"
    rf"|\b(?:in|after|for)\s+(?:the next\s+|the\s+)?{_SPAN}\b|\b(?:on )?the \d{{1,2}}(?:st|nd|rd|th)\b"
    rf"|(?<![\w'])(?:{_PARTS})(?![\w'-])|\b(?:{_PERIODS})\b|{_CLOCK}|{_WORD_CLOCK}|{_EVENTS}|{_VAGUE}"
)
# What an immediate send meets, and greetings: taken out before the test.
_NOW = re.compile(r"\bfirst thing in the morning\b|\bthis morning\b|\bgood (?:morning|afternoon|evening|night)\b")
# Time words typed one letter off ("mornin", "tomorow", "afternon"): six letters or more, one edit away.
_TYPED = ("morning", "tomorrow", "afternoon", "evening", "lunchtime", "midday", "tonight")


def timed(folded: str, words: list[str]) -> bool:
    """Return whether the folded part says when the send happens, beyond what an immediate send meets."""
    plain = _NOW.sub(" ", folded)
    if SCHEDULE.search(plain):
        return True
    now = {w for m in _NOW.findall(folded) for w in m.split()}  # "this morning" is not "mornin"
    return any(len(w) >= 6 and w not in now and any(matches(w, t) for t in _TYPED) for w in words if w.isalpha())
