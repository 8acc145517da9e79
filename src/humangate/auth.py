"""Password hashing for panel logins: scrypt with a per-user salt, verified in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = ["MIN_PASSWORD_LENGTH", "hash_password", "verify_password"]

MIN_PASSWORD_LENGTH = 8
_MAX_PASSWORD_LENGTH = 1024
_N, _R, _P, _DKLEN = 2**14, 8, 1, 32
# A stored hash is read back from the database; refuse parameters that would cost a login minutes.
_MAX_N = 2**20
_DUMMY = "scrypt$16384$8$1$" + "00" * 16 + "$" + "00" * _DKLEN


def _derive(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=256 * n * r + 2**20)


def hash_password(password: str) -> str:
    """Return ``scrypt$N$r$p$salt$hash`` (hex) for ``password``, with a new random salt."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= _MAX_PASSWORD_LENGTH:
        raise ValueError(
            f"A password needs {MIN_PASSWORD_LENGTH} to {_MAX_PASSWORD_LENGTH} characters; choose a longer one."
        )
    salt = secrets.token_bytes(16)
    key = _derive(password, salt, _N, _R, _P, _DKLEN)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${key.hex()}"


def verify_password(password: str, stored: str | None) -> bool:
    """Return True when ``password`` matches ``stored``; takes as long for unknown users (``stored=None``)."""
    if len(password) > _MAX_PASSWORD_LENGTH:
        return False
    encoded = stored or _DUMMY
    try:
        scheme, n_text, r_text, p_text, salt_hex, key_hex = encoded.split("$")
        n, r, p = int(n_text), int(r_text), int(p_text)
        salt, key = bytes.fromhex(salt_hex), bytes.fromhex(key_hex)
    except ValueError:
        return False
    if scheme != "scrypt" or not (2 <= n <= _MAX_N and 1 <= r <= 32 and 1 <= p <= 16 and 16 <= len(key) <= 64):
        return False
    candidate = _derive(password, salt, n, r, p, len(key))
    return hmac.compare_digest(candidate, key) and stored is not None
