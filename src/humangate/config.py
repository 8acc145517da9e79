"""Settings: one database URL for everything, read from ``HUMANGATE_*`` environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from humangate.errors import ConfigError

__all__ = ["DEFAULT_DB_URL", "DatabaseURL", "Settings"]

DEFAULT_DB_URL = "sqlite:///./humangate.db"

_GOOD_URLS = (
    "Use `sqlite:///./humangate.db` (a file relative to the current folder), "
    "`sqlite:////absolute/path/humangate.db`, or `postgresql://user:password@host:5432/dbname`."
)


@dataclass(frozen=True)
class DatabaseURL:
    """A parsed, checked database URL: SQLite file or PostgreSQL."""

    raw: str
    backend: Literal["sqlite", "postgres"]
    sqlite_path: Path | None = None

    @classmethod
    def parse(cls, url: str) -> DatabaseURL:
        """Check ``url`` and say what a good one looks like when it is not."""
        text = url.strip()
        if not text:
            raise ConfigError(f"The database URL is empty. {_GOOD_URLS}")
        scheme = text.split("://", 1)[0].lower() if "://" in text else ""
        if scheme in ("sqlite", "sqlite+pysqlite"):
            rest = text.split("://", 1)[1]
            if not rest.startswith("/") or rest == "/":
                raise ConfigError(f"SQLite URL {url!r} names no file. {_GOOD_URLS}")
            path = rest[1:]
            if path in (":memory:", "") or path.startswith("file:"):
                raise ConfigError(f"SQLite URL {url!r} is not a file; runs must survive restarts. {_GOOD_URLS}")
            return cls(raw=text, backend="sqlite", sqlite_path=Path(path))
        if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
            parts = urlsplit(text)
            if not parts.hostname and "host=" not in parts.query:
                raise ConfigError(f"PostgreSQL URL {url!r} names no host. {_GOOD_URLS}")
            return cls(raw=text, backend="postgres")
        raise ConfigError(f"Cannot use database URL {url!r}: unknown scheme {scheme or '(none)'!r}. {_GOOD_URLS}")

    @property
    def sqlalchemy_url(self) -> str:
        """Return the URL in the form SQLAlchemy's psycopg 3 / pysqlite drivers expect."""
        if self.backend == "sqlite":
            return f"sqlite:///{self.sqlite_path}"
        rest = self.raw.split("://", 1)[1]
        return f"postgresql+psycopg://{rest}"

    @property
    def libpq_url(self) -> str:
        """Return the URL as libpq (psycopg, PostgresSaver) understands it."""
        rest = self.raw.split("://", 1)[1]
        return f"postgresql://{rest}"

    def redacted(self) -> str:
        """Return the URL with any password hidden, for messages and logs."""
        if self.backend == "sqlite":
            return self.raw
        parts = urlsplit(self.libpq_url)
        if parts.password:
            netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
            return parts._replace(netloc=netloc).geturl()
        return self.raw


