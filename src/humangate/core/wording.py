"""Words of review, approval and escalation in English, German, Spanish and French, matched tolerantly.

Text is folded first (lower case, accents dropped, "ß" -> "ss", curly quotes straightened), so
"prüfen", "pruefen" and "prufen" read alike. A stem matches a word that starts with it; a stem of six
letters or more also matches a word that starts one edit away from it ("aprove", "reveiw", "chekc"),
so ordinary typos read as what they mean. Stems marked with "$" ("see", "ver", "voir") match
exactly, or with a plural s.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

__all__ = [
    "CATEGORIES",
    "EXCEPT_PHRASE",
    "Word",
    "fold",
    "kinds_in",
    "language",
    "matches",
    "tokens",
]


def _w(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Strong words always speak of review; weak ones only with a person ("let me see") or an order ("before").
STRONG = _w(
    "review approv authoriz authoris sign-off signoff proofread inspect examin verif valid vet$ vetted "
    "vetting audit greenlight go-ahead supervis check chek once-over "
    "pruf pruef freigab freigeb genehm kontroll absegn gegenles durchles durchseh abzeichn "
    "revis aprob aprueb comprob comprueb chequ autoriz visto "
    "approuv relir relis relecture revoir controle controler valider verifier examiner"
)
WEAK = _w(
    "see$ seeing seen$ look showing show$ shown ask$ asking confirm ok$ okay "
    "sehen seh$ anseh anschau zeig bestatig frag$ fragen "
    "ver$ vea$ veo$ mirar mira$ mire$ muestr ensen consult pregunt "
    "voir$ vois$ regarder montrer montre-moi montrez-moi demand consulter"
)
# Words that start like a review word but are not one.
NOT_REVIEW = frozenset(
    _w(
        "approach approached approaching approaches appropriate appropriately approximately approx courteous "
        "courteously "
        "courtesy"
    )
)
# "run them past me", "geht über mich", "pasar por mí", "passer par moi": a person in the way, by preposition.
CONSULT = re.compile(r"\b(?:past|by|through|via) (?:me|us)\b|\buber mich\b|\bpor mi\b|\bpar moi\b|\bwith me\b")
PERSON = frozenset(
    _w(
        "i i'd i'm i'll me my mine myself us we our person human someone somebody reviewer reviewers manager "
        "ich mich mir mein meine meinen meiner uns wir unser jemand mensch menschen prufer "
        "yo mi mis nos nosotros nuestro quiero quisiera necesito dejame alguien persona humano revisor "
        "je j' moi m' mon ma mes nous notre veux voudrais souhaite quelqu'un humain relecteur laisse-moi"
    )
)
BEFORE = frozenset(
    _w(
        "before first prior until till beforehand ahead wait waits vor bevor zuerst erst vorher vorab warte warten "
        "antes primero previo previa hasta espera esperar avant d'abord abord prealable prealablement attends "
        "attendre jusqu'a"
    )
)
# Words that make what follows conditional: "send without asking me once I have reviewed them".
CONDITIONS = frozenset(
    _w(
        "after once when whenever if provided providing assuming only nachdem sobald wenn falls nur despues cuando "
        "si solo solamente apres quand lorsque fois seulement uniquement"
    )
)
NEGATIONS = frozenset(
    _w(
        "not no never don't dont doesn't didn't won't can't cannot nothing none nobody without neither nor "
        "nicht kein keine keinen keiner nie niemals nichts ohne niemand "
        "nunca nada ni jamas ningun ninguna ninguno sin "
        "ne n' pas jamais rien aucun aucune sans"
    )
)
EXCEPT = frozenset(
    _w(
        "unless except but save excluding excepting besides barring minus ausser aber sondern ausgenommen salvo "
        "excepto menos pero sino sauf mais hormis"
    )
)
# Exceptions of more than one word: "send them all, other than the VIPs", "reply to each apart from Pat".
EXCEPT_PHRASE = re.compile(
    r"\b(?:other than|apart from|aside from|save for|but for|except for|with the exception of|outside of|"
    r"not including|leaving out|a excepcion de|fuera de|excepto|tranne|eccetto|a parte|behalve|oprocz|com excecao de|"
    # typed short or one letter off: "all exc Pat", "everyone exept Pat"
    r"exc|excl|exept|excpet|excep|execpt|xcept|exceot)\b"
)
UNIVERSAL = frozenset(
    _w(
        "everything every each all them everyone anything else rest others "
        "alles jede jeder jedes jeden alle restlichen rest anderen "
        "todo todos todas cada resto demas otros otras "
        "tout tous toutes chaque reste autres"
    )
)
FILLERS = frozenset(
    _w(
        "a an the any some of for me us my our and or to about with that those these such one ones new "
        "should must be are is get gets will need needs require requires go goes going sent "
        "der die das den dem des ein eine einen alle jede jeden und oder von mit an mich mir meine sollen "
        "mussen gehen geht werden brauchen "
        "el la los las un una unos unas de del y o e con para mi mis deben debe ir van va necesitan "
        "le les un une des du et ou avec pour mon ma mes doivent doit aller vont va en"
    )
)
GENERIC = frozenset(
    _w(
        "request requests message messages ticket tickets customer customers email emails e-mail e-mails mail "
        "mails reply replies case cases people client clients thread threads "
        "anfrage anfragen nachricht nachrichten kunde kunden kundin fall falle e-mails antworten "
        "solicitud solicitudes mensaje mensajes cliente clientes caso casos correo correos peticiones "
        "demande demandes courriel courriels cas reponses"
    )
)
# Kind words per language: a stem of one language matches only in text of that language, or in text whose
# language cannot be told ("process" is the plural of the French "procès" and an English word of its own).
_KINDS: dict[str, dict[str, str]] = {
    "angry": {
        "en": "angr furi upset frustrat annoy irate mad$ unhappy rude hostile negativ complain complaint irritat livid "
        "abus insult shout pissed threat",
        "de": "wutend wuten wut verargert verarger sauer unzufried beschwer frustri aufgebracht emport zorn bose boese",
        "es": "enoj enfad furios molest queja quej frustrad insatisf cabread",
        "fr": "colere furieu fache mecontent enerve plaint reclamation frustre agace irrite",
    },
    "refund": {
        "en": "refund reimburs chargeback compensat",
        "de": "erstatt ruckerstatt geld",
        "es": "reembols devolucion",
        "fr": "rembours dedommag",
    },
    "legal": {
        "en": "legal lawyer attorney lawsuit sue$ suing sued$ court$ litigat solicitor threat",
        "de": "rechtlich anwalt rechtsanwalt klage verklag gericht jurist",
        "es": "abogad juicio tribunal demandar",
        "fr": "juridique avocat proces$ poursuite legaux",
    },
    "churn": {
        "en": "churn cancel unsubscrib quit$ quitting",
        "de": "kundig abwander abmeld",
        "es": "baja",
        "fr": "resili annul",
    },
    "urgent": {"en": "urgent urgenc emergenc asap", "de": "dringend dringlich eilig notfall"},
    "billing": {
        "en": "billing invoice",
        "de": "rechnung zahlung abrechnung",
        "es": "factura cobro",
        "fr": "factur paiement",
    },
    "technical": {
        "en": "technical bug$ error outage crash",
        "de": "technisch fehler storung ausfall",
        "es": "tecnic fallo averia",
        "fr": "panne erreur",
    },
    "human": {"en": "handoff hand-off"},
}
CATEGORIES: dict[str, tuple[str, ...]] = {
    kind: tuple(stem for stems in by_lang.values() for stem in _w(stems)) for kind, by_lang in _KINDS.items()
}
# Short words that tell a language apart; a text's language is the one with the most of them, if any leads.
_LANGUAGE = {
    "en": frozenset(_w("the and to of is are it them these those for with my me our please any every each all")),
    "de": frozenset(_w("der die das und ist sind mich mir ich nicht mit ein eine bitte alle jede zu")),
    "es": frozenset(_w("el la los las y que es son por para con mi yo todas todos cada una")),
    "fr": frozenset(_w("le la les et est sont je moi pour avec mon des du une chaque tous toutes")),
}
_PREFIX = re.compile(r"^(?:double|cross|spot|re|pre)(?=[a-z])")
_TOLERANT = 6  # stems this long also match one edit away ("on longer words"); "$" marks an exact stem
_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*'?")
_ELISION = re.compile(r"^(j|l|d|n|m|qu|s|t|c)'(.+)$")  # French "j'approuve" -> "j'", "approuve"


def fold(text: str) -> str:
    """Return ``text`` in lower case without accents, "ß" as "ss" and straight quotes."""
    text = text.replace("ß", "ss").replace("’", "'").replace("‘", "'").replace("ʼ", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def tokens(folded: str) -> list[str]:
    """Return the words of folded text, keeping "don't", "e-mail" and "laisse-moi" whole."""
    out: list[str] = []
    for word in _TOKEN.findall(folded):
        elided = _ELISION.match(word)
        out.extend([elided.group(1) + "'", elided.group(2)] if elided else [word])
    return out


def _one_edit(a: str, b: str) -> bool:
    """Return whether ``a`` and ``b`` differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


