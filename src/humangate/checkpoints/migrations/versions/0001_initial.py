"""Create the initial tables: runs, review items, decisions, assessments, audit, outbox, users.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    """Create every table of the first schema version."""
    op.create_table(
        "runs",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("graph", sa.String(100), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_by", sa.String(100)),
        sa.Column("inputs_json", sa.Text, nullable=False),
        sa.Column("outcome", sa.String(20)),
        sa.Column("error", sa.Text),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("lock_owner", sa.String(100)),
        sa.Column("lock_expires_at", sa.Float),
    )
    op.create_index("ix_runs_status_created", "runs", ["status", "created_at"])
    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("interrupt_id", sa.String(64), nullable=False, unique=True),
        sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("graph", sa.String(100), nullable=False),
        sa.Column("node", sa.String(100), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("risk_level", sa.String(10), nullable=False),
        sa.Column("risk_rank", sa.Integer, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("trigger_kinds", sa.String(300), nullable=False),
        sa.Column("required_role", sa.String(20), nullable=False),
        sa.Column("min_dwell_seconds", sa.Float, nullable=False),
        sa.Column("escalation_level", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("claimed_by", sa.String(100)),
        sa.Column("claimed_at", sa.Float),
        sa.Column("lease_expires_at", sa.Float),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("decided_at", sa.Float),
        sa.Column("request_json", sa.Text, nullable=False),
    )
    # The filter columns after the sort key let queue filters skip rows inside the index.
    op.create_index(
        "ix_review_items_queue",
        "review_items",
        ["status", sa.text("risk_rank DESC"), "created_at", "id", "required_role", "trigger_kinds", "graph", "node"],
    )
    op.create_index("ix_review_items_run", "review_items", ["run_id", "status"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("review_items.id"), nullable=False, unique=True),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("interrupt_id", sa.String(64), nullable=False),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("reason_code", sa.String(40)),
        sa.Column("decision_json", sa.Text, nullable=False),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("decided_at", sa.Float, nullable=False),
        sa.Column("applied_at", sa.Float),
    )
    op.create_index("ix_decisions_unapplied", "decisions", ["run_id", "applied_at"])
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("graph", sa.String(100), nullable=False),
        sa.Column("node", sa.String(100), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("needs_review", sa.Boolean, nullable=False),
        sa.Column("trigger_kinds", sa.String(300), nullable=False),
        sa.Column("policy_version", sa.String(100), nullable=False),
        sa.Column("assessment_json", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_assessments_graph_created", "assessments", ["graph", "created_at"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("run_id", sa.String(64)),
        sa.Column("item_id", sa.Integer),
        sa.Column("payload_json", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_run", "audit_events", ["run_id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(300), nullable=False, unique=True),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("node", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("payload_json", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("result_json", sa.Text),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("sent_at", sa.Float),
    )
    op.create_table(
        "users",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    """Drop every table of the first schema version."""
    for name in ("users", "outbox", "audit_events", "audit_head", "assessments", "decisions", "review_items", "runs"):
        op.drop_table(name)