@dataclass(frozen=True)
class Settings:
    """Everything a humangate process needs to know, built once and passed down."""

    db_url: str = DEFAULT_DB_URL
    lease_seconds: float = 300.0
    run_lock_seconds: float = 60.0
    outbox_dir: Path = field(default_factory=lambda: Path("humangate-outbox"))
    sqlite_busy_timeout_ms: int = 30_000
    sqlite_synchronous: Literal["NORMAL", "FULL"] = "NORMAL"
    postgres_pool_size: int = 5
    policy_path: Path | None = None
    model: str | None = None
    memory: bool = True
    embeddings: str = "lexical"  # lexical | local | openai, see humangate.memory.embeddings
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_format: Literal["json", "slack"] = "json"
    audit_key_file: Path | None = None  # the audit chain's HMAC key; default: next to a SQLite file
    login_free_failures: int = 3  # failed logins per user or address before each further one locks it
    login_max_lock_seconds: float = 900.0
    public_url: str | None = None  # where reviewers reach this server; review links start with it
    link_key_file: Path | None = None  # the review links' HMAC key; default: beside the audit key
    link_ttl_seconds: float = 86_400.0  # how long a review link in a notification stays valid
    slack_signing_secret: str | None = None  # verifies Slack's button presses; unset: Slack cannot decide
    cors_origins: tuple[str, ...] = ()  # browser origins allowed to call the API (Agent Inbox); none by default

    def __post_init__(self) -> None:
        DatabaseURL.parse(self.db_url)
        if self.lease_seconds <= 0:
            raise ConfigError("HUMANGATE_LEASE_SECONDS must be a positive number of seconds.")
        if self.embeddings not in ("lexical", "local", "openai"):
            raise ConfigError(f"HUMANGATE_EMBEDDINGS must be lexical, local or openai, got {self.embeddings!r}.")
        if self.webhook_url is not None:
            if not self.webhook_url.startswith(("http://", "https://")):
                raise ConfigError(
                    f"HUMANGATE_WEBHOOK_URL must start with http:// or https://, got {self.webhook_url!r}."
                )
            if not self.webhook_secret:
                raise ConfigError("Set HUMANGATE_WEBHOOK_SECRET with HUMANGATE_WEBHOOK_URL: every webhook is signed.")
        if self.public_url is not None and not self.public_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"HUMANGATE_PUBLIC_URL must start with http:// or https://, got {self.public_url!r}; "
                "it is where reviewers reach `humangate ui`, e.g. https://review.example.com."
            )
        if self.link_ttl_seconds <= 0:
            raise ConfigError("HUMANGATE_LINK_TTL_SECONDS must be a positive number of seconds.")
        for origin in self.cors_origins:
            if origin == "*" or not origin.startswith(("http://", "https://")) or origin.count("/") != 2:
                raise ConfigError(
                    f"HUMANGATE_CORS_ORIGINS lists {origin!r}; name each origin in full, e.g. "
                    "https://inbox.example.com (no wildcard, no path)."
                )

    @property
    def database(self) -> DatabaseURL:
        """Return the parsed database URL."""
        return DatabaseURL.parse(self.db_url)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, db_url: str | None = None) -> Settings:
        """Read ``HUMANGATE_*`` variables; an explicit ``db_url`` (``--db``) wins over the environment."""
        env = os.environ if env is None else env
        kwargs: dict[str, object] = {"db_url": db_url or env.get("HUMANGATE_DB_URL") or DEFAULT_DB_URL}
        if "HUMANGATE_LEASE_SECONDS" in env:
            kwargs["lease_seconds"] = _number(env, "HUMANGATE_LEASE_SECONDS")
        if "HUMANGATE_SQLITE_SYNCHRONOUS" in env:
            value = env["HUMANGATE_SQLITE_SYNCHRONOUS"].upper()
            if value not in ("NORMAL", "FULL"):
                raise ConfigError("HUMANGATE_SQLITE_SYNCHRONOUS must be NORMAL or FULL.")
            kwargs["sqlite_synchronous"] = value
        if env.get("HUMANGATE_POLICY"):
            kwargs["policy_path"] = Path(env["HUMANGATE_POLICY"])
        if "HUMANGATE_OUTBOX_DIR" in env:
            kwargs["outbox_dir"] = Path(env["HUMANGATE_OUTBOX_DIR"])
        if "HUMANGATE_MEMORY" in env:
            value = env["HUMANGATE_MEMORY"].strip().lower()
            if value not in ("on", "off", "1", "0", "true", "false"):
                raise ConfigError("HUMANGATE_MEMORY must be on or off.")
            kwargs["memory"] = value in ("on", "1", "true")
        if env.get("HUMANGATE_EMBEDDINGS"):
            kwargs["embeddings"] = env["HUMANGATE_EMBEDDINGS"].strip().lower()
        if env.get("HUMANGATE_WEBHOOK_URL"):
            kwargs["webhook_url"] = env["HUMANGATE_WEBHOOK_URL"].strip()
            kwargs["webhook_secret"] = env.get("HUMANGATE_WEBHOOK_SECRET") or None
        if env.get("HUMANGATE_AUDIT_KEY_FILE"):
            kwargs["audit_key_file"] = Path(env["HUMANGATE_AUDIT_KEY_FILE"])
        if env.get("HUMANGATE_WEBHOOK_FORMAT"):
            value = env["HUMANGATE_WEBHOOK_FORMAT"].strip().lower()
            if value not in ("json", "slack"):
                raise ConfigError("HUMANGATE_WEBHOOK_FORMAT must be json or slack.")
            kwargs["webhook_format"] = value
        if env.get("HUMANGATE_PUBLIC_URL"):
            kwargs["public_url"] = env["HUMANGATE_PUBLIC_URL"].strip().rstrip("/")
        if env.get("HUMANGATE_LINK_KEY_FILE"):
            kwargs["link_key_file"] = Path(env["HUMANGATE_LINK_KEY_FILE"])
        if "HUMANGATE_LINK_TTL_SECONDS" in env:
            kwargs["link_ttl_seconds"] = _number(env, "HUMANGATE_LINK_TTL_SECONDS")
        if env.get("HUMANGATE_SLACK_SIGNING_SECRET"):
            kwargs["slack_signing_secret"] = env["HUMANGATE_SLACK_SIGNING_SECRET"].strip()
        if env.get("HUMANGATE_CORS_ORIGINS"):
            origins = (o.strip().rstrip("/") for o in env["HUMANGATE_CORS_ORIGINS"].split(","))
            kwargs["cors_origins"] = tuple(o for o in origins if o)
        return cls(**kwargs)  # type: ignore[arg-type]

    def with_model(self, model: str | None) -> Settings:
        """Return a copy that uses another model (``offline`` for the built-in engine)."""
        return replace(self, model=model) if model else self

    def with_db(self, db_url: str) -> Settings:
        """Return a copy that uses another database."""
        return replace(self, db_url=db_url)


def _number(env: Mapping[str, str], name: str) -> float:
    try:
        return float(env[name])
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {env[name]!r}.") from None
