"""What the panel does, as plain functions of an Orchestrator: one import for every tab's handlers.

The handlers live by tab: ``inbox_view`` (filter, page, next item), ``review_view`` (open, decide) with
``proposal_form`` (the typed edit form), ``runs_view`` (runs and the audit trail) and ``task_view`` (start a
task from uploaded files). This module re-exports their public names for callers, such as the handler tests,
that want them in one place.
"""

from __future__ import annotations

from humangate.ui.inbox_view import (
    ALL,
    INBOX_HEADERS,
    PAGE_SIZE,
    TRIGGER_KINDS,
    InboxPage,
    filter_choices,
    inbox_page,
    next_item_id,
    queue_filter,
    why_waiting,
)
from humangate.ui.proposal_form import ClaimEdit, ProposalEdit, ProposalForm, apply_edit, proposal_form
from humangate.ui.review_view import (
    NO_OP_EDIT,
    DecisionForm,
    DecisionOutcome,
    ItemView,
    approve_ready,
    decide,
    open_item,
)
from humangate.ui.runs_view import (
    AUDIT_HEADERS,
    RUNS_HEADERS,
    audit_detail,
    audit_rows,
    audit_status,
    run_detail,
    runs_rows,
)
from humangate.ui.task_view import start_task

__all__ = [
    "ALL",
    "AUDIT_HEADERS",
    "INBOX_HEADERS",
    "NO_OP_EDIT",
    "PAGE_SIZE",
    "RUNS_HEADERS",
    "TRIGGER_KINDS",
    "ClaimEdit",
    "DecisionForm",
    "DecisionOutcome",
    "InboxPage",
    "ItemView",
    "ProposalEdit",
    "ProposalForm",
    "apply_edit",
    "approve_ready",
    "audit_detail",
    "audit_rows",
    "audit_status",
    "decide",
    "filter_choices",
    "inbox_page",
    "next_item_id",
    "open_item",
    "proposal_form",
    "queue_filter",
    "run_detail",
    "runs_rows",
    "start_task",
    "why_waiting",
]
