"""Export the audit trail as JSON Lines, each decision with the exact ReviewRequest its reviewer saw.

One line per event, in ``seq`` order::

    {"seq": 7, "at": "2024-05-01T09:30:00.123456Z", "at_unix": 1714555800.123456, "actor": "alice",
     "kind": "decision.recorded", "run_id": "9f0c...", "item_id": 3, "payload": {...},
     "prev_hash": "...", "hash": "...",
     "review": {"decision_id": 2, "request_sha256": "...", "request_sha256_ok": true, "request_json": "{...}"}}

``review`` appears on ``decision.recorded`` lines only; for an edit it also carries ``edited_fields`` and
``edit_diff``, the changed lines of the edited proposal against the one in ``request_json`` (see
``humangate.oversight.edit_diff``; computed on export, never stored). ``request_json`` is the stored request text byte
for byte (parse it to read the request, hash it to check it); ``request_sha256`` is the hash recorded with
the decision and ``request_sha256_ok`` says whether sha256 of ``request_json`` equals it (and the hash in
the event's payload). The chain can be re-checked from the file alone: ``hash = sha256(prev_hash + c)``
with ``c = canonical({"seq", "at": repr(at_unix), "actor", "kind", "run_id", "item_id",
"payload": canonical(payload)})``, where canonical is JSON with sorted keys, no spaces and non-ASCII kept.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, datetime
from typing import Any, TextIO

from sqlalchemy import Connection, and_, select

from humangate.checkpoints.schema import audit_events, decisions, review_items
from humangate.oversight.edit_diff import recorded_edit
from humangate.oversight.metrics import parse_since

__all__ = ["DECISION_KIND", "export_audit", "parse_time"]

DECISION_KIND = "decision.recorded"
_BATCH = 1_000  # rows per round trip; Postgres streams them from a server-side cursor


def parse_time(text: str, *, now: float) -> float:
    """Turn UNIX seconds, an ISO date/time (UTC unless given) or a duration back from ``now`` into UNIX seconds."""
    try:
        value = float(text)
    except ValueError:
        pass
    else:
        if math.isfinite(value):
            return value
    try:
        return parse_since(text, now)
    except ValueError:
        raise ValueError(
            f"Cannot read --since {text!r}: give UNIX seconds (1714555800), an ISO date or time "
            "(2024-05-01, 2024-05-01T09:30:00Z) or a duration back from now (90s, 30m, 12h, 7d, 2w)."
        ) from None


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _review(row: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """Attach the request the reviewer saw and whether it still hashes to what the decision recorded."""
    request_json: str | None = row.request_json
    recorded: str | None = row.request_sha256
    actual = hashlib.sha256(request_json.encode()).hexdigest() if request_json is not None else None
    in_event = payload.get("request_sha256", recorded)
    review: dict[str, Any] = {
        "decision_id": row.decision_id,
        "request_sha256": recorded,
        "request_sha256_ok": actual is not None and actual == recorded == in_event,
        "request_json": request_json,
    }
    change = recorded_edit(request_json, payload.get("decision"))
    if change is not None:
        review["edited_fields"] = change.fields
        review["edit_diff"] = change.diff
    return review


def export_audit(conn: Connection, out: TextIO, *, since: float | None = None, run_id: str | None = None) -> int:
    """Write the audit events (optionally since a time, of one run) to ``out`` as JSONL; return the line count."""
    e, ri, d = audit_events, review_items, decisions
    is_decision = e.c.kind == DECISION_KIND
    stmt = (
        select(e, ri.c.request_json, d.c.id.label("decision_id"), d.c.request_sha256)
        .select_from(
            e.outerjoin(ri, and_(is_decision, ri.c.id == e.c.item_id)).outerjoin(
                d, and_(is_decision, d.c.item_id == e.c.item_id)
            )
        )
        .order_by(e.c.seq)
        .execution_options(yield_per=_BATCH)
    )
    if since is not None:
        stmt = stmt.where(e.c.at >= since)
    if run_id is not None:
        stmt = stmt.where(e.c.run_id == run_id)
    lines = 0
    for row in conn.execute(stmt):
        payload = json.loads(row.payload_json)
        line: dict[str, Any] = {
            "seq": row.seq,
            "at": _iso(row.at),
            "at_unix": row.at,
            "actor": row.actor,
            "kind": row.kind,
            "run_id": row.run_id,
            "item_id": row.item_id,
            "payload": payload,
            "prev_hash": row.prev_hash,
            "hash": row.hash,
        }
        if row.kind == DECISION_KIND:
            line["review"] = _review(row, payload)
        out.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
        lines += 1
    return lines
