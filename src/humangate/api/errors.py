"""Structured errors: every refusal is JSON naming the error, its place in the tree and its fields.

The body of any error answer::

    {"error": {"type": "NotAuthorizedError", "tree": ["NotAuthorizedError", "ReviewError", "HumanGateError"],
               "message": "alice may not decide review item 3: it needs the expert role ...",
               "fields": {"item_id": 3, "reviewer": "alice", "required_role": "expert"}}}

``message`` is the sentence that says how to fix it (LangGraph's SDKs show it as the error's message);
``fields`` are the exception's documented attributes. Unexpected failures answer 500 without details,
and storage failures 503 without them: their message names the database's URL or file and the driver's
text, which is for the server's log (and the operator's CLI), not for whoever holds a token or a link.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from humangate.errors import (
    AlreadyDecidedError,
    ClaimedError,
    ConfigError,
    CredentialError,
    DwellError,
    EffectRefused,
    HumanGateError,
    InvalidDecisionError,
    InvalidInputError,
    ItemNotFoundError,
    NotAuthorizedError,
    ReviewError,
    RoleError,
    RunBusyError,
    RunFailedError,
    StorageError,
    UnknownCorrectionError,
    UnknownGraphError,
    UnknownRunError,
    UnknownUserError,
)

__all__ = ["STORAGE_MESSAGE", "error_body", "install_error_handlers", "public_message", "status_of"]

log = logging.getLogger("humangate.api")

# Most specific first: the first class an exception is an instance of gives its HTTP status.
_STATUS: tuple[tuple[type[HumanGateError], int], ...] = (
    (ItemNotFoundError, 404),
    (UnknownRunError, 404),
    (UnknownGraphError, 404),
    (UnknownCorrectionError, 404),
    (NotAuthorizedError, 403),
    (UnknownUserError, 403),
    (RoleError, 403),
    (AlreadyDecidedError, 409),
    (ClaimedError, 409),
    (DwellError, 409),
    (RunBusyError, 409),
    (InvalidDecisionError, 422),
    (InvalidInputError, 422),
    (EffectRefused, 422),
    (ReviewError, 409),
    (StorageError, 503),
    (ConfigError, 500),
    (RunFailedError, 500),
)
_CREDENTIAL_STATUS = {"tampered": 403, "unlinked": 403, "expired": 410, "used": 410, "sign-in": 401}

STORAGE_MESSAGE = "The server's database is busy or unavailable; try again shortly (the server's log has the details)."
"""What an HTTP caller is told of a ``StorageError``; the detail goes to the server's log."""


def status_of(exc: HumanGateError) -> int:
    """Return the HTTP status that answers ``exc``."""
    if isinstance(exc, CredentialError):
        if exc.kind == "link" or exc.problem == "unlinked":
            return _CREDENTIAL_STATUS.get(exc.problem, 403)
        return 401
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return 400


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


def public_message(exc: HumanGateError) -> str:
    """Return the message an HTTP caller may read for ``exc``; a storage failure's detail is logged instead.

    A ``StorageError`` names the database (a file path or host) and the driver's text; any busy moment would
    show the server's layout to a reviewer's token or to an outsider on a review link's sign-in.
    """
    if isinstance(exc, StorageError):
        log.error("Storage failure answered 503: %s", exc)
        return STORAGE_MESSAGE
    return str(exc)


def error_body(exc: HumanGateError) -> dict[str, Any]:
    """Return the JSON body for ``exc``: its type, its ancestry up to ``HumanGateError``, message and fields."""
    tree = [c.__name__ for c in type(exc).__mro__ if issubclass(c, HumanGateError)]
    fields = {} if isinstance(exc, StorageError) else vars(exc)
    shown = {k: _jsonable(v) for k, v in fields.items() if not k.startswith("_")}
    return {"error": {"type": type(exc).__name__, "tree": tree, "message": public_message(exc), "fields": shown}}


def _plain(kind: str, message: str, status: int, **fields: Any) -> JSONResponse:
    body = {"error": {"type": kind, "tree": [kind], "message": message, "fields": fields}}
    return JSONResponse(body, status_code=status)


async def _humangate(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HumanGateError)
    status = status_of(exc)
    headers = {"WWW-Authenticate": 'ApiKey header="x-api-key"'} if status == 401 else None
    return JSONResponse(error_body(exc), status_code=status, headers=headers)


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Never echo the input back: it may be large, or someone else's text.
    problems = [{"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", "")} for e in exc.errors()]
    where = "; ".join(f"{'.'.join(p['loc'][1:]) or p['loc'][0] if p['loc'] else 'body'}: {p['msg']}" for p in problems)
    return _plain("RequestValidationError", f"The request does not fit: {where}.", 422, errors=problems)


async def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return _plain("HTTPException", str(exc.detail), exc.status_code)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("Unexpected failure on %s %s", request.method, request.url.path)
    return _plain("InternalError", "The server failed on this request; its log has the details.", 500)


def install_error_handlers(app: FastAPI) -> None:
    """Answer humangate's errors, request validation and HTTP errors with the structured body."""
    app.add_exception_handler(HumanGateError, _humangate)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
