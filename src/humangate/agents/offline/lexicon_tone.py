"""Complaints told without a complaint word, read on top of the router's lexicons (see ``lexicon_more``).

Each pattern is a sentence shape, not a phrase: a service that failed stated as a fact (damaged on arrival,
a no-show, "delivered" but not here, the wrong item, a paid-for service not done), an expectation let down or a
promise broken, an answer that solved nothing, a rhetorical question, repeat contact said passive-aggressively,
a message that is nothing but a chaser ("Well??", "Day 12."), and going public to the customer's own audience.
Also repeat contact said as a memory ("like I said", a reopened case), the last answer quoted back with what
happened since or contradicted, a verdict in two words ("absolute joke"), an ultimatum, a corporate chaser
("circling back"), an offer or a decision pushed back, praise in scare quotes, the cost to a business and
displeasure in other languages.
``SNEER_CUES`` are the problem words that, beside praise, read as sarcasm (``triage.mixed_praise``).
"""

from __future__ import annotations

import re

from humangate.agents.offline._lexicon_util import compiled as _compiled

__all__ = ["SNEER_CUES", "TONE"]


_NOT = r"(?:never|not|n't|didn'?t|did\s+not|hasn'?t|has\s+not|haven'?t|have\s+not|wasn'?t|was\s+not|weren'?t)"
_ITEM = r"(?:parcel|package|delivery|order|box|item|items|shopping|goods|stuff)"
_WAIT = (
    r"(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|several|many|few|\d+)\s+(?:hours?|days?|weeks?|months?)"
)
_YOU = r"(?:you|u|ya|your\s+(?:company|team|firm|app|site))"
_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|the\s+\d{1,2}(?:st|nd|rd|th)?)"

