"""Start-up skips loading Alembic when the database is already at the newest revision (~90 ms of every start):
the newest revision read from the migration files must be the one Alembic itself finds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from gridstation.common.migrations import alembic_config, current_revision, head_revision
from gridstation.common.sqlite import make_engine
from gridstation.server.db import MIGRATIONS_DIR as SERVER_MIGRATIONS
from gridstation.storage.migrate import MIGRATIONS_DIR as STATION_MIGRATIONS
from gridstation.storage.migrate import upgrade_to_head


def test_the_files_name_the_head_alembic_finds(tmp_path: Path) -> None:
    for folder in (STATION_MIGRATIONS, SERVER_MIGRATIONS):
        engine = make_engine(tmp_path / f"{folder.parent.name}.db")
        script = ScriptDirectory.from_config(alembic_config(engine, folder))
        assert head_revision(folder) == script.get_current_head()
        engine.dispose()


def test_a_database_at_head_opens_without_alembic(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "station.db")
    assert current_revision(engine) is None
    upgrade_to_head(engine)
    assert current_revision(engine) == head_revision(STATION_MIGRATIONS)
    engine.dispose()
    probe = (
        "import sys; from pathlib import Path; from gridstation.common.sqlite import make_engine; "
        "from gridstation.storage.migrate import upgrade_to_head; "
        f"upgrade_to_head(make_engine(Path({str(tmp_path / 'station.db')!r}))); "
        "print('alembic' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
