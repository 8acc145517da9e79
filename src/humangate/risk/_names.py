"""Person-name spotting without a statistical NER model.

A name is a run of capitalised words that either contains a known given name or surname (from the
name lists that ship inside the ``faker`` package, read once and cached), or follows a cue such as
"Mr.", "Dear" or "my name is", or is listed together with another name ("Usamov and Bowers").
Without ``faker`` installed only the cues and coordination with cue-found names work; ``lexicon_size``
tells which mode is active. Nothing is downloaded.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["NameLexicon", "find_names", "load_lexicon"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that are capitalised at a sentence start or in titles and also appear in name lists
# ("Will", "May", "Do", "Le"...). Lower case; checked before the lexicon.
_COMMON = _words(
    """
    a about above across act add after again against ago all almost also always am among an and another any
    anyone anything are area around art as ask at august april away back bad be because been before being
    below best better between big bill black both brown bring but by call came can case cash center change
    charge check city close come company could court cross date day days dear december did do does done
    down due during each early east else end even ever every face fact fall far february few field find
    fine first five for four free friday from front full fund further get give go going good got grant great
    green group had hall hand has have he head hear help her here hers high him his home hope hot house how
    however i if in into is it its january job join joy july june just keep kind king know land lane large
    last late law lead left less let life light like line little live long look lord love low made main make
    man many march mark may me mean meet member might miss mon monday more most much must my name near need
    never new news next nice night no none nor north not note now number of off office offer old on once one
    only open or order other our out over page park part party pay people per place plan play please point
    post power price pro rate read ready real red rich right river road rock rose round rule said sale same
    saturday say says see send sent september service set she should show side since so some soon south
    spring square start state still stone story street such summer sun sunday sure take team tell than thank
    thanks that the their them then there these they thing this those though three through thursday time to
    today told too top total town tuesday two under until up upon us use very wait want was way we wednesday
    week well were west what when where which while white who why will winter with within without word work
    would year yes yet you young your yours
    i'm i'll i've i'd it's let's hi hello hey ok okay re fw fwd subject from cc bcc sincerely regards best cheers
    mr mrs ms miss dr prof sir madam
    inc ltd llc plc gmbh co corp bank university hospital
    phone email mail fax mobile tel address website web url zip code card iban account user customer agent
    """
)
_PARTICLES = _words("van von de der den del della di da dos das du le la ten ter bin ibn al el st")
# Phrases right before a name; matched case-insensitively against the text before a run.
_CUE = re.compile(
    r"(?:\b(?:mr|mrs|ms|miss|mx|dr|prof|sir|madam)\.?"
    r"|\bdear|\bname(?:\s+is|\s*[:?])|\bcalled|\bcalls\s+me|\bnamed|\bsays|\bsaid|\bsigned"
    r"|\bspeak\s+(?:to|with)|\bask\s+for|\bcontact(?:\s+person)?\s*:?|\battn\.?:?|\bregards,|\bthanks,"
    r"|\bsincerely,)\s*$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’](?!s\b)(?=[^\W\d_])|-(?=[^\W\d_]))*\.?")
_SENTENCE_END = re.compile(r"(?:^|[.!?:;\n\"“(>\]]|\s-)\s*$")


@dataclass(frozen=True)
class NameLexicon:
    """Known given names and surnames, lower case."""

    given: frozenset[str]
    family: frozenset[str]

    def knows(self, word: str) -> bool:
        """Return whether a word is a known given name or surname (and not a common word)."""
        w = word.lower().rstrip(".")
        return w not in _COMMON and (w in self.given or w in self.family)


@lru_cache(maxsize=1)
def load_lexicon() -> NameLexicon:
    """Read the given names and surnames that ship with ``faker``; empty if it is not installed."""
    try:
        import faker.providers.person as person
    except ImportError:
        return NameLexicon(frozenset(), frozenset())
    given: set[str] = set()
    family: set[str] = set()
    for info in pkgutil.iter_modules(person.__path__):
        provider = getattr(importlib.import_module(f"{person.__name__}.{info.name}"), "Provider", None)
        for attr in dir(provider):
            if not attr.startswith(("first_names", "last_names")):
                continue
            values = getattr(provider, attr)
            if not isinstance(values, dict | list | tuple):
                continue
            target = given if attr.startswith("first") else family
            for value in values:
                if isinstance(value, str):
                    target.update(part.lower() for part in re.split(r"[\s\-]+", value) if len(part) > 1)
    return NameLexicon(frozenset(given), frozenset(family))


@dataclass
class _Tok:
    start: int
    end: int
    text: str

    @property
    def bare(self) -> str:
        return self.text.rstrip(".")

    @property
    def is_initial(self) -> bool:
        return len(self.bare) == 1 and self.bare.isupper()

    @property
    def is_cap(self) -> bool:
        b = self.bare
        return b[:1].isupper() and (len(b) == 1 or not b.isupper() or len(b) <= 3) and b.lower() not in _COMMON


def _runs(text: str, blocked: list[tuple[int, int]]) -> list[list[_Tok]]:
    """Group capitalised words separated by a single space (or a particle) into runs."""
    runs: list[list[_Tok]] = []
    current: list[_Tok] = []
    pending: list[_Tok] = []  # particles waiting for a capitalised word after them
    last_end = -1
    for m in _WORD.finditer(text):
        word = m.group()
        if word.endswith(".") and len(word) > 2:
            word = word[:-1]  # a full stop after a word ends the sentence; only initials keep theirs
        tok = _Tok(m.start(), m.start() + len(word), word)
        if any(a < tok.end and tok.start < b for a, b in blocked):
            tok = _Tok(tok.start, tok.end, "")
        gap = text[last_end : tok.start] if last_end >= 0 else "\n"
        joined = gap in (" ", "\u00a0") and current
        if not joined:
            if current:
                runs.append(current)
            current, pending = [], []
        if tok.text and tok.is_cap:
            current.extend(pending)
            current.append(tok)
            pending = []
        elif tok.text and current and tok.bare.lower() in _PARTICLES:
            pending.append(tok)
        else:
            if current:
                runs.append(current)
            current, pending = [], []
        last_end = tok.end
    if current:
        runs.append(current)
    return runs


def _at_sentence_start(text: str, start: int) -> bool:
    return start == 0 or bool(_SENTENCE_END.search(text[max(0, start - 4) : start]))


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
_FOREIGN_SURNAME = re.compile(
    r"(?:ov|ova|ev|eva|yev|yeva|in|ina|sky|ski|ska|skaya|ić|vić|ovich|evich|son|sen|sson|dóttir|dottir|nen|"
    r"inen|escu|enko|shvili|dze|yan|ian|oglu|oğlu|poulos|akis|idis|ová|ský|ská|ek|ák|czyk|wicz|ewicz|"
    r"stein|berg|mann|feld|ez|ini|elli|etti|ucci|ier|eau)$"
)
_PERSON_VERB = re.compile(
    r"^\s+(?:is|was|has|had|will|would|said|says|told|asked|wrote|spent|lives|lived|works|worked|joined|"
    r"shouted|replied|called|explained|listed|added|left|went|came|flew|arrived|met|gave|got|can|could)\b"
)
_WEAK_CUE = re.compile(
    r"\b(?:by|to|with|under|from|and|for|than|of|add|producer|songwriter|singer|author|director|assistant|"
    r"manager|colleague|wife|husband|son|daughter|mother|father|friend|partner|i'm|i\s+am|me,?)\s*$",
    re.IGNORECASE,
)
_SPEAKER = re.compile(r"(?m)^[ \t>]*([^\W\d_][^\W\d_'’\-]{1,20})[ \t]*:[ \t]*(?=\S)")
_LABELS = _words(
    """
    name phone email e-mail mail fax mobile tel desk address website web url zip date when where time subject
    note user agent customer bot system assistant from to cc bcc re answer question q a title company office
    city country state card iban account ssn id number total price summary warning error info important
    """
)


def _combine(*evidence: float) -> float:
    miss = 1.0
    for e in evidence:
        miss *= 1.0 - e
    return round(1.0 - miss, 3)


def _score_run(text: str, run: list[_Tok], lex: NameLexicon) -> tuple[int, int, float] | None:
    """Score one run of capitalised words as a person's name, or return None."""
    head = text[max(0, run[0].start - 30) : run[0].start]
    cued = bool(_CUE.search(head))
    # A sentence-initial word that is not a name ("Maybe Lara Pottinger") is not part of it.
    if any(lex.knows(t.bare) for t in run[1:]):
        while len(run) > 1 and not cued and not lex.knows(run[0].bare) and _at_sentence_start(text, run[0].start):
            run = run[1:]
    while run and (run[-1].is_initial or run[-1].bare.lower() in _PARTICLES):
        run = run[:-1]
    if not run or any(t.bare.lower() in _SUFFIX_NOT_PERSON for t in run[1:]):
        return None
    start, end = run[0].start, run[-1].end
    after = text[end : end + 40]
    if re.match(r"^\s+(?:" + "|".join(_SUFFIX_NOT_PERSON) + r")\b", after, re.IGNORECASE):
        return None
    if re.search(r"\d[\dA-Za-z/-]*\s+$", text[max(0, start - 12) : start]):
        return None  # "1668 Glyn St": a house number before the words makes them an address
    words = [t for t in run if not t.is_initial and t.bare.lower() not in _PARTICLES]
    evidence: list[float] = []
    if cued:
        evidence.append(0.85)
    known = [t for t in words if lex.knows(t.bare)]
    if known:
        evidence.append(0.6 if len(words) == 1 else 0.8)
    if any(_FOREIGN_SURNAME.search(t.bare.lower()) and len(t.bare) > 4 for t in words):
        evidence.append(0.35)
    initial = _at_sentence_start(text, start)
    if _PERSON_VERB.match(after):
        evidence.append(0.5 if initial else 0.3)
    if re.match(r"^['’]s\b", after):
        evidence.append(0.4)
    if not initial and _WEAK_CUE.search(head):
        evidence.append(0.35)
    if len(words) >= 2 and not initial:
        evidence.append(0.25)
    line = text[text.rfind("\n", 0, start) + 1 : (text.find("\n", end) + 1 or len(text) + 1) - 1]
    if 2 <= len(words) <= 4 and line.strip(" >\t,") == text[start:end]:
        evidence.append(0.5)  # a line that is only a name, as in a signature or an address block
    if not evidence:
        return None
    if len(words) == 1 and initial and len(words[0].bare) <= 2 and not cued:
        return None
    return start, end, _combine(*evidence)


