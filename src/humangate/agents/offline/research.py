"""Offline researcher: rank source sentences, cite them as claims, detect conflicts, injections and gaps.

Company facts (founding year, headcount, headquarters) are asked for only when the subject reads as a
company name; a claim or a topic ("polar bear populations") has no founding year to miss.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from humangate.agents.offline.clashes import find_clashes
from humangate.agents.offline.contradictions import MIN_SHARED, find_statement_conflicts
from humangate.agents.offline.directives import Directives, read_directives
from humangate.agents.offline.facts import EXPECTED_FACTS, Fact, extract_facts, find_conflicts, find_number_conflicts
from humangate.agents.offline.injection import find_injections, looks_like_injection
from humangate.core.schemas import Brief, Claim, Conflict, InjectionFinding, ResearchInput, Source, document_of
from humangate.core.text import bm25_scores, overlap, split_sentences, terms
from humangate.risk._hidden_text import strip_hidden

__all__ = ["MAX_CLAIMS", "is_company", "research", "source_excluded"]

MAX_CLAIMS = 8
# Terms that make a sentence about a company worth citing even when the question names none of them.
_FACT_TERMS = terms(
    "founded established headquartered based employees staff headcount customers clients revenue funding raised "
    "product platform service offers provides builds develops customers market ceo founder office"
)
_IMPERATIVE = frozenset(
    re.split(
        r"\s+",
        """ignore disregard forget email send forward click contact visit subscribe sign call follow share download
    register apply join read learn check see buy book try get please reply write tell use""".strip(),
    )
)
_WHAT_IT_DOES = re.compile(
    r"\b(?:provides?|offers?|builds?|makes?|develops?|sells?|designs?|runs?|operates?|helps?|platform|software|"
    r"service|product|specialis(?:es|ing)|specializ(?:es|ing))\b",
    re.I,
)
_NUMBERS = re.compile(r"\d[\d,.]*")
# Words of a generic question ("Facts about X useful for an introduction", "a research brief") that no
# sentence needs to answer.
_GENERIC = frozenset(
    terms(
        "facts information details useful introduction intro email outreach follow-up know "
        "tell background overview company organisation organization research brief summary cited"
    )
)


# Last words that mark a company name whatever its capitals ("acme labs", "Bank of X").
_COMPANY_WORDS = frozenset(
    [
        "inc",
        "inc.",
        "ltd",
        "ltd.",
        "llc",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "bv",
        "nv",
        "corp",
        "corp.",
        "corporation",
        "company",
        "co",
        "co.",
        "labs",
        "lab",
        "technologies",
        "systems",
        "group",
        "holdings",
        "partners",
        "ventures",
        "solutions",
        "analytics",
        "robotics",
        "software",
        "studios",
        "bank",
    ]
)
_NAME_GLUE = frozenset(["&", "and", "of", "the", "de", "for", "von", "van", "la", "le"])


def is_company(subject: str) -> bool:
    """Return whether ``subject`` reads as a company name: a short proper name, not a claim or a topic."""
    words = subject.split()
    if not 1 <= len(words) <= 6 or subject.rstrip()[-1:] in ".?!:":
        return False
    if any(w.lower().strip(",") in _COMPANY_WORDS for w in words[1:]):
        return True
    return all(w[0].isupper() or w[0].isdigit() or w.lower() in _NAME_GLUE for w in words)


@dataclass
class _Sentence:
    source_id: str
    text: str
    order: int
    terms: list[str]
    score: float = 0.0


@dataclass
class _Draft:
    text: str
    source_ids: list[str]
    score: float
    terms: frozenset[str]
    numbers: frozenset[str]


def source_excluded(source: Source, directives: Directives) -> bool:
    """Return whether a reviewer's redirect asked to leave ``source`` out."""
    whole = document_of(source.id).lower()  # a page or section goes when its document is left out
    names = {source.id.lower(), source.id.lower().rsplit("/", 1)[-1], whole, whole.rsplit("/", 1)[-1]}
    names.update(terms(source.title))
    return any(token in names or token in whole.split("/") for token in directives.exclude_sources)


