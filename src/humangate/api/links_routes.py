"""Approve by link: ``GET /links/{token}`` shows the item, ``POST /links/{token}`` decides it.

GET never decides or claims anything (mail and chat scanners open links before people do). The POST
acts as the user who signs in on the page (the panel's password, throttled like the panel's login),
or, for a per-reviewer link, as the reviewer it was made for. Critical items always need the sign-in:
a link alone never decides them. A link decides once: it is spent in ``link_uses`` before the
decision and given back only when the Orchestrator refused it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from humangate.api.auth import Orch
from humangate.api.channel import decide_by_link
from humangate.api.errors import public_message, status_of
from humangate.api.link_page import PAGE_HEADERS, error_page, item_page
from humangate.errors import CredentialError, HumanGateError, InvalidDecisionError, LinkError, ReviewError, StorageError
from humangate.oversight.links import LinkClaims, link_key, read_link
from humangate.review.credentials import Principal, link_spent
from humangate.review.queue import ReviewItem
from humangate.review.service import Orchestrator

__all__ = ["router"]

router = APIRouter(tags=["links"])

_Field = Annotated[str, Form(max_length=4_000)]
_LINK_ACTIONS = ("approve", "reject", "redirect")


def _page(html: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def _claims(orch: Orchestrator, token: str) -> LinkClaims:
    claims = read_link(link_key(orch.settings), token, now=orch.clock())
    if link_spent(orch.db, claims.link_id):
        raise LinkError("used", "This review link was used already; a link decides once.", link_id=claims.link_id)
    return claims


def _needs_sign_in(claims: LinkClaims, item: ReviewItem) -> bool:
    return claims.reviewer is None or item.risk_level == "critical"


@router.get("/links/{token}", response_class=HTMLResponse, summary="A review link's page (never decides)")
def show(token: str, orch: Orch) -> HTMLResponse:
    """Show the item the link names, escaped, with a form that POSTs the decision."""
    try:
        claims = _claims(orch, token)
        item = orch.item(claims.item_id)
    except HumanGateError as exc:
        return _page(error_page(public_message(exc)), status_of(exc))
    message = ""
    if item.risk_level == "critical" and claims.reviewer is not None:
        message = "This item is critical: sign in to decide it; a link alone never decides a critical item."
    return _page(item_page(item, sign_in=_needs_sign_in(claims, item), message=message))


def _who(
    orch: Orchestrator, claims: LinkClaims, item: ReviewItem, name: str, password: str, address: str | None
) -> Principal:
    """Return who decides: the signed-in user, or the per-reviewer link's reviewer where no sign-in is needed."""
    if not _needs_sign_in(claims, item):
        assert claims.reviewer is not None
        return Principal(claims.reviewer, orch.user_role(claims.reviewer), claims.link_id)
    if not name or not password or not orch.login(name, password, address=address):
        raise CredentialError("link", "sign-in", "Sign-in failed: check the user name and password, then try again.")
    if claims.reviewer is not None and name != claims.reviewer:
        raise CredentialError("link", "sign-in", f"This link was made for {claims.reviewer}; sign in as them.")
    return Principal(name, orch.user_role(name), claims.link_id)


@router.post("/links/{token}", response_class=HTMLResponse, summary="Decide through a review link")
def decide(
    token: str,
    request: Request,
    orch: Orch,
    action: Annotated[str, Form(max_length=20)],
    reason_code: _Field = "",
    note: _Field = "",
    instructions: _Field = "",
    name: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=1_024)] = "",
) -> HTMLResponse:
    """Claim (to start the minimum dwell) or decide the link's item as the signed-in or linked reviewer."""
    try:
        claims = _claims(orch, token)
        item = orch.item(claims.item_id)
    except HumanGateError as exc:
        return _page(error_page(public_message(exc)), status_of(exc))
    sign_in = _needs_sign_in(claims, item)
    try:
        who = _who(orch, claims, item, name.strip(), password, request.client.host if request.client else None)
        if action == "claim":
            item = orch.claim(item.id, who.name)
            wait = f"decide after {item.min_dwell_seconds:g} s of review" if item.min_dwell_seconds else "decide"
            return _page(item_page(item, sign_in=sign_in, claimed=True, message=f"Claimed for {who.name}: {wait}."))
        if action not in _LINK_ACTIONS:
            raise InvalidDecisionError(
                f"A review link approves, rejects or sends back, not {action[:20]!r}; edit or escalate in the panel.",
                item_id=item.id,
                allowed=_LINK_ACTIONS,
            )
        decision = {"action": action, "reason_code": reason_code or None, "note": note.strip() or None}
        if action == "redirect":
            decision["instructions"] = instructions
        result = decide_by_link(orch, claims, who, decision, channel="link")
    except StorageError as exc:  # the item cannot be read again to show it: a page that says only that
        return _page(error_page(public_message(exc)), status_of(exc))
    except (ReviewError, CredentialError) as exc:
        now = orch.item(item.id)
        page = item_page(now, sign_in=sign_in, claimed=now.claimed_by is not None, message=str(exc), error=True)
        return _page(page, status_of(exc))
    done = orch.item(item.id)
    if result.approvals_missing:
        message = f"Your approval is recorded; {result.approvals_missing} more needed."
    else:
        message = f"Decided: {action} by {who.name}. The run is {result.run.status}."
    return _page(item_page(done, sign_in=False, message=message))
