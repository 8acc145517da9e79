"""What an outgoing email or reply carries that a person must see before it leaves.

Each check reads the message as it would be sent and holds it (the triggers force review) when:

- a header value (recipient, subject) or a name put into the message holds control characters, or the
  recipient is not an address the mail layer would send to (the same ``check_email`` the mailer runs);
- a value from the recipient's row put into the message (name, company, role) reads like a sentence, not
  a name: it goes on after a full stop, runs past eight words, speaks to the reader, holds a link, or is
  mostly digits;
- the recipient's address is missing (the task's input had none): a reviewer fills it in;
- the text carries a link (``https://``, ``www.``, ``host.tld/path``, a bare host on a known TLD, also
  defanged or spelled out): where a reader is sent is a person's call;
- the text asks the reader for credentials or card, bank or account details, in any of the languages
  the lexicon below covers, unless the request is negated ("we will never ask for your password");
- the text repeats, word for word, a source passage that speaks to its reader (second person, an
  imperative, "asks every partner to ..."): an instruction meant for someone else went into the draft.

Each reads the text as a reader (and a browser) reads it (``risk._fold.readable``): look-alike and fullwidth
letters as plain ones, a soft hyphen or zero-width space as nothing, "。" "．" "｡" "﹒" as the dot of a host.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from humangate.core.contract import Trigger
from humangate.effects import check_email, header_problem
from humangate.errors import EffectRefused
from humangate.risk._fold import fold, readable, sentences
from humangate.risk._hosts import find_hosts, undefang

__all__ = [
    "find_credential_requests",
    "find_links",
    "lifted_passages",
    "missing_address_trigger",
    "name_problem",
    "outbound_triggers",
]

_HOST = r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}"
_LINK = re.compile(
    r"\b(?:https?|ftps?|hxxps?|sftp)\s*(?::|\[:\])\s*//\S+"  # with a scheme, also defanged "hxxp[:]//"
    r"|\bwww\d?\.\S+"
    rf"|(?<![@\w.-]){_HOST}(?::\d+)?/\S*"  # host.tld/path
    rf"|\b(?:visit|go\s+to|head\s+to|browse\s+to|log\s*in\s+at|sign\s*in\s+at|open)\s+{_HOST}\b(?!@)",
    re.I,
)
# Things a message must never ask its reader for, by stems that cover English, French, German and Spanish.
_SECRET = (
    r"pass\s?words?|pass\s?codes?|pass\s?phrases?|\bpins?\b|log-?ins?\b|credentials?|user\s?names?"
    r"|one[- ]time\s+(?:code|password|pin)|\botp\b|2fa|mfa|(?:verification|security|authentication|access)\s+codes?"
    r"|security\s+questions?|seed\s+phrase|recovery\s+(?:phrase|codes?)|private\s+keys?|api\s+keys?"
    r"|\bcvv\b|\bcvc\b|card\s+(?:numbers?|details|data)|(?:credit|debit|bank)\s+cards?|expiry\s+date"
    r"|bank(?:ing)?\s+(?:details|login|logins|account|accounts|information|info|credentials)"
    r"|account\s+(?:numbers?|details|credentials|password)|routing\s+numbers?|sort\s+codes?|\biban\b|\bswift\b"
    r"|social\s+security|\bssn\b|tax\s+id"
    r"|mots?\s+de\s+passe|identifiants?|coordonnees\s+bancaires|numeros?\s+de\s+carte|cartes?\s+bancaires?|\brib\b"
    r"|passwort\w*|kennwort\w*|zugangsdaten|anmeldedaten|bankdaten|bankverbindung|kontonummer|kreditkart\w*"
    r"|kartennummer|contrasenas?|credenciales|datos\s+bancarios|numeros?\s+de\s+(?:cuenta|tarjeta)"
    r"|tarjetas?\s+de\s+credito|clave\s+de\s+acceso"
)
_ASK = (
    r"confirm\w*|verif\w*|valid\w*|provid\w*|send\w*|shar\w*|submit\w*|enter\b|re-?enter|type\b|input\b"
    r"|updat\w*|giv\w*|reply\s+with|fill\s+in|disclose\w*|tell\s+us|email\s+us|click"
    r"|fourni\w*|envo\w*|communiqu\w*|saisi\w*|indiqu\w*|transmet\w*|partag\w*|mett\w*\s+a\s+jour|donne\w*"
    r"|bestatig\w*|verifizier\w*|angeb\w*|eingeb\w*|mitteil\w*|aktualisier\w*|teilen|schick\w*|send\w*|gib\b|geben"
    r"|confirma\w*|verifica\w*|envi\w*|proporcion\w*|facilit\w*|introduc\w*|ingres\w*|actualiz\w*|compart\w*"
)
_SECRET_RE = re.compile(_SECRET)
_ASK_RE = re.compile(rf"\b(?:{_ASK})")
# A request under a negation is a warning ("we will never ask for your password", "ne partagez jamais").
_NEGATED = re.compile(
    r"(?:\b(?:never|not|no|no\s+one|nobody|nie|niemals|nunca|jamais)\b|n't)(?:\s+\w+){0,3}\s*$|\b(?:ne|n')\s*$"
)
_NEGATED_AFTER = re.compile(r"^\w*\s+(?:\w+\s+)?(?:never|niemals|nie|jamais|nunca)\b")
# Words that speak to the reader: second person in the four languages, and requests of a group of readers.
_YOU = re.compile(
    r"\b(?:you|your|yours|yourself|yourselves|vous|votre|vos|tu|toi|ton|tes|du|dich|dir|dein\w*|euch|euer\w*"
    r"|usted(?:es)?|vosotros|tus)\b"
)
_GROUP_ASK = re.compile(
    r"\b(?:asks?|asking|requests?|urges?|requires?|invites?|reminds?|tells?|instructs?|wants?)\s+"
    r"(?:(?:all|every|each|any|our|the|its|their)\s+)?\w+\s+to\s+\w+"
    r"|\b(?:all|every|each)\s+\w+\s+(?:must|should|needs?\s+to|are\s+required\s+to|is\s+required\s+to)\b"
)
_IMPERATIVE_START = re.compile(
    r"^\W*(?:please\s+)?(?:click|visit|go|call|contact|confirm|verify|send|reply|respond|email|write|sign|log"
    r"|enter|update|provide|share|forward|ignore|tell|include|mention|say|pay|transfer|download|install|open"
    r"|check|make\s+sure|ensure|remember|note|do\s+not|don't|never|always|let|use|add|remove|delete|buy|order)\b"
)
_WORD = re.compile(r"\w+")
# What tells a name or company cell from a sentence written into it.
_ABBREVIATION = re.compile(
    r"(?:\b(?:inc|co|corp|ltd|llc|plc|st|dr|mr|mrs|ms|prof|jr|sr|bros|intl|dept|no|vs|[a-z])|\.[a-z])\.$", re.I
)
_BREAK = re.compile(r"[.!?;:]+(?=\s+\S)")
# Second person in any case; first person in lower case only ("US Foods", "Our Lady Hospital", "WE Communications").
_READER = re.compile(
    r"\b(?:(?i:you|your|yours|yourself|vous|votre|usted|deine?[mnrs]?)|we|we're|we've|us|our|I'm|I've)\b"
)
_ORDER = re.compile(
    r"\b(?:click|reply|call|contact|visit|confirm|verify|re-?activate|activate|update|log\s*in|sign\s*in|send|pay"
    r"|transfer|ignore|forward|write|tell|say|mention|open|download|install)\s+(?:it|this|that|now|here|us|me"
    r"|your|the|below|immediately|today|at|to|on|all|every|him|her|them)\b",
    re.I,
)
_NAME_WORDS = 8
# Markup in a name cell: an RFC 2047 encoded-word, characters no personal or company name holds, and a lead
# character that makes a spreadsheet read the cell as a formula (= always; + - @ unless a plain name follows).
_ENCODED_WORD = re.compile(r"=\?.*?\?=", re.S)
_MARKUP = re.compile(r"[=|<>{}\\^`]")
_FORMULA_LEAD = re.compile(r"\s*[=+\-@]")
_PLAIN_NAME = re.compile(r"[^\W\d_][\w .,'&’-]*", re.UNICODE)
_RUN = 5  # words in a row that make a passage "lifted"
_FIELDS = {"to": "recipient"}


def find_links(text: str) -> list[str]:
    """Return the links in ``text``: with a scheme, ``www.``, ``host.tld/path`` or a bare host on a known TLD.

    Defanged and spelled-out links ("zeta[.]example", "zeta dot example slash x") count, and so do links a
    browser opens though their dots or letters are not ASCII ("help。example/x"); e-mail addresses do not.
    """
    text = readable(text).text
    plain = undefang(text)
    found = [m.group().rstrip(".,;:!?)'\"") for t in dict.fromkeys((text, plain)) for m in _LINK.finditer(t)]
    found += [h for h in find_hosts(text) if not any(h in link for link in found)]
    return list(dict.fromkeys(found))


def find_credential_requests(text: str) -> list[str]:
    """Return the sentences of ``text`` that ask the reader for credentials or card, bank or account details."""
    found: list[str] = []
    for sentence in sentences(readable(text).text):
        folded = fold(sentence)
        secret = _SECRET_RE.search(folded)
        if secret is None:
            continue
        for ask in _ASK_RE.finditer(folded):
            if not _NEGATED.search(folded[: ask.start()]) and not _NEGATED_AFTER.match(folded[ask.start() :]):
                found.append(sentence[:400])
                break
    return found


def _addressing(sentence: str) -> set[int]:
    """Return the word positions in a folded ``sentence`` that speak to its reader."""
    words = list(_WORD.finditer(sentence))
    starts = [w.start() for w in words]
    marks: set[int] = set()
    spans = [m.span() for m in _YOU.finditer(sentence)] + [m.span() for m in _GROUP_ASK.finditer(sentence)]
    if m := _IMPERATIVE_START.match(sentence):
        spans.append(m.span())
    for a, b in spans:
        marks.update(i for i, s in enumerate(starts) if a <= s < b)
    return marks


def lifted_passages(text: str, sources: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return ``(source label, passage)`` for each source passage that speaks to its reader and is in ``text``."""
    words = _WORD.findall(fold(readable(text).text))
    grams: dict[int, set[tuple[str, ...]]] = {}
    found: list[tuple[str, str]] = []
    for label, source in sources:
        for sentence in sentences(readable(source).text):
            folded = fold(sentence)
            marks = _addressing(folded)
            sw = _WORD.findall(folded)
            # A sentence shorter than a run counts when it is copied whole; two words are too common to tell.
            run = min(_RUN, len(sw))
            if not marks or run < 3:
                continue
            if run not in grams:
                grams[run] = {tuple(words[i : i + run]) for i in range(len(words) - run + 1)}
            if any(
                marks & set(range(i, i + run)) and tuple(sw[i : i + run]) in grams[run]
                for i in range(len(sw) - run + 1)
            ):
                found.append((label, sentence[:400]))
    return found


