"""The words the claim readers (``claims``) know: goal and directive verbs, warnings, context openers, courtesy.

Kept apart from the readers so each stays one concern: this module only names word classes, ``claims`` reads
a part of a task with them.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "BUT_FOR",
    "CONTEXT",
    "COURTESY",
    "FORM",
    "FROM_NAME",
    "GATE",
    "GOAL",
    "GREETING",
    "HALT",
    "ITEM_FILL",
    "LANGUAGE",
    "LEAD",
    "LENGTH",
    "LOOP_IN",
    "MESSAGE",
    "MODAL",
    "NOT_NAMES",
    "OUT",
    "PROCESS",
    "READY",
    "REPLY",
    "SAYING",
    "SENDING",
    "SENDING_STEMS",
    "STYLE",
    "TOPIC",
    "URL",
    "WHOM",
    "WORK",
    "unread_symbols",
]


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Leading words that do not change what follows: "please answer", "could you research", "don't forget to send".
LEAD = re.compile(
    r"^(?:(?:please|pls|plz|kindly|then|now|also|and|next|finally|first|ok|okay|so|bitte|por favor|"
    r"s'il (?:te|vous) pla[iî]t|hi|hey|hello)\b[\s,]*)*"
    r"(?:(?:can|could|would|will) you\s+|i (?:want|need|would like|'d like) you to\s+|i'd like you to\s+|"
    r"we (?:want|need) you to\s+|(?:your|the) (?:job|task) is to\s+|help (?:me|us)\s+|go ahead and\s+|"
    r"(?:don't|do not) forget to\s+|remember to\s+|(?:make|be) sure (?:to|you)\s+|try to\s+|you (?:should|can)\s+)?"
)
GOAL = _set(
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
REPLY = _set(
    "answer reply respond send email e-mail beantworte beantworten antworte antworten schicke schick sende "
    "responde contesta envia manda reponds repondez envoie envoyez"
)
STYLE = _set(
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
FORM = _set("keep use be make stay sound address greet sei seien bleib bleibe bleibt halte se manten sois soyez garde")
# A language other than English: the offline drafters write English only, and task wording does not reach a model.
LANGUAGE = re.compile(
    r"\b(?:in|auf|en)\s+(?!english\b|englisch\b|ingles\b|anglais\b|plain\b|simple\b|clear\b)(?:german|french|"
    r"spanish|italian|portuguese|dutch|polish|swedish|danish|norwegian|finnish|greek|turkish|russian|ukrainian|"
    r"arabic|hebrew|hindi|chinese|mandarin|cantonese|japanese|korean|vietnamese|thai|indonesian|deutsch|"
    r"franzosisch|spanisch|aleman|frances|espanol|allemand|espagnol|francais|[a-z]+ish|[a-z]+ese|[a-z]+ian)\b"
)
# Verbs of the effect itself: with a time, a condition or a share they say when or whether to send.
SENDING = _set("send email e-mail mail reply respond answer contact reach write message dispatch deliver")
SENDING_STEMS = SENDING | {w[:-1] for w in SENDING if w.endswith("e")}  # "writing" -> "writ"
# Where what a message says begins: "email them about ...", "reply saying ...".
TOPIC = re.compile(
    r"\b(?:about|regarding|concerning|(?<!')re|saying|(?<!those )(?<!ones )that|to say|to tell|to let|with news)\b"
)
# Verbs whose object is a message; their goal is only the items ("notify each contact in the file").
MESSAGE = _set("tell say inform notify remind announce invite promise offer let")
WHOM = _set("them everyone everybody all us me him her know")
ITEM_FILL = _set("a an the of for and or to with in on at & from these those our my their all each is are")
HALT = _set(
    "stop halt freeze abort cancel pause hold wait urgent important note caution cautious warning careful fyi nb ps "
    "stakes sensitive delicate risky critical crucial fragile touchy tricky vip vips confidential nervous worried "
    "public blackout quiet acquired acquisition merger takeover ipo"
)
# Who decides, and by what rule: "I'm the gatekeeper", "I have the final say", "our policy is four-eyes".
GATE = _set(
    "final last decide decides decided decision decisions decider say gatekeeper gate judge arbiter veto policy "
    "policies procedure protocol workflow rule rules four-eyes eyes defence defense"
)
# The messages leaving, said without a verb of sending: "what goes out", "out the door".
OUT = re.compile(r"\b(?:go|goes|going|gone|went|get|gets|got|is|are|be|sent)\s+out\b|\bout the door\b")
# The items narrowed to one sender: "answer these tickets from Pat".
FROM_NAME = re.compile(r"\b(?i:from|aus|von|de|di|da|van)\s+[A-Z]")  # also in capitals: "DE MADRID"
COURTESY = _set("please thanks thank you pls cheers ty thx bitte danke por favor gracias merci s'il te vous plait")
CONTEXT = re.compile(r"^(?:we|we're|we've|i'm|i am|i've|our|my name is|this is|i work|i run|i lead)\b")
MODAL = _set("must should need needs have has want wants can't cannot may might shall ought require requires")

LENGTH = re.compile(
    r"\b(?:under|below|within|less than|fewer than|no more than|at most|max(?:imum)?|up to|around|about)?\s*\d+\s*"
    r"(?:words?|sentences?|lines?|paragraphs?|characters?|chars?|bullets?|bullet points?)\b"
)
# "include Sam", "cc me": a person added to the flow, not to the writing.
LOOP_IN = re.compile(r"\b(?i:include|add|copy|loop in|cc)\s+(?:me|us|[A-Z][a-z]+)\b")
URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.I)
READY = re.compile(
    r"\bas soon as (?:it|they|each one|each|the \w+) (?:is|are) (?:ready|done|finished|drafted|written)\b"
)
# A greeting at the head of a task: "Good morning!", "Hi team".
GREETING = re.compile(
    r"^(?:good (?:morning|afternoon|evening|day)|hi|hello|hey|greetings|dear \w+)(?: (?:team|all|there|everyone"
    r"|folks))?$"
)
# Verbs of doing the work, not of writing or saying: with a time, a share or a condition they say when or which.
# ("draft", "write" and "prepare" make the message: what follows them may be its content.)
WORK = _set(
    "research follow triage handle process go read look investigate profile dig find gather collect compile analyse "
    "analyze study work deal sort categorise categorize classify do"
)
# Verbs of saying something in the message: their object is what it says, not how it goes out.
SAYING = _set(
    "mention reference refer explain describe note cite quote highlight discuss ask suggest propose apologise "
    "apologize thank congratulate emphasise emphasize stress point summarise summarize list answer"
)
# Rules of process, not of writing: "use the two-person rule", "follow the four-eyes principle".
PROCESS = _set(
    "rule rules principle principles policy policies protocol procedure procedures workflow four-eyes two-person"
)
# Words of a sentence, not of a name: in a part whose every word is capitalised ("Let Me Eyeball Them", "Then
# Dana", "Needs My Stamp") they tell a sentence from a list of names ("Northwind Analytics, Lumen Robotics").
NOT_NAMES = _set(
    "i i'm i'll i'd i've me my mine we we're we'll us ours you you're your he him his she her they them their it "
    "it's its this that these those let let's lets before after until till without within by with to from into "
    "onto at on in up down out off over again then next first last later soon now never not no yes only just also "
    "too please is are am was were be been being do does did done have has had will would can could should must "
    "may might shall need needs wants want gets get"
)
# Words that leave a name out of a list: "Minus Pat", "Bar Pat" ("except" and "without" are read elsewhere).
BUT_FOR = _set("minus bar sans less excl excluding not")
# Signs a task may carry that say nothing about the flow: smiles, hearts, thanks, a thumbs up, a tick.
_KIND_SIGNS = frozenset(
    "\u263a\u2665\u2764\u2728\u2705\u2713\u2714\u2611\U0001f44d\U0001f44b\U0001f44f\U0001f64f\U0001f389"
    "\U0001f38a\U0001f642\U0001f643\U0001f917\U0001f970\U0001f929\U0001f60d\U0001f499\U0001f49a\U0001f49b"
    "\U0001f49c\U0001f9e1\U0001f90d\U0001f496\U0001f497\U0001f495\U0001f31e\U0001f31f\u2b50\U0001f4af"
    + "".join(chr(c) for c in range(0x1F600, 0x1F60F))  # grinning, smiling and laughing faces
)


# Arrows point the work somewhere ("send them → Dana"), whatever their Unicode category.
_ARROWS = frozenset(chr(c) for r in ((0x2190, 0x2200), (0x27F0, 0x2800), (0x2900, 0x2980)) for c in range(*r))


def unread_symbols(text: str) -> bool:
    """Return whether ``text`` carries a sign (emoji, dingbat) other than a smile, a heart, a thanks or a tick.

    "Send them ❌", "✋", "⏸️", "🔒", "→ Dana": a sign can stop, hold, lock or point as well as a word can, and
    no reader reads it.
    """
    return any((unicodedata.category(c) == "So" and c not in _KIND_SIGNS) or c in _ARROWS for c in text)
