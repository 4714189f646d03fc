"""department scope and credential lifecycle (issue 13)

`case_departments`: the departments each case has been dispatched to, backfilled from the events already held.
Department tokens and Open311 api_keys get `issued_at` (existing ones: their `created_at`), `expires_at` (existing
ones: never) and `last_used_at` (existing ones: not known).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import gridstation.common.sqltypes
from gridstation.server.scope import department_directory, first_dispatches

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CREDENTIAL_TABLES = ("departments", "api_keys")


def upgrade() -> None:
    # The credentials first: on SQLite, altering a table recreates it, which no foreign key may point at yet.
    for table in CREDENTIAL_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("issued_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True)
            )
            batch_op.add_column(
                sa.Column("expires_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True)
            )
            batch_op.add_column(
                sa.Column("last_used_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True)
            )
        op.execute(sa.text(f"UPDATE {table} SET issued_at = created_at"))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "issued_at", existing_type=gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False
            )

    case_departments = op.create_table(
        "case_departments",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("department_code", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("dispatched_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.ForeignKeyConstraint(["department_code"], ["departments.code"]),
        sa.PrimaryKeyConstraint("case_id", "department_code"),
    )
    with op.batch_alter_table("case_departments", schema=None) as batch_op:
        batch_op.create_index("ix_case_departments_department", ["department_code"], unique=False)
    backfill_scope(case_departments)


def backfill_scope(case_departments: sa.Table) -> None:
    """Every case already dispatched to a department, by the rule new dispatches are recorded by (`scope`)."""
    bind = op.get_bind()
    departments = sa.table("departments", sa.column("code", sa.String), sa.column("name", sa.String))
    directory = department_directory(bind.execute(sa.select(departments.c.code, departments.c.name)).tuples())
    if not directory:
        return
    events = sa.table(
        "events",
        sa.column("id", sa.String),
        sa.column("case_id", sa.String),
        sa.column("type", sa.String),
        sa.column("payload", gridstation.common.sqltypes.JsonText()),
        sa.column("applied", sa.Boolean),
        sa.column("occurred_at", gridstation.common.sqltypes.UTCDateTime()),
        sa.column("received_at", gridstation.common.sqltypes.UTCDateTime()),
    )
    dispatched = bind.execute(
        sa.select(events.c.case_id, events.c.id, events.c.payload, events.c.occurred_at)
        .where(events.c.type == "case.dispatched", events.c.applied.is_(True))
        .order_by(events.c.received_at, events.c.id)
    ).tuples()
    rows = [
        {
            "case_id": d.case_id,
            "department_code": d.department_code,
            "event_id": d.event_id,
            "dispatched_at": d.dispatched_at,
        }
        for d in first_dispatches(dispatched, directory)
    ]
    if rows:
        op.bulk_insert(case_departments, rows)


def downgrade() -> None:
    with op.batch_alter_table("case_departments", schema=None) as batch_op:
        batch_op.drop_index("ix_case_departments_department")
    op.drop_table("case_departments")
    for table in CREDENTIAL_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("last_used_at")
            batch_op.drop_column("expires_at")
            batch_op.drop_column("issued_at")
