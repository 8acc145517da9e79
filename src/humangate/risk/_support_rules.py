"""The readings of a support message that always go to a person, whatever the router says.

Hard rules: legal threats, harm, a request for a person, talk of leaving, going public (press, reviews), a customer
who is bereaved or in hospital, a disputed charge, a question or request about the customer's personal data, and a
customer taking the matter further (their bank, head office, advice, a record kept). Hard-rule words a terse
customer misspells ("refnd", "hackd") are read as they were meant. The analyst's own reading: a message it reads as
a complaint, as negative, as urgent or repeat contact, or as praise beside a problem (sarcasm) is not positively
safe, so it is not answered automatically either; nor is a curt acknowledgement or a push for more later in a
thread ("Sure." or "So?" after earlier turns), whose acceptance the system cannot see. Both apply to every earlier
customer turn of the thread as well: an earlier turn that needed a person keeps the conversation with a person,
however many calm turns follow.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from humangate.core.contract import Trigger, TriggerKind
from humangate.core.schemas import SupportAnalysis

__all__ = ["NEGATIVE", "analyst_triggers", "earlier_reading_triggers", "earlier_turn_trigger", "hard_rule_triggers"]

# A clearly negative reading: VADER's own cut-off (-0.05) reads "can I pay by card today?" as negative.
NEGATIVE = -0.25
_HARD_RULES = (
    ("legal", "The customer mentions legal action, a regulator or their legal rights; the reply needs an expert.", 0.7),
    ("harm", "The customer's message speaks of harm, danger or fraud; a person must answer it.", 0.7),
    ("wants_human", "The customer asked to talk to a person, so a person should answer.", 0.5),
    ("churn", "The customer says they may leave or cancel; keeping them may need a person's judgement.", 0.35),
    ("public", "The customer says they will go public (the press, reviews, social media); a person must answer.", 0.5),
    (
        "vulnerable",
        "The customer speaks of a death, an illness or a hospital stay; a person should answer with care.",
        0.5,
    ),
    (
        "dispute",
        "The customer disputes a charge or asks for money back; a person who can check the account must answer.",
        0.35,
    ),
    (
        "privacy",
        "The customer asks what is done with their personal data or exercises a right over it; a person must answer.",
        0.5,
    ),
    (
        "escalating",
        "The customer says they will take the matter further (their bank, head office, advice, a record kept); a "
        "person must answer.",
        0.5,
    ),
)
_THREAD_LEXICONS = {
    "legal": "legal",
    "harm": "harm",
    "wants_human": "handoff",
    "churn": "churn",
    "public": "public",
    "vulnerable": "vulnerable",
    "dispute": "dispute",
    "privacy": "privacy",
    "escalating": "escalating",
}
# The words of the hard rules a terse customer misspells ("refnd", "hackd", "scamed", "battries"): a word one
# letter short of one of them, or with two letters swapped, is read as it. Only words the router's lexicons
# would have read, and only in the hard-rule reading: the router itself reads the message as written.
_STEMS = (
    "refund",
    "refunds",
    "hacked",
    "scammed",
    "scam",
    "fraud",
    "stolen",
    "cancel",
    "cancelling",
    "lawyer",
    "solicitor",
    "attorney",
    "battery",
    "batteries",
    "injured",
    "poisoned",
    "swallowed",
)
_REAL_WORDS = frozenset({"layer", "cancer", "scar", "sam", "stole"})  # one letter from a stem, and words of their own
_WORD = re.compile(r"[A-Za-z]+")


def _near(word: str, stem: str) -> bool:
    """Return whether ``word`` is ``stem`` less one letter, or with two neighbouring letters swapped."""
    if len(word) == len(stem) - 1:
        return any(stem[:i] + stem[i + 1 :] == word for i in range(len(stem)))
    if len(word) == len(stem) and word != stem:
        diff = [i for i in range(len(word)) if word[i] != stem[i]]
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and word[diff[0]] == stem[diff[1]]
            and word[diff[1]] == stem[diff[0]]
        )
    return False


def respelled(text: str) -> str:
    """Return ``text`` with misspelled hard-rule words written out ("want refnd" -> "want refund")."""

    def fix(m: re.Match[str]) -> str:
        word = m.group(0).lower()
        if len(word) < 4 or word in _REAL_WORDS or word in _STEMS:
            return m.group(0)
        return next((stem for stem in _STEMS if _near(word, stem)), m.group(0))

    return _WORD.sub(fix, text)


def _signals(text: str) -> dict[str, list[str]]:
    """Return the lexicon phrases of ``text`` as written and as respelled; a respelled refund is a dispute."""
    from humangate.agents.offline.triage import find_signals  # lazy: agents import risk

    signals = find_signals(text)
    fixed = respelled(text)
    if fixed != text:
        for kind, hits in find_signals(fixed).items():
            kind = "dispute" if kind == "refund" else kind
            signals[kind] = list(dict.fromkeys([*signals.get(kind, []), *hits]))
    return signals


def hard_rule_triggers(analysis: SupportAnalysis, text: str, history: Sequence[str] = ()) -> list[Trigger]:
    """Return a ``sentiment`` trigger for each reading that always goes to a person, whatever the router says.

    The customer's earlier turns count too: a legal threat or a request for a person two messages ago is
    not withdrawn by a calm "any news?" now.
    """
    from humangate.agents.offline.turns import read_turn  # lazy: agents import risk

    signals = _signals(text)
    earlier: dict[str, list[str]] = {}
    for turn in history:
        for kind, hits in read_turn(turn).signals.items():
            earlier.setdefault(kind, []).extend(hits)
    found = {
        "legal": analysis.legal or "legal" in signals,
        "harm": "harm" in signals,
        "wants_human": analysis.wants_human or "handoff" in signals,
        "churn": analysis.churn or "churn" in signals,
        "public": "public" in signals,
        "vulnerable": "vulnerable" in signals,
        "dispute": "dispute" in signals,
        "privacy": "privacy" in signals,
        "escalating": "escalating" in signals,
    }
    evidence = [s for s in analysis.signals if s][:10] + [f"harm: {h}" for h in signals.get("harm", [])][:5]
    out = [
        Trigger(kind="sentiment", reason=why, score=score, evidence=evidence)
        for k, why, score in _HARD_RULES
        if found[k]
    ]
    for k, why, score in _HARD_RULES:
        said = earlier.get(_THREAD_LEXICONS[k], [])
        if said and not found[k]:
            out.append(
                Trigger(
                    kind="sentiment",
                    reason=f"Earlier in this thread: {why}",
                    score=score,
                    evidence=[f"earlier turn: {h}" for h in said][:5],
                )
            )
    return out


def _unsafe_readings(
    analysis: SupportAnalysis, text: str, signals: dict[str, list[str]] | None = None
) -> tuple[list[str], list[str]]:
    """Return what in the analyst's reading of ``text`` is not positively safe, and the words that show it.

    ``signals`` are the lexicon phrases of ``text`` when the caller has them already.
    """
    from humangate.agents.offline.triage import find_signals, mixed_praise  # lazy: agents import risk

    signals = find_signals(text) if signals is None else signals
    sneer = mixed_praise(text, signals)
    reasons: list[str] = []
    if analysis.intent == "complaint" or "complaint" in signals:
        reasons.append("it reads as a complaint")
    if analysis.label == "negative" and analysis.sentiment <= NEGATIVE:
        reasons.append(f"its tone reads as negative ({analysis.sentiment:+.2f})")
    if analysis.urgency == "high" or "urgency" in signals:
        reasons.append("it is urgent or says the customer has had to ask before")
    if sneer:
        reasons.append("it praises beside a problem, which reads as sarcasm")
    curt = [s for s in analysis.signals if s.startswith("curt: ")]
    if curt:
        reasons.append("it is a curt reply or a push for more later in a thread, which cannot be read as satisfied")
    evidence = [f"{k}: {h}" for k in ("complaint", "urgency") for h in signals.get(k, [])] + [
        f"sarcasm: {h}" for h in sneer
    ]
    evidence += curt
    return reasons, evidence[:10]


def analyst_triggers(analysis: SupportAnalysis, text: str) -> list[Trigger]:
    """Return a held ``sentiment`` trigger when the analyst's own reading of the message is negative."""
    reasons, evidence = _unsafe_readings(analysis, text)
    if not reasons:
        return []
    return [
        Trigger(
            kind="sentiment",
            reason=f"The support analyst's own reading is not safe to answer automatically: {'; '.join(reasons)}.",
            score=0.3,
            evidence=evidence or [s for s in analysis.signals if s][:10],
        )
    ]


def earlier_turn_trigger(kind: TriggerKind, reason: str, turn: str) -> Trigger:
    """Return the held trigger for an earlier customer turn that needed a person, quoting the turn."""
    return Trigger(kind=kind, reason=reason, score=0.3, evidence=[f"earlier turn: {turn[:200]}"])


def earlier_reading_triggers(history: Sequence[str]) -> list[Trigger]:
    """Return a held trigger for the first earlier customer turn whose own reading needed a person."""
    from humangate.agents.offline.turns import read_turn  # lazy: agents import risk

    for turn in history:
        if not turn.strip():
            continue
        reading = read_turn(turn)
        reasons, _ = _unsafe_readings(reading.analysis, reading.text, reading.signal_lists())
        if reasons:
            why = "; ".join(reasons)
            return [
                earlier_turn_trigger(
                    "sentiment",
                    f"Earlier in this thread the customer wrote a message that needed a person ({why}); calm "
                    "turns since do not withdraw it.",
                    turn,
                )
            ]
    return []
