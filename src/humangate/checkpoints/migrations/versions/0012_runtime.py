"""Runs on workers: tasks (batches of runs a person steers), a run's task and cancel request, live workers.

``tasks`` holds one row per batch ``humangate run`` or the panel's New task tab started; ``runs.task_id``
ties each run to it. ``runs.cancel_requested_at`` asks the worker that holds a run to cancel it at its next
stop. ``workers`` holds each worker process's heartbeat, so a live worker can recover the jobs of one that
died on another machine. Run status gains ``queued``, ``resuming`` and ``cancelled`` (a string column: no
change needed).

Revision ID: 0012_runtime
Revises: 0005_login_audit
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_runtime"
down_revision = "0009_model_engine"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``tasks`` and ``workers``; add ``runs.task_id`` and ``runs.cancel_requested_at``."""
    op.create_table(
        "tasks",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("graph", sa.String(100), nullable=False),
        sa.Column("started_by", sa.String(100)),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("cancelled_at", sa.Float),
        sa.Column("cancelled_by", sa.String(100)),
    )
    op.create_table(
        "workers",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("concurrency", sa.Integer, nullable=False),
        sa.Column("started_at", sa.Float, nullable=False),
        sa.Column("seen_at", sa.Float, nullable=False),
    )
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("task_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("cancel_requested_at", sa.Float, nullable=True))
    op.create_index("ix_runs_task_status", "runs", ["task_id", "status"])


def downgrade() -> None:
    """Drop them again."""
    op.drop_index("ix_runs_task_status", table_name="runs")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("cancel_requested_at")
        batch.drop_column("task_id")
    op.drop_table("workers")
    op.drop_table("tasks")
