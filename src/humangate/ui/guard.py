"""Refuse to serve the panel when nobody could sign in."""

from __future__ import annotations

from humangate.errors import ConfigError
from humangate.review.service import Orchestrator

__all__ = ["LOCAL_HOSTS", "check_can_serve", "is_local_host"]

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def is_local_host(host: str) -> bool:
    """Return True when ``host`` only accepts connections from this machine."""
    return host.strip().lower().strip("[]") in LOCAL_HOSTS


def check_can_serve(orch: Orchestrator, host: str) -> None:
    """Raise ``ConfigError`` unless at least one user has a password (the panel always asks for a login)."""
    if orch.login_users() > 0:
        return
    how = "Add one with `humangate users add NAME --role reviewer --password ...`, then start the panel again."
    if is_local_host(host):
        raise ConfigError(f"No user can sign in to the panel: no user has a password. {how}")
    raise ConfigError(
        f"Refusing to serve the panel on {host}, reachable from other machines, without users: "
        f"no user has a password. {how}"
    )
