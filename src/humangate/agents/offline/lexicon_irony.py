"""Sarcasm that reads polite and rhetorical questions, read on top of the router's lexicons (see ``lexicon_more``).

A sarcastic customer uses the words of a satisfied one; what gives it away is the shape of the sentence, not a
complaint word, so each pattern below is a shape:

- flat praise of the answer, intensified and said with a full stop and nothing else ("Very helpful, thanks.",
  "Well, that was useful."); said with an exclamation mark or beside what it solved it is thanks, and answered;
- praise that opens on a repeat ("Great, another update that...", "Yay, more waiting"), "oh" before praise
  ("Oh joy", "Oh perfect."), "love how ..." about something that keeps going wrong, thanks for a runaround
  ("Thanks for wasting my time", "Appreciate being kept on hold"), praise of the service closed by "really" or
  "as ever", and a wait for a reply counted in days ("only three weeks for a reply");
- understatement ("less than ideal", "a little cross", "cheesed off") and exasperation in two words ("lol what",
  "wow. just wow.");
- a rhetorical question: "since when ...?", "who thought this was a good idea?", "are you kidding me?", "how many
  more emails ...?", "where is the accountability?", "when were you planning to tell me?", "you people".

``IRONY_CUES`` are the failures that, beside praise, read as sarcasm (``triage.mixed_praise``): a product that
breaks, wipes or logs out, said as a verb.
"""

from __future__ import annotations

import re

from humangate.agents.offline._lexicon_util import compiled as _compiled

__all__ = ["IRONY", "IRONY_CUES"]

# Each alternative below is a distinct word ending at a boundary, and no two quantified parts can match the same
# text: a run of repeated words is split one way only (tests/test_redteam_support_fifth.py times the worst shapes).
_PRAISE = (
    r"(?:great|perfect|lovely|brilliant|wonderful|fantastic|marvell?ous|super|amazing|splendid|excellent|terrific"
    r"|awesome|nice|good|cool|outstanding|stellar|superb|fab|fabulous|top\s+notch|first\s+class|impressive)"
)
_INTENSE = r"(?:very|so|really|super|extremely|incredibly|truly|most|ever\s+so|oh\s+so|sooo+)"
_USEFUL = r"(?:helpful|useful|informative|reassuring|insightful|enlightening|illuminating|clear|kind\s+of\s+you)"
_THANKS = r"(?:thanks|thank\s+you|cheers|ta|really|indeed|truly)"
_WAIT = (
    r"(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|several|many|a\s+few|\d+)\s+(?:full\s+)?"
    r"(?:hours?|days?|weeks?|months?)"
)
_REPLY = (
    r"(?:a\s+|an\s+|any\s+|the\s+|your\s+)?(?:reply|response|answer|call\s*back|acknowledge?ment)|(?:you\s+to\s+|"
    r"someone\s+to\s+|anyone\s+to\s+|somebody\s+to\s+)?(?:reply|respond|answer|hear\s+back|get\s+back|call\s+(?:me\s+)?back)"
)
_RUNAROUND = (
    r"(?:nothing|runaround|run\s+around|non-?answer|silence|hassle|headache|wait|delay|stress|(?:same|canned|automated|generic"
    r"|copy-?(?:and-?)?paste|useless|pointless)\s+(?:reply|response|answer|e-?mail)|wast\w+|ignor\w+|hang\w*\s+up"
    r"|mak\w+\s+me\s+(?:wait|repeat|chase|explain|jump|go\s+round)|(?:keep\w*|kept|leav\w+|left)\s+me\s+(?:waiting"
    r"|on\s+hold|hanging|in\s+the\s+dark|guessing|without)|clos\w+\s+my\s+(?:ticket|case|complaint|chat)\s+(?:without"
    r"|unresolved)|cutting\s+me\s+off|(?:being|getting)\s+(?:ignored|kept\s+(?:waiting|on\s+hold|in\s+the\s+dark)"
    r"|left\s+(?:waiting|on\s+hold|in\s+the\s+dark)|passed\s+around|fobbed|cut\s+off|hung\s+up|charged|billed))"
)
_GOES_WRONG = (
    r"(?:always|every\s*time|each\s+time|keeps?|kept|constantly|still|again|never|nobody|no\s*one|have\s+to|has\s+to"
    r"|had\s+to|late|ignor\w+|charg\w+|lost|los(?:e|es|ing)|broke\w*|break\w*|crash\w*|wip(?:e|es|ed|ing)"
    r"|delet\w+)"
)

