"""The diff of an edit: what a reviewer changed in a proposal, computed from the stored request and the decision.

Nothing is stored for it: the request the reviewer saw (``review_items.request_json``) holds the proposal and
the recorded decision holds the edited version, so the decision record, the audit view and the export all
compute the same diff from what the hash chain already covers. A proposal is laid out as labelled lines (one
per line of a text field, one per claim or list entry) and compared with ``difflib``, so a removed claim is
one ``-`` line and a reworded sentence is a ``-`` line and a ``+`` line.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["EditChange", "changed_fields", "edit_diff", "proposal_lines", "recorded_edit"]

_CONTEXT = 1  # unchanged lines kept around each change: enough to place it, short enough to read


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "), default=str)


def _entry(value: Any) -> str:
    """Return one list entry as a line: a claim as its text and sources, anything else as compact JSON."""
    if isinstance(value, Mapping) and isinstance(value.get("text"), str):
        text = " ".join(value["text"].split())
        ids = value.get("source_ids")
        cited = f" [{', '.join(str(i) for i in ids)}]" if isinstance(ids, list) and ids else ""
        rest = {k: v for k, v in value.items() if k not in ("text", "source_ids")}
        return text + cited + (f" {_compact(rest)}" if rest else "")
    if isinstance(value, str):
        return " ".join(value.split())
    return _compact(value)


def proposal_lines(proposal: Mapping[str, Any]) -> list[str]:
    """Return ``proposal`` as labelled lines: ``body: Hi Ana,``, ``claims: Acme grew 40%. [s1]``, ``score: 0.8``."""
    lines: list[str] = []
    for key, value in proposal.items():
        if isinstance(value, str):
            lines += [f"{key}: {line}".rstrip() for line in (value.splitlines() or [""])]
        elif isinstance(value, list) and value and all(isinstance(v, Mapping | str) for v in value):
            lines += [f"{key}: {_entry(v)}" for v in value]
        else:
            lines.append(f"{key}: {_compact(value)}")
    return lines


def edit_diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Return the changed lines of ``after`` against ``before``: ``-`` removed, ``+`` added, `` `` context.

    Hunks are separated by a ``…`` line; an empty list means nothing changed.
    """
    # Fields in the proposal's order: a recorded decision may come back with its keys sorted.
    ordered = {k: after[k] for k in before if k in after} | {k: v for k, v in after.items() if k not in before}
    out: list[str] = []
    raw = difflib.unified_diff(proposal_lines(before), proposal_lines(ordered), n=_CONTEXT, lineterm="")
    for line in list(raw)[2:]:  # the first two lines name the files: there are none
        if line.startswith("@@"):
            if out:
                out.append("…")
            continue
        out.append(line)
    return out


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Return the names of the fields whose values differ (added or removed ones too), in the proposal's order."""
    keys = list(before) + [k for k in after if k not in before]
    return [k for k in keys if before.get(k) != after.get(k)]


@dataclass(frozen=True)
class EditChange:
    """What one edit decision changed: the fields, and the diff lines of edited against proposed."""

    fields: list[str]
    diff: list[str]


def recorded_edit(request_json: str | None, decision: Any) -> EditChange | None:
    """Return what a recorded decision's edit changed in the stored request's proposal; None if it is no edit.

    ``request_json`` is the stored request text, ``decision`` the recorded decision (a mapping with ``edited``);
    an unreadable request gives None rather than a guess.
    """
    edited = decision.get("edited") if isinstance(decision, Mapping) else None
    if not isinstance(edited, Mapping):
        return None
    try:
        proposal = json.loads(request_json or "").get("proposal")
    except (ValueError, AttributeError):
        return None
    if not isinstance(proposal, Mapping):
        return None
    return EditChange(changed_fields(proposal, edited), edit_diff(proposal, edited))
