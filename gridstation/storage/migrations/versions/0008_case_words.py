"""case words: the similar-case engine's index of segmented words, and a case's link to the one it repeats (issue 17)

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Words of each case's description, segmented and with synonyms made one (domain/words.py), one FTS5 row per case
    # (rowid = cases.rowid) so BM25 ranks them. Segmenting needs the dictionary, so Python writes the rows; the
    # triggers only queue a case whose description is new or changed (case_words_pending), and the station indexes
    # the queue before it searches, or in the background after a start (the cases registered before this version).
    op.execute("CREATE VIRTUAL TABLE case_words USING fts5(words, tokenize='unicode61 remove_diacritics 0')")
    op.execute("CREATE VIRTUAL TABLE case_words_vocab USING fts5vocab(case_words, 'row')")
    op.execute("CREATE TABLE case_words_pending (case_rowid INTEGER PRIMARY KEY)")
    op.execute(
        "CREATE TRIGGER cases_words_insert AFTER INSERT ON cases "
        "BEGIN INSERT OR IGNORE INTO case_words_pending(case_rowid) VALUES (new.rowid); END"
    )
    op.execute(
        "CREATE TRIGGER cases_words_update AFTER UPDATE OF description ON cases "
        "BEGIN INSERT OR IGNORE INTO case_words_pending(case_rowid) VALUES (new.rowid); END"
    )
    op.execute(
        "CREATE TRIGGER cases_words_delete AFTER DELETE ON cases BEGIN "
        "DELETE FROM case_words WHERE rowid = old.rowid; DELETE FROM case_words_pending WHERE case_rowid = old.rowid; "
        "END"
    )
    op.execute("INSERT INTO case_words_pending(case_rowid) SELECT rowid FROM cases")
    # 复发: the number of the closed case this one repeats (the same problem at the same address after closure).
    op.add_column("cases", sa.Column("repeat_of", sa.String(length=40), server_default="", nullable=False))
    # This phone's and this building's history at intake, the latest first.
    op.create_index("ix_cases_phone", "cases", ["phone"], unique=False)
    op.create_index("ix_cases_place", "cases", ["compound", "building", "registered_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cases_place", table_name="cases")
    op.drop_index("ix_cases_phone", table_name="cases")
    op.drop_column("cases", "repeat_of")
    for trigger in ("cases_words_insert", "cases_words_update", "cases_words_delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS case_words_pending")
    op.execute("DROP TABLE IF EXISTS case_words_vocab")
    op.execute("DROP TABLE IF EXISTS case_words")
