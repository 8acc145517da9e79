"""Refitting the escalation router: the weighted bound, the correction, its storage, and the refit's checks."""

from __future__ import annotations

import io

import numpy as np
import pytest

from humangate.errors import ConfigError
from humangate.risk.router import default_router, recall_threshold
from humangate.risk.router.learning import HELD, Label, cap_shares, evaluate_refit, slice_of
from humangate.risk.router.refit import CorrectedRouter, fit_correction

NEEDY = (
    "I want to talk to a real person about this right now.",
    "Put me through to a manager, your bot is useless.",
    "Can I please speak to someone from your staff?",
    "Get me a human being on the phone today.",
    "I need to speak with an agent, not a machine.",
)
BILLING = (
    "You charged me twice this month and nobody fixes it.",
    "My invoice is wrong again, this is the third time.",
    "The refund you promised never arrived and I am fed up.",
    "Why was my card billed for something I cancelled?",
)
ROUTINE = (
    "What time does the pool open tomorrow?",
    "How do I change my delivery address?",
    "Is breakfast included with the room?",
    "Can I pay by card at the front desk?",
    "Where can I find the wifi password?",
    "Do you have parking at the hotel?",
)


def _label(key: str, text: str, needed: bool, reviewer: str = "alice", weight: float = 1.0) -> Label:
    return Label(key=key, text=text, history=(), needs_person=needed, reviewer=reviewer, weight=weight)


def _keyed(kind: str, count: int, start: int = 0) -> list[str]:
    """Return ``count`` label keys that fall in slice ``kind`` for a positive label."""
    keys, i = [], start
    while len(keys) < count:
        key = f"run-{i}|review_reply"
        if slice_of(_label(key, "x", True)) == kind:
            keys.append(key)
        i += 1
    return keys


def test_equal_weights_give_the_unweighted_bound_and_unequal_ones_a_stricter_one() -> None:
    rng = np.random.default_rng(3)
    scores = rng.uniform(0, 1, 300).astype(np.float32)
    plain = recall_threshold(scores, 0.9, 0.9)
    same = recall_threshold(scores, 0.9, 0.9, weights=np.full(300, 2.0))
    assert (same.value, same.misses, same.positives) == (plain.value, plain.misses, plain.positives)
    # A tenth of the positives came through audit sampling at 20%: they stand for five each.
    weights = np.where(np.arange(300) % 10 == 0, 5.0, 1.0)
    weighted = recall_threshold(scores, 0.9, 0.9, weights=weights)
    assert weighted.positives < 300 and weighted.value <= plain.value
    with pytest.raises(ConfigError, match="positive numbers"):
        recall_threshold(scores[:3], 0.9, 0.9, weights=np.array([1.0, -1.0, 2.0]))


def test_one_heavy_positive_leaves_too_few_effective_positives() -> None:
    # An audited pass that stands for 40 messages, beside 40 ordinary positives: Kish's effective count is
    # about 4, too few for any threshold but 0 (everything escalates) rather than one that trusts 81.
    scores = np.array([0.01, *np.linspace(0.5, 0.9, 40)], dtype=np.float32)
    weighted = recall_threshold(scores, 0.9, 0.9, weights=np.array([40.0, *np.ones(40)]))
    assert weighted.value == 0.0 and weighted.positives == 3
    assert recall_threshold(scores, 0.9, 0.9).value > 0.0


def test_a_correction_on_few_labels_stays_near_the_shipped_router() -> None:
    base = default_router()
    texts = [*NEEDY, *ROUTINE]
    labels = [True] * len(NEEDY) + [False] * len(ROUTINE)
    coef = fit_correction(base, texts, labels, [1.0] * len(texts))
    router = CorrectedRouter(base, coef, np.array([0.5], np.float32), np.array([1.0]))
    probe = [*BILLING, "Thanks, that helped a lot!", "The room was lovely."]
    shipped, refit = base.scores(probe), router.scores(probe)
    assert np.corrcoef(shipped, refit)[0, 1] > 0.9  # 11 labels cannot turn the router around
    again = fit_correction(base, texts, labels, [1.0] * len(texts))
    assert np.array_equal(coef, again)  # deterministic


