"""Backing the station's database up to a file, restoring it from one, and checking that a file is sound."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from gridstation.domain.errors import DomainError
from gridstation.domain.roles import Permission, require
from gridstation.services.core import StationCore
from gridstation.services.staff import StaffMember
from gridstation.storage.db import translated_storage_errors
from gridstation.storage.migrate import upgrade_to_head


class Backups(StationCore):
    def backup(self, actor: StaffMember | None, destination: Path) -> Path:
        """Copy the live database with SQLite's online backup API (safe while the desk is in use)."""
        if actor is not None:
            require(actor.role, Permission.BACKUP)
        destination = Path(destination)
        if destination.is_dir():
            destination = destination / f"gridstation-{self._now():%Y%m%d-%H%M%S}.db"
        partial = destination.with_name(destination.name + ".partial")
        with translated_storage_errors():
            destination.parent.mkdir(parents=True, exist_ok=True)
            partial.unlink(missing_ok=True)
            source = sqlite3.connect(self.db_path)
            target = sqlite3.connect(partial)
            try:
                source.backup(target)
                target.execute("PRAGMA journal_mode = DELETE")
                _check_integrity(target)
            finally:
                target.close()
                source.close()
            partial.replace(destination)
        with self._write() as session:
            self._audit(session, actor, "backup", path=str(destination))
        return destination

    def restore(self, actor: StaffMember | None, source: Path) -> Path:
        """Replace the station's data with a backup; the current data is kept as a backup first.

        Returns the path of that safety copy, so a wrong restore can be undone by restoring it.
        """
        if actor is not None:
            require(actor.role, Permission.RESTORE)
        source = Path(source)
        if not source.is_file():
            raise DomainError("restore.missing", f"找不到备份文件：{source}")
        _validate_backup(source)
        self._remember_everything_issued()
        safety = self.backup(None, self.data_dir / "backups" / f"before-restore-{self._now():%Y%m%d-%H%M%S}.db")
        with translated_storage_errors():
            self.engine.dispose()
            self.read_engine.dispose()
            backup_conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            live = sqlite3.connect(self.db_path)
            try:
                backup_conn.backup(live)
            finally:
                live.close()
                backup_conn.close()
            upgrade_to_head(self.engine)
        self._after_restore_or_open()
        with self._write() as session:
            self._audit(session, actor, "restore", source=str(source), safety_copy=str(safety))
        return safety

    def integrity_ok(self) -> bool:
        with self._read() as session:
            return session.execute(text("PRAGMA integrity_check")).scalar() == "ok"


def _check_integrity(connection: sqlite3.Connection) -> None:
    result = connection.execute("PRAGMA integrity_check").fetchone()
    if not result or result[0] != "ok":
        raise DomainError("storage.corrupt", "备份文件校验失败（数据库损坏）。")


def _validate_backup(path: Path) -> None:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            _check_integrity(connection)
            tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise DomainError("restore.not_a_backup", f"该文件不是有效的 GridStation 备份：{path.name}") from exc
    if not {"station", "events", "cases"} <= tables:
        raise DomainError("restore.not_a_backup", f"该文件不是有效的 GridStation 备份：{path.name}")
