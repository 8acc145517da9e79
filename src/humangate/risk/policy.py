"""``RiskPolicy``: thresholds, roles, dwell times and sampling per graph and node, kept in a TOML file.

A workflow owner edits the file, not the code::

    version = "2026-11-acme-3"

    [defaults]
    confidence_threshold = 0.85
    review_from = "medium"
    sampling_rate = 0.05

    [defaults.roles]
    critical = "expert"

    [overrides.outreach]              # every gate of the outreach graph
    always_review = true

    [overrides."support.review_reply"]  # one gate
    confidence_threshold = 0.9
    watch_terms = { refund = ["goodwill gesture"] }

Settings resolve from ``defaults``, then ``overrides.GRAPH``, then ``overrides."GRAPH.NODE"``; tables
of levels (``roles``, ``min_dwell_seconds``, ``thresholds``) merge key by key. The policy's ``version``
is stored in every ``RiskAssessment`` it produced.
"""

from __future__ import annotations

import re
import tomllib
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from humangate.core.contract import RISK_LEVELS, ROLES, RiskLevel, Role
from humangate.core.gate_policy import GatePolicy
from humangate.errors import ConfigError
from humangate.risk.terms import TERM_CATEGORIES, TermCategory

__all__ = ["DEFAULT_POLICY_VERSION", "NodeOverrides", "NodeSettings", "RiskPolicy", "Thresholds"]

DEFAULT_POLICY_VERSION = "builtin-1"
_Score = Annotated[float, Field(ge=0.0, le=1.0)]
_Rate = Annotated[float, Field(gt=0.0, lt=1.0)]
_Seconds = Annotated[float, Field(ge=0.0, le=86_400.0)]
_Minutes = Annotated[float, Field(ge=0.0, le=525_600.0)]
_KEY = re.compile(r"^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)?$")
_ScoredLevel = Literal["medium", "high", "critical"]


def _ordered(mapping: dict[Any, Any], order: tuple[str, ...]) -> dict[Any, Any]:
    """Return ``mapping`` in a fixed key order, so that TOML output is stable."""
    return {k: mapping[k] for k in order if k in mapping}


