"""Storage failures (locked, read-only, corrupt, full disk) give clear Chinese errors; odd text survives."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, column, create_engine, event, inspect, literal, select
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect

from gridstation.common import sqlite
from gridstation.common.sqltypes import UTCDateTime, epoch_microseconds, to_epoch_microseconds, utc_from_text
from gridstation.domain.case import CaseState, Intake
from gridstation.domain.enums import Channel, EventType, Tier
from gridstation.domain.errors import DomainError
from gridstation.domain.listing import CaseQuery
from gridstation.services import core as core_module
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.storage import db
from gridstation.storage.db import StorageError, make_session_factory
from tests.support.clock import FakeClock
from tests.support.snapshots import snapshot
from tests.support.staff import ADMIN_NAME, ADMIN_PIN

KEEPS_DATA = "已保存的数据未受影响"


def intake(description: str = "楼前香樟树遮挡采光，希望修剪。", **extra: Any) -> Intake:
    return Intake.validated(
        channel=Channel.HOTLINE_12345,
        category_code="GREEN.LIGHT",
        tier=Tier.TRACKED,
        description=description,
        phone="13800138000",
        **extra,
    )


@pytest.fixture
def existing(service: StationService, clerk: StaffMember) -> CaseState:
    return service.register_case(clerk, intake("非机动车棚里有人私自搭建小屋，堆放杂物。"))


def assert_still_usable(service: StationService, clerk: StaffMember, case: CaseState) -> None:
    after = service.record(clerk, case.id, EventType.NOTE_ADDED, {"note": "故障排除后补记"})
    assert after.version == case.version + 1
    assert service.register_case(clerk, intake()).number.startswith("JA01-")


# ---------------------------------------------------------------- locked


@pytest.fixture
def impatient(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wait 0.2 s instead of 3 s for a lock, so the locked test is quick."""
    monkeypatch.setattr(sqlite, "BUSY_TIMEOUT_MS", 200)


def test_locked_database(
    impatient: None, service: StationService, clerk: StaffMember, existing: CaseState, data_dir: Path
) -> None:
    """Another program holding an exclusive lock gives storage.locked; reading still works; writes resume after."""
    before = snapshot(service)
    other = sqlite3.connect(data_dir / "station.db", isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StorageError) as info:
            service.register_case(clerk, intake())
        assert info.value.code == "storage.locked"
        assert "占用" in info.value.message_zh and KEEPS_DATA in info.value.message_zh
        with pytest.raises(StorageError) as again:
            service.record(clerk, existing.id, EventType.FIRST_CONTACT, {})
        assert again.value.code == "storage.locked"
        assert [s.id for s in service.search(CaseQuery(text="非机动车棚"))] == [existing.id]
    finally:
        other.rollback()
        other.close()
    assert snapshot(service) == before
    assert_still_usable(service, clerk, existing)


# ---------------------------------------------------------------- read-only


def read_only_engine(path: Path, *, for_writing: bool = True) -> Engine:
    """An engine that opens the station file read-only, as SQLite does when the OS refuses to write."""
    return sqlite.configure(create_engine(f"sqlite:///file:{path}?mode=ro&uri=true"), for_writing=for_writing)


def os_enforces_read_only(directory: Path) -> bool:
    probe = directory / "station.db"
    try:
        with open(probe, "ab"):
            return False
    except PermissionError:
        return True


@pytest.fixture
def read_only_files(data_dir: Path) -> Iterator[bool]:
    """chmod the database and its folder read-only; yields whether the OS enforces it (root ignores it)."""
    db_file = data_dir / "station.db"
    db_file.chmod(0o444)
    data_dir.chmod(0o555)
    try:
        yield os_enforces_read_only(data_dir)
    finally:
        data_dir.chmod(0o755)
        db_file.chmod(0o644)


