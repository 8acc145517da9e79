"""Words around a capitalised run that tell a person's name from a place, a firm or a title.

Each rule looks only at the text right before or right after the run and returns a weight of evidence
between 0 and 1; ``humangate.risk._names`` combines the weights with what its lexicon knows about the
words themselves. Strong cues name the person outright ("Mr.", "my name is", "Hi ...,", "directed
by"); weaker ones fit people better than other things (a person verb after the run, a role noun
before it, an apposition such as ", the technical writer,").
"""

from __future__ import annotations

import re

__all__ = ["ROLE_NOUNS", "evidence_after", "evidence_before", "is_cued", "is_greeted"]

# People by what they do or who they are to someone; a capitalised run right after one is a name
# ("producer Ada Brannaugh", "my kid Ola"), and one right after a run makes an apposition.
ROLE_NOUNS = (
    r"(?:producer|director|author|writer|singer|songwriter|composer|musician|artist|actor|actress|painter|poet|"
    r"novelist|journalist|reporter|editor|columnist|commenter|blogger|host|presenter|photographer|designer|"
    r"architect|engineer|developer|programmer|scientist|researcher|professor|teacher|lecturer|student|pupil|"
    r"doctor|physician|surgeon|nurse|dentist|therapist|pharmacist|lawyer|attorney|solicitor|judge|senator|"
    r"president|minister|mayor|governor|ceo|cfo|cto|coo|founder|co-founder|owner|chairman|chairwoman|chair|"
    r"manager|supervisor|boss|colleague|coworker|co-worker|employee|assistant|secretary|intern|consultant|"
    r"accountant|analyst|officer|detective|inspector|sergeant|captain|coach|player|athlete|clerk|cashier|"
    r"driver|courier|agent|representative|rep|client|tenant|landlord|landlady|neighbou?r|friend|roommate|"
    r"flatmate|wife|husband|spouse|partner|fiancée?|girlfriend|boyfriend|son|daughter|kid|child|baby|"
    r"mother|father|mom|mum|dad|brother|sister|uncle|aunt|cousin|nephew|niece|grandson|granddaughter|"
    r"grandmother|grandfather|grandma|grandpa|stepson|stepdaughter|guy|gentleman|lady|speaker|"
    r"candidate|applicant|recipient|sender|signatory|witness|victim|suspect|plaintiff|defendant|patient|"
    r"[a-z]+(?:ist|ician|ologist))"
)

