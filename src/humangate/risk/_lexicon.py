"""Name lists for the person-name spotter, read once from installed packages; nothing is downloaded.

Given names and surnames come from every locale of ``faker``'s person providers: Latin-script lists as
they are, romanized lists (Japanese, Chinese) as they are, and Cyrillic, Greek, Georgian and Armenian
lists transliterated the ways English text spells them ("Егорова" is "Yegorova" and "Egorova").
More given names come from the first-name dictionary that ships with ``gender-guesser`` (about 37,000
names from Europe, Asia and the Americas), kept apart as ``more_given`` because the spotter trusts it
less. Three word lists keep names from other capitalised words: ``COMMON_WORDS`` (short English words
that name lists also hold: "Will", "May"), ``english_words`` (VADER's sentiment lexicon and faker's
lorem and job words: "Cool", "Wisdom") and ``places`` (countries, states and nationalities: "Estonia",
"English").
"""

from __future__ import annotations

import importlib
import importlib.resources
import pkgutil
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["COMMON_WORDS", "NameLexicon", "load_lexicon", "transliterate"]


# Words that are capitalised at a sentence start or in titles and also appear in name lists
# ("Will", "May", "Do", "Le"...). Lower case; checked before the lexicon.
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


COMMON_WORDS = _words(
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
    today tomorrow yesterday tonight asap told too top total town tuesday two under until up upon us use very wait
    want was way we wednesday
    week well were west what when where which while white who why will winter with within without word work
    would year yes yet you young your yours
    i'm i'll i've i'd it's let's hi hello hey ok okay re fw fwd subject from cc bcc sincerely regards best cheers
    mr mrs ms miss dr prof sir madam
    inc ltd llc plc gmbh co corp bank university hospital
    phone email mail fax mobile tel address website web url zip code card iban account user customer agent
    """
)


def _table(letters: str, latin: str) -> dict[str, str]:
    return dict(zip(letters, latin.split(), strict=True))


# Letter by letter, the way names are usually spelled in English text (BGN/PCGN for Cyrillic).
_CYRILLIC = _table("абвгдезийклмнопрстуфыэіјґ", "a b v g d e z i y k l m n o p r s t u f y e i j g") | {
    "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ю": "yu", "я": "ya", "ъ": "", "ь": "",
    "ё": "yo", "ї": "yi", "є": "ye", "љ": "lj", "њ": "nj", "ћ": "c", "ђ": "dj", "џ": "dz", "ѓ": "gj", "ќ": "kj",
    "ѕ": "dz",
}  # fmt: skip
_GREEK = _table(
    "αβγδεζηικλμνξοπρσςτυφχψωάέήίόύώϊϋΐΰ", "a v g d e z i i k l m n x o p r s s t y f ch ps o a e i i o y o i y i y"
) | {"θ": "th", "ου": "ou", "αυ": "av", "ευ": "ev", "αι": "ai", "ει": "ei", "οι": "oi", "μπ": "b", "ντ": "d", "γκ": "g"}
_GEORGIAN = _table(
    "აბგდევზთიკლმნოპჟრსტუფქღყშჩცძწჭხჯჰ", "a b g d e v z t i k l m n o p zh r s t u p k gh q sh ch ts dz ts ch kh j h"
)
_ARMENIAN = _table(
    "աբգդեզէըթժիլխծկհձղճմյնշոչպջռսվտրցփքօֆ",
    "a b g d e z e y t zh i l kh ts k h dz gh ch m y n sh o ch p j r s v t r ts p k o f",
) | {"ու": "u", "և": "yev"}
# Spellings that differ between transliteration habits: "Ефимов" is "Yefimov" or "Efimov", "Юрий" is
# "Yuriy", "Yury" or "Yuri", "Хасанов" is "Khasanov" or "Hasanov".
_VARIANTS = (("ye", "e"), ("yo", "e"), ("kh", "h"), ("iy", "y"), ("iy", "i"), ("yu", "iu"), ("ya", "ia"), ("ks", "x"))
_VOWELS = "aeiouy"


def _map(text: str, table: dict[str, str]) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if len(pair) == 2 and pair in table:
            out.append(table[pair])
            i += 2
            continue
        ch = text[i]
        rep = table.get(ch, ch)
        # Cyrillic "е" at the start of a word, after a vowel or a soft sign is "ye" in English text
        # ("Yelena", "Andreyev", "Vasilyev").
        if ch == "е" and (i == 0 or not out[-1] or out[-1][-1] in _VOWELS):
            rep = "ye"
        out.append(rep)
        i += 1
    return "".join(out)


def transliterate(name: str) -> set[str]:
    """Return the Latin spellings of a Cyrillic, Greek, Georgian or Armenian name (lower case)."""
    low = name.lower()
    base = ""
    for table in (_CYRILLIC, _GREEK, _GEORGIAN, _ARMENIAN):
        if any(ch in table for ch in low):
            base = _map(low, table)
            break
    if not base or not base.isascii():
        return set()
    spellings = {base}
    for long, short in _VARIANTS:
        spellings |= {s.replace(long, short) for s in spellings}
    return spellings


def _parts(value: str) -> Iterable[str]:
    return (p for p in re.split(r"[\s\-]+", value.lower()) if len(p) > 1)


def _latin(word: str) -> bool:
    return all(ch.isascii() or "\u00c0" <= ch <= "\u024f" for ch in word)


def _add(target: set[str], value: str) -> None:
    for part in _parts(value):
        if not _latin(part):
            target.update(transliterate(part))
        elif len(part.strip("'’.")) > 1:
            target.add(part.strip("'’."))


def _from_faker() -> tuple[set[str], set[str], set[str]]:
    given: set[str] = set()
    family: set[str] = set()
    places: set[str] = set()
    try:
        import faker.providers.address as address
        import faker.providers.person as person
    except ImportError:
        return given, family, places
    for info in pkgutil.iter_modules(person.__path__):
        provider = getattr(importlib.import_module(f"{person.__name__}.{info.name}"), "Provider", None)
        for attr in dir(provider):
            # first_names*, last_names*, middle_names*, first_romanized_names*, male_last_names, ...
            if not re.fullmatch(r"(?:first|last|middle|male_last|unisex_last)_(?:romanized_)?names\w*", attr):
                continue
            values = getattr(provider, attr)
            if not isinstance(values, dict | list | tuple):
                continue
            target = family if "last" in attr else given
            for value in values:
                if isinstance(value, str):
                    _add(target, value)
    for info in pkgutil.iter_modules(address.__path__):
        if not info.name.startswith("en"):
            continue
        provider = getattr(importlib.import_module(f"{address.__name__}.{info.name}"), "Provider", None)
        for attr in ("countries", "states"):
            for value in getattr(provider, attr, ()):
                if isinstance(value, str) and " " not in value.strip():
                    places.add(value.lower())
    return given, family, places


def _from_gender_guesser() -> set[str]:
    """Read the first names of gender-guesser's ``nam_dict.txt``; empty if the package is not installed."""
    try:
        path = importlib.resources.files("gender_guesser") / "data" / "nam_dict.txt"
        lines = path.read_text(encoding="utf-8").splitlines()
    except (ModuleNotFoundError, FileNotFoundError):
        return set()
    names: set[str] = set()
    for line in lines:
        # Columns 3-28 hold the name ("+" joins parts); a "+" in column 29 marks a duplicate spelling.
        if line.startswith("#") or len(line) < 30 or line[29] == "+":
            continue
        for value in line[3:29].split():
            for part in value.split("+"):
                _add(names, part)
    return names


def _english_words() -> set[str]:
    """Read English words from the packages at hand: VADER's sentiment lexicon and faker's lorem and job lists."""
    words: set[str] = set()
    try:
        path = importlib.resources.files("vaderSentiment") / "vader_lexicon.txt"
        words.update(line.split("\t", 1)[0] for line in path.read_text(encoding="utf-8").splitlines())
    except (ModuleNotFoundError, FileNotFoundError):
        pass
    try:
        from faker.providers.job.en_US import Provider as Jobs
        from faker.providers.lorem.en_US import Provider as Lorem
    except ImportError:
        return words
    words.update(Lorem.word_list)
    words.update(w for job in Jobs.jobs for w in re.split(r"[\s,()/-]+", job))
    return {w.lower() for w in words if w.isalpha() and len(w) > 2}


# Nationality and language words: capitalised, never a person on their own, and some are surnames.
_DEMONYMS = _words(
    """
    american british english scottish welsh irish french german dutch flemish belgian swiss austrian italian
    spanish portuguese brazilian mexican argentinian chilean colombian peruvian cuban canadian australian
    polish czech slovak hungarian romanian bulgarian serbian croatian slovenian bosnian albanian greek
    turkish russian ukrainian belarusian estonian latvian lithuanian finnish swedish norwegian danish
    icelandic chinese japanese korean vietnamese thai indian pakistani bengali iranian persian arab arabic
    israeli hebrew egyptian moroccan nigerian kenyan african european asian latin catholic christian
    muslim jewish hindu buddhist
    """
)


@dataclass(frozen=True)
class NameLexicon:
    """Known given names and surnames, lower case, with the English and place words that are not names."""

    given: frozenset[str]
    family: frozenset[str]
    more_given: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    english_words: frozenset[str] = frozenset()

    def knows(self, word: str) -> bool:
        """Return whether a word is a known given name or surname (and not a common word)."""
        w = word.lower().rstrip(".")
        return w not in COMMON_WORDS and (w in self.given or w in self.family)

    def broad(self, word: str) -> bool:
        """Return whether a word is only in the larger, less curated first-name dictionary."""
        w = word.lower().rstrip(".")
        return w in self.more_given and not (w in self.given or w in self.family)

    def english(self, word: str) -> bool:
        """Return whether a word is a common English word ("Cool", "Wisdom", "True"), name or not."""
        w = word.lower().rstrip(".")
        return w in COMMON_WORDS or w in self.english_words

    def place(self, word: str) -> bool:
        """Return whether a word names a country, a state or a nationality."""
        return word.lower().rstrip(".") in self.places


_LEXICON_LOCK = threading.Lock()


def load_lexicon() -> NameLexicon:
    """Return the name lists, read once per process: several runs starting at once wait for one read."""
    with _LEXICON_LOCK:  # lru_cache alone lets every thread that misses build it (0.7 s of CPU each)
        return _read_lexicon()


@lru_cache(maxsize=1)
def _read_lexicon() -> NameLexicon:
    """Read the name lists from ``faker`` and ``gender-guesser``; empty lists for a missing package."""
    given, family, places = _from_faker()
    english = _english_words()
    more = _from_gender_guesser() - given - family - english
    return NameLexicon(
        given=frozenset(given - _DEMONYMS),
        family=frozenset(family - _DEMONYMS),
        more_given=frozenset(more - _DEMONYMS - places),
        places=frozenset(places | _DEMONYMS),
        english_words=frozenset(english),
    )
