"""Issue 13, items 4 and 12: the event log and the audit log are chained, `gridstation audit verify` finds an edit
made with sqlite3 outside GridStation (naming the first broken link), the day receipt recomputes hashes instead of
trusting the stored ones, and a sync that meets a locally edited event says "tampering", not a network error."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from alembic import command

from gridstation.cli import main as cli
from gridstation.cli.context import DATA_DIR_ENV, PIN_ENV, USER_ENV
from gridstation.cli.defaults import EXIT_TAMPERED
from gridstation.common.sqlite import make_engine
from gridstation.domain.enums import EventType
from gridstation.domain.errors import DomainError
from gridstation.services.core import DB_FILE
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.storage.migrate import alembic_config, upgrade_to_head
from gridstation.sync.report import EXIT_REFUSED, exit_code
from tests.support.clock import FakeClock
from tests.support.complaints import complaint
from tests.support.staff import CLERK_NAME, CLERK_PIN
from tests.support.sync import Centre, Desk

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from gridstation.ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (DATA_DIR_ENV, USER_ENV, PIN_ENV):
        monkeypatch.delenv(name, raising=False)


def a_day_at_the_desk(service: StationService, clerk: StaffMember, clock: FakeClock) -> list[str]:
    """Three cases with a first contact each, and between them a mistyped PIN (the failed sign-in the attack
    deleted) followed by the right one."""
    numbers = []
    for index in range(3):
        case = service.register_case(clerk, complaint(index))
        clock.advance(minutes=5)
        service.record(clerk, case.id, EventType.FIRST_CONTACT, {"note": "已电话联系居民"})
        numbers.append(case.number)
        if index == 0:
            with pytest.raises(DomainError):
                service.sign_in(CLERK_NAME, "0000")
            service.sign_in(CLERK_NAME, CLERK_PIN)
    return numbers


@pytest.fixture
def worked(service: StationService, clerk: StaffMember, clock: FakeClock) -> Iterator[tuple[Path, list[str]]]:
    numbers = a_day_at_the_desk(service, clerk, clock)
    yield service.data_dir, numbers


def verify(capsys: pytest.CaptureFixture[str], data_dir: Path) -> tuple[int, dict[str, Any]]:
    code = cli.main(["--data-dir", str(data_dir), "audit", "verify", "--json"])
    out, _ = capsys.readouterr()
    return code, json.loads(out)


def verify_text(capsys: pytest.CaptureFixture[str], data_dir: Path) -> tuple[int, str]:
    code = cli.main(["--data-dir", str(data_dir), "audit", "verify"])
    out, _ = capsys.readouterr()
    return code, out


def attack(data_dir: Path, sql: str, *params: Any) -> None:
    """What the attacker did: sqlite3 on station.db, GridStation not involved."""
    connection = sqlite3.connect(data_dir / DB_FILE)
    with connection:
        connection.execute(sql, params)
    connection.close()


def registration_of(data_dir: Path, number: str) -> str:
    connection = sqlite3.connect(data_dir / DB_FILE)
    row = connection.execute(
        "SELECT events.id FROM events JOIN cases ON cases.id = events.case_id "
        "WHERE cases.number = ? AND events.type = 'case.registered'",
        (number,),
    ).fetchone()
    connection.close()
    return str(row[0])


def test_item4_audit_verify_passes_on_an_untouched_station(
    capsys: pytest.CaptureFixture[str], worked: tuple[Path, list[str]]
) -> None:
    data_dir, _ = worked
    code, report = verify(capsys, data_dir)
    assert code == 0
    assert report["intact"] is True
    assert report["events"]["checked"] == 6 and report["events"]["first_broken"] is None
    assert report["audit"]["checked"] >= 4 and report["audit"]["first_broken"] is None
    code, text = verify_text(capsys, data_dir)
    assert code == 0 and "日志完整" in text


def test_item4_an_edited_payload_is_named_as_the_first_broken_link(
    capsys: pytest.CaptureFixture[str], worked: tuple[Path, list[str]]
) -> None:
    data_dir, numbers = worked
    attack(
        data_dir,
        "UPDATE events SET payload = json_set(payload, '$.description', '没有这回事') WHERE id = ?",
        registration_of(data_dir, numbers[1]),
    )
    code, report = verify(capsys, data_dir)
    assert code == EXIT_TAMPERED != 0
    broken = report["events"]["first_broken"]
    assert (broken["problem"], broken["case_number"], broken["kind"]) == ("content", numbers[1], "case.registered")
    assert broken["position"] == 3 and broken["station_seq"] == 3
    assert f"诉求 {numbers[1]} 的「登记」" in broken["message"] and "被改动过" in broken["message"]
    code, text = verify_text(capsys, data_dir)
    assert code == EXIT_TAMPERED and "篡改" in text and numbers[1] in text


def test_item4_the_attack_payload_actor_name_and_a_deleted_failed_sign_in_is_caught(
    capsys: pytest.CaptureFixture[str], worked: tuple[Path, list[str]]
) -> None:
    """The attack of issue 13 exactly: events.payload and actor_name edited, a failed sign-in deleted."""
    data_dir, numbers = worked
    attack(data_dir, "UPDATE events SET actor_name = '王芳' WHERE id = ?", registration_of(data_dir, numbers[0]))
    attack(
        data_dir,
        "UPDATE events SET payload = json_set(payload, '$.phone', '13900000000') WHERE id = ?",
        registration_of(data_dir, numbers[2]),
    )
    attack(data_dir, "DELETE FROM audit_log WHERE action = 'sign_in.failed'")

    code, report = verify(capsys, data_dir)

    assert code == EXIT_TAMPERED
    events = report["events"]["first_broken"]  # the first of the two edited events, in stored order
    assert (events["case_number"], events["kind"], events["position"]) == (numbers[0], "case.registered", 1)
    audit = report["audit"]["first_broken"]  # the entry after the deleted one no longer follows from its predecessor
    assert audit["problem"] == "link" and audit["kind"] == "sign_in"
    assert "审计日志第" in audit["message"] and "删除" in audit["message"]
    assert report["events"]["intact"] is False and report["audit"]["intact"] is False


def test_item4_an_audit_entry_edited_in_place_breaks_the_audit_chain(
    capsys: pytest.CaptureFixture[str], worked: tuple[Path, list[str]]
) -> None:
    data_dir, _ = worked
    attack(data_dir, "UPDATE audit_log SET staff_name = '某人' WHERE action = 'sign_in.failed'")
    code, report = verify(capsys, data_dir)
    assert code == EXIT_TAMPERED
    assert report["audit"]["first_broken"]["kind"] == "sign_in.failed"
    assert report["events"]["first_broken"] is None


def test_item4_a_deleted_event_breaks_the_event_chain(
    capsys: pytest.CaptureFixture[str], worked: tuple[Path, list[str]]
) -> None:
    data_dir, numbers = worked
    attack(data_dir, "DELETE FROM events WHERE station_seq = 2")
    code, report = verify(capsys, data_dir)
    assert code == EXIT_TAMPERED
    broken = report["events"]["first_broken"]
    assert broken["problem"] == "link" and broken["station_seq"] == 3 and broken["case_number"] == numbers[1]


def test_item4_the_migration_chains_the_logs_of_an_existing_station(
    service: StationService, clerk: StaffMember, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    """A station from before the chains: downgraded to 0002 (no chain columns) and upgraded again."""
    a_day_at_the_desk(service, clerk, clock)
    data_dir = service.data_dir
    service.close()
    engine = make_engine(data_dir / DB_FILE)
    try:
        command.downgrade(alembic_config(engine), "0002")
        upgrade_to_head(engine)
    finally:
        engine.dispose()
    code, report = verify(capsys, data_dir)
    assert code == 0 and report["events"]["checked"] == 6
    reopened = StationService(data_dir, now=clock)
    try:
        assert reopened.verify_logs().intact
    finally:
        reopened.close()


# --- the day receipt and the sync (items 4 and 12) -------------------------------------------------------


def test_item4_the_receipt_recomputes_hashes_so_an_edited_payload_is_a_mismatch_and_tampering(desk: Desk) -> None:
    case = desk.station.register_case(desk.clerk, complaint())
    desk.station.record(desk.clerk, case.id, EventType.FIRST_CONTACT, {"note": "已电话联系居民"})
    assert desk.sync.run("manual").ok
    attack(
        desk.station.data_dir,
        "UPDATE events SET payload = json_set(payload, '$.note', '未联系') WHERE station_seq = 2",
    )

    summary = desk.sync.run("end_of_day")

    assert summary.receipt is not None and not summary.receipt.matches  # the stored hash would have agreed
    assert summary.error_code == "sync.tampered" and "篡改" in summary.error
    assert case.number in summary.error and "第 2 号事件" in summary.error
    assert "网络" not in summary.error
    assert exit_code(summary) == EXIT_REFUSED


def test_item12_a_locally_edited_unsent_event_stops_the_push_and_says_what_happened(desk: Desk) -> None:
    first = desk.station.register_case(desk.clerk, complaint(0))
    second = desk.station.register_case(desk.clerk, complaint(1))
    desk.station.record(desk.clerk, second.id, EventType.FIRST_CONTACT, {"note": "已电话联系居民"})
    attack(
        desk.station.data_dir,
        "UPDATE events SET payload = json_set(payload, '$.description', '改过的内容') WHERE station_seq = 2",
    )

    summary = desk.sync.run("manual")

    assert not summary.ok and summary.error_code == "sync.tampered"
    assert "传输中损坏" not in summary.error
    assert second.number in summary.error and "「登记」" in summary.error and "第 2 号事件" in summary.error
    assert "gridstation audit verify" in summary.error
    assert summary.pushed == 1  # the event before it went up; nothing from the edited one on
    assert summary.unsent_after == 2 == desk.sync.status().unsent
    assert first.number not in summary.error


# --- the desk at start-up, and the server ------------------------------------------------------------------


@pytest.mark.gui
def test_item4_the_desk_checks_its_logs_off_the_screen_thread_and_warns_persistently(
    qtbot: QtBot, window: MainWindow, service: StationService, clerk: StaffMember, clock: FakeClock
) -> None:
    from PySide6.QtWidgets import QMessageBox

    a_day_at_the_desk(service, clerk, clock)
    with qtbot.waitSignal(window.trust.checked, timeout=20_000) as clean:
        window.trust.start()
    assert clean.args[0].intact and window.trust.warning.isHidden()

    attack(service.data_dir, "UPDATE events SET actor_name = '王芳' WHERE station_seq = 4")
    with qtbot.waitSignal(window.trust.checked, timeout=20_000) as tampered:
        window.trust.verify_logs()

    assert not tampered.args[0].intact
    assert window.trust.warning.isVisible() and "篡改" in window.trust.warning.text()
    assert "第 4 号事件" in window.trust.warning.toolTip()
    box = window.findChild(QMessageBox, "tamper_message")
    assert box is not None and "gridstation audit verify" in box.text()
    box.close()
    qtbot.wait(50)
    assert window.trust.warning.isVisible()  # stays until the desk closes


def test_item4_gridstation_server_audit_verify_recomputes_every_stored_hash(
    desk: Desk, centre: Centre, capsys: pytest.CaptureFixture[str]
) -> None:
    from gridstation.server import cli as server_cli

    case = desk.station.register_case(desk.clerk, complaint())
    desk.station.record(desk.clerk, case.id, EventType.FIRST_CONTACT, {"note": "已电话联系居民"})
    assert desk.sync.run("manual").ok
    url = centre.service.database.url
    assert server_cli.main(["--db", url, "audit", "verify"]) == 0
    out, _ = capsys.readouterr()
    assert "事件完整" in out

    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    with connection:
        connection.execute("UPDATE events SET actor_name = '某人' WHERE station_seq = 2")
    connection.close()
    assert server_cli.main(["--db", url, "audit", "verify", "--json"]) == server_cli.EXIT_TAMPERED
    out, _ = capsys.readouterr()
    broken = json.loads(out)["first_broken"]
    assert (broken["station_code"], broken["case_number"], broken["kind"], broken["station_seq"]) == (
        "JA01", case.number, "case.first_contact", 2
    )
    assert "篡改" in broken["message"]


def test_item4_the_quick_hash_agrees_with_the_event_hash(
    service: StationService, clerk: StaffMember, clock: FakeClock
) -> None:
    """The check's fast path gives Event.content_hash() exactly, with and without a fraction of a second."""
    from sqlalchemy import text

    from gridstation.storage import integrity

    a_day_at_the_desk(service, clerk, clock)
    clock.advance(microseconds=123456)
    service.register_case(clerk, complaint(2))
    with service.reading() as session:
        rows = session.execute(text(f"SELECT {integrity._EVENT_COLUMNS} FROM events")).all()
        events = {event.id: event for event in service.all_events()}
    assert len(rows) == 7
    for row in rows:
        assert integrity._quick_hash(row) == events[row[0]].content_hash() == row[integrity._STORED]
