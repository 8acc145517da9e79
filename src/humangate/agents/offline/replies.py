"""Offline support replies: answer what the product itself can, say what happens next, promise no times.

A reply is a greeting (the customer's first name when it reads as a name, else "there"), the answers
the product can give on its own (a request for a person, whether the message itself arrived, never
whether a payment, a form or a change did: ``risk.confirmations``; the ticket's number), one sentence
that shows the message was read (the question said back in the reply's own words when it has a plain
form, "how to export your reports to CSV"), what happens next, and a sign-off. What happens next never
carries a response time: no "within one business day", no "shortly". Subjects say what the message was
about and carry the ticket's number.

Every fixed sentence is listed by ``template_sentences`` (with the ones earlier versions sent, which
customers still quote), so the escalation router scores only the customer's own words.
"""

from __future__ import annotations

import re

from humangate.core.schemas import SupportMessage
from humangate.risk._lexicon import load_lexicon
from humangate.risk.confirmations import receipt_questions
from humangate.risk.outbound import find_credential_requests
from humangate.risk.pii import pii_triggers
from humangate.risk.terms import find_commitments, find_policy_terms
from humangate.risk.triggers import impact_triggers

__all__ = ["compose_reply", "greeting_name", "reply_subject", "restate_question", "template_sentences"]

# What the team does next, per intent. A sentence each, no response times.
_NEXT = {
    "legal": "I've passed your message to a senior member of our team, who will contact you directly about it.",
    "cancellation": "Before anything is closed, a member of our team will contact you to confirm what you'd like "
    "us to do and to see whether we can put things right.",
    "refund": "I've passed your refund request to our billing team, who will check the payment and confirm the "
    "outcome with you by email.",
    "handoff": "I'm passing this conversation to a member of our team, who will pick it up with you.",
    "complaint": "I've raised this with the team responsible and will come back to you with an update.",
    "billing": "I'll check your account and come back to you with the details.",
    "technical": "I've shared the details with our technical team, who are looking into it, and I'll update you "
    "when I know more.",
    "question": "I've passed it to our product specialists, who will reply with the answer.",
    "praise": "I'll pass them on to the team.",
    "other": "I'll look into it and come back to you.",
}
# The opening when nothing in the message can be said back more precisely.
_OPENING = {
    "legal": "I'm sorry for the trouble this has caused.",
    "cancellation": "I'm sorry we let you down.",
    "refund": "I'm sorry about this charge.",
    "handoff": "",
    "complaint": "I'm sorry for the frustration, and for having to chase us.",
    "billing": "Thanks for getting in touch about billing.",
    "technical": "Thanks for reporting this.",
    "question": "Thanks for your question.",
    "praise": "Thank you so much for the kind words.",
    "other": "Thanks for your message.",
}
_SORRY = {"handoff": "I'm sorry this hasn't been easier.", "": "I'm sorry for the trouble."}
_OF_COURSE = "Of course."
_RECEIVED = "Yes, your message has reached us."
# Sentences earlier versions sent: customers quote them back, and they are still the product's words.
_FORMER = (
    "I've shared the details with our technical team, who are looking into it, and I'll update you as soon as "
    "I know more.",
    "I've passed it to our product specialists, who will reply with the steps within one business day.",
    "I'll look into it and come back to you shortly.",
)
_SUBJECTS = {
    "legal": "Your concerns",
    "cancellation": "Your cancellation",
    "refund": "Your refund request",
    "handoff": "Talking to a person",
    "complaint": "Your complaint",
    "billing": "Your billing question",
    "technical": "The problem you reported",
    "question": "Your question",
    "praise": "Thank you",
    "other": "Your message",
}

