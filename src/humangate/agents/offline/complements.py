"""Read what follows a directive's verb: the wording, a person, or something the drafters can check.

The claim readers (``claims``) pass a writing directive as harmless only when it is about the text. Three
tests look past the verb, by word class rather than by phrase:

- ``form_only``: after "keep", "stay", "be", "sound", "make" or "remain", every word is about form (a
  tone, a length, the message itself): "keep it short and warm" is; "keep them aside", "keep them on
  ice", "keep Dana posted", "make sure Sam sees them", "keep everything internal" are not.
- ``addressee``: a verb of contacting ("email", "message", "send", "ping", "tell") whose direct object is a
  person, a role or a name ("email their manager too", "send Dana a copy", "contact their boss") moves
  the work to someone who is not the item.
- ``selection``: a reply verb whose object is a qualified part of the items ("send the calm ones", "answer
  the shipping questions", "reply to polite customers", "the ones about refunds") leaves the rest out, and
  which the rest are cannot be told.
- ``sends_a_thing``: a verb that sends or writes whose object is not a message ("send each contact a gift
  card", "email them the price list", "send them a quote", "an intro email with a $50 voucher") hands over
  something no graph makes; the drafted email would go out without it.
- ``has_content``: a directive that asks the message to say something must name something to look for;
  "write only" or "sign them as me" names nothing, and a check that looks for nothing always passes.
"""

from __future__ import annotations

import re

from humangate.agents.offline.destinations import ITEMS, person_or_role
from humangate.core.wording import GENERIC, NEGATIONS, UNIVERSAL, fold, kinds_in, tokens

__all__ = ["TONE", "addressee", "form_only", "has_content", "selection", "sends_a_thing"]


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


TONE = _set(
    "formal informal friendly casual warm concise short brief professional polite enthusiastic upbeat direct "
    "playful tone voice style register language english german french spanish plain simple clear and sweet "
    "very not too overly a an the please keep it them light respectful kind empathetic"
)
# English verbs whose complement says how the text reads: "keep it short", "be concise", "make it warm".
_FORM_VERBS = _set("keep stay be sound make remain")
# What such a complement may hold: the message itself, and words of tone, length and plainness.
_FORM_WORDS = TONE | _set(
    "shorter briefer crisp tight succinct readable courteous human personal personable natural positive neutral "
    "calm honest conversational relaxed cheerful helpful specific focused relevant factual accurate simple "
    "to point on topic brand on-brand jargon-free free of jargon tidy neat clean smooth engaging genuine "
    "sincere humble confident gentle concrete precise or but so as possible sure that is are it's they "
    "they're each every one all everything reply replies response responses answer answers email emails "
    "message messages note notes brief briefs text wording copy subject line lines greeting sign-off "
    "paragraph paragraphs sentence sentences writing under below within less fewer than words max maximum "
    "around about up at most your their our my sound like read human with toward towards"
)
_TOWARDS = _set("with to towards toward around for")
# Verbs of contacting someone: their direct object is who hears from us.
_CONTACT = _set(
    "email e-mail mail message contact reach ping text call ring dm slack cc bcc notify tell inform invite "
    "send forward show give hand copy loop write remind alert warn update ask"
)
# Verbs that put a message in someone's mailbox: with "me" they send the work to the user ("email me each draft").
_MAIL = _set("email e-mail mail message text dm slack ping cc bcc forward copy")
_SELF = _set("me us myself")
# Verbs that reach people rather than answer messages: with "their X" or "everyone at" they reach someone else.
_PEOPLE_VERBS = _set("contact reach write call ring invite")
_OWNERS = _set("their his her its")
_WIDER = re.compile(
    r"^(?:all |the )?(?:everyone|everybody|anyone|anybody|people|staff|employees)\b(?: \w+)? (?:at|there|in|from|on)\b"
)
_SKIP = _set("also too please then the a an their his her our my your each every all one of")
_SUBJECTS = _set("i i'm i'll i'd i've we we're we'll we'd ich wir je yo nous")
# Words that end the object: a preposition, a conjunction or a time word ("email Dana before sending").
_ENDS = _set("to about with for on in at from by before after and or once when if until as that so")
# Words that say how to ask, not what to say: a directive made only of these names nothing to check.
_ASKING = _set(
    "please kindly also always make sure be don't dont do not never to as it its each every one all them they "
    "their these those this that the a an our we us you your me my i myself him her his with by for in on and "
    "or only just too sign signed signing off write writing reply respond answer send email mail message "
    "mention include add say tell state note use put let know each"
)


