"""attachments per station: each station's own upload record, and the cases a photo belongs to

Revision ID: 0003
Revises: 0002

Before, one row per content hash served every station: a station offering a photo another station had uploaded
was told it was complete (learning that it exists) and its own case never got it. Now `attachments` is keyed by
(station_code, sha256) and `attachment_cases` lists the cases; the bytes stay one file per hash on disk.

Existing rows keep their station and get their case as a link. An upload in progress restarts from 0 (the
station's half-sent bytes now live in a per-station file); the station simply sends the photo again.
"""

import sqlalchemy as sa
from alembic import op

import gridstation.common.sqltypes

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COPY = "attachments_before_0002"


def _create_attachments(*, per_station: bool) -> None:
    columns = [
        sa.Column("station_code", sa.String(length=8), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("created_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
    ]
    if per_station:
        op.create_table("attachments", *columns, sa.PrimaryKeyConstraint("station_code", "sha256"))
        return
    op.create_table(
        "attachments",
        *columns,
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachments_case_id"), ["case_id"], unique=False)


def upgrade() -> None:
    # Copy, drop, create, fill: the same statements on SQLite and PostgreSQL, and the new table's constraint and
    # index names are those of a fresh database.
    op.execute(f"CREATE TABLE {COPY} AS SELECT * FROM attachments")
    op.drop_table("attachments")  # and its index
    _create_attachments(per_station=True)
    op.create_table(
        "attachment_cases",
        sa.Column("station_code", sa.String(length=8), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_code", "sha256"],
            ["attachments.station_code", "attachments.sha256"],
            name="fk_attachment_cases_attachment",
        ),
        sa.PrimaryKeyConstraint("station_code", "sha256", "case_id"),
    )
    with op.batch_alter_table("attachment_cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_cases_case_id"), ["case_id"], unique=False)
    op.execute(
        "INSERT INTO attachments (station_code, sha256, size, received, complete, media_type, filename, created_at)"
        f" SELECT station_code, sha256, size, received, complete, media_type, filename, created_at FROM {COPY}"
    )
    op.execute(
        "INSERT INTO attachment_cases (station_code, sha256, case_id, created_at)"
        f" SELECT station_code, sha256, case_id, created_at FROM {COPY}"
    )
    attachments = sa.table("attachments", sa.column("received", sa.BigInteger()), sa.column("complete", sa.Boolean()))
    op.execute(attachments.update().where(attachments.c.complete.is_(sa.false())).values(received=0))
    op.drop_table(COPY)


def downgrade() -> None:
    # One row per hash again: the first station's upload, with the first of its cases.
    op.execute(
        f"CREATE TABLE {COPY} AS SELECT a.station_code, a.sha256, a.size, a.received, a.complete, a.media_type,"
        " a.filename, a.created_at, (SELECT min(c.case_id) FROM attachment_cases c"
        " WHERE c.station_code = a.station_code AND c.sha256 = a.sha256) AS case_id FROM attachments a"
        " WHERE a.station_code = (SELECT min(b.station_code) FROM attachments b WHERE b.sha256 = a.sha256)"
    )
    op.drop_table("attachment_cases")  # and its index
    op.drop_table("attachments")
    _create_attachments(per_station=False)
    op.execute(
        "INSERT INTO attachments (sha256, size, received, complete, station_code, case_id, media_type, filename,"
        f" created_at) SELECT sha256, size, received, complete, station_code, coalesce(case_id, ''), media_type,"
        f" filename, created_at FROM {COPY}"
    )
    op.drop_table(COPY)
