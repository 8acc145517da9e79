"""Retrieval quality: does correction memory find a stored correction again from a paraphrase of it?

Run: ``.venv/bin/python bench/retrieval.py [--data tests/data/paraphrases.jsonl] [--providers a,b] [--json]``

Data: ``tests/data/paraphrases.jsonl``, hand-written records of a stored correction ``text`` (an outbound email
fragment or a customer support message) and a ``query`` that says the same in other words. Every query is
searched among all stored texts, as ``cosine_top_k`` would search the memory.

Figures per installed provider (``installed_providers()``; openai only when an endpoint is configured):

recall@1, @3   share of queries whose own text ranks first / in the top 3 (ties count against the query)
MRR            mean reciprocal rank of the own text
ms/text        mean wall time per text of one batch ``embed`` call over all texts and queries, after a warm-up
               call (model load and first-call set-up apart)
thresholds     on the tune half, two candidate cosines for "the same pattern": ``strict t``, the lowest at which
               at most 5% of queries have some other stored text at or above it (the rule ``default_similarity``
               follows: a false match can let a proposal ride on approvals of a different one, earned autonomy,
               so false matches are held down first), and ``F1 t``, the one with the best F1 at telling a
               query's own text (positive) from every other stored text (negative). Then, at the embedder's
               ``default_similarity``, per split: precision, recall and F1 over all query-text pairs, and the
               false-match rate (share of queries with some other text at or above it)

Honesty rule: each record's ``split`` is ``tune`` or ``report``. The lexical embedder's feature weights and
every ``default_similarity`` were chosen on the tune half only; the report half is the figure to quote.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from humangate.memory.embeddings import Embedder, installed_providers, make_embedder  # noqa: E402

__all__ = [
    "DATA",
    "Record",
    "Scores",
    "best_f1_threshold",
    "load_records",
    "main",
    "measure",
    "ranks",
    "strict_threshold",
]

DATA = REPO / "tests" / "data" / "paraphrases.jsonl"
SPLITS = ("tune", "report", "all")
MAX_FALSE_MATCH = 0.05
_GRID = np.round(np.arange(-0.2, 1.0, 0.01), 2)


@dataclass(frozen=True)
class Record:
    """One stored correction and a paraphrase of it."""

    id: str
    graph: str
    split: str
    text: str
    query: str


@dataclass(frozen=True)
class Scores:
    """One provider's figures on one split."""

    provider: str
    name: str
    split: str
    n: int
    recall_at_1: float
    recall_at_3: float
    mrr: float
    ms_per_text: float
    default_similarity: float
    strict_threshold: float | None  # tune split only
    f1_threshold: float | None  # tune split only
    precision: float  # of default_similarity on this split's pairs
    recall: float
    f1: float
    false_match_rate: float


def load_records(path: Path = DATA) -> list[Record]:
    """Read the paraphrase records from a JSON-lines file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Record(**json.loads(line)) for line in lines if line.strip()]


def ranks(sims: np.ndarray) -> np.ndarray:
    """Return each query's rank of its own text (0 = first), from a (queries, texts) matrix; ties count against."""
    own = np.diagonal(sims)[:, None]
    return np.asarray((sims >= own).sum(axis=1) - 1)


def _prf(sims: np.ndarray, threshold: float) -> tuple[float, float, float]:
    hits = sims >= threshold
    tp = int(np.diagonal(hits).sum())
    precision = tp / int(hits.sum()) if hits.any() else 0.0
    recall = tp / sims.shape[0]
    return precision, recall, 2 * precision * recall / (precision + recall) if tp else 0.0


def _false_match_rate(sims: np.ndarray, threshold: float) -> float:
    others = sims.copy()
    np.fill_diagonal(others, -np.inf)
    return float(np.mean(others.max(axis=1) >= threshold)) if others.shape[1] > 1 else 0.0


