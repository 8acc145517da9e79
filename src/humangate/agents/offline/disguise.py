"""See through characters that hide a task's words from the readers: invisible marks and letters of other scripts.

The readers work on folded Latin text (``wording.fold``, ``wording.tokens``), so two kinds of character slip
past them unread:

- invisible format characters (zero-width space and joiner, soft hyphen, direction marks): "se\u200dnd"
  is "send" on screen but two unknown words to the readers. ``visible`` takes them out, so the words read as
  they look; tag characters (U+E0000 to U+E007F), which can spell a whole instruction no one sees, are kept
  for ``foreign`` to hold;
- letters of a script the readers do not know, inside a sentence they otherwise read: "send them завтра"
  (tomorrow), "send them tο Dana" with a Greek omicron. ``tokens`` drops them, and what is left reads as
  harmless; ``foreign`` says a part has such letters, and the claim readers leave it unclaimed.

Latin letters with marks ("Ørsted", "Łódź") are Latin: they are read, not held.

Words joined by dots or underscores instead of spaces ("Send.them.to.Dana.", "send_them_to_dana") are one
token to the phrase readers but a sentence to a person: ``visible`` spaces out a run of three or more such
words when one of them is a short English function word, which no host name or file name holds as a part
("docs.acme.example" and "report_2024_final" stay as they are).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["foreign", "visible"]

_TAGS = range(0xE0000, 0xE0080)
# Three or more letter runs joined by "." or "_", not inside an address, a path or a longer host name.
_JOINED = re.compile(r"(?<![\w@/.-])[^\W\d_]+(?:[._][^\W\d_]+){2,}(?![\w@/-]|\.\w)")
_FUNCTION_WORDS = """
a an the to them they it me us you your my our for from and or of in on at by with without not no do dont
send reply email then before after
"""
_FUNCTION = frozenset(_FUNCTION_WORDS.split())


def visible(text: str) -> str:
    """Return ``text`` without invisible format characters (tag characters are kept for ``foreign``), and with
    words joined by dots or underscores into a sentence spaced out."""
    shown = "".join(c for c in text if unicodedata.category(c) != "Cf" or ord(c) in _TAGS)
    return _JOINED.sub(_spaced, shown)


def _spaced(m: re.Match[str]) -> str:
    run = m.group()
    words = re.split(r"[._]", run)
    return " ".join(words) if any(w.lower() in _FUNCTION for w in words) else run


@lru_cache(maxsize=4096)
def _latin(char: str) -> bool:
    return unicodedata.name(char, "").startswith("LATIN")


def foreign(text: str) -> bool:
    """Return whether ``text`` has a letter of a script other than Latin, or a tag character no one sees.

    Checked after NFKD, so full-width and mathematical letters ("ｓｅｎｄ", "𝐬𝐞𝐧𝐝") count as the Latin they are.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return any((c.isalpha() and not _latin(c)) or ord(c) in _TAGS for c in decomposed)
