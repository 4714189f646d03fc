"""Case numbers: format, check character, daily sequence per Shanghai date, and never reusing a number."""

from __future__ import annotations

import itertools
import shutil
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from gridstation.domain.case import Intake
from gridstation.domain.enums import Channel, EventType, Tier
from gridstation.domain.errors import DomainError
from gridstation.domain.numbering import (
    CASE_NUMBER_PATTERN,
    check_character,
    format_case_number,
    is_valid_case_number,
    validate_station_code,
)
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.storage.models import EventRow
from tests.support.backups import BACKUP_PASSPHRASE
from tests.support.clock import FakeClock
from tests.support.staff import ADMIN_NAME, ADMIN_PIN

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SAMPLES = [
    format_case_number("JA01", date(2026, 11, 23), 7),
    format_case_number("HZ01", date(2026, 1, 1), 1),  # "Z0": the pair plain Luhn mod 36 cannot tell apart
    format_case_number("Z0Z0Z0", date(2027, 12, 31), 9999),
    format_case_number("XH09", date(2026, 6, 30), 123_456),
    format_case_number("AB", date(2030, 2, 28), 10_000),
    format_case_number("0Z9Y8X7W", date(2026, 11, 24), 42),
]


def intake(description: str = "楼前大树遮挡采光，白天屋里也要开灯。") -> Intake:
    return Intake.validated(
        channel=Channel.HOTLINE_12345,
        category_code="GREEN.LIGHT",
        tier=Tier.TRACKED,
        description=description,
        phone="13800138000",
    )


def test_format_of_a_case_number() -> None:
    """<station>-<YYYYMMDD>-<4-digit sequence>-<check> with the check computed over the body."""
    number = format_case_number("JA01", date(2026, 11, 23), 7)
    assert number.startswith("JA01-20261123-0007-")
    assert len(number) == len("JA01-20261123-0007-K")
    assert number[-1] == check_character("JA01-20261123-0007")
    assert CASE_NUMBER_PATTERN.match(number)
    assert is_valid_case_number(number)
    assert format_case_number("JA01", date(2026, 11, 23), 123_456).startswith("JA01-20261123-123456-")


@pytest.mark.parametrize("sequence", [0, -1, 1_000_000])
def test_sequence_outside_the_range_is_refused(sequence: int) -> None:
    """Sequence 0, negative or beyond 999999 means the day's numbers are exhausted."""
    with pytest.raises(DomainError) as info:
        format_case_number("JA01", date(2026, 11, 23), sequence)
    assert info.value.code == "numbering.exhausted"
    assert "编号" in info.value.message_zh


def test_check_character_ignores_separators_and_case() -> None:
    """The check is over the alphanumeric characters only, and lower-case input is read as upper case."""
    assert check_character("JA01-20261123-0007") == check_character("JA01202611230007")
    assert check_character("ja01-20261123-0007") == check_character("JA01-20261123-0007")
    number = format_case_number("JA01", date(2026, 11, 23), 7)
    assert is_valid_case_number(number.lower())
    assert is_valid_case_number(f"  {number} ")


@pytest.mark.parametrize("number", SAMPLES)
def test_every_single_character_substitution_is_detected(number: str) -> None:
    """Mistyping any one character (to any other letter or digit) makes the number invalid."""
    assert is_valid_case_number(number)
    for i, original in enumerate(number):
        if original == "-":
            continue
        for replacement in ALPHABET:
            if replacement != original:
                typo = number[:i] + replacement + number[i + 1 :]
                assert not is_valid_case_number(typo), typo


@pytest.mark.parametrize("number", SAMPLES)
def test_every_adjacent_transposition_is_detected(number: str) -> None:
    """Swapping two neighbouring characters (as read aloud, separators skipped) makes the number invalid."""
    positions = [i for i, c in enumerate(number) if c != "-"]
    for a, b in itertools.pairwise(positions):
        if number[a] == number[b]:
            continue
        chars = list(number)
        chars[a], chars[b] = chars[b], chars[a]
        swapped = "".join(chars)
        assert not is_valid_case_number(swapped), swapped


def test_every_pair_of_characters_swapped_inside_a_station_code_is_detected() -> None:
    """Exhaustively: any two different characters swapped in a station code are caught."""
    for x in ALPHABET:
        for y in ALPHABET:
            if x == y:
                continue
            number = format_case_number(f"Q{x}{y}1", date(2026, 11, 23), 1)
            swapped = f"Q{y}{x}1" + number[4:]
            assert not is_valid_case_number(swapped), (number, swapped)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "JA01-20261123-0007",  # no check character
        "JA01-2026112-0007-K",  # short date
        "JA01-20261123-007-K",  # short sequence
        "JA01_20261123_0007_K",
        "J-20261123-0007-K",
        "网格01-20261123-0007-K",
        "JA01-20261123-0007-KK",
    ],
)
def test_malformed_numbers_are_not_valid(text: str) -> None:
    """Anything not shaped like a case number is invalid, whatever its check character."""
    assert not is_valid_case_number(text)


