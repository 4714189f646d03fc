"""Issue 13, item 5: personal data at rest — private files, signed-in commands, sealed backups without the credential.

The attack found station.db, its backups, the server's SQLite file and its photos readable by every account on the
machine (mode 0644 under the usual umask), `gridstation backup` and `cases list|show` working without signing in,
and backups as plain SQLite files carrying the live sync credential.
"""

from __future__ import annotations

import io
import os
import sqlite3
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from gridstation.cli import main as cli
from gridstation.cli.context import PIN_ENV, USER_ENV
from gridstation.domain.enums import EventType, Role
from gridstation.domain.errors import DomainError
from gridstation.domain.listing import CaseQuery
from gridstation.services.drafts import DraftStore
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.storage.settings import SettingKey, setting
from tests.support.backups import BACKUP_PASSPHRASE, unseal_backup
from tests.support.clock import FakeClock
from tests.support.complaints import walk_in
from tests.support.staff import ADMIN_NAME, ADMIN_PIN, CLERK_NAME, CLERK_PIN
from tests.support.sync import CENTRE_URL, Centre, Desk

POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes; Windows is the ACL test")
SQLITE_MAGIC = b"SQLite format 3\x00"
ADMIN = ("--user", ADMIN_NAME, "--pin", ADMIN_PIN)
CLERK = ("--user", CLERK_NAME, "--pin", CLERK_PIN)
PHONE = "13812341234"  # the resident's number in tests.support.complaints
PASSPHRASE_ENV = "GRIDSTATION_BACKUP_PASSPHRASE"  # what scheduled tasks set (README)


@pytest.fixture(autouse=True)
def cheap_backup_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """scrypt at a test cost (the format, not the work factor, is under test here; see the cost test below)."""
    try:
        from gridstation.services import backup_file
    except ImportError:  # before issue 13 there were no sealed backups: the tests then fail on their own assertions
        return
    monkeypatch.setattr(backup_file, "DEFAULT_COST", backup_file.ScryptCost(log2_n=10, r=8, p=1))


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (USER_ENV, PIN_ENV, PASSPHRASE_ENV):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(params=[0o022, 0o002], ids=["umask-022", "umask-002"])
def permissive_umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def new_station(data_dir: Path, clock: FakeClock) -> tuple[StationService, StaffMember, StaffMember]:
    service = StationService(data_dir, now=clock)
    service.initialise(code="JA01", name="枫林居委会民情快办工作站", admin_name=ADMIN_NAME, admin_pin=ADMIN_PIN)
    admin = service.sign_in(ADMIN_NAME, ADMIN_PIN)
    service.add_staff(admin, CLERK_NAME, Role.CLERK, CLERK_PIN)
    return service, admin, service.sign_in(CLERK_NAME, CLERK_PIN)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------------- file modes


@POSIX_ONLY
def test_item5_station_files_are_private_even_under_a_permissive_umask(
    permissive_umask: int, tmp_path: Path, clock: FakeClock
) -> None:
    """station.db with its WAL and shared memory, the number ledger, drafts, backups and the safety copy: 0600;
    the folders made for them: 0700 — although the umask would let the group (and others) read them."""
    data_dir = tmp_path / "station"
    service, admin, clerk = new_station(data_dir, clock)
    try:
        service.register_case(clerk, walk_in(0))  # the WAL and the ledger now hold a resident's case
        service.ledger.flush()  # the ledger is written behind the save
        DraftStore(data_dir).save({"description": "未保存的诉求：张伟 13812341234"})
        files = {
            "station.db": data_dir / "station.db",
            "station.db-wal": data_dir / "station.db-wal",
            "station.db-shm": data_dir / "station.db-shm",
            "numbering-ledger.json": data_dir / "numbering-ledger.json",
            "drafts/intake.json": data_dir / "drafts" / "intake.json",
        }
        folders = {"data folder": data_dir, "drafts/": data_dir / "drafts"}
        assert {name: oct(mode(path)) for name, path in files.items()} == {name: "0o600" for name in files}
        assert {name: oct(mode(path)) for name, path in folders.items()} == {name: "0o700" for name in folders}

        usb = tmp_path / "usb" / "gridstation"
        backup = service.backup(clerk, usb / "monday.gsbackup", passphrase=BACKUP_PASSPHRASE)
        safety = service.restore(admin, backup, passphrase=BACKUP_PASSPHRASE).safety_copy
        assert [oct(mode(path)) for path in (backup, safety)] == ["0o600", "0o600"]
        assert [oct(mode(path)) for path in (usb, data_dir / "backups")] == ["0o700", "0o700"]
    finally:
        service.close()


