"""Signed review links: an item, a link id, an expiry and optionally a reviewer, under a server key.

A link token is ``itsdangerous``'s URL-safe signed JSON (HMAC-SHA256) of ``{"l": link id, "i": item id,
"e": expiry (UNIX seconds), "u": reviewer}``. The key lives in a file outside the database, kept the
way the audit key is (``HUMANGATE_LINK_KEY_FILE``, else beside the audit key), so whoever can write the
database cannot mint links. A link only names an item: whoever opens it still signs in (or holds a
per-reviewer link), every decision goes through the Orchestrator's checks, and the link's id is spent
in ``link_uses`` when it decides, so it decides once.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itsdangerous import BadData, URLSafeSerializer

from humangate.config import Settings
from humangate.errors import ConfigError, LinkError
from humangate.oversight._audit_key import audit_key_path, load_audit_key

__all__ = ["LinkClaims", "link_key", "link_key_path", "link_url", "mint_link", "read_link", "sign_link"]

_SALT = "humangate.review-link.v1"  # a token signed for another purpose under the same key never reads as a link
_MAX_TOKEN = 1_000


@dataclass(frozen=True)
class LinkClaims:
    """What a signed link says: which item, until when, and for whom (None: whoever signs in)."""

    link_id: str
    item_id: int
    expires_at: float
    reviewer: str | None = None


def link_key_path(settings: Settings) -> Path:
    """Return where the links' key lives: ``HUMANGATE_LINK_KEY_FILE``, else beside the audit key."""
    if settings.link_key_file is not None:
        return settings.link_key_file
    audit = audit_key_path(settings)
    return audit.with_name(audit.name.replace("audit", "link") if "audit" in audit.name else audit.name + ".link")


@functools.lru_cache(maxsize=8)
def _key_at(path: Path) -> bytes:
    return load_audit_key(path, label="link key", env="HUMANGATE_LINK_KEY_FILE")[0]


def link_key(settings: Settings) -> bytes:
    """Load (or create, mode 0600) the key that signs review links."""
    return _key_at(link_key_path(settings))


def _serializer(key: bytes) -> URLSafeSerializer:
    return URLSafeSerializer(key, salt=_SALT, signer_kwargs={"digest_method": hashlib.sha256})


def sign_link(key: bytes, claims: LinkClaims) -> str:
    """Return the URL-safe token for ``claims``."""
    data: dict[str, Any] = {"l": claims.link_id, "i": claims.item_id, "e": int(claims.expires_at)}
    if claims.reviewer is not None:
        data["u"] = claims.reviewer
    return str(_serializer(key).dumps(data))


def read_link(key: bytes, token: str, *, now: float) -> LinkClaims:
    """Return the claims of a link signed with ``key``, or raise ``LinkError`` (tampered or expired)."""
    if len(token) > _MAX_TOKEN:
        raise LinkError("tampered", "This review link is not valid: it is too long to be one of ours.")
    try:
        data = _serializer(key).loads(token)
        claims = LinkClaims(
            link_id=str(data["l"]),
            item_id=int(data["i"]),
            expires_at=float(data["e"]),
            reviewer=str(data["u"]) if "u" in data else None,
        )
    except (BadData, KeyError, TypeError, ValueError):
        raise LinkError(
            "tampered",
            "This review link is not valid: it was altered or was not made by this server. "
            "Open the item in the review panel instead.",
        ) from None
    if now >= claims.expires_at:
        raise LinkError(
            "expired",
            f"This review link expired; open item {claims.item_id} in the review panel instead.",
            link_id=claims.link_id,
        )
    return claims


def mint_link(
    settings: Settings, item_id: int, *, now: float, reviewer: str | None = None, ttl_seconds: float | None = None
) -> tuple[str, LinkClaims]:
    """Return a new signed link to ``item_id`` (for ``reviewer`` alone when given) and its claims."""
    ttl = settings.link_ttl_seconds if ttl_seconds is None else ttl_seconds
    if ttl <= 0:
        raise ConfigError("A review link needs a positive lifetime in seconds.")
    claims = LinkClaims(link_id=secrets.token_hex(12), item_id=item_id, expires_at=now + ttl, reviewer=reviewer)
    return sign_link(link_key(settings), claims), claims


def link_url(settings: Settings, token: str) -> str:
    """Return the page address of a link token; needs ``HUMANGATE_PUBLIC_URL``."""
    if not settings.public_url:
        raise ConfigError(
            "Set HUMANGATE_PUBLIC_URL to where reviewers reach `humangate ui` (e.g. https://review.example.com) "
            "so that links can point there."
        )
    return f"{settings.public_url.rstrip('/')}/links/{token}"