@pytest.mark.parametrize(
    ("raw", "code"), [("JA01", "JA01"), (" ja01 ", "JA01"), ("HZ", "HZ"), ("ABCD1234", "ABCD1234")]
)
def test_station_code_is_normalised(raw: str, code: str) -> None:
    """Station codes are trimmed and upper-cased."""
    assert validate_station_code(raw) == code


@pytest.mark.parametrize("raw", ["", "J", "JA-01", "JA 01", "枫林01", "ABCDEFGHI", "JA01!"])
def test_malformed_station_code_is_refused(raw: str) -> None:
    """A station code must be 2–8 letters or digits; the message explains the rule in Chinese."""
    with pytest.raises(DomainError) as info:
        validate_station_code(raw)
    assert info.value.code == "station_code.malformed"
    assert "工作站编码" in info.value.message_zh


def test_initialise_refuses_a_malformed_station_code(tmp_path: Path, clock: FakeClock) -> None:
    """The first-start wizard cannot create a station with a bad code; nothing is written."""
    svc = StationService(tmp_path / "bad", now=clock)
    try:
        with pytest.raises(DomainError) as info:
            svc.initialise(code="枫林", name="枫林工作站", admin_name="测试管理员", admin_pin="246810")
        assert info.value.code == "station_code.malformed"
        assert not svc.is_initialised()
    finally:
        svc.close()


# ---------------------------------------------------------------- daily sequence per local date


def test_daily_sequence_resets_at_shanghai_midnight(
    service: StationService, clerk: StaffMember, clock: FakeClock
) -> None:
    """23:59 and 00:01 Shanghai time fall on different days, so the second case is 0001 of the next day."""
    clock.current = datetime(2026, 11, 23, 15, 58, tzinfo=UTC)  # 23:58 in Shanghai
    first = service.register_case(clerk, intake())
    clock.advance(minutes=1)  # 23:59
    second = service.register_case(clerk, intake())
    clock.advance(minutes=2)  # 00:01 on the 24th in Shanghai, still the 23rd in UTC
    third = service.register_case(clerk, intake())
    assert first.number.startswith("JA01-20261123-0001-")
    assert second.number.startswith("JA01-20261123-0002-")
    assert third.number.startswith("JA01-20261124-0001-")
    assert all(is_valid_case_number(c.number) for c in (first, second, third))


def test_utc_midnight_does_not_reset_the_sequence(
    service: StationService, clerk: StaffMember, clock: FakeClock
) -> None:
    """Midnight in UTC is 08:00 in Shanghai: the local date, and so the sequence, carries on."""
    clock.current = datetime(2026, 11, 23, 23, 59, tzinfo=UTC)  # 07:59 on the 24th in Shanghai
    first = service.register_case(clerk, intake())
    clock.advance(minutes=2)
    second = service.register_case(clerk, intake())
    assert first.number.startswith("JA01-20261124-0001-")
    assert second.number.startswith("JA01-20261124-0002-")


def test_numbers_are_unique_and_found_again(service: StationService, clerk: StaffMember, clock: FakeClock) -> None:
    """Twelve cases in a morning get twelve distinct consecutive numbers, each found by number."""
    numbers = []
    for _ in range(12):
        clock.advance(minutes=3)
        numbers.append(service.register_case(clerk, intake()).number)
    assert [n.split("-")[2] for n in numbers] == [f"{i:04d}" for i in range(1, 13)]
    assert service.case_by_number(numbers[5].lower()).number == numbers[5]


# ---------------------------------------------------------------- old backups and copied files


def _station_seqs(service: StationService) -> list[int]:
    with service._read() as session:
        return list(session.scalars(select(EventRow.station_seq).order_by(EventRow.station_seq)))


def issued(service: StationService) -> tuple[set[str], list[int]]:
    """The case numbers and event sequence numbers the station's database holds."""
    numbers = {e.payload["number"] for e in service.all_events() if e.type is EventType.REGISTERED}
    return numbers, _station_seqs(service)


def test_restoring_an_old_backup_never_reuses_numbers(
    service: StationService, admin: StaffMember, clerk: StaffMember, clock: FakeClock, tmp_path: Path
) -> None:
    """After restoring an older backup, new cases get numbers and event sequences beyond anything issued."""
    for _ in range(2):
        clock.advance(minutes=5)
        service.register_case(clerk, intake())
    backup = service.backup(admin, tmp_path / "backups" / "monday.db", passphrase=BACKUP_PASSPHRASE)
    for _ in range(3):
        clock.advance(minutes=5)
        service.register_case(clerk, intake("绿化带下的窨井盖被灌木盖住，找不到。"))
    numbers_before, seqs_before = issued(service)
    assert len(numbers_before) == 5
    clock.advance(minutes=5)
    safety = service.restore(admin, backup, passphrase=BACKUP_PASSPHRASE).safety_copy
    assert safety.is_file()
    numbers_restored, seqs_restored = issued(service)
    assert len(numbers_restored) == 2
    clock.advance(minutes=5)
    new_case = service.register_case(clerk, intake("隧道出口车辆鸣笛严重，夜里吵得睡不着。"))
    assert new_case.number not in numbers_before
    assert new_case.number.split("-")[2] == "0006"
    new_seqs = [s for s in _station_seqs(service) if s not in seqs_restored]
    assert new_seqs and min(new_seqs) > max(seqs_before)
    after = service.record(clerk, new_case.id, EventType.FIRST_CONTACT, {"note": "已回电"})
    assert after.version == 2
    assert len(set(_station_seqs(service))) == len(_station_seqs(service))