def _lowercase(text: str, lex: NameLexicon) -> list[tuple[int, int, float]]:
    """Find names written in lower case: a cue before them, or a known given name plus a known surname."""
    out: list[tuple[int, int, float]] = []
    toks = [m for m in _WORD.finditer(text)]
    for i, m in enumerate(toks):
        w = m.group().lower()
        if m.group()[:1].isupper() or w in _COMMON:
            continue
        head = text[max(0, m.start() - 30) : m.start()]
        if _CUE.search(head) and lex.knows(w):
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


def _speakers(text: str, blocked: list[tuple[int, int]]) -> list[tuple[int, int, float]]:
    """Find chat speaker labels ("Vinka: What a wife.") other than field labels like "Phone:"."""
    out: list[tuple[int, int, float]] = []
    for m in _SPEAKER.finditer(text):
        word = m.group(1)
        if word.lower() in _LABELS | _COMMON or any(a < m.end(1) and m.start(1) < b for a, b in blocked):
            continue
        if _NOUN_ENDING.search(word):  # "Introduction: ..." is a subject line's label, not a speaker
            continue
        out.append((m.start(1), m.end(1), 0.55))
    return out


def find_names(text: str, *, blocked: list[tuple[int, int]] | None = None) -> list[tuple[int, int, float]]:
    """Return ``(start, end, score)`` of the person names in ``text``; ``blocked`` spans are skipped."""
    lex = load_lexicon()
    blocked = blocked or []
    found: list[tuple[int, int, float]] = []
    for run in _runs(text, blocked):
        scored = _score_run(text, run, lex)
        if scored is not None:
            found.append(scored)
    found += [s for s in _lowercase(text, lex) if not any(a < s[1] and s[0] < b for a, b in blocked)]
    found += _speakers(text, blocked)
    # Names listed together with a name ("Kónya, Becker and Vasquez"), until nothing new turns up.
    while True:
        sure = [f for f in found if f[2] >= 0.5]
        seen = {f[:2] for f in sure}
        extra = [x for x in _coordinated(text, sure, blocked) if x[:2] not in seen]
        if not extra:
            break
        found += extra
    # A name found once is a name wherever else it is written the same way.
    names = {text[a:b] for a, b, sc in found if sc >= 0.5 and text[a:b][:1].isupper()}
    for name in names:
        for m in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text):
            if not any(a < m.end() and m.start() < b for a, b in blocked):
                found.append((m.start(), m.end(), 0.5))
    best: dict[tuple[int, int], float] = {}
    for a, b, sc in found:
        best[(a, b)] = max(sc, best.get((a, b), 0.0))
    return sorted((a, b, sc) for (a, b), sc in best.items())


_COORD = re.compile(r"^(?:\s*,\s*(?:and\s+|or\s+|&\s+)?|\s+(?:and|or|&)\s+)$")


def _coordinated(
    text: str, names: list[tuple[int, int, float]], blocked: list[tuple[int, int]]
) -> list[tuple[int, int, float]]:
    """Return capitalised words listed together with a found name."""
    if not names:
        return []
    extra: list[tuple[int, int, float]] = []
    for run in _runs(text, blocked):
        s, e = run[0].start, run[-1].end
        if len(run) > 3 or any(t.bare.lower() in _SUFFIX_NOT_PERSON for t in run):
            continue
        for a, b, _ in names:
            between = text[e:a] if e <= a else text[b:s] if b <= s else None
            if between is not None and len(between) <= 7 and _COORD.match(between):
                extra.append((s, e, 0.55))
                break
    return extra