# Markup left in a sentence (a tag, a comment's end, a markdown comment) is never part of a claim.
_MARKUP = re.compile(r"<[!/]?[a-z][^>]*>|<!--|-->|\[(?://|comment|_|#)\]:", re.I)


def _visible_sentences(source: Source, injected: set[tuple[str, str]]) -> list[str]:
    """Return the sentences a human reader of ``source`` sees, without the ones found to instruct the agent."""
    return [
        sentence
        for sentence in split_sentences(strip_hidden(source.text))
        if (source.id, sentence[:1_000]) not in injected and looks_like_injection(sentence) is None
    ]


def _claim_worthy(text: str) -> bool:
    words = text.split()
    if not 4 <= len(words) <= 80 or text.rstrip().endswith("?") or _MARKUP.search(text):
        return False
    return words[0].lower().strip("\"'(") not in _IMPERATIVE


def _numbers(text: str) -> frozenset[str]:
    return frozenset(n.strip(",.").replace(",", "") for n in _NUMBERS.findall(text))


def _rank(
    inp: ResearchInput, sources: list[Source], directives: Directives, injections: list[InjectionFinding]
) -> list[_Sentence]:
    sentences: list[_Sentence] = []
    injected = {(f.source_id, f.excerpt) for f in injections}
    for source in sources:
        for sentence in _visible_sentences(source, injected):
            if _claim_worthy(sentence):
                sentences.append(_Sentence(source.id, sentence[:2_000], len(sentences), terms(sentence)))
    subject_terms = terms(inp.subject)
    query = subject_terms + terms(inp.question) + _FACT_TERMS + 2 * sorted(directives.focus_terms)
    scores = bm25_scores(query, [s.terms for s in sentences])
    for item, score in zip(sentences, scores, strict=True):
        bonus = 1.0 if extract_facts(item.source_id, item.text) else 0.0
        bonus += 0.5 if set(subject_terms) & set(item.terms) else 0.0
        item.score = 0.0 if set(item.terms) & directives.avoid_terms else score + bonus * (score > 0)
    return sentences


def _select(sentences: list[_Sentence]) -> list[_Draft]:
    drafts: list[_Draft] = []
    for sentence in sorted((s for s in sentences if s.score > 0), key=lambda s: (-s.score, s.order)):
        sentence_terms, numbers = frozenset(sentence.terms), _numbers(sentence.text)
        twin = next((d for d in drafts if d.numbers == numbers and overlap(d.terms, sentence_terms) >= 0.75), None)
        if twin is not None:
            if sentence.source_id not in twin.source_ids:
                twin.source_ids.append(sentence.source_id)
        elif len(drafts) < MAX_CLAIMS:
            drafts.append(_Draft(sentence.text, [sentence.source_id], sentence.score, sentence_terms, numbers))
    return drafts


def _missing(inp: ResearchInput, facts: list[Fact], sentences: list[str], claims: list[Claim]) -> list[str]:
    if not inp.sources:
        return ["no sources were provided"]
    missing: list[str] = []
    if is_company(inp.subject):
        found = {f.topic for f in facts}
        missing += [f"no source states the {topic}" for topic in EXPECTED_FACTS if topic not in found]
        if not any(_WHAT_IT_DOES.search(sentence) for sentence in sentences):
            missing.append(f"no source says what {inp.subject} does")
    asked = set(terms(inp.question)) - set(terms(inp.subject)) - set(_FACT_TERMS) - _GENERIC
    if len(asked) >= 2 and not any(asked & set(terms(c.text)) for c in claims):
        missing.append(f"no claim answers the question: {inp.question.strip().rstrip('.?')[:300]}")
    return missing