def test_copying_an_old_database_file_by_hand_never_reuses_numbers(
    data_dir: Path, service: StationService, clerk: StaffMember, clock: FakeClock, tmp_path: Path
) -> None:
    """Copying an old station.db over the live one does not make the station reissue numbers (ledger guard)."""
    for _ in range(2):
        clock.advance(minutes=5)
        service.register_case(clerk, intake())
    service.close()
    old_copy = tmp_path / "old-station.db"
    shutil.copyfile(data_dir / "station.db", old_copy)
    reopened = StationService(data_dir, now=clock)
    try:
        clerk2 = reopened.sign_in(clerk.name, "1357")
        for _ in range(3):
            clock.advance(minutes=5)
            reopened.register_case(clerk2, intake("非机动车棚里有人用砖墙隔出小间堆放杂物。"))
        numbers_before, seqs_before = issued(reopened)
    finally:
        reopened.close()
    assert not (data_dir / "station.db-wal").exists()
    shutil.copyfile(old_copy, data_dir / "station.db")
    third = StationService(data_dir, now=clock)
    try:
        numbers_old, seqs_old = issued(third)
        assert len(numbers_old) == 2
        admin = third.sign_in(ADMIN_NAME, ADMIN_PIN)
        clock.advance(minutes=5)
        case = third.register_case(admin, intake("楼道里堆放了好几桶汽油和旧床垫。"))
        assert case.number not in numbers_before
        assert case.number.split("-")[2] == "0006"
        new_seqs = [s for s in _station_seqs(third) if s not in seqs_old]
        assert new_seqs and min(new_seqs) > max(seqs_before)
        log = third.audit_log(admin)
        assert any(entry.action == "numbering.floor_raised" for entry in log)
    finally:
        third.close()


def test_restore_never_moves_the_event_clock_back(
    service: StationService, admin: StaffMember, clerk: StaffMember, clock: FakeClock, tmp_path: Path
) -> None:
    """After restoring an old backup, new events sort after every earlier event, even if the PC clock fell back."""
    service.register_case(clerk, intake())
    backup = service.backup(admin, tmp_path / "old.db", passphrase=BACKUP_PASSPHRASE)
    clock.advance(hours=2)
    for _ in range(3):
        service.register_case(clerk, intake("隧道口鸣笛扰民"))
    latest = max(e.hlc for e in service.all_events())
    clock.advance(hours=-3)  # the PC's clock is set back before the restore
    service.restore(admin, backup, passphrase=BACKUP_PASSPHRASE)
    case = service.register_case(clerk, intake("楼道堆放易燃物"))
    assert min(e.hlc for e in service.timeline(case.id)) > latest


def test_concurrent_registrations_get_distinct_numbers(service: StationService, clerk: StaffMember) -> None:
    """Several desk threads registering at once never share a number, and the event sequence has no gaps."""
    numbers: list[str] = []
    errors: list[BaseException] = []

    def desk() -> None:
        try:
            for _ in range(4):
                numbers.append(service.register_case(clerk, intake("楼道堆放电动车电池，存在火灾隐患。")).number)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=desk) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(n.split("-")[2] for n in numbers) == [f"{i:04d}" for i in range(1, 21)]
    seqs = _station_seqs(service)
    assert seqs == list(range(1, len(seqs) + 1))


def test_copied_back_old_file_never_moves_the_event_clock_back(
    data_dir: Path, service: StationService, clerk: StaffMember, clock: FakeClock, tmp_path: Path
) -> None:
    """An old station.db copied back by hand, with the PC clock behind, still stamps new events after old ones."""
    service.register_case(clerk, intake())
    service.close()
    old_copy = tmp_path / "old-station.db"
    shutil.copyfile(data_dir / "station.db", old_copy)
    reopened = StationService(data_dir, now=clock)
    clock.advance(hours=3)
    clerk2 = reopened.sign_in(clerk.name, "1357")
    for _ in range(3):
        reopened.register_case(clerk2, intake("楼道里堆着纸箱和旧沙发。"))
    newest = max(e.hlc for e in reopened.all_events())
    reopened.close()
    shutil.copyfile(old_copy, data_dir / "station.db")
    clock.advance(hours=-3)  # the PC clock has fallen back as well
    third = StationService(data_dir, now=clock)
    try:
        case = third.register_case(third.sign_in(clerk.name, "1357"), intake("隧道出口鸣笛扰民。"))
        assert min(e.hlc for e in third.timeline(case.id)) > newest
    finally:
        third.close()