def best_f1_threshold(sims: np.ndarray) -> float:
    """Return the cosine (0.01 steps) with the best F1 over all query-text pairs, mid-plateau on ties."""
    f1 = np.array([_prf(sims, float(t))[2] for t in _GRID])
    best = _GRID[f1 >= f1.max() - 1e-12]
    return float(best[len(best) // 2])


def strict_threshold(sims: np.ndarray, max_false_match: float = MAX_FALSE_MATCH) -> float:
    """Return the lowest cosine (0.01 steps) at which at most ``max_false_match`` of queries match another text."""
    return float(next(t for t in _GRID if _false_match_rate(sims, float(t)) <= max_false_match))


def measure(provider: str, embedder: Embedder, records: Sequence[Record]) -> list[Scores]:
    """Embed every text and query once and score each split."""
    embedder.embed(["warm-up"])  # a model's first call pays one-off set-up costs; keep them out of ms/text
    t0 = time.perf_counter()
    vectors = embedder.embed([r.text for r in records] + [r.query for r in records])
    ms = 1000 * (time.perf_counter() - t0) / (2 * len(records))
    texts, queries = vectors[: len(records)], vectors[len(records) :]
    out: list[Scores] = []
    for split in SPLITS:
        rows = [i for i, r in enumerate(records) if split in ("all", r.split)]
        others = [i for i in range(len(records)) if i not in rows]
        # Each query's own text first (the diagonal), then every other stored text.
        sims = queries[rows] @ np.concatenate([texts[rows], texts[others]]).T
        rank = ranks(sims)
        precision, recall, f1 = _prf(sims, embedder.default_similarity)
        out.append(
            Scores(
                provider=provider,
                name=embedder.name,
                split=split,
                n=len(rows),
                recall_at_1=float(np.mean(rank < 1)),
                recall_at_3=float(np.mean(rank < 3)),
                mrr=float(np.mean(1.0 / (rank + 1))),
                ms_per_text=ms,
                default_similarity=embedder.default_similarity,
                strict_threshold=strict_threshold(sims) if split == "tune" else None,
                f1_threshold=best_f1_threshold(sims) if split == "tune" else None,
                precision=precision,
                recall=recall,
                f1=f1,
                false_match_rate=_false_match_rate(sims, embedder.default_similarity),
            )
        )
    return out


def _print(rows: Sequence[Scores]) -> None:
    print(f"{'provider':<32}{'split':<8}{'n':>4}{'R@1':>7}{'R@3':>7}{'MRR':>7}{'ms/text':>9}", end="")
    print(f"{'strict t':>10}{'F1 t':>6}{'default':>9}{'P':>7}{'R':>7}{'F1':>7}{'false m':>9}")
    for s in rows:
        strict = f"{s.strict_threshold:.2f}" if s.strict_threshold is not None else "-"
        f1_t = f"{s.f1_threshold:.2f}" if s.f1_threshold is not None else "-"
        print(
            f"{s.name:<32}{s.split:<8}{s.n:>4}{s.recall_at_1:>7.3f}{s.recall_at_3:>7.3f}{s.mrr:>7.3f}"
            f"{s.ms_per_text:>9.2f}{strict:>10}{f1_t:>6}{s.default_similarity:>9.2f}"
            f"{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}{s.false_match_rate:>9.3f}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Score every selected provider on the paraphrase set and print a table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="paraphrase records, one JSON object a line")
    parser.add_argument("--providers", help="comma-separated providers (default: every installed one)")
    parser.add_argument("--json", action="store_true", help="print the figures as a JSON list instead of a table")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        parser.error(f"no data file at {args.data}; pass --data PATH to a paraphrases JSON-lines file")
    providers = [p.strip() for p in args.providers.split(",")] if args.providers else installed_providers()
    records = load_records(args.data)
    rows: list[Scores] = []
    for provider in providers:
        t0 = time.perf_counter()
        embedder = make_embedder(provider)
        loaded = time.perf_counter() - t0
        rows += measure(provider, embedder, records)
        if not args.json:
            print(f"[{embedder.name}: built in {loaded:.2f} s, dim {embedder.dim}]")
    if args.json:
        print(json.dumps([asdict(r) for r in rows], indent=2))
    else:
        print(f"\n{len(records)} records from {args.data}; each query searched among all {len(records)} texts\n")
        _print(rows)
        print(
            f"\nstrict t: the lowest cosine at which <= {MAX_FALSE_MATCH:.0%} of tune queries match some other text; "
            "F1 t: the F1-best cosine on the tune pairs.\ndefault: the embedder's default_similarity; P, R, F1: "
            "telling each query's own text from the other texts at it; false m: share of queries with some other "
            "text at or above it."
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
