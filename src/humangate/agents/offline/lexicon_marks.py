"""Displeasure shown without a word for it, read on top of the router's lexicons (see ``lexicon_more``).

Three marks a careful reader sees at once and the router, trained on words, does not:

- a sad, hurt or let-down face, as an emoji ("😞", "😢", "👎", "💔", a sigh "😮‍💨", a clown "🤡") or as a text
  emoticon (":(", ":'(", ">:(", ":/", "D:", "-_-", "ಠ_ಠ"), anywhere in the message: "thanks :(" is not thanks.
  (The unamused and angry faces are ``lexicon_curt``'s.) A smile is not one of them;
- a swear word disguised, with stars ("f*ck", "sh**"), with symbols or digits read back ("$hit", "bullsh1t",
  "h3ll") or spelled to slip past a filter ("fkn", "effing"): the disguise says the customer meant it. A swear
  word written plainly is left to VADER and the router, which read it in context;
- a word spelled out letter by letter or dot by dot ("r i d i c u l o u s", "u.n.a.c.c.e.p.t.a.b.l.e") is read
  by ``spelling.respelled`` instead, which joins it for every lexicon.
"""

from __future__ import annotations

import re

from humangate.agents.offline._lexicon_util import compiled as _compiled

__all__ = ["MARKS", "disguised_swearing"]

_SAD_EMOJI = (
    "[\U0001f61e\U0001f622\U0001f62d\U0001f629\U0001f62b\U0001f614\U0001f641\u2639\U0001f615\U0001f61f\U0001f623"
    "\U0001f616\U0001f44e\U0001f494\U0001f972\U0001f921\U0001f613\U0001f625\U0001f630]|\U0001f62e\u200d\U0001f4a8"
)
# Text emoticons stand apart from words: ":/" inside "https://" or "D:" in "Plan D:" is not a face.
_EMOTICON = (
    r"(?<![\w:/])(?:>?[:;=]['\-^]?[(\[/\\|]|-_-|\u0ca0_\u0ca0|\u00ac_\u00ac|T_T|;_;)(?![\w/)(\[\]])|(?<!\S)D-?:\s*$"
)
MARKS: dict[str, tuple[re.Pattern[str], ...]] = {
    "complaint": _compiled(_SAD_EMOJI, re.compile(_EMOTICON, re.M)),
}

_SWEAR = re.compile(
    r"\b(?:fuck\w*|shit\w*|bullshit|crap\w*|asshole\w*|arsehole\w*|bollocks|damn\w*|hell|piss\w*|bastard\w*)\b", re.I
)
# A swear word with letters starred out ("f*ck", "sh**", "b*llsh*t"), and the spellings that dodge a filter.
_STARRED = re.compile(r"(?<![\w*])[a-z]{1,4}\*+[a-z]{0,6}\*?[a-z]{0,4}(?![\w*])", re.I)
_DODGED = re.compile(
    r"\b(?:fkn|fking|fkin|fcking|fckin|fcuk\w*|fuk(?:ing|in|ed|ers?)?|fuxk\w*|fuxing|effing|eff\s+off|frigg?in\w*"
    r"|frickin\w*|sh1t\w*|biatch)\b",
    re.I,
)


def disguised_swearing(text: str, plain: str) -> list[str]:
    """Return the swear words ``text`` disguises (starred, leet, dodged); ``plain`` is it with leetspeak undone."""
    found = [m.group(0) for m in _STARRED.finditer(text) if m.group(0).count("*") < len(m.group(0)) - 1]
    found += [m.group(0) for m in _DODGED.finditer(text)]
    written = {m.group(0).lower() for m in _SWEAR.finditer(text)}
    found += [m.group(0) for m in _SWEAR.finditer(plain) if m.group(0).lower() not in written]
    return list(dict.fromkeys(found))