def name_problem(value: str) -> str | None:
    """Return why ``value`` (a name or company put into a message) does not read as one, or None."""
    words = _WORD.findall(value)
    digits = sum(c.isdigit() for c in value)
    if _ENCODED_WORD.search(value):
        return "holds an encoded word (=?...?=) that a mail program decodes into other text"
    if (lead := _FORMULA_LEAD.match(value)) and (
        lead.group().strip() == "=" or not _PLAIN_NAME.fullmatch(value[lead.end() :].strip() or "x")
    ):  # a lone "-" is a blank cell, "@Home" or "-Ann" a name; "+cmd|..." or "-2+3" a formula
        return f"starts with {lead.group().strip()!r} like a spreadsheet formula"
    if markup := _MARKUP.search(value):
        return f"holds {markup.group()!r}, a markup character no name has"
    if find_links(value):
        return "holds a link"
    if len(words) > _NAME_WORDS:
        return f"runs to {len(words)} words"
    for m in _BREAK.finditer(value):
        if len(_WORD.findall(value[m.end() :])) >= 3 and not _ABBREVIATION.search(value[: m.end()]):
            return "goes on after a full stop"
    if _READER.search(value) or _ORDER.search(value):
        return "speaks to the reader"
    if digits >= 6 or (digits >= 3 and digits > len(value.replace(" ", "")) * 0.4):
        return "is mostly digits"
    return None