@POSIX_ONLY
def test_item5_existing_files_are_tightened_when_the_station_opens(tmp_path: Path, clock: FakeClock) -> None:
    """Files an older version left readable (0644) are the owner's alone once the desk opens them again."""
    data_dir = tmp_path / "station"
    service, _, clerk = new_station(data_dir, clock)
    service.register_case(clerk, walk_in(0))
    service.close()
    loose = [data_dir / "station.db", data_dir / "numbering-ledger.json"]
    for path in loose:
        path.chmod(0o644)
    (data_dir / "drafts").mkdir(mode=0o755)
    os.chmod(data_dir / "drafts", 0o755)

    reopened = StationService(data_dir, now=clock)
    try:
        DraftStore(data_dir).save({"description": "草稿"})
        assert [oct(mode(path)) for path in loose] == ["0o600", "0o600"]
        assert oct(mode(data_dir / "station.db-wal")) == "0o600"
        assert oct(mode(data_dir / "drafts")) == "0o700"
    finally:
        reopened.close()


@POSIX_ONLY
def test_item5_tightening_only_takes_access_away(tmp_path: Path) -> None:
    """A file or folder made read-only on purpose stays read-only: only the group's and others' access goes."""
    from gridstation.common.files import restrict

    archive, folder = tmp_path / "archive.db", tmp_path / "archive"
    archive.write_bytes(b"")
    folder.mkdir()
    archive.chmod(0o444)
    folder.chmod(0o555)
    try:
        restrict(archive)
        restrict(folder)
        assert (oct(mode(archive)), oct(mode(folder))) == ("0o400", "0o500")
    finally:
        folder.chmod(0o700)


@POSIX_ONLY
def test_item5_servers_sqlite_file_and_photos_are_private(
    permissive_umask: int, tmp_path: Path, server_clock: FakeClock
) -> None:
    """The server's SQLite database (every station's cases) and the photos stations upload: 0600, folders 0700."""
    import hashlib

    from gridstation.server.db import open_database, sqlite_url
    from gridstation.server.service import ServerService
    from tests.support.server import Api, ModelStation, auth

    database = open_database(sqlite_url(tmp_path / "centre" / "server.db"))
    service = ServerService(database, clock=server_clock)
    api = Api(service, tmp_path / "centre")
    try:
        credential = api.enrol_station("JA01")
        station = ModelStation("JA01", server_clock)
        case_id = station.register()
        api.push_ok(credential, station)
        photo = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40  # a JPEG's first bytes
        sha = hashlib.sha256(photo).hexdigest()
        offer = {"sha256": sha, "size": len(photo), "case_id": case_id, "media_type": "image/jpeg"}
        assert api.client.post("/api/v1/attachments", json=offer, headers=auth(credential)).status_code == 200
        half = len(photo) // 2
        for offset, part in ((0, photo[:half]), (half, photo[half:])):
            answer = api.client.put(
                f"/api/v1/attachments/{sha}/content", params={"offset": offset}, content=part, headers=auth(credential)
            )
            assert answer.status_code == 200, answer.text
        stored = [p for p in (tmp_path / "centre" / "attachments").rglob("*") if p.is_file()]
        assert stored, "the photo was stored"
        files = [tmp_path / "centre" / name for name in ("server.db", "server.db-wal", "server.db-shm")] + stored
        folders = [tmp_path / "centre", tmp_path / "centre" / "attachments"] + [p.parent for p in stored]
        assert {str(p): oct(mode(p)) for p in files} == {str(p): "0o600" for p in files}
        assert {str(p): oct(mode(p)) for p in folders} == {str(p): "0o700" for p in folders}

        # Left readable by an older version: tightened when the server opens the database or serves the photo.
        for path in (tmp_path / "centre" / "server.db", *stored):
            path.chmod(0o644)
        database.dispose()
        database = open_database(sqlite_url(tmp_path / "centre" / "server.db"))
        assert api.client.get(f"/api/v1/attachments/{sha}/content", headers=auth(credential)).content == photo
        assert [oct(mode(p)) for p in (tmp_path / "centre" / "server.db", *stored)] == ["0o600"] * (1 + len(stored))
    finally:
        api.client.close()
        database.dispose()


