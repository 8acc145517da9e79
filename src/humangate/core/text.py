"""Text helpers of the offline engine: sentences, terms, BM25 ranking and near-duplicate tests."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

__all__ = ["STOPWORDS", "bm25_scores", "content_terms", "overlap", "split_sentences", "terms"]

STOPWORDS = frozenset(
    re.split(
        r"\s+",
        """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he
    her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor
    not now of off on once only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too under until up very was we
    were what when where which while who whom why will with would you your yours yourself yourselves us per via
    it's i'm i've we're we've they're you're let""".strip(),
    )
)

# Abbreviations whose period does not end a sentence.
_ABBREVIATIONS = (
    "e.g.",
    "i.e.",
    "etc.",
    "inc.",
    "ltd.",
    "co.",
    "corp.",
    "dr.",
    "mr.",
    "mrs.",
    "ms.",
    "st.",
    "vs.",
    "approx.",
    "no.",
    "jr.",
    "sr.",
    "u.s.",
    "u.k.",
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_MARKDOWN_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s*)")
_WORD = re.compile(r"[a-z0-9]+(?:['.][a-z0-9]+)*")


def split_sentences(text: str) -> list[str]:
    """Split plain text or markdown into sentences, one list item each, whitespace collapsed."""
    sentences: list[str] = []
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:#{1,6}\s|[-*+]\s|\d+[.)]\s))", text):
        block = " ".join(_MARKDOWN_PREFIX.sub("", line).strip() for line in block.splitlines()).strip()
        if not block:
            continue
        start = 0
        for match in _SENTENCE_END.finditer(block):
            head = block[start : match.start()].strip()
            last_word = head.rsplit(" ", 1)[-1].lower()
            if last_word in _ABBREVIATIONS or re.fullmatch(r"[a-z]\.", last_word):
                continue
            if head:
                sentences.append(head)
            start = match.end()
        tail = block[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences


def _stem(word: str) -> str:
    """Strip a few English suffixes so that 'customers' and 'customer' meet."""
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


def terms(text: str) -> list[str]:
    """Return the lower-cased, stemmed words of ``text`` without stopwords."""
    words = (w.replace("'", "") for w in _WORD.findall(text.lower()))
    return [_stem(w) for w in words if w not in STOPWORDS and len(w) > 1]


def content_terms(text: str) -> frozenset[str]:
    """Return the set of ``terms`` of ``text``: what two sentences are compared on."""
    return frozenset(terms(text))


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Return how much the smaller of two term sets is contained in the other (0..1)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def bm25_scores(
    query: Sequence[str], docs: Sequence[Sequence[str]], *, k1: float = 1.2, b: float = 0.75
) -> list[float]:
    """Score each document (a list of terms) against the query terms with Okapi BM25."""
    if not docs:
        return []
    n = len(docs)
    avg_len = sum(len(d) for d in docs) / n or 1.0
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(set(doc))
    weights = Counter(query)
    scores: list[float] = []
    for doc in docs:
        tf = Counter(doc)
        score = 0.0
        for term, q_weight in weights.items():
            if term not in tf:
                continue
            idf = math.log(1.0 + (n - df[term] + 0.5) / (df[term] + 0.5))
            norm = tf[term] * (k1 + 1) / (tf[term] + k1 * (1 - b + b * len(doc) / avg_len))
            score += q_weight * idf * norm
        scores.append(score)
    return scores
