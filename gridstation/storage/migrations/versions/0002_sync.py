"""sync: events from the centre, push outcomes, work orders, conflicts, sync runs

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import gridstation.common.sqltypes

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # `events` has no triggers, so batch mode (copy and swap) is safe here; it is how SQLite drops NOT NULL.
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.alter_column("station_seq", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("origin", sa.String(length=10), server_default="station", nullable=False))
        batch_op.add_column(sa.Column("sync_outcome", sa.String(length=12), server_default="", nullable=False))
        batch_op.add_column(sa.Column("sync_code", sa.String(length=60), server_default="", nullable=False))
        batch_op.add_column(sa.Column("sync_reason", sa.Text(), server_default="", nullable=False))
        batch_op.create_index("ix_events_unsent", ["origin", "acknowledged_at", "station_seq"], unique=False)
    # `cases` carries the full-text triggers: a batch copy would drop them, so only plain ADD COLUMN here.
    op.add_column("cases", sa.Column("work_order", sa.String(length=40), server_default="", nullable=False))
    op.add_column("cases", sa.Column("due_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True))
    op.add_column("cases", sa.Column("urgent", sa.Boolean(), server_default="0", nullable=False))
    op.create_index("ix_cases_urgent", "cases", ["urgent"], unique=False)
    op.create_table(
        "work_order_inbox",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("received_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("seen_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("seen_by", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("case_id"),
    )
    op.create_index("ix_work_order_inbox_seen_at", "work_order_inbox", ["seen_at"], unique=False)
    op.create_table(
        "conflicts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("case_number", sa.String(length=40), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("base_value", gridstation.common.sqltypes.JsonText(), nullable=False),
        sa.Column("station_value", gridstation.common.sqltypes.JsonText(), nullable=False),
        sa.Column("server_value", gridstation.common.sqltypes.JsonText(), nullable=False),
        sa.Column("station_event_id", sa.String(length=36), nullable=False),
        sa.Column("station_actor", sa.String(length=100), nullable=False),
        sa.Column("station_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("server_actor", sa.String(length=100), nullable=False),
        sa.Column("server_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("created_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("resolved_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("resolution_event_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_conflicts_case_id", "conflicts", ["case_id"], unique=False)
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("started_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("finished_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("summary", gridstation.common.sqltypes.JsonText(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sync_runs_started_at", "sync_runs", ["started_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_sync_runs_started_at", table_name="sync_runs")
    op.drop_table("sync_runs")
    op.drop_index("ix_conflicts_case_id", table_name="conflicts")
    op.drop_table("conflicts")
    op.drop_index("ix_work_order_inbox_seen_at", table_name="work_order_inbox")
    op.drop_table("work_order_inbox")
    op.drop_index("ix_cases_urgent", table_name="cases")
    op.drop_column("cases", "urgent")
    op.drop_column("cases", "due_at")
    op.drop_column("cases", "work_order")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_unsent")
        batch_op.drop_column("sync_reason")
        batch_op.drop_column("sync_code")
        batch_op.drop_column("sync_outcome")
        batch_op.drop_column("origin")
        batch_op.alter_column("station_seq", existing_type=sa.Integer(), nullable=False)
