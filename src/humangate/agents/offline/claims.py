"""Claim every part of a task for a reader that understands it; what no reader claims holds every effect.

The offline planner fails closed on wording: a sentence it cannot read might be a review rule ("Legal needs
to see these", "Treat these like drafts", "Send them all. Scratch that, hold them."), so the default is
to hold, not to send. Each clause of the task is cut into parts (at commas, semicolons, dashes, "and",
"then"; a part that starts with a name, a determiner or a kind word continues the one before), and each
part must be claimed by one of these readers:

- the goal and the items: "research these companies", "answer these support tickets", "Northwind
  Analytics, Lumen Robotics", "the contacts are in the attached CSV";
- a writing directive the outbound checks look at later anyway: tone, length, what to mention, the
  sign-off, the language of the reply ("Keep it under 120 words.", "Sign as Dana from Acme.");
- a plain statement of context, first-person or around a link ("We are Acme, a logistics startup.",
  "the press page https://... covers both"), with no modal, negation, condition or restriction, and
  nothing about the flow: no sending, reviewing or routing verb, no word for the replies, no third person
  ("We run every reply by Dana.", "I'm the one who sends them." are rules);
- courtesy ("Thanks!").

The review readers (``task_rules``) and the limit reader (``limit_wording``) claim their own parts first.
A goal, context or list part that also restricts the work (a time, a count, a recipient, "only", a draft
that is not to be sent, a retraction, a condition, a named third person in the flow: "prepare them for
Sam") is claimed by none: those are rules no graph enforces. So is a goal, directive or list part that
points the work at a person, role, team or place other than the items ("send the answers to my manager",
"share them with the legal team", "keep them in my inbox", "these are for Dana"; see ``destinations``).
So is a reply goal that names a kind of message ("answer the refund requests"): which items it leaves out
cannot be told.
"""

from __future__ import annotations

import re

from humangate.agents.offline.destinations import ITEMS, destination, moves_work
from humangate.agents.offline.wording import (
    CONDITIONS,
    EXCEPT,
    GENERIC,
    NEGATIONS,
    PERSON,
    UNIVERSAL,
    fold,
    kinds_in,
    tokens,
)

