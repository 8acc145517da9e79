"""Settings: one database URL for everything, read from ``HUMANGATE_*`` environment variables."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from humangate.errors import ConfigError

__all__ = ["DEFAULT_DB_URL", "DatabaseURL", "Settings", "parse_duration"]

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
    # Web pages a task names: networks fetched beyond public addresses (e.g. "10.0.0.0/8"), deadline, size.
    fetch_allow: tuple[str, ...] = ()
    fetch_timeout_seconds: float = 20.0
    fetch_max_bytes: int = 5_000_000
    search_provider: str | None = None  # "brave", with search_key; off when unset
    search_key: str | None = None
    search_url: str | None = None
    # Sending (see humangate.effects): without an SMTP host, email goes to the spool folder and nobody gets it.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_from: str | None = None  # the From of every email: "Support <support@example.com>"
    smtp_timeout: float = 20.0
    smtp_ca_file: Path | None = None  # a private CA to trust besides the system's, e.g. for an internal relay
    slack_webhook_url: str | None = field(default=None, repr=False)  # the path is the secret
    outbox_max_attempts: int = 8  # then the item goes back to a person; waits double from 30 s, capped at 30 min
    refit_every_seconds: float | None = None  # the panel refits escalation routers this often; None: never
    public_url: str | None = None  # where reviewers reach this server; review links start with it
    link_key_file: Path | None = None  # the review links' HMAC key; default: beside the audit key
    link_ttl_seconds: float = 86_400.0  # how long a review link in a notification stays valid
    slack_signing_secret: str | None = None  # verifies Slack's button presses; unset: Slack cannot decide
    cors_origins: tuple[str, ...] = ()  # browser origins allowed to call the API (Agent Inbox); none by default
    # Runs on workers (humangate.runtime): embedded = `run`, `demo` and `ui` start a worker pool inside;
    # external = only `humangate worker` processes run jobs. Jobs at once per worker; per model endpoint,
    # calls at once and requests and tokens per minute (None: unlimited).
    workers: Literal["embedded", "external"] = "embedded"
    worker_concurrency: int = 16
    model_concurrency: int = 16
    model_rpm: float | None = None
    model_tpm: float | None = None

    def __post_init__(self) -> None:
        DatabaseURL.parse(self.db_url)
        if self.lease_seconds <= 0:
            raise ConfigError("HUMANGATE_LEASE_SECONDS must be a positive number of seconds.")
        if self.refit_every_seconds is not None and self.refit_every_seconds < 60:
            raise ConfigError(
                "HUMANGATE_REFIT_EVERY must be at least a minute (e.g. 24h, 7d), or unset to switch it off."
            )
        if self.embeddings not in ("lexical", "local", "openai"):
            raise ConfigError(f"HUMANGATE_EMBEDDINGS must be lexical, local or openai, got {self.embeddings!r}.")
        if self.webhook_url is not None:
            if not self.webhook_url.startswith(("http://", "https://")):
                raise ConfigError(
                    f"HUMANGATE_WEBHOOK_URL must start with http:// or https://, got {self.webhook_url!r}."
                )
            if not self.webhook_secret:
                raise ConfigError("Set HUMANGATE_WEBHOOK_SECRET with HUMANGATE_WEBHOOK_URL: every webhook is signed.")
        for network in self.fetch_allow:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ConfigError(
                    f"HUMANGATE_FETCH_ALLOW holds {network!r}, which is not a network; "
                    "write addresses or networks separated by commas, e.g. 10.0.0.0/8,192.168.1.20."
                ) from None
        if self.fetch_timeout_seconds <= 0 or self.fetch_max_bytes <= 0:
            raise ConfigError("HUMANGATE_FETCH_TIMEOUT and HUMANGATE_FETCH_MAX_BYTES must be positive numbers.")
        if self.search_provider is not None:
            if self.search_provider not in ("brave",):
                raise ConfigError(f"HUMANGATE_SEARCH_PROVIDER must be brave, got {self.search_provider!r}.")
            if not self.search_key:
                raise ConfigError(
                    "Set HUMANGATE_SEARCH_KEY with HUMANGATE_SEARCH_PROVIDER: the search API needs a key."
                )
            if self.search_url is not None and not self.search_url.startswith(("http://", "https://")):
                raise ConfigError(f"HUMANGATE_SEARCH_URL must start with http:// or https://, got {self.search_url!r}.")
        _check_sending(self)
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

        if self.workers not in ("embedded", "external"):
            raise ConfigError(f"HUMANGATE_WORKERS must be embedded or external, got {self.workers!r}.")
        if self.worker_concurrency < 1 or self.model_concurrency < 1:
            raise ConfigError("HUMANGATE_WORKER_CONCURRENCY and HUMANGATE_MODEL_CONCURRENCY must be at least 1.")
        if (self.model_rpm is not None and self.model_rpm <= 0) or (self.model_tpm is not None and self.model_tpm <= 0):
            raise ConfigError("HUMANGATE_MODEL_RPM and HUMANGATE_MODEL_TPM must be positive numbers (unset: no limit).")

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
        if env.get("HUMANGATE_REFIT_EVERY"):
            kwargs["refit_every_seconds"] = parse_duration(env["HUMANGATE_REFIT_EVERY"], "HUMANGATE_REFIT_EVERY")
        if env.get("HUMANGATE_WEBHOOK_FORMAT"):
            value = env["HUMANGATE_WEBHOOK_FORMAT"].strip().lower()
            if value not in ("json", "slack"):
                raise ConfigError("HUMANGATE_WEBHOOK_FORMAT must be json or slack.")
            kwargs["webhook_format"] = value
        if env.get("HUMANGATE_FETCH_ALLOW"):
            kwargs["fetch_allow"] = tuple(v.strip() for v in env["HUMANGATE_FETCH_ALLOW"].split(",") if v.strip())
        if "HUMANGATE_FETCH_TIMEOUT" in env:
            kwargs["fetch_timeout_seconds"] = _number(env, "HUMANGATE_FETCH_TIMEOUT")
        if "HUMANGATE_FETCH_MAX_BYTES" in env:
            kwargs["fetch_max_bytes"] = int(_number(env, "HUMANGATE_FETCH_MAX_BYTES"))
        if env.get("HUMANGATE_SEARCH_PROVIDER"):
            kwargs["search_provider"] = env["HUMANGATE_SEARCH_PROVIDER"].strip().lower()
            kwargs["search_key"] = env.get("HUMANGATE_SEARCH_KEY") or None
            kwargs["search_url"] = env.get("HUMANGATE_SEARCH_URL") or None
        kwargs.update(_sending_from_env(env))
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
        if env.get("HUMANGATE_WORKERS"):
            kwargs["workers"] = env["HUMANGATE_WORKERS"].strip().lower()
        for name, key in (
            ("HUMANGATE_WORKER_CONCURRENCY", "worker_concurrency"),
            ("HUMANGATE_MODEL_CONCURRENCY", "model_concurrency"),
        ):
            if env.get(name):
                kwargs[key] = int(_number(env, name))
        for name, key in (("HUMANGATE_MODEL_RPM", "model_rpm"), ("HUMANGATE_MODEL_TPM", "model_tpm")):
            if env.get(name):
                kwargs[key] = _number(env, name)
        return cls(**kwargs)  # type: ignore[arg-type]

    def with_model(self, model: str | None) -> Settings:
        """Return a copy that uses another model (``offline`` for the built-in engine)."""
        return replace(self, model=model) if model else self

    def with_db(self, db_url: str) -> Settings:
        """Return a copy that uses another database."""
        return replace(self, db_url=db_url)


_LOOPBACK = ("127.0.0.1", "::1", "localhost")
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|[0-9A-Fa-f:]{2,39}")  # a name, IPv4 or IPv6


def _check_sending(s: Settings) -> None:
    """Refuse SMTP and Slack settings that could not send, or would send a password in the clear."""
    if s.smtp_host is not None:
        if not _HOST.fullmatch(s.smtp_host):
            raise ConfigError(f"HUMANGATE_SMTP_HOST must be a host name or address, got {s.smtp_host!r}.")
        if not s.smtp_from:
            raise ConfigError(
                'Set HUMANGATE_SMTP_FROM (e.g. "Support <support@example.com>") with HUMANGATE_SMTP_HOST.'
            )
        from humangate.effects.messages import address_problem  # lazy: the effects package imports settings

        if problem := address_problem(s.smtp_from):
            raise ConfigError(f"HUMANGATE_SMTP_FROM {s.smtp_from!r} {problem}.")
        if s.smtp_security not in ("starttls", "tls", "none"):
            raise ConfigError(f"HUMANGATE_SMTP_SECURITY must be starttls, tls or none, got {s.smtp_security!r}.")
        if s.smtp_security == "none" and (s.smtp_username or s.smtp_password):
            raise ConfigError(
                "HUMANGATE_SMTP_SECURITY=none would send the SMTP password in the clear; use starttls or tls."
            )
        if bool(s.smtp_username) != bool(s.smtp_password):
            raise ConfigError("Set both HUMANGATE_SMTP_USERNAME and HUMANGATE_SMTP_PASSWORD, or neither.")
        if not 0 < s.smtp_port < 65536 or s.smtp_timeout <= 0:
            raise ConfigError("HUMANGATE_SMTP_PORT must be a port (1-65535) and HUMANGATE_SMTP_TIMEOUT positive.")
        if s.smtp_ca_file is not None and not s.smtp_ca_file.is_file():
            raise ConfigError(
                f"HUMANGATE_SMTP_CA_FILE {s.smtp_ca_file} is not a file; name a PEM file of CA certificates."
            )
    if s.slack_webhook_url is not None:
        parts = urlsplit(s.slack_webhook_url)
        local = parts.scheme == "http" and parts.hostname in _LOOPBACK
        if not (parts.scheme == "https" or local) or not parts.hostname:
            raise ConfigError(
                "HUMANGATE_SLACK_WEBHOOK_URL must be an https:// incoming-webhook URL "
                "(https://hooks.slack.com/services/...); plain http is allowed on this machine only."
            )
    if s.outbox_max_attempts < 1:
        raise ConfigError("HUMANGATE_OUTBOX_MAX_ATTEMPTS must be at least 1.")


def _sending_from_env(env: Mapping[str, str]) -> dict[str, object]:
    """Read the ``HUMANGATE_SMTP_*``, ``HUMANGATE_SLACK_WEBHOOK_URL`` and outbox variables."""
    kwargs: dict[str, object] = {}
    for name, key in (
        ("HUMANGATE_SMTP_HOST", "smtp_host"),
        ("HUMANGATE_SMTP_USERNAME", "smtp_username"),
        ("HUMANGATE_SMTP_PASSWORD", "smtp_password"),
        ("HUMANGATE_SMTP_FROM", "smtp_from"),
        ("HUMANGATE_SLACK_WEBHOOK_URL", "slack_webhook_url"),
    ):
        if env.get(name, "").strip():
            kwargs[key] = env[name] if key == "smtp_password" else env[name].strip()
    if env.get("HUMANGATE_SMTP_SECURITY"):
        kwargs["smtp_security"] = env["HUMANGATE_SMTP_SECURITY"].strip().lower()
    if env.get("HUMANGATE_SMTP_CA_FILE"):
        kwargs["smtp_ca_file"] = Path(env["HUMANGATE_SMTP_CA_FILE"])
    for name, key in (("HUMANGATE_SMTP_PORT", "smtp_port"), ("HUMANGATE_OUTBOX_MAX_ATTEMPTS", "outbox_max_attempts")):
        if env.get(name):
            value = _number(env, name)
            if value != int(value):
                raise ConfigError(f"{name} must be a whole number, got {env[name]!r}.")
            kwargs[key] = int(value)
    if env.get("HUMANGATE_SMTP_TIMEOUT"):
        kwargs["smtp_timeout"] = _number(env, "HUMANGATE_SMTP_TIMEOUT")
    return kwargs


_UNITS = {"s": 1.0, "m": 60.0, "h": 3_600.0, "d": 86_400.0, "w": 604_800.0}


def parse_duration(text: str, name: str) -> float:
    """Return seconds from ``90s``, ``30m``, ``24h``, ``7d``, ``2w`` or a bare number of seconds."""
    value = text.strip().lower()
    unit = _UNITS.get(value[-1:]) if value else None
    number = value[:-1] if unit is not None else value
    try:
        seconds = float(number) * (unit or 1.0)
    except ValueError:
        raise ConfigError(f"{name} must be a duration such as 30m, 24h or 7d, got {text!r}.") from None
    if not seconds > 0 or seconds == float("inf"):
        raise ConfigError(f"{name} must be a positive duration such as 30m, 24h or 7d, got {text!r}.")
    return seconds


def _number(env: Mapping[str, str], name: str) -> float:
    try:
        return float(env[name])
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {env[name]!r}.") from None
