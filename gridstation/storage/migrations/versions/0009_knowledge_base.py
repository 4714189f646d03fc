"""knowledge base: read-only copies of the centre's articles, and the outbox of proposals from closed cases (issue 17)

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

import gridstation.common.sqltypes

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Few articles (tens, a few hundred): their words are kept in plain columns, segmented by Python with the station's
    # word lists, and ranked in Python; no full-text index is needed.
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
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("received_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("headline_words", sa.Text(), nullable=False),
        sa.Column("words_fingerprint", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "kb_proposals",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("case_number", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("categories", gridstation.common.sqltypes.JsonText(), nullable=False),
        sa.Column("keywords", gridstation.common.sqltypes.JsonText(), nullable=False),
        sa.Column("proposer", sa.String(length=40), nullable=False),
        sa.Column("created_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("sent_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("refused", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("article_id", sa.String(length=64), nullable=False),
        sa.Column("decided_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("kb_proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_proposals_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_kb_proposals_unsent", ["sent_at", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("kb_proposals", schema=None) as batch_op:
        batch_op.drop_index("ix_kb_proposals_unsent")
        batch_op.drop_index(batch_op.f("ix_kb_proposals_case_id"))
    op.drop_table("kb_proposals")
    op.drop_table("kb_articles")
