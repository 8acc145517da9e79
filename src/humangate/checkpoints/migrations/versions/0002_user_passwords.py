"""Add a nullable scrypt password hash to users, for the review panel's login.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``users.password_hash``; users without one cannot sign in to the panel."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(300), nullable=True))


def downgrade() -> None:
    """Drop ``users.password_hash``."""
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_hash")
