"""The typed edit form in the page: a text box per field, and a brief's claims each with its sources.

The boxes are laid out once and filled for each opened item from its ``ProposalForm``: To, Subject, Body and
Summary have boxes of their own (``#proposal-to`` ...), other text fields of a custom proposal take the
generic slots, and a brief's claims fill one editable table, a row per claim: Remove, the claim's text, its
source ids. Boxes the item does not use are hidden, and opening an item updates only the boxes that change
(each component costs the page time on every update). Values land in text boxes and table cells, which show
them as text: no field value is ever parsed as markup. (A form drawn per item with ``gr.render`` would need
no slots, but gradio 6 mixes up the tabs around a render block.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr

from humangate.ui.proposal_form import UNLOCKS_RECIPIENTS, ClaimEdit, FieldSpec, ProposalEdit, ProposalForm
from humangate.ui.render import esc

__all__ = ["CLAIM_HEADERS", "FORM_FIELDS", "ProposalEditor", "proposal_editor", "source_ids"]

FORM_FIELDS = 3
"""Slots for the text fields of a proposal kind the form does not know (more stay in the JSON editor)."""
CLAIM_HEADERS = ["remove", "claim", "sources (ids, comma-separated)"]
_OWN_BOXES = ("to", "subject", "body", "summary")
_LOCKED = f" (locked: reason {UNLOCKS_RECIPIENTS} unlocks it)"


@dataclass(frozen=True)
class ProposalEditor:
    """The form's components, and how to fill them from a ``ProposalForm`` and read an edit back."""

    own: dict[str, gr.Textbox]
    slots: list[gr.Textbox]
    fixed: gr.Textbox
    claims_note: gr.HTML
    claims: gr.Dataframe

    @property
    def inputs(self) -> list[Any]:
        """Return the components an edit is read from, in the order ``edit`` expects their values."""
        return [*self.own.values(), *self.slots, self.claims]

    @property
    def outputs(self) -> list[Any]:
        """Return every component ``fill`` updates."""
        return [*self.inputs, self.fixed, self.claims_note]

    @property
    def recipient_boxes(self) -> list[gr.Textbox]:
        """Return the boxes that may hold a recipient (locked unless the reason is ``wrong_recipient``)."""
        return [self.own["to"], *self.slots]

    def _placed(self, form: ProposalForm) -> list[tuple[FieldSpec, gr.Textbox]]:
        """Return each shown field with its box: its own box for To, Subject, Body, Summary, else the next slot."""
        free = iter(self.slots)
        placed = []
        for spec in form.fields:
            box = self.own.get(spec.name) or next(free, None)
            if box is not None:
                placed.append((spec, box))
        return placed

    def fill(self, form: ProposalForm | None, claimed: bool, before: ProposalForm | None = None) -> dict[Any, Any]:
        """Return the updates that show ``form`` (editable when ``claimed``), or hide the form for None.

        ``before`` is the form the page shows now: only its boxes and the new form's are updated, so opening a
        reply after a reply sends a handful of updates, not one per slot.
        """
        out: dict[Any, Any] = {}
        if before is not None:
            for _, box in self._placed(before):
                out[box] = gr.Textbox(value="", visible=False)
            if before.fixed:
                out[self.fixed] = gr.Textbox(value="", visible=False)
            if before.kind == "brief":
                out[self.claims_note] = gr.HTML("", visible=False)
                out[self.claims] = gr.Dataframe(value=[], visible=False)
        if form is None:
            return out
        for spec, box in self._placed(form):
            locked = _LOCKED if spec.recipient else ""
            out[box] = gr.Textbox(
                value=form.value(spec.name),
                label=spec.label + locked,
                lines=spec.lines,
                max_lines=max(spec.lines, 24),
                visible=True,
                interactive=claimed and not spec.recipient,
            )
        for label, text in form.fixed[:1]:
            out[self.fixed] = gr.Textbox(value=text, label=label, visible=True)
        if form.kind == "brief":
            known = ", ".join(form.source_choices) or "none"
            note = (
                f"{len(form.claims)} claims, one a row: tick remove to drop a claim, double-click a cell to edit its "
                f"text or its sources. Sources: {known}."
            )
            out[self.claims_note] = gr.HTML(f"<p>{esc(note)}</p>", visible=True)
            rows = [[False, text, ", ".join(ids)] for text, ids in form.claims]
            out[self.claims] = gr.Dataframe(value=rows, visible=True, interactive=claimed)
        return out

    def edit(self, form: ProposalForm, values: Sequence[Any]) -> ProposalEdit:
        """Return the edit that the values of ``inputs`` (in that order) make to ``form``'s proposal."""
        boxes = [*self.own.values(), *self.slots]
        by_box = dict(zip([id(b) for b in boxes], values[: len(boxes)], strict=True))
        fields = {spec.name: str(by_box[id(box)] or "") for spec, box in self._placed(form)}
        claims = None
        if form.kind == "brief":
            rows = values[len(boxes)] or []
            claims = [
                ClaimEdit(text=str(row[1] or ""), source_ids=source_ids(row[2]), removed=bool(row[0]))
                for i, row in enumerate(rows)
                if i < len(form.claims) or str(row[1] or "").strip()  # a blank row added in the table is no claim
            ]
        return ProposalEdit(fields=fields, claims=claims)

    def lock(self, form: ProposalForm | None, claimed: bool, reason: str | None) -> dict[Any, Any]:
        """Return the updates that unlock the form's recipient boxes for ``wrong_recipient`` and lock them again.

        Locking again puts the proposed value back, so a recipient changed under that reason is not kept.
        """
        if form is None:
            return {}
        out: dict[Any, Any] = {}
        for spec, box in self._placed(form):
            if not spec.recipient:
                continue
            if claimed and reason == UNLOCKS_RECIPIENTS:
                out[box] = gr.Textbox(interactive=True, label=f"{spec.label} (unlocked: {UNLOCKS_RECIPIENTS})")
            else:
                out[box] = gr.Textbox(value=form.value(spec.name), interactive=False, label=spec.label + _LOCKED)
        return out


