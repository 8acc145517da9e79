"""What memory stores: the correction, its kinds, a search match, and how a decision becomes one.

Private to ``humangate.memory``; ``humangate.memory.store`` exports the public names.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, select

from humangate.checkpoints.schema import corrections
from humangate.errors import InvalidInputError, UnknownCorrectionError
from humangate.memory._held import Held, encode_held, signatures_of
from humangate.memory.redact import redact, redact_value

__all__ = [
    "COLUMNS",
    "CORRECTION_KINDS",
    "DONE",
    "MAX_TEXT",
    "OVERRIDE_KINDS",
    "Correction",
    "Match",
    "PreparedCorrection",
    "decision_fields",
    "load_correction",
    "redacted",
    "vector_literal",
]

CORRECTION_KINDS = ("approve", "edit", "reject", "redirect", "escalate")
OVERRIDE_KINDS = frozenset({"edit", "reject", "redirect", "escalate"})
DONE = {"approve": "approved", "edit": "edited", "reject": "rejected", "redirect": "sent back", "escalate": "escalated"}
"""What each kind of correction did, as a past participle for sentences a reviewer reads."""
MAX_TEXT = 20_000  # characters of a text memory keeps


@dataclass(frozen=True)
class Correction:
    """One stored reviewer decision: what the agent saw and proposed, and what the human did."""

    id: int
    graph: str
    node: str
    kind: str
    reviewer: str
    reason_code: str | None
    note: str | None
    situation: str
    proposal: dict[str, Any]
    corrected: dict[str, Any] | None
    instructions: str | None
    key_text: str
    active: bool
    created_at: float
    item_id: int | None
    run_id: str | None
    trigger_kinds: tuple[str, ...] = ()
    signatures: tuple[str, ...] = ()  # why it was held, reading by reading (see ``memory._held``)
    level: str | None = None  # the risk level it was assessed at; None: stored before levels were kept

    @property
    def overridden(self) -> bool:
        """Return whether the reviewer changed, refused, redirected or escalated the proposal."""
        return self.kind in OVERRIDE_KINDS

    def summary(self) -> str:
        """Return one line on what the reviewer did, for lists."""
        if self.kind == "edit" and self.corrected:
            return "edited: " + json.dumps(self.corrected, ensure_ascii=False)[:80]
        if self.kind == "redirect":
            return f"redirected: {self.instructions or ''}"[:90]
        if self.kind == "escalate":
            return f"escalated to {self.instructions or '?'}"
        return (self.note or self.key_text)[:90]

    def to_dict(self) -> dict[str, Any]:
        """Return the correction as JSON-ready data."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_row(cls, row: Any) -> Correction:
        """Build from a ``corrections`` row."""
        m = row._mapping
        held = Held.parse(m["trigger_kinds"])
        return cls(
            id=int(m["id"]),
            graph=m["graph"],
            node=m["node"],
            kind=m["kind"],
            reviewer=m["reviewer"],
            reason_code=m["reason_code"],
            note=m["note"],
            situation=m["situation"],
            proposal=json.loads(m["proposal_json"]),
            corrected=json.loads(m["corrected_json"]) if m["corrected_json"] else None,
            instructions=m["instructions"],
            key_text=m["key_text"],
            active=bool(m["active"]),
            created_at=float(m["created_at"]),
            item_id=m["item_id"],
            run_id=m["run_id"],
            trigger_kinds=held.kinds,
            signatures=held.signatures,
            level=held.level,
        )


@dataclass(frozen=True)
class PreparedCorrection:
    """A redacted, embedded correction waiting to be inserted (see ``MemoryStore.catch_up``)."""

    values: dict[str, Any]
    vector: np.ndarray


@dataclass(frozen=True)
class Match:
    """A correction found by search, with its cosine similarity to the query."""

    correction: Correction
    similarity: float


def _joined_text(proposal: Mapping[str, Any]) -> str:
    return "\n\n".join(str(v) for v in proposal.values() if isinstance(v, str))


def redacted(
    *,
    graph: str,
    node: str,
    kind: str,
    reviewer: str,
    key_text: str | None,
    proposal: Mapping[str, Any],
    situation: str = "",
    corrected: Mapping[str, Any] | None = None,
    reason_code: str | None = None,
    note: str | None = None,
    instructions: str | None = None,
    item_id: int | None = None,
    run_id: str | None = None,
    trigger_kinds: Iterable[str] = (),
    signatures: Sequence[str] = (),
    level: str | None = None,
) -> dict[str, Any]:
    """A correction's columns with every text redacted, before its key text is embedded."""
    if kind not in CORRECTION_KINDS:
        raise InvalidInputError(f"Unknown correction kind {kind!r}; use one of: {', '.join(CORRECTION_KINDS)}.")
    safe_proposal = redact_value(dict(proposal))
    # No key of its own: the proposal's text, built from the fields just redacted rather than redacted again.
    key = redact(key_text[:MAX_TEXT]) if key_text else _joined_text(safe_proposal)[:MAX_TEXT]
    return {
        "graph": graph,
        "node": node,
        "kind": kind,
        "item_id": item_id,
        "run_id": run_id,
        "reviewer": reviewer,
        "reason_code": reason_code,
        "note": redact(note) if note else None,
        "situation": redact(situation[:MAX_TEXT]),
        "proposal_json": json.dumps(safe_proposal, ensure_ascii=False),
        "corrected_json": json.dumps(redact_value(dict(corrected)), ensure_ascii=False) if corrected else None,
        "instructions": redact(instructions) if instructions else None,
        "key_text": key,
        "trigger_kinds": encode_held(trigger_kinds, signatures, level),
    }


def decision_fields(row: Any) -> dict[str, Any]:
    """What memory keeps of a queued decision: its item's request (as the reviewer saw it) and the decision."""
    request = json.loads(row.request_json)
    decision = json.loads(row.decision_json)
    assessment = request.get("assessment") or {}
    triggers = assessment.get("triggers", [])
    return {
        "graph": row.graph,
        "node": row.node,
        "kind": decision["action"],
        "reviewer": decision["reviewer"],
        "key_text": request.get("memory_key") or None,  # none: the proposal's text
        "situation": request.get("observed") or "",
        "proposal": request.get("proposal") or {},
        "corrected": decision.get("edited"),
        "reason_code": decision.get("reason_code"),
        "note": decision.get("note"),
        # For an escalation, the role it went to: the memory trigger sends the next similar one there.
        "instructions": decision.get("instructions") or decision.get("escalate_to"),
        "item_id": row.item_id,
        "run_id": row.run_id,
        # Why it was held and at what risk: earned autonomy counts only approvals of proposals held for the
        # same readings (signatures) at the same level or higher.
        "trigger_kinds": [t["kind"] for t in triggers],
        "signatures": signatures_of(triggers),
        "level": assessment.get("level"),
    }


COLUMNS = [c for c in corrections.c if c.name != "embedding"]
"""Every column of ``corrections`` but the raw embedding, which only search reads."""


def load_correction(conn: Connection, correction_id: int) -> Correction:
    """Return one correction or raise ``UnknownCorrectionError``."""
    row = conn.execute(select(*COLUMNS).where(corrections.c.id == correction_id)).first()
    if row is None:
        raise UnknownCorrectionError(correction_id)
    return Correction.from_row(row)


def vector_literal(vector: np.ndarray) -> str:
    """Return ``vector`` as pgvector's text form, for ``CAST(:v AS vector)``."""
    return "[" + ",".join(f"{x:.7g}" for x in vector.tolist()) + "]"