@pytest.mark.skipif(sys.platform != "win32", reason="Windows ACLs (icacls) exist only on Windows; not testable here")
def test_item5_windows_files_get_an_acl_for_the_current_user_alone(tmp_path: Path, clock: FakeClock) -> None:
    """On Windows the database has no inherited entries and grants the signed-in user alone full control."""
    import subprocess

    service, _, _ = new_station(tmp_path / "station", clock)
    service.close()
    listing = subprocess.run(["icacls", str(tmp_path / "station" / "station.db")], capture_output=True, text=True)
    entries = [line for line in listing.stdout.splitlines()[:-2] if line.strip()]
    assert len(entries) == 1 and os.environ["USERNAME"] in entries[0] and "(F)" in entries[0]
    assert "(I)" not in entries[0]


# ---------------------------------------------------------------------- signed-in commands


@pytest.fixture
def station_dir(tmp_path: Path, clock: FakeClock) -> Path:
    data_dir = tmp_path / "station"
    service, _, clerk = new_station(data_dir, clock)
    service.register_case(clerk, walk_in(0))
    service.close()
    return data_dir


def test_item5_backup_and_reading_cases_need_a_signed_in_member_of_staff(
    capsys: pytest.CaptureFixture[str], station_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`backup`, `cases list`, `cases show` and `print` without --user/--pin (or their variables) are refused with
    a Chinese message and exit 2; nothing is written. With a clerk's sign-in they work."""
    monkeypatch.setenv(PASSPHRASE_ENV, BACKUP_PASSPHRASE)
    base = ("--data-dir", str(station_dir))
    service = StationService(station_dir)
    try:
        (summary,) = service.search(CaseQuery())
    finally:
        service.close()
    target = tmp_path / "out"
    commands = [
        ("backup", str(target / "b.gsbackup")),
        ("cases", "list"),
        ("cases", "show", summary.number),
        ("print", "receipt", summary.number, "-o", str(target / "r.pdf")),
    ]
    for command in commands:
        code, out, err = run(capsys, *base, *command)
        assert (code, "--user" in err, "Traceback" in err) == (2, True, False), (command, err)
        assert summary.number not in out
    assert not target.exists()

    code, out, _ = run(capsys, *base, "cases", "list", "--json", *CLERK)
    assert code == 0 and summary.number in out
    code, out, _ = run(capsys, *base, "backup", str(target / "b.gsbackup"), *CLERK)
    assert code == 0 and (target / "b.gsbackup").is_file()


def test_item5_wrong_pin_for_cases_is_refused(capsys: pytest.CaptureFixture[str], station_dir: Path) -> None:
    code, _, err = run(capsys, "--data-dir", str(station_dir), "cases", "list", "--user", CLERK_NAME, "--pin", "0000")
    assert code == 2 and "PIN 不正确" in err


# ---------------------------------------------------------------------- sealed backups


def test_item5_a_backup_is_sealed_and_restores_with_its_passphrase(
    service: StationService, admin: StaffMember, clerk: StaffMember, tmp_path: Path
) -> None:
    """The file is no SQLite database and none of the residents' words, names or numbers is in it; with the right
    passphrase it restores the station as it was."""
    case = service.register_case(clerk, walk_in(0))
    backup = service.backup(clerk, tmp_path / "monday.gsbackup", passphrase=BACKUP_PASSPHRASE)
    raw = backup.read_bytes()
    assert not raw.startswith(SQLITE_MAGIC)
    for secret in (PHONE, "张伟", "香樟树", "枫林苑", "JA01-"):
        assert secret.encode("utf-8") not in raw, secret
    service.record(clerk, case.id, EventType.NOTE_ADDED, {"note": "备份之后的记录"})

    restored = service.restore(admin, backup, passphrase=BACKUP_PASSPHRASE)

    assert not restored.plain_backup
    assert [e.type for e in service.timeline(case.id)][-1] is not EventType.NOTE_ADDED
    assert service.case(case.id).phone == PHONE
    assert any(e.action == "restore" for e in service.audit_log(admin))


def test_item5_a_wrong_passphrase_is_a_clear_message_and_changes_nothing(
    service: StationService, admin: StaffMember, clerk: StaffMember, tmp_path: Path
) -> None:
    service.register_case(clerk, walk_in(0))
    backup = service.backup(clerk, tmp_path / "monday.gsbackup", passphrase=BACKUP_PASSPHRASE)
    service.register_case(clerk, walk_in(1))
    before = [e.id for e in service.all_events()]

    with pytest.raises(DomainError) as wrong:
        service.restore(admin, backup, passphrase="不是这个口令的口令")

    assert wrong.value.code == "backup.passphrase_wrong"
    assert "口令不正确" in wrong.value.message_zh
    assert [e.id for e in service.all_events()] == before
    assert not list((service.data_dir / "backups").glob("before-restore-*")), "no safety copy: nothing was done"


def test_item5_a_damaged_or_truncated_backup_is_refused_and_changes_nothing(
    service: StationService, admin: StaffMember, clerk: StaffMember, tmp_path: Path
) -> None:
    service.register_case(clerk, walk_in(0))
    backup = service.backup(clerk, tmp_path / "monday.gsbackup", passphrase=BACKUP_PASSPHRASE)
    raw = backup.read_bytes()
    before = [e.id for e in service.all_events()]
    flipped = bytearray(raw)
    flipped[len(raw) // 2] ^= 0x01
    for name, content in (("flipped", bytes(flipped)), ("cut", raw[: len(raw) - 100]), ("extended", raw + b"\0")):
        damaged = tmp_path / f"{name}.gsbackup"
        damaged.write_bytes(content)
        with pytest.raises(DomainError) as refused:
            service.restore(admin, damaged, passphrase=BACKUP_PASSPHRASE)
        assert refused.value.code == "backup.damaged", name
        assert "已损坏" in refused.value.message_zh
    assert [e.id for e in service.all_events()] == before


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 64 * 5, 64 * 5 + 7])
def test_item5_the_sealed_format_detects_truncation_reordering_and_extension(size: int) -> None:
    """Chunks are bound to their place and to the end of the file: cutting the file at a chunk boundary, swapping
    two chunks, dropping one or adding one is refused; the plain bytes come back exactly otherwise."""
    from gridstation.services.backup_file import NONCE_BYTES, PREAMBLE_BYTES, TAG_BYTES, seal, unseal

    chunk = 64
    plain = os.urandom(size)
    sealed = io.BytesIO()
    seal(io.BytesIO(plain), sealed, BACKUP_PASSPHRASE, chunk_size=chunk)
    data = sealed.getvalue()
    out = io.BytesIO()
    unseal(io.BytesIO(data), out, BACKUP_PASSPHRASE)
    assert out.getvalue() == plain

    record = NONCE_BYTES + chunk + TAG_BYTES
    header = PREAMBLE_BYTES
    body = data[header:]
    chunks = [body[i : i + record] for i in range(0, len(body), record)]
    variants = {"cut at the last chunk": data[: header + sum(map(len, chunks[:-1]))]}
    variants["extended by a copy of the last chunk"] = data + chunks[-1]
    if len(chunks) >= 2:
        variants["first two swapped"] = data[:header] + chunks[1] + chunks[0] + b"".join(chunks[2:])
        variants["one dropped"] = data[:header] + b"".join(chunks[1:])
    for name, variant in variants.items():
        with pytest.raises(DomainError) as refused:
            unseal(io.BytesIO(variant), io.BytesIO(), BACKUP_PASSPHRASE)
        assert refused.value.code == "backup.damaged", name