__all__ = ["asks_content", "claimed", "parts"]


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SPLIT = re.compile(
    r"(\s*[,;:]\s+|\s+[-–—]+\s+|\s*[–—]\s*|\s+(?:and|or|then|und|oder|dann|y|o|luego|et|ou|puis)\s+)", re.I
)
_AND = re.compile(r"^\s*(?:and|or|und|oder|y|o|et|ou)\s*$", re.I)
# Words that start an appositive after a comma: "I'm Dana, head of sales at Acme".
_TITLES = _set("head founder co-founder cofounder ceo cto cfo coo vp director manager lead owner partner engineer")
_DETERMINERS = _set(
    "the a an any all every each these those this that my our their his her its your some other another both "
    "der die das den dem des ein eine einen alle jede el la los las un una unos unas le les une des du ces"
)
# Leading words that do not change what follows: "please answer", "could you research", "don't forget to send".
_LEAD = re.compile(
    r"^(?:(?:please|pls|plz|kindly|then|now|also|and|next|finally|first|ok|okay|so|bitte|por favor|"
    r"s'il (?:te|vous) pla[iî]t|hi|hey|hello)\b[\s,]*)*"
    r"(?:(?:can|could|would|will) you\s+|i (?:want|need|would like|'d like) you to\s+|i'd like you to\s+|"
    r"we (?:want|need) you to\s+|(?:your|the) (?:job|task) is to\s+|help (?:me|us)\s+|go ahead and\s+|"
    r"(?:don't|do not) forget to\s+|remember to\s+|(?:make|be) sure (?:to|you)\s+|try to\s+|you (?:should|can)\s+)?"
)
_GOAL = _set(
    "research answer reply respond draft write compose prepare send email e-mail contact reach follow triage "
    "handle process go read look investigate profile summarise summarize summarize dig find brief gather collect "
    "compile analyse analyze study tell notify inform thank welcome invite announce remind introduce pitch "
    "create produce work deal sort categorise categorize classify message "
    "recherchiere recherchieren beantworte beantworten antworte antworten schreibe schreib entwirf verfasse "
    "schicke schick sende versende verschicke bearbeite kontaktiere informiere benachrichtige fasse untersuche "
    "analysiere lies "
    "investiga investigar responde contesta responder contestar redacta escribe envia manda prepara contacta "
    "resume analiza informa notifica atiende gestiona "
    "recherche reponds repondez redige redigez ecris ecrivez envoie envoyez prepare contacte resume analyse "
    "informe previens traite traitez"
)
_REPLY = _set(
    "answer reply respond send email e-mail beantworte beantworten antworte antworten schicke schick sende "
    "responde contesta envia manda reponds repondez envoie envoyez"
)
_STYLE = _set(
    "keep use be make mention include add sign reference refer thank apologise apologize avoid highlight "
    "emphasise emphasize stress point address greet open start begin end close finish write offer suggest "
    "propose invite tell explain remind note say focus cover aim sound stay match personalise personalize "
    "tailor link cite quote speak talk promise discuss bring give share ask describe summarise summarize list "
    "lead introduce call refer notify inform announce "
    "sei seien bleib bleibe bleibt halte erwahne nutze verwende bedanke schreib "
    "se usa menciona manten agradece escribe sois soyez utilise mentionne garde remercie ecris"
)
# Directives on form the drafters follow by themselves (tone, length, plain words); any other directive verb
# asks for content.
_FORM = _set("keep use be make stay sound address greet sei seien bleib bleibe bleibt halte se manten sois soyez garde")
# A language other than English: the offline drafters write English only, and task wording does not reach a model.
_LANGUAGE = re.compile(
    r"\b(?:in|auf|en)\s+(?!english\b|englisch\b|ingles\b|anglais\b|plain\b|simple\b|clear\b)(?:german|french|"
    r"spanish|italian|portuguese|dutch|polish|swedish|danish|norwegian|finnish|greek|turkish|russian|ukrainian|"
    r"arabic|hebrew|hindi|chinese|mandarin|cantonese|japanese|korean|vietnamese|thai|indonesian|deutsch|"
    r"franzosisch|spanisch|aleman|frances|espanol|allemand|espagnol|francais|[a-z]+ish|[a-z]+ese|[a-z]+ian)\b"
)
_TONE = _set(
    "formal informal friendly casual warm concise short brief professional polite enthusiastic upbeat direct "
    "playful tone voice style register language english german french spanish plain simple clear and sweet "
    "very not too overly a an the please keep it them light respectful kind empathetic"
)
# Verbs whose object is a message; their goal is only the items ("notify each contact in the file").
_MESSAGE = _set("tell say inform notify remind announce invite promise offer let")
_WHOM = _set("them everyone everybody all us me him her know")
_ITEM_FILL = _set("a an the of for and or to with in on at & from these those our my their all each is are")
_HALT = _set(
    "stop halt freeze abort cancel pause hold wait urgent important note caution cautious warning careful fyi nb ps"
)
_COURTESY = _set("please thanks thank you pls cheers ty thx bitte danke por favor gracias merci s'il te vous plait")
_CONTEXT = re.compile(r"^(?:we|we're|we've|i'm|i am|i've|our|my name is|this is|i work|i run|i lead)\b")
_MODAL = _set("must should need needs have has want wants can't cannot may might shall ought require requires")

