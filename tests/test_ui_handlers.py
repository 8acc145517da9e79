"""The panel's handlers on a real Orchestrator (SQLite and Postgres): inbox, safe rendering, decisions."""

from __future__ import annotations

import gc
import json
from typing import Any

import gradio as gr
import pytest
from sqlalchemy import select

from humangate import GatePolicy, GraphRegistry, Orchestrator, Settings
from humangate.checkpoints.schema import outbox
from humangate.core.contract import ReviewRequest, RiskAssessment, SourceExcerpt, Trigger
from humangate.data.demo import demo_outreach_items, demo_support_messages
from humangate.graphs.example import notify_spec
from humangate.review.queue import ReviewItem
from humangate.ui import build_app
from humangate.ui import handlers as h
from humangate.ui.proposal_form import REPLY_SUBJECT
from humangate.ui.render import esc, render_observed, render_sources

MEDIUM = {
    "recipient": "Ann Lee",
    "email": "ann@example.com",
    "topic": "Thanks for the meeting.",
    "require_approval": True,
}
HIGH = {"recipient": "Bob Roy", "email": "bob@example.com", "topic": "Your refund is on its way."}
CRITICAL = {"recipient": "Cy Ng", "email": "cy@example.com", "topic": "About the refund: call me at +1 415 555 0199."}
HOSTILE = (
    "<script>alert(1)</script> <img src=x onerror=alert(2)> ${alert(3)} {{constructor}} " + "x" * 1_500 + "\n\n\n`tick`"
)


def _start(orch: Orchestrator, inputs: dict[str, Any], started_by: str | None = None) -> int:
    run = orch.start("notify", inputs, started_by=started_by)
    assert run.status == "paused", run
    return run.pending_items[0]


def test_inbox_orders_filters_counts_and_pages(orch: Orchestrator) -> None:
    medium = [_start(orch, MEDIUM) for _ in range(3)]
    high = [_start(orch, HIGH) for _ in range(2)]
    critical = _start(orch, CRITICAL)

    page = h.inbox_page(orch, h.queue_filter())
    assert [r[0] for r in page.rows] == [critical, *high, *medium]
    assert page.rows[0][1] == "critical" and page.rows[0][7] == "expert"
    # Why each item waits: its strongest trigger's sentence, and how many more there are.
    top = max(orch.item(critical).request.assessment.triggers, key=lambda t: t.score or 0.0)
    assert page.rows[0][3].startswith(top.reason.rstrip(".")[:60]) and "more)" in page.rows[0][3]
    assert page.count_text == "6 pending" and page.next_cursor is None

    assert [r[0] for r in h.inbox_page(orch, h.queue_filter(risk="high")).rows] == high
    assert [r[0] for r in h.inbox_page(orch, h.queue_filter(trigger="pii")).rows] == [critical]
    assert h.inbox_page(orch, h.queue_filter(role="reviewer", graph="notify", node="all")).total == 5
    assert h.inbox_page(orch, h.queue_filter(graph="all", node="review")).total == 6

    seen: list[int] = []
    cursor: str | None = None
    while True:
        part = h.inbox_page(orch, h.queue_filter(), cursor, limit=4)
        seen += [r[0] for r in part.rows]
        if part.next_cursor is None:
            break
        cursor = part.next_cursor
    assert seen == [critical, *high, *medium]

    choices = h.filter_choices(orch, h.queue_filter(risk="high"))
    assert ("critical (1)", "critical") in choices["risk"] and ("all (6)", "all") in choices["risk"]
    assert ("policy (2)", "policy") in choices["trigger"]  # counted with risk=high applied
    assert ("notify (2)", "notify") in choices["graph"]


def test_untrusted_text_is_rendered_inert(orch: Orchestrator) -> None:
    item_id = _start(orch, {**MEDIUM, "topic": HOSTILE, "recipient": "<b>Eve</b> <img src=x onerror=alert(4)>"})
    view = h.open_item(orch, "alice", item_id)
    html = view.header + view.sources + view.observed + view.triggers + view.timeline
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in view.sources
    assert "&lt;img src=x onerror=alert(2)&gt;" in view.sources
    assert "&lt;img src=x onerror=alert(4)&gt;" in view.header
    assert "<script" not in html and "<img" not in html and "<b>Eve" not in html
    assert "${" not in html and "{{" not in html and "`" not in html
    assert '<div class="hg-text">' in view.sources  # wraps long lines instead of widening the page
    assert view.form.kind == "email" and HOSTILE.strip() in view.form.value("body")  # a plain textbox value
    # A bidi override would reorder what the reviewer reads: it is shown as a mark instead.
    assert esc("a\u202eb<") == "a[U+202E]b&lt;"
    assert esc("line\nnext\ttab\u200bx") == "line\nnext\ttab[U+200B]x"


