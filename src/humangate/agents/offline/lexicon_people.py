"""Who the customer is and what they are going through, said indirectly (read on top of the router's lexicons).

Vulnerable customers rarely name their situation: money runs out before payday, a partner must not learn a new
address, a visa is pending, the writer is fifteen, a form times out for someone who types slowly. Each pattern is
a sentence shape of one such situation, read as ``vulnerable``; a child put at risk through the product (a stranger
messaging them, age-restricted goods sold to them) is ``harm``; a purchase a child made without permission is a
``dispute``; money lost to someone posing as the business, or to a stranger given control of the customer's
computer, is ``harm``.
"""

from __future__ import annotations

import re

from humangate.agents.offline._lexicon_util import compiled as _compiled

__all__ = ["PEOPLE"]

_CHILD = (
    r"(?:toddlers?|child(?:ren)?|kids?|sons?|daughters?|grand(?:son|daughter|child)s?|teen(?:ager)?s?|stepson|"
    r"stepdaughter|\d{1,2}[- ]?(?:year|yr)[- ]?old)"
)
_CAN_NOT = r"(?:can'?t|cant|cannot|can\s+not|couldn'?t|mustn'?t|must\s+not|don'?t\s+want\s+to|do\s+not\s+want\s+to)"
_PARTNER = r"(?:him|her|them|my\s+(?:ex(?:-\w+)?|husband|wife|partner|boyfriend|girlfriend|abuser|family))"
_TEEN_AGE = r"(?:1[0-7]|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen)"
_NOT_AN_AGE = (
    r"(?!\s*(?:%|min|mins|minutes?|hours?|hrs?|days?|weeks?|months?|pounds?|quid|dollars?|euros?|kg|kilos?|lbs?|miles?"
    r"|km|am\b|pm\b|o'?clock|[:.,]\d|st\b|nd\b|rd\b|th\b|items?|orders?|times?|people|of\b|out\s+of|in\s+line"
    r"|points?|feet|foot|ft\b|cm\b|inch\w*|short|late|behind|away|ahead|percent|%|quid|bucks?|grand|k\b|x\b))"
)