_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_GREETING = re.compile(r"^\s*(?:(?:hi|hello|hey|dear)\b[^,!.?:]{0,30}[,!.:]?\s*)", re.I)
_PREFIX = re.compile(
    r"^\s*(?:(?:one\s+)?(?:small|quick|short)\s+question|question|also|and|so|ok(?:ay)?)\s*[:,-]\s*", re.I
)
_ASKS = (
    (re.compile(r"how\s+(?:do|can|could|should|would)\s+(?:i|we)\s+(?P<rest>.+)", re.I), "how to {rest}"),
    (re.compile(r"how\s+to\s+(?P<rest>.+)", re.I), "how to {rest}"),
    (re.compile(r"is\s+(?:there\s+(?:a|any)\s+way|it\s+possible)\s+to\s+(?P<rest>.+)", re.I), "whether you can {rest}"),
    (re.compile(r"(?:can|could)\s+(?:i|we)\s+(?P<rest>.+)", re.I), "whether you can {rest}"),
    (
        re.compile(
            r"(?:can|could|would)\s+you\s+(?:please\s+)?(?:tell|let)\s+(?:me|us)(?:\s+know)?\s+"
            r"(?P<wh>when|where|why|how|what|which|who|whether|if)\s+(?P<rest>.+)",
            re.I,
        ),
        "{wh} {rest}",
    ),
)
# Verbs a yes/no question about the product asks with ("does the API support ..."), to find where its subject ends.
_VERBS = frozenset(
    re.findall(
        r"\w+",
        "support have work allow include offer cover need require accept use sync export import run handle provide "
        "cost ship integrate apply count show mean expire renew charge store keep take save send update delete matter "
        "come let",
    )
)
_SUBJECT_START = frozenset(["the", "your", "my", "our", "this", "that", "these", "those", "it", "a", "an", "there"])
_YES_NO = re.compile(r"(?P<aux>does|do)\s+(?P<rest>.+)", re.I)
# The customer's words in the reply's voice: "my reports" becomes "your reports".
_PRONOUNS = {"i": "you", "me": "you", "my": "your", "mine": "yours", "we": "you", "us": "you", "our": "your"}
_PLAIN = re.compile(r"[A-Za-z][A-Za-z' -]*")  # letters only: no figures, links or addresses are said back
_THEIRS = re.compile(r"\b(?:you|your|yours)\b", re.I)  # "you" in their text is us: never said back as "we"
_TICKET_ASK = re.compile(
    r"\b(?:ticket|reference|case)\s+(?:number|no\.?|id)\b[^.!?]*\?|\bwhat(?:'s| is) my ticket\b", re.I
)
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._#/-]{0,39}")
_ERROR_CODE = re.compile(r"\b(?:error|code|status)\s*[:#]?\s*([1-9]\d{2,3})\b|\b([1-9]\d{2,3})\s+errors?\b", re.I)
_BROKEN = re.compile(
    r"\b(?:the|my|our)\s+(?P<what>[a-z]+(?:\s+[a-z]+)?)\s+(?:has\s+been|is|keeps|kept|has|stopped|isn't|is\s+not"
    r"|won't|doesn't|does\s+not)\s+(?:been\s+)?(?:fail|crash|broken|not\s+working|working|load|down|stopped)",
    re.I,
)


def _voice(text: str) -> str:
    return re.sub(r"\b\w+\b", lambda m: _PRONOUNS.get(m.group().lower(), m.group()), text)


def _third_person(verb: str) -> str:
    if verb == "have":
        return "has"
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if verb.endswith("y") and verb[-2:-1] not in ("a", "e", "i", "o", "u"):
        return verb[:-1] + "ies"
    return verb + "s"


def _whether(aux: str, rest: str) -> str | None:
    """Return "whether the API supports X" for "does the API support X", or None when its verb is not found."""
    words = rest.split()
    if not words or words[0].lower() not in _SUBJECT_START:
        return None
    for i, word in enumerate(words[1:], start=1):
        if word.lower() in _VERBS:
            verb = _third_person(word.lower()) if aux.lower() == "does" else word
            return " ".join(["whether", *words[:i], verb, *words[i + 1 :]])
    return None


def restate_question(text: str) -> str | None:
    """Return the message's first question in the reply's words ("how to export your reports"), or None.

    Only plain questions are said back: letters and spaces, at most 14 words, none addressed to us and
    nothing a risk check would hold (``_quiet``), so no figure, link, address or money matter from a
    message ever comes back in a reply on its own.
    """
    for sentence in _SENTENCE.findall(text):
        if not sentence.rstrip().endswith("?"):
            continue
        ask = _PREFIX.sub("", _GREETING.sub("", sentence.strip())).rstrip("?!. ")
        if m := _YES_NO.fullmatch(ask):
            rest = " ".join(m.group("rest").split())
            if not _PLAIN.fullmatch(rest) or len(rest.split()) > 14 or _THEIRS.search(rest):
                return None
            said = _whether(m.group("aux"), _voice(rest))
            return said if said and _quiet(said) else None
        for pattern, form in _ASKS:
            m = pattern.fullmatch(ask)
            if m is None:
                continue
            rest = " ".join(m.group("rest").split())
            if not _PLAIN.fullmatch(rest) or len(rest.split()) > 14 or _THEIRS.search(rest):
                return None
            wh = (m.groupdict().get("wh") or "").lower()
            said = form.format(rest=_voice(rest), wh="whether" if wh == "if" else wh)
            return said if _quiet(said) else None
        return None
    return None


def _quiet(sentence: str) -> bool:
    """Return True when saying ``sentence`` back gives the risk checks nothing to hold a reply for.

    The customer's words may name money, a policy matter, a person or a password; said back in a reply
    they would make a routine answer wait for a person, so such a question gets the plain opening.
    """
    return not (
        find_policy_terms(sentence)
        or any(c.kind == "promise" for c in find_commitments(sentence))
        or impact_triggers(external=False, text=sentence)
        or pii_triggers(sentence)
        or find_credential_requests(sentence)
    )


