"""The server's Alembic migrations: one head, and at head exactly the server models' schema, on SQLite and
PostgreSQL (the same migrations run on both)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from gridstation.server.db import ServerDatabase, alembic_config, migrate, open_database
from gridstation.server.models import ServerBase


@pytest.fixture
def database(server_db_url: str) -> Iterator[ServerDatabase]:
    """An empty database migrated to head (opening one migrates it, as the server does at start)."""
    opened = open_database(server_db_url)
    yield opened
    opened.dispose()


def diff_against_models(database: ServerDatabase) -> list[Any]:
    """Run the server's migration environment (its env.py) and autogenerate-compare the database to the models:
    tables, columns, types, nullability, indexes, constraints, and server-side defaults too."""
    config = alembic_config(database.write_engine)
    script = ScriptDirectory.from_config(config)
    diffs: list[Any] = []

    def compare(_heads: Any, context: MigrationContext) -> list[Any]:
        strict = MigrationContext.configure(context.connection, opts={**context.opts, "compare_server_default": True})
        diffs.extend(compare_metadata(strict, ServerBase.metadata))
        return []

    with EnvironmentContext(config, script, fn=compare):
        script.run_env()
    return diffs


def user_tables(database: ServerDatabase) -> set[str]:
    return set(inspect(database.write_engine).get_table_names()) - {"alembic_version"}


def test_single_linear_history() -> None:
    """There is exactly one head, so two developers' migrations cannot silently fork the server's schema."""
    engine = create_engine("sqlite://")
    try:
        assert len(ScriptDirectory.from_config(alembic_config(engine)).get_heads()) == 1
    finally:
        engine.dispose()


def test_head_schema_equals_the_models(database: ServerDatabase) -> None:
    """An empty database migrated to head has exactly the tables, columns, types, defaults and indexes of the models."""
    assert diff_against_models(database) == []
    assert user_tables(database) == set(ServerBase.metadata.tables)


def test_upgrading_twice_is_harmless(database: ServerDatabase) -> None:
    """The server migrates at every start: on an up-to-date database that changes nothing."""
    migrate(database.write_engine)
    assert diff_against_models(database) == []
    with database.write_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
