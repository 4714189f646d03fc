"""photo uploads: photos of cases waiting for the resumable upload

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
    op.create_table(
        "photo_uploads",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("queued_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("uploaded_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("refused", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("case_id", "sha256"),
    )
    op.create_index("ix_photo_uploads_pending", "photo_uploads", ["uploaded_at", "queued_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_photo_uploads_pending", table_name="photo_uploads")
    op.drop_table("photo_uploads")
