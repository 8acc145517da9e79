"""Support phrasings the hard rules read beyond the router's own lexicons, kind by kind.

The router's features are the analyst's lexicons as the router was trained and calibrated on them
(``agents.offline.lexicon_router.LEXICONS``); changing those would change every calibrated score. These patterns
are read on top, for the hard rules and the analyst's reading only: a regulator or a data-rights request,
a cancellation with no object, a person asked for as a question, repeat contact however it is counted,
self-harm and product injury in other words, exasperation, going public, a bereaved or ill customer, a business
customer's contract (a service level missed, a data processing agreement) and leaving by degrees (other suppliers
weighed, "my last order"). Complaints without a complaint word come from ``lexicon_tone``; privacy, taking it
further, account misuse, calm disputes, hardship and access needs from ``lexicon_rights``; vulnerable customers and
minors said indirectly from ``lexicon_people``; curt acknowledgements from ``lexicon_curt``; sarcasm that reads
polite and rhetorical questions from ``lexicon_irony``; sad faces and emoticons from ``lexicon_marks``.
"""

from __future__ import annotations

import re

from humangate.agents.offline._lexicon_util import compiled as _compiled
from humangate.agents.offline.lexicon_curt import CURT
from humangate.agents.offline.lexicon_irony import IRONY
from humangate.agents.offline.lexicon_marks import MARKS
from humangate.agents.offline.lexicon_people import PEOPLE
from humangate.agents.offline.lexicon_rights import RIGHTS
from humangate.agents.offline.lexicon_safety import SAFETY
from humangate.agents.offline.lexicon_tone import TONE
from humangate.agents.offline.spelling import SPELLED

__all__ = ["MORE"]


