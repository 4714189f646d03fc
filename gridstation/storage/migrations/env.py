"""Alembic environment: migrations run on the engine the application hands in."""

from __future__ import annotations

from alembic import context

from gridstation.storage.models import Base

# Created by raw SQL (FTS5 and its shadow tables), not by the ORM.
FTS_TABLE_PREFIXES = ("case_search", "case_words")


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    # The FTS5 index and its shadow tables are created by raw SQL, not by the ORM.
    return not (type_ == "table" and name is not None and name.startswith(FTS_TABLE_PREFIXES))


def run_migrations() -> None:
    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
