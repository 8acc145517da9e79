"""Router learning curve: the escalation router refitted on a scripted reviewer's decisions, through the product.

A brand's social-media desk answers tweets with the support graph (``Orchestrator.start``). Its rule
differs from the one the shipped router learned: a person answers every clearly negative tweet (mean
human rating <= ``--cut``, default -1), where the shipped router was trained to escalate strongly
negative ones (<= -2). At the policy's threshold the shipped router misses about a tenth of what this
desk needs. The desk's reviewer, ``alice``, judges by the gold label: she rejects the suggested reply of
a tweet that needs a person and approves every other reply unchanged; she also decides the audits of
auto-passed tweets, sampled at ``--sampling-rate`` while the router learns, and ``bob`` takes the blind
second looks at her approvals. After every ``--every`` decisions ``Orchestrator.calibrate`` refits the
router on them (what ``humangate calibrate`` runs), accepting or refusing the refit.

After each refit the bench prints, on a fixed test stream, the active router's recall and escalation
share at the policy's threshold, and whether its promise held there. Then ``mallory`` takes over and
approves everything she is given; the refit on her decisions is refused. The whole support assessment
(``assess_support`` with the Orchestrator's routers: hard rules, refunds, PII and the rest on top) is
measured at the start and at the end.

Rows: the stream is vader_tweets with id % 5 == 3, rows the shipped network never fitted (it only
calibrated on them); the test stream is id % 5 == 4, reporting rows nothing ever trained or calibrated
on. Rows a network trained on are no stream for a refit: its scores there are overconfident, and a
refit calibrated on them promises recall it does not deliver (see the README).

    .venv/bin/python bench/router_learning.py [--data ../shared/data] [--decisions 500] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, select

from humangate import Orchestrator, Settings
from humangate.agents.support import SupportAnalyst
from humangate.checkpoints.schema import audit_events
from humangate.core.schemas import SupportMessage, SupportReply
from humangate.graphs.common import GraphDeps
from humangate.review.queue import QueueFilter, ReviewItem
from humangate.risk import RiskPolicy, assess_support
from humangate.risk.escalation import customer_words
from humangate.risk.router import default_router

REPO = Path(__file__).resolve().parent.parent
GATE = ("support", "review_reply")
STREAM_BUCKET, TEST_BUCKET = 3, 4
POLICY = """
version = "bench-router-learning-1"
[overrides."support.review_reply"]
sampling_rate = {rate}     # audit this share of auto-passed replies while the router learns
"""


@dataclass(frozen=True)
class Message:
    """One tweet and whether, by its gold label, a person must answer it."""

    text: str
    needs_person: bool


def load(data: Path, bucket: int, cut: float) -> list[Message]:
    """Return the tweets whose id is ``bucket`` mod 5, labelled by the desk's rule."""
    with (data / "support" / "vader_tweets.tsv").open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE) if int(r["id"]) % 5 == bucket]
    return [Message(r["text"], float(r["mean_sentiment"]) <= cut) for r in rows]


@dataclass
class Reviewers:
    """Scripted reviewers: the gold label decides, unless ``rubber_stamp`` hands everything to mallory."""

    gold: dict[str, bool] = field(default_factory=dict)  # run id -> needs a person
    decisions: int = 0
    by: dict[str, int] = field(default_factory=dict)
    rubber_stamp: bool = False

    def decide(self, orch: Orchestrator, item: ReviewItem) -> None:
        """Decide one pending item as the scripted reviewer for it."""
        if self.rubber_stamp:  # mallory approves everything; bob waves through the audits of her approvals
            who, needed = ("bob" if item.source_item_id is not None else "mallory"), False
        else:
            who, needed = ("bob" if item.source_item_id is not None else "alice"), self.gold[item.run_id]
        decision = (
            {"action": "reject", "reason_code": "needs_expert", "note": "A person answers this one."}
            if needed
            else {"action": "approve"}
        )
        orch.decide(item.id, {**decision, "reviewer": who})
        self.decisions += 1
        self.by[who] = self.by.get(who, 0) + 1


@dataclass
class Point:
    """The active router on the test stream after one refit attempt."""

    decisions: int
    messages: int
    router: str
    accepted: bool | None
    summary: str
    recall: float
    escalated: float
    promise: str
    held: bool
    pipeline_recall: float | None = None
    pipeline_escalated: float | None = None


def _rates(labels: Sequence[bool], flags: Sequence[bool]) -> tuple[float, float]:
    positives = sum(labels)
    hit = sum(y and f for y, f in zip(labels, flags, strict=True))
    return (hit / positives if positives else 0.0), (sum(flags) / len(flags) if flags else 0.0)


