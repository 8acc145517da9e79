"""Read wording that stops, defers or takes over the send, in English, German, Spanish and French.

A task that says the messages must not go out ("do not send them", "nothing goes out until I give the
word", "schick nichts raus", "n'envoie rien"), that makes the send wait on the user ("ping me before you
hit send", "send them once I'm back", "bitte vor dem Versand mir vorlegen"), or that keeps the send for
the user ("I'll send them myself", "je les enverrai moi-même") has not given leave to send. The offline
planner cannot tell which message it may send, so a person approves every one.

The structure is read, not phrases: a word of sending, and around it a negation, an exception, a
wait on the user, or the user as the one who sends. Text is folded first (``wording.fold``).
"""

from __future__ import annotations

import re

from humangate.core.wording import CONDITIONS, EXCEPT, NEGATIONS, tokens

__all__ = ["defers_send"]


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Verbs and nouns of sending, folded; "sent" is past and kept apart: "the tickets I sent" sends nothing.
_SEND = re.compile(
    r"\b(?:re)?send\w*|\bsent\b|\bdispatch\w*|\bpublish\w*|\bout the door\b"
    r"|\b(?:go|goes|going|gone|went|get|gets|getting|got|head|heads|be|is|are)\s+(?:sent\s+)?out\b"
    r"|\b(?:mail|mails|mailed|ship|push|fire|send)\s+(?:\w+\s+)?(?:out|off)\b"
    r"|\b(?:ver|ab|raus|hinaus|weg)?schick\w*|\bversand\w*|\bversend\w*|\braus(?:geh\w*)?\b|\bhinaus\w*"
    r"|\benvi[aeo]\w*|\bmand(?:a|ar|as|e|en|es|o|amos|alo|alos|ala|alas|arlo|arlos|arla|arlas|ado|ados|ando)\b"
    r"|\bsal(?:ga|gan|ir)\b|\benvo[iy]\w*|\benverr\w*|\bexpedi\w*"
)
# Replying, when negated, stops the send as well: "do not reply to angry customers", "never answer legal threats".
_REPLY = re.compile(r"\b(?:reply|replies|respond\w*|answer|antworte\w*|beantworte\w*|respond[ae]\w*|repond\w*)\b")
_REACH = 5  # how many words a negation reaches across to the send it negates
# Words that end a negation's reach: a new verb phrase or a relative clause ("send to those who did not reply").
_BREAK = _set(
    "and then also who whom whose which that where if when unless und dann wer welche welcher dass wenn falls ob "
    "y luego quien quienes cuyo si et puis qui que quand"
)
_RELATIVE = _set("who whom whose which that qui que quien quienes welche welcher wer")
# Negations that follow the verb they negate: "send nothing", "schick sie nicht", "n'envoie rien".
_AFTER = _set(
    "nothing none never not nicht nichts nie niemals kein keine keinen keiner keines rien jamais aucun aucune pas "
    "nada nunca ningun ninguna ninguno jamas"
)
# Words a negation may stand on before a send without negating it: "don't forget to send", "sans délai".
_URGING = _set(
    "forget hesitate delay wait vergiss vergessen zogere zogern olvides dudes tardes oublie oubliez hesite "
    "hesitez tarde tardez"
)
_NOT_BEFORE = _set("without ohne sin sans")  # "without delay, send them": no veto of the send
# Waits that come before the send: "before", "until", "first" (the wait words of review in ``wording.BEFORE``,
# but not "ahead": "go ahead and send" is leave to send).
_PRE_WAIT = _set(
    "before first prior until till beforehand wait waits vor bevor zuerst erst vorher vorab warte warten antes "
    "primero previo previa hasta espera esperar avant d'abord abord prealable prealablement attends attendre "
    "jusqu'a"
)
_OBJECT = _set("me us mich mir uns moi nous m' nos")  # "ping me before", "wait for me before"
# Verbs that hold the messages back: with a wait on the user ("hold them until I say so") they defer the send.
_HOLD = _set(
    "hold holds keep park pause halt stop wait waits behalte behalt halte halt warte warten parke guarda guardalas "
    "guardalos reten espera esperar garde gardez retiens attends attendre"
)
_WAIT = _set("wait waits warte warten espera esperar attends attendez attendre")
_LET = _set("let lass lasst")
_LET_ME = _set("laisse-moi laissez-moi dejame dejanos")
_SUBJECT = _set("i i'm i'd i'll i've we we're we'd we'll we've ich wir je j' nous yo nosotros")
_SELF = _set("myself ourselves selbst selber moi-meme nous-memes mismo misma mismos mismas")
# What may stand between the user and the send when the user sends: "I'll personally send them".
_BETWEEN = _set(
    "will shall can could would am are going gonna to then just personally myself ourselves do handle the them "
    "it those these all each rather prefer werde werden sie es selbst selber dann les le la l' vais allons "
    "vas los las lo voy vamos a"
)


