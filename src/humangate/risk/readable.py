"""Whether the escalation router can read a message at all: it must be mostly English words.

The router was trained and calibrated on English only, so its score of a German complaint or of a row of
angry emoji says nothing: a low score there is not a reading of "safe". A message is unreadable when, after
simple leetspeak is undone ("R3FUND"), it has no words (emoji, symbols or numbers only), or when fewer than
half of its words are known English words, or when it carries more function words of another language
(German, French, Spanish, Portuguese, Italian, Dutch) than of English. The English vocabulary is derived
from what the package already ships: the router's encoder vocabulary, VADER's lexicon and the words of the
analyst's own lexicons. Fail closed: such a message goes to a person, with a trigger that says why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache

from humangate.core.contract import Trigger

__all__ = ["english_reading", "english_words", "readable_triggers", "unreadable_reason"]


def _vocabulary(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words that are function words of another language and not (or hardly ever) English words.
_FOREIGN = _vocabulary(
    """
    ich du wir ihr nicht und ist sind bist der das ein eine einen einem mein meine meinen meinem mit fur
    fuer auf aber oder auch noch schon sehr wirklich jetzt kein keine bitte danke warum wurde habe haben
    wird werden kann konnen mich mir dich dass zum zur vom bei ihre ihren unser unsere sie je vous nous est
    sont suis les une ma mes votre vos pas ne pour avec dans mais tres qu qui cette cet avez avons merci
    bonjour veux voudrais vais fois aussi au aux et le ete etait los las una es esta estoy soy mis por para
    pero muy que quiero puedo tengo hola gracias del usted ustedes voy desde hace voce voces nao meu minha
    meus seu sua uma mas muito obrigado obrigada ola vou quero tenho estou isso isto ele ela io sono il gli
    della che grazie ciao mio mia voglio questo questa ik het een niet mijn jij zijn heb graag bedankt
    el nadie nunca alguien nada todavia ahora mucho
    """
)
# Function words of languages customers mix into English, written in Latin letters: Tagalog, Hindi and Urdu
# as typed, Malay and Indonesian. Kept apart so that a reader can see which languages are covered.
_MIXED_IN = _vocabulary(
    """
    ang ng mga sa na ko niyo nyo ninyo po naman pa rin din yung hindi wala walang kasi lang talaga ako kayo siya
    kami tayo ito yan dito ano bakit paano kailan sino saan asan pero kung meron nga sana grabe sobrang
    hai hain nahi nahin mera meri mujhe aap aapka aapki humara tum woh kuch abhi tak aur bhi bahut
    bohot sirf kar karo karna kiya diya liya chahiye yaar bhai gaya gayi gaye raha rahi rahe kyun kyu kab kaise
    saya tidak belum sudah dah yang ini itu tolong kenapa mengapa lagi tapi tiada boleh kita anda dengan untuk
    juga sangat
    """
)
_ENGLISH_FUNCTION = _vocabulary(
    """
    the a an and or but if of to in on at by for with from about as into over after before is are was were
    be been being am do does did have has had i me my we our you your he she it its they them their this
    that these those what which who when where why how not no yes can could would should will shall may
    might must there here please thanks thank hi hello ok okay
    """
)
# Chat shorthand customers write that no dictionary lists.
_SHORTHAND = _vocabulary(
    """
    thx pls plz ty tysm np lol omg btw asap fyi imo idk ok okay k u ur im ive dont cant wont
    """
)
_NOISE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|[@#]\w+|\[[A-Z_]+\]|<[^>]*>")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_ELIDED = _vocabulary(
    """
    c j d l qu n s m t
    """
)
_ACCENTS = str.maketrans("àâäáãåçéèêëíìîïñóòôöõúùûüß", "aaaaaaceeeeiiiinooooouuuus")


@cache
def _english() -> frozenset[str]:
    """Return the English words the package already knows: encoder vocabulary, VADER, the analyst's lexicons."""
    from humangate.agents.offline.triage import LEXICONS, sentiment_words  # lazy: agents import risk
    from humangate.risk.router.features import ENCODER_DIR

    words = set(sentiment_words()) | _ENGLISH_FUNCTION | _SHORTHAND
    try:
        vocab = json.loads((ENCODER_DIR / "tokenizer.json").read_text(encoding="utf-8"))["model"]["vocab"]
        words |= {w for w in vocab if w.isalpha() and w.isascii()}
    except (OSError, ValueError, KeyError):  # without the encoder the router fails and holds anyway
        pass
    for patterns in LEXICONS.values():
        words |= {w.lower() for p in patterns for w in re.findall(r"[A-Za-z]{3,}", p.pattern)}
    return frozenset(words - _FOREIGN - _MIXED_IN)


def english_words() -> frozenset[str]:
    """Return the lower-case English words the package knows (encoder vocabulary, VADER, the analyst's lexicons)."""
    return _english()


def _words(text: str) -> list[str]:
    from humangate.agents.offline.triage import deleet  # lazy: agents import risk

    plain = _NOISE.sub(" ", deleet(text)).lower()
    return [w for w in _WORD.findall(plain) if len(w) > 1 or w in {"i", "a"}]


def _base(word: str) -> str:
    """Return the stem of a contraction: "I'm" -> "i", but French and Italian elision "c'est" -> "est"."""
    head, _, tail = word.partition("'")
    return tail if tail and head in _ELIDED else head


def english_reading(text: str) -> tuple[int, float, int, int]:
    """Return (words, share of known English words, English function words, foreign function words)."""
    words = _words(text)
    if not words:
        return 0, 0.0, 0, 0
    known = _english()
    base = [_base(w) for w in words]
    share = sum(1 for w, b in zip(words, base, strict=True) if w in known or b in known) / len(words)
    own = sum(1 for b in base if b in _ENGLISH_FUNCTION)
    other = sum(1 for b in base if b.translate(_ACCENTS) in _FOREIGN or b in _MIXED_IN)
    return len(words), share, own, other


def unreadable_reason(text: str) -> str | None:
    """Return why the router cannot read ``text`` (no words, not English), or None when it can."""
    n, share, own, other = english_reading(text)
    if n == 0:
        return "it has no words (only emoji, symbols or numbers)"
    if other >= 2 and other > own:
        return f"it is not English ({other} function word(s) of another language, {own} of English)"
    if share < 0.5:
        return f"it is not English (only {share:.0%} of its {n} word(s) are known English words)"
    if other >= 2 and 2 * other >= own:
        # Code-switching ("Hindi pa rin dumating yung order ko, it's been 2 weeks"): the English half reads calm
        # to the router while the other half carries the message.
        return f"it is partly in another language ({other} function word(s) of another language, {own} of English)"
    return None


def readable_triggers(text: str, history: Sequence[str] = ()) -> list[Trigger]:
    """Return a held ``router`` trigger when the message, or an earlier turn of its thread, cannot be read."""
    out: list[Trigger] = []
    why = unreadable_reason(text)
    if why:
        out.append(
            Trigger(
                kind="router",
                reason=f"The router cannot read this message: {why}. It was trained and calibrated on English "
                "only, so its score says nothing here; a person should answer it.",
                score=0.5,
                evidence=[text[:200]],
            )
        )
    for turn in history:
        why = unreadable_reason(turn)
        if why:
            out.append(
                Trigger(
                    kind="router",
                    reason=f"The router cannot read an earlier message of this thread: {why}; a person should "
                    "read the thread.",
                    score=0.5,
                    evidence=[f"earlier turn: {turn[:200]}"],
                )
            )
            break
    return out
