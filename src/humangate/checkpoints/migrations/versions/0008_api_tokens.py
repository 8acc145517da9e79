"""API tokens, single-use review links and Slack accounts for the HTTP API.

``api_tokens`` keeps a SHA-256 of each token's secret part, never the token. ``link_uses`` holds one
row per review link that decided, keyed by the link's id, so a link cannot decide twice.
``slack_users`` names the humangate user a Slack account acts as.

Revision ID: 0008_api_tokens
Revises: 0005_login_audit
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_api_tokens"
down_revision = "0007_outbox_delivery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``api_tokens``, ``link_uses`` and ``slack_users``."""
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_name", sa.String(100), sa.ForeignKey("users.name"), nullable=False),
        sa.Column("label", sa.String(200), nullable=False, server_default=""),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("expires_at", sa.Float),
        sa.Column("revoked_at", sa.Float),
        sa.Column("revoked_by", sa.String(100)),
        sa.Column("last_used_at", sa.Float),
    )
    op.create_index("ix_api_tokens_user", "api_tokens", ["user_name"])
    op.create_table(
        "link_uses",
        sa.Column("link_id", sa.String(64), primary_key=True),
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("used_at", sa.Float, nullable=False),
        sa.Column("decision_id", sa.Integer),
    )
    op.create_table(
        "slack_users",
        sa.Column("team_id", sa.String(32), primary_key=True),
        sa.Column("slack_user_id", sa.String(32), primary_key=True),
        sa.Column("user_name", sa.String(100), sa.ForeignKey("users.name"), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    """Drop them again."""
    op.drop_table("slack_users")
    op.drop_table("link_uses")
    op.drop_index("ix_api_tokens_user", "api_tokens")
    op.drop_table("api_tokens")