class TestStream:
    """The fixed test stream, scored by the active router alone and by the whole support assessment."""

    def __init__(self, messages: list[Message], policy: RiskPolicy) -> None:
        self.messages = messages
        self.labels = [m.needs_person for m in messages]
        self.policy = policy
        self.words = [customer_words(m.text)[0] or m.text for m in messages]
        self._analyses: list[Any] | None = None

    def router(self, orch: Orchestrator) -> tuple[float, float, str, bool]:
        """Return the active router's recall and escalation share, its promise, and whether it held here."""
        router = orch.routers.router(*GATE)
        settings = self.policy.settings(*GATE)
        threshold = router.threshold(settings.target_recall, settings.recall_confidence)
        recall, escalated = _rates(self.labels, [bool(s >= threshold.value) for s in router.scores(self.words)])
        return recall, escalated, threshold.describe(), recall >= threshold.target

    def pipeline(self, orch: Orchestrator) -> tuple[float, float]:
        """Return the whole support assessment's recall and escalation share with the active router."""
        if self._analyses is None:  # the analyst's reading does not depend on the router
            analyst = SupportAnalyst()
            self._analyses = [analyst.run(SupportMessage(id=f"t{i}", text=m.text)) for i, m in enumerate(self.messages)]
        flags = [
            assess_support(
                m.text,
                a,
                SupportReply(to="customer", body=a.suggested_reply),
                self.policy,
                ticket=f"t{i}",
                sample_key=f"t{i}",
                routers=orch.routers,
            ).needs_review
            for i, (m, a) in enumerate(zip(self.messages, self._analyses, strict=True))
        ]
        return _rates(self.labels, flags)

    def shipped_cost(self, recall: float) -> float:
        """Return the escalation share the shipped router needs on this stream to reach ``recall``."""
        scores = default_router().scores(self.words)
        positives = np.sort(scores[np.asarray(self.labels)])
        cut = positives[int(np.floor((1.0 - recall) * len(positives) + 1e-9))] if len(positives) else 0.0
        return float((scores >= cut).mean())


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Work the stream, refit every ``--every`` decisions, then let mallory try a bad refit; return the figures."""
    stream = load(args.data, STREAM_BUCKET, args.cut)
    random.Random(args.seed).shuffle(stream)
    test = load(args.data, TEST_BUCKET, args.cut)
    policy = RiskPolicy.from_toml_text(POLICY.format(rate=args.sampling_rate))
    tester = TestStream(test, policy)
    points: list[Point] = []
    attempts: list[dict[str, Any]] = []
    reviewers = Reviewers()
    started = time.perf_counter()
    print(
        f"stream: {len(stream)} tweets (id % 5 == 3), {sum(m.needs_person for m in stream)} need a person "
        f"(mean rating <= {args.cut:g}); test stream: {len(test)} tweets (id % 5 == 4), "
        f"{sum(m.needs_person for m in test)} need a person"
    )
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(db_url=f"sqlite:///{Path(tmp) / 'bench.db'}", outbox_dir=Path(tmp) / "outbox", memory=False)
        with Orchestrator(settings, deps=GraphDeps(policy=policy)) as orch:
            for name in ("alice", "bob", "mallory"):
                orch.add_user(name, "reviewer")

            def point(
                accepted: bool | None, summary: str, messages: int, *, pipeline: bool = False, figures: Any = None
            ) -> None:
                recall, escalated, promise, held = tester.router(orch)
                name = orch.routers.router(*GATE).name
                p = Point(reviewers.decisions, messages, name, accepted, summary, recall, escalated, promise, held)
                if pipeline:
                    p.pipeline_recall, p.pipeline_escalated = tester.pipeline(orch)
                points.append(p)
                _print_point(p, figures)

            point(None, "the shipped router", 0, pipeline=True)
            next_refit, used = args.every, 0
            stop_at = args.decisions + args.bad_decisions
            for i, message in enumerate(stream):
                if reviewers.decisions >= stop_at:
                    break
                if not reviewers.rubber_stamp and reviewers.decisions >= args.decisions:
                    reviewers.rubber_stamp, next_refit = True, stop_at
                    print(f"\n-- from decision {reviewers.decisions} on, mallory decides and approves everything")
                run = orch.start(
                    "support", {"id": f"m{i}", "text": message.text, "customer": "follower"}, run_id=f"tweet{i:04d}"
                )
                reviewers.gold[run.id] = message.needs_person
                used = i + 1
                while (page := orch.pending(QueueFilter(run_id=run.id))).items:
                    for item in page.items:
                        reviewers.decide(orch, item)
                if reviewers.decisions >= next_refit:
                    result = orch.calibrate(*GATE, actor="bench")
                    attempts.append(result.to_dict())
                    point(result.accepted, result.summary, used, figures=result.figures)
                    next_refit += args.every
            if reviewers.decisions < stop_at:
                result = orch.calibrate(*GATE, actor="bench")
                attempts.append(result.to_dict())
                point(result.accepted, result.summary + " (stream ended)", used, figures=result.figures)
            last = points[-1]
            last.pipeline_recall, last.pipeline_escalated = tester.pipeline(orch)
            print(f"  whole assessment now: R {last.pipeline_recall:.3f} escalated {last.pipeline_escalated:.3f}")
            versions = [v.to_dict() for v in orch.router_versions(*GATE)]
            with orch.db.read() as conn:
                audited = {
                    kind: int(n)
                    for kind, n in conn.execute(
                        select(audit_events.c.kind, func.count())
                        .where(audit_events.c.kind.like("router.%"))
                        .group_by(audit_events.c.kind)
                    ).all()
                }
    seconds = time.perf_counter() - started
    return {
        "points": [asdict(p) for p in points],
        "attempts": attempts,
        "versions": versions,
        "audit_events": audited,
        "decisions_by": reviewers.by,
        "messages": used,
        "seconds": round(seconds, 1),
        "shipped_cost": {f"{p.recall:.3f}": round(tester.shipped_cost(p.recall), 3) for p in points if p.accepted},
    }


def _print_point(p: Point, figures: dict[str, Any] | None = None) -> None:
    verdict = "" if p.accepted is None else ("ACCEPTED: " if p.accepted else "REFUSED: ")
    print(f"\n[{p.decisions} decisions, {p.messages} tweets] {verdict}{p.summary}")
    if figures and "held_recall_new" in figures:
        print(
            f"  held-back slice ({figures['held']} labels, {figures['held_positives']} needed a person): refit R "
            f"{figures['held_recall_new']:.3f} escalated {figures['held_escalated_new']:.3f}; active R "
            f"{figures['held_recall_active']:.3f} escalated {figures['held_escalated_active']:.3f}"
        )
    line = f"  active {p.router}: router alone R {p.recall:.3f} escalated {p.escalated:.3f}"
    if p.pipeline_recall is not None:
        line += f" | whole assessment R {p.pipeline_recall:.3f} escalated {p.pipeline_escalated:.3f}"
    print(line)
    print(f"  promise {p.promise}: {'held' if p.held else 'NOT held'} on the test stream")


def main() -> None:
    """Run the bench and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data", help="evaluation data folder")
    parser.add_argument("--decisions", type=int, default=500, help="alice's and bob's decisions (default 500)")
    parser.add_argument("--bad-decisions", type=int, default=120, help="mallory's decisions after them")
    parser.add_argument("--every", type=int, default=100, help="refit after this many decisions")
    parser.add_argument("--sampling-rate", type=float, default=0.6, help="share of auto-passed replies audited")
    parser.add_argument("--cut", type=float, default=-1.0, help="mean rating at or below which a person answers")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON at the end")
    args = parser.parse_args()
    if not (args.data / "support" / "vader_tweets.tsv").is_file():
        parser.error(f"no vader_tweets.tsv under {args.data}; pass --data PATH to the shared evaluation data")
    report = run(args)
    first, good = report["points"][0], [p for p in report["points"] if p["accepted"]]
    print(
        f"\n{report['messages']} tweets, {sum(report['decisions_by'].values())} decisions {report['decisions_by']} "
        f"in {report['seconds']} s; audit events {report['audit_events']}"
    )
    if good:
        a, b = good[0], good[-1]
        cost = report["shipped_cost"][f"{b['recall']:.3f}"]
        print(
            f"router alone on the test stream: shipped R {first['recall']:.3f} escalated {first['escalated']:.3f}; "
            f"first accepted refit R {a['recall']:.3f} escalated {a['escalated']:.3f}; last accepted refit "
            f"R {b['recall']:.3f} escalated {b['escalated']:.3f} ({b['escalated'] / a['escalated']:.2f}x the first). "
            f"The shipped router would escalate {cost:.3f} to reach that recall."
        )
    refused = [p for p in report["points"] if p["accepted"] is False and "mallory" in p["summary"]]
    print(f"mallory's refit refused: {'yes' if refused else 'NO'}")
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
