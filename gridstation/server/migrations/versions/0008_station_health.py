"""station health: each station's last push and pull, the unsent count it reported, its last error (issue 19)

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

import gridstation.common.sqltypes

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "station_health",
        sa.Column("station_code", sa.String(length=8), nullable=False),
        sa.Column("last_push_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("last_pull_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("unsent", sa.BigInteger(), nullable=True),
        sa.Column("unsent_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("last_error_code", sa.String(length=60), nullable=False),
        sa.Column("last_error_status", sa.Integer(), nullable=True),
        sa.Column("last_error_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.ForeignKeyConstraint(["station_code"], ["stations.code"]),
        sa.PrimaryKeyConstraint("station_code"),
    )


def downgrade() -> None:
    op.drop_table("station_health")
