"""What the sign-in shows — the station's name and its staff's names — read before the database layer is loaded.

The desk shows its sign-in first and opens the station behind it (SQLAlchemy, the migrations check, the main
window's modules take about half a second on a station PC), so these two small reads use Python's own sqlite3
module, read-only. Anything unexpected (no database yet, an old or damaged file, a lock) answers None and the desk
opens the station the ordinary way before it signs anyone in.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote


@dataclass(frozen=True, slots=True)
class SignInPreview:
    station_name: str
    staff_names: list[str]


def read_sign_in_preview(db_path: Path) -> SignInPreview | None:
    """The station's name and its active staff by name (the order `StationService.staff_names` gives), or None."""
    if not db_path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"file:{quote(str(db_path.resolve()))}?mode=ro", uri=True, timeout=2)
    except sqlite3.Error:
        return None
    try:
        station = connection.execute("SELECT name FROM station LIMIT 1").fetchone()
        if station is None:
            return None
        names = [row[0] for row in connection.execute("SELECT name FROM staff WHERE active ORDER BY name")]
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    return SignInPreview(str(station[0]), [str(name) for name in names])
