"""Side effects exactly once: an outbox row per idempotency key, and a file mailer that honours it.

A node after a gate calls ``Outbox.deliver``; the key is ``run id : node : attempt``. A replay after
a crash finds the row (or the delivered file) and does not act again.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from humangate.checkpoints.database import Database, insert_ignore
from humangate.checkpoints.schema import outbox

__all__ = ["Delivery", "FileMailer", "Outbox", "effect_key"]

Handler = Callable[[Mapping[str, Any], str], Mapping[str, Any]]


def effect_key(run_id: str, node: str, attempt: int) -> str:
    """Return the idempotency key of one side effect."""
    return f"{run_id}:{node}:{attempt}"


@dataclass(frozen=True)
class Delivery:
    """The outcome of ``Outbox.deliver``."""

    key: str
    result: Mapping[str, Any]
    replayed: bool


class Outbox:
    """Records each side effect by key before and after it runs."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def deliver(
        self, *, key: str, run_id: str, node: str, kind: str, payload: Mapping[str, Any], handler: Handler
    ) -> Delivery:
        """Run ``handler(payload, key)`` unless the effect with this key was already delivered."""
        now = time.time()
        with self.db.write() as conn:
            insert_ignore(
                conn,
                outbox,
                {
                    "key": key,
                    "run_id": run_id,
                    "node": node,
                    "kind": kind,
                    "payload_json": json.dumps(payload, sort_keys=True),
                    "status": "pending",
                    "attempts": 0,
                    "created_at": now,
                },
                ["key"],
            )
            row = conn.execute(select(outbox.c.status, outbox.c.result_json).where(outbox.c.key == key)).one()
            if row.status == "sent":
                return Delivery(key, json.loads(row.result_json or "{}"), replayed=True)
            conn.execute(update(outbox).where(outbox.c.key == key).values(attempts=outbox.c.attempts + 1))
        result = dict(handler(payload, key))
        with self.db.write() as conn:
            conn.execute(
                update(outbox)
                .where(outbox.c.key == key)
                .values(status="sent", result_json=json.dumps(result, sort_keys=True), sent_at=time.time())
            )
        return Delivery(key, result, replayed=False)


class FileMailer:
    """Deliver messages as ``.eml`` files in a spool folder, one file per idempotency key.

    The file appears atomically and exclusively, so a second delivery with the same key finds it and
    writes nothing.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_for(self, key: str) -> Path:
        """Return the spool file of ``key``."""
        return self.folder / (re.sub(r"[^A-Za-z0-9_.-]", "_", key) + ".eml")

    def __call__(self, payload: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        """Write the message unless its file exists; return where it is."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.path_for(key)
        if path.exists():
            return {"path": str(path), "duplicate_suppressed": True}
        message = (
            f"To: {payload.get('to', '')}\nSubject: {payload.get('subject', '')}\n"
            f"X-Humangate-Key: {key}\n\n{payload.get('body', '')}\n"
        )
        # Write a private temporary file, then link it into place: the link is atomic and exclusive,
        # so a crash never leaves a half-written message that a replay would take as delivered.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(message)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return {"path": str(path), "duplicate_suppressed": True}
        finally:
            os.unlink(tmp)
        dir_fd = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return {"path": str(path), "duplicate_suppressed": False}
