"""Add the memory backlog: decisions that correction memory has yet to redact, embed and store.

Decisions used to be embedded before their own transaction, so every decision waited on the embedder
(an HTTP call with the OpenAI provider) and a correction was lost when the embedder failed. Now the
decision's transaction queues it here and memory stores it behind the decision, retrying failures.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``memory_backlog``."""
    op.create_table(
        "memory_backlog",
        sa.Column("decision_id", sa.Integer, sa.ForeignKey("decisions.id"), primary_key=True, autoincrement=False),
        sa.Column("queued_at", sa.Float, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("retry_at", sa.Float, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("ix_memory_backlog_retry", "memory_backlog", ["retry_at"])


def downgrade() -> None:
    """Drop ``memory_backlog``."""
    op.drop_index("ix_memory_backlog_retry", "memory_backlog")
    op.drop_table("memory_backlog")
