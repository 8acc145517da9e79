"""Rights, money and accounts in a customer's own words, read on top of the router's lexicons (``lexicon_more``).

Privacy: the customer asks what personal data is held, who it was shared with, where it came from, what an app
collects, for a copy of a call recording, or is still sent marketing after unsubscribing. Taking it further: the
customer's bank, a council, head office, advice sought, a record kept "of everything". An account used by someone
else: a new device, an order the customer never placed, a balance gone. A charge disputed calmly: a refusal to pay,
a price or voucher to be honoured, a price raised after the order, a charge without warning, a discount not given,
money asked for because something failed (a discount for a late delivery, service credits owed under a contract). A
veiled plan ("you will be hearing from us", "through other channels") takes it further. Hardship and access needs:
homelessness, a bill the customer cannot pay, a payment plan, an accessible format, a named condition.
"""

from __future__ import annotations

import re

from humangate.agents.offline._lexicon_util import compiled as _compiled

__all__ = ["RIGHTS"]


_YOU = r"(?:you|u|ya|your\s+(?:company|team|firm|app|site|website|service))"
_MY_DATA = (
    r"(?:my|our)\s+(?:personal\s+)?(?:data|information|info|details|e-?mail(?:\s+address)?|(?:phone\s+)?number|address)"
)
_CAN_NOT = r"(?:can'?t|cant|cannot|can\s+not|couldn'?t|unable\s+to|not\s+able\s+to)"
_REFUSE = r"(?:(?:I'?m|im|I\s+am|we'?re|we\s+are)\s+not|(?:I|we)\s+(?:won'?t|wont|will\s+not|refuse\s+to))"

