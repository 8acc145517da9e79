"""Guard the panel: refuse to serve when nobody could sign in, and throttle logins by user and address."""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from humangate.errors import ConfigError
from humangate.review.service import Orchestrator

__all__ = ["LOCAL_HOSTS", "ClientAddress", "check_can_serve", "is_local_host", "login_checker"]

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

_CLIENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("humangate_client_address", default=None)
_Scope = MutableMapping[str, Any]
_App = Callable[[_Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]


class ClientAddress:
    """ASGI middleware: remember the client address of each request, so the login check can throttle it."""

    def __init__(self, app: _App) -> None:
        self.app = app

    async def __call__(
        self, scope: _Scope, receive: Callable[[], Awaitable[Any]], send: Callable[[Any], Awaitable[None]]
    ) -> None:
        """Run the request with its client address set."""
        client = scope.get("client") if scope.get("type") == "http" else None
        # The socket's peer, never a forwarded-for header: a header is chosen by the client.
        token = _CLIENT.set(str(client[0]) if client else None)
        try:
            await self.app(scope, receive, send)
        finally:
            _CLIENT.reset(token)


def login_checker(orch: Orchestrator) -> Callable[[str, str], bool]:
    """Return the panel's login check: throttled per user and per client address, failures audited."""

    def check(name: str, password: str) -> bool:
        return orch.login(name, password, address=_CLIENT.get())

    return check


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
