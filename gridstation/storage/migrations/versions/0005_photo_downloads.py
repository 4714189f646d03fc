"""photo downloads: photos of cases that came down by sync, waiting for their bytes

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

import gridstation.common.sqltypes

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "photo_downloads",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("queued_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("downloaded_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("failed", sa.Text(), server_default="", nullable=False),
        sa.Column("set_aside", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("case_id", "sha256"),
    )
    op.create_index("ix_photo_downloads_pending", "photo_downloads", ["downloaded_at", "queued_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_photo_downloads_pending", table_name="photo_downloads")
    op.drop_table("photo_downloads")