IRONY: dict[str, tuple[re.Pattern[str], ...]] = {
    "complaint": _compiled(
        # Flat praise of the answer: "Very helpful, thanks.", "So useful. Really.", "Well, that was helpful."
        rf"^\W*(?:wow,?\s+)?(?:{_THANKS}[\s,.]+)?{_INTENSE}\s+{_USEFUL}(?:\s+indeed)?(?:[\s,.]+{_THANKS})*\s*\.*\s*$",
        rf"^\W*well,?\s+(?:that|this)\s+was\s+(?:{_INTENSE}\s+)?(?:{_USEFUL}|{_PRAISE})(?:[\s,.]+{_THANKS})*\s*\.*\s*$",
        # Praise that opens on a repeat: "Great, another update that...", "Yay, more waiting", "Oh good, again".
        rf"^\W*(?:oh,?\s+)?(?:{_PRAISE}|yay|hooray|woo+hoo+|joy)[\s,.!]+(?:just\s+)?(?:yet\s+another|another|more|again)"
        r"\b(?!\s+(?:question|quick|thing|query|one|tip|request|small))",
        # The same praise said twice: "Cool. Really cool.", "Well done, really well done", "Lovely, just lovely".
        rf"^\W*(?:oh,?\s+)?(?P<praise>{_PRAISE}|well\s+done|nice\s+one|good\s+job)[\s,.!]+(?:just|really|truly|simply"
        r"|absolutely|so)\s+(?P=praise)\b",
        # "Oh" before praise, or a bare exclamation of joy: "Oh joy", "Oh perfect.", "How lovely."
        r"^\W*oh,?\s+(?:joy|goody|goodie|happy\s+day|how\s+(?:lovely|wonderful|nice|fun))\b",
        rf"^\W*oh,?\s+{_PRAISE}(?:[\s,.]+(?:just|really|truly|simply)\s+{_PRAISE})?\s*[.\u2026]*\s*$",
        r"^\W*how\s+(?:lovely|wonderful|nice|delightful|fun|thoughtful|convenient)\s*[.\u2026]*\s*$",
        # "Love how ..." about something that keeps going wrong.
        rf"\b(?:gotta\s+|got\s+to\s+|you\s+have\s+to\s+|I\s+just\s+|I\s+)?(?:love|adore|enjoy)\s+(?:how|that|the\s+way"
        rf"|it\s+when)\b[^.!?]{{0,80}}?\b{_GOES_WRONG}\b",
        rf"\b(?:nice|great|good|lovely|wonderful)\s+how\b[^.!?]{{0,80}}?\b{_GOES_WRONG}\b",
        # Thanks for a runaround: "Thanks for wasting my time", "Appreciate being kept on hold".
        rf"\b(?:thanks|thank\s+you|cheers|appreciate|grateful)(?:\s+(?:so|very|a\s+lot|again|much|really))*\s+(?:for\s+)?"
        rf"(?:the\s+|your\s+|all\s+the\s+|another\s+|absolutely\s+|yet\s+another\s+)?{_RUNAROUND}",
        # Glad to pay for it, nice to know where one stands: "So glad I pay for this", "Nice to know I matter".
        r"\b(?:so\s+)?glad\s+(?:I|we)(?:'m|\s+am|'re|\s+are)?\s+(?:pay|paid|paying)\s+for\s+(?:this|that|it)\b",
        r"\b(?:nice|good|great|lovely)\s+to\s+(?:know|see)\s+(?:that\s+)?(?:my|our|loyal|your\s+(?:loyal\s+)?customers?"
        r"|customers?|I|we)\b[^.!?]{0,40}\b(?:matters?|counts?|comes?\s+last|means?\s+(?:nothing|so\s+much)|is\s+valued"
        r"|priority|important)\b|\btreated\s+like\s+(?:a\s+|an\s+)?(?:number|criminal|idiot|child|dirt|rubbish|nobody"
        r"|nothing|an?\s+inconvenience)\b",
        # Praise of the service closed by "really" or "as ever": "Such great service, truly.", "Stellar, as always".
        rf"\b{_PRAISE}\s+(?:customer\s+)?(?:service|support|work|job|experience|communication)\s*,\s*(?:really|truly"
        r"|honestly|as\s+(?:ever|always|usual))\W*$",
        r"\b(?:10/10|five\s+stars?|5\s+stars?)\b[^.!?]{0,30}\b(?:silence|wait\w*|ignor\w+|again)\b",
        # A wait for a reply counted in hours or more: "only three weeks for a reply", "took 10 days to respond".
        rf"\b(?:only|just|a\s+mere|took|takes|taking|taken)\s+(?:you\s+|them\s+|me\s+|us\s+)?{_WAIT}\s+(?:for|to|before"
        rf"|until)\s+(?:{_REPLY})\b",
        # Said less than meant: "less than ideal", "a little cross", "cheesed off", and exasperation in two words.
        r"\bless\s+than\s+(?:ideal|great|impressed|happy|satisfactory|stellar|helpful|pleased|thrilled)\b",
        r"\b(?:miffed|peeved|irked|narked|gutted|cheesed\s+off|hacked\s+off|browned\s+off|brassed\s+off|bummed(?:\s+out)?)"
        r"\b|\b(?:I'?m|am|feel\w*|we'?re|are|bit|little|very|quite|rather|really|tad|getting)\s+cross\b",
        r"^\W*(?:lol|lmao|bro|bruh|um+|uh+|erm+|wait|sorry)[\s,.]+what\W*$|^\W*wow[\s,.!]+(?:just\s+)?wow\b|\bjeez\s+louise\b",
        # Rhetorical questions that need no complaint word.
        r"\bsince\s+when\s+(?:is|are|was|were|do|does|did|has|have|can|could)\b",
        r"\bwho\s+(?:on\s+earth\s+|exactly\s+|actually\s+)?(?:designed|thought|decided|approved|signed\s+off\s+on"
        r"|came\s+up\s+with)\s+(?:this|that|these|it)\b",
        r"\b(?:are\s+you|you(?:'re|\s+are|'ve\s+got\s+to\s+be|\s+have\s+got\s+to\s+be|\s+must\s+be|\s+have\s+to\s+be))"
        r"\s+(?:kidding|joking|having\s+a\s+laugh|taking\s+the\s+(?:piss|mick\w*))\b",
        r"^\W*(?:really|honestly|seriously|unbelievable|un-?real|come\s+on)\s*[?!.\u2026]*\s*$",
        r"\bhow\s+many\s+more\s+(?:times|e-?mails|calls|messages|chats|tickets|weeks|days|months|hours|years)\b",
        r"\bwhere\s+is\s+(?:the|your)\s+(?:accountability|responsibility|professionalism|respect|common\s+sense"
        r"|decency|urgency|apology|customer\s+service|duty\s+of\s+care)\b",
        r"\bwhen\s+(?:exactly\s+)?(?:were|was)\s+(?:you|they|anyone|someone|somebody)\s+(?:planning|going|intending"
        r"|thinking|meaning)\s+(?:on\s+|of\s+)?(?:to\s+)?(?:tell|telling|let|letting|inform|informing|notify|notifying"
        r"|mention|mentioning|contact|contacting)\b",
        r"\bwhy\s+would\s+(?:I|we|anyone|anybody)\s+(?:ever\s+|still\s+|now\s+)?(?:trust|use|recommend|pay|buy"
        r"|believe|come\s+back|stay|order|choose)\b",
        r"\bdo\s+you\s+(?:really\s+|honestly\s+|seriously\s+|actually\s+)?think\s+(?:this|that|it)(?:'s|\s+is)\s+(?:ok"
        r"|okay|acceptable|fair|reasonable|right|normal|good\s+enough|funny)\b",
        r"(?<!thank\s)(?<!thanks\s)\byou\s+people\b",
    ),
}

IRONY_CUES = _compiled(
    r"\b(?:breaks|broke|wip(?:es|ed)|delet(?:es|ed)|ruin(?:s|ed)|los(?:es|t)\s+(?:my|all|our)|logs?\s+(?:me|us)\s+out"
    r"|reset(?:s)?\s+(?:my|our|all)|nobody\s+asked\s+for|makes?\s+(?:things|it|everything)\s+worse)\b",
)
