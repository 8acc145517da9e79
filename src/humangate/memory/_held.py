"""Why a proposal was held, as memory stores it with each correction: trigger kinds, signatures and level.

Earned autonomy counts an approval only for a proposal held for the same readings at the same risk or
lower. A trigger's *signature* is its kind plus a key of its reason (quoted text, figures and names
removed, the rest normalised and hashed), so two readings of one kind ("asks for a person", "talks of
leaving": both ``sentiment``) differ while the same reading of another message matches. They are kept
in the correction's ``trigger_kinds`` list next to the plain kinds (``kind:hash`` entries and one
``level:<level>`` entry), so no column changes; a correction stored before has neither, and never
counts towards autonomy.

Private to ``humangate.memory``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["NOT_REASONS", "Held", "encode_held", "reason_key", "signature", "signatures_of"]

NOT_REASONS = frozenset({"sampling", "memory"})
"""Trigger kinds that say nothing about the proposal itself: audit sampling and memory's own notes."""
_WIDTH = 300  # the ``trigger_kinds`` column's size
_LEVEL = "level:"
_QUOTED = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”|‘[^’\n]*’|(?<!\w)'[^'\n]*'(?!\w)")
# A capitalised word inside a sentence (a customer, company or product), as ``corrections.names_in`` reads names.
_NAME = re.compile(r"(?<=[a-z,;:]\s)[A-Z][\w&.-]*")


def reason_key(reason: str) -> str:
    """Return ``reason`` without quoted text, figures and names, folded: what the reading says, not of whom."""
    text = _NAME.sub(" ", _QUOTED.sub(" ", reason))
    return " ".join(re.sub(r"[^a-z]+", " ", text.casefold()).split())


def signature(kind: str, reason: str) -> str:
    """Return a trigger's signature: ``kind:`` and a short hash of its reason key."""
    digest = hashlib.sha256(reason_key(reason).encode()).hexdigest()[:8]
    return f"{kind}:{digest}"


def signatures_of(triggers: Iterable[Mapping[str, Any]]) -> list[str]:
    """Return the sorted, distinct signatures of the triggers (as JSON) that are reasons to hold."""
    return sorted({signature(t["kind"], t.get("reason") or "") for t in triggers if t["kind"] not in NOT_REASONS})


@dataclass(frozen=True)
class Held:
    """Why a stored proposal was held: its trigger kinds, their signatures, and its risk level (None: unknown)."""

    kinds: tuple[str, ...] = ()
    signatures: tuple[str, ...] = ()
    level: str | None = None

    @classmethod
    def parse(cls, stored: str | None) -> Held:
        """Read a ``trigger_kinds`` column value (",policy,policy:1a2b3c4d,level:medium,")."""
        entries = [e for e in (stored or "").split(",") if e]
        level = next((e[len(_LEVEL) :] for e in entries if e.startswith(_LEVEL)), None)
        sigs = tuple(e for e in entries if ":" in e and not e.startswith(_LEVEL))
        return cls(tuple(e for e in entries if ":" not in e), sigs, level)


def encode_held(kinds: Iterable[str], signatures: Sequence[str] = (), level: str | None = None) -> str:
    """Return the ``trigger_kinds`` column value; kinds only (never counted for autonomy) when the rest won't fit."""
    plain = "," + ",".join(sorted(set(kinds))) + ","
    extra = [*sorted(set(signatures)), *([_LEVEL + level] if level else [])]
    full = plain + "".join(f"{e}," for e in extra)
    return full if len(full) <= _WIDTH and extra else plain
