"""Actions an outgoing message asks of its reader that hand over a machine, an account or money: a scam's asks.

A support scam and a hijacked or confused chat model ask the same things: install a remote-access tool
("install AnyDesk and read me the nine-digit code"), install or download a program, run a command or paste a
script into a terminal or the browser's console, or turn off a protection (antivirus, firewall, two-factor
sign-in). None of these is in the product's own templates, and a reader who follows one can lose their
machine or account, so a message that asks one waits for a person, whoever wrote it (the offline engine, a
chat model or a reviewer's edit). So do the other marks of a scam: payment by gift card, crypto or wire,
identity documents or answers ("a photo of your passport", "verify your identity"), changing how they sign in
("unusual activity, change your password"), a warning or a request for rights waved through, and secrecy
("tell nobody"). Requests for passwords, codes and card details are ``risk.outbound``'s.

Read on the text as a reader reads it (``risk._fold.readable``: look-alike letters, zero-width characters).
"Download your invoice" and "export the CSV" are plain product use and pass; a program, app, extension or
file that runs is what "download" must name to count. Deleting, wiping or cancelling the reader's account, data
or device ("click Delete account", "reset it to factory settings") cannot be undone, so it waits too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from humangate.core.contract import Trigger
from humangate.risk._fold import readable

__all__ = ["echoed", "find_risky_asks", "risky_ask_triggers"]

_I = re.IGNORECASE

# Remote access: a named tool or the thing itself.
_REMOTE = re.compile(
    r"\b(?:any\s?desk|team\s?viewer|ultra\s?viewer|rust\s?desk|logmein|splashtop|supremo|screenconnect"
    r"|connectwise|quick\s?assist|chrome\s+remote\s+desktop|remote\s+(?:access|desktop|control|session|assistance)"
    r"|(?:take|gain|get)\s+(?:control|access)\s+(?:of|to)\s+your\s+(?:computer|pc|laptop|mac|device|phone|screen))\b",
    _I,
)
# Installing a program, or downloading a thing that runs ("reinstall" and "installed" are plain product talk).
_INSTALL = re.compile(
    r"\b(?:install|installing|sideload|sideloading)\b(?!\s+(?:automatically|itself|on\s+its\s+own))"
    r"|\bdownload(?:s|ed|ing)?\s+(?:and\s+(?:run|open)\s+)?(?:(?:this|the|our|a|an)\s+)?(?:\w+\s+)?"
    r"(?:app|application|software|program|tool|extension|plug-?in|add-?on|driver|patch|installer|helper|agent)\b"
    r"|\.(?:exe|msi|dmg|pkg|apk|bat|cmd|ps1|scr|vbs|jar|sh)\b",
    _I,
)
# Running code: a command or script to run, a terminal or console to open, or code itself (backticks around
# something with code punctuation; "`Reports > Export`" is a label).
_CODE = re.compile(
    r"\b(?:run|execute|paste)\s+(?:this|these|the\s+following|the\s+(?:command|script|code|line))\b"
    r"|\b(?:type|enter|copy)\s+(?:this|these|the\s+following)\s+(?:command|script|code|line)s?\b"
    r"|\b(?:open|in|into|from|launch)\s+(?:a\s+|the\s+|your\s+)?(?:terminal|shell|console)\b"
    r"|\b(?:command\s+prompt|powershell|cmd\.exe|(?:browser|developer|javascript|web)\s+console|dev\s?tools"
    r"|developer\s+tools|registry\s+editor|regedit)\b"
    r"|`[^`\n();|$=\\/{}]*[();|$=\\/{}][^`\n]*`|<\s*script|javascript:|document\.cookie|\b(?:curl|wget|sudo|chmod|iwr|iex)\s"
    r"|\brm\s+-\w|\|\s*(?:sh|bash|zsh|python|iex)\b",
    _I,
)
# Turning a protection off, or waving a warning or a request for rights through.
_DISABLE = re.compile(
    r"\b(?:disable|turn\s+off|switch\s+off|deactivate|uninstall|pause|bypass)\s+(?:your\s+|the\s+)?"
    r"(?:anti-?virus|anti-?malware|firewall|defender|security\s+software|two[- ]factor|2fa|mfa"
    r"|multi[- ]factor|(?:two[- ]step|2-step)\s+verification|smartscreen|gatekeeper)\b"
    r"|\b(?:admin|administrator|root|elevated)\s+(?:rights|access|permissions?|privileges)\b"
    r"|\b(?:ignore|dismiss|skip|click\s+(?:past|through))\s+(?:the\s+|any\s+|this\s+)?(?:security\s+)?"
    r"(?:warning|alert|prompt)s?\b|\b(?:allow|grant|give|accept)\s+(?:it\s+|us\s+|them\s+)?"
    r"(?:admin|administrator|root|full|elevated)\s+(?:rights|access|permissions?|privileges)\b",
    _I,
)
# Paying the way scams are paid: gift cards, crypto, wires to a person.
_PAY = re.compile(
    r"\b(?:gift\s?cards?|(?:itunes|apple|google\s+play|steam|amazon)\s+(?:gift\s+)?cards?|bitcoin|btc|crypto"
    r"(?:currency|currencies)?|usdt|tether|ethereum|western\s+union|moneygram|wire\s+(?:transfer|the\s+money|it)"
    r"|zelle|venmo|cash\s?app)\b",
    _I,
)
# Proving who they are with documents or answers that open their accounts elsewhere.
_IDENTITY = re.compile(
    r"\b(?:verify|confirm|validate|prove)\s+(?:your\s+)?(?:identity|account|details|information|personal\s+data)\b"
    r"|\bpassport|\bdriv(?:er'?s|ers|ing)\s+licen[cs]e|\bnational\s+id|\b(?:id|identity)\s+(?:card|document)s?"
    r"|\bselfie|\bsocial\s+security|\bdate\s+of\s+birth|\bmother'?s\s+maiden",
    _I,
)
# Changing how they sign in, on the message's word that something is wrong.
_SIGN_IN = re.compile(
    r"\b(?:change|reset|update)\s+your\s+(?:password|pin|passcode|security\s+questions?|2fa|login|sign-?in"
    r"|e-?mail\s+address|phone\s+number)\b|\bwith\s+your\s+(?:login|password|credentials|pin|passcode)\b|\b(?:unusual|suspicious)\s+(?:activity|log-?ins?|sign-?ins?)\b",
    _I,
)
# Keeping it from others: the mark of a scam, never of a support answer.
_SECRET = re.compile(
    r"\b(?:tell|inform|show)\s+(?:no\s?one|nobody)\b|\b(?:don't|do\s+not|never)\s+(?:tell|inform|show)\s+"
    r"(?:anyone|anybody|your|others)\b|\bkeep\s+(?:this|it)\s+(?:between\s+us|secret|quiet|confidential|to\s+yourself)\b",
    _I,
)
# Undoing what cannot be redone: deleting, wiping or cancelling the reader's account, data or device.
_UNDO = re.compile(
    r"\b(?:delete|erase|wipe|purge|format|close|cancel|deactivate|terminate|factory[- ]reset)\s+"
    r"(?:(?:your|the|my|all|of|this)\s+){0,2}(?:\w+\s+)?"
    r"(?:account|profile|data|workspace|subscription|device|phone|drive|disk|computer|laptop|history|files?"
    r"|reports?|everything|backups?|records?)\b"
    r"|\b(?:reset|restore)\s+(?:your\s+|the\s+)?(?:\w+\s+)?to\s+(?:factory|default)\s+settings\b",
    _I,
)
_WORDS = re.compile(r"\w+")
_ECHO_WORDS = 3
_WHOSE = {"your": "my", "our": "my", "yours": "mine", "ours": "mine"}
_KINDS = (
    ("remote access", _REMOTE),
    ("installing a program", _INSTALL),
    ("running a command or code", _CODE),
    ("turning off a protection", _DISABLE),
    ("deleting or cancelling what cannot be restored", _UNDO),
    ("paying by gift card, crypto or wire", _PAY),
    ("proving their identity", _IDENTITY),
    ("changing how they sign in", _SIGN_IN),
    ("keeping it from others", _SECRET),
)


def find_risky_asks(text: str) -> list[tuple[str, str]]:
    """Return ``(kind, phrase)`` for each risky action ``text`` names, in the order of ``_KINDS``."""
    read = readable(text)
    found: list[tuple[str, str]] = []
    for kind, pattern in _KINDS:
        for m in pattern.finditer(read.text):
            start, end = read.span(m.start(), m.end())
            found.append((kind, " ".join(text[start:end].split())[:80]))
    return found


def echoed(phrase: str, said: Sequence[str]) -> bool:
    """Return whether the reader wrote ``phrase`` themselves (a reply saying back "how to reset your password").

    Read with "your", "my" and "our" as one word (the reply's "your plan" is their "my plan" or "our plan"). A
    phrase of three words or more must have all its words in one text they wrote, in any order ("Why was my
    ticket closed?" holds "ticket was closed"); a shorter one is too common to tell, so it must be as written.
    """
    words = _owned(phrase)
    if len(words) < _ECHO_WORDS:
        return any(f" {' '.join(words)} " in f" {' '.join(_owned(text))} " for text in said)
    return any(set(words) <= set(_owned(text)) for text in said)


def _owned(text: str) -> list[str]:
    """Return the words of ``text`` in lower case, with whose it is ("your", "my", "our") read as one word."""
    return [_WHOSE.get(w, w) for w in _WORDS.findall(text.lower())]


def risky_ask_triggers(text: str, *, where: str = "The message", said: Sequence[str] = ()) -> list[Trigger]:
    """Return one trigger when ``text`` asks its reader for remote access, a program, code, or to turn off or delete.

    A phrase the reader wrote themselves (``said``: the customer's message a reply answers) is theirs, not the
    message's ask: "Thanks for asking how to reset your password" says their question back.
    """
    found = [(kind, phrase) for kind, phrase in find_risky_asks(text) if not echoed(phrase, said)]
    if not found:
        return []
    kinds = list(dict.fromkeys(kind for kind, _ in found))
    return [
        Trigger(
            kind="policy",
            reason=f"{where} points the reader to something that can hand over or wipe their machine, account or "
            f"data ({', '.join(kinds)}); a person checks it is genuine and needed.",
            score=0.9,
            evidence=[f"{kind}: {phrase}" for kind, phrase in found[:10]],
        )
    ]
