"""The offline reading of earlier support turns: read once, shared, read-only; and the policy key that holds it.

``agents.offline.turns.read_turn`` keeps one reading per earlier turn for the hard rules, the analyst's unsafe
readings and the task's routing rules. ``hold_unsafe_readings`` is the policy key that decides whether the
analyst's own unsafe reading holds what the router passes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from humangate.agents.offline import triage, turns
from humangate.agents.offline.triage import analyze
from humangate.core.schemas import SupportMessage
from humangate.errors import ConfigError
from humangate.risk import RiskPolicy
from humangate.risk.escalation import escalation

CALM_NOW = "Thanks, the parcel came. Any news on the invoice?"
ANGRY_BEFORE = "This is the second time I have had to write about the invoice, it is wrong again."


@pytest.fixture
def fresh() -> Iterator[None]:
    turns._read.cache_clear()
    yield
    turns._read.cache_clear()


def _lenient(flag: str) -> RiskPolicy:
    # A router target so low that it passes the calm turn: only the readings can hold it.
    return RiskPolicy.from_toml_text(f"[defaults]\ntarget_recall = 0.05\nhold_unsafe_readings = {flag}\n")


def _triggers(policy: RiskPolicy, text: str, history: list[str]) -> list[str]:
    analysis = analyze(SupportMessage(id="m", text=text, history=history))
    return [t.reason for t in escalation(analysis, text, policy.settings("support", "review_reply"), history).triggers]


def test_an_earlier_unsafe_turn_holds_the_thread_by_default() -> None:
    reasons = _triggers(_lenient("true"), CALM_NOW, [ANGRY_BEFORE])
    assert any(r.startswith("Earlier in this thread the customer wrote a message that needed") for r in reasons)
    assert RiskPolicy().settings("support", "review_reply").hold_unsafe_readings is True


def test_the_policy_key_turns_the_analyst_reading_off_and_leaves_the_hard_rules_on() -> None:
    assert _triggers(_lenient("false"), CALM_NOW, [ANGRY_BEFORE]) == []
    # Talk of a lawyer is a hard rule: no policy key lets it pass.
    reasons = _triggers(_lenient("false"), CALM_NOW, ["My lawyer will be in touch about the invoice."])
    assert any("legal" in r for r in reasons)


def test_the_key_is_checked_like_every_policy_key() -> None:
    with pytest.raises(ConfigError, match="hold_unsafe_readings"):
        RiskPolicy.from_toml_text('[overrides.support]\nhold_unsafe_readings = "sometimes"\n', source="policy.toml")
    per_gate = RiskPolicy.from_toml_text("[overrides.support]\nhold_unsafe_readings = false\n")
    assert per_gate.settings("support", "review_reply").hold_unsafe_readings is False
    assert per_gate.settings("outreach", "review_drafts").hold_unsafe_readings is True


def test_each_earlier_turn_is_read_once_across_assessments(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[str] = []
    real = triage.analyze

    def counting(message: SupportMessage) -> object:
        read.append(message.text)
        return real(message)

    monkeypatch.setattr(triage, "analyze", counting)
    history = [ANGRY_BEFORE, "Any update?", ANGRY_BEFORE]
    for _ in range(3):  # the first assessment, a re-assessment after an edit, and one more
        _triggers(_lenient("true"), CALM_NOW, history)
    assert sorted(t for t in read if t != CALM_NOW) == sorted({ANGRY_BEFORE, "Any update?"})


def test_a_reading_cannot_be_changed_by_whoever_holds_it(fresh: None) -> None:
    first = turns.read_turn(ANGRY_BEFORE)
    first.analysis.intent = "praise"
    first.analysis.signals.clear()
    with pytest.raises(TypeError):
        first.signals["complaint"] = ()  # type: ignore[index]
    again = turns.read_turn(ANGRY_BEFORE)
    assert again.analysis.intent != "praise" and again.analysis.signals
    assert again.analysis == analyze(SupportMessage(id="earlier-turn", text=ANGRY_BEFORE))