def _technical_topic(text: str) -> str | None:
    broken = _BROKEN.search(text)
    code = _ERROR_CODE.search(text)
    number = (code.group(1) or code.group(2)) if code else None
    if broken is None:
        return f"error {number}" if number else None
    topic = f"the problem with your {broken.group('what').lower()}" + (f" (error {number})" if number else "")
    return topic if _quiet(topic) else (f"error {number}" if number else None)


def _ticket(message: SupportMessage) -> str | None:
    return message.id if _SAFE_ID.fullmatch(message.id) else None


_TITLES = frozenset(re.findall(r"\w+", "dr mr mrs ms mx miss mister prof professor sir dame rev"))
# Common first names that VADER also lists as negative ("rob" the verb, "MIA" missing in action).
_NAMES_FIRST = frozenset(["rob", "mia"])
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’.-][^\W\d_]+)*\.?")  # letters, with inner hyphens and apostrophes


def _reads_as_name(word: str) -> bool:
    """Return whether ``word`` may be greeted: never a negative word, and a known name or no English word.

    The name cell is the customer's (or anyone's) input: "Idiot Smith" must not become "Hi Idiot," in the
    business's name. Names that are also kind or plain words ("Grace", "Joy", "Rich", "Hope") are greeted.
    """
    from humangate.agents.offline.triage import sentiment  # lazy: triage imports this module

    if not _NAME_WORD.fullmatch(word):
        return False
    parts = [p for p in re.split(r"[-'’.]", word) if p]
    if any(sentiment(p.lower()) < 0 and p.lower() not in _NAMES_FIRST for p in parts):
        return False  # VADER's negative words: insults, slurs, "Loser", "Hate"
    lexicon = load_lexicon()
    listed = (lexicon.given, lexicon.family, lexicon.more_given)
    return not any(lexicon.english(p) and not any(p.lower() in names for names in listed) for p in parts)


def greeting_name(customer: str) -> str | None:
    """Return the name to greet ``customer`` by ("Ann", "Dr. Smith"), or None when it does not read as one."""
    words = customer.split()
    if len(words) > 1 and words[0].lower().rstrip(".") in _TITLES:
        return f"{words[0]} {words[1]}" if _reads_as_name(words[1]) else None
    return words[0] if words and _reads_as_name(words[0]) else None


def compose_reply(message: SupportMessage, intent: str, *, negative: bool, additions: list[str]) -> str:
    """Return the reply to ``message`` read as ``intent``, with a reviewer's ``additions`` before the sign-off."""
    intent = intent if intent in _NEXT else "other"
    answers: list[str] = []
    # "Yes" answers only "did my message reach you"; asked about a payment, a form or an address, a yes
    # would confirm what nobody checked, so the reply says what happens next and a person answers.
    if (asked_receipt := receipt_questions(message.text)) and all(is_message for _, is_message in asked_receipt):
        answers.append(_RECEIVED)
    if _TICKET_ASK.search(message.text) and (ticket := _ticket(message)):
        answers.append(f"Your ticket number is {ticket}.")
    opening = _OPENING[intent]
    asked = restate_question(message.text) if intent in ("question", "billing") else None
    if asked:
        opening = f"Thanks for asking {asked}."
    elif intent == "technical" and (topic := _technical_topic(message.text)):
        opening = f"Thanks for reporting {topic}."
    lead = ""
    if negative and "sorry" not in opening.lower():
        lead = _SORRY["handoff" if intent == "handoff" else ""]
    elif intent == "handoff":
        lead = _OF_COURSE
    said = " ".join(s for s in (lead, *answers, opening, _NEXT[intent]) if s)
    return "\n\n".join(
        [f"Hi {greeting_name(message.customer) or 'there'},", said, *additions, "Best regards,\nCustomer Support"]
    )[:10_000]


def reply_subject(message: SupportMessage, intent: str) -> str:
    """Return the subject of the reply: what the message was about, and its ticket number."""
    intent = intent if intent in _SUBJECTS else "other"
    topic = _SUBJECTS[intent]
    if intent in ("question", "billing") and (asked := restate_question(message.text)):
        topic = asked[:1].upper() + asked[1:]
    elif intent == "technical" and (found := _technical_topic(message.text)):
        topic = found[:1].upper() + found[1:]
    ticket = _ticket(message)
    return f"Re: {topic}" + (f" [{ticket}]" if ticket else "")


def template_sentences() -> frozenset[str]:
    """Return every fixed sentence an offline reply can contain (and the retired ones customers still quote)."""
    texts = [*_NEXT.values(), *_OPENING.values(), *_SORRY.values(), _OF_COURSE, _RECEIVED, *_FORMER]
    return frozenset(s.strip() for t in texts for s in re.split(r"(?<=[.!?])\s+", t) if s.strip())
