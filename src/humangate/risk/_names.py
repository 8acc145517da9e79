"""Person-name spotting without a statistical NER model.

Runs of capitalised words (``humangate.risk._name_runs``) are scored by combining weights of evidence:
a known given name or surname (``humangate.risk._lexicon``: the name lists of ``faker`` in every locale
and ``gender-guesser``'s first-name dictionary), a cue that names a person ("Mr.", "Dear", "my name
is", "Hi ...,"), the words around the run (``humangate.risk._name_context``: "told ...", "... said",
"..., the technical writer,"), a middle initial, a line of its own in a signature or an address block,
and being listed with another name ("Usamov and Bowers"), unless the list names a firm
(``humangate.risk._firms``: "Usamov, Bowers and Reed LLP"). Single words that are places, nationalities,
departments or plain English words need a cue. Text written all in lower case (or all in capitals) is
read with every word capitalised, and then only name-list words or cued words count. Nothing is
downloaded; without ``faker`` and ``gender-guesser`` only the context rules work.
"""

from __future__ import annotations

import re

from humangate.risk._firms import firm_spans
from humangate.risk._lexicon import COMMON_WORDS as _COMMON
from humangate.risk._lexicon import NameLexicon, load_lexicon
from humangate.risk._name_context import ROLE_NOUNS, evidence_after, evidence_before, is_cued, is_greeted
from humangate.risk._name_runs import (
    PARTICLES,
    WORD,
    Token,
    after_street_line,
    alone_on_line,
    at_sentence_start,
    capitalised,
    runs,
)

