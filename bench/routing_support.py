"""Support escalation on the shared reporting splits only, through the real pipeline and the learned router.

Called from ``bench/routing_quality.py`` (section ``support``). The router was trained and calibrated by
``train/train_router.py`` on the other rows; these rows never entered either:

- nlupp folds 15-19: must escalate = the intents the train script counts (``handoff``: asks for a person,
  ``wrong_notworking_notshowing`` and ``lost_stolen``: something broke or went missing);
- GoEmotions test.tsv: must escalate = a comment with any of the emotions the train script names;
- vader_tweets rows whose id is 4 mod 5: must escalate = mean human rating <= -2. VADER's lexicon was
  tuned on these tweets, so VADER's figures on them are optimistic.

Per split: review everything, VADER alone, the router alone at the default policy's threshold, and the
whole pipeline (``SupportAnalyst`` -> its suggested reply -> ``assess_support`` under ``RiskPolicy()``;
escalated = ``needs_review``). The guarantee check compares the router's recall on these unseen rows
with the policy's target.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from train.train_router import MUST_ESCALATE_EMOTIONS, NLUPP_POSITIVE, TWEET_MUST_ESCALATE

from humangate.agents.offline.triage import sentiment
from humangate.agents.support import SupportAnalyst
from humangate.core.schemas import SupportMessage, SupportReply
from humangate.risk import RiskPolicy, assess_support
from humangate.risk.router import default_router

__all__ = ["NLUPP_REPORT_FOLDS", "TARGET_ESCALATED", "TARGET_RECALL", "VADER_THRESHOLD", "reporting_splits", "run"]

NLUPP_REPORT_FOLDS = frozenset(range(15, 20))
VADER_THRESHOLD = -0.05  # VADER's own "negative" cut-off: the fixed-threshold baseline
TARGET_RECALL, TARGET_ESCALATED = 0.95, 0.30  # the target
ROUTER = "humangate router alone (policy threshold)"
PIPELINE = "humangate SupportAnalyst + assess_support"


@dataclass(frozen=True)
class Split:
    name: str
    texts: list[str]
    labels: list[bool]


def reporting_splits(data: Path) -> list[Split]:
    """Return the reporting rows of each support set, with their must-escalate labels."""
    support = data / "support"
    nlupp = [json.loads(line) for line in (support / "nlupp.jsonl").read_text(encoding="utf-8").splitlines() if line]
    nlupp = [r for r in nlupp if r["fold"] in NLUPP_REPORT_FOLDS]
    splits = [
        Split(
            "nlupp report: folds 15-19",
            [r["text"] for r in nlupp],
            [bool(NLUPP_POSITIVE & set(r["intents"])) for r in nlupp],
        )
    ]
    test = support / "goemotions" / "test.tsv"
    if test.is_file():
        names = (support / "goemotions" / "labels.txt").read_text(encoding="utf-8").split()
        wanted = {names.index(e) for e in MUST_ESCALATE_EMOTIONS}
        with test.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
        labels = [bool({int(x) for x in r[1].split(",")} & wanted) for r in rows]
        splits.append(Split("goemotions test.tsv", [r[0] for r in rows], labels))
    with (support / "vader_tweets.tsv").open(newline="", encoding="utf-8") as fh:
        tweets = [r for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE) if int(r["id"]) % 5 == 4]
    splits.append(
        Split(
            "vader_tweets id%5==4",
            [r["text"] for r in tweets],
            [float(r["mean_sentiment"]) <= TWEET_MUST_ESCALATE for r in tweets],
        )
    )
    return splits


def _rates(labels: Sequence[bool], flags: Sequence[bool]) -> tuple[float, float, float]:
    tp = sum(y and f for y, f in zip(labels, flags, strict=True))
    pos, flagged = sum(labels), sum(flags)
    return (tp / pos if pos else 0.0), (tp / flagged if flagged else 0.0), (flagged / len(labels) if labels else 0.0)


def _verdict(recall: float, escalated: float) -> str:
    missed = [
        *([f"recall {recall:.3f} < {TARGET_RECALL}"] if recall < TARGET_RECALL else []),
        *([f"escalated {escalated:.3f} > {TARGET_ESCALATED}"] if escalated > TARGET_ESCALATED else []),
    ]
    return "PASS" if not missed else "MISS (" + "; ".join(missed) + ")"


def _pipeline(texts: Sequence[str], analyst: SupportAnalyst, policy: RiskPolicy, tag: str) -> list[bool]:
    out = []
    for i, text in enumerate(texts):
        analysis = analyst.run(SupportMessage(id=f"{tag}-{i}", text=text))
        reply = SupportReply(to="customer", body=analysis.suggested_reply)
        out.append(assess_support(text, analysis, reply, policy).needs_review)
    return out


def run(data: Path, row: Callable[..., Any]) -> list[Any]:
    """Print the section and return its summary rows, built with ``row(method, split, recall, ...)``."""
    policy, analyst, router = RiskPolicy(), SupportAnalyst(), default_router()
    settings = policy.settings("support", "review_reply")
    threshold = router.threshold(settings.target_recall, settings.recall_confidence)
    splits = reporting_splits(data)
    print(f"\n== Support escalation on the reporting splits only ({data / 'support'})")
    print(
        f"must escalate: nlupp intents {', '.join(sorted(NLUPP_POSITIVE))}; GoEmotions emotions "
        f"{', '.join(MUST_ESCALATE_EMOTIONS)}; tweets rated mean_sentiment <= {TWEET_MUST_ESCALATE:g}.\n"
        "Reporting rows only: nlupp folds 15-19, GoEmotions test.tsv, vader_tweets id%5==4; the router never "
        "trained or calibrated on them. VADER's lexicon was tuned on these tweets, so VADER figures on them "
        "are optimistic.\n"
        f"router threshold {threshold.value:.4f} from the default policy: {threshold.describe()}."
    )
    out: list[Any] = []
    pooled: dict[str, list[bool]] = {"labels": [], ROUTER: [], PIPELINE: [], "vader": []}
    for split in splits:
        t0 = time.perf_counter()
        scores = router.scores(split.texts)
        speed = len(split.texts) / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        escalated = _pipeline(split.texts, analyst, policy, split.name.split()[0])
        ms = 1000 * (time.perf_counter() - t0) / max(1, len(split.texts))
        vader = [sentiment(t) <= VADER_THRESHOLD for t in split.texts]
        methods = {
            "review everything": [True] * len(split.texts),
            f"VADER compound <= {VADER_THRESHOLD}": vader,
            ROUTER: [bool(s >= threshold.value) for s in scores],
            PIPELINE: escalated,
        }
        pooled["labels"] += split.labels
        for key, flags in ((ROUTER, methods[ROUTER]), (PIPELINE, escalated), ("vader", vader)):
            pooled[key] += flags
        print(f"\n-- {split.name}: {len(split.texts)} messages, {sum(split.labels)} must escalate")
        print(f"router {speed:,.0f} messages/s in a batch; whole pipeline {ms:.2f} ms/message")
        out += _table(split.name, split.labels, methods, row)
    print("\n-- pooled reporting rows")
    pooled_methods = {
        "review everything": [True] * len(pooled["labels"]),
        f"VADER compound <= {VADER_THRESHOLD}": pooled["vader"],
        ROUTER: pooled[ROUTER],
        PIPELINE: pooled[PIPELINE],
    }
    out += _table("pooled reporting rows", pooled["labels"], pooled_methods, row)
    recall = _rates(pooled["labels"], pooled[ROUTER])[0]
    print(
        f"\nguarantee check on unseen rows: the router alone keeps recall {recall:.3f} against the promised "
        f"{threshold.target:.2f} ({'held' if recall >= threshold.target else 'NOT held'}). The promise is for "
        "messages drawn like the calibration rows (GoEmotions dev, nlupp folds 12-14, tweets id%5==3, banking77); "
        "the reporting mix differs (no banking77 rows), so per-set recall may differ."
    )
    return out


def _table(name: str, labels: Sequence[bool], methods: dict[str, list[bool]], row: Callable[..., Any]) -> list[Any]:
    print(f"{'method':<52}{'R':>7}{'P':>7}{'escalated':>11}")
    out = []
    for method, flags in methods.items():
        r, p, share = _rates(labels, flags)
        print(f"{method:<52}{r:>7.3f}{p:>7.3f}{share:>11.3f}")
        target = _verdict(r, share).split(" ")[0] if method in (ROUTER, PIPELINE) else ""
        out.append(row(method, name, r, p, share, len(labels), target))
    r, _, share = _rates(labels, methods[PIPELINE])
    print(f"pipeline against the target (R>={TARGET_RECALL}, <={TARGET_ESCALATED:.0%} escalated): {_verdict(r, share)}")
    return out