# What restricts or undoes the work, which no graph enforces.
_ONLY = _set("only just merely solely exclusively nur lediglich solo solamente unicamente seulement uniquement")
_DAYS = (
    r"tomorrow|tonight|weekend|later|next|monday|tuesday|wednesday|thursday|friday|saturday|sunday|morgen|"
    r"montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|manana|lunes|martes|miercoles|jueves|viernes|"
    r"sabado|domingo|demain|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
)
_MONTHS = r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_SCHEDULE = re.compile(
    rf"\b(?:{_DAYS})\b|\b\d{{1,2}}(?::\d\d)?\s*(?:am|pm|h|uhr|o'clock)\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})"
    rf"\w*\b|\b(?:{_MONTHS})\w*\s+\d{{1,2}}\b|\b\d{{1,4}}[-/.]\d{{1,2}}[-/.]\d{{1,4}}\b|\b(?:not before|until|till|"
    r"in \d+ (?:min|minute|hour|day|week)s?)\b"
)
_COUNT = re.compile(
    r"\b(?:first|last|top)\s+\d+|\bat (?:most|least)\b|\bno more than\b|\bup to\s+\d+|\bmax(?:imum)?\b|\blimit\w*|"
    r"\bcap\b|\btwice\b|\bthrice\b|\b(?:\d+|one|two|three|four|five|several|many|multiple)\s+times\b|"
    r"\bper (?:day|hour|week|minute|month)\b|\b\d+\s+(?:a|an|each) (?:day|hour|week|minute)\b|\bbatch\w*"
)
_LENGTH = re.compile(
    r"\b(?:under|below|within|less than|fewer than|no more than|at most|max(?:imum)?|up to|around|about)?\s*\d+\s*"
    r"(?:words?|sentences?|lines?|paragraphs?|characters?|chars?|bullets?|bullet points?)\b"
)
_RECIPIENT = re.compile(
    r"\bb?cc\b|@|\b[\w-]+\.(?:com|org|net|gov|edu|io|co|de|fr|es|uk|eu|example)\b|\.gov\b|\baddress(?:es|ee)\b"
    r"|\brecipients?\b|\bdomains?\b|\bcopy (?:me|us|in)\b|\breply-to\b|\bforward\w*|\bfrom (?:my|our) \w+ (?:account|"
    r"address|inbox)\b"
)
_DRAFT_ONLY = re.compile(
    r"\bdrafts\b|\bas (?:a )?draft|\bdraft (?:only|mode|form|state|folder)|\bin drafts?\b|\bhold\w*|\bheld\b|\bstag"
    r"(?:e|ed|es|ing)\b|\bqueue\w*|\bpark\w*|\bpaus\w*|\bsit on\b|\bdry[ -]?run|\btest\w*|\bpretend|\bsimulat\w*|"
    r"\bpreview|\bmanual\w*|\bauto-?send|\bunsent\b|\boutbox\b|\bwait\w*|\bschedul\w*|\bembargo"
)
_RETRACT = re.compile(
    r"\bscratch\b|\bactually\b|\bsecond thought|\bnever ?mind\b|\binstead\b|\bcorrection\b|\bignore\b|\bundo\b|"
    r"\bcancel\b|\bforget (?:that|it|this|what|the above|about)\b|\bhold on\b|\bno wait\b|\brather\b|\bskip\w*|"
    r"\bexclud\w*|\bexcept\b|\bleave\b|\btouch\b"
)
# "include Sam", "cc me": a person added to the flow, not to the writing.
_LOOP_IN = re.compile(r"\b(?i:include|add|copy|loop in|cc)\s+(?:me|us|[A-Z][a-z]+)\b")
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.I)
_READY = re.compile(
    r"\bas soon as (?:it|they|each one|each|the \w+) (?:is|are) (?:ready|done|finished|drafted|written)\b"
)


def parts(clause: str) -> list[str]:
    """Return the parts of a clause; a part that starts with a name, a determiner or a kind word continues.

    In a list ("funding, team size and customers") a short element that starts with no verb continues too.
    """
    pieces = _SPLIT.split(clause)
    texts, seps = pieces[0::2], ["", *pieces[1::2]]
    listed = any(_AND.match(sep) for sep in seps) and any(sep.strip() == "," for sep in seps)
    out: list[str] = []
    for piece in texts:
        piece = " ".join(piece.split()).strip(" .!?\"'")
        if not piece:
            continue
        first = piece.split()[0]
        word = (tokens(fold(first)) or [""])[0]
        verb = _lead_verb(word)
        named = (first[:1].isupper() and word not in PERSON and not verb) or first[:1].isdigit()
        continues = named or bool(_URL.match(first))
        continues = continues or word in _DETERMINERS or word in UNIVERSAL or word in GENERIC or word in _TITLES
        continues = continues or bool(kinds_in([word])) or (listed and not verb and len(piece.split()) <= 3)
        if out and continues:
            out[-1] = f"{out[-1]}, {piece}"
        else:
            out.append(piece)
    return out


def _lead_verb(word: str) -> bool:
    return word in _GOAL or word in _STYLE


def _restricted(folded: str, words: list[str]) -> bool:
    """Return whether the part limits or undoes the work: a time, a count, a recipient, "only", a retraction."""
    return bool(
        any(w in _ONLY for w in words)
        or _SCHEDULE.search(folded)
        or _COUNT.search(folded)
        or _RECIPIENT.search(folded)
        or _DRAFT_ONLY.search(folded)
        or _RETRACT.search(folded)
    )


def _goal(part: str, folded: str, words: list[str]) -> bool:
    if not words or words[0] not in _GOAL:
        return False
    conditional = any(w in CONDITIONS or w in EXCEPT or w in NEGATIONS for w in words)
    conditional = conditional or "as soon as" in folded or bool(destination(part, located=True))  # "to my manager"
    narrowed = words[0] in _REPLY and bool(kinds_in(words[1:]))  # "answer the refund requests": which ones?
    foreign = bool(_LANGUAGE.search(folded))  # "reply in German": the drafters write English
    # "Tell them their competitor is going bankrupt": a message verb with more than its items carries content.
    says = words[0] in _MESSAGE and any(w not in ITEMS and w not in _ITEM_FILL and w not in _WHOM for w in words[1:])
    return not conditional and not narrowed and not foreign and not says and not _restricted(folded, words)