def test_claims_used_are_marked_in_their_sources() -> None:
    request = ReviewRequest(
        graph="outreach",
        node="review_email",
        thread_id="t",
        title="t",
        proposal={"to": "a@b.co", "subject": "s", "body": "b"},
        proposal_kind="EmailDraft",
        sources=[
            SourceExcerpt(id="claim-0", title="Claim 0 (cites s1)", excerpt="Acme <b>grew</b> 40%."),
            SourceExcerpt(id="s1", title="Report", excerpt="In 2025 Acme <b>grew</b> 40%. Other news."),
        ],
        assessment=RiskAssessment(level="low", score=0.1, confidence=0.9, needs_review=True, policy_version="t"),
    )
    out = render_sources(request)
    assert '<mark class="hg-claim">«Acme &lt;b&gt;grew&lt;/b&gt; 40%.»</mark> Other news.' in out
    assert "<b>grew" not in out


def test_reviewer_is_refused_on_critical_and_the_next_item_opens(orch: Orchestrator) -> None:
    critical = _start(orch, CRITICAL)
    first, second = _start(orch, HIGH), _start(orch, HIGH)

    refused = h.decide(orch, "alice", critical, h.DecisionForm(action="approve"))
    assert not refused.ok and "needs the expert role" in refused.message
    assert orch.item(critical).status == "pending"

    assert h.next_item_id(orch, "alice") == first  # the critical item is not hers to decide
    view = h.open_item(orch, "alice", first)
    assert view.claimed and view.allowed == ("approve", "edit", "reject", "redirect", "escalate")
    done = h.decide(orch, "alice", first, h.DecisionForm(action="approve"))
    assert done.ok and done.message.startswith(f"Item {first}: approve recorded")
    assert done.next_item == second
    assert orch.item(first).status == "decided"

    assert h.next_item_id(orch, "erin") == critical
    missing = h.decide(orch, "erin", critical, h.DecisionForm(action="reject"))
    assert not missing.ok and "reason_code" in missing.message
    assert h.decide(orch, None, critical, h.DecisionForm(action="approve")).message.startswith("Sign in first")


def test_starter_may_not_approve_their_critical_item(orch: Orchestrator) -> None:
    critical = _start(orch, CRITICAL, started_by="erin")
    assert h.next_item_id(orch, "erin") is None
    refused = h.decide(orch, "erin", critical, h.DecisionForm(action="approve"))
    assert not refused.ok and "may not approve its items" in refused.message


def test_edit_redirect_and_escalate_through_the_form(orch: Orchestrator) -> None:
    edited_id, redirected, escalated = _start(orch, HIGH), _start(orch, HIGH), _start(orch, HIGH)
    typed = h.ProposalEdit(fields={"subject": "Refund", "body": "Your refund was approved."})
    form = h.DecisionForm(action="edit", reason_code="tone", edit=typed)
    assert h.decide(orch, "alice", edited_id, form).ok
    run = orch.run(orch.item(edited_id).run_id)
    assert run.outcome == "approved"

    bad_json = h.DecisionForm(action="edit", reason_code="tone", proposal_json="{not json")
    assert "not valid JSON" in h.decide(orch, "alice", redirected, bad_json).message

    again = h.decide(
        orch, "alice", redirected, h.DecisionForm(action="redirect", reason_code="tone", instructions="Be brief.")
    )
    assert again.ok and orch.run(orch.item(redirected).run_id).status == "paused"

    up = h.decide(
        orch, "bob", escalated, h.DecisionForm(action="escalate", reason_code="needs_expert", escalate_to="expert")
    )
    assert up.ok
    detail = h.run_detail(orch, orch.item(escalated).run_id[:10])
    assert "bob chose escalate (needs_expert)" in detail


