"""station schema

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

import gridstation.common.sqltypes

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("staff_id", sa.String(length=36), nullable=False),
        sa.Column("staff_name", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("detail", gridstation.common.sqltypes.JsonText(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)

    op.create_table(
        "case_counters",
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("station_code", sa.String(length=8), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("category_code", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("tier", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("compound", sa.String(length=100), nullable=False),
        sa.Column("building", sa.String(length=60), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("grid_code", sa.String(length=20), nullable=False),
        sa.Column("complainant_name", sa.String(length=40), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("assignee", sa.String(length=100), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("registered_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("registered_by", sa.String(length=40), nullable=False),
        sa.Column("first_contact_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("closed_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("satisfaction", sa.String(length=30), nullable=False),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column("sla_stage", sa.String(length=20), nullable=False),
        sa.Column("sla_started_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("sla_due_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("state", gridstation.common.sqltypes.JsonText(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("last_hlc", sa.String(length=32), nullable=False),
        sa.Column("updated_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_category", ["category_code"], unique=False)
        batch_op.create_index("ix_cases_compound", ["compound"], unique=False)
        batch_op.create_index("ix_cases_grid", ["grid_code"], unique=False)
        batch_op.create_index("ix_cases_registered_at", ["registered_at"], unique=False)
        batch_op.create_index("ix_cases_status_due", ["status", "sla_due_at"], unique=False)
        batch_op.create_index("ix_cases_tier", ["tier"], unique=False)

    op.create_table(
        "categories",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("parent_code", sa.String(length=40), nullable=False),
        sa.Column("pinyin_initials", sa.String(length=60), nullable=False),
        sa.Column("pinyin_full", sa.String(length=240), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "compounds",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("grid_code", sa.String(length=20), nullable=False),
        sa.Column("pinyin_initials", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "grids",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", gridstation.common.sqltypes.JsonText(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "staff",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("secret_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("created_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "station",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("sub_district", sa.String(length=100), nullable=False),
        sa.Column("contact_phone", sa.String(length=30), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("hlc_last", sa.String(length=32), nullable=False),
        sa.Column("created_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("station_seq", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("payload", gridstation.common.sqltypes.JsonText(), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=False),
        sa.Column("actor_name", sa.String(length=40), nullable=False),
        sa.Column("station_code", sa.String(length=8), nullable=False),
        sa.Column("occurred_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("hlc", sa.String(length=32), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("acknowledged_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("station_seq"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_hlc"), ["hlc"], unique=False)

    # Full-text search that works for Chinese: trigram tokens need no word segmentation.
    op.execute(
        "CREATE VIRTUAL TABLE case_search USING fts5("
        "number, description, compound, building, address, complainant_name, phone, "
        "content='cases', content_rowid='rowid', tokenize='trigram')"
    )
    op.execute(
        "CREATE TRIGGER cases_search_insert AFTER INSERT ON cases BEGIN "
        "INSERT INTO case_search(rowid, number, description, compound, building, address, complainant_name, phone) "
        "VALUES (new.rowid, new.number, new.description, new.compound, new.building, new.address, "
        "new.complainant_name, new.phone); END"
    )
    op.execute(
        "CREATE TRIGGER cases_search_delete AFTER DELETE ON cases BEGIN "
        "INSERT INTO case_search(case_search, rowid, number, description, compound, building, address, "
        "complainant_name, phone) VALUES ('delete', old.rowid, old.number, old.description, old.compound, "
        "old.building, old.address, old.complainant_name, old.phone); END"
    )
    op.execute(
        "CREATE TRIGGER cases_search_update AFTER UPDATE OF number, description, compound, building, address, "
        "complainant_name, phone ON cases BEGIN "
        "INSERT INTO case_search(case_search, rowid, number, description, compound, building, address, "
        "complainant_name, phone) VALUES ('delete', old.rowid, old.number, old.description, old.compound, "
        "old.building, old.address, old.complainant_name, old.phone); "
        "INSERT INTO case_search(rowid, number, description, compound, building, address, complainant_name, phone) "
        "VALUES (new.rowid, new.number, new.description, new.compound, new.building, new.address, "
        "new.complainant_name, new.phone); END"
    )


def downgrade() -> None:
    for trigger in ("cases_search_insert", "cases_search_delete", "cases_search_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS case_search")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_hlc"))
        batch_op.drop_index(batch_op.f("ix_events_case_id"))

    op.drop_table("events")
    op.drop_table("station")
    op.drop_table("staff")
    op.drop_table("settings")
    op.drop_table("grids")
    op.drop_table("compounds")
    op.drop_table("categories")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_tier")
        batch_op.drop_index("ix_cases_status_due")
        batch_op.drop_index("ix_cases_registered_at")
        batch_op.drop_index("ix_cases_grid")
        batch_op.drop_index("ix_cases_compound")
        batch_op.drop_index("ix_cases_category")

    op.drop_table("cases")
    op.drop_table("case_counters")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