TONE: dict[str, tuple[re.Pattern[str], ...]] = {
    "complaint": _compiled(
        # Damaged, spoiled or incomplete on arrival.
        r"\b(?:arrived|came|was\s+delivered|were\s+delivered|turned\s+up)\s+(?:with\s+(?:a|an|some|two|\d+)\s+(?:[\w-]+"
        r"\s+)?(?:tears?|holes?|rips?|cracks?|dents?|scratch(?:es)?|stains?|chips?|leaks?|marks?)|(?:already\s+|completely"
        r"\s+|totally\s+|stone\s+)?(?:torn|ripped|cracked|dented|scratched|stained|chipped|broken|damaged|smashed|crushed"
        r"|soaked|wet|cold|melted|leaking|opened|faulty|defective|used|dirty|mouldy|moldy|stale|spoiled|rotten|incomplete"
        r"|late|half\s+empty|in\s+pieces))\b",
        # A person or a service that did not come.
        rf"\b{_NOT}\s+(?:even\s+)?(?:turn(?:ed)?|show(?:ed|n)?)\s+up\b|\bno[- ]show\b|\b(?:nobody|no\s*one|no-one)\s+"
        r"(?:came|turned\s+up|showed\s+up|arrived)\b",
        r"\b(?:marked|shown|showing|shows|says|said|listed|confirmed|tracking\s+says)\s+(?:as\s+)?deliver(?:ed|d)\b[^.!?]{0,40}"
        r"\b(?:but|yet|not|isn'?t|wasn'?t|never|nothing|no\s+sign|nowhere)\b",
        rf"\b(?:left|dumped|threw|thrown)\s+(?:my|the|our)\s+{_ITEM}\s+(?:out\s+)?(?:in\s+the\s+(?:rain|bin|road|street|hedge)"
        r"|on\s+the\s+(?:pavement|street|road))\b|\b(?:everything|it|they|all\s+of\s+it)\s+(?:inside\s+)?(?:is|was|were|are|"
        r"got)\s+(?:completely\s+)?(?:soaked|ruined|wrecked|destroyed|soggy)\b",
        # The wrong thing: "I ordered a large and got a small", "ordered medium got xl".
        r"\b(?:ordered|asked\s+for|paid\s+for)\s+(?:a\s+|an\s+|the\s+|size\s+|one\s+|two\s+|\d+\s+)?[\w-]+(?:\s+[\w-]+){0,2}?"
        r"\s*(?:,\s*|\s+and\s+|\s+but\s+)?(?:I\s+|we\s+)?(?:got|received|was\s+sent|were\s+sent|they\s+sent|you\s+sent)\b",
        # Paid for and not done: "I paid extra for installation and it wasn't done".
        rf"\bpaid\s+(?:extra|more|for)\b[^.!?]{{1,40}}\b(?:and|but)\s+(?:it|they|that|this|nothing|no\s*one)\s+(?:{_NOT}"
        r"|never)\b",
        # An expectation let down, a promise broken.
        r"\b(?:was|were|had\s+been|I'?d\s+been|I'?m|I\s+am)\s+(?:really\s+|honestly\s+)?(?:hoping|expecting)\s+(?:for\s+)?"
        r"(?:a\s+(?:bit|lot|little|good\s+deal)\s+|much\s+|far\s+|so\s+much\s+)?(?:more|better)\b",
        r"\bnot\s+(?:quite\s+|really\s+|exactly\s+|at\s+all\s+)?(?:the|what|how)\s+(?:[\w-]+\s+){0,2}(?:I|we)\s+(?:was|were"
        r"|had\s+been|had)\s+(?:hoping|expecting|expected|looking|promised|told)\b",
        r"\b(?:I|we)\s+(?:was|were|have\s+been|had\s+been)\s+(?:personally\s+|explicitly\s+|clearly\s+)?(?:assured|promised"
        r"|guaranteed|led\s+to\s+believe)\b|\byou\s+(?:promised|assured|guaranteed)\b",
        # The answer solved nothing, nobody acts, the customer is passed around.
        r"\b(?:answer|reply|response|advice|e-?mail|fix|update|solution|suggestion|agent|chat)s?\s+(?:I|we|you)?\s*(?:got|"
        rf"received|gave|sent)?\b[^.!?]{{0,30}}\b{_NOT}\s+(?:solve|fix|help|resolve|answer|change|sort)\w*\s+(?:anything|a\s+thing"
        r"|it|the\s+problem|my\s+problem|the\s+issue|nothing)\b|\b(?:solved|fixed|resolved|answered|changed|helped)\s+nothing\b",
        r"\b(?:is|are|will)\s+(?:any(?:one|body)|someone|somebody|you)\s+(?:ever\s+|actually\s+|really\s+)?(?:going\s+to\s+)?"
        r"(?:do|doing)\s+anything\b|\b(?:a|one)\s+straight\s+answer\b",
        r"\bpassed\s+(?:\w+\s+){0,3}?(?:from\s+(\w+)\s+to\s+\1|around|back\s+and\s+forth|from\s+pillar\s+to\s+post)\b",
        # What the customer was told, then "It wasn't.": "We were told the upgrade would be seamless. It wasn't."
        r"\b(?:told|said|promised|claimed|advertised|assured)\b[^.!?]{0,60}(?:\b(?:would|will|was\s+going\s+to)\b|'d\b|'ll\b)"
        r"[^.!?]{0,40}[.!?;,]\s*(?:it|they|that|this|he|she|I|we)\s+(?:wasn'?t|didn'?t|isn'?t|hasn'?t|weren'?t|haven'?t|did\s+not|was\s+not"
        r"|has\s+not|never)\b",
        # The business's own status words in scare quotes: 'how long is "shortly"?'.
        r"[\"\u201c]\s*(?:shortly|soon|processing|in\s+progress|on\s+its\s+way|out\s+for\s+delivery|looking\s+into\s+it"
        r"|escalated|resolved|(?:a\s+|top\s+)?priority|24\s*hours|asap|dispatched|being\s+processed)\s*[\"\u201d]",
        r"\b(?:when\s+)?(?:will|is|does|has|did)\s+(?:someone|anyone|anybody|somebody)\s+(?:\w+\s+)?(?:actually|ever|even)\s+"
        r"(?:read|reply|answer|respond|look|help|call)\b|\bexactly\s+how\s+(?:long|many\s+more|much\s+longer)\b",
        # A date that was promised, set against today: "was supposed to arrive on Monday. It's Thursday."
        rf"\b(?:supposed|due|meant|expected|scheduled|promised|said|told|quoted)\b[^.!?]{{0,40}}\b{_DAY}\b[^.!?]{{0,5}}[.!?,;]"
        rf"\s*(?:it'?s|it\s+is|today\s+is)\s+(?:now\s+)?{_DAY}\b",
        # Answers that contradict each other.
        r"\b(?:two|three|four|several|different|conflicting|contradictory|mixed)\s+(?:different\s+)?(?:answers|replies"
        r"|responses|stories|explanations)\b|\bwhich\s+(?:one\s+)?is\s+it\s*\?",
        # A complaint asked as a rhetorical question.
        r"\bhow\s+(?:much\s+)?longer\s+(?:do|must|will|am|are|should|have)\s+(?:I|we)\b",
        r"\bwhat(?:'s|\s+is)\s+(?:even\s+)?the\s+point\s+(?:of|in)\b|\bhow\s+hard\s+(?:can|could|is)\s+it\s+(?:be\s+)?to\b",
        r"\bis\s+(?:this|that|it)\s+(?:some\s+(?:kind|sort)\s+of\s+)?(?:a\s+)?(?:joke|wind-?up|prank)\b",
        r"\bshould\s+(?:I|we)\s+just\s+(?:give\s+up|go\s+elsewhere|forget\s+(?:it|about)|not\s+bother|stop|accept)\b",
        r"\bwhat\s+(?:do|does|must|would)\s+(?:I|we|one|a\s+(?:person|customer))\s+(?:have|need)\s+to\s+do\s+to\s+(?:get|have"
        r"|make)\b",
        # Exasperation in few words: "I'm so done with this".
        r"(?<!when\s)(?<!once\s)(?<!after\s)(?<!until\s)(?<!if\s)\b(?:I'?m|im|i\s+am|we'?re|we\s+are)\s+(?:so\s+|just\s+"
        r"|completely\s+|totally\s+|officially\s+)?done\s+with\s+(?:this|you|your|it|the\s+lot)\b",
        # Mess or damage left behind by someone sent to do a job.
        r"\bleft\s+(?:a\s+|the\s+)?(?:rubble|mess|debris|rubbish|litter|dirt|muck|holes?|dust|paint|stains?)\s+(?:all\s+"
        r"over|everywhere|behind|in\s+(?:the|my|our)|on\s+(?:the|my|our))\b",
        # Giving up, as the whole message: "Whatever.", "Never mind.", "Forget it.".
        r"^\W*(?:whatever|never\s*mind|forget\s+(?:it|about\s+it)|don'?t\s+bother|fine,?\s+(?:then|whatever)|I\s+give\s+up)\W*$",
        # A feature removed that the customer relied on.
        r"\b(?:removed|took\s+away|taken\s+away|got\s+rid\s+of|dropped|killed)\b[^.!?]{0,60}\b(?:I|we)\s+(?:relied|rely"
        r"|depended|depend|counted)\s+on\b",
        # An order that never came, in Spanish, French, German, Italian, Portuguese, Dutch.
        r"\b(?:nunca\s+(?:lleg[oó]|chegou)|no\s+(?:ha\s+llegado|me\s+ha\s+llegado|lleg[oó])|n'est\s+(?:jamais|pas)\s+arriv"
        r"[ée]e?|nie\s+angekommen|nicht\s+angekommen|mai\s+arrivat[oa]|non\s+è\s+(?:mai\s+)?arrivat[oa]|não\s+chegou"
        r"|nooit\s+aangekomen|niet\s+aangekomen)",
        # Praise in scare quotes ("Appreciate the 'quick' response."), and silence named as such.
        r"['\"\u2018\u201c](?:quick|fast|speedy|prompt|rapid|helpful|great|excellent|amazing|customer\s+service|service"
        r")['\"\u2019\u201d]|\bradio\s+silence\b",
        # A decision or an offer pushed back: "A voucher is not acceptable.", "Please reconsider."
        r"\b(?:voucher|store\s+credit|credit\s+note|gift\s+card|replacement|exchange|offer|repair|discount)s?\s+(?:is|are)?\s*"
        r"(?:isn'?t|not|aren'?t)\s+(?:acceptable|good\s+enough|enough|what\s+(?:I|we)\s+(?:want|asked\s+for))\b"
        r"|\breconsider\w*\s+(?:this|that|it|your|the\s+decision)\b|^\W*(?:please\s+)?reconsider\W*$",
        # Displeasure in other languages, and code-switched into English ("ich bin unzufrieden with the service").
        r"\b(?:unzufrieden|entt\u00e4usch\w*|insatisfait\w*|m[\u00e9e]content\w*|insoddisfatt\w*|insatisfech\w*"
        r"|insatisfeit\w*|ontevreden|teleurgesteld|decepcionad\w*|chatead[oa])\b|\b(?:nahi|nahin)\s+(?:aaya|aya|aayi|ayi"
        r"|mila|mili|hua|hui)\b|\bbakwas\b",
        # The last answer quoted back with what happened since: '"within 24 hours". That was Tuesday.'
        rf"[\"\u201d]\s*[^\"\u201c\u201d]{{0,60}}?\b(?:that|this)\s+was\s+(?:on\s+|last\s+|back\s+on\s+)?(?:{_DAY}|yesterday"
        r"|last\s+\w+|\w+\s+(?:days?|weeks?|months?)\s+ago|a\s+(?:week|month|fortnight)\s+ago)\b",
        rf"\b(?:you|they|he|she|your\s+\w+)\s+(?:said|wrote|promised|told\s+me)\s+(?:that|the\s+same(?:\s+thing)?|this)"
        rf"\s+(?:last\s+(?:week|time|month)|yesterday|before|on\s+{_DAY}|\w+\s+(?:days?|weeks?)\s+ago|twice|already)\b",
        # The answer contradicted: "That's not right.", "No, that is wrong."
        r"(?:^|[.!?]\s+)(?:no[,.]?\s+)?(?:that'?s|that\s+is|this\s+is)\s+(?:not\s+(?:right|correct|true|accurate)|wrong"
        r"|incorrect|untrue)\b|\b(?:this|that|it|something)\s+(?:ain'?t|aint|isn'?t|is\s+not)\s+right\b",
        # Helpless, asked back: "What am I supposed to do now?", "Where do I go from here?", "come in person?".
        r"\bwhat\s+(?:am|are)\s+(?:I|we)\s+(?:supposed|meant|expected)\s+to\s+do\s*(?:now|then|here|about\s+(?:this|that|it))?"
        r"\s*\?|\bwhere\s+do\s+(?:I|we)\s+go\s+from\s+here\b|\b(?:do|must|will)\s+(?:I|we)\s+(?:need|have)\s+to\s+(?:come"
        r"|go)\s+(?:in|down)?\s*(?:in\s+)?person\b",
        # What never came, and a line nobody answers: "the last parcel never arrived", "your phone line is always busy".
        r"\b(?:parcel|package|order|delivery|item|refund|replacement|engineer|technician|courier|driver|callback|call)\s+"
        r"(?:has\s+|had\s+)?never\s+(?:arrived|came|turned\s+up|showed|got\s+here|reached\s+me|happened)\b|\b(?:phone|line"
        r"|lines|chat|number|helpline|switchboard)s?\b[^.!?]{0,20}\b(?:always|constantly|permanently|forever)\s+(?:busy"
        r"|engaged|down|unavailable)\b",
        # Waiting without end, asked back: "so I just keep waiting?".
        r"\bso\s+(?:I|we)\s+(?:just\s+)?(?:keep|have\s+to|should|must|am\s+supposed\s+to|are\s+supposed\s+to)\s+"
        r"(?:keep\s+)?(?:waiting|wait|paying|chasing|asking)\b|\b(?:I|we)\s+just\s+keep\s+(?:waiting|paying|chasing|asking)\b",
        # A joke of a company, a verdict in two words, a warning to others.
        r"\b(?:absolute|total|complete|utter|such\s+a|what\s+a|bloody|a\s+complete|beyond\s+a)\s+joke\b|\bjoke\s+of\s+a\s+(?:company"
        r"|service|firm|business|shop|app)\b",
        r"^\W*(?:(?:I'?m|im|i\s+am|we'?re|we\s+are)\s+(?:so\s+|just\s+|completely\s+|totally\s+)?done|never\s+again"
        r"|stay\s+away(?:\s+from\s+(?:this|these|them|here))?|avoid(?:\s+(?:this|these|them|at\s+all\s+costs|like\s+the"
        r"\s+plague))*)\W*$",
    ),
    "urgency": _compiled(
        # A corporate chaser ("just circling back", "gentle reminder", "now overdue") and an ultimatum.
        r"\b(?:circling|circle)\s+back\b|\b(?:gentle|friendly|polite|quick|final|another|second)\s+(?:reminder|nudge|chase"
        r"|chaser)\b|\b(?:now|is|are|long|well)\s+overdue\b",
        r"\b(?:last|final)\s+chance\b|\byou\s+have\s+(?:until|till|(?:\d+|twenty-?four|forty-?eight)\s+(?:hours|days))\b[^?]*$"
        r"|\b(?:I'?m|I\s+am|I'?ll|I\s+will)\s+giv(?:e|ing)\s+you\s+(?:until|till|one\s+more|\d+|a\s+(?:week|day)|(?:twenty"
        r"|forty)\S*)\b",
        # Repeat contact said passive-aggressively, or counted by the message ("a fourth version of").
        r"\b(?:as\s+)?per\s+my\s+(?:last|previous|earlier|prior|original)\b",
        r"\b(?:refer|see|check|read)\s+(?:back\s+)?(?:to\s+)?my\s+(?:earlier|previous|last|prior|original)\s+(?:[\w-]+\s+)?"
        r"(?:e-?mails?|messages?|letters?|tickets?|requests?|complaints?|calls?|notes?)\b",
        r"\b(?:second|third|fourth|fifth|sixth|seventh|umpteenth|\d+(?:st|nd|rd|th))\s+(?:e-?mail|message|letter|call|"
        r"attempt|request|complaint|version|reminder|chaser|follow-?up|ticket|chat)\b",
        # Asking again, said up front ("Once more: where is my order?") or by a long reply chain ("Re: Re: Re:").
        r"(?:^|[.!?]\s+)(?:once\s+more|one\s+more\s+time|trying\s+again|asking\s+again|again|resending|re-sending)\s*[:\-\u2013\u2014]",
        r"(?:\b(?:re|fwd?)\s*:\s*){3,}",
        # Nothing but a chaser: "Well??", "Hello? Anyone?", "Again?", "Waiting...", "Day 12.".
        r"^\W*(?:hello|hi|hey|well|so|and|anyone|anybody|um+|erm+)\W*\?{2,}\W*$",
        r"(?:^|[.!?]\s*)(?:is\s+)?(?:any(?:one|body)|some(?:one|body))(?:\s+(?:there|home|here|at\s+all))?\s*\?",
        r"^\W*(?:again|really|well|seriously|honestly|still|yet\s+again|once\s+again|come\s+on)\s*\?+\W*$",
        r"^\W*(?:still\s+)?waiting\s*(?:\.{2,}|…)\W*$|^\W*(?:day|week|month)\s+\d+\W*$",
        rf"\b{_WAIT}\s+(?:for|to\s+get|waiting\s+for)\s+(?:a|an|the|my|any|one)\s+(?:reply|response|answer|refund|call"
        r"|callback|delivery|update|decision)\b",
        # Asked again, said as a memory: "like I said", "you asked me that yesterday", "same answer as last time".
        r"(?:^|[.!?,]\s*)(?:like\s+I\s+(?:already\s+)?(?:said|told\s+you|mentioned|explained)|as\s+I\s+(?:already\s+)?"
        r"(?:said|told\s+you))\b|\byou\s+(?:already\s+)?"
        r"asked\s+(?:me\s+)?(?:that|this|the\s+same\s+(?:thing|question))\b|\bsame\s+(?:answer|reply|response|thing|story"
        r"|excuse|script)\s+as\s+(?:last\s+time|before|yesterday|always|every\s+time)\b|\bgroundhog\s+day\b|\bhow\s+many\s+more\s+times\b",
        # A ticket reopened: "please reopen case 7732", "the issue I raised last month is back".
        r"\bre-?open\w*\s+(?:(?:my|the|this|our|that)\s+)?(?:\w+\s+)?(?:case|ticket|complaint|issue|query|request|claim"
        r"|incident|dispute)\b|\b(?:case|ticket|complaint|claim)\s+(?:\w+\s+)?(?:be\s+)?re-?open\w*|\b(?:issue|problem|fault|error|bug|leak|noise)\b[^.!?]{0,40}\b(?:is|'s|has\s+come|came|are)\s+"
        r"back\b",
        # The cost to a business: "this is affecting our payroll run for 2,000 staff".
        r"\b(?:affect\w*|impact\w*|block\w*|stopp\w*|halt\w*|disrupt\w*)\s+(?:our|all\s+(?:of\s+)?our|the\s+whole)\s+"
        r"(?:\w+\s+)?(?:payroll|business|operations?|production|customers|clients|users|staff|team|company|sales|revenue)\b",
    ),
    "handoff": _compiled(
        # Asking whom to turn to is asking for a person.
        r"\bwho\s+(?:do|should|can|must|would)\s+(?:I|we)\s+(?:need\s+to\s+|have\s+to\s+)?(?:talk|speak|write|complain"
        r"|go|turn)\s+to\b",
        r"\b(?:speak|talk|chat)\s+(?:to|with)\s+(?:whoever|the\s+(?:person|people|one)\s+(?:who|that|in\s+charge|responsible))\b",
    ),
    "public": _compiled(
        # The customer's own audience: followers, everyone they know, photos put online.
        r"\b(?:let|tell|warn|make\s+sure|inform|show)\s+(?:all\s+)?(?:of\s+)?(?:my\s+(?:[\d,k]+\s+|many\s+|thousands\s+of\s+)?"
        r"(?:followers|subscribers|audience|readers|viewers|network|community)|every(?:one|body)\s+I\s+know)\b",
        r"\b(?:post\w*|shar\w*|put\w*|upload\w*)\s+(?:this|it|all\s+of\s+this|the\s+(?:photos?|pictures?|videos?|"
        r"screenshots?|story|conversation|emails?|chat|receipts?)|(?:photos?|pictures?|videos?|screenshots?))\s+(?:online|"
        r"on\s+the\s+internet|everywhere|publicly|all\s+over)\b",
    ),
}

