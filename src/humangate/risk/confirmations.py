"""Replies that confirm what nobody checked: a payment received, an account changed, a plan cancelled.

The support bot sees the customer's words, never the payment ledger, the account record or the post room.
A reply that says "yes, we have received your payment", "your address has been changed" or "your plan has
been cancelled" states a fact only a person who looked can state, and the customer acts on it. Three
readings hold such a reply for a person:

- a sentence of the reply that confirms (or denies) the state of a money, account, address or
  cancellation matter: "yes ...", "we have received ...", "... has been cancelled / changed / refunded /
  processed";
- a bare "Yes," / "No," that answers a customer question about such a matter, whatever the rest of the
  sentence says ("Yes, it has reached us." to "did you get my payment?");
- a customer question that asks whether we received or acted on something other than their message
  ("did you get my cancellation form?"): the reply cannot answer it, so a person who can check does.

The reading is on what the reply says, not on a list of questions: a reply that confirms nothing about
such a matter passes, and the product's own sentences (``agents.offline.replies``) confirm nothing.
Both texts are read as a reader reads them (``risk._fold.readable``): "we have rеfunded" with a Cyrillic
"е" confirms a refund; a reply's sentences are quoted as written.
"""

from __future__ import annotations

import re

from humangate.core.contract import Trigger
from humangate.risk._fold import readable

__all__ = ["confirmation_triggers", "find_confirmations", "receipt_questions", "requested_commitments"]

_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
# What a customer relies on once the business says it happened.
_MATTER = re.compile(
    r"\b(?:pa(?:y|ys|id|ying|yments?|youts?)|refund\w*|charge[ds]?|invoices?|billing|bills?|money|fees?"
    r"|credit(?:s|ed)?|debit(?:s|ed)?|cards?|bank\w*|transfer\w*|deposit\w*|balance|amount|price|purchase\w*"
    r"|orders?|contract|renewal|accounts?|profile|login|password|data|plan|subscriptions?|membership"
    r"|ownership|owner|address(?:es)?|cancel\w*|forms?|direct\s+debit)\b|[$€£¥]",
    re.I,
)
_DONE = (
    r"received|got(?:ten)?|processed|cancel+ed|changed|updated|refunded|credited|debited|applied|closed|deleted"
    r"|removed|moved|transferred|reversed|approved|issued|recorded|registered|paid|switched|confirmed|reset"
)
# "Yes, ..." opening an answer; "of course" and "sure" lead the product's polite sentences, not answers.
_YES = re.compile(
    r"^\s*(?:(?:yes|yep|yeah|yup|correct|confirmed|indeed|that(?:'s|\s+is)\s+right)\b|(?:no|nope)\s*[,.!:;-])", re.I
)
_WE_DID = re.compile(
    rf"\b(?:we|i)(?:\s+have|\s+had|'ve|'d)?\s+(?:(?:now|already|just|successfully|also|not|never)\s+)*(?:{_DONE})\b",
    re.I,
)
_IT_IS_DONE = re.compile(
    r"\b(?:has|have|is|are|was|were|'s|'re)\s+(?:(?:now|already|just|successfully|also|not|never|been)\s+)*"
    rf"(?:{_DONE}|gone\s+(?:through|out|ahead)|come\s+through|arrived|reached\s+us|through|in\s+place)\b",
    re.I,
)
# A clause that only supposes the state ("before anything is closed", "once it is processed") states nothing.
_SUPPOSED = re.compile(r"\b(?:before|if|once|when|until|unless|whether|after|as\s+soon\s+as)\b[^,;:]*$", re.I)

_RECEIVE = r"receive[ds]?|get|got(?:ten)?|seen?|read|find|found"
_ACT = r"process(?:ed)?|cancel+(?:ed)?|change[ds]?|update[ds]?|refund(?:ed)?|credit(?:ed)?|appl(?:y|ied)|record(?:ed)?"
_ASK = re.compile(
    r"\b(?:did|have|has|do)\s+(?:you|anyone|someone|somebody|your\s+team)\s+(?:(?:even|actually|already|ever)\s+)?"
    rf"(?P<verb>{_RECEIVE}|{_ACT})\b(?P<object>[^.!?\n]*)"
    r"|\b(?:can|could)\s+you\s+confirm\s+(?:that\s+|whether\s+|if\s+)?(?:you\s+)?(?:have\s+)?"
    rf"(?P<verb2>{_RECEIVE}|{_ACT})\b(?P<object2>[^.!?\n]*)",
    re.I,
)
_IDIOM = re.compile(r"(?:a|the|any)\s+chance\b", re.I)
# The customer's own message: the one thing the product knows has reached it.
_MESSAGE = re.compile(
    r"(?:(?:my|our|the|this)\s+)?(?:(?:last|previous|earlier|first|latest|recent|other|original)\s+)?"
    r"(?:e-?mails?|messages?|mails?|notes?|tickets?|enquir(?:y|ies)|inquir(?:y|ies)|questions?|requests?"
    r"|replies|reply|letters?|complaints?|feedback)",
    re.I,
)
# What may follow it: when it was sent, never what it was about.
_WHEN = frozenset(
    re.findall(
        r"\w+",
        "from of on sent i we earlier yesterday today this last morning afternoon evening night week weekend "
        "ago a few couple days day hours hour minutes before the at monday tuesday wednesday thursday friday "
        "saturday sunday already yet",
    )
)


