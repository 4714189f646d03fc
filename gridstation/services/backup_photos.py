"""The photos inside a backup: one sealed file holds the database and the photos its events refer to.

While a backup is made, its plain snapshot gains a table `backup_photos(sha256, content)` with the bytes of each
photo the snapshot's events name and this machine holds (checked against its hash: a damaged file is left out).
A restore writes each row back into the photos folder (private, by hash, checked again) and drops the table before
the database goes live. A backup without the table (made before photos were backed up) restores as it always did.
Photos are read and written one at a time, so a station with thousands of photos needs no more memory than one.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
from pathlib import Path

from gridstation.domain.enums import EventType
from gridstation.services.photo_files import keep_private, photo_path

log = logging.getLogger(__name__)

PHOTOS_TABLE = "backup_photos"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_REFERENCED = "SELECT DISTINCT json_extract(payload, '$.sha256') FROM events WHERE type = ? ORDER BY 1"


def add_photos(snapshot: sqlite3.Connection, data_dir: Path) -> int:
    """Copy into `snapshot` every photo its events name that is on this machine; returns how many."""
    snapshot.execute(f"CREATE TABLE {PHOTOS_TABLE} (sha256 TEXT PRIMARY KEY, content BLOB NOT NULL)")
    found = snapshot.execute(_REFERENCED, [str(EventType.PHOTO_ATTACHED)])
    hashes = [str(row[0]) for row in found if _SHA256.fullmatch(str(row[0]))]  # never a path of anyone's making
    added = 0
    for sha256 in hashes:
        content = _held(photo_path(data_dir, sha256), sha256)
        if content is None:
            continue
        snapshot.execute(f"INSERT INTO {PHOTOS_TABLE} (sha256, content) VALUES (?, ?)", [sha256, content])
        snapshot.commit()  # one photo at a time: the page cache, not the whole set, is what stays in memory
        added += 1
    return added


def restore_photos(plain: Path, data_dir: Path) -> int:
    """Write the photos a backup's plain database holds into `data_dir`'s photos folder and drop their table
    (the live database never keeps them); returns how many were written. A backup without the table: 0."""
    connection = sqlite3.connect(plain)
    try:
        if not _has_photos_table(connection):
            return 0
        written = 0
        rowids = [row[0] for row in connection.execute(f"SELECT rowid FROM {PHOTOS_TABLE} ORDER BY rowid")]
        for rowid in rowids:
            sha256, content = connection.execute(
                f"SELECT sha256, content FROM {PHOTOS_TABLE} WHERE rowid = ?", [rowid]
            ).fetchone()
            if not isinstance(content, bytes) or hashlib.sha256(content).hexdigest() != sha256:
                log.warning("photo %s in the backup does not match its hash: not restored", sha256)
                continue
            keep_private(photo_path(data_dir, sha256), content)
            written += 1
        connection.execute(f"DROP TABLE {PHOTOS_TABLE}")
        connection.commit()
        connection.execute("VACUUM")  # the live copy should not carry the photos' freed pages
        return written
    finally:
        connection.close()


def _has_photos_table(connection: sqlite3.Connection) -> bool:
    found = connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [PHOTOS_TABLE])
    return found.fetchone() is not None


def _held(path: Path, sha256: str) -> bytes | None:
    """The photo's bytes if this machine has them intact (a lost or damaged file is not backed up)."""
    try:
        content = path.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(content).hexdigest() != sha256:
        log.warning("photo file %s does not match its hash: left out of the backup", path)
        return None
    return content
