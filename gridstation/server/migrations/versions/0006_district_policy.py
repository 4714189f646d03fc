"""district policy: the 城运中心's deadline policy for every station, versioned (issue 16)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

import gridstation.common.sqltypes

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "district_policies",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("policy", gridstation.common.sqltypes.JsonText(), nullable=False),
        sa.Column("created_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("version"),
    )


def downgrade() -> None:
    op.drop_table("district_policies")