def _words(folded: str) -> list[str]:
    """Return the clause's words, a pronoun joined by a hyphen apart ("attends-moi" -> "attends", "moi")."""
    out: list[str] = []
    for word in tokens(folded):
        head, _, tail = word.rpartition("-")
        out.extend([head, tail] if head and tail in _OBJECT and word not in _LET_ME else [word])
    return out


def _at(folded: str, start: int) -> int:
    return len(_words(folded[:start]))


def defers_send(folded: str) -> bool:
    """Return whether a clause stops the send, makes it wait on the user, or keeps it for the user."""
    words = _words(folded)
    sends = _SEND.search(folded) is not None
    for i, word in enumerate(words):
        if word in _WAIT and any(w in _OBJECT for w in words[i + 1 : i + 4]):
            return True  # "wait for me", "warte auf mich", "attends-moi"
        if word in _PRE_WAIT and (sends or any(w in _HOLD for w in words)) and _on_user(words, i):
            return True  # "ping me before you hit send", "hold them until I say so", "vor dem Versand mir"
        if word in CONDITIONS and sends and any(w in _SUBJECT for w in words[i + 1 : i + 3]):
            return True  # "send them once I'm back", "sobald ich", "cuando yo diga"
    for m in _REPLY.finditer(folded):
        if _vetoed(words[: _at(folded, m.start())]):
            return True  # "do not reply to anyone", "never answer the legal ones"
    for m in _SEND.finditer(folded):
        before, after = words[: _at(folded, m.start())], words[_at(folded, m.end()) :]
        if _vetoed(before):
            return True  # "do not send them", "nothing should go out", "n'envoie rien"
        if any(w in _AFTER for w in _reach(after)) or any(w in EXCEPT and w not in ("save", "menos") for w in words):
            return True  # "send nothing", "schick sie nicht", "send them except the refunds"
        if any(w in _SELF for w in words):
            return True  # "I'll send them myself", "ich verschicke sie selbst"
        if m.group(0) != "sent" and _user_sends(before):
            return True  # "I'll send them", "let me send them", "je les enverrai"
    return False


def _reach(words: list[str]) -> list[str]:
    """Return the words a negation may govern from: up to five, stopping at "and" or a relative clause."""
    out: list[str] = []
    for word in words[:_REACH]:
        if word in _BREAK:
            break
        out.append(word)
    return out


def _vetoed(before: list[str]) -> bool:
    """Return whether a negation just before a send negates it ("don't send", "nothing should go out")."""
    back = before[::-1]
    near = _reach(back)
    at = next((j for j, w in enumerate(near) if w in NEGATIONS and w not in _NOT_BEFORE), None)
    if at is None or any(w in _URGING for w in near[:at]):
        return False
    return not any(w in _RELATIVE for w in back[at + 1 : at + 4])  # "contacts who did not reply": no veto


def _on_user(words: list[str], i: int) -> bool:
    """Return whether the wait at ``i`` is on the user: "before I...", "ping me before", "bis ich"."""
    later = any(w in _OBJECT or w in _SUBJECT for w in words[i + 1 :])
    return later or any(w in _OBJECT for w in words[max(0, i - 3) : i])


def _let(before: list[str], back: int) -> bool:
    return back < len(before) and before[-back - 1] in _LET


def _user_sends(before: list[str]) -> bool:
    """Return whether the user is the subject of the send that follows ``before``."""
    for back in range(1, 5):
        if back > len(before):
            return False
        word = before[-back]
        if word in _SUBJECT or word in _LET_ME or (word in ("me", "us", "mich", "uns") and _let(before, back)):
            return True
        if word not in _BETWEEN:
            return False
    return False