def test_a_stored_refit_round_trips_and_refuses_damage_or_another_network() -> None:
    base = default_router()
    coef = fit_correction(base, [*NEEDY, *ROUTINE], [True] * 5 + [False] * 6, [1.0] * 11)
    router = CorrectedRouter(base, coef, np.array([0.2, 0.6], np.float32), np.array([1.0, 2.0]))
    blob = router.to_bytes()
    back = CorrectedRouter.from_bytes(blob, base, version=4)
    assert back.name == "refit version 4" and np.array_equal(back.coef, coef)
    assert back.threshold(0.5, 0.5).value == router.threshold(0.5, 0.5).value
    with np.load(io.BytesIO(blob), allow_pickle=False) as data:  # plain arrays, no pickled objects
        assert set(data.files) == {"format", "base", "coef", "positive_scores", "positive_weights"}
    with pytest.raises(ConfigError, match="cannot be read"):
        CorrectedRouter.from_bytes(blob[:40], base, version=4)
    other = type(base)({**base.params, "b0": base.params["b0"] + 1.0}, base.positive_scores)
    with pytest.raises(ConfigError, match="another shipped router"):
        CorrectedRouter.from_bytes(blob, other, version=4)


def test_one_reviewer_cannot_outweigh_everyone_else() -> None:
    flood = [_label(f"m{i}", "ok", False, "mallory") for i in range(90)]
    honest = [_label(f"a{i}", "ok", i % 2 == 0, "alice") for i in range(10)]
    weights = cap_shares([*flood, *honest], 0.5)
    assert weights[:90].sum() == pytest.approx(weights[90:].sum())
    assert np.array_equal(cap_shares(flood, 0.5), np.ones(90))  # alone, a reviewer is all there is


def test_slices_are_fixed_by_the_key() -> None:
    labels = [_label(f"run-{i}|g", "t", i % 3 == 0) for i in range(3000)]
    slices = [slice_of(x) for x in labels]
    assert slices == [slice_of(x) for x in labels]
    held = sum(s == "held" for s in slices) / len(slices)
    assert abs(held - HELD) < 0.03
    assert not any(s == "calibration" for x, s in zip(labels, slices, strict=True) if not x.needs_person)


def test_too_few_labels_or_positives_refuse_the_refit() -> None:
    few = [_label(f"k{i}", ROUTINE[i % 6], False) for i in range(20)]
    result = evaluate_refit(default_router(), default_router(), few, target=0.9, confidence=0.9)
    assert not result.accepted and "at least 50" in result.reasons[0]


def test_a_refit_that_lowers_held_back_recall_is_refused() -> None:
    """Poisoned fit labels teach that asking for a person needs nobody; the held-back slice catches it."""
    base = default_router()
    labels: list[Label] = []
    # Calibration positives are billing complaints; held-back positives ask for a person.
    labels += [_label(k, BILLING[i % 4], True) for i, k in enumerate(_keyed("calibration", 24))]
    labels += [_label(k, NEEDY[i % 5], True) for i, k in enumerate(_keyed("held", 12, 10_000))]
    # The fit slice says requests for a person are routine, and billing complaints are not.
    fit_keys = _keyed("fit", 60, 20_000)
    labels += [_label(k, NEEDY[i % 5], False) for i, k in enumerate(fit_keys[:30])]
    labels += [_label(k, BILLING[i % 4], True) for i, k in enumerate(fit_keys[30:40])]
    labels += [_label(k, ROUTINE[i % 6], False) for i, k in enumerate(fit_keys[40:])]
    result = evaluate_refit(base, base, labels, target=0.9, confidence=0.6, strength=1.0)
    f = result.figures
    assert f["held_recall_active"] == 1.0 and f["held_recall_new"] < 0.9
    assert not result.accepted and any("lowers recall on the held-back slice" in r for r in result.reasons)


def test_a_sound_refit_on_enough_labels_is_accepted() -> None:
    base = default_router()
    labels: list[Label] = []
    for i in range(160):
        needed = i % 2 == 0
        text = (NEEDY + BILLING)[i % 9] if needed else ROUTINE[i % 6]
        labels.append(_label(f"run-{i}|review_reply", f"{text} ({i})", needed))
    result = evaluate_refit(base, base, labels, target=0.8, confidence=0.8, min_held_positives=5)
    assert result.accepted, result.reasons
    assert result.figures["held_recall_new"] >= 0.8 and result.router is not None
    assert "Refit accepted" in result.summary()