def test_item5_new_backups_need_a_real_passphrase(service: StationService, clerk: StaffMember, tmp_path: Path) -> None:
    for passphrase, code in (("", "backup.passphrase_missing"), ("1234567", "backup.passphrase_short")):
        with pytest.raises(DomainError) as refused:
            service.backup(clerk, tmp_path / "b.gsbackup", passphrase=passphrase)
        assert refused.value.code == code
    assert not (tmp_path / "b.gsbackup").exists()


def test_item5_the_key_costs_an_attacker_real_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """A backup on a lost USB stick meets an offline guesser: scrypt at N = 2^17, r = 8 (128 MiB per guess)."""
    from gridstation.services import backup_file

    monkeypatch.undo()  # the real cost, not the cheap one of these tests
    assert (backup_file.DEFAULT_COST.log2_n, backup_file.DEFAULT_COST.r) >= (17, 8)
    assert backup_file.DEFAULT_COST.memory_bytes() >= 128 * 1024 * 1024


def test_item5_a_backup_never_holds_the_sync_credential(desk: Desk, tmp_path: Path) -> None:
    """The credential the desk syncs with is not in the backup, not even as left-over bytes in a free page."""
    desk.station.register_case(desk.clerk, walk_in(0))
    assert desk.sync.run().ok
    with desk.station.reading() as session:
        credential = str(setting(session, SettingKey.CREDENTIAL))
    assert credential.startswith("gs1_")

    backup = desk.station.backup(desk.clerk, tmp_path / "b.gsbackup", passphrase=BACKUP_PASSPHRASE)
    plain = unseal_backup(backup, tmp_path / "plain.db")

    assert credential.encode() not in plain.read_bytes()
    with sqlite3.connect(plain) as connection:
        keys = {row[0] for row in connection.execute("SELECT key FROM settings")}
    connection.close()
    assert not keys & {str(SettingKey.CREDENTIAL), str(SettingKey.ENROL_ATTEMPT)}
    assert str(SettingKey.SERVER_URL) in keys  # where the centre is, is no secret


