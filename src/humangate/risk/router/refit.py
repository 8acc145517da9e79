"""A refit of the escalation router on an organisation's own decisions: a small correction on the shipped network.

The shipped network stays frozen. A refit learns one logistic regression on ``[1, shipped logit, the 142
standardised features]`` whose weights are pulled toward "the shipped router unchanged" (bias 0, logit
weight 1, features 0) by an L2 penalty of ``strength`` labels' worth. With 50 labels the pull dominates
and the refit stays close to the shipped router; with 500 the organisation's labels move it. Fitting is
Newton's method with a backtracking line search on a strictly convex objective: deterministic, and it
cannot diverge or collapse.

A ``CorrectedRouter`` carries its own calibration positives (scores of labels it never fitted) and their
weights, so its threshold for a policy's target comes from the same PAC bound as the shipped router's.
``to_bytes``/``from_bytes`` store it as a numpy archive (no pickles) that names the shipped network it
corrects: a stored refit never loads on top of a different shipped router.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from humangate.errors import ConfigError
from humangate.risk.router.calibration import Threshold, recall_threshold
from humangate.risk.router.model import EscalationRouter, RouterScore, thread_score

__all__ = ["DEFAULT_STRENGTH", "CorrectedRouter", "base_fingerprint", "fit_correction"]

DEFAULT_STRENGTH = 30.0
_CLIP = 8.0  # standardised features beyond this are outliers; clipping keeps one odd message from ruling the fit
_FORMAT = 1


@dataclass(frozen=True)
class _Inputs:
    """What the correction reads for a batch of messages."""

    design: NDArray[np.float64]  # rows [1, shipped logit, clipped features]


def _design(base: EscalationRouter, texts: Sequence[str]) -> _Inputs:
    z, logit = base.inputs(texts)
    clipped = np.clip(z.astype(np.float64), -_CLIP, _CLIP)
    ones = np.ones((len(texts), 1))
    return _Inputs(np.hstack([ones, logit.astype(np.float64)[:, None], clipped]))


def _prior(dims: int) -> NDArray[np.float64]:
    theta = np.zeros(dims)
    theta[1] = 1.0  # the shipped router unchanged
    return theta


def _sigmoid(s: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * s)), dtype=np.float64)


def fit_correction(
    base: EscalationRouter,
    texts: Sequence[str],
    labels: Sequence[bool],
    weights: Sequence[float] | NDArray[np.float64],
    *,
    strength: float = DEFAULT_STRENGTH,
) -> NDArray[np.float64]:
    """Return the correction fitted to ``labels`` (True: needed a person), pulled toward the shipped router."""
    if not len(texts) == len(labels) == len(weights):
        raise ValueError("texts, labels and weights must have the same length")
    x = _design(base, texts).design
    y = np.asarray(labels, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    prior = _prior(x.shape[1])
    reg = np.full(x.shape[1], float(strength))

    def objective(theta: NDArray[np.float64]) -> float:
        s = x @ theta
        return float(np.sum(w * (np.logaddexp(0.0, s) - y * s)) + 0.5 * np.sum(reg * (theta - prior) ** 2))

    theta, value = prior.copy(), objective(prior)
    for _ in range(100):
        p = _sigmoid(x @ theta)
        grad = x.T @ (w * (p - y)) + reg * (theta - prior)
        hess = (x * (w * p * (1.0 - p))[:, None]).T @ x + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        t = 1.0
        while True:  # backtrack until the objective falls enough (Armijo); it is convex, so this ends
            candidate = theta - t * step
            new = objective(candidate)
            if new <= value - 1e-4 * t * float(grad @ step) or t < 1e-8:
                break
            t *= 0.5
        theta, improved = candidate, value - new
        value = new
        if improved < 1e-10 * (1.0 + abs(value)):
            break
    return theta


@cache
def base_fingerprint(base: EscalationRouter) -> str:
    """Return a short hash of the shipped network's weights (what a stored refit corrects)."""
    digest = hashlib.sha256()
    for key in sorted(base.params):
        digest.update(key.encode())
        digest.update(np.ascontiguousarray(base.params[key]).tobytes())
    return digest.hexdigest()[:16]