def test_read_only_database_while_running(
    service: StationService, clerk: StaffMember, existing: CaseState, read_only_files: bool
) -> None:
    """A database that became read-only refuses writes with storage.read_only, keeps reads, and recovers."""
    before = snapshot(service)
    service.engine.dispose()  # reconnect, as after the file was made read-only
    service.read_engine.dispose()
    writable = service._sessions
    simulated = None
    if not read_only_files:
        # Running as root, chmod does not stop writes: open the same file read-only through SQLite instead.
        simulated = read_only_engine(service.db_path)
        service._sessions = make_session_factory(simulated)
    try:
        with pytest.raises(StorageError) as info:
            service.register_case(clerk, intake())
        assert info.value.code == "storage.read_only"
        assert "只读" in info.value.message_zh and KEEPS_DATA in info.value.message_zh
        with pytest.raises(StorageError):
            service.record(clerk, existing.id, EventType.FIRST_CONTACT, {})
        assert service.case(existing.id) == existing
    finally:
        service._sessions = writable
        if simulated is not None:
            simulated.dispose()
    service.engine.dispose()
    assert snapshot(service) == before


def test_read_only_recovers_once_writable(
    service: StationService, clerk: StaffMember, existing: CaseState, data_dir: Path
) -> None:
    """After the read-only spell is over (permissions restored), the same service writes again."""
    simulated = read_only_engine(service.db_path)
    writable = service._sessions
    service._sessions = make_session_factory(simulated)
    try:
        with pytest.raises(StorageError):
            service.record(clerk, existing.id, EventType.FIRST_CONTACT, {})
    finally:
        service._sessions = writable
        simulated.dispose()
    assert_still_usable(service, clerk, existing)


