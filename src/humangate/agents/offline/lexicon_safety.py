"""Support phrasings of harm and vulnerability, read on top of the router's lexicons (see ``lexicon_more``).

Harm: a product that failed dangerously before anyone was hurt (while in use, a child's safety item, a child near
batteries, magnets or medicine, gas work left unchecked), food or medicine that is contaminated, mislabelled or a
question of dosage or pregnancy, and security incidents told plainly (phishing and payment redirection, credentials
or card data exposed or typed into a fake page, a flood of reset e-mails, another person's data asked for) and
threats to staff, veiled or not, and a body reacting to a product. Vulnerable: hardship, a disability, a recovery, a
medical dependence and a controlling ex-partner.
"""

from __future__ import annotations

import re

from humangate.agents.offline._lexicon_util import compiled as _compiled

__all__ = ["SAFETY"]


_CHILD = r"(?:toddlers?|child(?:ren)?|kids?|bab(?:y|ies)|infants?|sons?|daughters?|grandchild(?:ren)?|little\s+ones?)"
_HAZARD = (
    r"(?:batter(?:y|ies)|button\s+cells?|magnets?|pills?|tablets?|medicines?|medication|detergent|(?:laundry\s+)?pods?"
    r"|bleach|chemicals?|cleaning\s+products?|small\s+parts?|child[- ]?(?:proof|resistant)\W*\s*(?:caps?|lids?|locks?)?"
    r"|blind\s+cords?|cords?)"
)
_FOOD = (
    r"(?:food|meals?|packets?|rice|pasta|bread|salad|sandwich|drinks?|dish|pizza|soup|cereal|flour|sauce|yog(?:h)?urt"
    r"|milk|chocolate|biscuits?|snacks?|takeaway|burger|curry|fruit|vegetables|veg|meat|chicken|tea|coffee|juice)"
)
_BROKE = (
    r"(?:snapped|broke(?:\s+off)?|came\s+(?:off|loose|apart|undone)|gave\s+way|collapsed|fell\s+(?:off|apart)"
    r"|detached|cracked|shattered|buckled|exploded|melted|caught\s+fire)"
)

_SAFETY_ITEM = (
    r"(?:car\s+seat|child\s+seat|booster\s+seat|high\s*chair|cot|crib|pram|stroller|buggy|baby\s+gate|stair\s+gate"
    r"|safety\s+gate|helmet|harness|ladder|step\s*ladder|brakes?|e-?bike|e-?scooter|scooter|bike|bicycle|trampoline"
    r"|balcony|railing|bannister|banister|smoke\s+alarm|carbon\s+monoxide\s+alarm|co\s+alarm)s?"
)

