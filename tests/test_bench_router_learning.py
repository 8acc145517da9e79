"""The router-learning bench runs the product path end to end on a tiny tweet file."""

from __future__ import annotations

import argparse
from pathlib import Path

from bench import router_learning as rl


def test_the_bench_refits_through_the_orchestrator_and_reports_each_attempt(tmp_path: Path) -> None:
    (tmp_path / "support").mkdir()
    rows = ["id\tmean_sentiment\ttext"]
    for i in range(24):  # ids 3, 8, 13, ... are the stream; 4, 9, ... the test stream
        angry = i % 3 == 0
        text = "This is the worst service, I am furious and want my money back." if angry else "Lovely day, thanks!"
        rows.append(f"{5 * i + 3}\t{-2.5 if angry else 2.0}\t{text} ({i})")
        rows.append(f"{5 * i + 4}\t{-2.5 if angry else 2.0}\t{text} [{i}]")
    (tmp_path / "support" / "vader_tweets.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    args = argparse.Namespace(
        data=tmp_path, decisions=6, bad_decisions=3, every=3, sampling_rate=1.0, cut=-1.0, seed=1, json=False
    )
    report = rl.run(args)
    points = report["points"]
    assert points[0]["router"] == "shipped" and points[0]["pipeline_recall"] is not None
    assert [p["accepted"] for p in points[1:]] == [False] * (len(points) - 1)  # a handful of labels: refused
    assert "a refit needs at least 50" in points[1]["summary"]
    assert report["audit_events"]["router.refit_refused"] == len(points) - 1
    assert report["decisions_by"].get("mallory", 0) >= 3 and report["decisions_by"]["alice"] >= 6
    assert 0.0 <= points[-1]["recall"] <= 1.0 and report["versions"][0]["status"] == "refused"
