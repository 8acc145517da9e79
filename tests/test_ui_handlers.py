"""The panel's handlers on a real Orchestrator (SQLite and Postgres): inbox, safe rendering, decisions."""

from __future__ import annotations

import gc
from typing import Any

import gradio as gr
import pytest

from humangate import GatePolicy, GraphRegistry, Orchestrator, Settings
from humangate.core.contract import ReviewRequest, RiskAssessment, SourceExcerpt
from humangate.graphs.example import notify_spec
from humangate.ui import build_app
from humangate.ui import handlers as h
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
    assert page.rows[0][1] == "critical" and page.rows[0][6] == "expert"
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
    assert view.email and HOSTILE.strip() in view.body  # the editable body is a plain textbox value
    assert esc("a\u202eb<") == "a\u202eb&lt;"


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
    form = h.DecisionForm(action="edit", reason_code="tone", subject="Refund", body="Your refund was approved.")
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
