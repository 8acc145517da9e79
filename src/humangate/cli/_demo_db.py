"""The demo's own database: made anew on every ``humangate demo``, so its item numbers are always the same.

With ``--db`` or ``HUMANGATE_DB_URL`` naming another database, the demo adds its runs to that one and
says so, since the README's item numbers then no longer hold.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from humangate.config import DatabaseURL, Settings

__all__ = ["DEMO_DB_FILE", "DEMO_DB_URL", "DemoDatabase", "demo_database"]

DEMO_DB_FILE = "humangate-demo.db"
DEMO_DB_URL = f"sqlite:///{DEMO_DB_FILE}"
_SQLITE_SIDE_FILES = ("", "-wal", "-shm", "-journal")


@dataclass(frozen=True)
class DemoDatabase:
    """Where the demo writes, and whether it starts from nothing."""

    settings: Settings
    fresh: bool

    @property
    def url(self) -> str:
        """Return the database URL the demo uses."""
        return self.settings.db_url


def _is_demo_file(url: str) -> bool:
    parsed = DatabaseURL.parse(url)
    return parsed.sqlite_path is not None and parsed.sqlite_path.resolve() == Path(DEMO_DB_FILE).resolve()


def demo_database(db: str | None, env: Mapping[str, str] | None = None) -> DemoDatabase:
    """Return the demo's settings; remove the demo's own database first unless another one was named."""
    env = os.environ if env is None else env
    named = db or env.get("HUMANGATE_DB_URL") or None
    if named is not None and not _is_demo_file(named):
        return DemoDatabase(settings=Settings.from_env(env, db_url=named), fresh=False)
    for suffix in _SQLITE_SIDE_FILES:
        Path(DEMO_DB_FILE + suffix).unlink(missing_ok=True)
    return DemoDatabase(settings=Settings.from_env(env, db_url=DEMO_DB_URL), fresh=True)
