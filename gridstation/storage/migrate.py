"""Apply the station's Alembic migrations at start; they live inside the package so installs carry them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from gridstation.common import migrations

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    return migrations.alembic_config(engine, MIGRATIONS_DIR)


def upgrade_to_head(engine: Engine) -> None:
    migrations.upgrade_to_head(engine, MIGRATIONS_DIR)
