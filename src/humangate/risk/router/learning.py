"""Decide whether a refit on an organisation's labels may replace the active router, and say why.

Each label (``Label``) is one message a person looked at: True when a person was needed. Its key fixes,
by hash, which slice it belongs to, so the slices stay the same from one refit to the next:

- held back (``HELD`` of all labels): never fitted, never calibrated, by any refit. The refit's recall on
  its positives (each counted by its weight) must not fall below the active router's (ties allowed),
  unless it stays at or above the policy's target: a refit may give back recall the active router
  delivers beyond its promise (that is how escalation falls after a cautious first refit), never go
  below the promise, and never below an active router that is already below it. With fewer than
  ``min_held_positives`` there is nothing to tell by, and the refit is refused. A refit that neither
  catches more of them nor escalates less of the slice than the active router is refused as no better.
- calibration (``CALIBRATION`` of the positives): their scores under the refit set its threshold (the PAC
  bound of ``calibration.py``). When they cannot support the policy's target, the refit is refused: it
  would escalate everything.
- fit: every other label. One reviewer's share of the fit's weight is capped at ``max_share`` when more
  than one reviewer labelled, so a flood of one person's approvals cannot outvote everyone else.

Labels that reached a person only through audit sampling carry weight ``1/rate``: they stand for the
other auto-passed messages nobody looked at.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from humangate.risk.router.calibration import Threshold
from humangate.risk.router.model import HISTORY_TURNS, HISTORY_WEIGHT, EscalationRouter
from humangate.risk.router.refit import DEFAULT_STRENGTH, CorrectedRouter, fit_correction

__all__ = ["CALIBRATION", "HELD", "Label", "RefitResult", "Scorer", "cap_shares", "evaluate_refit", "slice_of"]

HELD = 0.2
CALIBRATION = 0.45


class Scorer(Protocol):
    """A router as a refit sees it: batch scores, and a threshold per target."""

    @property
    def name(self) -> str:
        """Return how reasons name this router."""
        ...

    def scores(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Return the probability of each message on its own."""
        ...

    def threshold(self, target: float, confidence: float) -> Threshold:
        """Return the threshold for a policy's target."""
        ...


@dataclass(frozen=True)
class Label:
    """One message a person looked at, and whether a person was needed."""

    key: str  # stable: the run and gate it came from
    text: str  # the customer's message as the router reads it
    history: tuple[str, ...]
    needs_person: bool
    reviewer: str
    weight: float = 1.0  # 1/rate for an auto-pass that reached a person through audit sampling
    source: str = "decision"  # decision | audit


def slice_of(label: Label) -> str:
    """Return ``held``, ``calibration`` or ``fit``: fixed by the label's key, so it never changes slice."""
    u = int.from_bytes(hashlib.sha256(f"router-slice|{label.key}".encode()).digest()[:8], "big") / 2**64
    if u < HELD:
        return "held"
    if label.needs_person and u < HELD + CALIBRATION:
        return "calibration"
    return "fit"


def cap_shares(labels: Sequence[Label], max_share: float) -> NDArray[np.float64]:
    """Return the labels' weights with no reviewer above ``max_share`` of the total (when two or more labelled)."""
    weights = np.asarray([x.weight for x in labels], dtype=np.float64)
    owners = np.asarray([x.reviewer for x in labels])
    names = sorted(set(owners.tolist()))
    if len(names) < 2 or not 0.0 < max_share < 1.0:
        return weights
    for _ in range(20):  # shrinking one reviewer raises the others' shares; a few rounds settle it
        total = weights.sum()
        over = [n for n in names if weights[owners == n].sum() > max_share * total * (1 + 1e-9)]
        if not over:
            break
        for name in over:
            mine = owners == name
            others = weights.sum() - weights[mine].sum()
            weights[mine] *= max_share / (1.0 - max_share) * others / weights[mine].sum()
    return weights


def _batch(router: Scorer, labels: Sequence[Label]) -> NDArray[np.float64]:
    """Return each label's score as the router reads it at run time (thread lifts, never lowers)."""
    current = router.scores([x.text for x in labels]).astype(np.float64)
    threaded = [i for i, x in enumerate(labels) if any(h.strip() for h in x.history[-HISTORY_TURNS:])]
    if threaded:
        texts = [
            "\n".join([*(h for h in labels[i].history[-HISTORY_TURNS:] if h.strip()), labels[i].text]) for i in threaded
        ]
        thread = router.scores(texts).astype(np.float64)
        current[threaded] = np.maximum(current[threaded], HISTORY_WEIGHT * thread)
    return current


