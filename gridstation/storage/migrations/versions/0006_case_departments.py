"""case departments: where each department's part of a dispatch stands, a column of the case list

Revision ID: 0006
Revises: 0005
"""

import json

import sqlalchemy as sa
from alembic import op

from gridstation.domain.tasks import DepartmentTask, tasks_digest

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # In place (ALTER TABLE … ADD COLUMN): a batch copy of the table would drop the search index's triggers.
    op.add_column("cases", sa.Column("departments", sa.String(length=400), server_default="", nullable=False))
    # Cases already dispatched by the centre: their digest from the state the desk holds (few rows; the rest
    # have no tasks and keep "").
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, state FROM cases WHERE state LIKE '%\"department\"%'")).all()
    for case_id, state in rows:
        tasks = json.loads(state).get("tasks") or []
        digest = tasks_digest([DepartmentTask.from_json(task) for task in tasks])
        if digest:
            connection.execute(
                sa.text("UPDATE cases SET departments = :d WHERE id = :id"), {"d": digest, "id": case_id}
            )


def downgrade() -> None:
    op.execute("ALTER TABLE cases DROP COLUMN departments")  # SQLite 3.35+, in place as the upgrade
