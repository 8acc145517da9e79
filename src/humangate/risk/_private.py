"""A person's private details in text: street addresses, special-category data, phone numbers in words.

Special categories are those of GDPR Art. 9 (health, sex life or sexual orientation, religious or
philosophical beliefs, political opinions, trade-union membership, genetic data): a sentence that
names them about anyone needs a person's eye before it leaves. Word patterns only; each finder returns
``(start, end)`` spans for ``humangate.risk.pii`` to score.
"""

from __future__ import annotations

import re

__all__ = ["find_addresses", "find_sensitive", "find_spelled_phones"]

_CAP = r"[A-ZÀ-ÝĀ-Ž][\w'’-]*"
_LINK_WORD = r"(?:d[aeo]s?|de|del|della|di|du|la|le|les|l'|von|van|der|den|of|the)"
_NAME = rf"{_CAP}(?:\s+(?:{_LINK_WORD}\s+)?{_CAP}){{0,3}}"
_NUMBER = r"\d{1,5}[a-zA-Z]?(?:\s?(?:bis|ter))?"
# A postcode after an address: "4050-262 Porto", "10115 Berlin", "75008 Paris", "SW1A 1AA", "NY 10001".
_POSTCODE = r"(?:,?\s*(?:\d{4,5}(?:-\d{3,4})?\s+" + _CAP + r"|[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}|[A-Z]{2}\s\d{5}))?"
_STREET_AFTER = (  # English and French put the number first: "12 Baker Street", "8 rue de la Paix"
    r"(?i:street|st\.|road|rd\.|avenue|ave\.|lane|ln\.|drive|dr\.|boulevard|blvd\.?|way|court|ct\.|place|square"
    r"|terrace|crescent|close|parkway|highway|hwy)"
)
_STREET_BEFORE = (  # most of Europe puts the street word first: "Rua das Flores 12", "Calle Mayor, 5"
    r"(?:Rua|Avenida|Av\.|Travessa|Largo|Praça|Estrada|Calle|C/|Avda\.|Paseo|Plaza|Carrer|Camino|Via|Viale|Piazza"
    r"|Corso|Vicolo|Rue|Boulevard|Bd|Allée|Chemin|Impasse|Quai|Ulica|ul\.|Strada|Odos|Odós|Utca)"
)
_STREET_SUFFIX = (  # or glue it to the name: "Hauptstraße 5", "Keizersgracht 12", "Vesterbrogade 3"
    r"(?:straße|strasse|str\.|weg|gasse|platz|allee|damm|ufer|straat|laan|gracht|plein|gade|vej|gatan|vägen|katu"
    r"|tie|kuja|utca|ulica)"
)
_ADDRESS = re.compile(
    rf"\b{_NUMBER},?\s+{_NAME}\s+{_STREET_AFTER}(?!\w){_POSTCODE}"
    rf"|\b{_NUMBER},?\s+(?i:rue|avenue|boulevard|bd|allée|chemin|impasse|place|quai)\s+(?:{_LINK_WORD}\s+)*{_CAP}"
    rf"{_POSTCODE}"
    rf"|\b{_STREET_BEFORE}\s+(?:{_LINK_WORD}\s+)*{_NAME},?\s+(?:n\.?[ºo°]\s*)?{_NUMBER}\b{_POSTCODE}"
    rf"|\b[A-ZÀ-Ý]\w*{_STREET_SUFFIX}\s+{_NUMBER}\b{_POSTCODE}"
    r"|\b(?i:lives|living|resides|residing)\s+(?i:at|on)\s+[^.;\n]{3,60}"
    r"|\b(?i:home|private|residential)\s+address\b[^.;\n]{0,60}",
)
_SENSITIVE = re.compile(
    r"\b(?:cancer|chemo(?:therapy)?|radiotherapy|leuka?emia|lymphoma|tumou?rs?|diagnosed\s+with|(?:his|her|their|your|a|the)\s+(?:cancer\s+|medical\s+)?diagnosis|terminally\s+ill"
    r"|HIV|AIDS|hepatitis|pregnan(?:t|cy)|miscarriage|IVF|disabilit(?:y|ies)|wheelchair\s+user"
    r"|mental\s+(?:health|illness)|depression|anxiety\s+disorder|bipolar|schizophreni\w+|autis(?:m|tic)|ADHD"
    r"|diabet(?:es|ic)|dementia|alzheimer'?s|parkinson'?s|multiple\s+sclerosis|epilep(?:sy|tic)|heart\s+attack"
    r"|stroke\s+(?:patient|survivor)|rehab|addict(?:ion|ed)|alcoholi(?:c|sm)|overdose|sick\s+leave|medical\s+condition"
    r"|illness|transplant|genetic\s+(?:test|data|condition|disorder)"
    r"|gay|lesbian|bisexual|homosexual|heterosexual|queer|LGBTQ?\+?|transgender|sexual\s+orientation|came\s+out\s+as"
    r"|sex\s+life|religious\s+beliefs?|(?:his|her|their)\s+(?:religion|faith)"
    r"|(?:is|was|are|were|a|an|devout|practi[cs]ing|converted\s+to)\s+(?:a\s+|an\s+)?(?:devout\s+|practi[cs]ing\s+)?"
    r"(?:muslim|christian|jewish|jew|hindu|buddhist|sikh|catholic|protestant|atheist|mormon|evangelical)"
    r"|political\s+(?:views|opinions?|affiliation|leanings)|(?:votes?|voted|voting)\s+for\s+(?:the\s+)?(?-i:[A-Z])\w+"
    r"|(?:member|supporter)\s+of\s+the\s+(?-i:[A-Z]\w*(?:\s+[A-Z]\w*)*\s+[Pp]arty)"
    r"|(?:is|was|a|an)\s+(?:communist|socialist|fascist|anarchist|nazi)"
    r"|trade[- ]union\w*|labou?r\s+union|union\s+(?:member(?:ship)?|rep(?:resentative)?|steward|activist))\b",
    re.I,
)
_DIGIT_WORDS = (
    "zero|oh|nought|one|two|three|four|five|six|seven|eight|nine|double|triple"
    "|null|eins|zwei|drei|vier|fünf|sechs|sieben|acht|neun"
    "|zéro|un|deux|trois|quatre|cinq|sept|huit|neuf"
    "|cero|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|um|dois|três|quatro|sete|oito|nove"
)
_SPELLED = re.compile(rf"\b(?:{_DIGIT_WORDS})(?:[\s,.\-–/]+(?:{_DIGIT_WORDS})){{6,}}\b", re.I)
_COUNTING = re.compile(r"^(?:one|two|three|four|five|six|seven|eight|nine)$", re.I)


def find_addresses(text: str) -> list[tuple[int, int]]:
    """Return the spans of street addresses and of "lives at" / "home address" phrases in ``text``."""
    return [m.span() for m in _ADDRESS.finditer(text)]


def find_sensitive(text: str) -> list[tuple[int, int]]:
    """Return the spans of special-category words (health, sexual orientation, religion, politics, unions)."""
    # "AIDS" and "HIV" are acronyms; "aids" is a verb ("software that aids planning").
    return [m.span() for m in _SENSITIVE.finditer(text) if m.group() != "aids" and m.group() != "Aids"]


def find_spelled_phones(text: str) -> list[tuple[int, int]]:
    """Return the spans of seven or more number words in a row ("zero nine one two, three four five ...")."""
    found: list[tuple[int, int]] = []
    for m in _SPELLED.finditer(text):
        words = re.findall(r"\w+", m.group())
        # Counting aloud ("one, two, three, four, five, six, seven") is not a number to call.
        if [w.lower() for w in words] == ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"][
            : len(words)
        ] and all(_COUNTING.match(w) for w in words):
            continue
        found.append(m.span())
    return found