def test_dwell_keeps_approve_disabled_and_the_service_refuses(settings: Settings) -> None:
    now = [1_000_000.0]
    policy = GatePolicy(min_dwell_seconds={"low": 0.0, "medium": 0.0, "high": 30.0, "critical": 60.0})
    registry = GraphRegistry([notify_spec(policy)])
    with Orchestrator(settings, registry=registry, clock=lambda: now[0]) as orch:
        orch.add_user("alice", "reviewer")
        item_id = _start(orch, HIGH)
        view = h.open_item(orch, "alice", item_id)
        assert view.min_dwell_seconds == 30.0
        assert not h.approve_ready(now[0], view.opened_at, view.min_dwell_seconds)
        now[0] += 5
        early = h.decide(orch, "alice", item_id, h.DecisionForm(action="approve"))
        assert not early.ok and "needs at least 30 s" in early.message
        now[0] += 30
        assert h.approve_ready(now[0], view.opened_at, view.min_dwell_seconds)
        assert h.decide(orch, "alice", item_id, h.DecisionForm(action="approve")).ok


def test_runs_audit_and_task_handlers(orch: Orchestrator) -> None:
    item_id = _start(orch, HIGH)
    run_id = orch.item(item_id).run_id
    assert [r[0] for r in h.runs_rows(orch)] == [run_id]
    assert "waiting on items" in h.run_detail(orch, run_id)
    assert "0 runs match" in h.run_detail(orch, "zzz")
    assert h.audit_rows(orch)[0][3] == "user.role_set" or any(r[3] == "item.queued" for r in h.audit_rows(orch))
    assert h.audit_status(orch).startswith("Audit chain intact")
    assert list(h.start_task(orch, None, "do it")) == ["Sign in first: runs are started under your name."]
    assert "Type a task first" in next(h.start_task(orch, "alice", "  "))


def test_bad_csv_upload_is_reported(orch: Orchestrator, tmp_path: Any) -> None:
    empty = tmp_path / "items.csv"
    empty.write_text("company,name,email\n", encoding="utf-8")
    log = list(h.start_task(orch, "alice", "Email each contact", empty))
    assert log[-1].endswith("The uploaded CSV has no rows under its header.")


def test_a_task_with_a_csv_and_uploaded_sources_reports_each_run_as_it_starts(
    orch: Orchestrator, tmp_path: Any
) -> None:
    from humangate.data.demo import demo_root

    items = tmp_path / "items.csv"
    items.write_text(
        "company,name,email\nNorthwind Analytics,Ana Okafor,ana@northwind.example\n"
        "Northwind Analytics,Rui Costa,rui@northwind.example\n",
        encoding="utf-8",
    )
    pages = demo_root().joinpath("sources", "northwind-analytics")
    uploads = []
    for page in pages.iterdir():
        (tmp_path / page.name).write_text(page.read_text(encoding="utf-8"), encoding="utf-8")
        uploads.append(str(tmp_path / page.name))
    task = "Research these companies, draft an intro email to each, and let me approve before anything is sent."
    log = list(h.start_task(orch, "alice", task, items, uploads))
    assert len(log) == 4  # the plan, one update per run as it starts, the summary
    assert "uploaded source file(s)" in log[0] and "Plan: 2 outreach runs" in log[0]
    assert "[1/2] Ana Okafor (Northwind Analytics)" in log[1] and "[2/2]" not in log[1]
    assert "[2/2] Rui Costa (Northwind Analytics)" in log[2]
    assert log[-1].endswith("2 runs started: 0 completed without a person, 2 waiting for review.")
    # A brief that passed may be sampled for a non-blocking second look (an audit item): only gates hold runs.
    assert {i.node for i in orch.pending().items if i.kind == "gate"} == {"review_send"}


# Building gr.Blocks creates asyncio event loops inside gradio that it never closes; their sockets are
# reported when garbage-collected. That is gradio's leak, not the panel's.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_build_app_constructs_with_the_element_ids(orch: Orchestrator) -> None:
    app = build_app(orch)
    assert isinstance(app, gr.Blocks)
    ids = {getattr(b, "elem_id", None) for b in app.blocks.values()}
    expected = {
        "inbox-table",
        "inbox-count",
        "filter-graph",
        "filter-node",
        "filter-risk",
        "filter-trigger",
        "filter-role",
        "inbox-refresh",
        "inbox-next-page",
        "inbox-prev-page",
        "open-top",
        "item-header",
        "item-triggers",
        "item-sources",
        "item-observed",
        "item-timeline",
        "proposal-to",
        "proposal-subject",
        "proposal-body",
        "proposal-json",
        "proposal-summary",
        "proposal-fixed-subject",
        "proposal-field-0",
        "proposal-claims-note",
        "proposal-claims",
        "btn-save-json",
        "decision-bar",
        "audit-detail",
        "reason-code",
        "decision-note",
        "redirect-instructions",
        "escalate-role",
        "btn-approve",
        "btn-save-edit",
        "btn-reject",
        "btn-redirect",
        "btn-escalate",
        "decision-status",
        "runs-table",
        "run-id",
        "run-show",
        "run-detail",
        "audit-table",
        "audit-verify",
        "audit-status",
        "task-text",
        "task-file",
        "task-start",
        "task-log",
    }
    assert expected <= ids
    gc.collect()  # collect gradio's loops here, where the warning is ignored, not in a later test


