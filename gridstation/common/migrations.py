"""Running Alembic migrations that live inside the package (the station's and the server's), at start-up."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine


def alembic_config(engine: Engine, script_location: Path) -> Config:
    """A config without an alembic.ini: installs and bundles carry the scripts, not an ini file."""
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["engine"] = engine
    return config


def upgrade_to_head(engine: Engine, script_location: Path) -> None:
    command.upgrade(alembic_config(engine, script_location), "head")
