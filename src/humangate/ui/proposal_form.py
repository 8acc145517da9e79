"""The typed edit form of a proposal, free of Gradio: which fields it shows, and the proposal an edit makes.

A proposal is edited field by field, never as raw JSON: an email (to, subject, body), a support reply (to,
its subject and body; a reply proposed without a subject goes out under the generic one, shown read only), a
research brief (its summary and each claim
with its sources, each claim editable and removable) and, for any other kind, its text fields. Every field the
form does not show is kept as proposed, so the edited proposal has exactly the shape the gate's pydantic model
validates, as a JSON edit would. Recipient fields are locked unless the reason is ``wrong_recipient`` (the
service enforces that; the form shows them disabled). An edit that changes nothing is never sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from humangate.core.contract import ReviewRequest
from humangate.graphs.edits import RECIPIENT_FIELDS, normalized

__all__ = [
    "REPLY_SUBJECT",
    "UNLOCKS_RECIPIENTS",
    "ClaimEdit",
    "FieldSpec",
    "FormKind",
    "ProposalEdit",
    "ProposalForm",
    "apply_edit",
    "changes_nothing",
    "proposal_form",
    "unknown_sources",
]

FormKind = Literal["email", "reply", "brief", "fields"]
REPLY_SUBJECT = "Re: your message"
"""The subject a support reply without a subject of its own goes out under."""
UNLOCKS_RECIPIENTS = "wrong_recipient"
"""The one reason code under which the form lets a reviewer change a recipient."""

_LABELS = {"to": "To", "subject": "Subject", "body": "Body", "summary": "Summary"}
_LINES = {"body": 10, "summary": 3}


@dataclass(frozen=True)
class FieldSpec:
    """One text field of the form: the proposal's key, its label, its height, and whether it names a recipient."""

    name: str
    label: str
    lines: int = 1
    recipient: bool = False


@dataclass(frozen=True)
class ProposalForm:
    """What the typed form shows for one proposal: its text fields, a brief's claims, read-only lines.

    Hashable (tuples only): the page keeps it in session state and redraws the form when it changes.
    """

    kind: FormKind
    fields: tuple[FieldSpec, ...]
    values: tuple[tuple[str, str], ...]
    claims: tuple[tuple[str, tuple[str, ...]], ...] = ()
    source_choices: tuple[str, ...] = ()
    fixed: tuple[tuple[str, str], ...] = ()

    def value(self, name: str) -> str:
        """Return the proposed value of the text field ``name``."""
        return dict(self.values)[name]

    @property
    def has_recipient(self) -> bool:
        """Return True when a field names a recipient (it unlocks only for ``wrong_recipient``)."""
        return any(f.recipient for f in self.fields)


@dataclass(frozen=True)
class ClaimEdit:
    """One claim as the form returns it: its text, its source ids, and whether the reviewer removed it."""

    text: str
    source_ids: Sequence[str]
    removed: bool = False


@dataclass(frozen=True)
class ProposalEdit:
    """The typed form's values: the text fields by name and, for a brief, every claim in order."""

    fields: Mapping[str, str] = field(default_factory=dict)
    claims: Sequence[ClaimEdit] | None = None


def _spec(name: str, kind: FormKind = "fields") -> FieldSpec:
    label = _LABELS.get(name, name.replace("_", " ").capitalize())
    if kind == "reply" and name == "subject":
        label = f"Subject of the reply (empty: {REPLY_SUBJECT})"
    return FieldSpec(name, label, _LINES.get(name, 2 if name not in RECIPIENT_FIELDS else 1), name in RECIPIENT_FIELDS)


def _is_claims(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(c, Mapping) and isinstance(c.get("text"), str) and isinstance(c.get("source_ids"), list)
        for c in value
    )


def _kind(proposal: Mapping[str, Any], graph: str) -> FormKind:
    def text(name: str) -> bool:
        return isinstance(proposal.get(name), str)

    if "claims" in proposal and _is_claims(proposal["claims"]):
        return "brief"
    if text("to") and text("body") and (graph == "support" or "subject" not in proposal):
        return "reply"
    if text("to") and text("subject") and text("body"):
        return "email"
    return "fields"


def proposal_form(request: ReviewRequest) -> ProposalForm:
    """Return the typed form for ``request``'s proposal, filled with the proposed values."""
    proposal = request.proposal
    kind = _kind(proposal, request.graph)
    names: list[str]
    fixed: tuple[tuple[str, str], ...] = ()
    if kind == "email" or (kind == "reply" and isinstance(proposal.get("subject"), str)):
        names = ["to", "subject", "body"]
    elif kind == "reply":
        names = ["to", "body"]
        fixed = (("Subject (the generic one: this reply was proposed without its own)", REPLY_SUBJECT),)
    elif kind == "brief":
        names = [n for n in ("summary",) if isinstance(proposal.get(n), str)]
    else:
        names = [k for k, v in proposal.items() if isinstance(v, str)]
    specs = tuple(_spec(n, kind) for n in names)
    if kind != "brief":
        return ProposalForm(kind, specs, tuple((n, str(proposal[n])) for n in names), fixed=fixed)
    claims = tuple((str(c["text"]), tuple(str(i) for i in c["source_ids"])) for c in proposal["claims"])
    cited = {i for _, ids in claims for i in ids}
    # The brief's sources (its claim-N excerpts are the draft view's, not sources) and any id a claim cites.
    offered = [s.id for s in request.sources if not s.id.startswith("claim-")]
    choices = tuple(dict.fromkeys([*offered, *sorted(cited - set(offered))]))
    return ProposalForm(kind, specs, tuple((n, str(proposal[n])) for n in names), claims=claims, source_choices=choices)


def apply_edit(proposal: Mapping[str, Any], edit: ProposalEdit) -> dict[str, Any]:
    """Return ``proposal`` with the form's values in place; fields the form does not show keep their values.

    Only keys the proposal has are taken from ``edit.fields``, so the result has the proposal's shape; the
    claims are exactly ``edit.claims`` without the removed ones.
    """
    edited = dict(proposal)
    for name, value in edit.fields.items():
        if name in proposal and isinstance(proposal[name], str):
            edited[name] = value
    if edit.claims is not None and _is_claims(proposal.get("claims")):
        originals = list(proposal["claims"])
        claims: list[dict[str, Any]] = []
        for i, claim in enumerate(edit.claims):
            if claim.removed:
                continue
            base = dict(originals[i]) if i < len(originals) else {}
            claims.append({**base, "text": claim.text, "source_ids": list(claim.source_ids)})
        edited["claims"] = claims
    return edited


def unknown_sources(form: ProposalForm, edit: ProposalEdit) -> list[str]:
    """Return the source ids the edit's kept claims cite that the brief's sources do not have."""
    known = set(form.source_choices)
    cited = [i for c in edit.claims or () if not c.removed for i in c.source_ids]
    return sorted({i for i in cited if i not in known})


def changes_nothing(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Return True when ``after`` equals ``before`` but for whitespace: the service refuses such an edit."""
    return bool(normalized(dict(after)) == normalized(dict(before)))
