"""What a gate released, and whether an effect may go out on it.

A gate that lets a proposal through (passed, approve, edit) records in its event which state key holds
the proposal and a digest of exactly what it let through. The send helpers in ``graphs.common`` check,
before the outbox sees anything, that:

- the gate they name released something last (not a send before the gate, after a rejection or a redirect,
  or under a misspelt gate name): otherwise the run fails with a ``RuntimeError`` naming the mistake;
- the message's recipient, subject and text come from that released proposal, not from elsewhere in the
  state: otherwise the same ``RuntimeError`` (it is the graph's code, not the data, that builds it);
- the proposal in state is still the one released (no node changed it after the gate), and an approval or
  edit is one the review service recorded (not a ``Command(resume=...)`` handed to the compiled graph):
  otherwise the item goes back in front of a person, with a trigger that says why;
- a message nobody looked at holds nothing ``risk.outbound`` holds every outgoing message for (a link, a request
  for credentials, a header problem), even when the graph's own assessment did not run ``check_outgoing``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from pydantic_core import to_jsonable_python
from sqlalchemy import select

from humangate.checkpoints.schema import decisions, review_items
from humangate.core.contract import Trigger
from humangate.graphs.edits import is_news, recipients_of
from humangate.risk.outbound import outbound_triggers

if TYPE_CHECKING:
    from humangate.graphs.context import RunContext

__all__ = [
    "RELEASES",
    "ReleaseHeld",
    "canonical",
    "check_release",
    "digest",
    "edit_floor",
    "last_event",
    "outgoing_floor",
]

RELEASES = ("passed", "approve", "edit")
"""Gate outcomes that let a proposal go on to its effect."""
# Payload fields that come from the run rather than the proposal: a support reply's own ticket number.
_FROM_RUN = frozenset({"ticket"})


class ReleaseHeld(Exception):
    """The effect may not go now; a person decides again (``triggers`` say why)."""

    def __init__(self, *triggers: Trigger) -> None:
        super().__init__(" ".join(t.reason for t in triggers))
        self.triggers = list(triggers)


def canonical(value: Any) -> Any:
    """Return ``value`` as plain JSON data (a proposal model becomes its dict)."""
    return to_jsonable_python(value, fallback=str)


def digest(value: Any) -> str:
    """Return a digest of ``value``'s JSON form: the same for the same data, whatever its key order."""
    text = json.dumps(canonical(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def last_event(state: Mapping[str, Any], gate: str) -> Mapping[str, Any] | None:
    """Return ``gate``'s latest event in the state, or None when it never ran."""
    for event in reversed(state.get("gate_events") or []):
        if event.get("node") == gate:
            return event  # type: ignore[no-any-return]
    return None


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def _payload_problem(payload: Mapping[str, Any], proposal: Any) -> str | None:
    """Return which part of ``payload`` does not come from the released ``proposal``, or None."""
    data = canonical(proposal)
    texts = [" ".join(s.split()) for s in _strings(data)]
    recipients = (
        {str(v) for v in recipients_of(data).values() if isinstance(v, str)} if isinstance(data, dict) else set()
    )
    for field, raw in payload.items():
        if field in _FROM_RUN or raw in (None, ""):
            continue
        value = " ".join(str(raw).split())
        if field == "to" and recipients:
            if value.lower() not in recipients:
                return (
                    f"its recipient {value[:200]!r} is none of the proposal's ({', '.join(sorted(recipients))[:200]})"
                )
            continue
        if field == "subject" and isinstance(data, dict) and data.get("subject") == "":
            continue  # the graph's generic subject for a proposal that left it empty
        if field in ("subject", "body"):  # an email's parts are the proposal's own, whole
            if value not in texts:
                return f"its {field} {value[:200]!r} is not one of the proposal's texts as the gate released it"
            continue
        for line in str(raw).splitlines():  # a post made of the proposal's texts (a Slack note: subject, body)
            line = " ".join(line.split())
            if line and not any(line in t for t in texts):
                return f"its {field} holds {line[:200]!r}, which is not in the proposal the gate released"
    return None


def _recorded(ctx: RunContext, decision: Mapping[str, Any], released: str) -> bool:
    """Return True when the review service recorded ``decision`` for this run, an approval of exactly ``released``.

    An approval counts only for the proposal its item showed (the digest of the queued request's proposal), so
    a recorded approval of another item of the run, handed to the graph again, approves nothing else.
    """
    d, items = decisions.c, review_items.c
    rows = (
        select(d.decision_json, items.request_json)
        .join(review_items, items.id == d.item_id)
        .where(d.run_id == ctx.run_id, d.action == decision.get("action"))
    )
    want = canonical(decision)
    with ctx.outbox.db.read() as conn:
        for decision_json, request_json in conn.execute(rows):
            if json.loads(decision_json) != want:
                continue
            if want.get("action") != "approve" or digest(json.loads(request_json).get("proposal")) == released:
                return True
    return False


def outgoing_floor(kind: str, payload: Mapping[str, Any]) -> list[Trigger]:
    """Return what ``risk.outbound`` holds in a message as it would be sent: links, requests for credentials, headers.

    These force review in every built-in graph's assessment, whatever the policy; a graph whose own assessment
    leaves them out still does not send them unreviewed.
    """
    if kind == "slack":
        text = str(payload.get("text", ""))
        return outbound_triggers(to="Slack", subject="", body=text, ticket="slack", where="The Slack post")
    if kind in ("email", "ticket"):
        to, subject, body = (str(payload.get(k, "")) for k in ("to", "subject", "body"))
        return outbound_triggers(to=to, subject=subject, body=body, ticket=str(payload.get("ticket", "") or ""))
    return []


def edit_floor(before: Mapping[str, Any], after: Mapping[str, Any]) -> str | None:
    """Return what an edit added that ``outgoing_floor`` holds (a link, a request for credentials), or None.

    Read on the proposal's own ``to``, ``subject`` and ``body``: the gate holds such an edit for another
    reviewer even when the graph's ``reassess`` does not look for it.
    """
    if not isinstance(after.get("body"), str):
        return None

    def floor(p: Mapping[str, Any]) -> list[Trigger]:
        return outgoing_floor("email", {k: str(p.get(k) or "") for k in ("to", "subject", "body")} | {"ticket": "-"})

    seen = floor(before)
    added = [t for t in floor(after) if is_news(t, seen)]
    return ("added " + "; ".join(f"{t.kind}: {t.reason}" for t in added)) if added else None


def check_release(
    ctx: RunContext,
    state: Mapping[str, Any],
    *,
    graph: str,
    node: str,
    gate: str,
    kind: str,
    payload: Mapping[str, Any],
) -> None:
    """Check that ``gate`` released the proposal ``payload`` is built from, unchanged and by a recorded decision.

    Raise ``RuntimeError`` for a graph wired so that this effect does not follow its gate's release, and
    ``ReleaseHeld`` when a person must decide again: also when nobody looked and the message holds what every
    outgoing message is held for (``outgoing_floor``), unless reviewers' approvals earned the pass (autonomy).
    """
    event = last_event(state, gate)
    if event is None or event.get("outcome") not in RELEASES:
        what = "never ran" if event is None else f"last decided {event.get('outcome')!r}"
        raise RuntimeError(
            f"The {graph} graph's node {node!r} sends an effect after gate {gate!r}, but that gate {what} in this run: "
            "send only from a node the gate routes to on approval (its `next`), naming that gate. Nothing was sent."
        )
    key, released = event.get("proposal_key"), event.get("released")
    if not isinstance(key, str) or not isinstance(released, str):
        raise ReleaseHeld(_held(f"Gate {gate!r} did not record what it let through, so nothing can show this is it."))
    proposal = state.get(key)
    if digest(proposal) != released:
        raise ReleaseHeld(
            _held(
                f"The proposal under {key!r} changed after gate {gate!r} let it through; "
                "the changed version was not reviewed."
            )
        )
    if problem := _payload_problem(payload, proposal):
        raise RuntimeError(
            f"The {graph} graph's node {node!r} builds its effect from something other than the proposal gate "
            f"{gate!r} released: {problem}. Build the message from state[{key!r}]. Nothing was sent."
        )
    if event.get("outcome") == "passed":
        earned = any(t.get("kind") == "memory" for t in (event.get("assessment") or {}).get("triggers", []))
        if not earned and (found := outgoing_floor(kind, payload)):
            why = _held(
                f"Gate {gate!r} let this through unreviewed, but what every outgoing message is held for is in it."
            )
            raise ReleaseHeld(*found, why)
        return
    decision = event.get("decision")
    if not isinstance(decision, Mapping) or not _recorded(ctx, decision, released):
        who = decision.get("reviewer", "?") if isinstance(decision, Mapping) else "?"
        raise ReleaseHeld(
            _held(
                f"Gate {gate!r} was answered for {who!r} with a decision the review service never recorded (a resume "
                "handed to the graph directly); a person decides it through the queue."
            )
        )


def _held(reason: str) -> Trigger:
    return Trigger(kind="rule", reason=reason[:1_000], score=0.9)