# Cues that name a person outright; matched case-insensitively against the text before a run.
_CUE = re.compile(
    r"(?:\b(?:mr|mrs|ms|miss|mx|dr|prof|sir|madam|mme|mlle|herr|frau|sr|sra|srta)\.?"
    r"|\bdear|\bname(?:\s+is|\s*[:?])|\bname\s+(?:on|of|for|in)\s+[^.!?\n]{0,30}\?\s*(?:[A-Za-z]+:)?"
    r"|\bname\s+was|['’]s\s+(?:(?:full|maiden|first|last|real|legal)\s+)?name|\b(?:full|maiden|real|legal)\s+name"
    r"|\bcalled|\bcalls\s+me|\bnamed(?:\s+(?:him|her|them|it))?|\bsays|\bsaid|\bsigned(?:\s+by)?"
    r"|\bspeak\s+(?:to|with)|\bask\s+for|\bcontact(?:\s+person)?\s*:?|\battn\.?:?|\battention:|\bregards,"
    r"|\bthanks,|\bsincerely,|\bcheers,|\bbest,|(?:^|\n)[ \t>]*(?:cc|bcc|from|to)[ \t]*:"
    r"|\b(?:directed|written|produced|performed|sung|composed|arranged|painted|illustrated|edited|translated"
    r"|narrated|hosted|founded|authored|photographed|signed|approved|reviewed|prepared|submitted)\s+by:?"
    r"|\b(?:starring|featuring|feat\.|ft\.))\s*$",
    re.IGNORECASE,
)
# A greeting right before a run that ends at a comma, colon, "!" or the end of the line ("Hi Vrelitha,").
_GREETING = re.compile(r"(?:^|[\s\"“(])(?:hi|hello|hey|dear|thanks|thank\s+you|cheers|bye|morning)\s*$", re.I)
_VOCATIVE_END = re.compile(r"^\s*(?:[,:!]|$|\n)")
# Verbs done to a person, right before the run ("shouted at Quonsby", "told Ann").
_OBJECT_VERB = re.compile(
    r"\b(?:told|tell|asked|ask|thanked|thank|emailed|e-mailed|mailed|phoned|texted|messaged|met|meet|married"
    r"|hired|fired|introduced|invited|interviewed|promoted|congratulated|cc|cc'd|remind|reminded|notify"
    r"|follow(?:ing)?\s+up\s+with|check(?:ing)?\s+with|meet(?:ing)?\s+with|reach(?:ing)?\s+out\s+to"
    r"|(?:get|got|getting|be|keep)\s+in\s+touch\s+with|on\s+behalf\s+of|copied"
    r"|looped\s+in|loop\s+in"
    r"|notified|(?:shouted|yelled|smiled|waved|looked|laughed)\s+at|(?:said|spoke|talked|talking|talk|wrote"
    r"|replied|reply|listen|listened|belongs|belonged|married|engaged|introduced|sent|send|forward|forwarded)"
    r"\s+to)\s*$",
    re.IGNORECASE,
)
# A role noun right before the run, optionally after a possessive ("my kid", "our client").
_ROLE_BEFORE = re.compile(
    rf"(?:\b(my|his|her|our|your|their|the)\s+(?:[\w-]+\s+)?)?\b{ROLE_NOUNS}(?:s?:|,)?\s*$",
    re.IGNORECASE,
)
_WEAK_CUE = re.compile(
    r"\b(?:by|to|with|under|from|and|for|than|of|add|i'm|i\s+am|me,?)\s*$",
    re.IGNORECASE,
)
# Verbs that mostly have a person as their subject.
_STRONG_VERB = re.compile(
    r"^\s+(?:said|says|told|tells|asked|asks|shouted|yelled|whispered|replied|replies|explained|wrote|writes"
    r"|added|noted|recalled|laughed|smiled|cried|sighed|married|died|lives|lived|grew\s+up|was\s+born"
    r"|works\s+(?:at|for|as)|worked\s+(?:at|for|as)|joined|thinks|thought|believes|wants|wanted|feels|felt"
    r"|loves|loved|hates|sang|sings|spent|spoke|speaks|called|emailed|phoned|texted)\b"
)
_WEAK_VERB = re.compile(
    r"^\s+(?:is|was|has|had|will|would|were|listed|left|went|came|flew|arrived|met|gave|got|can|could)\b"
)
# ", the Technical writer," / ", a nurse from Leeds," / ", 34," after a run.
_APPOSITION = re.compile(
    rf"^,\s+(?:(?:the|a|an|our|my|his|her|their)\s+(?:[\w-]+\s+){{0,3}}?{ROLE_NOUNS}\b|(?:aged\s+)?\d{{1,3}},"
    r"|(?:the|a|an|our|my|his|her|their)\s+[^,.;:!?\n]{1,40},\s+(?:said|says|added|explained|told|wrote|noted"
    r"|commented|replied|recalled|argued|warned|insisted)\b)",
    re.IGNORECASE,
)
_PREDICATE_ROLE = re.compile(
    rf"^(?:\s+(?:from|of|at)(?:\s+[\w&.'-]+){{1,4}})?\s+(?:is|was|will\s+be|has\s+been|became)\s+"
    rf"(?:the|a|an|our|my|his|her|their)\s+(?:[\w-]+\s+){{0,3}}?{ROLE_NOUNS}\b",
    re.IGNORECASE,
)
_PLACE_BEFORE = re.compile(r"\b(?:from|at|of|for|in|with)\s+(?:[\w&.'-]+\s+)?$", re.IGNORECASE)
_PERSONAL_POSSESSION = re.compile(
    r"^['’]s\s+(?:[\w-]+\s+)?(?:wife|husband|son|daughter|kids?|children|mother|father|mom|mum|dad|brother|sister"
    r"|family|parents|friend|boss|killers?|murder|death|funeral|birthday|address|phone|number|email|account"
    r"|house|home|car|office|desk|career|novel|book|songs?|album|lyrics|verses|poems?|band|concert|fans|laptop"
    r"|computer|signature|salary|contract|resignation|appointment|passport|visa|leave|manager|team)\b",
    re.IGNORECASE,
)
_AFTER_VOCATIVE = re.compile(
    r"^,\s+(?:can|could|would|will|please|i|we|you|do|did|are|have|let|what|where|when|how|why|is|it's|i'm)\b",
    re.IGNORECASE,
)


def is_cued(head: str) -> bool:
    """Return whether the text before a run ends with a cue that names a person outright."""
    return bool(_CUE.search(head))


def is_greeted(head: str, after: str) -> bool:
    """Return whether a run is greeted ("Hi Vrelitha," / "Thanks Ann!")."""
    return bool(_GREETING.search(head) and _VOCATIVE_END.match(after))


def evidence_before(head: str, *, initial: bool, weak: bool = True) -> list[float]:
    """Return the weights of evidence in the 40 characters before a run; ``weak`` adds prepositions ("by")."""
    out: list[float] = []
    if _CUE.search(head):
        out.append(0.85)
    if _OBJECT_VERB.search(head):
        out.append(0.5)
    role = _ROLE_BEFORE.search(head)
    if role:
        out.append(0.6 if role.group(1) and role.group(1).lower() != "the" else 0.45)
    if weak and not initial and _WEAK_CUE.search(head):
        out.append(0.35)
    return out


def evidence_after(head: str, after: str, *, initial: bool, weak: bool = True) -> list[float]:
    """Return the weights of evidence in the 60 characters after a run (``head`` is the text before it).

    ``weak`` adds verbs that any subject takes ("is", "has") for a run that does not start a sentence.
    """
    out: list[float] = []
    if _STRONG_VERB.match(after):
        out.append(0.55)
    elif _WEAK_VERB.match(after) and (initial or weak):
        out.append(0.5 if initial else 0.3)
    if _PERSONAL_POSSESSION.match(after):
        out.append(0.55)
    elif re.match(r"^['’]s\b", after):
        out.append(0.4)
    # "Capital" in "Quonsby from Can Capital is the keynote speaker" is where the person comes from.
    if _APPOSITION.match(after) or (_PREDICATE_ROLE.match(after) and not _PLACE_BEFORE.search(head)):
        out.append(0.55)
    if is_greeted(head, after):
        out.append(0.75)
    if re.match(r"^\s+and\s+I\b", after):
        out.append(0.5)  # "Pham and I reviewed the draft."
    if initial and _AFTER_VOCATIVE.match(after):
        out.append(0.5)  # "Quonsby, can you send the file again?"
    if re.search(r",\s*$", head) and re.match(r"^\s*[!?]", after):
        out.append(0.5)  # "Are you coming, Vrelitha?"
    return out
