"""Alembic migrations: head matches the ORM models, the FTS5 index exists, and base ↔ head round-trips."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from gridstation.common.sqlite import make_engine
from gridstation.storage.migrate import alembic_config, upgrade_to_head
from gridstation.storage.models import Base

FTS_TRIGGERS = {"cases_search_insert", "cases_search_delete", "cases_search_update"}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = make_engine(tmp_path / "empty.db")
    yield eng
    eng.dispose()


def diff_against_models(engine: Engine) -> list[Any]:
    """Run the migration environment (env.py, with its include_object) and autogenerate-compare to the models."""
    config = alembic_config(engine)
    script = ScriptDirectory.from_config(config)
    diffs: list[Any] = []
    seen: dict[str, Any] = {}

    def compare(_heads: Any, context: MigrationContext) -> list[Any]:
        seen.update(context.opts)
        diffs.extend(compare_metadata(context, Base.metadata))
        return []

    with EnvironmentContext(config, script, fn=compare):
        script.run_env()
    assert seen.get("include_object") is not None, "env.py must filter the FTS tables out of comparisons"
    return diffs


def user_tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def sqlite_objects(engine: Engine, kind: str) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = :t"), {"t": kind}).scalars())


def test_single_linear_history() -> None:
    """There is exactly one head, so two developers' migrations cannot silently fork the schema."""
    script = ScriptDirectory.from_config(alembic_config(make_engine(":memory:")))
    assert len(script.get_heads()) == 1


def test_head_schema_equals_the_models(engine: Engine) -> None:
    """An empty database migrated to head has exactly the tables, columns, types and indexes of the models."""
    upgrade_to_head(engine)
    assert diff_against_models(engine) == []
    assert user_tables(engine) >= set(Base.metadata.tables)


def test_include_object_only_hides_the_search_indexes(engine: Engine) -> None:
    """The comparison ignores the FTS5 tables (the trigram search, the similar-case words and its queue) and their
    shadow tables, and nothing else."""
    upgrade_to_head(engine)
    hidden = user_tables(engine) - set(Base.metadata.tables)
    assert {"case_search", "case_words", "case_words_vocab", "case_words_pending"} <= hidden
    assert all(name.startswith(("case_search", "case_words")) for name in hidden)


def test_fts5_table_and_triggers_exist(engine: Engine) -> None:
    """The trigram FTS5 index over cases and the three triggers that keep it in step are created."""
    upgrade_to_head(engine)
    with engine.connect() as conn:
        sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'case_search'")).scalar_one()
    assert "fts5" in sql.lower() and "trigram" in sql
    assert sqlite_objects(engine, "trigger") >= FTS_TRIGGERS
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO case_search(case_search) VALUES ('integrity-check')"))


def test_downgrade_to_base_then_upgrade(engine: Engine) -> None:
    """Downgrading removes every table, index and trigger; upgrading again gives the same schema as the models."""
    upgrade_to_head(engine)
    config = alembic_config(engine)
    command.downgrade(config, "base")
    assert user_tables(engine) == set()
    assert sqlite_objects(engine, "trigger") == set()
    assert {i for i in sqlite_objects(engine, "index") if not i.startswith("sqlite_autoindex")} == set()
    command.upgrade(config, "head")
    assert diff_against_models(engine) == []
    assert sqlite_objects(engine, "trigger") >= FTS_TRIGGERS


def test_upgrading_twice_is_harmless(engine: Engine) -> None:
    """Starting the station again runs upgrade on an up-to-date database, which changes nothing."""
    upgrade_to_head(engine)
    upgrade_to_head(engine)
    assert diff_against_models(engine) == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
