"""Add correction memory, webhook deliveries, M-of-N votes, and the item columns oversight needs.

- ``corrections``: what reviewers taught (redacted), with its embedding; on PostgreSQL with pgvector
  available also a ``vector`` column that search orders by.
- ``notifications``: webhook deliveries with attempts and the last error, so failures are visible.
- ``votes``: approvals of items that need more than one reviewer (M of N).
- ``review_items``: ``kind`` (gate, audit, canary), ``due_at`` and ``sla_step`` for SLAs,
  ``approvals_needed``, ``blind`` (shown without the AI's recommendation) and ``source_item_id``.
- ``decisions.dwell_seconds``: how long the reviewer looked, for rubber-stamp signals.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the memory, notification and vote tables and add the oversight columns."""
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("graph", sa.String(100), nullable=False),
        sa.Column("node", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("item_id", sa.Integer),
        sa.Column("decision_id", sa.Integer),
        sa.Column("run_id", sa.String(64)),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("reason_code", sa.String(40)),
        sa.Column("note", sa.Text),
        sa.Column("situation", sa.Text, nullable=False),
        sa.Column("proposal_json", sa.Text, nullable=False),
        sa.Column("corrected_json", sa.Text),
        sa.Column("instructions", sa.Text),
        sa.Column("key_text", sa.Text, nullable=False),
        sa.Column("trigger_kinds", sa.String(300), nullable=False, server_default=",,"),
        sa.Column("embedder", sa.String(100)),
        sa.Column("embedding", sa.LargeBinary),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ix_corrections_lookup", "corrections", ["graph", "node", "active", "embedder"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and _pgvector_available(bind):
        op.execute("ALTER TABLE corrections ADD COLUMN embedding_vec vector")
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event", sa.String(50), nullable=False),
        sa.Column("item_id", sa.Integer),
        sa.Column("run_id", sa.String(64)),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("payload_json", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),  # pending | delivered | failed
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("next_attempt_at", sa.Float),
        sa.Column("delivered_at", sa.Float),
    )
    op.create_index("ix_notifications_due", "notifications", ["status", "next_attempt_at"])
    op.create_table(
        "votes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("review_items.id"), nullable=False),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("decision_json", sa.Text, nullable=False),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("dwell_seconds", sa.Float),
        sa.Column("decided_at", sa.Float, nullable=False),
        sa.UniqueConstraint("item_id", "reviewer", name="uq_votes_item_reviewer"),
    )
    # Plain ALTER TABLE ADD COLUMN, not batch mode: on SQLite batch mode copies the table and recreates its
    # indexes from reflection, which drops the DESC of the queue index and makes every inbox page sort.
    op.add_column("review_items", sa.Column("kind", sa.String(20), nullable=False, server_default="gate"))
    op.add_column("review_items", sa.Column("due_at", sa.Float))
    op.add_column("review_items", sa.Column("sla_step", sa.Integer, nullable=False, server_default="0"))
    op.add_column("review_items", sa.Column("approvals_needed", sa.Integer, nullable=False, server_default="1"))
    op.add_column("review_items", sa.Column("blind", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("review_items", sa.Column("source_item_id", sa.Integer))
    # Partial, on the deadline alone: an index led by status would tempt the planner away from the queue index.
    pending = sa.text("status = 'pending'")
    op.create_index("ix_review_items_due", "review_items", ["due_at"], sqlite_where=pending, postgresql_where=pending)
    op.add_column("decisions", sa.Column("dwell_seconds", sa.Float))


def _pgvector_available(bind: sa.Connection) -> bool:
    """Create the pgvector extension when the server has it and we may; search falls back to numpy otherwise."""
    if bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")).first() is None:
        return False
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS vector"))
    except sa.exc.DBAPIError:
        return False
    return True


def downgrade() -> None:
    """Drop what ``upgrade`` added."""
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("dwell_seconds")
    op.drop_index("ix_review_items_due", "review_items")
    with op.batch_alter_table("review_items") as batch:
        for name in ("source_item_id", "blind", "approvals_needed", "sla_step", "due_at", "kind"):
            batch.drop_column(name)
    # Batch mode recreated the queue index without its DESC on SQLite: build it again as 0001 made it.
    op.drop_index("ix_review_items_queue", "review_items")
    op.create_index(
        "ix_review_items_queue",
        "review_items",
        ["status", sa.text("risk_rank DESC"), "created_at", "id", "required_role", "trigger_kinds", "graph", "node"],
    )
    op.drop_table("votes")
    op.drop_index("ix_notifications_due", "notifications")
    op.drop_table("notifications")
    op.drop_index("ix_corrections_lookup", "corrections")
    op.drop_table("corrections")
