"""Pick the router's threshold from calibration scores so that recall meets a target with stated confidence.

Method (a PAC, or training-conditional, split-conformal bound): with ``n`` calibration positives, put the
threshold at the ``(m+1)``-th lowest positive score, so ``m`` of them fall below it. For exchangeable
positives the miss rate of that threshold is Beta(m+1, n-m) distributed, so the recall is at least
``target`` with probability ``P(Binom(n, 1 - target) >= m + 1)``: this is the one-sided Clopper-Pearson
bound. The largest ``m`` that keeps this at or above ``confidence`` gives the highest threshold that
keeps the guarantee. Too few positives for any ``m``: the threshold is 0 and everything escalates
(fail closed).

Weighted positives (``weights``): a positive that stands for several, such as an auto-passed message
that reached a person only through audit sampling at rate ``s`` (weight ``1/s``), counts by its weight
in the miss share, and the bound is taken over Kish's effective sample size ``(sum w)^2 / sum w^2``
(rounded down; misses rounded up). With equal weights this is the unweighted bound exactly; unequal
weights buy fewer effective positives, so the threshold only gets stricter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from humangate.errors import ConfigError

__all__ = ["Threshold", "binomial_cdf", "recall_threshold"]


@dataclass(frozen=True)
class Threshold:
    """A router threshold and the guarantee it carries."""

    value: float
    target: float
    confidence: float
    positives: int  # calibration positives it was chosen on
    misses: int  # of those, how many score below it

    def describe(self) -> str:
        """Return the guarantee as a sentence."""
        return (
            f"recall >= {self.target:.0%} with {self.confidence:.0%} confidence "
            f"({self.positives} calibration positives, {self.misses} below the threshold)"
        )


def binomial_cdf(k: int, n: int, p: float) -> float:
    """Return ``P(Binom(n, p) <= k)``, summed in log space so that large ``n`` stays exact enough."""
    if k < 0:
        return 0.0
    if k >= n or p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0
    lp, lq = math.log(p), math.log1p(-p)
    terms = [
        math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * lp + (n - i) * lq for i in range(k + 1)
    ]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def recall_threshold(
    positive_scores: NDArray[np.float32],
    target: float,
    confidence: float,
    weights: NDArray[np.float64] | None = None,
) -> Threshold:
    """Return the highest threshold that keeps recall >= ``target`` with probability ``confidence``."""
    if not (0.0 < target < 1.0 and 0.0 < confidence < 1.0):
        raise ConfigError(
            f"target_recall and recall_confidence must lie strictly between 0 and 1 (got {target} and {confidence})."
        )
    if weights is not None and not np.allclose(weights, weights[0] if len(weights) else 1.0):
        return _weighted(
            np.asarray(positive_scores, dtype=np.float64), np.asarray(weights, np.float64), target, confidence
        )
    scores = np.sort(np.asarray(positive_scores, dtype=np.float64))
    n, miss_rate, risk = len(scores), 1.0 - target, 1.0 - confidence
    best = -1
    # P(Binom(n, miss_rate) <= m) rises with m; keep the largest m whose chance stays within the risk.
    lo, hi = 0, n - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if binomial_cdf(mid, n, miss_rate) <= risk:
            best, lo = mid, mid + 1
        else:
            hi = mid - 1
    if best < 0:
        return Threshold(0.0, target, confidence, n, 0)
    return Threshold(float(scores[best]), target, confidence, n, best)


def _weighted(scores: NDArray[np.float64], weights: NDArray[np.float64], target: float, confidence: float) -> Threshold:
    """Return the bound over Kish's effective sample size, with each positive's miss counted by its weight."""
    if len(scores) != len(weights) or not np.all(np.isfinite(weights)) or np.any(weights <= 0):
        raise ConfigError("Calibration weights must be positive numbers, one per calibration positive.")
    order = np.argsort(scores, kind="stable")
    scores, weights = scores[order], weights[order]
    total = float(weights.sum())
    n = math.floor(total**2 / float((weights**2).sum()) + 1e-9)
    miss_rate, risk = 1.0 - target, 1.0 - confidence
    below = np.concatenate([[0.0], np.cumsum(weights)[:-1]]) / total  # weighted share below each score
    misses = np.ceil(below * n - 1e-9).astype(int)
    best = -1
    # The miss count rises with the index; keep the last index whose bound stays within the risk.
    for i, m in enumerate(misses):
        if binomial_cdf(int(m), n, miss_rate) > risk:
            break
        best = i
    if best < 0:
        return Threshold(0.0, target, confidence, n, 0)
    return Threshold(float(scores[best]), target, confidence, n, int(misses[best]))
