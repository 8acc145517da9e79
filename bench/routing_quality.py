"""Routing quality: how well risk/ decides what a human must look at, on public human-labelled data.

Run: ``.venv/bin/python bench/routing_quality.py [--data ../shared/data] [--section NAME | --only a,b]``

Every section is one function ``section_NAME(data: Path) -> list[Row]`` that prints its own detail
and returns rows for the summary table printed at the end; add a section by writing the function and
listing it in ``SECTIONS``. Each detector is shown beside a review-everything baseline (every item goes
to a human: recall 1, precision = base rate) and a simple baseline (a naive rule a team would write in
an afternoon), so a figure can be judged against the cost of not having the detector.

Honesty rules: data sets are never copied into the repository; each section says which part of the
data its rules were tuned on and reports on the rest (the tune part is printed too, for comparison).

Sections
--------
pii          presidio_synth_v2.json (1,500 synthetic sentences, labelled spans). Rules were tuned on
             rows 0-499 only; figures are reported on rows 500-1499 and, stricter, on the report rows
             whose sentence template never occurs in the tune rows (the set is template-generated, so
             most report rows share a template with a tune row). Span-level recall and precision per
             entity type, for the covered set (the types the detector claims to find), and
             sentence-level routing (is a sentence with any covered PII flagged?).
commitments  email_intent.tsv (4,649 e-mail sentences, ``actionable`` = a request or a commitment).
             Patterns were tuned on the ``train`` split; figures are reported on ``test``.
support      the reporting splits only (``bench/routing_support.py``): nlupp folds 15-19, GoEmotions test.tsv
             and vader_tweets rows with id 4 mod 5, which the escalation router never trained or calibrated on.
             Through the real pipeline (``SupportAnalyst`` -> its suggested reply -> ``assess_support`` under the
             default ``RiskPolicy``; escalated = ``needs_review``) and the router alone, beside review-everything
             and VADER, against the issue's target (recall >= 0.95 with <= 30% escalated), with a check of the
             router's calibration guarantee on those unseen rows.
conflicts    climate_fever.jsonl (1,535 claims, 5 evidence sentences each): one ``Source`` per evidence ->
             ``Researcher`` -> ``assess_brief``. Is a DISPUTED claim (its evidence both supports and refutes
             it) flagged as a conflict? Nothing was tuned on this set. Baselines: a negation/contrast keyword
             rule, and an oracle reading the gold per-evidence labels (exact by construction).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

from bench import routing_support  # noqa: E402

from humangate.agents.researcher import Researcher  # noqa: E402
from humangate.core.schemas import ResearchInput, Source  # noqa: E402
from humangate.risk import (  # noqa: E402
    PII_ENTITIES,
    RiskPolicy,
    assess_brief,
    find_commitments,
    find_pii,
)

__all__ = [
    "SECTIONS",
    "Row",
    "main",
    "section_commitments",
    "section_conflicts",
    "section_pii",
    "section_support",
]


@dataclass(frozen=True)
class Row:
    """One line of the summary table."""

    section: str
    method: str
    split: str
    recall: float
    precision: float
    flagged: float | None = None
    n: int = 0
    note: str = ""
    target: str = ""  # PASS or MISS where the section has a target for this row


def _f(x: float | None) -> str:
    return "   -  " if x is None else f"{x:6.3f}"


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


# ---------------------------------------------------------------------------------------------- PII

_Span = tuple[str, int, int]  # (entity type, start, end)
_Detector = Callable[[str], list[_Span]]
COVERED = tuple(PII_ENTITIES)
PII_TUNE_ROWS = 500


def _humangate_pii(text: str) -> list[_Span]:
    return [(m.entity, m.start, m.end) for m in find_pii(text)]


_NAIVE_EMAIL = re.compile(r"\S+@\S+\.\w+")
_NAIVE_NUMBER = re.compile(r"\+?\d[\d ().-]{5,}\d")
_NAIVE_IBAN = re.compile(r"\b[A-Za-z]{2}\d{2}[A-Za-z0-9]{11,30}\b")
_NAIVE_IP = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
_NAIVE_NAME = re.compile(r"(?<=[a-z,] )[A-Z][a-z]+(?: [A-Z][a-z]+)+")


def _naive_pii(text: str) -> list[_Span]:
    """The afternoon version: loose patterns, digit count decides the type, two capitalised words are a name."""
    spans: list[_Span] = [("EMAIL_ADDRESS", m.start(), m.end()) for m in _NAIVE_EMAIL.finditer(text)]
    spans += [("IBAN_CODE", m.start(), m.end()) for m in _NAIVE_IBAN.finditer(text)]
    spans += [("IP_ADDRESS", m.start(), m.end()) for m in _NAIVE_IP.finditer(text)]
    for m in _NAIVE_NUMBER.finditer(text):
        digits = len(re.sub(r"\D", "", m.group()))
        if re.fullmatch(r"\d{3}-\d{2}-\d{4}", m.group()):
            kind = "US_SSN"
        elif 13 <= digits <= 19 and not re.search(r"[ ().]", m.group()):
            kind = "CREDIT_CARD"
        elif 7 <= digits <= 15:
            kind = "PHONE_NUMBER"
        else:
            continue
        spans.append((kind, m.start(), m.end()))
    spans += [("PERSON", m.start(), m.end()) for m in _NAIVE_NAME.finditer(text)]
    return spans


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@dataclass
class _Counts:
    gold: Counter[str]
    hit_typed: Counter[str]
    hit_any: Counter[str]
    pred: Counter[str]
    pred_typed_ok: Counter[str]
    pred_any_ok: Counter[str]
    sent_pos: int = 0
    sent_flag: int = 0
    sent_tp: int = 0
    sent_n: int = 0
    seconds: float = 0.0


def _score_pii(rows: Sequence[dict[str, Any]], detect: _Detector) -> _Counts:
    c = _Counts(Counter(), Counter(), Counter(), Counter(), Counter(), Counter())
    t0 = time.perf_counter()
    predictions = [detect(r["full_text"]) for r in rows]
    c.seconds = time.perf_counter() - t0
    for row, pred in zip(rows, predictions, strict=True):
        gold = [(s["entity_type"], s["start_position"], s["end_position"]) for s in row["spans"]]
        for kind, a, b in gold:
            c.gold[kind] += 1
            if any(p[0] == kind and _overlaps((a, b), (p[1], p[2])) for p in pred):
                c.hit_typed[kind] += 1
            if any(_overlaps((a, b), (p[1], p[2])) for p in pred):
                c.hit_any[kind] += 1
        for kind, a, b in pred:
            c.pred[kind] += 1
            if any(g[0] == kind and _overlaps((a, b), (g[1], g[2])) for g in gold):
                c.pred_typed_ok[kind] += 1
            if any(_overlaps((a, b), (g[1], g[2])) for g in gold):
                c.pred_any_ok[kind] += 1
        positive = any(g[0] in COVERED for g in gold)
        flagged = bool(pred)
        c.sent_n += 1
        c.sent_pos += positive
        c.sent_flag += flagged
        c.sent_tp += positive and flagged
    return c


def _covered(c: _Counts, types: Sequence[str] = COVERED) -> tuple[float, float, float]:
    """Recall (typed), recall (any type) and precision (typed) over ``types``."""
    gold = sum(c.gold[k] for k in types)
    pred = sum(c.pred[k] for k in types)
    return (
        _ratio(sum(c.hit_typed[k] for k in types), gold),
        _ratio(sum(c.hit_any[k] for k in types), gold),
        _ratio(sum(c.pred_typed_ok[k] for k in types), pred),
    )


IDENTIFIERS = tuple(k for k in COVERED if k != "PERSON")


def section_pii(data: Path) -> list[Row]:
    """PII detection on presidio_synth_v2: per type, covered set and sentence routing, tune vs report rows."""
    rows: list[dict[str, Any]] = json.loads((data / "pii" / "presidio_synth_v2.json").read_text())
    tune, report = rows[:PII_TUNE_ROWS], rows[PII_TUNE_ROWS:]
    tune_templates = {r["template_id"] for r in tune}
    unseen = [r for r in report if r["template_id"] not in tune_templates]
    splits = {"tune 0-499": tune, "report 500-1499": report, "report, unseen templates": unseen}
    print(f"\n== PII: {data / 'pii' / 'presidio_synth_v2.json'} ({len(rows)} sentences)")
    print(f"covered types: {', '.join(COVERED)}; tune rows 0-{PII_TUNE_ROWS - 1}, report rows {PII_TUNE_ROWS}-")
    print(f"report rows with a template unseen in tuning: {len(unseen)}")
    out: list[Row] = []
    detectors: dict[str, _Detector] = {"humangate find_pii": _humangate_pii, "naive regex baseline": _naive_pii}
    results = {(n, split): _score_pii(part, det) for n, det in detectors.items() for split, part in splits.items()}
    for split in splits:
        hg, nv = results[("humangate find_pii", split)], results[("naive regex baseline", split)]
        print(f"\n-- {split}: {len(splits[split])} sentences; span recall (typed) / precision (typed) per type")
        print(f"{'type':<20}{'gold':>6}{'R':>8}{'P':>8}{'R naive':>9}{'P naive':>9}{'R any-type':>12}")
        for kind, n in sorted(hg.gold.items(), key=lambda kv: -kv[1]):
            mark = "" if kind in COVERED else "  (not covered)"
            print(
                f"{kind:<20}{n:>6}{_ratio(hg.hit_typed[kind], n):>8.3f}"
                f"{_ratio(hg.pred_typed_ok[kind], hg.pred[kind]) if hg.pred[kind] else float('nan'):>8.3f}"
                f"{_ratio(nv.hit_typed[kind], n):>9.3f}"
                f"{_ratio(nv.pred_typed_ok[kind], nv.pred[kind]) if nv.pred[kind] else float('nan'):>9.3f}"
                f"{_ratio(hg.hit_any[kind], n):>12.3f}{mark}"
            )
        for name, c in (("humangate find_pii", hg), ("naive regex baseline", nv)):
            r_typed, r_any, p_typed = _covered(c)
            p_any = _ratio(sum(c.pred_any_ok.values()), sum(c.pred.values()))
            print(
                f"{name}: covered set R {r_typed:.3f} (any type {r_any:.3f}), P {p_typed:.3f} "
                f"(overlaps any labelled PII {p_any:.3f}); {1000 * c.seconds / max(1, c.sent_n):.2f} ms/sentence"
            )
            out.append(Row("pii spans (covered)", name, split, r_typed, p_typed, n=sum(c.gold[k] for k in COVERED)))
            r_id, _, p_id = _covered(c, IDENTIFIERS)
            print(f"{name}: identifiers only (covered set without PERSON) R {r_id:.3f}, P {p_id:.3f}")
            out.append(Row("pii spans (identifiers)", name, split, r_id, p_id, n=sum(c.gold[k] for k in IDENTIFIERS)))
        base = _ratio(hg.sent_pos, hg.sent_n)
        out.append(Row("pii routing (sentence)", "review everything", split, 1.0, base, 1.0, hg.sent_n))
        for name, c in (("naive regex baseline", nv), ("humangate find_pii", hg)):
            out.append(
                Row(
                    "pii routing (sentence)",
                    name,
                    split,
                    _ratio(c.sent_tp, c.sent_pos),
                    _ratio(c.sent_tp, c.sent_flag),
                    _ratio(c.sent_flag, c.sent_n),
                    c.sent_n,
                    "precision counts covered PII only",
                )
            )
    return out


# ------------------------------------------------------------------------------------- commitments

_NAIVE_REQUEST = re.compile(r"\?|\bplease\b|\bI will\b|\bI'll\b|\bwe will\b|\blet me know\b", re.IGNORECASE)


def _binary(labels: Sequence[bool], flags: Sequence[bool]) -> tuple[float, float, float]:
    tp = sum(1 for y, f in zip(labels, flags, strict=True) if y and f)
    return _ratio(tp, sum(labels)), _ratio(tp, sum(flags)), _ratio(sum(flags), len(flags))


def section_commitments(data: Path) -> list[Row]:
    """Promise/request detection on email_intent (``actionable``): tuned on train, reported on test."""
    path = data / "drafting" / "email_intent.tsv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    print(f"\n== Commitments and requests: {path} ({len(rows)} sentences)")
    out: list[Row] = []
    by_split: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_split[row["split"]].append(row)
    for split in ("train", "test"):
        part = by_split[split]
        labels = [r["actionable"] == "Yes" for r in part]
        t0 = time.perf_counter()
        found = [find_commitments(r["sentence"]) for r in part]
        ms = 1000 * (time.perf_counter() - t0) / max(1, len(part))
        methods: dict[str, list[bool]] = {
            "review everything": [True] * len(part),
            "naive keywords (?, please, I will, let me know)": [
                bool(_NAIVE_REQUEST.search(r["sentence"])) for r in part
            ],
            "humangate find_commitments": [bool(f) for f in found],
            "  promises only": [any(c.kind == "promise" for c in f) for f in found],
            "  requests only": [any(c.kind == "request" for c in f) for f in found],
        }
        tag = "tune: train" if split == "train" else "report: test"
        print(f"\n-- {tag}: {len(part)} sentences, {sum(labels)} actionable; find_commitments {ms:.3f} ms/sentence")
        print(f"{'method':<52}{'R':>7}{'P':>7}{'F1':>7}{'flagged':>9}")
        for name, flags in methods.items():
            r, p, share = _binary(labels, flags)
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            print(f"{name:<52}{r:>7.3f}{p:>7.3f}{f1:>7.3f}{share:>9.3f}")
            if not name.startswith("  "):
                out.append(Row("commitments", name, tag, r, p, share, len(part)))
    return out


# ------------------------------------------------------------------------------ support escalation

SUPPORT_TARGET_RECALL, SUPPORT_TARGET_ESCALATED = routing_support.TARGET_RECALL, routing_support.TARGET_ESCALATED


def section_support(data: Path) -> list[Row]:
    """Support escalation on the reporting splits only (``bench/routing_support.py``), through the real agent."""

    def row(method: str, split: str, recall: float, precision: float, share: float, n: int, target: str) -> Row:
        return Row("support escalation", method, split, recall, precision, share, n, target=target)

    return routing_support.run(data, row)


# ----------------------------------------------------------------------------- research conflicts

_NEGATION = re.compile(
    r"\b(?:not|no|never|none|nor|cannot|\w+n't|however|but|although|though|contrary|disput\w*|debat\w*|"
    r"controvers\w*|skeptic\w*|sceptic\w*|doubt\w*|disagree\w*|deni(?:es|ed|al)|den(?:y|ying)|reject\w*)\b",
    re.IGNORECASE,
)
_CLAIM_LABELS = ("SUPPORTS", "REFUTES", "NOT_ENOUGH_INFO", "DISPUTED")


@dataclass(frozen=True)
class _Checked:
    """One climate_fever claim: its label and what each method says about it."""

    label: str
    oracle: bool
    keyword: bool
    conflicts: bool
    needs_review: bool
    topics: tuple[str, ...]
    reasons: frozenset[str]


def _check_claim(row: dict[str, Any], researcher: Researcher, policy: RiskPolicy) -> _Checked:
    evidences: list[dict[str, Any]] = row["evidences"]
    sources = [Source(id=e["evidence_id"], title=e["article"][:500], text=e["evidence"]) for e in evidences]
    claim: str = row["claim"]
    brief = researcher.run(ResearchInput(subject=claim[:300], question=claim, sources=sources))
    assessment = assess_brief(brief, sources, policy)
    stances = {e["evidence_label"] for e in evidences}
    return _Checked(
        label=row["claim_label"],
        oracle={"SUPPORTS", "REFUTES"} <= stances,
        keyword=any(_NEGATION.search(e["evidence"]) for e in evidences),
        conflicts=bool(brief.conflicts),
        needs_review=assessment.needs_review,
        topics=tuple(c.topic for c in brief.conflicts),
        # The reason's opening words name the trigger; the figures after them vary per brief.
        reasons=frozenset(
            f"{t.kind}: {' '.join(re.sub(r'[0-9%]+', '#', t.reason).split()[:6])}"
            for t in assessment.triggers
            if t.kind not in ("impact", "sampling")
        ),
    )


def section_conflicts(data: Path) -> list[Row]:
    """Conflict flagging on climate_fever: does the Researcher see that sources disagree on DISPUTED claims?"""
    path = data / "research" / "climate_fever.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    print(f"\n== Research conflicts: {path} ({len(rows)} claims, 5 evidence sentences each)")
    print(
        "must flag: claims labelled DISPUTED (the evidence both supports and refutes them). Per claim, one Source "
        "per evidence sentence (id = evidence_id, title = article) -> Researcher().run -> assess_brief(..., "
        "RiskPolicy()).\nNothing was tuned on this set: every row is a report row."
    )
    researcher, policy = Researcher(), RiskPolicy()
    t0 = time.perf_counter()
    checked = [_check_claim(r, researcher, policy) for r in rows]
    print(f"pipeline {1000 * (time.perf_counter() - t0) / max(1, len(rows)):.2f} ms/claim")
    labels = [c.label == "DISPUTED" for c in checked]
    methods: dict[str, list[bool]] = {
        "review everything": [True] * len(checked),
        "keyword: an evidence has a negation/contrast word": [c.keyword for c in checked],
        "oracle: gold evidence labels hold SUPPORTS+REFUTES": [c.oracle for c in checked],
        "humangate Researcher: brief has conflicts": [c.conflicts for c in checked],
        "humangate assess_brief: needs_review": [c.needs_review for c in checked],
    }
    counts = Counter(c.label for c in checked)
    print(f"\n-- all {len(checked)} claims: " + ", ".join(f"{k} {counts[k]}" for k in _CLAIM_LABELS))
    print(f"{'method':<52}{'R':>7}{'P':>7}{'flagged':>9}   flag rate per claim label")
    out: list[Row] = []
    for name, flags in methods.items():
        r, p, share = _binary(labels, flags)
        per_label = "  ".join(
            f"{k[:3]} {_ratio(sum(f for c, f in zip(checked, flags, strict=True) if c.label == k), counts[k]):.3f}"
            for k in _CLAIM_LABELS
        )
        print(f"{name:<52}{r:>7.3f}{p:>7.3f}{share:>9.3f}   {per_label}")
        note = "uses gold per-evidence labels: DISPUTED is defined from them" if name.startswith("oracle") else ""
        out.append(Row("research conflicts", name, "all claims (none tuned)", r, p, share, len(checked), note))
    topics = Counter(t for c in checked for t in c.topics)
    print(
        "\nhumangate conflicts found: "
        + (", ".join(f"{k} {v}" for k, v in topics.most_common()) or "none")
        + " (the offline engine compares numbers and dates of company facts: founding year, headcount, revenue...)"
    )
    reasons = Counter(r for c in checked if c.needs_review for r in c.reasons)
    print("assess_brief review reasons (claims with each trigger, figures masked as #):")
    for reason, n in reasons.most_common(6):
        print(f"  {n:>5}  {reason}")
    print(
        "reference (data README): a FEVER-trained verifier reaches 38.8% on CLIMATE-FEVER; that is a different "
        "measure from recall on DISPUTED, shown for scale only. The oracle row is exact by construction."
    )
    return out


# --------------------------------------------------------------------------------------------- main

SECTIONS: dict[str, Callable[[Path], list[Row]]] = {
    "pii": section_pii,
    "commitments": section_commitments,
    "support": section_support,
    "conflicts": section_conflicts,
}


def _summary(rows: Iterable[Row]) -> None:
    print("\n== Summary")
    print(f"{'section':<24}{'method':<52}{'split':<30}{'R':>7}{'P':>7}{'flagged':>9}{'n':>7}  target")
    notes: list[str] = []
    for r in rows:
        if r.note and r.note not in notes:
            notes.append(r.note)
        mark = f" [{notes.index(r.note) + 1}]" if r.note else ""
        print(
            f"{r.section:<24}{r.method:<52}{r.split:<30}{_f(r.recall):>7}{_f(r.precision):>7}{_f(r.flagged):>9}"
            f"{r.n:>7}  {r.target}{mark}"
        )
    for i, note in enumerate(notes, 1):
        print(f"[{i}] {note}")
    if any(r.target for r in rows):
        print(
            f"target: support escalation, recall >= {SUPPORT_TARGET_RECALL} while escalating <= "
            f"{SUPPORT_TARGET_ESCALATED:.0%} of messages (from the issue)"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the selected sections and print a summary table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data", help="evaluation data folder")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--section", choices=list(SECTIONS), help="run this one section")
    which.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections: {', '.join(SECTIONS)}")
    args = parser.parse_args(argv)
    wanted = [args.section] if args.section else [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    if not args.data.is_dir():
        parser.error(f"no data folder at {args.data}; pass --data PATH to the shared evaluation data")
    rows: list[Row] = []
    started = time.perf_counter()
    for name in wanted:
        t0 = time.perf_counter()
        rows.extend(SECTIONS[name](args.data))
        print(f"[{name}: {time.perf_counter() - t0:.1f} s]")
    _summary(rows)
    print(f"\ntotal {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