def form_only(words: list[str]) -> bool:
    """Return whether a directive led by a form verb ("keep", "be") speaks only of form.

    Directives led by other verbs, and those in other languages, are left to the caller: True.
    """
    if not words or words[0] not in _FORM_VERBS:
        return True
    kinds = {w for hits in kinds_in(words).values() for w in hits}  # "be gentle with upset customers"
    # A kind word describes whom the tone is for only after "with", "to" or "towards"; before, it is the tone
    # asked for ("be rude", "be threatening"), which no drafter writes.
    towards = next((i for i, w in enumerate(words) if w in _TOWARDS), len(words))
    return all(_form_word(w) or (w in kinds and i > towards) for i, w in enumerate(words) if i)


def _form_word(word: str) -> bool:
    return word in _FORM_WORDS or word in ITEMS or word in GENERIC or word.isdigit() or word.endswith("-free")


def addressee(part: str) -> str | None:
    """Return the person, role or name a verb of contacting has as its direct object, if any.

    "Email their manager too" -> "manager", "Send Dana a copy of each" -> "Dana"; "email each contact",
    "tell them" and "invite the leads" name the items and return None.
    """
    raw = [w.strip(".,;:!?\"'()") for w in part.split()]
    low = [(tokens(fold(w)) or [""])[0] for w in raw]
    for i, word in enumerate(low):
        if word not in _CONTACT:
            continue
        j = i + 1
        while j < len(low) and low[j] in ("out", "to"):  # "reach out to", "write to"
            j += 1
        if low[j : j + 1] and low[j] in _OWNERS and word in _MAIL | _PEOPLE_VERBS:
            following = low[j + 1 : j + 2]
            if following and following[0] not in ITEMS and following[0] not in GENERIC:
                return " ".join(raw[j : _phrase_end(low, j + 1)])  # "write to their investors": not the item
        if word in _MAIL | _PEOPLE_VERBS and _WIDER.match(" ".join(low[j : j + 5])):
            return " ".join(raw[j : j + 3])  # "email everyone at each company": more people than the item
        while j < len(low) and low[j] in _SKIP:
            j += 1
        end = _phrase_end(low, j)
        phrase = low[j:end]
        if not phrase or any(w in ITEMS or w in GENERIC or w in UNIVERSAL for w in phrase):
            continue  # "email each contact", "send a support reply", "tell them"
        if phrase[0] in _SUBJECTS or (phrase[0] in _SELF and word not in _MAIL):
            continue  # "we ..." starts a clause; "tell me", "show us": a hand-over the rule readers read
        if person_or_role(raw[j], low[j]) or person_or_role(raw[end - 1], low[end - 1]):
            return " ".join(raw[j:end])
    return None


# Nouns for whom or what is answered; a word in front of one that is not neutral picks some of them.
_ANSWERED = _set(
    "ones customers customer clients client tickets requests questions people leads contacts cases queries users "
    "senders folks accounts subscribers members buyers those"
)
_RECEIVED = _set("messages message emails email mails replies")  # received ones, after answer/reply/respond
_ANSWER = _set("answer reply respond")
_NEUTRAL = _set(
    "the these those this that all each every any our my your their other remaining rest new incoming inbound "
    "open pending unanswered outstanding waiting attached following listed below above support customer client "
    "e-mail email ticket helpdesk inbox of to for in from on "
    "der die das den dem des ein eine einen alle jede diese el la los las un una unos unas estos estas todos todas "
    "le les une du ces tous toutes"
)
_QUALIFIED = _set("about with regarding concerning that who which where asking")
# After "ones" or "those", a clause or a phrase that picks: "the ones you can", "those on the Pro plan".
_PICKS = _QUALIFIED | _set(
    "you you're you've you'd we we're we've i i'm i've they they're whom whose on in from older newer over under "
    "than since before after without not"
)
# After a noun for whom is answered, a phrase that picks unless it says where the items are or how to write:
# "customers in Europe", "tickets from last month", "tickets older than a week"; not "tickets in the CSV".
_PLACE_PICKS = _set("in from on at older newer over under than since before after who whom whose that which with")
_HOW = _set("english plain simple order turn full short brief writing tone manner way voice style words language")
_DETERMINERS = _set("the a an these those this that our my your their each every all any")
_WHAT = _set("what whatever whichever whoever whomever")  # "answer what you can": some of the items


