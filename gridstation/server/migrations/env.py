"""Alembic environment of the server database: the same migrations on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import context

from gridstation.server.models import ServerBase


def run_migrations() -> None:
    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=ServerBase.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
