"""Support phrasings the hard rules read beyond the router's own lexicons, kind by kind.

The router's features are the analyst's lexicons as the router was trained and calibrated on them
(``agents.offline.triage.LEXICONS``); changing those would change every calibrated score. These patterns
are read on top, for the hard rules and the analyst's reading only: a regulator or a data-rights request,
a cancellation with no object, a person asked for as a question, repeat contact however it is counted,
self-harm and product injury in other words, exasperation, going public and a bereaved or ill customer.
"""

from __future__ import annotations

import re

__all__ = ["MORE"]


def _compiled(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.I) for p in patterns)


MORE: dict[str, tuple[re.Pattern[str], ...]] = {
    "legal": _compiled(
        r"\bregulators?\b",
        # Regulators and data-protection rights, whatever office or article is named.
        r"\b(?:attorney general|(?:data protection|consumer|financial|competition)\s+(?:authority|commission|"
        r"agency|ombudsman|officer)|subject access request|data (?:access|deletion|erasure) request|"
        r"right to (?:be forgotten|erasure|access)|under (?:the )?(?:gdpr|ccpa|dpa)|"
        r"file (?:a|an) (?:complaint|report) with)\b",
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
    ),
    "handoff": _compiled(
        # A person asked for as a question: "is there a manager", "any humans around?", "are you a bot?".
        r"\b(?:is|are)\s+there\s+(?:any(?:one|body)|some(?:one|body)|(?:a|an|any)\s+(?:real\s+|actual\s+|live\s+|"
        r"human\s+)?(?:manager|supervisor|humans?|persons?|people|agents?|representatives?|staff))\b",
        r"\bany\s+(?:real\s+|actual\s+)?(?:humans?|people|persons?|one|body)\s+(?:around|there|here|available|"
        r"awake|reading|listening|working|home)\b",
        r"\bare\s+you\s+(?:even\s+|actually\s+|just\s+)?(?:a\s+|an\s+)?(?:real\s+)?(?:bot|robot|machine|human|"
        r"person|ai|computer|automated|script)\b",
        r"\b(?:any|some)(?:one|body)\s+(?:actually\s+|even\s+|really\s+)?(?:reading|listening|there|home)\b",
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
    ),
    "vulnerable": _compiled(
        r"\b(?:passed away|died|death|deceased|funeral|bereave\w*|widow\w*|late (?:husband|wife|father|mother|"
        r"son|daughter|partner))\b",
        r"\b(?:in (?:the )?hospital|intensive care|icu|hospice|terminal(?:ly)? ill|chemo\w*|cancer|"
        r"(?:serious|critical)ly ill|carer for)\b",
    ),
}
