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
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["foreign", "visible"]

_TAGS = range(0xE0000, 0xE0080)


def visible(text: str) -> str:
    """Return ``text`` without invisible format characters (tag characters are kept for ``foreign``)."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf" or ord(c) in _TAGS)


@lru_cache(maxsize=4096)
def _latin(char: str) -> bool:
    return unicodedata.name(char, "").startswith("LATIN")


def foreign(text: str) -> bool:
    """Return whether ``text`` has a letter of a script other than Latin, or a tag character no one sees.

    Checked after NFKD, so full-width and mathematical letters ("ｓｅｎｄ", "𝐬𝐞𝐧𝐝") count as the Latin they are.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return any((c.isalpha() and not _latin(c)) or ord(c) in _TAGS for c in decomposed)