class Thresholds(BaseModel):
    """Lowest combined score of each level above ``low``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    medium: _Score = 0.3
    high: _Score = 0.6
    critical: _Score = 0.85

    @model_validator(mode="after")
    def _ascending(self) -> Thresholds:
        if not 0.0 < self.medium < self.high < self.critical <= 1.0:
            raise ValueError(
                f"thresholds must rise: 0 < medium < high < critical <= 1 "
                f"(got medium={self.medium}, high={self.high}, critical={self.critical})"
            )
        return self

    def level(self, score: float) -> RiskLevel:
        """Return the level a combined score reaches."""
        if score >= self.critical:
            return "critical"
        if score >= self.high:
            return "high"
        if score >= self.medium:
            return "medium"
        return "low"

    def floor(self, level: RiskLevel) -> float:
        """Return the lowest score of ``level``."""
        return {"low": 0.0, "medium": self.medium, "high": self.high, "critical": self.critical}[level]


def _default_roles() -> dict[RiskLevel, Role]:
    return {"low": "reviewer", "medium": "reviewer", "high": "reviewer", "critical": "expert"}


def _default_sla() -> dict[RiskLevel, float]:
    # Minutes a reviewer has at each step of the escalation chain before the item moves up (or fails closed).
    return {"low": 1440.0, "medium": 480.0, "high": 240.0, "critical": 60.0}


def _default_chain() -> list[Role]:
    return ["reviewer", "expert", "owner"]


def _default_approvals() -> dict[RiskLevel, int]:
    return {"low": 1, "medium": 1, "high": 1, "critical": 1}


def _default_dwell() -> dict[RiskLevel, float]:
    # Off by default so that command-line and scripted reviews work as they come; an owner who wants
    # reviewers to look before approving sets e.g. high = 5 and critical = 15 (enforced by the service).
    return {"low": 0.0, "medium": 0.0, "high": 0.0, "critical": 0.0}


class NodeSettings(BaseModel):
    """The resolved settings of one gate (graph and node)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    confidence_threshold: _Score = Field(0.85, description="A proposal whose confidence is below this is flagged.")
    thresholds: Thresholds = Field(default_factory=Thresholds)
    review_from: RiskLevel = Field("medium", description="Lowest level that pauses for a human.")
    always_review: bool = Field(False, description="Pause for every proposal, whatever its level.")
    roles: dict[RiskLevel, Role] = Field(default_factory=_default_roles)
    min_dwell_seconds: dict[RiskLevel, _Seconds] = Field(default_factory=_default_dwell)
    sampling_rate: _Score = Field(0.05, description="Share of auto-passed proposals marked for a later audit.")
    watch_terms: dict[TermCategory, list[str]] = Field(
        default_factory=dict, description="More phrases per policy-term category."
    )
    memory_trigger: bool = Field(True, description="Raise the risk of proposals like ones reviewers overrode.")
    memory_similarity: _Score | None = Field(
        None, description="Similarity from which a past correction counts as the same pattern (None: the embedder's)."
    )
    autonomy_after: int = Field(
        5, ge=0, le=1_000, description="Similar approvals in a row that let a pattern pass unreviewed (0: never)."
    )
    autonomy_max_level: RiskLevel = Field("high", description="Highest level earned autonomy may pass.")
    autonomy_sampling_rate: _Score = Field(0.2, description="Share of autonomy passes marked for a later audit.")
    sla_minutes: dict[RiskLevel, _Minutes] = Field(
        default_factory=_default_sla, description="Minutes per escalation step before an item moves up (0: no SLA)."
    )
    escalation_chain: list[Role] = Field(
        default_factory=_default_chain,
        description="Who an overdue item goes to next; past the last, the item fails closed (rejected).",
    )
    approvals_needed: dict[RiskLevel, Annotated[int, Field(ge=1, le=10)]] = Field(
        default_factory=_default_approvals, description="Distinct reviewers who must approve (M of N)."
    )
    canary_rate: _Score = Field(0.0, description="Share of queued items joined by a seeded known-bad test item.")
    audit_rate: _Score = Field(0.05, description="Share of approved items queued for a blind second look.")
    target_recall: _Rate = Field(0.95, description="Share of must-escalate messages the router must send to a person.")
    recall_confidence: _Rate = Field(
        0.9, description="Confidence with which the router's threshold meets target_recall."
    )
    hold_unsafe_readings: bool = Field(
        True,
        description="Support: a message the router passes is still held when the analyst reads it, or an earlier "
        "turn of its thread, as a complaint, negative, urgent or sarcastic (false: the router and hard rules only).",
    )
    second_opinion_recall: _Rate = Field(
        0.99,
        description="With a chat model: messages the router passes but scores at or above the threshold for this "
        "recall go to the model's rubric, and the model's call to escalate holds them.",
    )

    @field_validator("roles", "min_dwell_seconds", "sla_minutes", "approvals_needed")
    @classmethod
    def _every_level(cls, value: dict[str, Any]) -> dict[str, Any]:
        missing = [lvl for lvl in RISK_LEVELS if lvl not in value]
        if missing:
            raise ValueError(f"needs a value for every level; missing: {', '.join(missing)}")
        return _ordered(value, RISK_LEVELS)

    @field_validator("watch_terms")
    @classmethod
    def _term_order(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return _ordered(value, TERM_CATEGORIES)

    @field_validator("escalation_chain")
    @classmethod
    def _chain_rises(cls, value: list[Role]) -> list[Role]:
        ranks = [ROLES.index(r) for r in value]
        if not value or ranks != sorted(set(ranks)):
            raise ValueError("the escalation chain lists rising roles, e.g. [reviewer, expert, owner]")
        return value

    @model_validator(mode="after")
    def _roles_rise(self) -> NodeSettings:
        ranks = [ROLES.index(self.roles[lvl]) for lvl in RISK_LEVELS]
        if ranks != sorted(ranks):
            raise ValueError("roles must not fall as the level rises (critical needs at least the role of high)")
        if self.second_opinion_recall < self.target_recall:
            raise ValueError(
                "second_opinion_recall must be at least target_recall: the model is asked about the messages "
                "the router passes, from the stricter threshold up"
            )
        return self


class NodeOverrides(BaseModel):
    """Settings that replace the defaults for one graph or one gate; unset fields inherit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    confidence_threshold: _Score | None = None
    thresholds: dict[_ScoredLevel, _Score] | None = None
    review_from: RiskLevel | None = None
    always_review: bool | None = None
    roles: dict[RiskLevel, Role] | None = None
    min_dwell_seconds: dict[RiskLevel, _Seconds] | None = None
    sampling_rate: _Score | None = None
    watch_terms: dict[TermCategory, list[str]] | None = None
    memory_trigger: bool | None = None
    memory_similarity: _Score | None = None
    autonomy_after: Annotated[int, Field(ge=0, le=1_000)] | None = None
    autonomy_max_level: RiskLevel | None = None
    autonomy_sampling_rate: _Score | None = None
    sla_minutes: dict[RiskLevel, _Minutes] | None = None
    escalation_chain: list[Role] | None = None
    approvals_needed: dict[RiskLevel, Annotated[int, Field(ge=1, le=10)]] | None = None
    canary_rate: _Score | None = None
    audit_rate: _Score | None = None
    target_recall: _Rate | None = None
    recall_confidence: _Rate | None = None
    hold_unsafe_readings: bool | None = None
    second_opinion_recall: _Rate | None = None

    @field_validator("thresholds", "roles", "min_dwell_seconds", "sla_minutes", "approvals_needed")
    @classmethod
    def _level_order(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if value is None else _ordered(value, RISK_LEVELS)

    @field_validator("watch_terms")
    @classmethod
    def _term_order(cls, value: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
        return None if value is None else _ordered(value, TERM_CATEGORIES)


class RiskPolicy(BaseModel):
    """Who looks at what: thresholds, roles, dwell and sampling, per graph and node, with a version."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(DEFAULT_POLICY_VERSION, min_length=1, max_length=100)
    defaults: NodeSettings = Field(default_factory=NodeSettings)
    overrides: dict[str, NodeOverrides] = Field(default_factory=dict)

    @field_validator("overrides")
    @classmethod
    def _keys(cls, value: dict[str, NodeOverrides]) -> dict[str, NodeOverrides]:
        for key in value:
            if not _KEY.match(key):
                raise ValueError(f'override key {key!r} must be "GRAPH" or "GRAPH.NODE" (letters, digits, _ and -)')
        return value

    @model_validator(mode="after")
    def _overrides_resolve(self) -> RiskPolicy:
        for key in self.overrides:
            graph, _, node = key.partition(".")
            try:
                self.settings(graph, node or None)
            except ConfigError as err:
                raise ValueError(str(err)) from None
        return self

    @cached_property
    def _resolved(self) -> dict[tuple[str, str | None], tuple[NodeSettings, dict[str, NodeOverrides], NodeSettings]]:
        """Settings already merged, with the ``defaults`` and ``overrides`` they were merged from."""
        return {}

    def settings(self, graph: str, node: str | None = None) -> NodeSettings:
        """Return the settings of a gate: defaults, then the graph's overrides, then the node's."""
        # Merged once per gate: every start and decision asks, and merging re-validates (~0.1 ms). The
        # policy is frozen; the identity check covers ``model_copy(update=...)``, which shares this cache.
        hit = self._resolved.get((graph, node))
        if hit is not None and hit[0] is self.defaults and hit[1] is self.overrides:
            return hit[2]
        resolved = self._merge(graph, node)
        self._resolved[(graph, node)] = (self.defaults, self.overrides, resolved)
        return resolved

    def _merge(self, graph: str, node: str | None) -> NodeSettings:
        merged = self.defaults.model_dump()
        for key in (graph, f"{graph}.{node}" if node else None):
            override = self.overrides.get(key) if key else None
            if override is None:
                continue
            for name, value in override.model_dump(exclude_none=True).items():
                merged[name] = {**merged[name], **value} if isinstance(value, dict) else value
        try:
            return NodeSettings.model_validate(merged)
        except ValidationError as err:
            where = f'overrides for "{graph}.{node}"' if node else f'overrides for "{graph}"'
            raise ConfigError(f"The risk policy's {where} do not combine with the defaults: {_describe(err)}") from None

    def gate_policy(self, graph: str, node: str) -> GatePolicy:
        """Return the roles and minimum dwell the gate ``graph.node`` enforces."""
        s = self.settings(graph, node)
        return GatePolicy(
            roles=dict(s.roles),
            min_dwell_seconds=dict(s.min_dwell_seconds),
            sla_seconds={level: minutes * 60.0 for level, minutes in s.sla_minutes.items()},
            escalation_chain=tuple(s.escalation_chain),
            approvals_needed=dict(s.approvals_needed),
        )

    @classmethod
    def from_toml(cls, path: str | Path) -> RiskPolicy:
        """Load a policy from a TOML file; raise ``ConfigError`` naming the bad key and what is allowed."""
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as err:
            raise ConfigError(f"Cannot read the risk policy file {p}: {err.strerror or err}.") from None
        return cls.from_toml_text(text, source=str(p))

    @classmethod
    def from_toml_text(cls, text: str, *, source: str = "the risk policy") -> RiskPolicy:
        """Parse a policy from TOML text (see ``from_toml``)."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{source} is not valid TOML: {err}. Fix the syntax and load it again.") from None
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            raise ConfigError(f"{source} has errors: {_describe(err)}") from None

    def to_toml(self) -> str:
        """Return the policy as TOML that ``from_toml_text`` reads back to an equal policy."""
        data: dict[str, Any] = {
            "version": self.version,
            "defaults": self.defaults.model_dump(mode="json", exclude_none=True),
            "overrides": {k: v.model_dump(mode="json", exclude_none=True) for k, v in sorted(self.overrides.items())},
        }
        return tomli_w.dumps(data)


_ALLOWED: dict[str, str] = {
    "top": "version, defaults, overrides",
    "settings": ", ".join(NodeSettings.model_fields),
    "thresholds": "medium, high, critical",
    "levels": ", ".join(RISK_LEVELS),
    "terms": ", ".join(TERM_CATEGORIES),
}


def _allowed_at(loc: tuple[int | str, ...]) -> str:
    """Return the keys allowed where an unknown key was found."""
    if len(loc) <= 1:
        return _ALLOWED["top"]
    section = loc[0]
    depth = 1 if section == "defaults" else 2
    if len(loc) == depth + 1:
        return _ALLOWED["settings"]
    field = str(loc[depth])
    return {"thresholds": _ALLOWED["thresholds"], "watch_terms": _ALLOWED["terms"]}.get(field, _ALLOWED["levels"])


def _key_path(loc: tuple[int | str, ...]) -> str:
    parts = [p if isinstance(p, str) and re.fullmatch(r"[A-Za-z0-9_-]+", p) else f'"{p}"' for p in loc]
    return ".".join(str(p) for p in parts) or "(top level)"


def _describe(err: ValidationError) -> str:
    """Turn pydantic's errors into sentences naming each key and what it accepts."""
    lines = []
    for e in err.errors():
        loc = tuple(x for x in e["loc"] if not (isinstance(x, str) and x.startswith("[")))
        key = _key_path(loc)
        if e["type"] == "extra_forbidden":
            lines.append(f"`{key}` is not a known key; allowed here: {_allowed_at(loc)}")
        elif e["type"] == "missing":
            lines.append(f"`{key}` is required")
        else:
            msg = str(e["msg"]).removeprefix("Value error, ")
            lines.append(f"`{key}`: {msg} (got {e.get('input')!r})")
    return "; ".join(lines) + "."
