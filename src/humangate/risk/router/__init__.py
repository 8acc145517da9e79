"""The learned escalation router for support messages, shipped as package data and calibrated per policy.

``default_router().score(text, history)`` gives the probability that a message needs a person;
``threshold(target_recall, recall_confidence)`` turns a policy's recall target into the cut-off, from the
calibration positives shipped beside the weights. See ``MODEL_CARD.md`` for the data and labels.
An organisation's own decisions refit it per gate (``refit``, ``learning``; ``humangate calibrate``).
"""

from __future__ import annotations

from humangate.risk.router.calibration import Threshold, binomial_cdf, recall_threshold
from humangate.risk.router.model import EscalationRouter, RouterScore, default_router, forward

__all__ = [
    "EscalationRouter",
    "RouterScore",
    "Threshold",
    "binomial_cdf",
    "default_router",
    "forward",
    "recall_threshold",
]