PEOPLE: dict[str, tuple[re.Pattern[str], ...]] = {
    "vulnerable": _compiled(
        # Money running out: between jobs, pounds left until payday, heating or eating, behind on everything.
        r"\b(?:sleeping\s+rough|rough\s+sleep\w*|living\s+on\s+the\s+streets?)\b|\bbetween\s+jobs\b|\b(?:out\s+of|lost\s+(?:my|our)|losing\s+(?:my|our))\s+(?:work|job|jobs|income)\b"
        r"|\b(?:until|till|til|before)\s+(?:pay\s*day|my\s+(?:wages|pay|salary|benefits|pension)\s+(?:come|comes|go|"
        r"goes)\s+in)\b|\bheat(?:ing)?\s+(?:and|or|vs)\s+eat(?:ing)?\b|\beat(?:ing)?\s+(?:and|or|vs)\s+heat(?:ing)?\b",
        rf"\b{_CAN_NOT}\s+(?:cover|manage|meet|make)\s+(?:this|it|that|the\s+(?:bill|payment|rent|instal\w*|amount|cost"
        r"|fee)s?|(?:my|the)\s+(?:payments?|bills?|rent))\b|\bbehind\s+(?:on|with)\s+(?:everything|(?:my|the|all\s+(?:my|"
        r"the)|our)\s+(?:bills|payments|rent|mortgage))\b|\bnothing\s+(?:left\s+)?for\s+(?:food|rent|the\s+kids)\b",
        # A payment moved to payday or split: "I get paid on the 28th, can it wait?", "half now and half next month".
        r"\b(?:I|we)\s+(?:get|am|'m|are|'re)\s+paid\s+(?:on|at|next)\b[^.!?]{0,60}\b(?:wait|delay|hold|push|move|until|till"
        r"|after|later)\b|\bpay\s+(?:half|part|some|a\s+bit|a\s+little)\s+(?:of\s+it\s+)?now\s+and\s+(?:the\s+rest|half|part"
        r"|some|the\s+other\s+half)\b",
        # A partner or a family member who must not learn where the customer is.
        rf"\b{_CAN_NOT}\s+(?:let\s+|tell\s+)?{_PARTNER}\s+(?:know|find\s+out|find\s+me|see|where|have\s+my|my\s+(?:new\s+)?"
        r"(?:address|number|location|details))\b|\b(?:for\s+my\s+(?:own\s+)?safety|fleeing|fled|escap(?:e|ed|ing)\s+"
        r"(?:from\s+)?(?:my|an?)\s+(?:abusive|violent|controlling)?\s*(?:partner|husband|wife|ex|relationship|home))\b",
        # Immigration status, however it is named.
        r"\b(?:asylum(?:\s+seekers?)?|refugees?|refugee\s+status|undocumented|immigration\s+(?:status|case|hearing|"
        r"appeal|papers|lawyer|solicitor)|residence\s+permit|residency\s+permit|leave\s+to\s+remain|right\s+to\s+(?:remain"
        r"|work|rent)|biometric\s+residence|no\s+recourse\s+to\s+public\s+funds|visa\s+(?:application|status|is\s+being"
        r"|has\s+expired|expired|expires|was\s+refused|refused|renewal))\b|(?-i:\bBRP\b|\bARC\s+card\b)"
        r"|\b(?:pre-?)?settled\s+status\b",
        # A minor writing: "I'm 15", "im 13", "under 18", "I'm a minor".
        rf"\b(?:I'?m|im|i\s+am|we'?re|we\s+are|(?:me|I)\s+and\s+my\s+\w+\s+are)\s+(?:only\s+|just\s+|a\s+|both\s+)?"
        rf"{_TEEN_AGE}\b{_NOT_AN_AGE}"
        r"|\b(?:I'?m|im|i\s+am)\s+(?:still\s+)?(?:a\s+minor|under\s*(?:age|18|16|13)|not\s+(?:18|eighteen)\s+yet)\b"
        r"|\b(?:I'?m|im|i\s+am)\s+(?:a\s+)?(?:\w+\s+)?(?:and\s+)?under\s+(?:18|16|13)\b",
        r"\b(?:I'?m|im|i\s+am)\s+(?:only\s+)?(?:in|at)\s+(?:year\s+(?:[5-9]|1[0-3])|(?:[5-9]th|1[0-2]th|sixth|seventh|eighth"
        r"|ninth|tenth|eleventh)\s+grade|middle\s+school|high\s+school|secondary\s+school|primary\s+school|sixth\s+form"
        r"|junior\s+high)\b",
        # Access needs said as a condition or as what the customer cannot do.
        r"\b(?:I'?m|I\s+am|I\s+have|I'?ve\s+got|diagnosed\s+with|my\s+\w+\s+(?:is|has))\s+(?:\w+\s+)?(?:dyslexi\w*|autis\w*"
        r"|adhd|dyspraxi\w*|neurodivergent|aphasia|tinnitus|deaf\w*|blind|anxiety|agoraphobi\w*|ocd|depression)\b",
        r"\b(?:text\s*phone|textphone|minicom|typetalk|relay\s+uk|video\s+relay|step[- ]free|hearing\s+aids?)\b"
        r"|\bI\s+type\s+(?:very\s+)?slowly\b|\bexplain\s+(?:it|things|this)\s+(?:very\s+)?(?:slowly|simply)\b|\b(?:can'?t|cannot|"
        r"unable\s+to)\s+(?:hear|see)\s+(?:very\s+well|well|properly|the\s+(?:agent|screen|person|advisor|adviser))\b|\b"
        r"(?:can'?t|cannot|unable\s+to)\s+(?:get|go|walk|climb|manage)\s+(?:up|down)\s+(?:the\s+)?stairs\b",
        # An older customer or a relative helping one.
        r"\b(?:I'?m|I\s+am|(?:my\s+)?(?:mum|mom|mother|dad|father|nan|gran|grandma|grandad|grandpa|aunt|uncle)\s+is)"
        r"\s+(?:[89]\d|1[01]\d)\b(?:\s+years?\s+old\b|(?=\s*(?:[.!?,;]|and\b|now\b|this\b|next\b|$)))",
    ),
    "harm": _compiled(
        # Someone else signing in: "I think someone else has been logging in".
        r"\b(?:some(?:one|body)\s+else|a\s+stranger|another\s+person)\s+(?:has\s+been\s+|have\s+been\s+|is\s+|keeps\s+)?"
        r"(?:logging|signing|logged|signed)\s+(?:in|on)\b",
        # An identity used by someone else: "someone set up a direct debit in my name".
        r"\b(?:someone|somebody|a\s+stranger|they|he|she)\b[^.!?]{0,40}\b(?:in|under|using)\s+my\s+(?:name|identity)\b"
        r"|\b(?:was|were|has\s+been|have\s+been)\s+(?:opened|set\s+up|taken\s+out|applied\s+for|registered)\s+in\s+my\s+name\b",
        # A child reached through the product by a stranger, or sold what they may not buy.
        rf"\b(?:strangers?|adults?|(?:a|an|some)\s+(?:older\s+)?(?:man|woman|guy|person|user|adult|account))\s+(?:has\s+been"
        rf"\s+|have\s+been\s+|is\s+|are\s+|keeps?\s+|kept\s+)?(?:messag\w+|contact\w+|talk\w+\s+to|chat\w*\s+(?:to|with)"
        rf"|ask\w*|send\w*|follow\w*|add\w*|groom\w*)\s+(?:to\s+)?(?:my|our)\s+(?:\w+\s+)?{_CHILD}\b",
        rf"\b{_CHILD}\b[^.!?]{{0,40}}\b(?:order\w*|bought|buy|sold|purchas\w*|deliver\w*|got)\b[^.!?]{{0,30}}\b(?:vapes?"
        r"|e-?cigs?|cigarettes|tobacco|alcohol|vodka|beer|wine|knives|knife|blades?|energy\s+drinks|lottery|fireworks"
        r"|gambling|bets?)\b",
        # Money lost to someone posing as the business, or to a stranger given control of the computer.
        r"\b(?:site|website|page|shop|store|account|seller|app|profile|number)\s+(?:using|with|that\s+(?:uses|used|had"
        r"|has)|copying|pretending\s+to\s+be)\s+(?:your|the)\s+(?:logo|name|brand\w*|company\s+name)\b",
        r"\bremote(?:ly)?\s+(?:in(?:to)?|access\w*|control\w*|connect\w*)\s+(?:to\s+)?(?:my|our|his|her)\s+(?:computer"
        r"|laptop|pc|phone|device|screen|mac)\b|\b(?:anydesk|teamviewer|remote\s+access\s+(?:app|software|tool))\b",
    ),
    "dispute": _compiled(
        # A purchase a child made without the parent's say.
        rf"\b{_CHILD}\b[^.!?]{{0,60}}\b(?:without\s+(?:my|our|asking|permission|me\s+knowing|us\s+knowing|telling)|"
        r"using\s+my\s+(?:card|account|e-?mail|details|password))\b",
    ),
}
