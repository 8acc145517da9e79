"""The audit chain's HMAC key: kept in a file outside the database, created on first use (mode 0600).

Whoever can rewrite the database cannot re-hash the chain without this key. The file lives at
``HUMANGATE_AUDIT_KEY_FILE`` when set, else next to a SQLite database (``humangate.db.audit-key``),
else under ``~/.config/humangate/`` named after the database URL.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from pathlib import Path

from humangate.config import Settings
from humangate.errors import ConfigError

__all__ = ["audit_key_path", "load_audit_key"]

_KEY_BYTES = 32


def audit_key_path(settings: Settings) -> Path:
    """Return where the audit key of ``settings``' database lives."""
    if settings.audit_key_file is not None:
        return settings.audit_key_file
    db = settings.database
    if db.sqlite_path is not None:
        return db.sqlite_path.with_name(db.sqlite_path.name + ".audit-key")
    tag = hashlib.sha256(db.redacted().encode()).hexdigest()[:16]
    return Path.home() / ".config" / "humangate" / f"audit-{tag}.key"


def load_audit_key(
    path: Path, *, label: str = "audit key", env: str = "HUMANGATE_AUDIT_KEY_FILE"
) -> tuple[bytes, bool]:
    """Return the key stored at ``path`` and whether it was created just now.

    ``label`` and ``env`` name the key in messages, so that other server keys kept the same way (the
    review links' key) say which file is wrong and which variable moves it.
    """
    if path.exists():
        return _read(path, label), False
    key = secrets.token_bytes(_KEY_BYTES)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key.hex() + "\n")
        # A hard link appears whole or not at all: two processes starting together agree on one key.
        os.link(temp, path)
    except FileExistsError:
        return _read(path, label), False
    except OSError as exc:
        raise ConfigError(f"Cannot create the {label} {path}: {exc.strerror}; set {env}.") from None
    finally:
        temp.unlink(missing_ok=True)
    return key, True


def _read(path: Path, label: str) -> bytes:
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read the {label} {path}: {exc}.") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"The {label} {path} is readable by others; run `chmod 600 {path}`.")
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise ConfigError(f"The {label} {path} is not a hex key of at least 16 bytes; restore it from a backup.")
    return key