RIGHTS: dict[str, tuple[re.Pattern[str], ...]] = {
    "privacy": _compiled(
        r"\b(?:wh?at|which|how\s+much)\s+(?:of\s+)?(?:my\s+)?personal\s+(?:data|information|info|details)\b",
        rf"\b(?:everything|anything|all|whatever|what)\s+(?:that\s+)?{_YOU}\s+(?:hold|have|keep|store|collected|know)\s+"
        r"(?:on\s+file\s+)?(?:on|about)\s+(?:me|us)\b",
        rf"\b(?:what|which|how\s+much)\s+(?:data|information|info|details)\s+(?:do|does|have|did)\s+{_YOU}\s+(?:\w+\s+)?"
        r"(?:have|hold|keep|store|collect|got|share|sell)\s+(?:on|about|of|for)\s+(?:me|us)\b",
        rf"\b(?:who|which\s+(?:companies|third\s+parties|partners|firms))\s+(?:have|has|did|do)\s+{_YOU}\s+(?:\w+\s+)?(?:shar"
        r"\w*|sold|sell\w*|pass\w*|giv\w*|disclos\w*)\s+(?:my|our)\b",
        rf"\b(?:what|how)\s+(?:(?:do|does|will|did)\s+)?{_YOU}\s+(?:do|does|did)?\s*(?:with|use|process|handle)\s+{_MY_DATA}\b",
        rf"\bhow\s+long\s+(?:do|will|does|did|would)\s+{_YOU}\s+(?:keep|hold|store|retain)\s+(?:on\s+to\s+)?{_MY_DATA}\b",
        rf"\b(?:where|how)\s+(?:(?:did|do|does)\s+)?{_YOU}\s+(?:get|got|obtain\w*|f(?:i|ou)nd|source\w*)\s+{_MY_DATA}\b",
        r"\b(?:copy|copies|recording|transcript)\s+of\s+(?:the|my|our|that)\s+(?:phone\s+)?(?:call|conversation|chat)\b"
        r"|\bcall\s+recordings?\b",
        r"\bwhy\s+(?:does|do|would|is|did)\s+(?:your|the|this)\s+(?:app|site|website|service|extension|device)\s+(?:need|want"
        r"|ask|require|request|track|collect|read|access|record|share)\w*\b",
        rf"\b(?:see|view|read|copy\s+of|access)\s+(?:the\s+|all\s+(?:the\s+)?|any\s+)?(?:notes|records|information|file|"
        rf"history|recordings?)\s+(?:(?:that\s+)?{_YOU}\s+(?:hold|have|keep)\s+)?(?:on|about)\s+(?:me|us|my\s+account|our"
        r"\s+account)\b",
        # Someone with authority asks about a customer: a disclosure only a person may make.
        r"\b(?:this\s+is|I'?m|I\s+am|we\s+are|we'?re)\s+(?:the\s+|a\s+|an\s+|from\s+the\s+)?(?:police|police\s+officer|"
        r"detective|investigator|bailiff|journalist|reporter|court\s+officer)\b",
        r"\bunsubscribed\b[^.!?]{0,60}\b(?:still|again|another|keep|keeps|get|got|getting|receiv\w*|sent)\b|\b(?:after|since"
        r"|though|when)\s+(?:I|we)\s+(?:\w+\s+)?unsubscribed\b|\b(?:still|keep)\s+(?:getting|receiving)\s+(?:your\s+)?"
        r"(?:marketing|promotional|spam|newsletters?)\b",
    ),
    "escalating": _compiled(
        r"\b(?:take|taking|took|taken)\s+(?:this|it|the\s+matter|matters|things)\s+(?:further|higher|to\s+the\s+next\s+level)\b",
        r"\b(?:speak|speaking|talk|talking|contact|contacting|call|calling|writ(?:e|ing)|complain\w*|rais(?:e|ing)\s+(?:this|"
        r"it)|report\w*|go|going|escalat\w+|tak(?:e|ing)\s+(?:this|it))\s+(?:this\s+|it\s+)?(?:to|with)\s+(?:my|your|the)\s+"
        r"(?:local\s+)?(?:bank|card\s+(?:company|provider|issuer)|credit\s+card\s+company|council|head\s+office|headquarters"
        r"|hq|(?:managing\s+)?director|board|local\s+paper|newspaper|police|mp|congressman|senator|councillor)\b",
        r"\b(?:contact\w*|call\w*|ring\w*|phon\w*|notify\w*|inform\w*|alert\w*)\s+(?:my|our)\s+(?:bank|card\s+(?:company"
        r"|provider|issuer)|credit\s+card\s+company)\b",
        r"\b(?:seek|seeking|sought|take|taking|took|get|getting)\s+(?:some\s+)?(?:legal\s+|professional\s+|independent\s+)?"
        r"advice\b(?!\s+(?:on|about|from\s+you))",
        r"\b(?:keeping|kept|keep)\s+(?:a\s+)?(?:record|records|copies|a\s+log|notes|evidence)\s+of\s+(?:everything|all|this|"
        r"every)\b|\b(?:gathering|collecting|compiling|documenting)\s+(?:all\s+)?(?:the\s+|my\s+)?(?:evidence|proof|"
        r"records|documentation)\b|\b(?:taken|took|have|got|saved|kept)\s+(?:screenshots|photos|pictures|copies|evidence|recordings)\s+of\s+"
        r"(?:everything|all\s+of\s+(?:this|it)|every\s+\w+|the\s+whole)\b",
        # A business customer's account manager, a consumer body, a plan to have it out in person, a veiled plan.
        r"\b(?:rais\w+|escalat\w+|tak\w+|discuss\w*|flag\w*)\s+(?:this|it|the\s+matter)\s+(?:up\s+)?with\s+(?:our|my|your"
        r"|the)\s+(?:account\s+manager|customer\s+success\s+manager|account\s+director|relationship\s+manager)\b"
        r"|(?-i:\bWhich\?)|\b(?:citizens\s+advice|consumer\s+council|better\s+business\s+bureau)\b",
        r"\b(?:sort|deal\s+with|have\s+it\s+out|settle)\s+(?:it|this|things|this\s+out|it\s+out)\s+(?:out\s+)?(?:in\s+person"
        r"|face\s+to\s+face)\b|\bI\s+know\s+what\s+(?:I|we)\s+(?:need|have|must|'ve\s+got|got)\s+to\s+do\b|\byou(?:'ll|\s+will"
        r"|\s+shall)\s+be\s+hearing\s+from\s+(?:me|us|my|our)\b|\b(?:through|via|by|using)\s+(?:other|different|another"
        r"|alternative|official|formal|proper)\s+(?:channels?|means|routes?|avenues?)\b",
    ),
    "harm": _compiled(
        # Someone posing as the business.
        r"\b(?:claim\w*|pretend\w*|purport\w*)\s+to\s+be\s+(?:from\s+)?(?:you|your\s+(?:company|bank|team|staff|firm)|us)\b",
        # An account used by someone else.
        r"\b(?:new|unknown|unrecogni[sz]ed|strange|unfamiliar|suspicious)\s+(?:device|login|log-?in|sign-?in|session|location"
        r"|ip(?:\s+address)?)s?\s+(?:on|in|to|from|for|added\s+to)\s+(?:my|our)\s+(?:account|acount|acct|profile)\b",
        r"\b(?:order|purchase|payment|transaction|booking|subscription|delivery|transfer)s?\b[^.!?]{0,40}\b(?:I|we)\s+(?:never"
        r"|didn'?t|did\s+not|haven'?t|have\s+not)\s+(?:place|placed|make|made|order|ordered|book|booked|authori[sz]ed?|request"
        r"|requested|buy|bought)\b",
        r"\b(?:someone|somebody|a\s+stranger|another\s+person|some(?:one|body)\s+else)\s+(?:has\s+|have\s+)?(?:logged|signed"
        r"|got|gotten|broke|broken)\s+(?:in(?:to)?|on\s*to|on)\s+(?:my|our)\b",
    ),
    "dispute": _compiled(
        rf"\b{_REFUSE}\s+(?:be\s+)?pay(?:ing|in'?)?\s+(?:this|that|it|for\s+(?:this|that|it)|the\s+\w+|past|beyond|after|any\s*more"
        r"|a\s+(?:penny|cent))\b",
        r"\b(?:want|expect|need)\s+(?:it|this|them|that)\s+honou?red\b|\bhonou?r\s+(?:the|my|your|that|this)\s+(?:[\w-]+\s+)?"
        r"(?:price|voucher|quote|offer|deal|discount|code|coupon|booking|warranty|guarantee)\b",
        r"\bprice\s+(?:went\s+up|increased|changed|rose|jumped|doubled)\s+(?:after|once|when|since)\s+(?:I|we)\s+(?:had\s+)?"
        r"(?:ordered|paid|booked|bought|signed)\b",
        r"\b(?:turned|converted|rolled|changed)\s+(?:in)?to\s+(?:a\s+)?paid\b|\b(?:charg\w*|bill\w*|renew\w*|debit\w*|paid"
        r"|subscri\w*|upgrad\w*)\b[^.!?]{0,40}\bwithout\s+(?:any\s+)?(?:warning|notice|notification|asking\s+(?:me|us)|"
        r"telling\s+(?:me|us)|(?:my|our)\s+(?:consent|permission|agreement))\b",
        r"\b(?:charged|paid|billed)\s+(?:me\s+|us\s+)?(?:the\s+)?full\s+price\b",
        # A charge for what the customer understood to be free or included.
        r"\b(?:I\s+thought|I\s+was\s+under\s+the\s+impression|I\s+understood|it\s+said|you\s+said|I\s+assumed|I\s+was\s+"
        r"told|supposed\s+to\s+be)\b[^.!?]{0,40}\b(?:free|included|no\s+charge|no\s+extra\s+cost|complimentary)\b"
        r"|\bsupposed\s+to\s+be\s+(?:charged|billed|paying)\b",
        r"\b(?:points|balance|credit|funds|vouchers?|miles|rewards)\b[^.!?]{0,30}\b(?:disappeared|vanished|gone\s+missing|"
        r"been\s+(?:taken|drained|emptied|wiped|removed)|(?:gone|dropped|reset)\s+to\s+(?:zero|0|nothing))\b",
        r"\b(?:charg|bill|debit)\w*\s+(?:me|us)\s+(?:twice|two\s+times|double|three\s+times)\b",
        # Money asked for because something failed: a discount for a late delivery, credits owed under a contract.
        r"\b(?:discount|credit|voucher|goodwill|money\s+off|something\s+off|partial\s+refund|price\s+reduction|compensation"
        r"|reduction)\b[^.!?]{0,40}\b(?:since|because|as|for|given|after|due\s+to)\b[^.!?]{0,30}\b(?:late|lateness|delay\w*"
        r"|damaged|broken|missing|faulty|wrong|cold|never\s+(?:came|arrived)|inconvenience|trouble|hassle|problems?|issues?"
        r"|outage|downtime|mix-?up|mistake|error)\b|\b(?:goodwill\s+gesture|gesture\s+of\s+goodwill)\b",
        r"\b(?:credits?|refunds?|amount|compensation|invoices?|charges?|bill|discount)\b[^.!?]{0,40}\b(?:don'?t|doesn'?t|do\s+not"
        r"|does\s+not|didn'?t|isn'?t|aren'?t)\s+(?:reflect|cover|match|add\s+up|account\s+for)\b",
        r"\bwhere(?:'?s|\s+is|\s+has)?\s+(?:my|our)\s+(?:money|cash|funds|deposit)(?:\s+gone)?\s*(?:[?.!]|$)",
        r"\b(?:need|want|claim\w*|request\w*|expect\w*|owed|due|entitled\s+to|apply\s+for|ask\w*\s+for)\b[^.!?]{0,30}"
        r"\bservice\s+credits?\b|\bservice\s+credits?\b[^.!?]{0,30}\b(?:owed|due|entitled|for\s+the\s+(?:downtime|outage"
        r"|incident))\b|\bcredits?\s+(?:that\s+)?(?:we'?re|we\s+are|I'?m|I\s+am|we|I)\s+(?:are\s+|am\s+)?(?:owed|due"
        r"|entitled\s+to)\b|\bcredits?\s+(?:to\s+be\s+)?applied\s+to\s+(?:our|my|the)\s+(?:next\s+)?(?:invoice|bill|account)\b",
    ),
    "vulnerable": _compiled(
        r"\b(?:homeless|no\s+fixed\s+(?:abode|address)|sofa[- ]surfing|living\s+in\s+(?:my\s+car|a\s+(?:hostel|shelter|"
        r"refuge))|(?:women'?s\s+)?refuge|emergency\s+accommodation|(?:being\s+|been\s+)?evicted|eviction)\b",
        rf"\b{_CAN_NOT}\s+(?:afford\s+to\s+)?pay\b[^.!?]{{0,20}}\b(?:this\s+month|in\s+full|the\s+full|the\s+bill|this\s+bill"
        r"|until|till|on\s+time|right\s+now|at\s+the\s+moment|it\s+back|that\s+back|the\s+balance)\b",
        rf"\b(?:fee|bill|charge|amount|debt|balance|invoice|payment|fine)s?\s+(?:that\s+)?(?:I|we)\s+{_CAN_NOT}\s+(?:afford|pay)\b",
        # Shut out of the digital channels.
        r"\b(?:I|we)\s+(?:don'?t|do\s+not|can'?t|cannot)\s+(?:use|have|access)\s+(?:e-?mail|the\s+internet|computers?|a\s+"
        r"computer|a\s+smartphone|smartphones|online\s+banking)\b",
        # Spending the customer cannot control: gambling, compulsive buying.
        rf"\b{_CAN_NOT}\s+(?:control|stop|limit)\s+(?:my\s+)?(?:spending|gambling|betting|buying|shopping)\b|\b(?:gambling"
        r"|betting|spending|shopping)\s+(?:problem|addiction)\b",
        r"\b(?:payment\s+(?:holiday|arrangement|break)|repayment\s+plan|(?:set|setting)\s+up\s+a\s+payment\s+plan)\b",
        r"\bEnglish\s+(?:is\s*n[o']t|is\s+not)\s+my\s+(?:first|native|main|mother)\s+(?:language|tongue)\b|\bmy\s+English"
        r"\s+is\s+(?:not|n't|bad|poor|limited|weak)\b|\b(?:I|we)\s+(?:don'?t|do\s+not|can'?t|cannot)\s+(?:speak|read|"
        r"understand)\s+(?:much\s+|good\s+|very\s+(?:good|well|much)\s+)?English\b",
        r"\b(?:braille|large\s+print|easy[- ]read|sign\s+language|text\s+relay|relay\s+service|hearing\s+loop|"
        r"accessible\s+(?:format|version|copy))\b|(?-i:\bBSL\b)",
        r"\b(?:I\s+have|I'?ve\s+got|I\s+suffer\s+(?:from|with)|diagnosed\s+with|living\s+with|(?:my|our)\s+\w+\s+(?:has|have))"
        r"\s+(?:severe\s+|chronic\s+|bad\s+|early\s+|advanced\s+)?(?:arthritis|multiple\s+sclerosis|parkinson'?s|dementia|"
        r"alzheimer'?s|epilepsy|motor\s+neuron\w?\s+disease|cerebral\s+palsy|fibromyalgia|lupus|copd|ptsd|bipolar|"
        r"schizophrenia|a\s+tremor|sight\s+loss|hearing\s+loss|macular\s+degeneration|glaucoma|a\s+learning\s+disability|"
        r"learning\s+difficulties|chronic\s+(?:pain|fatigue|illness)|a\s+brain\s+injury|ms|als|mnd)\b",
    ),
}