def test_earlier_decisions_on_similar_proposals_are_listed_escaped() -> None:
    assessment = RiskAssessment(level="high", score=0.7, confidence=0.5, needs_review=True, policy_version="t")
    request = ReviewRequest(
        graph="support",
        node="review_reply",
        thread_id="t",
        title="Reply",
        proposal={"body": "Hi"},
        proposal_kind="SupportReply",
        assessment=assessment,
        similar_corrections=[
            {
                "kind": "escalate",
                "reviewer": "alice",
                "reason_code": "needs_expert",
                "note": "<b>x</b>",
                "similarity": 0.81,
            }
        ],
    )
    html = render_observed(request)
    assert "escalated by alice (needs_expert): &lt;b&gt;x&lt;/b&gt; [similarity 0.81]" in html
    assert "<b>x</b>" not in html


def _demo_runs(orch: Orchestrator) -> dict[str, int]:
    """Start a research brief, an email and a support reply of the demo, each held for review; return their items."""
    for item in demo_outreach_items():
        if item["company"] in ("Lumen Robotics", "Northwind Analytics"):
            orch.start("outreach", item | {"require_approval": True}, started_by="seed")
    olivia = next(m for m in demo_support_messages() if m.customer == "Olivia Brown")
    orch.start("support", olivia.model_dump() | {"require_approval": True}, started_by="seed")
    titles = {i.title: i.id for i in orch.pending(limit=50).items}
    return {
        "brief": titles["Research brief: Lumen Robotics"],
        "email": titles["Email to Ana Okafor (Northwind Analytics)"],
        "reply": titles["Reply to Olivia Brown: refund"],
    }


def _sent(orch: Orchestrator, run_id: str) -> list[dict[str, Any]]:
    with orch.db.read() as conn:
        rows = conn.execute(select(outbox.c.payload_json).where(outbox.c.run_id == run_id)).all()
    return [json.loads(r.payload_json) for r in rows]


