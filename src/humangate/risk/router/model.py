"""The escalation router: a small network on the features, its shipped weights and calibration scores."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from humangate.errors import ConfigError
from humangate.risk.router.calibration import Threshold, recall_threshold
from humangate.risk.router.features import featurize

__all__ = [
    "HISTORY_TURNS",
    "HISTORY_WEIGHT",
    "LONG_MESSAGE_WORDS",
    "MAX_SENTENCES",
    "EscalationRouter",
    "RouterScore",
    "default_router",
    "forward",
    "hidden_and_logit",
    "sentences",
    "thread_score",
]

FOLDER = Path(__file__).resolve().parent
HISTORY_TURNS = 3
# A thread's reading counts a little less than the message alone: it must build up to escalate on its own.
HISTORY_WEIGHT = 0.9
# A message this long is read sentence by sentence too: one sentence is too small a part of it to carry the
# whole embedding. A shorter one is read whole, like the messages the router was calibrated on; a fragment
# ("I couldn't find it.") scored alone is out of that distribution and would hold routine questions.
LONG_MESSAGE_WORDS = 30
# Past this many sentences, the rest are read as one last window.
MAX_SENTENCES = 40
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\s*\n\s*")


def hidden_and_logit(
    params: Mapping[str, NDArray[np.float32]], x: NDArray[np.float32]
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Return each feature row standardised as the network reads it, and the network's logit."""
    z = (x - params["mean"]) / params["scale"]
    h = z
    layers = sum(1 for k in params if k.startswith("w"))
    for i in range(layers):
        h = h @ params[f"w{i}"] + params[f"b{i}"]
        if i < layers - 1:
            h = np.maximum(h, 0.0)
    return np.asarray(z, dtype=np.float32), np.asarray(h.ravel(), dtype=np.float32)


def forward(params: Mapping[str, NDArray[np.float32]], x: NDArray[np.float32]) -> NDArray[np.float32]:
    """Return the probability that each feature row must escalate."""
    logit = hidden_and_logit(params, x)[1]
    return np.asarray(1.0 / (1.0 + np.exp(-logit)), dtype=np.float32)


@dataclass(frozen=True)
class RouterScore:
    """The router's reading of one message: the score used, and its two parts."""

    probability: float  # max(current, sentence, HISTORY_WEIGHT * thread): neither part ever lowers it
    current: float
    thread: float | None  # the score of the last turns read together with this one; None without history
    sentence: float | None = None  # the strongest sentence's own score; None for a one-sentence message


def sentences(text: str) -> list[str]:
    """Return the sentences (and lines) of ``text``; one item when it has a single sentence."""
    parts = [p for p in _SENTENCE.split(text) if p.strip()]
    if len(parts) > MAX_SENTENCES:
        parts = [*parts[: MAX_SENTENCES - 1], " ".join(parts[MAX_SENTENCES - 1 :])]
    return parts or [text]


def thread_score(
    scores: Callable[[Sequence[str]], NDArray[np.float32]], text: str, history: Sequence[str]
) -> RouterScore:
    """Return the score of ``text``, lifted (never lowered) by its strongest sentence and its thread's last turns.

    The whole message is embedded as one, so a complaint in the last sentence of a long calm message is
    diluted by the rest: each sentence of a long message is scored on its own too, and the strongest counts.
    """
    recent = [h for h in history[-HISTORY_TURNS:] if h.strip()]
    parts = sentences(text) if len(text.split()) >= LONG_MESSAGE_WORDS else [text]
    windows = parts if len(parts) > 1 else []
    texts = [text, *windows, *(["\n".join([*recent, text])] if recent else [])]
    got = [float(s) for s in scores(texts)]
    current = got[0]
    sentence = max(got[1 : 1 + len(windows)]) if windows else None
    thread = got[-1] if recent else None
    probability = max(current, sentence or 0.0, HISTORY_WEIGHT * thread if thread is not None else 0.0)
    return RouterScore(probability, current, thread, sentence)


class EscalationRouter:
    """Score support messages for whether a person must answer, and map a target recall to a threshold."""

    name = "shipped"
    version: int | None = None  # the shipped router has no stored version

    def __init__(self, params: Mapping[str, NDArray[np.float32]], positive_scores: NDArray[np.float32]) -> None:
        self.params = dict(params)
        self.positive_scores = np.asarray(positive_scores, dtype=np.float32)

    @classmethod
    def load(cls, folder: Path | None = None) -> EscalationRouter:
        """Load the weights and calibration scores from ``folder`` (the package's by default)."""
        folder = FOLDER if folder is None else folder
        try:
            with np.load(folder / "weights.npz") as w, np.load(folder / "calibration.npz") as c:
                router = cls({k: w[k] for k in w.files}, c["positive_scores"])
        except (OSError, KeyError, ValueError) as err:
            raise ConfigError(
                f"The escalation router's files in {folder} cannot be read ({err}); reinstall humangate or "
                "run train/train_router.py to rebuild them."
            ) from None
        if not {"mean", "scale", "w0", "b0"} <= router.params.keys() or not len(router.positive_scores):
            raise ConfigError(f"The escalation router's files in {folder} are incomplete; reinstall humangate.")
        return router

    def scores(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Return the probability of each message on its own."""
        return forward(self.params, featurize(texts))

    def inputs(self, texts: Sequence[str]) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """Return each message's standardised features and the network's logit (what a refit builds on)."""
        return hidden_and_logit(self.params, featurize(texts))

    def score(self, text: str, history: Sequence[str] = ()) -> RouterScore:
        """Return the score of ``text``, lifted (never lowered) by the last turns of its thread."""
        return thread_score(self.scores, text, history)

    def threshold(self, target: float, confidence: float) -> Threshold:
        """Return the threshold that meets ``target`` recall with ``confidence`` on the calibration positives."""
        return _threshold(id(self), self, round(target, 6), round(confidence, 6))


@lru_cache(maxsize=64)
def _threshold(_key: int, router: EscalationRouter, target: float, confidence: float) -> Threshold:
    return recall_threshold(router.positive_scores, target, confidence)


@cache
def default_router() -> EscalationRouter:
    """Return the router shipped in the package, loaded once."""
    return EscalationRouter.load()