def test_opening_a_read_only_station_allows_reading(
    service: StationService,
    clerk: StaffMember,
    existing: CaseState,
    data_dir: Path,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A station opened from a read-only file (e.g. a write-protected USB stick) can be browsed but not changed."""
    service.close()
    monkeypatch.setattr(core_module, "make_engine", read_only_engine)
    viewer = StationService(data_dir, now=clock)
    try:
        assert viewer.case(existing.id) == existing
        with pytest.raises(StorageError) as info:
            viewer.register_case(clerk, intake())
        assert info.value.code == "storage.read_only"
    finally:
        viewer.close()


# ---------------------------------------------------------------- corrupt


@pytest.mark.parametrize(
    "content",
    [b"GridStation? no, just garbage bytes. " * 300, os.urandom(8192), b"SQLite format 3\x00" + os.urandom(4080)],
    ids=["text", "random", "bad-pages-after-header"],
)
def test_corrupt_file_is_reported_and_left_alone(tmp_path: Path, clock: FakeClock, content: bytes) -> None:
    """Opening a station whose station.db is garbage raises storage.corrupt in Chinese and does not overwrite it."""
    data_dir = tmp_path / "broken"
    data_dir.mkdir()
    (data_dir / "station.db").write_bytes(content)
    with pytest.raises(StorageError) as info:
        StationService(data_dir, now=clock)
    assert info.value.code == "storage.corrupt"
    assert "损坏" in info.value.message_zh and "备份" in info.value.message_zh
    assert (data_dir / "station.db").read_bytes() == content


def test_damaged_pages_are_reported_as_corrupt(
    service: StationService, clerk: StaffMember, clock: FakeClock, data_dir: Path
) -> None:
    """A station whose data pages were overwritten (bad sector) reports storage.corrupt, not a raw SQLite error."""
    for i in range(20):
        service.register_case(clerk, intake(f"第{i}号：楼道里堆满纸箱、旧沙发和液化气罐。" * 40))
    service.close()
    path = data_dir / "station.db"
    damaged = bytearray(path.read_bytes())
    for offset in range(4096 * 4, len(damaged) - 4096, 4096):
        damaged[offset : offset + 256] = b"\xff" * 256
    path.write_bytes(bytes(damaged))
    with pytest.raises(StorageError) as info:
        broken = StationService(data_dir, now=clock)
        try:
            broken.search(CaseQuery(text="液化气罐"))
            assert broken.integrity_ok()
        finally:
            broken.close()
    assert info.value.code == "storage.corrupt"


@pytest.mark.parametrize("kind", ["garbage", "foreign-sqlite"])
def test_restoring_something_that_is_not_a_backup(
    service: StationService, admin: StaffMember, existing: CaseState, tmp_path: Path, kind: str
) -> None:
    """Restoring a garbage file or someone else's SQLite file is refused and the live data stays."""
    bogus = tmp_path / "not-a-backup.db"
    if kind == "garbage":
        bogus.write_bytes(b"\x00\x01garbage" * 512)
    else:
        with sqlite3.connect(bogus) as conn:
            conn.execute("CREATE TABLE contacts (name TEXT)")
        conn.close()
    before = snapshot(service)
    with pytest.raises(DomainError) as info:
        service.restore(admin, bogus, passphrase="a passphrase")
    assert info.value.code == "restore.not_a_backup"
    assert "不是有效的" in info.value.message_zh
    assert snapshot(service) == before
    with pytest.raises(DomainError) as missing:
        service.restore(admin, tmp_path / "nowhere.db", passphrase="a passphrase")
    assert missing.value.code == "restore.missing"


# ---------------------------------------------------------------- full disk


def test_full_disk(service: StationService, clerk: StaffMember, existing: CaseState) -> None:
    """When SQLite cannot grow the file (SQLITE_FULL), the clerk is told the disk is full and nothing is saved."""
    before = snapshot(service)

    def cap_at_current_size(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(service.engine, "connect", cap_at_current_size)
    service.engine.dispose()
    long_text = "绿化带下的污水井盖被灌木和泥土完全盖住，" * 190
    try:
        with pytest.raises(StorageError) as info:
            service.register_case(clerk, intake(long_text))
        assert info.value.code == "storage.disk_full"
        assert "磁盘空间不足" in info.value.message_zh and KEEPS_DATA in info.value.message_zh
        with pytest.raises(StorageError):
            service.record(
                clerk,
                existing.id,
                EventType.INTAKE_CORRECTED,
                {"field": "description", "value": long_text, "reason": "补充完整描述"},
            )
    finally:
        event.remove(service.engine, "connect", cap_at_current_size)
        service.engine.dispose()
    assert snapshot(service) == before
    assert service.register_case(clerk, intake(long_text)).description == long_text
    assert_still_usable(service, clerk, existing)


def test_storage_error_translation_table() -> None:
    """Each SQLite failure text maps to its code; anything else is a generic storage.failed, all in Chinese."""
    cases = {
        "database is locked": "storage.locked",
        "attempt to write a readonly database": "storage.read_only",
        "database disk image is malformed": "storage.corrupt",
        "file is not a database": "storage.corrupt",
        "database or disk is full": "storage.disk_full",
        "unable to open database file": "storage.cannot_open",
        "no such savepoint: sp1": "storage.failed",
    }
    for text, code in cases.items():
        err = db.storage_error_from(sqlite3.OperationalError(text))
        assert err.code == code, text
        assert any("\u4e00" <= ch <= "\u9fff" for ch in err.message_zh)
        assert err.params["detail"] == text


# ---------------------------------------------------------------- rare characters


RARE = [
    "𠮷野家门口的树遮住了阳光",  # outside the Basic Multilingual Plane
    "绿化带🌳挡住了井盖，🚗鸣笛声很吵",
    "<b>x</b> 楼道堆物 <script>alert(1)</script>",
    "'); DROP TABLE cases;-- 车棚违建",
    '他说："楼道里的煤气罐"必须搬走 100% 确定 a_b',
]


def test_rare_characters_round_trip(service: StationService, clerk: StaffMember) -> None:
    """Rare characters, emoji, markup and SQL-looking text are stored and shown back exactly."""
    for description in RARE:
        case = service.register_case(
            clerk, intake(description, compound="𠮷祥苑", complainant_name="测试🌳居民", address="'; --")
        )
        stored = service.case(case.id)
        assert stored.description == description
        assert (stored.compound, stored.complainant_name, stored.address) == ("𠮷祥苑", "测试🌳居民", "'; --")
        assert service.case_by_number(case.number) == stored
        assert service.timeline(case.id)[0].payload["description"] == description


RARE_SEARCHES = [
    ("𠮷", 0),
    ("𠮷野家", 0),
    ("🌳", 1),
    ("🚗鸣笛", 1),
    ("<b>x</b>", 2),
    ("<script>alert(1)</script>", 2),
    ("');", 3),
    ("DROP", 3),
    ("cases;--", 3),
    ('"楼道里的煤气罐"必须搬走', 4),
    ("100%", 4),
    ("a_b", 4),
]


def test_rare_characters_are_found_by_search(service: StationService, clerk: StaffMember) -> None:
    """Searching for rare characters, markup or SQL-looking words finds exactly the case that has them."""
    ids = [service.register_case(clerk, intake(text)).id for text in RARE]
    wrong = {
        word: got
        for word, index in RARE_SEARCHES
        if (got := [s.id for s in service.search(CaseQuery(text=word))]) != [ids[index]]
    }
    assert wrong == {}
    assert {"cases", "events"} <= set(inspect(service.engine).get_table_names())


def test_like_wildcards_are_literal(service: StationService, clerk: StaffMember) -> None:
    """A lone % or _ is searched for literally, not as a wildcard matching every case."""
    service.register_case(clerk, intake("楼道堆放杂物"))
    service.register_case(clerk, intake("树木遮挡采光"))
    for word in ["%", "_", "%%", "__"]:
        assert service.search(CaseQuery(text=word)) == [], word


def test_a_failed_sign_in_with_odd_name_is_audited_safely(service: StationService, admin: StaffMember) -> None:
    """A sign-in attempt with an SQL-looking name is refused, audited verbatim, and harms nothing."""
    name = "admin'; DELETE FROM staff;--"
    with pytest.raises(DomainError):
        service.sign_in(name, "0000")
    assert any(e.detail.get("name") == name for e in service.audit_log(admin))
    assert service.sign_in(ADMIN_NAME, ADMIN_PIN).name == ADMIN_NAME


# ---------------------------------------------------------------- column types


def test_naive_datetimes_are_refused_by_storage() -> None:
    """A datetime without a time zone cannot be stored: it would be ambiguous between UTC and Shanghai time."""
    column = UTCDateTime()
    with pytest.raises(ValueError):
        column.process_bind_param(datetime(2026, 11, 23, 9, 30), sqlite_dialect())
    shanghai = datetime(2026, 11, 23, 9, 30, 0, 123456, tzinfo=ZoneInfo("Asia/Shanghai"))
    text = column.process_bind_param(shanghai, sqlite_dialect())
    assert text == "2026-11-23 01:30:00.123456"
    assert column.process_result_value(text, sqlite_dialect()) == shanghai


def test_stored_times_read_back_in_utc_with_or_without_fractions_or_an_offset() -> None:
    """Stored text reads back as timezone.utc; text that carries an offset of its own is read as it always was (its
    wall time taken as UTC), through the slower path."""
    assert utc_from_text("2026-11-23 01:30:00.123456") == datetime(2026, 11, 23, 1, 30, 0, 123456, tzinfo=UTC)
    whole_seconds = utc_from_text("2026-11-23 01:30:00")
    assert whole_seconds is not None and whole_seconds.tzinfo is UTC
    assert utc_from_text("2026-11-23T09:30:00+08:00") == datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    assert utc_from_text("2026-11-23 09:30:00Z") == datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    assert utc_from_text(None) is None


def test_epoch_microseconds_in_sql_matches_python(service: StationService) -> None:
    """The SQL used by the colour filter computes the same whole microseconds as Python, fractions included."""
    moments = [
        datetime(2026, 11, 23, 1, 30, tzinfo=UTC),
        datetime(2026, 11, 23, 1, 30, 59, 999_999, tzinfo=UTC),
        datetime(2028, 2, 29, 23, 59, 59, 500_000, tzinfo=UTC),
        datetime(2026, 11, 24, 0, 0, 0, 1, tzinfo=ZoneInfo("Asia/Shanghai")),
    ]
    stamp = column("stamp", UTCDateTime())
    with service._read() as session:
        for moment in moments:
            text = UTCDateTime().process_bind_param(moment, sqlite_dialect())
            sql = select(epoch_microseconds(stamp)).select_from(select(literal(text).label("stamp")).subquery())
            assert session.scalar(sql) == to_epoch_microseconds(moment), moment