__all__ = ["NameLexicon", "find_names", "load_lexicon"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SUFFIX_NOT_PERSON = _words(
    """
    inc ltd llc plc gmbh ag sa corp corporation company co group orchestra band investments technologies
    partners bank university college school hospital foundation association institute agency society club
    street st road rd avenue ave lane ln drive dr boulevard blvd terrace court ct place pl square sq way
    parkway highway union pass parks coves crossing gardens heights hills station
    analytics robotics labs lab legal ventures capital systems solutions software tech consulting media health
    energy logistics holdings industries enterprises services international global digital networks data cloud
    studio studios games pharma motors airlines insurance finance financial foods associates freight retail
    markets trust fund labs ai
    """
)
# Teams, departments and groups of people, written like names ("Follow up with Procurement", "Hey Folks").
_GROUPS = _words(
    """
    procurement purchasing sales marketing support accounting accounts payroll finance legal compliance
    security operations engineering management reception admin administration facilities hr it qa devops
    research development product design billing helpdesk department dept division unit committee board staff
    everyone everybody folks guys all team there world friends colleagues people ladies gentlemen
    """
)
_FOREIGN_SURNAME = re.compile(
    r"(?:ov|ova|ev|eva|yev|yeva|in|ina|sky|ski|ska|skaya|ić|vić|ovich|evich|son|sen|sson|dóttir|dottir|nen|"
    r"inen|escu|enko|shvili|dze|yan|ian|oglu|oğlu|poulos|akis|idis|ová|ský|ská|ek|ák|czyk|wicz|ewicz|"
    r"stein|berg|mann|feld|ez|ini|elli|etti|ucci|ier|eau)$"
)
_SPEAKER = re.compile(r"(?m)^[ \t>]*([^\W\d_][^\W\d_'’\-]{1,20})[ \t]*:[ \t]*(?=\S)")
_LABELS = _words(
    """
    name phone email e-mail mail fax mobile tel desk address website web url zip date when where time subject
    note user agent customer bot system assistant from to cc bcc re answer question q a title company office
    invoice order ticket case ref reference quote receipt
    city country state card iban account ssn id number total price summary warning error info important
    reminder attendees participants present absent apologies agenda minutes action actions status update
    decision decisions outcome owner owners next steps notes todo done result results reason comment comments
    """
)


_SUFFIX_AFTER = re.compile(r"^\s+(?:" + "|".join(sorted(_SUFFIX_NOT_PERSON)) + r")\b", re.IGNORECASE)
_NOT_ALONE = _SUFFIX_NOT_PERSON | _GROUPS
_NOT_PART = _COMMON | PARTICLES


def _combine(*evidence: float) -> float:
    miss = 1.0
    for e in evidence:
        miss *= 1.0 - e
    return round(1.0 - miss, 3)


def _listed(word: str, lex: NameLexicon) -> bool:
    """Return whether a word is in a name list (curated or broad) and not a common word."""
    return lex.knows(word) or (lex.broad(word) and word.lower() not in _COMMON)


def _not_a_name(word: str, lex: NameLexicon) -> bool:
    """Return whether a word standing alone is something other than a name, whatever its context."""
    if lex.english(word) and not lex.knows(word):
        return True  # "Cool," at the start of a sentence, "Wisdom and Discipline"
    if lex.place(word) and not lex.knows(word):
        return True  # "Estonia", "English": places and nationalities
    if word.isupper() and len(word) > 1:
        return True  # "GU", "NI": state and region codes in an address
    return word.lower() in _NOT_ALONE  # "Capital" in "Can Capital", "Legal"


_ROLE_WORD = re.compile(rf"^{ROLE_NOUNS}$", re.IGNORECASE)


def _score_run(text: str, run: list[Token], lex: NameLexicon, *, strict: bool) -> tuple[int, int, float] | None:
    """Score one run of capitalised words as a person's name, or return None.

    ``strict`` is for text that was all lower case: every word was capitalised before the runs were cut
    (``run`` holds the capitalised words, ``text`` is the original), so a run counts only with a known
    name in it or a cue that names a person before it.
    """
    # A role noun in front of the run is a cue, not part of the name ("Producer Ada Brannaugh").
    while run and _ROLE_WORD.match(run[0].bare) and not lex.knows(run[0].bare):
        run = run[1:]
    if not run:
        return None
    if strict:
        # Every word was capitalised: leading words before a known name or a cue are not part of it
        # ("was called vrelitha quonsby" gives the run "Called Vrelitha Quonsby").
        while (
            len(run) > 1
            and not _listed(run[0].bare, lex)
            and not is_cued(text[max(0, run[0].start - 40) : run[0].start])
        ):
            run = run[1:]
        while len(run) > 1 and lex.english(run[-1].bare) and not lex.knows(run[-1].bare):
            run = run[:-1]
    head = text[max(0, run[0].start - 40) : run[0].start]
    cued = is_cued(head)
    # A sentence-initial word that is not a name ("Maybe Lara Pottinger") is not part of it.
    if any(lex.knows(t.bare) for t in run[1:]):
        while len(run) > 1 and not cued and not lex.knows(run[0].bare) and at_sentence_start(text, run[0].start):
            run = run[1:]
    while run and (run[-1].is_initial or run[-1].bare.lower() in PARTICLES):
        run = run[:-1]
    if not run or any(t.bare.lower() in _SUFFIX_NOT_PERSON for t in run[1:]):
        return None
    if any(t.bare.lower() in _GROUPS and not lex.knows(t.bare) for t in run):
        return None  # "Accounts Payable", "approved by Procurement", "Hey Folks"
    start, end = run[0].start, run[-1].end
    head = text[max(0, start - 40) : start]
    after = text[end : end + 60]
    if _SUFFIX_AFTER.match(after):
        return None
    if re.search(r"\d[\dA-Za-z/-]*\s+$", text[max(0, start - 12) : start]):
        return None  # "1668 Glyn St": a house number before the words makes them an address
    words = [t for t in run if not t.is_initial and t.bare.lower() not in PARTICLES]
    initial = at_sentence_start(text, start)
    if len(words) == 1 and not is_cued(head) and _not_a_name(words[0].bare, lex):
        return None
    if len(words) >= 2 and _ROLE_WORD.match(words[-1].bare) and not lex.knows(words[-1].bare):
        return None  # "Senior Accountant", "Technical Writer": a job title
    alone = alone_on_line(text, start, end)
    evidence = evidence_before(head, initial=initial, weak=not strict)
    evidence += evidence_after(head, after, initial=initial, weak=not strict)
    # In text that was all lower case, a name-list word that is also an English word ("true") is the word.
    known = [
        t
        for t in words
        if lex.knows(t.bare) and not (strict and lex.english(t.bare)) and not (len(words) == 1 and lex.place(t.bare))
    ]
    if known:
        # A lone lower-case word from a name list ("server", "easter") needs some context besides.
        evidence.append(0.8 if len(words) > 1 else 0.45 if strict else 0.6)
    elif any(lex.broad(t.bare) and t.bare.lower() not in _COMMON for t in words):
        evidence.append(0.45 if len(words) == 1 else 0.7)
    elif strict and not (is_cued(head) or is_greeted(head, after) or alone == "label"):
        return None
    if any(_FOREIGN_SURNAME.search(t.bare.lower()) and len(t.bare) > 4 for t in words):
        evidence.append(0.35)
    if len(words) >= 2 and not initial and not strict:
        evidence.append(0.25)
    if len(run) >= 3 and run[1].is_initial and len(run[0].bare) > 1 and len(run[-1].bare) > 1:
        evidence.append(0.7)  # "Vrelitha T. Quonsby", "Jan K Berg": a middle initial
    if alone == "label" and len(words) <= 4:
        evidence.append(0.6)  # "Ship to: Quonsby", "Account holder: Tirrowen Brannaugh"
    elif alone == "bare" and 2 <= len(words) <= 4:
        evidence.append(0.5)  # a line that is only a name, as in a signature or an address block
    elif alone == "bare" and after_street_line(text, start):
        return None  # "221 Baker Street\nLondon": the town of an address
    if not evidence:
        return None
    if len(words) == 1 and initial and len(words[0].bare) <= 2 and not cued:
        return None
    return start, end, _combine(*evidence)


def _lowercase(text: str, lex: NameLexicon) -> list[tuple[int, int, float]]:
    """Find names written in lower case: a cue before them, or a known given name plus a known surname."""
    out: list[tuple[int, int, float]] = []
    toks = [m for m in WORD.finditer(text)]
    for i, m in enumerate(toks):
        w = m.group().lower()
        if m.group()[:1].isupper() or w in _COMMON:
            continue
        head = text[max(0, m.start() - 30) : m.start()]
        if is_cued(head) and lex.knows(w):
            end = m.end()
            if i + 1 < len(toks) and text[m.end() : toks[i + 1].start()] == " " and lex.knows(toks[i + 1].group()):
                end = toks[i + 1].end()
            out.append((m.start(), end, 0.7))
        elif w in lex.given and i + 1 < len(toks) and text[m.end() : toks[i + 1].start()] == " ":
            nxt = toks[i + 1].group().lower()
            if nxt not in _COMMON and nxt in lex.family and not toks[i + 1].group()[:1].isupper():
                out.append((m.start(), toks[i + 1].end(), 0.6))
    return out


_NOUN_ENDING = re.compile(r"(?:tion|sion|ment|ness|ity|ship|ance|ence|ing|ure)$", re.I)


def _speakers(text: str, blocked: list[tuple[int, int]], lex: NameLexicon) -> list[tuple[int, int, float]]:
    """Find chat speaker labels ("Vinka: What a wife.") other than field labels like "Phone:"."""
    out: list[tuple[int, int, float]] = []
    for m in _SPEAKER.finditer(text):
        word = m.group(1)
        if (
            word.lower() in _LABELS
            or word.lower() in _COMMON
            or any(a < m.end(1) and m.start(1) < b for a, b in blocked)
        ):
            continue
        if not lex.knows(word) and _not_a_name(word, lex):
            continue
        if _NOUN_ENDING.search(word):  # "Introduction: ..." is a subject line's label, not a speaker
            continue
        out.append((m.start(1), m.end(1), 0.55))
    return out


def find_names(text: str, *, blocked: list[tuple[int, int]] | None = None) -> list[tuple[int, int, float]]:
    """Return ``(start, end, score)`` of the person names in ``text``; ``blocked`` spans are skipped."""
    lex = load_lexicon()
    blocked = blocked or []
    # In text written all in lower case (or all in capitals), capitalise every word and keep only runs that
    # the lexicon or a cue backs.
    source = text
    if not any(ch.isupper() for ch in text):
        source = capitalised(text)
    elif not any(ch.islower() for ch in text) and len(text.lower()) == len(text):
        source = capitalised(text.lower())
    strict = source is not text
    found: list[tuple[int, int, float]] = []
    for run in runs(source, blocked):
        scored = _score_run(text, run, lex, strict=strict)
        if scored is not None:
            found.append(scored)
    found += [s for s in _lowercase(text, lex) if not any(a < s[1] and s[0] < b for a, b in blocked)]
    found += _speakers(text, blocked, lex)
    # Names listed together with a name ("Kónya, Becker and Vasquez"), until nothing new turns up.
    # In text that was all lower case only name-list words count, and two of them listed together are sure.
    while True:
        sure = [f for f in found if f[2] >= (0.45 if strict else 0.5)]
        seen = {f[:2] for f in found if f[2] >= 0.5}
        extra = [x for x in _coordinated(source, sure, blocked, lex, strict=strict) if x[:2] not in seen]
        if not extra:
            break
        found += extra
    found += _mentioned_again(text, found, blocked)
    # Partners' surnames naming a firm ("Baker, Hostetler and Smith LLP"), and runs that reach into one
    # ("Contact Smith" in "Contact Smith, Jones and Brown LLP"), are not people.
    firms = firm_spans(text)
    best: dict[tuple[int, int], float] = {}
    for a, b, sc in found:
        if not any(fa < b and a < fb for fa, fb in firms):
            best[(a, b)] = max(sc, best.get((a, b), 0.0))
    return sorted((a, b, sc) for (a, b), sc in best.items())


def _mentioned_again(
    text: str, found: list[tuple[int, int, float]], blocked: list[tuple[int, int]]
) -> list[tuple[int, int, float]]:
    """Return other mentions of found names, whole or by first name or surname ("Vrelitha T. Quonsby ... Quonsby")."""
    names: set[str] = set()
    for a, b, sc in found:
        if sc < 0.5:
            continue
        names.add(text[a:b])
        parts = [p for p in text[a:b].split() if len(p) > 2 and p.lower() not in _NOT_PART]
        if len(parts) >= 2:
            names.update((parts[0], parts[-1]))
    taken = [(a, b) for a, b, sc in found if sc >= 0.5] + blocked
    out: list[tuple[int, int, float]] = []
    for name in names:
        at = text.find(name)
        while at >= 0:
            end = at + len(name)
            whole = (at == 0 or not (text[at - 1].isalnum() or text[at - 1] in "_.")) and (
                end == len(text) or not (text[end].isalnum() or text[end] == "_")
            )
            if whole and not any(a < end and at < b for a, b in taken):
                out.append((at, end, 0.5))
            at = text.find(name, at + 1)
    return out


_COORD = re.compile(r"^(?:\s*,\s*(?:and\s+|or\s+|&\s+)?|\s+(?:and|or|&)\s+)$")


def _coordinated(
    text: str, names: list[tuple[int, int, float]], blocked: list[tuple[int, int]], lex: NameLexicon, *, strict: bool
) -> list[tuple[int, int, float]]:
    """Return capitalised words listed together with a found name (only name-list words if ``strict``)."""
    if not names:
        return []
    extra: list[tuple[int, int, float]] = []
    for run in runs(text, blocked):
        s, e = run[0].start, run[-1].end
        if len(run) > 3 or any(t.bare.lower() in _SUFFIX_NOT_PERSON for t in run):
            continue
        if len(run) == 1 and _not_a_name(run[0].bare, lex):
            continue
        if strict and not any(_listed(t.bare, lex) and not lex.english(t.bare) for t in run):
            continue
        for a, b, _ in names:
            between = text[e:a] if e <= a else text[b:s] if b <= s else None
            if between is not None and len(between) <= 7 and _COORD.match(between):
                extra.append((s, e, 0.55))
                break
    return extra
