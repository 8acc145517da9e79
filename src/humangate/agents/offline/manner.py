"""Tell when a part of a task asks for a way of writing or sending that the drafters do not have.

The drafters write one plain-text message per item, in English prose, from the item and its sources, and the
effect sends it from the product's own address to the item alone, once. A part that asks for something else
leaves the message going out without it, so the claim readers leave such a part unclaimed and every effect
waits for a person. The test is by word class, not by phrase:

- a form no drafter writes: verse ("as a haiku", "make it rhyme"), markup and layout ("in HTML", "use
  markdown", "bold the prices", "in a table", "bullet points"), capitals and signs ("in all caps", "lots of
  emoji"), a register ("legalese", "pirate speak", "Shakespearean English"), and things an email would
  have to embed or track ("add our logo", "a tracking pixel", "UTM links");
- material the drafters have not got: a template, a script, a style guide, earlier messages ("use our
  template", "match my previous emails", "same as last time"), someone's own voice ("write in my voice");
- another sender or more recipients: "send from the sales inbox", "from my account", "reply all", and
  someone else who sends or checks what is drafted ("draft replies Dana can send");
- a repeat: "send them again", "once more", "keep following up", "until they reply".

Said in the negative it asks for nothing the drafters do not already do ("no emojis", "don't use
markdown", "avoid jargon"), and material in the task itself ("follow the guidelines below") is read there.
"""

from __future__ import annotations

import re

from humangate.core.wording import NEGATIONS

__all__ = ["unheeded"]

