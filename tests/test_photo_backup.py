"""Issue 15: a case's photos at the desk survive a backup and its restore, and leave with retention.

A backup carried the database alone: restored on a new machine, every photo event said 本机没有此照片 and the
upload set the photos aside as lost. Retention erased a resident's name but left the photos of their home.
"""

from __future__ import annotations

import hashlib
import sqlite3
import stat
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from gridstation.domain.enums import Role
from gridstation.domain.retention import photos_to_forget
from gridstation.services import backup as backup_service
from gridstation.services.core import DB_FILE
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.storage import photos as photo_queue
from tests.support.backups import BACKUP_PASSPHRASE, unseal_backup
from tests.support.clock import FakeClock
from tests.support.complaints import resident, walk_in
from tests.support.photos import photo_bytes
from tests.support.staff import ADMIN_NAME, ADMIN_PIN, CLERK_NAME, CLERK_PIN

THREE_YEARS_AND_A_DAY = timedelta(days=3 * 365 + 2)
POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


@pytest.fixture(autouse=True)
def cheap_backup_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """scrypt at a test cost: the photos, not the work factor, are under test here."""
    from gridstation.services import backup_file

    monkeypatch.setattr(backup_file, "DEFAULT_COST", backup_file.ScryptCost(log2_n=10, r=8, p=1))


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def new_machine(data_dir: Path, clock: FakeClock) -> tuple[StationService, StaffMember]:
    """A fresh install of the same station on another computer, as an administrator sets it up to restore."""
    service = StationService(data_dir, now=clock)
    service.initialise(code="JA01", name="枫林居委会民情快办工作站", admin_name=ADMIN_NAME, admin_pin=ADMIN_PIN)
    return service, service.sign_in(ADMIN_NAME, ADMIN_PIN)


@POSIX_ONLY
def test_a_backup_carries_the_photos_and_a_restore_on_a_new_machine_puts_them_back(
    service: StationService, clerk: StaffMember, clock: FakeClock, tmp_path: Path
) -> None:
    case = service.register_case(clerk, walk_in(0))
    sent = service.attach_photo(clerk, case.id, photo_bytes("JPEG", colour="#3a7"), "楼道.jpg")
    waiting = service.attach_photo(clerk, case.id, photo_bytes("PNG", colour="#a37"), "树.png")
    with service.transaction() as session:  # the first went up with the last sync; the second still waits
        photo_queue.mark_uploaded(session, case.id, sent.sha256, clock())
    backup = service.backup(clerk, tmp_path / "monday.gsbackup", passphrase=BACKUP_PASSPHRASE)
    assert photo_bytes("JPEG", colour="#3a7") not in backup.read_bytes(), "sealed, photos too"

    replacement, admin = new_machine(tmp_path / "new-pc", clock)
    try:
        restored = replacement.restore(admin, backup, passphrase=BACKUP_PASSPHRASE)

        assert restored.photos == 2
        by_hash = {p.sha256: p for p in replacement.photos(case.id)}
        for photo in (sent, waiting):
            path = by_hash[photo.sha256].path
            assert path is not None, "本机没有此照片"
            assert sha256_of(path) == photo.sha256
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            thumbnail = replacement.thumbnail(photo.sha256)
            assert thumbnail is not None and thumbnail.exists()
        assert by_hash[sent.sha256].uploaded and not by_hash[waiting.sha256].uploaded
        assert replacement.pending_photo_count() == 1
        live = sqlite3.connect(replacement.data_dir / DB_FILE)
        try:
            tables = {r[0] for r in live.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            live.close()
        assert "backup_photos" not in tables, "the photos live in the folder, not in the database"
    finally:
        replacement.close()


def test_a_backup_made_before_photos_were_backed_up_still_restores(
    service: StationService, clerk: StaffMember, admin: StaffMember, monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path
) -> None:
    case = service.register_case(clerk, walk_in(0))
    photo = service.attach_photo(clerk, case.id, photo_bytes(), "楼道.jpg")
    with monkeypatch.context() as old_code:  # the snapshot as the previous version sealed it: no photos table
        old_code.setattr(backup_service, "add_photos", lambda snapshot, data_dir: 0)
        old = service.backup(clerk, tmp_path / "old.gsbackup", passphrase=BACKUP_PASSPHRASE)
    service.add_staff(admin, "后来的人", Role.CLERK, CLERK_PIN)

    restored = service.restore(admin, old, passphrase=BACKUP_PASSPHRASE)

    assert restored.photos == 0
    assert "后来的人" not in service.staff_names()
    assert service.sign_in(CLERK_NAME, CLERK_PIN).name == CLERK_NAME
    (kept,) = service.photos(case.id)
    assert kept.sha256 == photo.sha256 and kept.path is not None, "a restore never deletes photo files"


def test_retention_deletes_the_photos_of_an_anonymised_case_but_not_one_another_case_still_has(
    service: StationService, clerk: StaffMember, admin: StaffMember, clock: FakeClock
) -> None:
    old = service.register_case(clerk, resident())
    only_old = service.attach_photo(clerk, old.id, photo_bytes("JPEG", colour="#123"), "门牌.jpg")
    shared = service.attach_photo(clerk, old.id, photo_bytes("PNG", colour="#456"), "树.png")
    still_open = service.register_case(clerk, walk_in(1))
    service.attach_photo(clerk, still_open.id, photo_bytes("PNG", colour="#456"), "同一棵树.png")
    assert service.thumbnail(only_old.sha256) is not None
    clock.current = old.closed_at + THREE_YEARS_AND_A_DAY  # type: ignore[operator]

    dry = service.run_retention(admin, dry_run=True)
    assert dry.photos == 1 and service.photo_file(only_old.sha256).exists()

    result = service.run_retention(admin)

    assert (result.cases, result.photos) == (1, 1)
    assert "1 张照片" in result.message_zh()
    assert not service.photo_file(only_old.sha256).exists()
    assert not list(service.photo_file(only_old.sha256).parent.parent.rglob(f"{only_old.sha256}*"))
    assert service.thumbnail(only_old.sha256) is None
    assert service.photo_file(shared.sha256).exists() and service.thumbnail(shared.sha256) is not None
    # The events stay, with their hashes: statistics and the log's verification do not change.
    gone, kept = service.photos(old.id)
    assert (gone.sha256, gone.path, kept.sha256) == (only_old.sha256, None, shared.sha256)
    assert service.verify_logs().intact
    # Nothing is left waiting to upload a file that is gone.
    assert service.pending_photo_count() == 1


def test_retention_stops_fetching_the_photos_of_an_anonymised_case(
    service: StationService, clerk: StaffMember, admin: StaffMember, clock: FakeClock
) -> None:
    """A department's photo that has not come down yet is not fetched once the case's personal data is removed."""
    old = service.register_case(clerk, resident())
    data = photo_bytes("JPEG", colour="#789")
    payload = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "media_type": "image/jpeg"}
    with service.transaction() as session:
        photo_queue.queue_download(session, old.id, payload, clock.current)
    assert [p.case_id for p in service.photos_to_fetch()] == [old.id]
    clock.current = old.closed_at + THREE_YEARS_AND_A_DAY  # type: ignore[operator]

    assert service.run_retention(admin).cases == 1

    assert service.photos_to_fetch() == []