@dataclass
class RefitResult:
    """What a refit found: accepted or refused (and why), the new router, and the figures behind it."""

    accepted: bool
    reasons: list[str]
    router: CorrectedRouter | None
    figures: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        """Return one sentence for a person."""
        f = self.figures
        head = f"{f.get('labels', 0)} labels ({f.get('positives', 0)} needed a person)"
        if not self.accepted:
            return f"Refit refused on {head}: " + "; ".join(self.reasons)
        return (
            f"Refit accepted on {head}: held-back recall {f['held_recall_new']:.3f} (active "
            f"{f['held_recall_active']:.3f}), held-back escalation {f['held_escalated_new']:.3f} (active "
            f"{f['held_escalated_active']:.3f}); {f['guarantee']}."
        )


def _recall(hit: NDArray[np.bool_], weights: NDArray[np.float64]) -> float:
    return float((weights * hit).sum() / weights.sum()) if weights.sum() else 0.0


def evaluate_refit(
    base: EscalationRouter,
    active: Scorer,
    labels: Sequence[Label],
    *,
    target: float,
    confidence: float,
    min_labels: int = 50,
    min_held_positives: int = 10,
    max_share: float = 0.5,
    strength: float = DEFAULT_STRENGTH,
) -> RefitResult:
    """Fit a correction on the fit slice, calibrate it, and compare it with ``active`` on the held-back slice."""
    positives = sum(x.needs_person for x in labels)
    figures: dict[str, Any] = {"labels": len(labels), "positives": positives, "target": target}
    figures["confidence"] = confidence
    if len(labels) < min_labels:
        return RefitResult(False, [f"{len(labels)} labels, a refit needs at least {min_labels}"], None, figures)
    slices: dict[str, list[Label]] = defaultdict(list)
    for x in labels:
        slices[slice_of(x)].append(x)
    fit, cal, held = slices["fit"], slices["calibration"], slices["held"]
    figures |= {"fit": len(fit), "calibration_positives": len(cal), "held": len(held)}
    if not any(x.needs_person for x in fit) or all(x.needs_person for x in fit):
        return RefitResult(False, ["the fit slice needs labels of both kinds"], None, figures)
    weights = cap_shares(fit, max_share)
    shares: dict[str, float] = defaultdict(float)
    for x, w in zip(fit, weights, strict=True):
        shares[x.reviewer] += float(w / weights.sum())
    figures["reviewer_shares"] = {k: round(v, 3) for k, v in sorted(shares.items())}
    coef = fit_correction(base, [x.text for x in fit], [x.needs_person for x in fit], weights, strength=strength)
    router = CorrectedRouter(base, coef, np.zeros(0, np.float32), np.zeros(0))
    cal_scores = _batch(router, cal).astype(np.float32) if cal else np.zeros(0, np.float32)
    router = router.with_calibration(cal_scores, np.asarray([x.weight for x in cal], dtype=np.float64))
    threshold = router.threshold(target, confidence) if cal else Threshold(0.0, target, confidence, 0, 0)
    figures |= {"threshold": threshold.value, "guarantee": threshold.describe()}
    reasons: list[str] = []
    if threshold.value <= 0.0:
        reasons.append(
            f"its {len(cal)} calibration positives (effective {threshold.positives}) cannot support recall "
            f">= {target:.0%} with {confidence:.0%} confidence; it would escalate every message"
        )
    held_pos = [x for x in held if x.needs_person]
    figures["held_positives"] = len(held_pos)
    if len(held_pos) < min_held_positives:
        reasons.append(
            f"the held-back slice has {len(held_pos)} messages that needed a person, fewer than the "
            f"{min_held_positives} needed to tell whether the refit lowers recall"
        )
    if held:
        hw = np.asarray([x.weight for x in held], dtype=np.float64)
        y = np.asarray([x.needs_person for x in held])
        new_hit = _batch(router, held) >= threshold.value
        act_t = active.threshold(target, confidence).value
        old_hit = _batch(active, held) >= act_t
        figures |= {
            "held_recall_new": _recall(new_hit[y], hw[y]),
            "held_recall_active": _recall(old_hit[y], hw[y]),
            "held_escalated_new": _recall(new_hit, hw),
            "held_escalated_active": _recall(old_hit, hw),
            "held_missed_new": float((hw[y] * ~new_hit[y]).sum()),
            "held_missed_active": float((hw[y] * ~old_hit[y]).sum()),
        }
        new, old = figures["held_recall_new"], figures["held_recall_active"]
        if held_pos and new < old - 1e-9 and new < target:  # ties allowed; recall above the promise may go
            reasons.append(
                f"it lowers recall on the held-back slice to {new:.3f} from {old:.3f} ({active.name}), below "
                f"the target {target:.0%}"
            )
        elif (
            not reasons
            and new <= old + 1e-9
            and figures["held_escalated_new"] >= figures["held_escalated_active"] - 1e-9
        ):
            reasons.append(
                f"it does no better than {active.name} on the held-back slice: recall {new:.3f} (active "
                f"{old:.3f}) at {figures['held_escalated_new']:.3f} escalated (active "
                f"{figures['held_escalated_active']:.3f})"
            )
    return RefitResult(not reasons, reasons, router, figures)