SAFETY: dict[str, tuple[re.Pattern[str], ...]] = {
    "harm": _compiled(
        # A product that failed while someone used it, or a child's safety item that failed.
        rf"\b{_BROKE}\b[^.!?]{{0,40}}\bwhile\s+(?:(?:I|we|he|she|they|my\s+\w+)\s+(?:was|were)\s+)?(?:driving|riding"
        r"|cycling|using\s+it|in\s+use|climbing|sitting|standing|carrying|cooking|charging|holding|wearing|on\s+it|in\s+it)\b",
        r"\b(?:car\s+seat|child\s+seat|booster\s+seat|high\s*chair|cot|crib|pram|stroller|buggy|baby\s+gate|stair\s+gate"
        rf"|helmet|harness|smoke\s+alarm|carbon\s+monoxide\s+alarm|co\s+alarm)s?\b[^.!?]{{0,40}}\b(?:{_BROKE}|failed"
        r"|faulty|loose|(?:doesn't|didn't|won't|does\s+not|did\s+not)\s+(?:work|hold|lock|stay|go\s+off|sound))\b",
        # A child with batteries, magnets, medicine or cleaning products, or a hazard loose near a child.
        rf"\b{_CHILD}\b[^.!?]{{0,40}}\b(?:ate|eaten|eat|eating|swallow\w*|open(?:ed)?|playing\s+with|played\s+with"
        rf"|got\s+(?:into|hold\s+of)|chew\w*|lick\w*|in\s+(?:his|her|their)\s+mouth)\b[^.!?]{{0,40}}\b{_HAZARD}",
        rf"\b{_HAZARD}\b[^.!?]{{0,40}}\b(?:missing|loose|came\s+out|fell\s+out|exposed|easy\s+to\s+open|open)\b"
        rf"[^.!?]{{0,40}}\b{_CHILD}\b",
        # The same failures told the other way round ("the wheel came off the pram"), under a person's weight
        # ("buckled when I stood on it") or as a safety item that no longer closes or stops.
        rf"\b{_BROKE}\b[^.!?]{{0,30}}\b(?:the|my|our|his|her)\s+(?:[\w-]+\s+)?{_SAFETY_ITEM}\b",
        rf"\b{_BROKE}\b[^.!?]{{0,30}}\b(?:when|as\s+soon\s+as|the\s+moment|as)\s+(?:I|we|he|she|they|my\s+\w+)\s+(?:stood"
        r"|sat|leaned|leant|climbed|stepped|lay|knelt)\b",
        rf"\b{_SAFETY_ITEM}\b[^.!?]{{0,40}}\b(?:doesn'?t|don'?t|didn'?t|won'?t|does\s+not|do\s+not|will\s+not|no\s+longer)"
        r"\s+(?:\w+\s+)?(?:close|shut|latch|lock|stop|brake|hold|grip)\b|\b(?:brakes?|smoke\s+alarms?|co\s+alarms?)\b"
        r"[^.!?]{0,30}\b(?:doesn'?t|don'?t|didn'?t|won'?t|does\s+not|do\s+not|no\s+longer)\s+(?:\w+\s+)?work\b",
        # Heat, sparks and water where they do not belong.
        r"\bto{1,2}\s+hot\s+to\s+(?:touch|hold|handle)|\boverheat\w*|\bsparks?\s+(?:came|come|coming|flew|fly|flying|shot|out"
        r"|from)\b|\bspark(?:ed|ing)\b|\bscald(?:ed|ing|s)\b",
        r"\b(?:water|leak\w*|drip\w*|flood\w*)\b[^.!?]{0,40}\b(?:sockets?|plugs?|outlets?|electrics|wiring|fuse\s*box"
        r"|extension\s+leads?|power\s+strips?|light\s+fittings?)\b",
        # A body reacting: skin peeling, lips swelling, hair falling out, an infection caught from it.
        r"\b(?:made|making|caused|causing|gave|given|giving)\s+(?:me|my\s+\w+|him|her|them|us)\s+(?:\w+\s+){0,2}(?:fall\s+out"
        r"|infections?|headaches?|migraines?|nausea|rash\w*|burns?|sores?|hives|swell\w*|itch\w*|bleed\w*|diarrh\w+"
        r"|vomit\w*|blisters?|dizzy|faint)\b",
        r"\b(?:skin|eyes?|lips?|mouth|throat|tongue|face|scalp|gums?)\b[^.!?]{0,20}\b(?:peel\w*|sting\w*|swell\w*|swollen"
        r"|blister\w*|bleed\w*|burn(?:ed|t|ing)|raw)\b",
        # Food or medicine spoiled, past its date, looking wrong, soiled or with a seal that gave.
        r"\b(?:was|were|is|are|had\s+gone|went|gone)\s+(?:already\s+)?(?:off|sour|mouldy|moldy|rotten|rancid|spoiled|spoilt"
        r"|out\s+of\s+date)\b[^.!?]{0,40}\b(?:before|use[- ]by|best[- ]before|date|arrived|delivered|opened)\b",
        r"\b(?:expir\w+|use[- ]by|best[- ]before|sell[- ]by)\b[^.!?]{0,40}\b(?:passed|gone|out\s+of\s+date|expired"
        r"|before\s+it\s+(?:arrived|came)|when\s+it\s+(?:arrived|came))\b",
        r"\b(?:pills?|tablets?|capsules?|medicines?|medication|prescription|insulin|liquid|syrup)\b[^.!?]{0,40}\b(?:look"
        r"|looks|looked|taste|tastes|tasted|smell|smells|smelled|smelt)\s+(?:\w+\s+)?(?:different|odd|strange|wrong|weird"
        r"|off)\b",
        r"\b(?:blood|vomit|faeces|feces|urine|excrement|needles?|syringes?)\s+(?:on|in|inside|all\s+over)\s+(?:the|my|a|our)"
        r"\s+(?:[\w-]+\s+)?(?:packaging|package|parcel|box|food|meal|bag|item|product|order|delivery)\b",
        r"\bseal\b[^.!?]{0,40}\b(?:popped|broken|open(?:ed)?|missing|lifted|torn|peeled|tampered|damaged)\b",
        # Pests where people sleep or eat.
        r"\b(?:had|has|have|found|saw|seen|spotted|got|full\s+of|crawling\s+with|there\s+(?:was|were|are|is))\s+(?:a\s+|some"
        r"\s+|an\s+)?(?:bed\s*bugs?|cockroach\w*|fleas|mice|rats|vermin|rodents?|lice|(?:mouse|rat)\s+droppings|"
        r"infestation)\b|\binfest(?:ed|ation)\s+(?:with\s+|of\s+)?(?:bed\s*bugs|cockroaches|fleas|mice|rats|vermin|pests)\b",
        # Gas and electrics left unsafe.
        r"\b(?:gas\s+(?:leak|smell)|smell\s+(?:of\s+)?gas|carbon\s+monoxide)\b",
        r"\bwithout\s+(?:testing|checking|safety[- ]checking|a\s+safety\s+check\s+(?:on|of))\s+(?:the\s+|my\s+|our\s+)?"
        r"(?:boiler|gas|wiring|electrics|brakes|appliance|installation|heater|cooker|hob|fire|meter|pipes?|connection)\b",
        # Food: something in it, spoiled, or not what the diet says.
        r"\bfound\s+(?:a|an|some|two|\d+)\s+(?:small\s+|dead\s+|live\s+|little\s+|tiny\s+)?(?:insects?|maggots?|worms?"
        r"|weevils?|flies|fly|hairs?|(?:piece|shard)s?\s+of\s+(?:glass|metal|plastic)|slugs?|snails?|cockroach\w*"
        r"|beetles?|droppings|mould|mold)\b",
        rf"\b(?:insects?|maggots?|worms?|weevils?|flies|hairs?|glass|cockroach\w*|beetles?|droppings|mould|mold)\s+in\s+"
        rf"(?:the|my|a|our)\s+(?:[\w-]+\s+){{0,2}}{_FOOD}\b",
        r"\b(?:vegan|vegetarian|gluten[- ]free|dairy[- ]free|nut[- ]free|halal|kosher|lactose[- ]free|egg[- ]free)\b"
        r"[^.!?]{0,40}\b(?:had|has|contained|contains|with|came\s+with|found|included|includes)\b[^.!?]{0,20}\b(?:cheese"
        r"|milk|meat|chicken|beef|pork|ham|bacon|fish|eggs?|butter|cream|gluten|wheat|nuts?|peanuts?|dairy|gelatin\w*"
        r"|lard|prawns?|shellfish)\b",
        r"\ballerg(?:en|ens|y|ies)\b[^.!?]{0,40}\b(?:not\s+(?:listed|declared|mentioned|on\s+the\s+label)|missing|wrong"
        r"|undeclared|mislabel\w*)",
        # Medicine: pregnancy, dosage, whether it is safe for a child or with another medicine.
        r"\b(?:safe|okay|ok|fine|suitable|alright)\b[^.!?]{0,30}\b(?:during|while|when|in)\s+(?:my\s+|the\s+)?"
        r"(?:pregnan\w+|breast-?feeding|nursing)\b",
        r"\b(?:pregnan\w+|breast-?feeding)\b[^.!?]{0,40}\b(?:safe|okay|ok|use|take|suitable)\b",
        r"\b(?:dos(?:e|es|age|ages|ing))\b[^.!?]{0,60}\b(?:different|differs?|wrong|incorrect|mismatch\w*|doesn't\s+match"
        r"|does\s+not\s+match|conflict\w*|contradict\w*)\b|\b(?:wrong|incorrect|double|different)\s+(?:dose|dosage)\b",
        # Security: phishing and payment redirection, details typed into a fake page, reset floods, exposed data.
        r"\b(?:phish\w*|spoof\w*|(?:fake|suspicious|scam|fraudulent)\s+(?:e-?mails?|texts?|sms|messages?|calls?|websites?"
        r"|sites?|links?|invoices?))\b",
        r"\b(?:pay|send|transfer|move)\w*\b[^.!?]{0,30}\b(?:new|different|updated|changed)\s+(?:bank\s+)?(?:account|bank"
        r"|iban|payment|sort\s+code)\s*(?:numbers?|details)?\b",
        r"\bclick\w*\s+(?:on\s+)?(?:the|a|this|that|some)\s+(?:[\w-]+\s+){0,2}links?\b[^.!?]{0,80}?\b(?:enter\w*|typ\w*"
        r"|gave|put\s+in|fill\w*)\b",
        r"\b(?:password\s+reset|reset|verification|login|log-?in|sign-?in|2fa|security)\s+(?:e-?mails?|codes?|texts?"
        r"|requests?|alerts?|notifications?)\b[^.!?]{0,30}\b(?:every\s+(?:few\s+)?(?:minutes?|seconds?|hour)|non-?stop"
        r"|constantly|dozens|hundreds|(?:I|we)\s+(?:didn't|did\s+not|never)\s+(?:request|ask))",
        r"\b(?:full|whole|entire|complete|unmasked)\s+(?:credit\s+|debit\s+|bank\s+)?(?:card|account|social\s+security"
        r"|passport)\s+(?:numbers?|details)\b",
        r"\b(?:send|give|tell|share|provide|read|disclose)\s+(?:me\s+)?(?:the\s+)?(?:[\w-]+\s+){0,3}(?:you\s+have\s+|you\s+"
        r"hold\s+)?(?:on\s+file|on\s+record)\s+for\b",
        # Threats to staff, veiled or plain.
        r"\b(?:you'?d|you\s+had|you)\s+better\s+(?:watch|be\s+careful|sleep\s+with|look\s+over|run|hide|pray)\b"
        r"|\bwatch\s+(?:your\s+back|yourself)\b|\bbetter\s+not\s+(?:show|come\s+(?:back|round|near)|set\s+foot)\b"
        r"|\bshow\s+(?:his|her|their|your)\s+face\s+(?:round|around|here|again)\b",
        r"\b(?:I'?ll|I\s+will|I'?m|I\s+am)\s+(?:be\s+)?(?:waiting|wait)\s+(?:for\s+(?:you|him|her|them)\s+)?(?:outside"
        r"|in\s+the\s+car\s+park|after\s+(?:work|your\s+shift)|at\s+closing)\b|\bI\s+know\s+where\s+(?:you|he|she|they)"
        r"\s+(?:live|work)s?\b",
        r"\b(?:won'?t|will\s+not)\s+be\s+(?:polite|nice|civil|pleasant|so\s+nice|calm|friendly)\b",
    ),
    "vulnerable": _compiled(
        # Hardship: benefits, debt, a bill the customer cannot pay.
        r"\b(?:universal\s+credit|on\s+benefits|food\s*banks?|pension\s+credit|jobseeker'?s|disability\s+(?:benefit"
        r"|allowance|living)|overdrawn|in\s+(?:arrears|debt)|debt\s+collectors?|bailiffs?|payday\s+loans?|financial"
        r"\s+hardship|struggling\s+(?:financially|to\s+pay|with\s+(?:money|bills|debt)))\b",
        r"\b(?:can'?t|cannot|can\s+not|couldn'?t)\s+afford\b[^.!?]{0,30}\b(?:amount|bill|payment|instal\w*|rent"
        r"|this\s+month|to\s+pay|the\s+(?:fee|charge|price))",
        # A disability, a recovery, a medical dependence.
        r"\b(?:wheelchair|disab(?:led|ility|ilities)|partially\s+sighted|visually\s+impaired|registered\s+blind|I'?m\s+blind"
        r"|I\s+am\s+blind|I'?m\s+deaf|I\s+am\s+deaf|hard\s+of\s+hearing|mobility\s+(?:issues?|problems?|scooter|aid)"
        r"|walking\s+(?:aid|stick|frame)|crutches|housebound|bed-?bound|my\s+carer)\b",
        r"\b(?:recovering\s+from|just\s+had|after\s+(?:my|an?))\s+(?:(?:major|an?|my|hip|knee|heart|back|eye)\s+)*"
        r"(?:surgery|operation|stroke|heart\s+attack|c-?section|replacement|transplant)\b",
        r"\b(?:insulin|epi-?pens?|inhalers?|oxygen\s+(?:machine|concentrator|supply|tank)|dialysis|ventilator"
        r"|nebuli[sz]er|(?:blood\s+)?glucose\s+monitor|stairlift)\b",
        # Someone controlling or following them through the product.
        r"\b(?:my|an?)\s+(?:ex|ex-(?:partner|husband|wife|boyfriend|girlfriend)|abusive\s+\w+)\b[^.!?]{0,60}\b(?:track\w*"
        r"|stalk\w*|follow\w*|monitor\w*|spy\w*|location|log(?:ged|s|ging)?\s+in(?:to)?|reading\s+my|harass\w*"
        r"|threaten\w*)",
        r"\b(?:domestic\s+(?:abuse|violence)|coercive\s+control|restraining\s+order|stalk(?:ing|er|ed))\b",
    ),
}