_OWN: dict[str, tuple[re.Pattern[str], ...]] = {
    "legal": _compiled(
        r"\bregulators?\b",
        # Regulators and data-protection rights, whatever office or article is named.
        r"\b(?:attorney general|(?:data protection|consumer|financial|competition)\s+(?:authority|commission|"
        r"agency|ombudsman|officer)|subject access request|data (?:access|deletion|erasure) request|"
        r"right to (?:be forgotten|erasure|access)|under (?:the )?(?:gdpr|ccpa|dpa)|"
        r"file (?:a|an) (?:complaint|report) with)\b",
        # Rights named without "sue": accessibility law, a breach of contract, a cooling-off period, a claim
        # through the card provider, a final response (the step before an ombudsman).
        r"(?-i:\bADA\b)|\b(?:americans with disabilities act|equality act|wcag|section 508|disability discrimination|"
        r"accessibility (?:law|laws|regulations?|act|requirements?))\b",
        r"\bbreach(?:ed|ing)?\s+(?:of\s+)?(?:the\s+|your\s+|our\s+|my\s+)?(?:contract|warranty|agreement|terms|"
        r"duty of care)\b",
        r"\b(?:cooling[- ]off|statutory rights?|(?:my|our)\s+(?:legal|consumer|statutory)\s+rights?|"
        r"consumer rights act|consumer contracts regulations|consumer credit act|"
        r"right to (?:cancel|withdraw|reject))\b",
        r"\bsection\s+75\b|\b(?:claim\w*|dispute\w*|chargeback)\s+(?:it\s+|this\s+|the\s+\w+\s+)?(?:from|through|with|via)"
        r"\s+(?:my\s+|the\s+)?(?:card\s+(?:provider|issuer|company)|credit\s+card\s+(?:company|provider)|bank)\b",
        r"\b(?:final\s+(?:response|decision)(?:\s+letter)?|deadlock\s+letter|(?:put|confirm|have|get)\s+(?:it|this|that|"
        r"your\s+\w+(?:\s+\w+)?)\s+in\s+writing)\b",
        # A business customer's contract: a service level missed, a data processing agreement.
        r"\b(?:SLA|service[- ]level\s+agreement|uptime\s+(?:guarantee|commitment))s?\b(?:[^.!?]|\.\d){0,80}\b"
        r"(?:downtime|outage|breach\w*|miss\w*|fail\w*|violat\w*|not\s+met)\b|\b(?:breach\w*|miss\w*|violat\w*|fail\w*\s+to\s+meet|outside)"
        r"\s+(?:of\s+)?(?:the\s+|our\s+|your\s+)?(?:SLA|service[- ]level\s+agreement)\b",
        r"\b(?:below|under|short\s+of|missed|not\s+(?:met|meeting|hit|hitting))\s+(?:the\s+|our\s+)?(?:agreed|contracted"
        r"|guaranteed|committed|promised)\s+(?:\d+(?:\.\d+)?\s*%|uptime|response|resolution|service|level|target)",
        r"(?-i:\bDPA\b)|\bdata\s+processing\s+(?:agreement|addendum)\b",
    ),
    "churn": _compiled(
        r"\b(?:terminate|end|quit|stop)\s+(?:my|our|the)\s+(?:contract|subscription|account|membership|plan|service)\b",
        # A cancellation with no object ("I'd like to cancel.", "cancel please"): it is the whole request.
        # Closing an account however it is named: "close the company account", "delete our team workspace".
        r"\b(?:clos(?:e|ing)|delet(?:e|ing)|shut(?:ting)?\s+down)\s+(?:my|our|the|this)\s+(?:[\w-]+\s+){0,2}"
        r"(?:account|accounts|workspace|subscription|membership)\b",
        r"\b(?:like|want|wish|need|going|have|trying|decided)\s+to\s+cancel(?:\s+(?:now|please|today|asap|"
        r"immediately|everything|it all))?\s*(?:[.!?,;]|$)",
        r"^\W*(?:please\s+)?cancel(?:lation)?(?:\s+(?:please|now|it|everything|asap|immediately))*\W*$",
        # Spending less: a downgrade, a smaller tier, fewer seats, renewal switched off.
        r"\bdowngrad\w*|\b(?:go(?:ing)?|drop(?:ping)?|mov(?:e|ing)|step(?:ping)?)\s+down\s+(?:a\s+|to\s+(?:a\s+|the\s+)?)?"
        r"(?:tier|plan|level|package|lower)\b",
        r"\b(?:switch|move|go|change|drop)\w*\s+(?:back\s+)?(?:down\s+)?to\s+(?:a\s+|the\s+)?(?:free|cheaper|smaller|lower|"
        r"basic)\s+(?:plan|tier|version|package|account|option)\b",
        r"\b(?:reduc\w+|cut(?:ting)?|lower\w*|decreas\w+|drop(?:ping)?)\s+(?:down\s+)?(?:(?:our|my|the|number\s+of|"
        r"of|(?:our|my|the)\s+number\s+of)\s+)*(?:seats?|licen[cs]es?|users?|subscriptions?)\b|\bfewer\s+(?:seats|licen[cs]es)\b",
        r"\b(?:turn|switch)\w*\s+off\s+(?:the\s+|my\s+|our\s+)?auto(?:matic)?[- ]?renew\w*|\b(?:disabl|stop|cancel|"
        r"remov)\w*\s+(?:the\s+|my\s+|our\s+)?(?:auto[- ]?renew\w*|automatic\s+renewal)|\b(?:not|don't|won't)\s+"
        r"(?:want\s+(?:it\s+)?to\s+)?(?:be\s+)?renew(?:ing|ed)?\b",
        # Comparing: a competitor, "look elsewhere", moving to another product, doubting the value.
        r"\b(?:your|their|a)\s+competitors?\b|\bcompetitors?\s+(?:offers?|charges?|ha(?:s|ve)|gives?|provides?|is|are)\b"
        r"|\b(?:price[- ]match|match\s+(?:their|the(?:ir)?\s+competitor'?s?|that)\s+price)\b",
        r"\b(?:look(?:ing)?|shop(?:ping)?|go(?:ing)?|tak(?:e|ing)\s+(?:my|our)\s+(?:money|custom))\s+elsewhere\b",
        r"\b(?:we|i)(?:'ll|\s+will|'re|\s+are|'m|\s+am|'d|\s+would)\s+(?:probably\s+|likely\s+|be\s+|going\s+to\s+|"
        r"thinking\s+of\s+|planning\s+(?:on|to)\s+)*(?:go(?:ing)?\s+with|switch(?:ing)?\s+(?:over\s+)?to|"
        r"migrat\w+\s+to|mov(?:e|ing)\s+over\s+to)\s+\w+[^.!?]{0,20}\b(?:instead|next\s+(?:week|month|quarter|year)|"
        r"soon|when\s+(?:our|my)\s+(?:contract|plan|subscription))",
        r"\bwhy\s+(?:should|would|do)\s+(?:I|we)\s+(?:keep|continue|still)\s+(?:paying|using|renewing)\b"
        r"|\b(?:not|isn't|no\s+longer)\s+worth\s+(?:the\s+)?(?:money|price|paying|the\s+subscription)\b",
        # Weighing the options: other suppliers looked at, the subscription reconsidered.
        r"\b(?:look\w*\s+(?:at|for|into)|evaluat\w*|consider\w*|explor\w*|review\w*|assess\w*|shortlist\w*|trial\w*"
        r"|talk\w*\s+to)\s+(?:some\s+)?(?:other|alternative|new|different|rival)\s+(?:suppliers?|vendors?|providers?"
        r"|platforms?|solutions?|companies|products|tools|services|banks?|networks?)\b",
        r"\b(?:reconsider\w*|re-?evaluat\w*|rethink\w*)\s+(?:our|my|the)\s+(?:subscription|contract|plan|membership|account"
        r"|relationship|renewal|options|use\s+of)\b|\breview\w*\s+(?:our|my)\s+(?:subscription|contract|membership|relationship"
        r"|options)\b|\bweigh\w*\s+up\s+(?:my|our|the)\s+options\b",
        r"\b(?:out\s+to\s+tender|re-?tender\w*|going\s+to\s+tender)\b",
        # The last order said as the last: "this will be my last order", "the last time I order from you".
        r"\b(?:this|that|it)\s+(?:will\s+be|is|was|'s|'ll\s+be)\s+(?:my|our)\s+(?:very\s+)?last\s+(?:order|purchase|booking"
        r"|stay|visit|flight)\b|\bthe\s+last\s+time\s+(?:I|we)(?:'ll|\s+will)?\s+(?:ever\s+)?(?:order|buy|book|shop|use|stay"
        r"|fly|come)\b",
    ),
    # A charge disputed without "refund": not agreed to, a credit or a waived fee asked for, an overcharge in
    # another language. (A misspelled refund is read here too: ``risk._support_rules``.)
    "dispute": _compiled(
        # A charge that goes on after it should have stopped: "I'm still being charged for the old plan".
        r"\b(?:still|keep|kept|continu\w+\s+to)\s+(?:being\s+|getting\s+|be\s+)?(?:charged|billed|debited|invoiced)\b",
        r"\b(?:never|didn't|did\s+not)\s+(?:sign(?:ed)?\s+up|subscribe[ds]?|agree[ds]?|authori[sz]e[ds]?|order(?:ed)?|"
        r"ask(?:ed)?|opt(?:ed)?\s+in)\s+(?:for|to)\b",
        r"\b(?:credit|reimburse)\s+(?:my|our|the)\s+account\b|\ba\s+credit\s+for\s+(?:the\s+)?\w+",
        r"\b(?:waive|drop|remove|write\s+off)\w*\s+(?:the\s+|this\s+|my\s+|that\s+|our\s+)?(?:[\w-]+\s+)?"
        r"(?:fee|charge|penalty|fine|surcharge)s?\b",
        r"\bover-?charg\w+|\bcharged\s+(?:me\s+|us\s+)?(?:too\s+much|more\s+than)",
        # French, Spanish, German, Italian, Portuguese: charged twice, overcharged, a refund.
        r"\b(?:d[ée]bit[ée]e?s?|factur[ée]e?s?|pr[ée]lev[ée]e?s?|cobra\w*|cobrad[oa]s?|addebitat\w|abgebucht|berechnet)"
        r"\s+(?:deux|2|dos|due|duas|doppelt|zweimal)\s+(?:fois|veces|volte|vezes)?",
        r"\b(?:cobra\w*\s+(?:de\s+m[aá]s|a\s+mais)|trop\s+(?:pay[ée]|factur[ée])|zu\s+viel\s+berechnet|doppelt\s+"
        r"(?:abgebucht|berechnet)|rembours\w*|reembols\w*|devoluci[oó]n|r[üu]ckerstattung|rimbors\w*)",
    ),
    "handoff": _compiled(
        # Someone senior by title: "escalate to your VP of engineering".
        r"\bescalat\w*\s+(?:this\s+|it\s+)?(?:up\s+)?to\s+(?:your|a|the|an)\s+(?:\w+\s+)?(?:vp|vice\s+president|director"
        r"|head|chief|cto|ceo|coo|cfo|lead|executive|management|manager|supervisor)\b",
        # A person asked for as a question: "is there a manager", "any humans around?", "are you a bot?".
        r"\b(?:is|are)\s+there\s+(?:any(?:one|body)|some(?:one|body)|(?:a|an|any)\s+(?:real\s+|actual\s+|live\s+|"
        r"human\s+)?(?:manager|supervisor|humans?|persons?|people|agents?|representatives?|staff))\b",
        r"\bany\s+(?:real\s+|actual\s+)?(?:humans?|people|persons?|one|body)\s+(?:around|there|here|available|"
        r"awake|reading|listening|working|home)\b",
        r"\bare\s+you\s+(?:even\s+|actually\s+|just\s+)?(?:a\s+|an\s+)?(?:real\s+)?(?:bot|robot|machine|human|"
        r"person|ai|computer|automated|script)\b",
        r"\b(?:any|some)(?:one|body)\s+(?:actually\s+|even\s+|really\s+)?(?:reading|listening|there|home)\b",
        # A call back, someone senior, the chief executive, a bare "operator pls".
        r"\b(?:cal+|ring|phone)\s+(?:me|us)\s+(?:back|on|at)\b|\b(?:give\s+me|want|need)\s+a\s+(?:call|ring|call\s*back)"
        r"\b|\bcall\s*backs?\b|\b(?:someone|somebody|anyone|you)\s+(?:to\s+)?(?:ring|call|phone)\s+me\b",
        r"\b(?:someone|somebody|anyone|a\s+person)\s+(?:more\s+senior|senior|higher\s+up|in\s+charge|with\s+(?:more\s+)?"
        r"authority)\b|\b(?:escalat\w+|pass|forward|refer|hand|send|bump)\s+(?:this|it|my\s+(?:case|complaint|ticket|"
        r"query|issue))\s+(?:on\s+|up\s+|over\s+)?(?:to\s+)?(?:someone|somebody|(?:a|your|the)\s+(?:manager|supervisor|"
        r"boss|superiors?)|management|senior|higher|up\s+the\s+chain)",
        r"\byour\s+(?:ceo|chief\s+executive|managing\s+director|founder|head\s+of\s+(?:customer\s+)?(?:service|support|"
        r"complaints))\b|\b(?:e-?mail|contact|number|address)\s+(?:address\s+|details\s+)?(?:of|for)\s+the\s+(?:ceo|"
        r"chief\s+executive|managing\s+director|founder)\b",
        r"^\W*(?:an?\s+)?(?:operator|agent|human|person|representative|rep|manager|supervisor)(?:\s+(?:pls|plz|please"
        r"|now|asap))*\W*$",
    ),
    "urgency": _compiled(
        # Repeat contact, however it is counted: "the fourth time", "asked four times", "once again".
        r"\b(?:second|third|fourth|fifth|sixth|seventh|\d+(?:st|nd|rd|th)|umpteenth|nth)\s+time\b",
        r"\b(?:several|many|multiple|numerous|countless|two|three|four|five|six|seven|ten|\d+|a few|so many|"
        r"how many)\s+times\b",
        r"\b(?:again and again|over and over|yet again|once again|keep (?:having to )?(?:asking|writing|calling|"
        r"chasing|emailing|explaining|repeating|telling|contacting|messaging|following up))\b",
        r"\b(?:every|each)\s+(?:single\s+)?time\s+(?:I|we)\s+(?:call|write|ask|contact|chat|email|message)\b",
        r"\b(?:already|previously)\s+(?:asked|told|written|wrote|called|emailed|explained|mentioned|reported|sent)\b",
    ),
    "harm": _compiled(
        *SAFETY["harm"],
        # Ending one's life in other words: "end it tonight", "not be here tomorrow", "better off without me".
        r"\b(?:end(?:ing)?|finish(?:ing)?)\s+(?:it|things|everything)\s+(?:all\s+)?(?:tonight|today|now|soon|"
        r"tomorrow|this (?:week|weekend))\b",
        r"\bnot\s+(?:be|being)\s+(?:here|around|alive)\s+(?:tomorrow|anymore|any ?more|much longer|next week)\b",
        r"\b(?:(?:don't|do not|no longer)\s+want\s+to\s+(?:live|be alive|be here|wake up)|take my (?:own )?life|"
        r"better off (?:dead|without me)|no reason to (?:live|go on))\b",
        # A child or a body at risk from a product, or a product that may have been tampered with.
        r"\b(?:swallow(?:ed|s)?|ingest(?:ed|s)?|inhal(?:ed|es)|choke[ds]?)\b",
        r"\b(?:tamper(?:ed|ing)?|(?:seal|safety seal)\s+(?:was\s+|is\s+)?(?:broken|missing|open))\b",
        r"\b(?:medication|medicine|pills?|tablets?|capsules?|formula|baby food)\b[^.!?]{0,30}\b(?:opened|unsealed|"
        r"damaged|expired|wrong|mould\w*|mold\w*|contaminated)\b",
        # A security failure the customer saw: credentials exposed, someone else's data, a breach.
        r"\b(?:passwords?|credentials?|card (?:number|details)|pin)\b[^.!?]{0,40}\b(?:plain ?text|in the clear|"
        r"exposed|leak\w*|visible|unencrypted|emailed|sent to me)\b",
        r"\b(?:data (?:breach|leak)|security (?:hole|issue|flaw|problem|breach|vulnerability)|vulnerabilit\w+|"
        r"someone else'?s (?:data|details|account|order|invoice|information))\b",
        # A body reacting to a product: rash, burns, allergic reaction, sparks.
        r"\b(?:rash(?:es)?|allergic reaction|anaphyla\w*|burn(?:ed|t|s)\s+(?:my|his|her|their|our)|blister\w*|"
        r"sparked|smoking|choked|choking hazard|(?:made|got|became|fell)\s+(?:me\s+|him\s+|her\s+|us\s+)?"
        r"(?:sick|ill))\b",
    ),
    "complaint": _compiled(
        r"\bnobody has (?:replied|answered|helped)\b",
        r"\b(?:(?:I'?ve|I have|we'?ve|we have) had (?:enough|it)|sick (?:and tired )?of|tired of|"
        r"(?:is|it's) a joke|thanks for nothing|last straw)\b",
        # The reply missed the question, or keeps coming back the same.
        r"\byou(?:'ve|\s+have)?\s+(?:answered|replied\s+to|responded\s+to|addressed)\s+(?:a\s+)?(?:different|another|the"
        r"\s+wrong)\s+(?:question|issue|problem|thing|query)\b|\b(?:that's|that\s+is|this\s+is)\s+not\s+what\s+I\s+"
        r"(?:asked|meant|said)\b|\bI\s+(?:didn't|did\s+not|never)\s+ask\s+(?:about|for)\b",
        r"\b(?:keep|still)\s+(?:getting|sending|receiving)\s+(?:me\s+)?(?:the\s+)?same\s+(?:\w+\s+)?(?:reply|answer|"
        r"response|message|e-?mail)\b|\b(?:didn't|did\s+not|doesn't|does\s+not)\s+answer\s+my\s+question\b"
        r"|\b(?:canned|copy[- ]and[- ]paste|copy[- ]paste|generic)\s+(?:reply|response|answer)\b",
        # Understatement: let down, not what was ordered, used to love it.
        r"\b(?:I'?m|I\s+am|I\s+feel|feeling|felt|I\s+was|we\s+are|we're|we\s+were)\s+(?:(?:a\s+)?(?:little|bit|tad|"
        r"really|very|quite|rather|so|pretty|somewhat|slightly|honestly)\s+)*(?:let\s+down|underwhelmed|disheartened|"
        r"dissatisfied|unhappy|not\s+(?:happy|impressed|satisfied|pleased|thrilled))\b",
        r"\bnot\s+what\s+(?:I|we)\s+(?:ordered|paid\s+for|asked\s+for|expected|bought)\b|\b(?:sent|received|got|"
        r"delivered)\s+(?:me\s+|us\s+)?the\s+wrong\s+(?:item|size|colou?r|product|order|parcel|package|thing)\b",
        r"\bused\s+to\s+(?:love|like|enjoy|rely\s+on|recommend|trust)\s+(?:this|it|your|the\s+\w+)\b|\b(?:gone|going)"
        r"\s+downhill\b|\bnot\s+(?:as\s+good\s+as|what)\s+(?:it|they)\s+used\s+to\s+be\b",
        # A complaint asked as a question.
        r"\bis\s+(?:it|this|that)\s+(?:normal|acceptable|reasonable|standard\s+practice)\s+(?:for|that|to)\b",
        r"\bis\s+this\s+how\s+you\s+(?:treat|deal\s+with|look\s+after|handle|reward|speak\s+to|talk\s+to)\b"
        r"|\bhow\s+(?:can|could|dare)\s+you\b",
        r"\b(?:do|does|did)\s+(?:you|anyone|anybody|your\s+\w+)\s+(?:actually|even|ever|really)\s+(?:test|check|read|"
        r"care|listen|proofread|try|use)\b",
        # Sarcasm a praise word cannot hide: a loyalty slight, another price rise, "said no one ever".
        r"\bso\s+much\s+for\s+(?:loyalty|customer\s+service|service)\b|\b(?:my|our)\s+loyalty\s+(?:counts?|means?|"
        r"matters?|is\s+worth|gets?)\b",
        r"\b(?:another|yet\s+another|again\s+a|latest)\s+price\s+(?:rise|increase|hike)\b",
        r"\b(?:I'?ll|I\s+will|we'?ll)\s+just\s+(?:wait|sit\s+here|keep\s+waiting)\b[^.!?]{0,30}\b(?:then|shall\s+I|"
        r"I\s+guess|forever)\b|\bsaid\s+no\s*(?:one|body)\s+ever\b",
        r"\b(?:clearly|obviously|evidently)\b[^.!?]{0,40}\b(?:(?:top|first|number\s+one|highest)\s+priority|matters?\s+"
        r"to\s+you)\b",
        # A member of staff complained of.
        r"\b(?:doesn'?t|don'?t|didn'?t|does\s+not|do\s+not)\s+know\s+what\s+(?:she|he|they|you)(?:'s|'re|\s+(?:is|are|was|"
        r"were))\s+doing\b|\b(?:rude|unhelpful|condescending|patroni[sz]ing|dismissive|aggressive)\s+(?:staff|agent|"
        r"driver|courier|employee|man|woman|guy|girl|lady|member\s+of\s+staff|rep|engineer)\b",
    ),
    "public": _compiled(
        r"\b(?:the press|(?:a |the )?(?:journalists?|reporters?|newspapers?|media)|social media|twitter|facebook|"
        r"reddit|trustpilot|yelp|tiktok)\b[^.!?]{0,40}\b(?:about|this|you|story|post)\b",
        r"\b(?:writ\w*|go\w*|talk\w*|contact\w*|tell\w*|post\w*)\s+(?:to\s+)?(?:the press|the media|a journalist|"
        r"the papers|the news|public)\b",
        r"\b(?:post\w*|writ\w*|shar\w*|put)\b[^.!?]{0,30}\b(?:on|to)\s+(?:social media|twitter|facebook|reddit|"
        r"trustpilot|yelp|tiktok|instagram|linkedin|google reviews)\b",
        r"\b(?:(?:one|1|zero|0)[- ]star|bad|negative|terrible|honest)\s+reviews?\b",
        r"\breviews?\s+(?:everywhere|online|on every)\b",
        # A review announced about what went wrong: "I'll be leaving a review about the wait".
        r"\b(?:leav|writ|post|put|giv)\w*\s+(?:you\s+)?(?:a|an|my)\s+(?:\w+\s+)?review\s+(?:about|of|on|regarding)\s+(?:the"
        r"\s+(?:wait|delay|service|way|experience|mess|state)|this|how|what)\b",
    ),
    "vulnerable": _compiled(
        *SAFETY["vulnerable"],
        r"\b(?:passed away|died|death|deceased|funeral|bereave\w*|widow\w*|late (?:husband|wife|father|mother|"
        r"son|daughter|partner))\b",
        r"\b(?:in (?:the )?hospital|intensive care|icu|hospice|terminal(?:ly)? ill|chemo\w*|cancer|"
        r"(?:serious|critical)ly ill|carer for)\b",
    ),
}
# Complaints without a complaint word (``lexicon_tone``), rights, money and accounts in the customer's own words
# (``lexicon_rights``, which adds the ``privacy`` and ``escalating`` readings), who the customer is and what they are
# going through (``lexicon_people``), curt replies (``lexicon_curt``), polite sarcasm and rhetorical questions
# (``lexicon_irony``), faces (``lexicon_marks``) and the strong words ``spelling`` writes out are read the same way.
_READ_TOO = (_OWN, TONE, RIGHTS, PEOPLE, CURT, IRONY, MARKS, SPELLED)
MORE: dict[str, tuple[re.Pattern[str], ...]] = {
    kind: tuple(p for table in _READ_TOO for p in table.get(kind, ()))
    for kind in dict.fromkeys(k for table in _READ_TOO for k in table)
}
