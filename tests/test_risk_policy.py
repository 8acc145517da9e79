"""RiskPolicy: defaults, per-graph and per-node overrides, TOML round trip, clear errors, gate policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from humangate.core.gate_policy import GatePolicy
from humangate.core.schemas import Brief, EmailDraft
from humangate.errors import ConfigError
from humangate.risk import DEFAULT_POLICY_VERSION, NodeOverrides, RiskPolicy, assess_draft

POLICY_TOML = """
version = "2026-11-acme-3"

[defaults]
confidence_threshold = 0.8
sampling_rate = 0.1

[defaults.roles]
low = "reviewer"
medium = "reviewer"
high = "expert"
critical = "owner"

[overrides.outreach]
always_review = true

[overrides."support.review_reply"]
confidence_threshold = 0.9
min_dwell_seconds = { critical = 60 }
watch_terms = { refund = ["goodwill gesture"] }
"""


def test_defaults_match_the_issue() -> None:
    policy = RiskPolicy()
    s = policy.settings("outreach", "review_send")
    assert policy.version == DEFAULT_POLICY_VERSION
    assert s.confidence_threshold == 0.85
    assert s.roles["critical"] == "expert"
    assert s.review_from == "medium" and not s.always_review


def test_overrides_resolve_defaults_then_graph_then_node(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(POLICY_TOML)
    policy = RiskPolicy.from_toml(path)
    assert policy.version == "2026-11-acme-3"
    assert policy.settings("outreach", "review_send").always_review
    assert not policy.settings("research", "review_brief").always_review
    reply = policy.settings("support", "review_reply")
    assert reply.confidence_threshold == 0.9
    assert reply.min_dwell_seconds == {"low": 0.0, "medium": 0.0, "high": 0.0, "critical": 60.0}
    assert reply.watch_terms == {"refund": ["goodwill gesture"]}
    assert policy.settings("support", "other").confidence_threshold == 0.8


def test_gate_policy_carries_roles_and_dwell() -> None:
    policy = RiskPolicy.from_toml_text(POLICY_TOML)
    gate = policy.gate_policy("support", "review_reply")
    assert isinstance(gate, GatePolicy)
    assert gate.roles["high"] == "expert" and gate.roles["critical"] == "owner"
    assert gate.min_dwell_seconds["critical"] == 60.0


def test_toml_round_trips_exactly(tmp_path: Path) -> None:
    policy = RiskPolicy.from_toml_text(POLICY_TOML)
    text = policy.to_toml()
    again = RiskPolicy.from_toml_text(text)
    assert again == policy
    assert again.to_toml() == text
    assert RiskPolicy.from_toml_text(RiskPolicy().to_toml()) == RiskPolicy()


def test_a_changed_threshold_changes_routing() -> None:
    draft = EmailDraft(to="ana@northwind.example", subject="Hello", body="Hi Ana,\n\nGlad to connect.", confidence=0.8)
    brief = Brief(subject="Northwind", coverage=1.0, confidence=0.9)
    strict = RiskPolicy(version="strict")
    lenient = RiskPolicy.from_toml_text('version = "lenient"\n[overrides.outreach]\nconfidence_threshold = 0.7\n')
    a, b = assess_draft(draft, brief, strict), assess_draft(draft, brief, lenient)
    assert a.needs_review and a.policy_version == "strict"
    assert not b.needs_review and b.policy_version == "lenient"


def test_review_from_changes_routing() -> None:
    draft = EmailDraft(to="ana@northwind.example", subject="Hello", body="Our price is $49 per seat.", confidence=0.95)
    brief = Brief(subject="Northwind", coverage=1.0, confidence=0.9)
    assert assess_draft(draft, brief, RiskPolicy()).needs_review
    relaxed = RiskPolicy(overrides={"outreach": NodeOverrides(review_from="high")})
    assert not assess_draft(draft, brief, relaxed).needs_review


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ('version = "x"\ncolour = "red"\n', ["`colour` is not a known key", "allowed here: version, defaults"]),
        ("[defaults]\nconfidence_treshold = 0.9\n", ["`defaults.confidence_treshold`", "confidence_threshold"]),
        ('[defaults.roles]\ncritical = "boss"\n', ["`defaults.roles.critical`", "'expert'"]),
        ('[defaults.roles]\nurgent = "expert"\n', ["`defaults.roles.urgent`", "'critical'"]),
        ("[defaults]\nconfidence_threshold = 1.5\n", ["`defaults.confidence_threshold`", "less than or equal to 1"]),
        ("[defaults.thresholds]\nhigh = 0.2\n", ["thresholds must rise"]),
        ('[overrides."a.b.c"]\nalways_review = true\n', ['"GRAPH" or "GRAPH.NODE"']),
        ("[overrides.support]\nsampling = 0.2\n", ["`overrides.support.sampling` is not a known key", "sampling_rate"]),
        ('[overrides.support.roles]\nlow = "owner"\n', ['overrides for "support"', "roles must not fall"]),
        ("version = \n", ["not valid TOML"]),
    ],
)
def test_malformed_toml_names_the_key_and_what_is_allowed(text: str, fragments: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        RiskPolicy.from_toml_text(text, source="policy.toml")
    message = str(info.value)
    assert message.startswith("policy.toml ")
    for fragment in fragments:
        assert fragment in message


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Cannot read the risk policy file"):
        RiskPolicy.from_toml(tmp_path / "nope.toml")
