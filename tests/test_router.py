"""The support escalation router: the shipped model, offline, fast, calibrated, and failing closed."""

from __future__ import annotations

import re
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from humangate.agents.support import SupportAnalyst
from humangate.core.contract import RiskAssessment
from humangate.core.schemas import SupportMessage, SupportReply
from humangate.errors import ConfigError
from humangate.risk import RiskPolicy, assess_support
from humangate.risk.escalation import without_templates
from humangate.risk.router import EscalationRouter, default_router, features, model, recall_threshold

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
POLICY = RiskPolicy.model_validate({"version": "router-test", "defaults": {"sampling_rate": 0.0}})
# Calm in tone, yet each needs a person: a fault after an update, a threat to leave, money gone missing.
COMPLAINING = (
    "just did the update, now the wireless won't work, any idea?",
    "seriously considering leaving",
    "My transfer still hasn't arrived, where is my money?",
    "I've been waiting two weeks for my card and it still hasn't arrived.",
)
ROUTINE = (
    "can I pay by card today?",
    "I'll leave at 14:45.",
    "What time does the pool open?",
    "How do I change my delivery address?",
    "Can you tell me where you are now?",
    "I need it today",
    "send it!!",
)


def _assess(text: str, policy: RiskPolicy = POLICY) -> RiskAssessment:
    analysis = SupportAnalyst().run(SupportMessage(id="t", text=text))
    return assess_support(text, analysis, SupportReply(to="customer", body=analysis.suggested_reply), policy)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise OSError("the router tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture
def fresh() -> Iterator[None]:
    features.encoder.cache_clear()
    default_router.cache_clear()
    yield
    features.encoder.cache_clear()
    default_router.cache_clear()


def test_loads_from_the_package_without_the_network(no_network: None, fresh: None) -> None:
    router = EscalationRouter.load()
    assert router.positive_scores.size > 1000
    probability = router.score("The app crashes every time I open it.").probability
    assert 0.0 <= probability <= 1.0
    for name in ("weights.npz", "calibration.npz", "MODEL_CARD.md", "encoder/model.safetensors"):
        assert (model.FOLDER / name).is_file()
    card = (model.FOLDER / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert re.search(r"(?<![\w.])/(?:[\w.-]+/)+", card) is None and "GoEmotions" in card  # no absolute paths


def test_scores_hundreds_of_messages_a_second() -> None:
    router = default_router()
    texts = [f"Order {i} arrived broken and nobody answers my emails." for i in range(400)]
    router.scores(texts[:5])  # load once
    t0 = time.perf_counter()
    router.scores(texts)
    assert len(texts) / (time.perf_counter() - t0) > 300
    t0 = time.perf_counter()
    for text in texts[:100]:
        router.score(text)
    assert 100 / (time.perf_counter() - t0) > 50


def test_threshold_rises_with_a_lower_target_and_falls_with_more_confidence() -> None:
    router = default_router()
    assert router.threshold(0.8, 0.9).value > router.threshold(0.95, 0.9).value
    assert router.threshold(0.95, 0.99).value <= router.threshold(0.95, 0.9).value
    few = recall_threshold(np.asarray([0.5, 0.6, 0.7], dtype=np.float32), 0.95, 0.9)
    assert few.value == 0.0  # three positives cannot back the guarantee: everything escalates


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared evaluation data is not beside the repository")
def test_the_guarantee_holds_on_calibration_rows_the_threshold_never_saw() -> None:
    from train.train_router import load  # the same split the shipped calibration was made on

    _, cal = load(SHARED)
    scores = default_router().scores(cal.texts)
    labels = np.asarray(cal.labels)
    shipped = np.sort(default_router().positive_scores)
    assert np.allclose(np.sort(scores[labels]), shipped, atol=1e-4)  # the shipped scores are this model's
    positives = scores[labels]
    rng = np.random.default_rng(16)
    target, confidence, trials = 0.95, 0.9, 300
    held_out_recall, short = [], 0
    for _ in range(trials):
        order = rng.permutation(len(positives))
        cut = len(order) // 3
        threshold = recall_threshold(positives[order[:cut]], target, confidence)  # calibrate on a third
        unseen = positives[order[cut:]]  # judge on the other two thirds
        recall = float((unseen >= threshold.value).mean())
        held_out_recall.append(recall)
        # Below the target by more than the held-out sample's own noise (one-sided 5%): the promise failed.
        short += recall < target - 1.645 * np.sqrt(target * (1 - target) / len(unseen))
    assert np.mean(held_out_recall) >= target
    assert short / trials <= 1 - confidence  # the promise holds with at least the stated confidence


@pytest.mark.parametrize("text", COMPLAINING)
def test_calm_complaints_escalate_through_the_router(text: str) -> None:
    a = _assess(text)
    assert a.needs_review
    router = [t for t in a.triggers if t.kind == "router"]
    assert router and "recall >= 95% with 90% confidence" in router[0].reason


@pytest.mark.parametrize("text", ROUTINE)
def test_routine_messages_pass(text: str) -> None:
    a = _assess(text)
    assert not a.needs_review, [t.reason for t in a.triggers]
    assert {t.kind for t in a.triggers} <= {"impact", "sampling"}


def test_a_message_without_words_waits_however_kind_its_emoji() -> None:
    # The router cannot read emoji: its low score says nothing, so even a thankful row of them is held (fail closed).
    a = _assess("🙏🙏🙏")
    assert a.needs_review
    assert any("cannot read this message: it has no words" in t.reason for t in a.triggers)


@pytest.mark.parametrize(
    "text",
    [
        "I will take you to court over this.",
        "Someone hacked my account and made an unauthorised payment.",
        "Let me talk to a real person please.",
    ],
)
def test_hard_rules_escalate_whatever_the_router_says(text: str) -> None:
    lenient = RiskPolicy.model_validate(
        {"version": "lenient", "defaults": {"sampling_rate": 0.0, "review_from": "critical", "target_recall": 0.01}}
    )
    a = _assess(text, lenient)
    assert a.needs_review and any(t.kind == "sentiment" for t in a.triggers)


def test_only_the_customers_words_are_scored() -> None:
    ours = (
        "Thanks for reporting this. I've shared the details with our technical team, who are looking into it, "
        "and I'll update you as soon as I know more."
    )
    assert without_templates(f"> {ours}\nThe app still crashes.") == "The app still crashes."
    analysis = SupportAnalyst().run(SupportMessage(id="t", text="What time does the pool open?"))
    canned = assess_support(
        "What time does the pool open?", analysis, SupportReply(to="c", body=analysis.suggested_reply), POLICY
    )
    assert not any("commits the sender" in t.reason for t in canned.triggers)
    promised = SupportReply(to="c", body="I will send you the signed contract tomorrow.")
    assert any("commits the sender" in t.reason for t in assess_support("Hi", analysis, promised, POLICY).triggers)


@pytest.mark.parametrize(
    ("key", "value", "why"),
    [
        ("target_recall", 1.0, "less than 1"),
        ("target_recall", 0.0, "greater than 0"),
        ("recall_confidence", 1.5, "less than 1"),
    ],
)
def test_policy_refuses_a_recall_target_outside_0_and_1(key: str, value: float, why: str) -> None:
    with pytest.raises(ConfigError) as info:
        RiskPolicy.from_toml_text(f"[overrides.support]\n{key} = {value}\n", source="policy.toml")
    assert str(info.value) == f"policy.toml has errors: `overrides.support.{key}`: Input should be {why} (got {value})."


def test_policy_target_changes_the_threshold() -> None:
    policy = RiskPolicy.from_toml_text("[overrides.support]\ntarget_recall = 0.8\nrecall_confidence = 0.95\n")
    settings = policy.settings("support", "review_reply")
    assert (settings.target_recall, settings.recall_confidence) == (0.8, 0.95)
    assert RiskPolicy().settings("support").target_recall == 0.95


def test_missing_weights_fail_closed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh: None) -> None:
    shutil.copytree(model.FOLDER / "encoder", tmp_path / "encoder")
    shutil.copy(model.FOLDER / "calibration.npz", tmp_path / "calibration.npz")  # no weights.npz
    with pytest.raises(ConfigError, match="cannot be read"):
        EscalationRouter.load(tmp_path)
    monkeypatch.setattr(model, "FOLDER", tmp_path)
    a = _assess("What time does the pool open?")
    assert a.needs_review
    held = [t for t in a.triggers if t.kind == "router"]
    assert held and "could not score" in held[0].reason and "held for a person" in held[0].reason


def test_corrupt_weights_fail_closed(tmp_path: Path) -> None:
    (tmp_path / "weights.npz").write_bytes(b"not a numpy archive")
    shutil.copy(model.FOLDER / "calibration.npz", tmp_path / "calibration.npz")
    with pytest.raises(ConfigError):
        EscalationRouter.load(tmp_path)
