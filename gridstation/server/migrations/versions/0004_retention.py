"""retention: when a case's personal data was anonymised

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

import gridstation.common.sqltypes

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing cases were never anonymised: NULL, and the next retention run looks at them.
    op.add_column(
        "cases", sa.Column("anonymised_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("anonymised_at")
