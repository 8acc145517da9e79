"""The HMAC signature on every webhook request: ``sign`` for the sender, ``verify`` for receivers."""

from __future__ import annotations

import hashlib
import hmac
import time

__all__ = ["DELIVERY_HEADER", "EVENT_HEADER", "SIGNATURE_HEADER", "sign", "verify"]

SIGNATURE_HEADER = "X-Humangate-Signature"
EVENT_HEADER = "X-Humangate-Event"
DELIVERY_HEADER = "X-Humangate-Delivery"


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Return the ``X-Humangate-Signature`` value for ``body`` sent at ``timestamp`` (UNIX seconds)."""
    t = int(timestamp)
    return f"t={t},v1={_mac(secret, t, body)}"


def verify(secret: str, header: str, body: bytes, *, now: float | None = None, tolerance: float = 300) -> bool:
    """Return True when ``header`` signs ``body`` under ``secret`` within ``tolerance`` seconds of ``now``."""
    now = time.time() if now is None else now
    timestamp: int | None = None
    signatures: list[bytes] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            return False
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                return False
        elif key == "v1":
            signatures.append(value.encode("ascii", "replace"))
    if timestamp is None or not signatures or abs(now - timestamp) > tolerance:
        return False
    expected = _mac(secret, timestamp, body).encode()
    # Several v1 values are allowed so that a sender can sign with an old and a new secret during a rotation.
    return any(hmac.compare_digest(expected, sig) for sig in signatures)
