"""case owner: 专人专责, the one person answerable for each case (issue 16)

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # In place (ALTER TABLE … ADD COLUMN): a batch copy of the table would drop the search index's triggers.
    op.add_column("cases", sa.Column("owner", sa.String(length=40), server_default="", nullable=False))
    op.create_index("ix_cases_owner_status", "cases", ["owner", "status"], unique=False)
    # Cases registered before: the clerk who registered each is its owner (a work order's, whoever first contacted
    # its resident). The stored state gets it too, so the next event folds on from the same owner.
    op.execute("UPDATE cases SET owner = registered_by WHERE work_order = ''")
    op.execute(
        "UPDATE cases SET owner = COALESCE((SELECT actor_name FROM events WHERE events.case_id = cases.id "
        "AND events.type = 'case.first_contact' ORDER BY events.occurred_at LIMIT 1), '') WHERE work_order != ''"
    )
    op.execute("UPDATE cases SET state = json_set(state, '$.owner', owner)")


def downgrade() -> None:
    op.drop_index("ix_cases_owner_status", table_name="cases")
    op.execute("ALTER TABLE cases DROP COLUMN owner")  # SQLite 3.35+, in place as the upgrade