def test_item5_restoring_on_the_same_machine_keeps_its_enrolment(desk: Desk, tmp_path: Path) -> None:
    desk.station.register_case(desk.clerk, walk_in(0))
    assert desk.sync.run().ok
    backup = desk.station.backup(desk.clerk, tmp_path / "b.gsbackup", passphrase=BACKUP_PASSPHRASE)

    restored = desk.station.restore(desk.admin, backup, passphrase=BACKUP_PASSPHRASE)

    assert not restored.enrolment_needed
    assert desk.sync.run().ok


def test_item5_restoring_on_another_machine_needs_a_new_enrolment_which_the_centre_allows(
    desk: Desk, centre: Centre, tmp_path: Path, clock: FakeClock
) -> None:
    desk.station.register_case(desk.clerk, walk_in(0))
    assert desk.sync.run().ok
    backup = desk.station.backup(desk.clerk, tmp_path / "b.gsbackup", passphrase=BACKUP_PASSPHRASE)
    replacement, admin, _ = new_station(tmp_path / "new-pc", clock)  # a fresh install with the same station code
    try:
        restored = replacement.restore(admin, backup, passphrase=BACKUP_PASSPHRASE)
        assert restored.enrolment_needed
        from tests.support.sync import make_desk

        new_desk = make_desk(centre, replacement, admin, admin)
        assert not new_desk.sync.status().enrolled
        summary = new_desk.sync.run()
        assert not summary.ok and summary.error_code == "sync.not_enrolled"
        new_desk.sync.enrol(admin, CENTRE_URL, centre.enrolment_code("JA01"))  # station add JA01 --new-code
        assert new_desk.sync.run().ok
    finally:
        replacement.close()