def missing_address_trigger(where: str = "The email") -> Trigger:
    """Return the trigger that holds a message whose recipient's address is missing until a reviewer fills it in."""
    return Trigger(
        kind="data_quality",
        reason=f"{where} has no recipient address: the input gave none. Fill in the address (edit `to`, "
        "reason missing_information) or reject; nothing is sent without a valid one.",
        score=0.6,
        evidence=["to: (empty)"],
    )


def outbound_triggers(
    *,
    to: str,
    subject: str,
    body: str,
    names: Sequence[tuple[str, str]] = (),
    sources: Sequence[tuple[str, str]] = (),
    ticket: str = "",
    where: str = "The email",
) -> list[Trigger]:
    """Return the triggers that hold an outgoing message for review (see the module doc).

    ``names`` are ``(what, value)`` pairs put into the message ("the recipient's name"); ``sources``
    are ``(label, text)`` pairs the message was written from; ``ticket`` is set for a support reply,
    which may go back on its ticket to a customer known only by name.
    """
    out: list[Trigger] = []
    payload = {"to": to, "subject": subject, "body": body, **({"ticket": ticket} if ticket else {})}
    try:
        if not to.strip() and not ticket:
            out.append(missing_address_trigger(where))
            payload["to"] = "missing@address.invalid"  # the other headers are still checked below
        check_email(payload)
    except EffectRefused as exc:
        header = exc.problem.startswith("holds the control character")
        out.append(
            Trigger(
                kind="injection" if header else "data_quality",
                reason=f"{where}'s {_FIELDS.get(exc.field, exc.field)} {exc.problem}; the mail layer would refuse it. "
                "Fix it or reject.",
                score=0.9,
                evidence=[repr(exc.value)[:2_000]],
            )
        )
    for what, value in names:
        if problem := header_problem(value):
            out.append(
                Trigger(
                    kind="injection",
                    reason=f"{what} {problem}: input is trying to shape the message. Check every header.",
                    score=0.9,
                    evidence=[repr(value)[:2_000]],
                )
            )
        elif problem := name_problem(value):
            out.append(
                Trigger(
                    kind="injection",
                    reason=f"{what} reads like a sentence, not a name ({problem}): input is trying to write the "
                    "message. Check the row it came from.",
                    score=0.9,
                    evidence=[repr(value)[:2_000]],
                )
            )
    text = f"{subject}\n\n{body}"
    if links := find_links(text):
        out.append(
            Trigger(
                kind="impact",
                reason=f"{where} carries {len(links)} link(s); a person checks where the reader is sent.",
                score=0.6,
                evidence=[x[:2_000] for x in links[:10]],
            )
        )
    if asks := find_credential_requests(text):
        out.append(
            Trigger(
                kind="policy",
                reason=f"{where} asks the reader for credentials or card, bank or account details.",
                score=0.9,
                evidence=asks[:10],
            )
        )
    if lifted := lifted_passages(text, sources):
        out.append(
            Trigger(
                kind="injection",
                reason=f"{where} repeats words from a source that speak to its reader: an instruction meant for "
                "someone else may have been copied in.",
                score=0.8,
                evidence=[f"{label}: {passage}"[:2_000] for label, passage in lifted[:10]],
            )
        )
    return out
