"""Deliver effects with retries: the outbox keeps attempts, the next attempt's time, the last error.

An effect is ``pending`` until a worker claims it (``sending``, with ``claimed_by`` and the claim's end
in ``next_attempt_at``), then ``sent``, ``pending`` again after a failure worth retrying, or ``failed``
for good, when ``gate`` and ``hold_key`` say where its item goes back in front of a person
(``held_at``: when it did). Rows a crash left ``pending`` under the old schema become due now.

Revision ID: 0007_outbox_delivery
Revises: 0005_login_audit
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_outbox_delivery"
down_revision = "0006_router_refits"
branch_labels = None
depends_on = None


def _columns() -> list[sa.Column[object]]:
    return [
        sa.Column("next_attempt_at", sa.Float, nullable=True),
        sa.Column("claimed_by", sa.String(100), nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("gate", sa.String(100), nullable=True),
        sa.Column("hold_key", sa.String(100), nullable=True),
        sa.Column("held_at", sa.Float, nullable=True),
    ]


def upgrade() -> None:
    """Add the delivery columns and the index of due rows; make old pending rows due."""
    with op.batch_alter_table("outbox") as batch:
        for column in _columns():
            batch.add_column(column)
    op.create_index("ix_outbox_due", "outbox", ["status", "next_attempt_at"])
    op.execute("UPDATE outbox SET next_attempt_at = created_at WHERE status = 'pending'")


def downgrade() -> None:
    """Drop them again."""
    op.drop_index("ix_outbox_due", "outbox")
    with op.batch_alter_table("outbox") as batch:
        for column in reversed(_columns()):
            batch.drop_column(column.name)