def test_item5_an_old_plain_backup_is_still_restored_with_a_warning_and_its_credential_is_dropped(
    capsys: pytest.CaptureFixture[str], station_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Backups made before this version are plain SQLite files: they may be the only copy, so restore accepts them,
    says they are unencrypted, seals the safety copy, and takes no credential from them."""
    old = tmp_path / "gridstation-20261101-180000.db"
    live = sqlite3.connect(station_dir / "station.db")
    copy = sqlite3.connect(old)
    live.backup(copy)
    copy.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (str(SettingKey.CREDENTIAL), '"gs1_old_secret"'))
    copy.commit()
    copy.close()
    live.close()
    monkeypatch.setenv(PASSPHRASE_ENV, BACKUP_PASSPHRASE)

    code, out, err = run(capsys, "--data-dir", str(station_dir), "restore", str(old), "--yes", *ADMIN)

    assert code == 0, err
    assert "未加密" in out and "重新做一份加密备份" in out
    assert "重新登记" in out and "--new-code" in out
    service = StationService(station_dir)
    try:
        with service.reading() as session:
            assert setting(session, SettingKey.CREDENTIAL) is None
    finally:
        service.close()
    (safety,) = (station_dir / "backups").glob("before-restore-*")
    assert not safety.read_bytes().startswith(SQLITE_MAGIC)


def test_item5_the_safety_copy_is_sealed_and_undoes_the_restore(
    service: StationService, admin: StaffMember, clerk: StaffMember, tmp_path: Path
) -> None:
    service.register_case(clerk, walk_in(0))
    backup = service.backup(clerk, tmp_path / "monday.gsbackup", passphrase=BACKUP_PASSPHRASE)
    later = service.register_case(clerk, walk_in(1))

    safety = service.restore(admin, backup, passphrase=BACKUP_PASSPHRASE).safety_copy
    assert not safety.read_bytes().startswith(SQLITE_MAGIC)
    assert later.id not in {s.id for s in service.search(CaseQuery())}

    service.restore(admin, safety, passphrase=BACKUP_PASSPHRASE)
    assert later.id in {s.id for s in service.search(CaseQuery())}


# ---------------------------------------------------------------------- the passphrase on the command line


def test_item5_cli_reads_the_passphrase_from_the_environment_for_scheduled_tasks(
    capsys: pytest.CaptureFixture[str], station_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = ("--data-dir", str(station_dir))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # a scheduled task: no terminal
    code, _, err = run(capsys, *base, "backup", str(tmp_path / "b.gsbackup"), *CLERK)
    assert code == 2 and PASSPHRASE_ENV in err and "Traceback" not in err
    assert not (tmp_path / "b.gsbackup").exists()

    monkeypatch.setenv(PASSPHRASE_ENV, BACKUP_PASSPHRASE)
    code, out, _ = run(capsys, *base, "backup", str(tmp_path / "b.gsbackup"), *CLERK)
    assert code == 0 and "加密" in out
    code, out, _ = run(capsys, *base, "restore", str(tmp_path / "b.gsbackup"), "--yes", *ADMIN)
    assert code == 0 and "已加密" in out

    monkeypatch.setenv(PASSPHRASE_ENV, "另一个不对的口令")
    before = sorted(p.name for p in (station_dir / "backups").iterdir())
    code, _, err = run(capsys, *base, "restore", str(tmp_path / "b.gsbackup"), "--yes", *ADMIN)
    assert code == 2 and "口令不正确" in err and "Traceback" not in err
    assert sorted(p.name for p in (station_dir / "backups").iterdir()) == before


def test_item5_cli_asks_twice_for_a_new_passphrase_in_a_terminal(
    capsys: pytest.CaptureFixture[str], station_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import getpass

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    answers: list[str] = []
    monkeypatch.setattr(sys, "stdin", Terminal(""))
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": answers.pop(0))
    base = ("--data-dir", str(station_dir), "backup", str(tmp_path / "b.gsbackup"), *CLERK)

    answers[:] = [BACKUP_PASSPHRASE, BACKUP_PASSPHRASE + "x"]
    code, _, err = run(capsys, *base)
    assert code == 2 and "不一致" in err and not (tmp_path / "b.gsbackup").exists()

    answers[:] = [BACKUP_PASSPHRASE, BACKUP_PASSPHRASE]
    code, _, _ = run(capsys, *base)
    assert code == 0 and answers == []

    answers[:] = [BACKUP_PASSPHRASE]  # restoring asks once
    code, _, err = run(capsys, "--data-dir", str(station_dir), "restore", str(tmp_path / "b.gsbackup"), "--yes", *ADMIN)
    assert code == 0, err


# ---------------------------------------------------------------------- the desk


@pytest.mark.gui
def test_item5_the_desk_asks_for_the_passphrase_twice_and_seals_the_backup(
    qtbot: QtBot, service: StationService, admin: StaffMember, clerk: StaffMember, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    from gridstation.ui.app import build_main_window
    from gridstation.ui.secure_dialogs import PassphraseDialog

    service.register_case(clerk, walk_in(0))
    window = build_main_window(service, admin)
    qtbot.addWidget(window)
    target = tmp_path / "desk.gsbackup"
    dialog = window.ask_passphrase(new=True, intro="", then=lambda p: window.backup_to(target, p))
    assert isinstance(dialog, PassphraseDialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok is not None
    dialog.passphrase_edit.setText(BACKUP_PASSPHRASE)
    dialog.again_edit.setText("别的口令别的口令")
    ok.click()
    assert dialog.isVisible() and "不一致" in dialog.error.text()
    dialog.again_edit.setText(BACKUP_PASSPHRASE)
    ok.click()
    qtbot.waitUntil(lambda: target.exists() and "已加密备份" in window.statusBar().currentMessage())
    assert not target.read_bytes().startswith(SQLITE_MAGIC)


@pytest.mark.gui
def test_item5_the_desk_restores_with_the_passphrase_and_says_to_enrol_again(
    qtbot: QtBot, tmp_path: Path, clock: FakeClock
) -> None:
    """On a new machine (no enrolment) the desk restores a backup, off the screen's thread, and says the desk must
    be enrolled again; a wrong passphrase is shown and changes nothing."""
    from PySide6.QtWidgets import QMessageBox

    from gridstation.ui.app import build_main_window

    old, _, old_clerk = new_station(tmp_path / "old-pc", clock)
    old.register_case(old_clerk, walk_in(0))
    backup = old.backup(old_clerk, tmp_path / "b.gsbackup", passphrase=BACKUP_PASSPHRASE)
    old.close()
    service, admin, _ = new_station(tmp_path / "new-pc", clock)
    try:
        window = build_main_window(service, admin)
        qtbot.addWidget(window)
        window.restore_from(backup, "不对的口令不对的口令")
        qtbot.waitUntil(lambda: any("口令不正确" in box.text() for box in window.findChildren(QMessageBox)))
        assert service.count(CaseQuery()) == 0

        window.restore_from(backup, BACKUP_PASSPHRASE)
        qtbot.waitUntil(lambda: window.findChild(QMessageBox, "restore_notice") is not None)
        notice = window.findChild(QMessageBox, "restore_notice")
        assert notice is not None and "重新登记" in notice.text() and "station add JA01 --new-code" in notice.text()
        assert service.count(CaseQuery()) == 1
    finally:
        service.close()
