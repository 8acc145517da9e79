"""Who a request acts as: the user its API token names, with that user's role read now.

The token travels in ``x-api-key`` (the header LangGraph's SDKs and Agent Inbox send) or as
``Authorization: Bearer``. Nothing in a request body ever names the reviewer: every decision is
made as the token's user, through the same Orchestrator checks as the panel and the CLI.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from humangate.errors import RoleError
from humangate.review.credentials import Principal, authenticate
from humangate.review.service import Orchestrator

__all__ = ["OVERSEER_ROLES", "Caller", "Orch", "caller", "is_overseer", "orchestrator", "require_overseer"]

OVERSEER_ROLES = ("owner", "admin")


def orchestrator(request: Request) -> Orchestrator:
    """Return the Orchestrator the app was built with."""
    orch: Orchestrator = request.app.state.orch
    return orch


Orch = Annotated[Orchestrator, Depends(orchestrator)]


def caller(request: Request, orch: Orch) -> Principal:
    """Authenticate the request's token or raise ``CredentialError`` (answered 401)."""
    token = request.headers.get("x-api-key")
    if not token:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        token = value.strip() if scheme.lower() == "bearer" else None
    return authenticate(orch.db, token, now=orch.clock())


Caller = Annotated[Principal, Depends(caller)]


def is_overseer(who: Principal) -> bool:
    """Return True when ``who`` is an owner or admin: they see canaries and every reviewer's quality signals."""
    return who.role in OVERSEER_ROLES


def require_overseer(who: Principal, what: str) -> None:
    """Raise ``RoleError`` unless ``who`` is an owner or admin (the audit trail holds every decision)."""
    if not is_overseer(who):
        raise RoleError(who.name, who.role, what, OVERSEER_ROLES)
