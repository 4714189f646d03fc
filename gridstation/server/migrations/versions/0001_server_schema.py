"""server schema

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

import gridstation.common.sqltypes

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("station_code", sa.String(length=8), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("created_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachments_case_id"), ["case_id"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("detail", gridstation.common.sqltypes.JsonText(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)

    op.create_table(
        "categories",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("parent_code", sa.String(length=40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "conflicts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("station_code", sa.String(length=8), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("base_value", gridstation.common.sqltypes.JsonText(), nullable=False),
        sa.Column("station_value", gridstation.common.sqltypes.JsonText(), nullable=False),
        sa.Column("server_value", gridstation.common.sqltypes.JsonText(), nullable=False),
        sa.Column("station_event_id", sa.String(length=36), nullable=False),
        sa.Column("server_event_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("resolved_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=False),
        sa.Column("resolution_event_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("conflicts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conflicts_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_conflicts_station_open", ["station_code", "resolved_at"], unique=False)

    op.create_table(
        "departments",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("created_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_departments_token_hash"), ["token_hash"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("station_code", sa.String(length=8), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("station_seq", sa.BigInteger(), nullable=True),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("payload", gridstation.common.sqltypes.JsonText(), nullable=False),
        sa.Column("actor_id", sa.String(length=100), nullable=False),
        sa.Column("actor_name", sa.String(length=40), nullable=False),
        sa.Column("occurred_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("hlc", sa.String(length=32), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("received_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("station_code", "station_seq", name="uq_events_station_seq"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_case_id"), ["case_id"], unique=False)

    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("station_code", sa.String(length=8), nullable=False),
        sa.Column("station_seq", sa.BigInteger(), nullable=True),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("body", gridstation.common.sqltypes.JsonText(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("received_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.create_index("ix_quarantine_station_seq", ["station_code", "station_seq"], unique=False)

    op.create_table(
        "stations",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("enrol_code_hash", sa.String(length=64), nullable=False),
        sa.Column("enrol_expires_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("credential_hash", sa.String(length=64), nullable=False),
        sa.Column("enrolled_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("revoked_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("pushed_seq", sa.BigInteger(), nullable=False),
        sa.Column("feed_head", sa.BigInteger(), nullable=False),
        sa.Column("last_seen_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("created_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("stations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stations_credential_hash"), ["credential_hash"], unique=False)

    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("station_code", sa.String(length=8), nullable=False),
        sa.Column("revoked_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("created_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_code"],
            ["stations.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("station_code", sa.String(length=8), nullable=False),
        sa.Column("category_code", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("registered_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("updated_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("state", gridstation.common.sqltypes.JsonText(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_code"],
            ["stations.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_server_cases_category", ["category_code"], unique=False)
        batch_op.create_index("ix_server_cases_registered", ["registered_at"], unique=False)
        batch_op.create_index("ix_server_cases_station_registered", ["station_code", "registered_at"], unique=False)

    op.create_table(
        "feed",
        sa.Column("station_code", sa.String(length=8), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
        ),
        sa.PrimaryKeyConstraint("station_code", "seq"),
    )
    op.create_table(
        "work_orders",
        sa.Column("ticket", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("station_code", sa.String(length=8), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("dispatched_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("due_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("open311_token", sa.String(length=40), nullable=False),
        sa.Column("created_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_code"],
            ["stations.code"],
        ),
        sa.PrimaryKeyConstraint("ticket"),
        sa.UniqueConstraint("case_id"),
    )
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_orders_open311_token"), ["open311_token"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_orders_open311_token"))

    op.drop_table("work_orders")
    op.drop_table("feed")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_server_cases_station_registered")
        batch_op.drop_index("ix_server_cases_registered")
        batch_op.drop_index("ix_server_cases_category")

    op.drop_table("cases")
    op.drop_table("api_keys")
    with op.batch_alter_table("stations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stations_credential_hash"))

    op.drop_table("stations")
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.drop_index("ix_quarantine_station_seq")

    op.drop_table("quarantine")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_case_id"))

    op.drop_table("events")
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_departments_token_hash"))

    op.drop_table("departments")
    with op.batch_alter_table("conflicts", schema=None) as batch_op:
        batch_op.drop_index("ix_conflicts_station_open")
        batch_op.drop_index(batch_op.f("ix_conflicts_case_id"))

    op.drop_table("conflicts")
    op.drop_table("categories")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachments_case_id"))

    op.drop_table("attachments")
