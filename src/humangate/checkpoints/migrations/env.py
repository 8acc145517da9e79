"""Alembic environment: runs on the connection humangate hands over (never on alembic.ini URLs)."""

from __future__ import annotations

from alembic import context

from humangate.checkpoints.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    version_table="humangate_alembic_version",
)
with context.begin_transaction():
    context.run_migrations()
