"""The router's input: a message's static sentence embedding beside its lexicon and VADER scores."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from humangate.errors import ConfigError

__all__ = ["ENCODER_DIR", "LEXICON_FEATURES", "encoder", "featurize", "lexicon_features"]

ENCODER_DIR = Path(__file__).resolve().parent / "encoder"
_KINDS = ("legal", "churn", "refund", "handoff", "urgency", "complaint", "harm")
LEXICON_FEATURES = (
    "vader_neg",
    "vader_neu",
    "vader_pos",
    "vader_compound",
    *(f"lexicon_{k}" for k in _KINDS),
    "question",
    "exclamation",
    "log_words",
)


@cache
def encoder() -> Any:
    """Load the static encoder shipped in the package, once; nothing is downloaded."""
    # The folder is complete; offline mode makes any attempt to reach the hub fail instead of downloading.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from model2vec import StaticModel  # imported here: loading it costs ~0.2 s that only routing needs

    if not (ENCODER_DIR / "model.safetensors").is_file():
        raise ConfigError(
            f"The router's encoder is missing from {ENCODER_DIR}; reinstall humangate or run "
            "train/distill_encoder.py to rebuild it."
        )
    return StaticModel.from_pretrained(str(ENCODER_DIR))


def lexicon_features(text: str) -> list[float]:
    """Return the lexicon and VADER features of one message, in ``LEXICON_FEATURES`` order."""
    from humangate.agents.offline.triage import find_signals, polarity  # lazy: agents import risk

    signals = find_signals(text, router=True)  # the lexicons as the router was calibrated on them
    words = len(text.split())
    return [
        *polarity(text),
        *(1.0 if k in signals else 0.0 for k in _KINDS),
        1.0 if "?" in text else 0.0,
        1.0 if "!" in text else 0.0,
        math.log1p(words) / 5.0,
    ]


def featurize(texts: Sequence[str]) -> NDArray[np.float32]:
    """Return one feature row per text: the embedding, then the lexicon features."""
    if not texts:
        return np.zeros((0, encoder().dim + len(LEXICON_FEATURES)), dtype=np.float32)
    embedded = np.asarray(encoder().encode(list(texts), show_progress_bar=False), dtype=np.float32)
    lexical = np.asarray([lexicon_features(t) for t in texts], dtype=np.float32)
    return np.hstack([embedded, lexical])