def _says_more(words: list[str]) -> bool:
    """Return whether a writing directive asks the message to say something: a mention, an offer, a sign-off."""
    negated = words[:1] in (["don't"], ["dont"], ["never"], ["avoid"]) or words[:2] == ["do", "not"]
    return not negated and bool(words) and words[0] not in _FORM


def _style(part: str, folded: str, words: list[str]) -> bool:
    """Return whether the part is a writing directive on form: "keep it under 120 words", "don't mention pricing".

    A directive that asks the message to say something ("mention our pilot", "sign as Dana", "reply in
    German") is not claimed: task wording does not reach the drafters, so it would be dropped unseen.
    """
    rest = words[2:] if words[:2] in (["do", "not"], ["always", "do"]) else words
    rest = rest[1:] if rest[:1] and rest[0] in ("don't", "dont", "never", "always", "avoid") else rest
    if not rest or (rest[0] not in _STYLE and rest[0] != "avoid" and words[:1] != ["avoid"]):
        return False
    if _says_more(words) or _LANGUAGE.search(folded):
        return False
    plain = _LENGTH.sub(" ", folded)
    conditional = any(w in CONDITIONS or w in EXCEPT for w in rest)
    flagged = _COUNT.search(plain) or _RECIPIENT.search(plain) or _DRAFT_ONLY.search(plain) or _RETRACT.search(plain)
    third = destination(part) or _LOOP_IN.search(part)  # "keep them in my inbox", "include Sam": not the writing
    halted = any(w in _HALT for w in rest)  # "be careful, these are VIPs": a warning, not a way of writing
    return not conditional and not flagged and not third and not halted and not any(w in _ONLY for w in rest)


def _context(part: str, folded: str, words: list[str]) -> bool:
    """Return whether the part only says who the sender is or what they do ("We are Acme, a ... startup")."""
    return bool(_CONTEXT.match(folded)) and _plain(part, folded, words)


def _plain(part: str, folded: str, words: list[str]) -> bool:
    """Return whether a statement asks nothing and leaves the flow alone ("our replies go through Dana")."""
    banned = any(w in _MODAL or w in NEGATIONS or w in CONDITIONS or w in EXCEPT for w in words)
    return not banned and not _restricted(folded, words) and not moves_work(part, words)


def _items(part: str, folded: str, words: list[str]) -> bool:
    """Return whether the part names the items: a list of names, or where the items are."""
    if _restricted(folded, words) or destination(part):  # "these are for Dana": whom the work is for
        return False
    raw = part.split()
    lower = [w for t in raw if not (t[:1].isupper() or t[:1].isdigit()) for w in tokens(fold(t))]
    # Beyond a list of names, the first word is the sentence's own ("Loop in Sam"): it must be an item word.
    lower = lower + tokens(fold(raw[0]))[:1] if lower and raw[0][:1].isupper() else lower
    if not lower:  # names only ("Northwind Analytics, Lumen Robotics"), none a kind, a verb or a halt ("STOP")
        halted = any(w in NEGATIONS or w in _HALT or _lead_verb(w) for w in words)
        return len(raw) > 1 and not halted and not kinds_in(words)
    return all(w in ITEMS or w in _ITEM_FILL for w in lower)


def asks_content(part: str) -> bool:
    """Return whether ``part`` is a writing directive that asks the message to say something."""
    folded = _LEAD.sub("", fold(_URL.sub("Link", part)).strip(" .!?\"'"))
    words = tokens(folded)
    rest = words[2:] if words[:2] == ["do", "not"] else words
    directive = bool(rest) and (rest[0] in _STYLE or rest[0] in _GOAL)
    return directive and (_says_more(words) or bool(_LANGUAGE.search(folded)))


def claimed(part: str) -> str | None:
    """Return the reader that understands ``part`` ("goal", "style", "items", ...), or None for none."""
    linked = bool(_URL.search(part))
    part = _URL.sub("Link", part)  # a page to read is an item's source, not a recipient
    folded = _READY.sub(" ", _LEAD.sub("", fold(part).strip(" .!?\"'")))
    words = tokens(folded)
    if not words or all(w in _COURTESY for w in words):
        return "courtesy"
    if _goal(part, folded, words):
        return "goal"
    if _style(part, folded, words):
        return "style"
    if all(w in _TONE for w in words):
        return "tone"
    if _items(part, folded, words):
        return "items"
    if _context(part, folded, words) or (linked and _plain(part, folded, words)):
        return "context"  # "We are Acme, a logistics startup", "the press page https://... covers both"
    return None