def _pivot(inp: ResearchInput) -> str:
    """Return the question the sources answer, when it says more than "facts about the company"."""
    text = inp.question or ("" if is_company(inp.subject) else inp.subject)
    own = set(terms(inp.subject)) if is_company(inp.subject) else set()
    return text if len(set(terms(text)) - own - _GENERIC) >= MIN_SHARED else ""


def _confidence(
    coverage: float, claims: list[Claim], conflicts: list[Conflict], missing: list[str], injected: bool
) -> float:
    if not claims:
        return 0.0
    corroborated = sum(len(c.source_ids) > 1 for c in claims) / len(claims)
    found = 1.0 - sum(m.startswith("no source") for m in missing) / (len(EXPECTED_FACTS) + 1)
    score = 0.4 * coverage + 0.25 * min(1.0, len(claims) / 4) + 0.15 * corroborated + 0.2 * found
    score -= min(0.45, 0.15 * len(conflicts)) + (0.2 if injected else 0.0)
    return round(max(0.0, min(1.0, score)), 2)


def _coverage(contributing: set[str], sources: list[Source]) -> float:
    """Return the share of documents that contributed a claim (a PDF's pages are one document)."""
    documents = {document_of(s.id) for s in sources}
    return round(len({document_of(sid) for sid in contributing} & documents) / len(documents), 2) if documents else 0.0


def research(inp: ResearchInput) -> Brief:
    """Return a brief of cited claims, conflicts, coverage, gaps and injections, from the sources alone."""
    directives = read_directives(inp.instructions)
    considered = [s for s in inp.sources if not source_excluded(s, directives)]
    injections = find_injections(inp.sources)
    sentences = _rank(inp, considered, directives, injections)
    drafts = _select(sentences)
    claims = [Claim(text=d.text, source_ids=d.source_ids) for d in drafts]
    # Facts come from every sentence, not only claim-worthy ones: a bare "Founded: 2014" still counts.
    injected = {(f.source_id, f.excerpt) for f in injections}
    readable = [(source.id, sentence) for source in considered for sentence in _visible_sentences(source, injected)]
    facts = [fact for sid, sentence in readable for fact in extract_facts(sid, sentence)]
    # A topic's sources speak of many firms ("Cerrejón employs 4,600", "the industry employs 500,000"):
    # company facts are compared only when the subject is one company.
    company = is_company(inp.subject)
    conflicts = (find_conflicts(facts) if company else []) + find_number_conflicts(readable, company=company)
    conflicts += find_statement_conflicts(readable, _pivot(inp))
    conflicts += find_clashes(readable, company=inp.subject if company else "")
    contributing = {sid for c in claims for sid in c.source_ids}
    coverage = _coverage(contributing, considered)
    relevant = {s.source_id for s in sentences if s.score > 0}
    weak = [s.id for s in considered if len(s.text.split()) < 30 or s.id not in relevant]
    missing = _missing(inp, facts, [sentence for _, sentence in readable], claims)
    confidence = _confidence(coverage, claims, conflicts, missing, bool(injections))
    documents = {document_of(s.id) for s in considered}
    cited = {document_of(sid) for sid in contributing}
    summary = [f"{len(claims)} claims about {inp.subject} from {len(cited)} of {len(documents)} sources."]
    summary += [c.description for c in conflicts]
    if injections:
        ids = ", ".join(dict.fromkeys(repr(f.source_id) for f in injections))
        summary.append(f"Instruction-like text in {ids} was ignored and not used as a claim.")
    if missing:
        summary.append("Missing: " + "; ".join(missing) + ".")
    excluded = [s.id for s in inp.sources if s not in considered]
    if directives.text:
        left_out = f" (left out {', '.join(excluded)})." if excluded else ""
        summary.append(f"Reviewer asked: {directives.text[:300]}{left_out}")
    return Brief(
        subject=inp.subject,
        summary=" ".join(summary)[:4_000],
        claims=claims,
        conflicts=conflicts,
        coverage=coverage,
        weak_sources=weak,
        missing=missing,
        injections=injections,
        confidence=confidence,
    )