def test_typed_forms_edit_every_proposal_kind_as_the_json_editor_would(orch: Orchestrator) -> None:
    items = _demo_runs(orch)
    gates = {kind: orch.registry.get(orch.item(i).graph).gates[orch.item(i).node] for kind, i in items.items()}

    # An email: To (a locked recipient), Subject, Body; the other fields are kept as proposed.
    email = orch.item(items["email"]).request
    form = h.proposal_form(email)
    assert form.kind == "email" and [(f.name, f.recipient) for f in form.fields] == [
        ("to", True),
        ("subject", False),
        ("body", False),
    ]
    edit = h.ProposalEdit(fields={"to": email.proposal["to"], "subject": "Hello, Ana", "body": "Short and kind."})
    expected = {**email.proposal, "subject": "Hello, Ana", "body": "Short and kind."}
    assert h.apply_edit(email.proposal, edit) == expected

    # A reply: To, its own subject and Body.
    reply = orch.item(items["reply"]).request
    form = h.proposal_form(reply)
    assert form.kind == "reply" and [f.name for f in form.fields] == ["to", "subject", "body"]
    assert form.fixed == () and form.fields[1].label == f"Subject of the reply (empty: {REPLY_SUBJECT})"
    body = form.value("body") + "\n\nP.S. A person read this."
    reply_edit = h.ProposalEdit(fields={"to": form.value("to"), "subject": "Re: your refund", "body": body})
    assert h.apply_edit(reply.proposal, reply_edit) == {**reply.proposal, "subject": "Re: your refund", "body": body}
    # A reply proposed without a subject (older runs) shows the generic one, read only.
    bare = reply.model_copy(update={"proposal": {k: v for k, v in reply.proposal.items() if k != "subject"}})
    assert h.proposal_form(bare).fixed[0][1] == REPLY_SUBJECT

    # A brief: its summary and each claim with its sources; a claim can be reworded, re-sourced or removed.
    brief = orch.item(items["brief"]).request
    form = h.proposal_form(brief)
    claims = brief.proposal["claims"]
    assert form.kind == "brief" and len(form.claims) == len(claims) >= 3
    assert form.claims[0] == (claims[0]["text"], tuple(claims[0]["source_ids"]))
    assert set(form.source_choices) == {s.id for s in brief.sources if not s.id.startswith("claim-")}
    other = next(s for s in form.source_choices if s not in claims[2]["source_ids"])
    brief_edit = h.ProposalEdit(
        fields={"summary": form.value("summary")},
        claims=[
            h.ClaimEdit("Lumen Robotics was founded in 2016.", claims[0]["source_ids"]),
            h.ClaimEdit(claims[1]["text"], claims[1]["source_ids"], removed=True),
            h.ClaimEdit(claims[2]["text"], [other]),
            *[h.ClaimEdit(c["text"], c["source_ids"]) for c in claims[3:]],
        ],
    )
    brief_expected = {
        **brief.proposal,
        "claims": [
            {"text": "Lumen Robotics was founded in 2016.", "source_ids": claims[0]["source_ids"]},
            {"text": claims[2]["text"], "source_ids": [other]},
            *claims[3:],
        ],
    }
    assert h.apply_edit(brief.proposal, brief_edit) == brief_expected

    # A claim may cite only the brief's sources: a typo is refused before anything is sent.
    typo = h.ProposalEdit(claims=[h.ClaimEdit(claims[0]["text"], ["lumen-robotics/abuot"])])
    refused = h.decide(orch, "alice", items["brief"], h.DecisionForm(action="edit", reason_code="tone", edit=typo))
    assert not refused.ok and "lumen-robotics/abuot, which is not a source of this brief" in refused.message
    assert orch.item(items["brief"]).status == "pending"

    # Each is exactly what the gate's model validates: the same types a JSON edit gives, nothing coerced.
    for kind, value in (("email", expected), ("reply", {**reply.proposal, "body": body}), ("brief", brief_expected)):
        assert gates[kind].proposal_model.model_validate(value).model_dump(mode="json") == value

    # Recorded through the service as the signed-in reviewer: the decision holds the edited proposal.
    for kind, typed, want in (("email", edit, expected), ("brief", brief_edit, brief_expected)):
        done = h.decide(orch, "alice", items[kind], h.DecisionForm(action="edit", reason_code="tone", edit=typed))
        assert done.ok, done.message
        (event,) = [e for e in orch.timeline(orch.item(items[kind]).run_id) if e["kind"] == "decision.recorded"]
        assert event["payload"]["decision"]["edited"] == want

    done = h.decide(orch, "alice", items["reply"], h.DecisionForm(action="edit", reason_code="tone", edit=reply_edit))
    assert done.ok, done.message
    run = orch.run(orch.item(items["reply"]).run_id)
    for held in run.pending_items:  # an edit that needs a second look: another reviewer approves it
        assert h.decide(orch, "bob", held, h.DecisionForm(action="approve")).ok
    (mail,) = _sent(orch, run.id)
    assert mail["subject"] == "Re: your refund" and mail["body"] == body  # the subject the reviewer typed


def test_the_form_never_sends_an_edit_that_changes_nothing(orch: Orchestrator) -> None:
    item_id = _start(orch, HIGH)
    proposal = orch.item(item_id).request.proposal
    events = len(orch.timeline(orch.item(item_id).run_id))
    same = h.ProposalEdit(fields={"subject": proposal["subject"] + "  ", "body": proposal["body"].replace(" ", "  ")})
    for form in (
        h.DecisionForm(action="edit", reason_code="tone", edit=same),
        h.DecisionForm(action="edit", reason_code="tone", edit=h.ProposalEdit()),
        h.DecisionForm(action="edit", reason_code="tone", proposal_json=json.dumps(proposal)),
    ):
        outcome = h.decide(orch, "alice", item_id, form)
        assert not outcome.ok and outcome.message == h.NO_OP_EDIT
    # Never sent: the item waits, and nothing was written (the service would have logged a refusal).
    assert orch.item(item_id).status == "pending" and len(orch.timeline(orch.item(item_id).run_id)) == events


