"""knowledge base: articles for the stations, the stations' proposals from closed cases, and the feed's head (issue 17)

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

import gridstation.common.sqltypes

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_articles",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("categories", gridstation.common.sqltypes.JsonText(), nullable=False),
        sa.Column("keywords", gridstation.common.sqltypes.JsonText(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("created_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("updated_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("kb_articles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_articles_seq"), ["seq"], unique=False)

    feed = op.create_table(
        "kb_feed",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("head", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # The one row every change locks; made here, so that two first writers never race to insert it.
    op.bulk_insert(feed, [{"id": 1, "head": 0}])

    op.create_table(
        "kb_proposals",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("station_code", sa.String(length=8), nullable=False),
        sa.Column("idempotency_key", sa.String(length=36), nullable=False),
        sa.Column("case_number", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("categories", gridstation.common.sqltypes.JsonText(), nullable=False),
        sa.Column("keywords", gridstation.common.sqltypes.JsonText(), nullable=False),
        sa.Column("proposer", sa.String(length=40), nullable=False),
        sa.Column("proposed_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("received_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("article_id", sa.String(length=64), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("decided_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["station_code"], ["stations.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("station_code", "idempotency_key", name="uq_kb_proposals_station_key"),
    )
    with op.batch_alter_table("kb_proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_proposals_seq"), ["seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_kb_proposals_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("kb_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kb_proposals_status"))
        batch_op.drop_index(batch_op.f("ix_kb_proposals_seq"))
    op.drop_table("kb_proposals")
    op.drop_table("kb_feed")
    with op.batch_alter_table("kb_articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kb_articles_seq"))
    op.drop_table("kb_articles")
