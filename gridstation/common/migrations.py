"""Running Alembic migrations that live inside the package (the station's and the server's), at start-up.

Importing Alembic costs about 90 ms, on every start, while almost every start finds the database already at the
newest revision. So the newest revision is read from the migration files themselves (`revision = "…"` and
`down_revision = "…"`, which every file states) and compared with the database's first; Alembic is loaded only
when there is something to do, or when the files cannot be read that simply (then Alembic decides, as always).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

_REVISION = re.compile(r"""^revision\s*=\s*["']([^"']+)["']""", re.MULTILINE)
_DOWN_REVISION = re.compile(r"""^down_revision\s*=\s*(?:["']([^"']+)["']|None)""", re.MULTILINE)


def alembic_config(engine: Engine, script_location: Path) -> Config:
    """A config without an alembic.ini: installs and bundles carry the scripts, not an ini file."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["engine"] = engine
    return config


def upgrade_to_head(engine: Engine, script_location: Path) -> None:
    head = head_revision(script_location)
    if head is not None and current_revision(engine) == head:
        return
    from alembic import command

    command.upgrade(alembic_config(engine, script_location), "head")


def head_revision(script_location: Path) -> str | None:
    """The one revision no other revision comes after, from the files; None when that is not plain."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (script_location / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        if down.group(1):
            parents.add(down.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for a new database (or one that has several, which Alembic handles)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return rows[0] if len(rows) == 1 else None
