"""chained logs: event and audit chains, lockout from the audit log, retention's anonymisation mark

Revision ID: 0003
Revises: 0002

Existing databases get their chains computed here, over what they hold now: what was changed before this
upgrade cannot be told apart from what GridStation wrote (docs/security.md says so).
"""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import gridstation.common.sqltypes
from gridstation.domain.integrity import GENESIS, audit_entry_hash, audit_link, event_link

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_PAGE = 20_000


def upgrade() -> None:
    # Plain ADD COLUMN: a batch copy of `events` could renumber its rowids (the chain's order) and one of `cases`
    # would drop its full-text triggers.
    op.add_column("events", sa.Column("chain_hash", sa.String(length=64), server_default="", nullable=False))
    op.add_column("audit_log", sa.Column("chain_hash", sa.String(length=64), server_default="", nullable=False))
    op.create_index("ix_audit_log_staff_id", "audit_log", ["staff_id"], unique=False)
    op.add_column(
        "cases", sa.Column("anonymised_at", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True)
    )
    # The lockout is now counted from the chained audit log; a counter in the staff table could be zeroed unseen.
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("failed_attempts")
        batch_op.drop_column("locked_until")
    connection = op.get_bind()
    _fill_event_chain(connection)
    _fill_audit_chain(connection)


def _utc(stored: str) -> datetime:
    return datetime.fromisoformat(stored).replace(tzinfo=UTC)


def _fill_event_chain(connection: sa.Connection) -> None:
    link, after = GENESIS, 0
    while True:
        rows = connection.execute(
            sa.text("SELECT rowid, id, content_hash FROM events WHERE rowid > :after ORDER BY rowid LIMIT :n"),
            {"after": after, "n": _PAGE},
        ).all()
        if not rows:
            return
        updates = []
        for rowid, event_id, content_hash in rows:
            link = event_link(link, event_id, content_hash)
            updates.append({"r": rowid, "h": link})
        connection.execute(sa.text("UPDATE events SET chain_hash = :h WHERE rowid = :r"), updates)
        after = rows[-1][0]


def _fill_audit_chain(connection: sa.Connection) -> None:
    link, after = GENESIS, 0
    while True:
        rows = connection.execute(
            sa.text(
                "SELECT rowid, id, at, staff_id, staff_name, action, detail FROM audit_log "
                "WHERE rowid > :after ORDER BY rowid LIMIT :n"
            ),
            {"after": after, "n": _PAGE},
        ).all()
        if not rows:
            return
        updates = []
        for rowid, entry_id, at, staff_id, staff_name, action, detail in rows:
            digest = audit_entry_hash(entry_id, _utc(at), staff_id, staff_name, action, json.loads(detail))
            link = audit_link(link, digest)
            updates.append({"r": rowid, "h": link})
        connection.execute(sa.text("UPDATE audit_log SET chain_hash = :h WHERE rowid = :r"), updates)
        after = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column("locked_until", gridstation.common.sqltypes.UTCDateTime(length=32), nullable=True)
        )
    op.drop_column("cases", "anonymised_at")
    op.drop_index("ix_audit_log_staff_id", table_name="audit_log")
    op.drop_column("audit_log", "chain_hash")
    op.drop_column("events", "chain_hash")
