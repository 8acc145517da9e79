"""The tone of a reply written by a chat model: hostile or contemptuous wording never goes to a customer as is.

The offline replies are fixed templates; a model's reply is free text and may scold, dismiss or insult the
customer. A reply is hostile when it carries a contempt phrase ("wasting our time", "nobody cares", "give
up", an insult), or when VADER reads one of its own sentences as negative. The product's template
sentences, the greeting and sign-off are not the reply's own tone, and neither is an apology ("I'm sorry
for the trouble" reads negative to VADER and is the kindest thing a reply says) nor the plain name of the
customer's problem ("the error", "broken"): both are taken out before a sentence is scored. Contempt is
looked for in the whole reply, apologies included.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["hostile_tone"]

_NEGATIVE = -0.05  # VADER's own cut for a negative reading
# Insults and dismissals; each is worded so a kind reply does not trip it ("don't give up", "it will go away").
_CONTEMPT = re.compile(
    r"\b(?:idiot\w*|stupid\w*|dumb(?:est)?|moron\w*|imbecile\w*|pathetic|incompetent|clueless|loser\w*|"
    r"shut up|stfu|rtfm|lmgtfy|get lost|(?:just|now|please) go away|piss off|screw you|(?:just|so) deal with it|"
    r"tough luck|too bad for you|(?<!n't )(?<!not )(?<!never )give up\b(?! hope)|"
    r"(?:nobody|no one|no-one) (?:cares|gives a)|(?:we|i) (?:do not|don't|couldn't|could not) care\b|"
    r"not (?:our|my) (?:problem|job|concern)|(?:that's|that is|it's|it is) your (?:own )?(?:fault|problem)|"
    r"your own fault|(?:blame|ask) yourself|wast(?:e|es|ed|ing) (?:our|my|everyone's) time|"
    r"stop (?:bothering|pestering|emailing|writing to|contacting) (?:us|me)\b|stop (?:whining|complaining)|"
    r"whin(?:e|es|ing|er|y)\b|figure it out yourself|learn to read|can(?:'|no)?t you read|"
    r"read (?:the|our) (?:docs|documentation|manual|faq|help)\w* (?:before|first)|"
    r"as (?:we|i) (?:already )?(?:said|told you)|(?:obviously|clearly) you|how many times (?:do|must|have) (?:i|we))",
    re.I,
)
# An apology or sympathy and what it is for, up to the next punctuation ("sorry to hear you were charged twice").
_APOLOGY = re.compile(
    r"\b(?:sorry|apologi[sz]e\w*|apologies|regret\w*)\b[^.!?,;:]*|\bunfortunately\b|"
    r"\b(?:i|we) (?:completely |totally |fully |can )?understand\b[^.!?,;:]*",
    re.I,
)
# Naming the customer's problem is a fact, not the reply's mood ("the problem with your sync job (error 502)").
_FACTUAL = re.compile(
    r"\b(?:problems?|errors?|issues?|bugs?|broken|fail(?:s|ed|ing|ures?)?|crash(?:es|ed|ing)?|outages?|"
    r"glitch(?:es)?|trouble|delay(?:s|ed)?|missing|charged?)\b",
    re.I,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
# "Hi Rob," greets by name, and a name may be a word VADER scores ("Rob"): the greeting is not the reply's tone.
_GREETING = re.compile(r"^\s*(?:hi|hello|dear|hey|good (?:morning|afternoon|evening))\b[^,\n]{0,60}(?:,|$)", re.I)
_SIGN_OFF = re.compile(r"^\s*(?:best|kind|warm)?\s*(?:regards|wishes|thanks|thank you|cheers|sincerely)\b", re.I)


def _norm(sentence: str) -> str:
    return " ".join(sentence.lower().split())


def hostile_tone(reply: str, templates: frozenset[str] = frozenset()) -> str | None:
    """Return why ``reply`` reads hostile (the contempt phrase, or the negative sentence), else None."""
    from humangate.agents.offline.triage import sentiment  # lazy: the agents import risk

    text = unicodedata.normalize("NFKC", reply).replace("\u2019", "'")
    if found := _CONTEMPT.search(text):
        return f"contempt: {' '.join(found.group(0).split())!r}"
    skip = {_norm(t) for t in templates}
    for line in text.splitlines():
        if _SIGN_OFF.match(line):
            continue
        line = _GREETING.sub(" ", line, count=1)
        for sentence in _SENTENCE.split(line):
            if not sentence.strip() or _norm(sentence) in skip:
                continue
            own = _FACTUAL.sub(" ", _APOLOGY.sub(" ", sentence))
            if (score := sentiment(own)) <= _NEGATIVE:
                return f"negative tone ({score:+.2f}): {' '.join(sentence.split())[:200]!r}"
    return None