def test_a_photo_damaged_inside_a_backup_is_left_out_and_the_rest_is_restored(
    service: StationService, clerk: StaffMember, clock: FakeClock, tmp_path: Path
) -> None:
    from gridstation.services.backup_file import seal

    case = service.register_case(clerk, walk_in(0))
    damaged = service.attach_photo(clerk, case.id, photo_bytes("JPEG", colour="#3a7"), "楼道.jpg")
    sound = service.attach_photo(clerk, case.id, photo_bytes("PNG", colour="#a37"), "树.png")
    backup = service.backup(clerk, tmp_path / "monday.gsbackup", passphrase=BACKUP_PASSPHRASE)
    plain = unseal_backup(backup, tmp_path / "plain.db")
    edit = sqlite3.connect(plain)
    with edit:
        edit.execute("UPDATE backup_photos SET content = X'FFD8FF00' WHERE sha256 = ?", [damaged.sha256])
    edit.close()
    with plain.open("rb") as source, (tmp_path / "edited.gsbackup").open("wb") as sealed:
        seal(source, sealed, BACKUP_PASSPHRASE)

    replacement, admin = new_machine(tmp_path / "new-pc", clock)
    try:
        restored = replacement.restore(admin, tmp_path / "edited.gsbackup", passphrase=BACKUP_PASSPHRASE)

        assert restored.photos == 1
        by_hash = {p.sha256: p.path for p in replacement.photos(case.id)}
        assert by_hash[damaged.sha256] is None
        sound_path = by_hash[sound.sha256]
        assert sound_path is not None and sha256_of(sound_path) == sound.sha256
    finally:
        replacement.close()


def test_the_retention_rule_keeps_a_photo_a_case_not_anonymised_still_has() -> None:
    assert photos_to_forget(["a" * 64, "b" * 64], ["b" * 64, "c" * 64]) == {"a" * 64}
    assert photos_to_forget([], ["b" * 64]) == set()