def proposal_editor() -> ProposalEditor:
    """Lay the form's boxes out here, all hidden until an item is opened."""
    # In reading order: a reply's fixed subject sits where an email's subject does, between To and Body.
    with gr.Row(equal_height=True):  # who and what about on one line: the body gets the height
        own: dict[str, gr.Textbox] = {"to": gr.Textbox(label="To", visible=False, elem_id="proposal-to")}
        fixed = gr.Textbox(label="Subject", visible=False, interactive=False, elem_id="proposal-fixed-subject")
        own["subject"] = gr.Textbox(label="Subject", visible=False, elem_id="proposal-subject")
    for name in _OWN_BOXES[2:]:
        own[name] = gr.Textbox(label=name.capitalize(), visible=False, elem_id=f"proposal-{name}")
    slots = [gr.Textbox(visible=False, elem_id=f"proposal-field-{i}") for i in range(FORM_FIELDS)]
    claims_note = gr.HTML(visible=False, elem_id="proposal-claims-note")
    claims = gr.Dataframe(
        headers=CLAIM_HEADERS,
        datatype=["bool", "str", "str"],
        type="array",
        column_count=len(CLAIM_HEADERS),
        column_widths=["70px", "65%", "35%"],
        wrap=True,
        max_height=2_000,
        visible=False,
        elem_id="proposal-claims",
    )
    return ProposalEditor(own, slots, fixed, claims_note, claims)


def source_ids(cell: Any) -> list[str]:
    """Return the source ids typed in a claim's sources cell: comma-separated, blanks dropped."""
    return [part.strip() for part in str(cell or "").split(",") if part.strip()]
