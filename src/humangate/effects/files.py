"""The file mailer: messages as ``.eml`` files in a spool folder. It sends nothing.

It is the offline default (no SMTP server configured) and where support replies to customers known
only by name go: back on their ticket, for the help desk to pick up.
"""

from __future__ import annotations

import email.policy
import os
import re
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from humangate.effects.messages import build_email, check_email

__all__ = ["FileMailer"]


class FileMailer:
    """Deliver messages as ``.eml`` files in a spool folder, one file per idempotency key.

    The file appears atomically and exclusively, so a second delivery with the same key finds it and
    writes nothing.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def check(self, payload: Mapping[str, Any]) -> None:
        """Refuse (``EffectRefused``) a message that may not be written."""
        check_email(payload)

    def path_for(self, key: str) -> Path:
        """Return the spool file of ``key``."""
        return self.folder / (re.sub(r"[^A-Za-z0-9_.-]", "_", key) + ".eml")

    def __call__(self, payload: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        """Write the message unless its file exists; return where it is. Refuse an unsafe one (``EffectRefused``)."""
        # Checked before the spool is touched: a refused message leaves no file and no folder behind.
        msg = build_email(payload, key)
        msg["X-Humangate-Key"] = key
        message = msg.as_bytes(policy=email.policy.SMTP)
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.path_for(key)
        if path.exists():
            return {"path": str(path), "duplicate_suppressed": True}
        # Write a private temporary file, then link it into place: the link is atomic and exclusive,
        # so a crash never leaves a half-written message that a replay would take as delivered.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        with open(tmp, "wb") as fh:
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