def selection(verb: str, words: list[str]) -> bool:
    """Return whether the object of a reply verb picks some of the items ("the calm ones", "shipping questions")."""
    nouns = _ANSWERED | _RECEIVED if verb in _ANSWER else _ANSWERED
    for i, word in enumerate(words):
        if word not in nouns:
            continue
        if i and words[i - 1] not in _NEUTRAL and words[i - 1] not in ITEMS and words[i - 1] not in UNIVERSAL:
            return True  # "the calm ones", "polite customers", "shipping questions"
        after = words[i + 1 : i + 4]
        if after and word in ("ones", "those") and after[0] in _PICKS:
            return True  # "the ones about shipping", "the ones you can", "those on the Pro plan"
        spread = i > 0 and words[i - 1] in ("each", "every") and after[:1] == ["with"]  # "each customer with an answer"
        if after and word != "those" and after[0] in _PLACE_PICKS and not spread and not _where_or_how(after):
            return True  # "customers in Europe", "tickets from last month", "customers who wrote twice"
    return any(w in _WHAT for w in words[:2])  # "answer what you can", "reply to whichever seem easy"


def _where_or_how(after: list[str]) -> bool:
    """Return whether the phrase after a noun names where the items are or how to write ("in the CSV", "in English")."""
    rest = [w for w in after[1:] if w not in _DETERMINERS]
    named = bool(rest) and (rest[0] in ITEMS or rest[0] in GENERIC or rest[0] in _HOW)
    named = named or any(w in _HOW or w in TONE for w in rest)  # "in a friendly tone", "in plain words"
    return after[0] in ("in", "from", "on", "at") and named


def _phrase_end(low: list[str], start: int) -> int:
    """Return where the noun phrase from ``start`` ends: at most three words, up to a determiner or preposition."""
    end = start
    while end < len(low) and end - start < 3 and low[end] not in _SKIP and low[end] not in _ENDS:
        end += 1
    return end


def has_content(words: list[str]) -> bool:
    """Return whether a directive names something a message can be checked for beyond the asking words."""
    return any(w not in _ASKING and w not in NEGATIONS and w not in ITEMS and w not in GENERIC for w in words)


# Verbs that send or write something: their object must be a message.
_SENDS = _set("send email e-mail mail deliver dispatch forward give hand draft write compose prepare")
# The message such a verb may send, and the words that may say how it reads.
_MESSAGES = _set(
    "email emails e-mail e-mails mail mails message messages note notes intro intros introduction introductions "
    "letter letters reply replies response responses answer answers follow-up follow-ups followup followups "
    "hello greeting greetings thank-you thank-yous pitch pitches draft drafts line lines word ones one"
)
_HOW_IT_READS = _FORM_WORDS | _set(
    "introductory follow thank cold first quick new kind nice good lovely personalised personalized tailored custom "
    "empathy care kindness patience respect warmth understanding tact compassion courtesy humour humor smile"
)
# Verbs that answer: what they carry follows "with" ("reply to each customer | with a $10 voucher").
_ANSWERS = _set("answer reply respond")
_RECEIVERS = ITEMS | GENERIC | UNIVERSAL | _set("them us him her everyone everybody all")
# A second object starts with one of these: "send them | a gift card", "send each contact | our brochure".
_SECOND = _set("a an the our my their his her your this that these those some")
# What a message carries on: "an email | with a voucher", "an intro email | and a gift card".
_CARRIES = _set("with and plus including ,")
# Where the object ends: whom it goes to, what it is about, how and when (the topic and ``restrictions`` read these).
_OBJECT_ENDS = _set(
    "to about regarding concerning re saying that for on in at by from before after once when if until as so"
)


def sends_a_thing(folded: str) -> bool:
    """Return whether a verb that sends or writes has an object that is no message ("send them a gift card").

    Read from the first such verb (after "with" for a verb that answers): whom it goes to and how the message
    reads are known words, the message ends the object unless it carries on ("with", "and"), and so does whom
    it goes to unless a second object follows ("send them | a quote"). Any other word in the object is
    something the email would have to carry.
    """
    words = [w for piece in folded.split(",") for w in (*tokens(piece), ",")]
    start = next((i for i, w in enumerate(words) if w in _SENDS or w in _ANSWERS), None)
    if start is None:
        return False
    rest = words[start + 1 :]
    if words[start] in _ANSWERS:  # whom it answers is the items; what it carries follows "with"
        if "with" not in rest:
            return False
        rest = rest[rest.index("with") + 1 :]
    for i, word in enumerate(rest):
        after = rest[i + 1 : i + 2]
        if word in _OBJECT_ENDS:
            return False  # "write | in a friendly tone", "send an email | to each contact | about ..."
        if word in _SECOND or word in _CARRIES:
            continue
        if word in _MESSAGES:
            if not after or not (after[0] in _CARRIES or after[0] in _MESSAGES):  # "an intro | email"
                return False  # "send the replies | first thing in the morning"
        elif word in _RECEIVERS:
            if not after or (after[0] not in _SECOND and after[0] not in _RECEIVERS):
                return False  # "send them | soon"
        elif word not in _HOW_IT_READS and word not in GENERIC:
            return True
    return False