def test_a_recipient_change_needs_the_wrong_recipient_reason(orch: Orchestrator) -> None:
    item_id = _start(orch, HIGH)
    moved = h.ProposalEdit(fields={"to": "mallory@example.com"})
    refused = h.decide(orch, "alice", item_id, h.DecisionForm(action="edit", reason_code="tone", edit=moved))
    assert not refused.ok and "recipients are locked" in refused.message
    assert orch.item(item_id).status == "pending"
    allowed = h.decide(orch, "alice", item_id, h.DecisionForm(action="edit", reason_code="wrong_recipient", edit=moved))
    assert allowed.ok, allowed.message
    # The new recipient is held for another reviewer: alice's next item is never her own edit, bob's is.
    (held,) = orch.run(orch.item(item_id).run_id).pending_items
    assert orch.item(held).request.proposal["to"] == "mallory@example.com"
    assert h.next_item_id(orch, "alice") is None and h.next_item_id(orch, "bob") == held


def test_the_decision_record_and_the_audit_view_show_the_edit_diff(orch: Orchestrator) -> None:
    item_id = _start(orch, {**HIGH, "topic": "Your refund <b>is</b> on its way."})
    proposal = orch.item(item_id).request.proposal
    body = proposal["body"].replace("Bob", "Mr Roy").replace("on its way.", "on its way today.")
    typed = h.ProposalEdit(fields={"subject": "Your refund", "body": body})
    assert h.decide(orch, "alice", item_id, h.DecisionForm(action="edit", reason_code="tone", edit=typed)).ok
    run_id = orch.item(item_id).run_id

    detail = h.run_detail(orch, run_id)
    assert "Edited subject, body" in detail
    assert f"-subject: {esc(proposal['subject'])}" in detail and "+subject: Your refund" in detail
    assert "+body: Hi Mr Roy," in detail and "-body: Hi Bob," in detail
    assert "+body: Your refund &lt;b&gt;is&lt;/b&gt; on its way today." in detail  # proposal text stays text
    assert "<b>is</b>" not in detail

    (event,) = [e for e in orch.timeline(run_id) if e["kind"] == "decision.recorded"]
    row = next(r for r in h.audit_rows(orch) if r[0] == event["seq"])
    assert row[6].startswith("edited subject, body · ")
    shown = h.audit_detail(orch, event["seq"])
    assert "+subject: Your refund" in shown and "-body: Hi Bob," in shown and "<b>is</b>" not in shown
    assert "No audit event" in h.audit_detail(orch, 10**9)


def test_why_waiting_names_blind_audits_escalations_and_the_strongest_trigger() -> None:
    assessment = RiskAssessment(
        level="high",
        score=0.7,
        confidence=0.5,
        needs_review=True,
        policy_version="t",
        triggers=[
            Trigger(kind="policy", reason="Mentions a refund.", score=0.4),
            Trigger(kind="pii", reason="Holds a phone number", score=0.9),
        ],
    )
    request = ReviewRequest(
        graph="g", node="n", thread_id="t", title="t", proposal={}, proposal_kind="X", assessment=assessment
    )
    base = {
        "id": 1, "interrupt_id": "i", "run_id": "r", "graph": "g", "node": "n", "title": "t", "risk_level": "high",
        "score": 0.7, "trigger_kinds": ("pii", "policy"), "required_role": "expert", "min_dwell_seconds": 0.0,
        "escalation_level": 0, "status": "pending", "claimed_by": None, "claimed_at": None,
        "lease_expires_at": None, "version": 0, "created_at": 0.0, "decided_at": None,
        "request_json": request.model_dump_json(),
    }  # fmt: skip
    assert h.why_waiting(ReviewItem(**base)) == "Holds a phone number (+1 more)"
    escalated = ReviewItem(**base | {"escalation_level": 1, "approvals_needed": 2})
    assert h.why_waiting(escalated) == "Escalated to the expert role; needs 2 approvals; Holds a phone number (+1 more)"
    blind = ReviewItem(**base | {"kind": "audit", "blind": True})
    assert h.why_waiting(blind).startswith("Blind audit") and "phone" not in h.why_waiting(blind)
    broken = ReviewItem(**base | {"request_json": "{"})
    assert "stored request is invalid" in h.why_waiting(broken)
