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
A goal, context or list part that also restricts the work (a time, a count or share, a recipient, "only", a
draft that is not to be sent, a retraction, a condition, a cue: see ``restrictions``; a named third person
in the flow: "prepare them for Sam") is claimed by none: those are rules no graph enforces. Nor is a
statement that warns ("this is sensitive") or says who decides ("I'm the gatekeeper"), a form verb whose
complement is not about the wording ("keep them aside", "keep Dana posted"; see ``complements``), a
script the readers cannot read, or a sign other than a smile, a heart, a thanks or a tick ("send them ❌",
"✋", "→ Dana"; see ``claim_words.unread_symbols``). So is a goal, directive or list part that
points the work at a person, role, team or place other than the items ("send the answers to my manager",
"share them with the legal team", "keep them in my inbox", "these are for Dana"; see ``destinations``).
So is a reply goal that names a kind of message ("answer the refund requests"): which items it leaves out
cannot be told.
"""

from __future__ import annotations

import re

from humangate.agents.offline.channels import unsupported
from humangate.agents.offline.claim_words import (
    BUT_FOR,
    CONTEXT,
    COURTESY,
    FORM,
    FROM_NAME,
    GATE,
    GOAL,
    GREETING,
    HALT,
    ITEM_FILL,
    LANGUAGE,
    LEAD,
    LENGTH,
    LOOP_IN,
    MESSAGE,
    MODAL,
    NOT_NAMES,
    OUT,
    PROCESS,
    READY,
    REPLY,
    SAYING,
    SENDING,
    SENDING_STEMS,
    STYLE,
    TOPIC,
    URL,
    WHOM,
    WORK,
    unread_symbols,
)
from humangate.agents.offline.complements import TONE, addressee, form_only, has_content, selection, sends_a_thing
from humangate.agents.offline.destinations import ITEMS, destination, moves_work
from humangate.agents.offline.disguise import foreign
from humangate.agents.offline.manner import unheeded
from humangate.agents.offline.restrictions import CUE, DRAFT_ONLY, ONLY, RETRACT, SOLE_COUNT, restricted
from humangate.core.wording import (
    BEFORE,
    CONDITIONS,
    EXCEPT,
    EXCEPT_PHRASE,
    GENERIC,
    NEGATIONS,
    PERSON,
    UNIVERSAL,
    Word,
    fold,
    kinds_in,
    tokens,
)

__all__ = ["asks_content", "claimed", "named", "parts"]


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
        continues = named or bool(URL.match(first))
        continues = continues or word in _DETERMINERS or word in UNIVERSAL or word in GENERIC or word in _TITLES
        continues = continues or bool(kinds_in([word])) or (listed and not verb and len(piece.split()) <= 3)
        if out and continues:
            out[-1] = f"{out[-1]}, {piece}"
        else:
            out.append(piece)
    return out


def _lead_verb(word: str) -> bool:
    return word in GOAL or word in STYLE


def _goal(part: str, folded: str, words: list[str]) -> bool:
    if not words or words[0] not in GOAL:
        return False
    conditional = any(w in CONDITIONS or w in EXCEPT or w in NEGATIONS for w in words)
    conditional = conditional or "as soon as" in folded or bool(destination(part, located=True))  # "to my manager"
    # "answer the refund requests", "the tickets from Pat", "send the calm ones": which ones?
    narrowed = words[0] in REPLY and bool(
        kinds_in(words[1:]) or FROM_NAME.search(part) or selection(words[0], words[1:])
    )
    conditional = conditional or bool(addressee(part))  # "email their manager too", "send Dana a copy"
    other_language = bool(LANGUAGE.search(folded))  # "reply in German": the drafters write English
    # "Tell them their competitor is going bankrupt": a message verb with more than its items carries content.
    says = words[0] in MESSAGE and any(w not in ITEMS and w not in ITEM_FILL and w not in WHOM for w in words[1:])
    says = says or sends_a_thing(folded)  # "send each contact a gift card": not a message the drafters write
    return not conditional and not narrowed and not other_language and not says and not restricted(folded, words)


def _says_more(words: list[str]) -> bool:
    """Return whether a writing directive asks the message to say something: a mention, an offer, a sign-off."""
    negated = words[:1] in (["don't"], ["dont"], ["never"], ["avoid"]) or words[:2] == ["do", "not"]
    return not negated and bool(words) and words[0] not in FORM


def _style(part: str, folded: str, words: list[str]) -> bool:
    """Return whether the part is a writing directive on form: "keep it under 120 words", "don't mention pricing".

    A directive that asks the message to say something ("mention our pilot", "sign as Dana", "reply in
    German") is not claimed: task wording does not reach the drafters, so it would be dropped unseen.
    """
    rest = words[2:] if words[:2] in (["do", "not"], ["always", "do"]) else words
    rest = rest[1:] if rest[:1] and rest[0] in ("don't", "dont", "never", "always", "avoid") else rest
    if not rest or (rest[0] not in STYLE and rest[0] != "avoid" and words[:1] != ["avoid"]):
        return False
    if _says_more(words) or LANGUAGE.search(folded):
        return False
    plain = LENGTH.sub(" ", folded)
    conditional = any(w in CONDITIONS or w in EXCEPT for w in rest)
    # a time, share, recipient, channel, condition or judgment ("use WhatsApp", "use your judgment")
    flagged = restricted(plain, tokens(plain)) or any(w in PROCESS for w in rest)  # "use the two-person rule"
    third = destination(part) or LOOP_IN.search(part)  # "keep them in my inbox", "include Sam": not the writing
    halted = any(w in HALT for w in rest)  # "be careful, these are VIPs": a warning, not a way of writing
    # "keep them aside", "keep Dana posted", "make sure Sam sees them": not the wording
    form = form_only(tokens(plain)) and not addressee(part)
    # "avoid emailing competitors": whom, not how
    form = form and not any(w.endswith("ing") and w.removesuffix("ing") in SENDING_STEMS for w in words[1:])
    return not conditional and not flagged and not third and not halted and form and not any(w in ONLY for w in rest)


def _context(part: str, folded: str, words: list[str]) -> bool:
    """Return whether the part only says who the sender is or what they do ("We are Acme, a ... startup")."""
    return bool(CONTEXT.match(folded)) and _plain(part, folded, words)


def _plain(part: str, folded: str, words: list[str]) -> bool:
    """Return whether a statement asks nothing and leaves the flow alone ("our replies go through Dana")."""
    banned = any(w in MODAL or w in NEGATIONS or w in CONDITIONS or w in EXCEPT for w in words)
    # "this is sensitive", "I'm the decision maker", "I'm responsible for what goes out": a warning or a rule
    banned = banned or any(w in HALT or w in GATE for w in words) or bool(OUT.search(folded))
    return not banned and not restricted(folded, words) and not moves_work(part, words)


def _items(part: str, folded: str, words: list[str]) -> bool:
    """Return whether the part names the items: a list of names, or where the items are."""
    if restricted(folded, words) or destination(part):  # "these are for Dana": whom the work is for
        return False
    if any(w in HALT for w in words):  # "These are VIP customers": a warning about the items
        return False
    raw = part.split()
    lower = [w for t in raw if not (t[:1].isupper() or t[:1].isdigit()) for w in tokens(fold(t))]
    # Beyond a list of names, the first word is the sentence's own ("Loop in Sam"): it must be an item word.
    lower = lower + tokens(fold(raw[0]))[:1] if lower and raw[0][:1].isupper() else lower
    if not lower:  # names only ("Northwind Analytics, Lumen Robotics"), none a kind, a verb or a halt ("STOP")
        halted = any(w in NEGATIONS or w in HALT or w in EXCEPT or w in BUT_FOR or _lead_verb(w) for w in words)
        # "Let Me Eyeball Them", "Then Dana", "Dana Sends": a sentence in capitals, not names (lead words count)
        halted = halted or any(_flow_word(w) for w in tokens(fold(part))) or bool(_AND.match(raw[0].strip(",")))
        return len(raw) > 1 and not halted and not kinds_in(words)
    return all(w in ITEMS or w in ITEM_FILL for w in lower)


def _flow_word(word: str) -> bool:
    """Return whether a word belongs to a sentence about the flow, not to a name: "me", "sends", "final", "review"."""
    stem = word.removesuffix("ing") if word.endswith("ing") else word.removesuffix("s")
    return word in NOT_NAMES or word in GATE or stem in SENDING_STEMS or Word.strong(word)


def asks_content(part: str) -> bool:
    """Return whether ``part`` is a writing directive that asks the message to say something.

    Not when it names nothing to check ("write only", "sign them as me"), points the message at someone
    ("mention them to Dana first"), or is a verb of sending with a time, condition, share or recipient
    ("send them after 5pm", "send when the outage is fixed", "email only decision makers"): that says
    when or whether to send, which no check on the message's words can hold.
    """
    folded = LEAD.sub("", fold(URL.sub("Link", part)).strip(" .!?\"'"))
    words = tokens(folded)
    rest = words[2:] if words[:2] == ["do", "not"] else words
    directive = bool(rest) and (rest[0] in STYLE or rest[0] in GOAL)
    if not directive or unread_symbols(part) or foreign(part):  # "send them ➡️ Dana", "send them завтра"
        return False
    if unheeded(folded) and (rest[0] not in SAYING or rest[0] in REPLY):  # "add our logo"; not "mention our logo"
        return False
    if LANGUAGE.search(folded):
        return True
    if _elsewhere(folded, rest):  # "include the contract", "mention them on Twitter": nothing a message's words show
        return False
    if sends_a_thing(folded):  # "send each contact a gift card": a thing no graph makes, not words to say
        return False
    if rest[1:2] in (["me"], ["us"]) and rest[0] != "let":  # "tell me first", "send me a copy": to the user
        return False
    if rest[0] in GOAL and rest[0] not in STYLE and any(w in NEGATIONS for w in words):
        return False  # "go no further than drafting": whether to do the work, not what to say
    if not _says_more(words) or not has_content(words) or destination(part, located=True) or addressee(part):
        return False
    undone = any(w in ONLY for w in words) or DRAFT_ONLY.search(folded) or RETRACT.search(folded)
    undone = undone or SOLE_COUNT.search(folded)  # "start with one": how many, not what to say
    if undone or CUE.search(folded) or EXCEPT_PHRASE.search(folded):  # "write only", "go on my word"
        return False
    if rest[0] not in SENDING and rest[0] not in REPLY and rest[0] not in WORK:
        return True  # a send ("schick sie morgen früh") or the work ("handle whatever you can") says when or which
    said = TOPIC.split(folded, maxsplit=1)[0]  # "email them about our webinar on 3 March": the date is content
    timing = any(w in CONDITIONS or w in EXCEPT or w in BEFORE for w in tokens(said))
    narrowed = bool(kinds_in(tokens(said)[1:]) or FROM_NAME.search(part))  # "answer these tickets from Pat"
    narrowed = narrowed or selection(rest[0], tokens(said)[1:])  # "send the calm ones automatically"
    return not timing and not narrowed and not restricted(said, tokens(said))


def _elsewhere(folded: str, rest: list[str]) -> bool:
    """Return whether a directive asks for a channel, attachment or message no graph has, before its content.

    A verb of saying reaches a channel only through the recipients ("mention them on Twitter", not "reference
    their post on LinkedIn"), and a message verb's content starts after its object ("tell them | they can
    call us"); what a message says about phones or attachments ("explain how to attach files") is content.
    """
    said = TOPIC.split(folded, maxsplit=1)[0]
    if rest[0] in MESSAGE:
        said = " ".join(rest[:2])
    elif rest[0] in SAYING and rest[1:2] not in (["them"], ["him"], ["her"], ["each"], ["everyone"], ["all"]):
        return False
    return unsupported(said)


def named(part: str) -> str | None:
    """Return the name ``part`` lists when it is names only ("Northwind Analytics", "ACME"), else None."""
    raw = [t for t in part.split() if not _AND.match(t) and t != "&"]
    if raw and all(t[:1].isupper() or t[:1].isdigit() for t in raw):
        return " ".join(raw).strip(" .,;:!?\"'") or None
    return None


def claimed(part: str) -> str | None:
    """Return the reader that understands ``part`` ("goal", "style", "items", ...), or None for none."""
    linked = bool(URL.search(part))
    part = URL.sub("Link", part)  # a page to read is an item's source, not a recipient
    folded = READY.sub(" ", LEAD.sub("", fold(part).strip(" .!?\"'")))
    words = tokens(folded)
    if foreign(folded) or (not words and any(c.isalpha() for c in folded)):
        return None  # a script the readers do not know ("Покажи мне ответы", "send them завтра"): it could say anything
    if unread_symbols(part):
        return None  # "send them ❌", "✋", "⏸️": a sign the readers cannot read, other than a smile or a thanks
    if not words or all(w in COURTESY for w in words) or GREETING.match(folded):
        return "courtesy"
    if _goal(part, folded, words):
        return "goal"
    if _style(part, folded, words):
        return "style"
    if all(w in TONE for w in words):
        return "tone"
    if _items(part, folded, words):
        return "items"
    if _context(part, folded, words) or (linked and _plain(part, folded, words)):
        return "context"  # "We are Acme, a logistics startup", "the press page https://... covers both"
    return None
