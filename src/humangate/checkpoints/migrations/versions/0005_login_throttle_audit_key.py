"""Throttle failed panel logins, and mark where the audit chain became keyed (HMAC).

``login_failures`` keeps one row per user name and per client address, so a lockout holds across
processes. ``audit_head.keyed_from`` is the first event whose hash is an HMAC with the key kept
outside the database; events before it keep their plain SHA-256 hashes.

Revision ID: 0005_login_audit
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_login_audit"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``login_failures`` and add ``audit_head.keyed_from``."""
    op.create_table(
        "login_failures",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("first_failed_at", sa.Float, nullable=False),
        sa.Column("last_failed_at", sa.Float, nullable=False),
        sa.Column("locked_until", sa.Float, nullable=False),
    )
    with op.batch_alter_table("audit_head") as batch:
        batch.add_column(sa.Column("keyed_from", sa.Integer, nullable=True))


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("keyed_from")
    op.drop_table("login_failures")
