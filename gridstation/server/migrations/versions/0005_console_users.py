"""console users and sessions; the case board's columns (issue 15)

`server_users` and `server_sessions`: the people who sign in to the console and the API, and their bearer tokens
(kept hashed). `cases` gains the columns the case board filters on (grid, tier, channel, the running deadline,
the text a search looks in), filled for the cases already held from their stored state.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

import gridstation.common.sqltypes
from gridstation.domain.codec import state_from_json
from gridstation.server.eventlog import board_columns

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UTC_TIME = gridstation.common.sqltypes.UTCDateTime(length=32)
TIME_COLUMNS = ("sla_started_at", "sla_due_at", "blue_at", "yellow_at", "orange_at")
TEXT_COLUMNS = (("grid_code", sa.String(length=40)), ("tier", sa.String(length=20)), ("channel", sa.String(length=30)))


def upgrade() -> None:
    op.create_table(
        "server_users",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("display_name", sa.String(length=40), nullable=False),
        sa.Column("department_code", sa.String(length=20), nullable=True),
        sa.Column("grid_codes", gridstation.common.sqltypes.JsonText(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("disabled_at", UTC_TIME, nullable=True),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTC_TIME, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("last_sign_in_at", UTC_TIME, nullable=True),
        sa.ForeignKeyConstraint(["department_code"], ["departments.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "server_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["server_users.id"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("server_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_server_sessions_user_id"), ["user_id"], unique=False)

    # Added with a server default for the rows already there, which is then dropped: the models have none.
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name, kind in TEXT_COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=False, server_default=""))
        for name in TIME_COLUMNS:
            batch_op.add_column(sa.Column(name, UTC_TIME, nullable=True))
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    backfill_board_columns()
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name, kind in (*TEXT_COLUMNS, ("search_text", sa.Text())):
            batch_op.alter_column(name, existing_type=kind, existing_nullable=False, server_default=None)
        batch_op.create_index("ix_server_cases_grid", ["grid_code"], unique=False)
        batch_op.create_index("ix_server_cases_status_due", ["status", "sla_due_at"], unique=False)


def backfill_board_columns() -> None:
    bind = op.get_bind()
    cases = sa.table(
        "cases",
        sa.column("id", sa.String),
        sa.column("state", gridstation.common.sqltypes.JsonText()),
        *(sa.column(name, kind) for name, kind in TEXT_COLUMNS),
        *(sa.column(name, gridstation.common.sqltypes.UTCDateTime()) for name in TIME_COLUMNS),
        sa.column("search_text", sa.Text),
    )
    rows = bind.execute(sa.select(cases.c.id, cases.c.state)).all()
    for case_id, state in rows:
        if state:
            values = board_columns(state_from_json(state))
            bind.execute(sa.update(cases).where(cases.c.id == case_id).values(**values))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_server_cases_status_due")
        batch_op.drop_index("ix_server_cases_grid")
        for name in ("search_text", *TIME_COLUMNS, *(n for n, _ in TEXT_COLUMNS)):
            batch_op.drop_column(name)
    with op.batch_alter_table("server_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_server_sessions_user_id"))
    op.drop_table("server_sessions")
    op.drop_table("server_users")
