"""Store refits of the escalation router: one row per attempt, at most one active per gate.

A refit learns from reviewers' decisions (``humangate calibrate``); its correction and calibration are a
numpy archive in ``model``, checked against ``model_sha256`` when loaded. ``status`` is ``active``,
``retired`` (may be activated again by a roll back) or ``refused``; a partial unique index keeps one
active version per graph and gate on SQLite and PostgreSQL alike.

Revision ID: 0006_router_refits
Revises: 0005_login_audit
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_router_refits"
down_revision = "0005_login_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``router_versions`` and its indexes."""
    op.create_table(
        "router_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("graph", sa.String(100), nullable=False),
        sa.Column("node", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("parent_id", sa.Integer),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("activated_at", sa.Float),
        sa.Column("labels", sa.Integer, nullable=False),
        sa.Column("positives", sa.Integer, nullable=False),
        sa.Column("model", sa.LargeBinary),
        sa.Column("model_sha256", sa.String(64)),
        sa.Column("report_json", sa.Text, nullable=False),
    )
    op.create_index("ix_router_versions_gate", "router_versions", ["graph", "node", "created_at"])
    op.create_index(
        "uq_router_versions_active",
        "router_versions",
        ["graph", "node"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )


def downgrade() -> None:
    """Drop ``router_versions``."""
    op.drop_index("uq_router_versions_active", "router_versions")
    op.drop_index("ix_router_versions_gate", "router_versions")
    op.drop_table("router_versions")
