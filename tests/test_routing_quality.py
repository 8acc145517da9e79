"""The routing-quality bench: its support and conflict sections run the real pipeline on a tiny data folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench import routing_quality as rq


def _evidence(i: int, label: str, text: str) -> dict[str, object]:
    return {"evidence_id": f"Article {i}:{i}", "evidence_label": label, "article": f"Article {i}", "evidence": text}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """Write a data folder shaped like ../shared/data, a few rows per file."""
    (tmp_path / "support").mkdir()
    (tmp_path / "research").mkdir()
    nlupp = [
        {"domain": "banking", "fold": 15, "text": "Can I speak to a real person please?", "intents": ["handoff"]},
        {"domain": "hotels", "fold": 16, "text": "What time is breakfast?", "intents": ["when"]},
        {"domain": "hotels", "fold": 3, "text": "Put me through to the manager.", "intents": ["handoff"]},
    ]
    (tmp_path / "support" / "nlupp.jsonl").write_text("".join(json.dumps(r) + "\n" for r in nlupp))
    (tmp_path / "support" / "vader_tweets.tsv").write_text(
        "id\tmean_sentiment\ttext\n"
        "4\t-3.1\tThis is the worst service ever and I am furious about it.\n"
        "9\t2.6\tWhat a lovely sunny day at the beach with friends.\n"
        "3\t-3.5\tA training row: id 3 mod 5 is calibration, never reported.\n"
    )
    (tmp_path / "support" / "goemotions").mkdir()
    names = "anger annoyance disappointment disapproval disgust fear grief nervousness sadness joy neutral"
    (tmp_path / "support" / "goemotions" / "labels.txt").write_text(names.replace(" ", "\n") + "\n")
    (tmp_path / "support" / "goemotions" / "test.tsv").write_text(
        "This is so annoying, the app broke again and nobody fixes it.\t1\tc1\nWhat a lovely day, thank you!\t9\tc2\n"
    )
    evidence = "Sea levels have risen by about 20 centimetres since 1900."
    claims = [
        {
            "claim_id": "1",
            "claim": "Sea levels are rising.",
            "claim_label": "DISPUTED",
            "evidences": [_evidence(1, "SUPPORTS", evidence), _evidence(2, "REFUTES", "Sea levels are not rising.")],
        },
        {
            "claim_id": "2",
            "claim": "Glaciers are retreating.",
            "claim_label": "SUPPORTS",
            "evidences": [_evidence(3, "SUPPORTS", "Most glaciers have retreated over the last century.")],
        },
    ]
    (tmp_path / "research" / "climate_fever.jsonl").write_text("".join(json.dumps(c) + "\n" for c in claims))
    return tmp_path


def _row(rows: list[rq.Row], method: str, split: str) -> rq.Row:
    return next(r for r in rows if r.method.startswith(method) and r.split.startswith(split))


def test_support_reports_on_the_reporting_rows_only_and_marks_the_target(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = rq.section_support(data)
    out = capsys.readouterr().out
    assert "folds 15-19" in out and "VADER's lexicon was tuned on these tweets" in out
    assert "anger, annoyance, disappointment" in out and "guarantee check on unseen rows" in out
    report = _row(rows, "humangate SupportAnalyst", "nlupp report")
    assert report.n == 2  # the fold-3 utterance is a tuning row, kept out of the report
    assert (report.recall, report.flagged) == (1.0, 0.5)
    assert _row(rows, "humangate SupportAnalyst", "vader_tweets").n == 2  # id 3 mod 5 is a calibration row
    assert _row(rows, "humangate router alone", "goemotions").recall == 1.0
    pooled = _row(rows, "humangate SupportAnalyst", "pooled")
    assert pooled.n == 6 and pooled.recall == 1.0 and pooled.target in ("PASS", "MISS")
    everything = _row(rows, "review everything", "pooled")
    assert (everything.recall, everything.precision, everything.flagged) == (1.0, 0.5, 1.0)
    assert everything.target == ""


def test_conflicts_sets_the_engine_beside_the_baselines(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = rq.section_conflicts(data)
    assert "38.8%" in capsys.readouterr().out
    oracle = _row(rows, "oracle", "all")
    assert (oracle.recall, oracle.precision, oracle.flagged) == (1.0, 1.0, 0.5)
    assert _row(rows, "keyword", "all").recall == 1.0  # "not rising" is a negation
    assert _row(rows, "review everything", "all").precision == 0.5
    methods = {r.method for r in rows}
    assert {"humangate Researcher: brief has conflicts", "humangate assess_brief: needs_review"} <= methods


def test_section_option_runs_one_section(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert rq.main(["--section", "conflicts", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "== Research conflicts" in out and "== Support" not in out and "== PII" not in out
    with pytest.raises(SystemExit):
        rq.main(["--section", "nope", "--data", str(data)])
    with pytest.raises(SystemExit):
        rq.main(["--section", "support", "--only", "pii", "--data", str(data)])


SHARED_PII = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.mark.skipif(
    not (SHARED_PII / "pii" / "presidio_synth_v2.json").exists(),
    reason="the shared evaluation data is not beside the repository",
)
def test_pii_recall_on_the_report_rows_meets_the_target(capsys: pytest.CaptureFixture[str]) -> None:
    rows = rq.section_pii(SHARED_PII)
    capsys.readouterr()
    covered = _row([r for r in rows if r.section == "pii spans (covered)"], "humangate", "report 500-1499")
    assert covered.n == 775
    assert covered.recall >= 0.95 and covered.precision >= 0.75  # the target, and the precision it kept
