"""Backing the station's database up to an encrypted file, restoring it from one, and checking that a file is sound.

A backup is the whole database as of one moment (SQLite's online backup API, safe while the desk is in use),
with the photos its cases refer to (services/backup_photos.py), sealed with a passphrase (services/backup_file.py).
It never holds the sync credential: that belongs to this machine's enrolment, not to the data. Restoring keeps
this machine's credential when the backup is of the same station; on another machine the desk has none and an
administrator enrols it again.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from gridstation.common.files import new_private_dir, open_private, private_dir
from gridstation.domain.errors import DomainError
from gridstation.domain.roles import Permission, require
from gridstation.services.backup_file import check_new_passphrase, file_kind, seal, unseal
from gridstation.services.backup_photos import add_photos, restore_photos
from gridstation.services.core import StationCore
from gridstation.services.staff import StaffMember
from gridstation.storage import sync_store
from gridstation.storage.db import translated_storage_errors
from gridstation.storage.migrate import upgrade_to_head
from gridstation.storage.models import StationRow
from gridstation.storage.settings import SettingKey, forget_setting, put_setting, setting

BACKUP_SUFFIX = ".gsbackup"
BACKUP_FOLDER = "backups"
# This machine's enrolment with the centre: never written into a backup, never taken from one.
ENROLMENT_SETTINGS = (SettingKey.CREDENTIAL, SettingKey.ENROL_ATTEMPT)


@dataclass(frozen=True, slots=True)
class Restored:
    """What a restore did. `safety_copy` is the data as it was before (encrypted with the same passphrase)."""

    safety_copy: Path
    # An unencrypted backup made before backups were sealed: restored, but the file itself should be destroyed.
    plain_backup: bool
    # No sync credential came with the data (backups never carry one): an administrator enrols this desk again.
    enrolment_needed: bool
    # Photos the backup carried, written back into the photos folder (0 for a backup made before photos were).
    photos: int = 0


class Backups(StationCore):
    def backup(self, actor: StaffMember, destination: Path, *, passphrase: str) -> Path:
        """Seal a copy of the live database with `passphrase` into `destination` (a file, or a folder for a
        dated name)."""
        require(actor.role, Permission.BACKUP)
        check_new_passphrase(passphrase)
        written = self._write_backup(Path(destination), passphrase)
        with self._write() as session:
            self._audit(session, actor, "backup", path=str(written))
        return written

    def restore(self, actor: StaffMember, source: Path, *, passphrase: str) -> Restored:
        """Replace the station's data with a backup; the current data is first sealed into a safety copy.

        A wrong passphrase, a damaged file or a file that is no backup changes nothing.
        """
        require(actor.role, Permission.RESTORE)
        source = Path(source)
        if not source.is_file():
            raise DomainError("restore.missing", f"找不到备份文件：{source}")
        kind = file_kind(source)
        if not kind:
            raise _not_a_backup(source)
        if kind == "plain":
            check_new_passphrase(passphrase)  # it seals the safety copy
        with self._scratch_file() as plain:
            with translated_storage_errors():
                if kind == "sealed":
                    with source.open("rb") as sealed, plain.open("r+b") as out:
                        unseal(sealed, out, passphrase)
                else:
                    _validate_backup(source, source)
                    _copy_database(source, plain)
            _validate_backup(plain, source)
            with translated_storage_errors():
                photos = restore_photos(plain, self.data_dir)  # adds files by hash only: nothing is replaced
            self._remember_everything_issued()
            enrolment = self._enrolment()
            safety_name = f"before-restore-{self._now():%Y%m%d-%H%M%S}{BACKUP_SUFFIX}"
            safety = self._write_backup(private_dir(self.data_dir / BACKUP_FOLDER) / safety_name, passphrase)
            with translated_storage_errors():
                self.engine.dispose()
                self.read_engine.dispose()
                _copy_database(plain, self.db_path)
                upgrade_to_head(self.engine)
        enrolled = self._keep_enrolment(enrolment)
        self._after_restore_or_open()
        with self._write() as session:
            self._audit(
                session,
                actor,
                "restore",
                source=str(source),
                safety_copy=str(safety),
                encrypted=kind == "sealed",
                photos=photos,
            )
        return Restored(safety, plain_backup=kind == "plain", enrolment_needed=not enrolled, photos=photos)

    def integrity_ok(self) -> bool:
        with self._read() as session:
            return session.execute(text("PRAGMA integrity_check")).scalar() == "ok"

    # ------------------------------------------------------------------ the sealed copy

    def _write_backup(self, destination: Path, passphrase: str) -> Path:
        if destination.is_dir():
            destination = destination / f"gridstation-{self._now():%Y%m%d-%H%M%S}{BACKUP_SUFFIX}"
        partial = destination.with_name(destination.name + ".partial")
        with translated_storage_errors(), self._scratch_file() as snapshot:
            new_private_dir(destination.parent)
            self._snapshot_without_enrolment(snapshot)
            try:
                with snapshot.open("rb") as plain, open_private(partial) as sealed:
                    seal(plain, sealed, passphrase)
                    sealed.flush()
                    os.fsync(sealed.fileno())
                partial.replace(destination)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
        return destination

    def _snapshot_without_enrolment(self, target_path: Path) -> None:
        source = sqlite3.connect(self.db_path)
        target = sqlite3.connect(target_path)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
            target.execute("DELETE FROM settings WHERE key IN (?, ?)", [str(k) for k in ENROLMENT_SETTINGS])
            target.commit()
            # Rebuilt from the live rows alone: no freed page, and no free space inside a page, keeps the bytes of
            # a credential (this one, or an older one replaced by enrolling again).
            target.execute("VACUUM")
            # After the VACUUM: photos only add pages, and rebuilding them all again would double the work.
            add_photos(target, self.data_dir)
            _check_integrity(target)
        finally:
            target.close()
            source.close()

    @contextlib.contextmanager
    def _scratch_file(self) -> Iterator[Path]:
        """A private, empty file beside the data for a plain copy on its way in or out; removed afterwards."""
        folder = private_dir(self.data_dir / BACKUP_FOLDER)
        with translated_storage_errors():
            handle, name = tempfile.mkstemp(dir=folder, prefix=".scratch-", suffix=".db")  # 0600
            os.close(handle)
        path = Path(name)
        try:
            yield path
        finally:
            for leftover in (path, path.with_name(path.name + "-journal")):
                leftover.unlink(missing_ok=True)

    # ------------------------------------------------------------------ this machine's enrolment

    def _enrolment(self) -> dict[str, Any]:
        """This machine's enrolment (station code, server, credential), to keep across a restore of its station."""
        with self._read() as session:
            station = session.scalar(select(StationRow))
            return {
                "code": station.code if station else "",
                "server_url": setting(session, SettingKey.SERVER_URL, ""),
                **{str(key): setting(session, key) for key in ENROLMENT_SETTINGS},
            }

    def _keep_enrolment(self, enrolment: dict[str, Any]) -> bool:
        """After a restore: drop whatever enrolment the restored data holds (an old plain backup has one) and keep
        this machine's, if it is of the same station. Returns whether the desk is enrolled."""
        with self._write() as session:
            for key in ENROLMENT_SETTINGS:
                forget_setting(session, key)
            station = session.scalar(select(StationRow))
            credential = enrolment.get(str(SettingKey.CREDENTIAL))
            if station is None or station.code != enrolment["code"] or not credential:
                return False
            for key in ENROLMENT_SETTINGS:
                if enrolment.get(str(key)) is not None:
                    put_setting(session, key, enrolment[str(key)])
            if setting(session, SettingKey.SERVER_URL, "") != enrolment["server_url"]:
                # The credential is for the server this machine enrolled with since: read its feed from the start.
                put_setting(session, SettingKey.SERVER_URL, enrolment["server_url"])
                sync_store.save_feed_position(session, sync_store.FeedPosition(0, 0))
            return True


def _copy_database(source: Path, target: Path) -> None:
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    writer = sqlite3.connect(target)
    try:
        reader.backup(writer)
    finally:
        writer.close()
        reader.close()


def _not_a_backup(source: Path) -> DomainError:
    return DomainError("restore.not_a_backup", f"该文件不是有效的 GridStation 备份：{source.name}")


def _check_integrity(connection: sqlite3.Connection) -> None:
    result = connection.execute("PRAGMA integrity_check").fetchone()
    if not result or result[0] != "ok":
        raise DomainError("storage.corrupt", "备份文件校验失败（数据库损坏）。")


def _validate_backup(path: Path, named: Path) -> None:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            _check_integrity(connection)
            tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise _not_a_backup(named) from exc
    if not {"station", "events", "cases"} <= tables:
        raise _not_a_backup(named)
