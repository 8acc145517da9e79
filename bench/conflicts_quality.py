"""Research conflicts on CLIMATE-FEVER: does the research gate see that sources disagree?

Run: ``.venv/bin/python bench/conflicts_quality.py [--data ../shared/data] [--limit N]``

Each claim of ``research/climate_fever.jsonl`` becomes one research task: subject and question are the
claim, and each of its five evidence sentences is one ``Source`` (id = evidence_id, title = article).
The real pipeline runs: ``Researcher().run`` (offline) -> ``assess_brief(..., RiskPolicy())``.
A claim is *flagged* when the brief has a conflict, so the gate's data-quality trigger names two
sources that disagree. The target (issue 16): at least 50% of the DISPUTED claims (annotators found
evidence both supporting and refuting the claim) flagged, at most 30% of the other claims flagged.

Nothing was tuned on this set: the conflict rules and thresholds were chosen on reasoning and on
hand-written sentences (``tests/test_research_conflicts.py``); every row here is a report row. Beside
the pipeline: review everything (every claim to a person) and a keyword rule a team would write in an
afternoon (an evidence sentence holds a negation or contrast word).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from humangate.agents.researcher import Researcher  # noqa: E402
from humangate.core.schemas import ResearchInput, Source  # noqa: E402
from humangate.risk import RiskPolicy, assess_brief  # noqa: E402

__all__ = ["DISPUTED_TARGET", "OTHER_TARGET", "Checked", "Result", "check_claim", "evaluate", "main"]

DISPUTED_TARGET = 0.5  # share of DISPUTED claims flagged, at least
OTHER_TARGET = 0.3  # share of the other claims flagged, at most
LABELS = ("SUPPORTS", "REFUTES", "NOT_ENOUGH_INFO", "DISPUTED")
_KEYWORD = re.compile(
    r"\b(?:not|no|never|none|nor|cannot|\w+n't|however|but|although|though|contrary|disput\w*|debat\w*|"
    r"controvers\w*|doubt\w*|disagree\w*|deni(?:es|ed|al)|deny\w*|reject\w*)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Checked:
    """One claim: its gold label and what each method says about it."""

    label: str
    keyword: bool
    conflict: bool
    needs_review: bool
    kinds: tuple[str, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Result:
    """One method's figures: share of DISPUTED claims flagged and share of the other claims flagged."""

    method: str
    disputed: float
    other: float
    n_disputed: int
    n_other: int

    @property
    def meets_target(self) -> bool:
        """Return whether both targets hold."""
        return self.disputed >= DISPUTED_TARGET and self.other <= OTHER_TARGET


def check_claim(row: dict[str, Any], researcher: Researcher, policy: RiskPolicy) -> Checked:
    """Run one claim through Researcher -> assess_brief, one Source per evidence sentence."""
    evidences: list[dict[str, Any]] = row["evidences"]
    sources = [Source(id=e["evidence_id"][:200], title=e["article"][:500], text=e["evidence"]) for e in evidences]
    claim: str = row["claim"]
    brief = researcher.run(ResearchInput(subject=claim[:300], question=claim[:2_000], sources=sources))
    assessment = assess_brief(brief, sources, policy)
    return Checked(
        label=row["claim_label"],
        keyword=any(_KEYWORD.search(e["evidence"]) for e in evidences),
        conflict=bool(brief.conflicts),
        needs_review=assessment.needs_review,
        kinds=tuple(c.kind for c in brief.conflicts),
        # The opening words name the trigger; figures after them vary per brief.
        reasons=tuple(
            f"{t.kind}: {' '.join(re.sub(r'[0-9%]+', '#', t.reason).split()[:7])}"
            for t in assessment.triggers
            if t.kind != "sampling"
        ),
    )


def _result(method: str, checked: Sequence[Checked], flags: Sequence[bool]) -> Result:
    disputed = [f for c, f in zip(checked, flags, strict=True) if c.label == "DISPUTED"]
    other = [f for c, f in zip(checked, flags, strict=True) if c.label != "DISPUTED"]
    return Result(
        method,
        sum(disputed) / max(1, len(disputed)),
        sum(other) / max(1, len(other)),
        len(disputed),
        len(other),
    )


def evaluate(data: Path, *, limit: int | None = None) -> tuple[list[Result], list[Checked]]:
    """Return each method's figures on ``data/research/climate_fever.jsonl``, and the per-claim checks."""
    path = data / "research" / "climate_fever.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    researcher, policy = Researcher(), RiskPolicy()
    checked = [check_claim(r, researcher, policy) for r in rows[:limit]]
    methods = {
        "review everything": [True] * len(checked),
        "keyword: an evidence has a negation/contrast word": [c.keyword for c in checked],
        "humangate: the brief has a conflict (flagged)": [c.conflict for c in checked],
        "humangate: assess_brief needs_review (any reason)": [c.needs_review for c in checked],
    }
    return [_result(name, checked, flags) for name, flags in methods.items()], checked


def main(argv: Sequence[str] | None = None) -> int:
    """Print the figures; exit 0 (the bench reports, it does not gate)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data", help="the shared data folder")
    parser.add_argument("--limit", type=int, default=None, help="only the first N claims")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    results, checked = evaluate(args.data, limit=args.limit)
    elapsed = time.perf_counter() - t0
    counts = Counter(c.label for c in checked)
    print(f"== Research conflicts on CLIMATE-FEVER ({len(checked)} claims, 5 evidence sentences each)")
    print("claims: " + ", ".join(f"{k} {counts[k]}" for k in LABELS))
    print(f"pipeline: {1000 * elapsed / max(1, len(checked)):.2f} ms per claim (Researcher offline + assess_brief)")
    print(f"target: DISPUTED flagged >= {DISPUTED_TARGET:.0%}, other claims flagged <= {OTHER_TARGET:.0%}\n")
    print(f"{'method':<52}{'DISPUTED':>10}{'others':>9}  target")
    for r in results:
        print(f"{r.method:<52}{r.disputed:>10.3f}{r.other:>9.3f}  {'met' if r.meets_target else 'not met'}")
    print("\nflag rate per label (the brief has a conflict):")
    for label in LABELS:
        flags = [c.conflict for c in checked if c.label == label]
        print(f"  {label:<16}{sum(flags) / max(1, len(flags)):.3f}  ({sum(flags)} of {len(flags)})")
    kinds = Counter(k for c in checked for k in c.kinds)
    print("conflict kinds found: " + (", ".join(f"{k} {v}" for k, v in kinds.most_common()) or "none"))
    reasons = Counter(r for c in checked if c.needs_review for r in set(c.reasons))
    print("review reasons (claims with each trigger, figures masked as #):")
    for reason, n in reasons.most_common(8):
        print(f"  {n:>5}  {reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