# What an email would have to embed or track: asked with a verb that adds it ("add our logo", "with a banner").
_MEDIA = (
    r"logos?|banners?|letterhead|watermarks?|fonts?|colou?rs?|tracking pixels?|pixels?|read receipts?|utm\w*|"
    r"tracking links?|qr codes?|buttons?|signature (?:block|image)s?|images?|pictures?|photos?|videos?|gifs?"
)
_FORMS = (
    r"haikus?|poems?|poetry|poetic(?:ally)?|limericks?|sonnets?|rhym\w*|in verse|lyrics|acrostics?|"
    r"markdown|(?:in|as|use|using|into|with|format\w*(?: as| in)?) (?:a |an |the |proper |clean |simple )?"
    r"(?:html|json|xml|yaml|rich text)|bold(?:ed|face)?(?= (?:text|font|type|headings?|titles?|the|all|key|"
    r"important|prices?|dates?|names?|words?|phrases?)\b)|in bold|use bold|italic\w*|underlin\w*|headings|subheadings?|"
    r"headers?|(?:in|as|use|using|with|into|add) (?:a |an )?tables?|bullet(?:ed)?(?: points?| lists?)?|bullets|"
    r"numbered lists?|all[- ]?caps|caps ?lock|capital letters|block capitals|upper ?case|"
    r"emojis?|emoticons?|smileys?|memes?|hashtags?|stickers?|kaomoji|"
    r"legalese|slang|jargon(?![- ]free)|pirate (?:speak|talk|lingo|english|style|voice)|(?:as|like) a pirate|"
    r"shakespear\w*|old english|archaic|gen[- ]?z|text ?speak|txt ?speak|leet ?speak|l33t|baby talk|cockney|"
    r"dialect|accent|track (?:opens|clicks|open rates?)|"
    rf"(?:add|adds|adding|include|including|use|using|put|insert|embed|with|plus) (?:\w+ ){{0,2}}(?:{_MEDIA})"
)
_MATERIAL = (
    r"templates?|boilerplate|playbooks?|macros?|snippets?|canned (?:responses?|replies|answers?|text)|scripts?|"
    r"(?:style|brand|tone|voice|writing|house|editorial) ?(?:guide\w*|book|manual|rules|bible)|guidelines?|"
    r"(?:in-?)?house (?:style|voice|tone)|brand (?:voice|tone|style)|"
    r"(?:my|our|his|her|their|[a-z]+'s) (?:own )?(?:voice|writing style|style|signature|way of (?:writing|"
    r"speaking|talking))|"
    r"(?:previous|prior|earlier|past|last|older|existing|saved|stored|sent|same) (?:\w+ )?(?:e-?mails?|messages?|"
    r"replies|responses?|answers?|wording|phrasing|format|version|drafts?|copy|tone)|"
    r"(?:as|like|the same as|same as) (?:before|last time|the last (?:one|time|batch|round)|i do|i would|we do|"
    r"i always do|i write|we write)|the way (?:i|we) (?:do|write|would)"
)
# Said about the task itself: "the guidelines below", "this template:", "follow these rules".
_HERE = re.compile(r"^\s*(?:below|above|here|that follows?|as follows|:)")
_SENDER = (
    r"from (?:my|our|the|a|another|a different|the shared|the team's|the company's|[a-z]+'s) (?:[\w@.-]+ ){0,2}"
    r"(?:inbox|mailbox|address|account|alias|domain|e-?mail|gmail|outlook)|sender (?:address|name|field)|"
    r"as (?:the )?sender|reply[- ]all(?! (?:the|these|those|of|tickets?|messages?|customers?|e-?mails?)\b)|"
    r"reply to all (?:recipients|participants|on the thread)|cc (?:everyone|everybody|all)|"
    # someone else sends or checks what is drafted: "replies Dana can send", "emails my manager will approve"
    r"(?<!you )(?<!you'll )(?:can|could|will|would|shall|should|may|might|must|'ll) (?:then |later |just |easily "
    r"|quickly |simply |also )?(?:send|approve|review|vet|proofread|sign off|sign|look (?:them |it )?over|ok|okay|"
    r"check(?= (?:them|it|these|those|each|every|all)\b| *$))"
)
_REPEAT = (
    r"(?:send|email|mail|reply|answer|respond|contact|write|message|ping|forward|reach|follow|run|do)\w*"
    r"(?: [\w-]+){0,3} again|again (?:send|email|reply|answer|contact|write|message|ping)|once more|one more time|"
    r"a (?:second|third|2nd|3rd) time|"
    r"repeat\w*|recurring|re-?send\w*|keep (?:on )?(?:at it|at them|sending|emailing|mailing|following|chasing|"
    r"pinging|nudging|reminding|messaging|writing|contacting|replying|answering|responding|bugging|pestering)|"
    r"until (?:they|he|she|each|every|all) (?:\w+ )?(?:reply|replies|respond|responds|answer|answers|book|books|"
    r"buy|buys|sign|signs|agree|agrees|bite)"
)
_UNHEEDED = re.compile(rf"\b(?:{_FORMS}|{_MATERIAL}|{_SENDER}|{_REPEAT})\b")
_WORD = re.compile(r"[a-z0-9']+")
_THIS = re.compile(r"\b(?:these|this|following)\s*$")
# A word in front of the demand that turns it down: "no emojis", "don't use markdown", "avoid jargon".
_DECLINE = NEGATIONS | frozenset({"avoid", "avoiding", "without", "skip", "ditch", "drop", "lose", "minus", "less"})


# What the message is about starts here; a template or a logo named there is its subject ("about our templates").
_TOPIC = re.compile(r"\b(?:about|regarding|concerning|saying|mentioning|on the topic of)\b")


def unheeded(folded: str) -> bool:
    """Return whether the folded part asks for a form, material, sender, recipient or repeat no drafter gives."""
    folded = _TOPIC.split(folded, maxsplit=1)[0]
    # "no emojis", "don't use markdown", "avoid jargon": a demand after a word that turns it down asks nothing
    declined = next((m.start() for m in _WORD.finditer(folded) if m.group() in _DECLINE), len(folded))
    for match in _UNHEEDED.finditer(folded):
        if match.start() > declined:
            return False
        if _HERE.match(folded[match.end() : match.end() + 24]) or _THIS.search(
            folded[max(0, match.start() - 12) : match.start()]
        ):
            continue  # "follow the guidelines below", "use this template:": in the task, read there
        return True
    return False