# Beside praise, these read as sarcasm ("Brilliant, another week without internet", "Love paying for a service
# that never works", "three weeks for a reply, impressive").
SNEER_CUES = _compiled(
    r"\b(?:another|yet\s+another|one\s+more)\s+(?:[\w-]+\s+){0,2}?(?:without|with\s+no)\b",
    r"\b(?:hours?|days?|weeks?|months?)(?:'s|s')?\s+(?:of\s+)?silence\b|\bdelayed\b",
    r"\bnever\s+(?:works?|worked|arrives?|arrived|comes?|turns?\s+up|answers?|replies|updates?|loads?|responds?)\b",
    r"\b(?:charg|bill|debit)\w*\s+(?:me|us)\s+(?:twice|two\s+times|double|three\s+times)\b",
    r"\b(?:it|that|this|the\s+[\w-]+|my\s+[\w-]+)\s+(?:breaks|broke|keeps\s+breaking)\b|(?<!longer\s)(?<!not\s)(?<!n't\s)(?<!less\s)\bslow(?:er)?\b",
    rf"\b{_WAIT}\s+(?:for|to\s+get)\s+(?:a|an|the|my|any)\s+(?:reply|response|answer|refund|call|delivery)\b",
    r"\b(?:another|more|yet\s+another|the\s+same)\s+(?:automated|auto-?generated|template|scripted|bot|robot|canned)\s+"
    r"(?:reply|response|answer|message|e-?mail)\b",
    rf"\b(?:solved|fixed|resolved|answered|helped)\s+nothing\b|\bhow\s+(?:fast|quick(?:ly)?)\s+{_YOU}\s+(?:take|took|are\s+to\s+take)\b",
)