class CorrectedRouter:
    """The shipped router with a refit's correction on top, and the refit's own calibration positives."""

    def __init__(
        self,
        base: EscalationRouter,
        coef: NDArray[np.float64],
        positive_scores: NDArray[np.float32],
        positive_weights: NDArray[np.float64],
        *,
        version: int | None = None,
    ) -> None:
        self.base = base
        self.coef = np.asarray(coef, dtype=np.float64)
        self.positive_scores = np.asarray(positive_scores, dtype=np.float32)
        self.positive_weights = np.asarray(positive_weights, dtype=np.float64)
        self.version = version
        self._thresholds: dict[tuple[float, float], Threshold] = {}

    @property
    def name(self) -> str:
        """Return how reasons and reports name this router."""
        return "a refit not yet stored" if self.version is None else f"refit version {self.version}"

    def with_calibration(
        self, positive_scores: NDArray[np.float32], positive_weights: NDArray[np.float64]
    ) -> CorrectedRouter:
        """Return the same correction with these calibration positives."""
        return CorrectedRouter(self.base, self.coef, positive_scores, positive_weights, version=self.version)

    def scores(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Return the probability of each message on its own."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        return np.asarray(_sigmoid(_design(self.base, texts).design @ self.coef), dtype=np.float32)

    def score(self, text: str, history: Sequence[str] = ()) -> RouterScore:
        """Return the score of ``text``, lifted (never lowered) by the last turns of its thread."""
        return thread_score(self.scores, text, history)

    def threshold(self, target: float, confidence: float) -> Threshold:
        """Return the threshold that meets ``target`` recall with ``confidence`` on this refit's calibration."""
        key = (round(target, 6), round(confidence, 6))
        if key not in self._thresholds:
            self._thresholds[key] = recall_threshold(self.positive_scores, *key, weights=self.positive_weights)
        return self._thresholds[key]

    def to_bytes(self) -> bytes:
        """Return the refit as a numpy archive (no pickled objects)."""
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            format=np.asarray([_FORMAT]),
            base=np.asarray([base_fingerprint(self.base)]),
            coef=self.coef,
            positive_scores=self.positive_scores,
            positive_weights=self.positive_weights,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes, base: EscalationRouter, *, version: int | None = None) -> CorrectedRouter:
        """Load a stored refit on top of ``base``; refuse one that is damaged or corrects another network."""
        fix = "roll back to an earlier version or the shipped router (`humangate calibrate --rollback`)."
        try:
            with np.load(io.BytesIO(blob), allow_pickle=False) as data:
                fmt, fingerprint = int(data["format"][0]), str(data["base"][0])
                coef, scores, weights = data["coef"], data["positive_scores"], data["positive_weights"]
        except (OSError, KeyError, ValueError, IndexError, EOFError, zipfile.BadZipFile) as err:
            raise ConfigError(f"Stored router version {version} cannot be read ({err}); {fix}") from None
        if fmt != _FORMAT:
            raise ConfigError(
                f"Stored router version {version} has format {fmt}, this humangate reads {_FORMAT}; {fix}"
            )
        if fingerprint != base_fingerprint(base):
            raise ConfigError(
                f"Stored router version {version} corrects another shipped router ({fingerprint}); refit with "
                f"`humangate calibrate` or {fix}"
            )
        dims = base.params["mean"].shape[-1] + 2
        if coef.shape != (dims,) or not np.all(np.isfinite(coef)) or scores.shape != weights.shape or not len(scores):
            raise ConfigError(f"Stored router version {version} is incomplete or damaged; {fix}")
        return cls(base, coef, scores, weights, version=version)
