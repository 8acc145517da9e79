"""The project's own tables (SQLAlchemy Core). Alembic migrations under ``migrations/`` create them.

Times are UNIX seconds (float, UTC) so that leases, ages and SLAs compare the same way on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

__all__ = [
    "api_tokens",
    "assessments",
    "audit_events",
    "audit_head",
    "corrections",
    "decisions",
    "link_uses",
    "login_failures",
    "memory_backlog",
    "metadata",
    "notifications",
    "outbox",
    "review_items",
    "router_versions",
    "runs",
    "slack_users",
    "tasks",
    "users",
    "votes",
    "workers",
]

metadata = MetaData()

runs = Table(
    "runs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("graph", String(100), nullable=False),
    Column("title", String(500), nullable=False, default=""),
    # queued | running | paused | resuming | completed | failed | cancelled
    Column("status", String(20), nullable=False),
    Column("started_by", String(100)),
    Column("inputs_json", Text, nullable=False),
    Column("outcome", String(20)),  # approved | rejected | passed, once completed
    Column("error", Text),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("lock_owner", String(100)),
    Column("lock_expires_at", Float),
    Column("engine", String(300)),  # what served the agents: "offline", or the model and its endpoint
    Column("task_id", String(64)),  # the batch (``tasks``) that started it, if any
    Column("cancel_requested_at", Float),  # cancel at the next stop (the run was busy when asked)
    Index("ix_runs_status_created", "status", "created_at"),
    Index("ix_runs_task_status", "task_id", "status"),
)

tasks = Table(
    "tasks",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("text", Text, nullable=False),
    Column("graph", String(100), nullable=False),
    Column("started_by", String(100)),
    Column("total", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("cancelled_at", Float),
    Column("cancelled_by", String(100)),
)

workers = Table(
    "workers",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("concurrency", Integer, nullable=False),
    Column("started_at", Float, nullable=False),
    Column("seen_at", Float, nullable=False),
)

review_items = Table(
    "review_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("interrupt_id", String(64), nullable=False, unique=True),
    Column("run_id", String(64), ForeignKey("runs.id"), nullable=False),
    Column("graph", String(100), nullable=False),
    Column("node", String(100), nullable=False),
    Column("title", String(500), nullable=False),
    Column("risk_level", String(10), nullable=False),
    Column("risk_rank", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("trigger_kinds", String(300), nullable=False),  # ",pii,policy," for LIKE filters
    Column("required_role", String(20), nullable=False),
    Column("min_dwell_seconds", Float, nullable=False),
    Column("escalation_level", Integer, nullable=False, default=0),
    Column("status", String(20), nullable=False),  # pending | decided | superseded
    Column("claimed_by", String(100)),
    Column("claimed_at", Float),
    Column("lease_expires_at", Float),
    Column("version", Integer, nullable=False, default=0),
    Column("created_at", Float, nullable=False),
    Column("decided_at", Float),
    Column("request_json", Text, nullable=False),
    Column("kind", String(20), nullable=False, default="gate"),  # gate | audit | canary
    Column("due_at", Float),  # SLA: when the item escalates (or fails closed at the end of the chain)
    Column("sla_step", Integer, nullable=False, default=0),
    Column("approvals_needed", Integer, nullable=False, default=1),  # M of N for critical items
    Column("blind", Boolean, nullable=False, default=False),  # shown without the AI's recommendation
    Column("source_item_id", Integer),  # the item an audit or canary item derives from
    # The filter columns after the sort key let QueueFilter skip rows inside the index .
    Index(
        "ix_review_items_queue",
        "status",
        text("risk_rank DESC"),
        "created_at",
        "id",
        "required_role",
        "trigger_kinds",
        "graph",
        "node",
    ),
    Index("ix_review_items_run", "run_id", "status"),
    Index(
        "ix_review_items_due",
        "due_at",
        sqlite_where=text("status = 'pending'"),
        postgresql_where=text("status = 'pending'"),
    ),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_id", Integer, ForeignKey("review_items.id"), nullable=False, unique=True),
    Column("run_id", String(64), nullable=False),
    Column("interrupt_id", String(64), nullable=False),
    Column("reviewer", String(100), nullable=False),
    Column("action", String(20), nullable=False),
    Column("reason_code", String(40)),
    Column("decision_json", Text, nullable=False),
    Column("request_sha256", String(64), nullable=False),
    Column("decided_at", Float, nullable=False),
    Column("applied_at", Float),
    Column("dwell_seconds", Float),
    Index("ix_decisions_unapplied", "run_id", "applied_at"),
)

assessments = Table(
    "assessments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("run_id", String(64), nullable=False),
    Column("graph", String(100), nullable=False),
    Column("node", String(100), nullable=False),
    Column("level", String(10), nullable=False),
    Column("score", Float, nullable=False),
    Column("needs_review", Boolean, nullable=False),
    Column("trigger_kinds", String(300), nullable=False),
    Column("policy_version", String(100), nullable=False),
    Column("assessment_json", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Index("ix_assessments_graph_created", "graph", "created_at"),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    # First event hashed with the HMAC key kept outside the database; NULL: the chain is not keyed yet.
    Column("keyed_from", Integer),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", Float, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("kind", String(50), nullable=False),
    Column("run_id", String(64)),
    Column("item_id", Integer),
    Column("payload_json", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_run", "run_id"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(300), nullable=False, unique=True),
    Column("run_id", String(64), nullable=False),
    Column("node", String(100), nullable=False),
    Column("kind", String(50), nullable=False),
    Column("payload_json", Text, nullable=False),
    Column("status", String(20), nullable=False),  # pending | sending | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("result_json", Text),
    Column("created_at", Float, nullable=False),
    Column("sent_at", Float),
    Column("next_attempt_at", Float),  # pending: not before; sending: when the claim on it lapses
    Column("claimed_by", String(100)),  # the worker sending it now
    Column("last_error", Text),
    Column("gate", String(100)),  # where a failure for good puts the item back in front of a person
    Column("hold_key", String(100)),  # the state key of that gate's assessment
    Column("held_at", Float),  # when a failed effect went back to its gate
    Index("ix_outbox_due", "status", "next_attempt_at"),
)

users = Table(
    "users",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("password_hash", String(300)),  # scrypt, see humangate.auth; NULL: cannot sign in to the panel
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("key", String(300), primary_key=True),  # "user:NAME" or "addr:ADDRESS"
    Column("failures", Integer, nullable=False),
    Column("first_failed_at", Float, nullable=False),
    Column("last_failed_at", Float, nullable=False),
    Column("locked_until", Float, nullable=False),
)

corrections = Table(
    "corrections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("graph", String(100), nullable=False),
    Column("node", String(100), nullable=False),
    Column("kind", String(20), nullable=False),  # approve | edit | reject | redirect | escalate
    Column("item_id", Integer),
    Column("decision_id", Integer),
    Column("run_id", String(64)),
    Column("reviewer", String(100), nullable=False),
    Column("reason_code", String(40)),
    Column("note", Text),
    Column("situation", Text, nullable=False),  # what the agent saw, redacted
    Column("proposal_json", Text, nullable=False),  # redacted
    Column("corrected_json", Text),  # the reviewer's version, redacted
    Column("instructions", Text),
    Column("key_text", Text, nullable=False),  # the text that was embedded
    Column("trigger_kinds", String(300), nullable=False, default=",,"),  # why the proposal was held: ",policy,"
    Column("embedder", String(100)),
    Column("embedding", LargeBinary),  # float32; PostgreSQL with pgvector also has embedding_vec
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_corrections_lookup", "graph", "node", "active", "embedder"),
)

# Decisions memory has yet to redact, embed and store as corrections: written in the decision's own
# transaction and emptied behind it, so a slow or unreachable embedder never holds up a decision.
memory_backlog = Table(
    "memory_backlog",
    metadata,
    Column("decision_id", Integer, ForeignKey("decisions.id"), primary_key=True, autoincrement=False),
    Column("queued_at", Float, nullable=False),
    Column("active", Boolean, nullable=False, default=True),  # false: a roll back covered it before it was stored
    Column("attempts", Integer, nullable=False, default=0),
    Column("retry_at", Float, nullable=False, default=0.0),  # not before: failures back off
    Column("last_error", Text),
    Index("ix_memory_backlog_retry", "retry_at"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event", String(50), nullable=False),  # item.queued | item.escalated | item.expired
    Column("item_id", Integer),
    Column("run_id", String(64)),
    Column("url", String(2000), nullable=False),
    Column("payload_json", Text, nullable=False),
    Column("status", String(20), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("created_at", Float, nullable=False),
    Column("next_attempt_at", Float),
    Column("delivered_at", Float),
    Index("ix_notifications_due", "status", "next_attempt_at"),
)

votes = Table(
    "votes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_id", Integer, ForeignKey("review_items.id"), nullable=False),
    Column("reviewer", String(100), nullable=False),
    Column("action", String(20), nullable=False),
    Column("decision_json", Text, nullable=False),
    Column("request_sha256", String(64), nullable=False),
    Column("dwell_seconds", Float),
    Column("decided_at", Float, nullable=False),
    UniqueConstraint("item_id", "reviewer", name="uq_votes_item_reviewer"),
)

# Refits of the escalation router, one row per attempt: ``active`` (at most one per gate), ``retired``
# (replaced or rolled back; may be activated again) or ``refused`` (kept for the record, never used).
router_versions = Table(
    "router_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("graph", String(100), nullable=False),
    Column("node", String(100), nullable=False),
    Column("status", String(20), nullable=False),  # active | retired | refused
    Column("parent_id", Integer),  # the version active when this one was fitted; NULL: the shipped router
    Column("created_by", String(100), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("activated_at", Float),
    Column("labels", Integer, nullable=False),
    Column("positives", Integer, nullable=False),
    Column("model", LargeBinary),  # numpy archive of the correction and its calibration; NULL when refused early
    Column("model_sha256", String(64)),
    Column("report_json", Text, nullable=False),  # figures and reasons, as the refit reported them
    Index("ix_router_versions_gate", "graph", "node", "created_at"),
    Index(
        "uq_router_versions_active",
        "graph",
        "node",
        unique=True,
        sqlite_where=text("status = 'active'"),
        postgresql_where=text("status = 'active'"),
    ),
)

# API tokens: only a SHA-256 of the secret part is stored; the id is the token's public part.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_name", String(100), ForeignKey("users.name"), nullable=False),
    Column("label", String(200), nullable=False, default=""),
    Column("secret_sha256", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("expires_at", Float),  # NULL: until revoked
    Column("revoked_at", Float),
    Column("revoked_by", String(100)),
    Column("last_used_at", Float),
    Index("ix_api_tokens_user", "user_name"),
)

# One row per review link (or Slack message) that decided: the primary key makes a link single-use.
link_uses = Table(
    "link_uses",
    metadata,
    Column("link_id", String(64), primary_key=True),
    Column("item_id", Integer, nullable=False),
    Column("channel", String(20), nullable=False),  # link | slack
    Column("reviewer", String(100), nullable=False),
    Column("action", String(20), nullable=False),
    Column("used_at", Float, nullable=False),
    Column("decision_id", Integer),  # NULL until the decision is recorded (0: an M-of-N vote)
)

# Which humangate user a Slack account acts as when it presses a button.
slack_users = Table(
    "slack_users",
    metadata,
    Column("team_id", String(32), primary_key=True),
    Column("slack_user_id", String(32), primary_key=True),
    Column("user_name", String(100), ForeignKey("users.name"), nullable=False),
    Column("created_at", Float, nullable=False),
)
