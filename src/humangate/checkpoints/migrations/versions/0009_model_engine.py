"""Record which engine served a run: the offline engine, or a model and its endpoint.

Revision ID: 0009_model_engine
Revises: 0005_login_audit
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_model_engine"
down_revision = "0008_api_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``runs.engine`` (empty for runs started before it existed)."""
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("engine", sa.String(300), nullable=True))


def downgrade() -> None:
    """Drop it again."""
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("engine")