@cache
def matches(word: str, stem: str, tolerant: bool = True) -> bool:
    """Return whether ``word`` is a form of ``stem``, allowing one typo on stems of six letters or more."""
    if word in NOT_REVIEW:
        return False
    if stem.endswith("$"):
        return word in (stem[:-1], stem[:-1] + "s")
    if word.startswith(stem):
        return True
    if not tolerant or len(stem) < _TOLERANT or len(word) < len(stem) - 1:
        return False
    return any(_one_edit(word[:n], stem) for n in (len(stem) - 1, len(stem), len(stem) + 1))


class Word:
    """Classify one folded word against the vocabularies."""

    @staticmethod
    def strong(word: str) -> bool:
        """Return whether ``word`` always speaks of review ("approve", "prüfen", "revisar", "valider")."""
        if any(matches(word, s) for s in STRONG) or any(s in word for s in ("pruf", "pruef", "freigab")):
            return True
        # "double-check", "cross-check", "recheck", "pre-approve": a review word with a prefix
        parts = [p for p in word.split("-") if p != word] + [_PREFIX.sub("", word)]
        return any(p != word and len(p) > 3 and Word.strong(p) for p in parts)

    @staticmethod
    def weak(word: str) -> bool:
        """Return whether ``word`` speaks of review when a person or an order goes with it ("see", "ver")."""
        return any(matches(word, s) for s in WEAK)


def language(words: list[str]) -> str | None:
    """Return the language ("en", "de", "es", "fr") whose short words ``words`` has most of, or None on a tie."""
    counts = sorted(((sum(w in common for w in words), lang) for lang, common in _LANGUAGE.items()), reverse=True)
    return counts[0][1] if counts[0][0] and counts[0][0] > counts[1][0] else None


def kinds_in(words: list[str], *, tolerant: bool = True, lang: str | None = None) -> dict[str, list[str]]:
    """Return, per category, the words of ``words`` that name it ("angry", "wütend", "remboursement").

    ``tolerant=False`` reads untrusted text (a customer's message) without typo tolerance: "export" is
    one letter from "empört", and a task's typo is not a customer's word. With ``lang``, only that
    language's stems and English ones count (loan words: "legal", "refund"), so "process" names no
    French "procès" in an English task.
    """
    found: dict[str, list[str]] = {}
    for word in words:
        if word in GENERIC or word in FILLERS:
            continue
        for kind, by_lang in _KINDS.items():
            stems = _w(by_lang.get("en", "") + " " + by_lang.get(lang, "")) if lang else CATEGORIES[kind]
            if any(matches(word, s, tolerant) for s in stems):
                found.setdefault(kind, []).append(word)
    return found