# A customer asking us to act on a record ("please cancel order 5512", "can you backdate my cancellation"):
# "Can I change ..." asks how, "please change ..." / "can you change ..." asks us to do it.
_ACTION = re.compile(
    r"(?:^|[.!?,;]\s*|\b(?:please|kindly|just)\s+|\b(?:can|could|would|will)\s+you\s+(?:please\s+)?"
    r"|\bI(?:'d|\s+would)\s+like\s+you\s+to\s+|\b(?:I|we)\s+need\s+you\s+to\s+)"
    r"(?:cancel|update|change|amend|transfer|mark|backdate|move|remove|delete|close|merge|edit|correct|switch|reverse"
    r"|void|stop|pause|extend|reissue|add|apply)\b(?P<object>[^.!?\n]{0,60})",
    re.I,
)
# A promise or a statement of record asked for: a guarantee, "definitely", "make sure", "confirm my account is".
_PROMISE = re.compile(
    r"\b(?:can|could|will|would)\s+you\s+(?:please\s+)?(?:guarantee|promise|assure|make\s+sure|ensure|commit)\b"
    r"|\b(?:guarantee\w*|promise)\s+(?:me\s+|us\s+)?(?:that\s+)?(?:it|my|our|the|delivery|arrival)\b"
    r"|\b(?:will|would|is|does|can)\s+(?:it|my|our|the|this|they)\b[^.!?\n]{0,40}\b(?:definitely|certainly|for\s+sure"
    r"|guaranteed|100%)"
    r"|\b(?:confirm|certify|state|verify)\s+(?:in\s+writing\s+)?(?:that\s+)?(?:my|our|the)\s+(?:\w+\s+){0,2}"
    r"(?:is|are|was|has|have|will)\b",
    re.I,
)


def requested_commitments(text: str) -> list[str]:
    """Return the sentences of a customer's ``text`` that ask us to act on a money or account record, or to promise."""
    found: list[str] = []
    for sentence in _sentences(readable(text).text):
        acts = any(_MATTER.search(m.group("object")) for m in _ACTION.finditer(sentence))
        if acts or _PROMISE.search(sentence):
            found.append(sentence)
    return found


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def _is_message(obj: str) -> bool:
    """Return whether ``obj`` (what a question asks about) is the customer's message itself."""
    words = obj.strip(" ,;:").split()
    m = _MESSAGE.match(" ".join(words))
    if not words or m is None:
        return False
    rest = " ".join(words)[m.end() :]
    if rest[:1].isalpha():  # "messages" is matched, "messaged"/"mailbox" are not the message
        return False
    return all(w.lower().strip(",'") in _WHEN for w in rest.split())


def receipt_questions(text: str) -> list[tuple[str, bool]]:
    """Return what ``text`` asks whether we received or acted on, each with whether it is the message itself.

    Only "did you receive my message" is answered by the product ("Yes, your message has reached us."):
    a question about anything else (a payment, a form, an address, "it") is for a person who can check.
    """
    found: list[tuple[str, bool]] = []
    for m in _ASK.finditer(readable(text).text):
        verb = (m.group("verb") or m.group("verb2") or "").lower()
        obj = " ".join((m.group("object") or m.group("object2") or "").split())
        if _IDIOM.match(obj):
            continue  # "did you get a chance to look": not a question of receipt
        receipt = re.fullmatch(_RECEIVE, verb) is not None
        found.append((obj, receipt and _is_message(obj)))
    return found


def _clause_confirms(sentence: str, pattern: re.Pattern[str]) -> bool:
    return any(not _SUPPOSED.search(sentence[: m.start()]) for m in pattern.finditer(sentence))


def find_confirmations(reply: str, message_text: str = "") -> list[str]:
    """Return the sentences of ``reply`` that confirm or deny a money, account, address or cancellation matter.

    A sentence opening with "Yes"/"No" answers the customer: it counts when their questions in
    ``message_text`` are about such a matter, even if the sentence itself names none.
    """
    message_text = readable(message_text).text
    asked = [s for s in _sentences(message_text) if s.endswith("?") or _ASK.search(s)]
    about_matter = any(_MATTER.search(s) for s in asked) or any(
        not is_message for _, is_message in receipt_questions(message_text)
    )
    read = readable(reply)
    found: list[str] = []
    for m in _SENTENCE.finditer(read.text):
        sentence = m.group().strip()
        if not sentence:
            continue
        states = _clause_confirms(sentence, _WE_DID) or _clause_confirms(sentence, _IT_IS_DONE)
        answers = _YES.match(sentence) is not None
        if ((states or answers) and _MATTER.search(sentence)) or (answers and about_matter):
            start, end = read.span(m.start(), m.end())
            found.append(reply[start:end].strip())
    return found


def confirmation_triggers(reply: str, message_text: str = "", *, where: str = "The reply") -> list[Trigger]:
    """Return the triggers that hold ``reply`` to ``message_text`` for a person (see the module doc)."""
    out: list[Trigger] = []
    if said := find_confirmations(reply, message_text):
        out.append(
            Trigger(
                kind="policy",
                reason=f"{where} confirms a payment, account, address or cancellation matter that nobody has "
                "checked; the customer will act on it. A person checks the records before it is said.",
                score=0.8,
                evidence=[s[:500] for s in said[:10]],
            )
        )
    if wanted := requested_commitments(message_text):
        out.append(
            Trigger(
                kind="policy",
                reason="The customer asks us to act on an order, an account or a payment, or to promise an outcome; "
                "only a person who can check the records and commit the business can answer it.",
                score=0.7,
                evidence=[s[:500] for s in wanted[:10]],
            )
        )
    if asked := [obj for obj, is_message in receipt_questions(message_text) if not is_message]:
        out.append(
            Trigger(
                kind="policy",
                reason="The customer asks whether we received or acted on something other than their message; "
                "only a person who can check the records can answer it.",
                score=0.7,
                evidence=[(obj or "(it)")[:500] for obj in asked[:10]],
            )
        )
    return out
