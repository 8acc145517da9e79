"""The diff of an edit: computed from the stored request and the recorded decision, the same in the export."""

from __future__ import annotations

import io
import json

from humangate import Orchestrator
from humangate.oversight.edit_diff import changed_fields, edit_diff, proposal_lines, recorded_edit
from humangate.oversight.export import export_audit

BRIEF = {
    "subject": "Acme",
    "claims": [
        {"text": "Acme grew 40%.", "source_ids": ["s1"]},
        {"text": "Acme was founded in 2014.", "source_ids": ["s1", "s2"]},
        {"text": "Acme has 120 staff.", "source_ids": ["s2"]},
    ],
    "coverage": 1.0,
}


def test_a_proposal_reads_as_labelled_lines() -> None:
    lines = proposal_lines({"to": "a@b.co", "body": "Hi Ana,\n\nThanks.", "claims_used": [0, 2], "x": None})
    assert lines == ["to: a@b.co", "body: Hi Ana,", "body:", "body: Thanks.", "claims_used: [0, 2]", "x: null"]
    assert proposal_lines(BRIEF)[1:3] == ["claims: Acme grew 40%. [s1]", "claims: Acme was founded in 2014. [s1, s2]"]


def test_the_diff_shows_a_removed_claim_as_one_line_and_a_reworded_one_as_two() -> None:
    edited = {
        **BRIEF,
        "claims": [{"text": "Acme grew 40% in 2025.", "source_ids": ["s1"]}, BRIEF["claims"][2]],
    }
    assert edit_diff(BRIEF, edited) == [
        " subject: Acme",
        "-claims: Acme grew 40%. [s1]",
        "-claims: Acme was founded in 2014. [s1, s2]",
        "+claims: Acme grew 40% in 2025. [s1]",
        " claims: Acme has 120 staff. [s2]",
    ]
    assert changed_fields(BRIEF, edited) == ["claims"]
    assert edit_diff(BRIEF, BRIEF) == [] and changed_fields(BRIEF, dict(BRIEF)) == []


def test_the_edited_fields_are_compared_in_the_proposals_order() -> None:
    before = {"to": "a@b.co", "subject": "Hi", "body": "b"}
    assert edit_diff(before, {"body": "b", "subject": "Hello", "to": "a@b.co"}) == [
        " to: a@b.co",
        "-subject: Hi",
        "+subject: Hello",
        " body: b",
    ]


def test_far_apart_changes_are_separate_hunks() -> None:
    before = {"body": "\n".join(f"line {i}" for i in range(10))}
    after = {"body": before["body"].replace("line 1", "LINE 1").replace("line 8", "LINE 8")}
    assert edit_diff(before, after) == [
        " body: line 0",
        "-body: line 1",
        "+body: LINE 1",
        " body: line 2",
        "…",
        " body: line 7",
        "-body: line 8",
        "+body: LINE 8",
        " body: line 9",
    ]


def test_a_recorded_edit_needs_a_readable_request_and_an_edited_value() -> None:
    request = json.dumps({"proposal": {"subject": "Hi", "body": "b"}})
    change = recorded_edit(request, {"action": "edit", "edited": {"subject": "Hello", "body": "b"}})
    assert (
        change is not None
        and change.fields == ["subject"]
        and change.diff == ["-subject: Hi", "+subject: Hello", " body: b"]
    )
    assert recorded_edit(request, {"action": "approve"}) is None
    assert recorded_edit("{not json", {"edited": {"subject": "x"}}) is None
    assert recorded_edit(None, {"edited": {"subject": "x"}}) is None
    assert recorded_edit(json.dumps({"proposal": [1]}), {"edited": {"subject": "x"}}) is None


def test_the_export_carries_each_edits_diff(orch: Orchestrator) -> None:
    run = orch.start(
        "notify",
        {
            "recipient": "Bob Roy",
            "email": "bob@example.com",
            "topic": "Your refund is on its way.",
            "require_approval": True,
        },
    )
    (item_id,) = run.pending_items
    proposal = orch.item(item_id).request.proposal
    orch.decide(
        item_id,
        {"action": "edit", "reviewer": "alice", "reason_code": "tone", "edited": {**proposal, "subject": "Refund"}},
    )

    out = io.StringIO()
    with orch.db.read() as conn:
        export_audit(conn, out, run_id=run.id)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    (decided,) = [line for line in lines if line["kind"] == "decision.recorded"]
    assert decided["review"]["edited_fields"] == ["subject"]
    assert decided["review"]["edit_diff"] == [
        f" to: {proposal['to']}",
        f"-subject: {proposal['subject']}",
        "+subject: Refund",
        " body: Hi Bob,",
    ]
    assert decided["review"]["request_sha256_ok"]
    others = [line for line in lines if line["kind"] != "decision.recorded"]
    assert others and all("review" not in line for line in others)
