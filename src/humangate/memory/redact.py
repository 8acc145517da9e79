"""Redact personal data before a correction is stored: memory keeps the lesson, not the person."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from humangate.risk.pii import find_pii

__all__ = ["redact", "redact_value"]


@lru_cache(maxsize=4096)  # a decision's key text is usually its proposal's body: redact it once
def redact(text: str) -> str:
    """Return ``text`` with every piece of personal data replaced by its kind, e.g. ``<EMAIL>``."""
    if not text:
        return text
    out: list[str] = []
    last = 0
    for match in find_pii(text):
        out.append(text[last : match.start])
        out.append(f"<{match.entity}>")
        last = match.end
    out.append(text[last:])
    return "".join(out)


def redact_value(value: Any) -> Any:
    """Return ``value`` (JSON-like) with every string in it redacted."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_value(v) for v in value]
    return value
