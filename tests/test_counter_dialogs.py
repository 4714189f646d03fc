"""Dialogs and notices at the counter (issue 14, item 7): Ctrl+Enter confirms an action dialog from any field, the
new-work-order notice says what a clerk needs and opens the case, and a saved PDF is not a printed slip."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.qtbot import QtBot

from gridstation.cli.main import main as desk_cli
from gridstation.domain.enums import Channel, EventType
from gridstation.server.workorders import build_work_order
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.sync.engine import SyncService
from gridstation.sync.retry import RetryPolicy
from gridstation.ui.case_detail import ActionDialog
from gridstation.ui.main_window import MainWindow
from gridstation.ui.sync.controller import SyncController
from gridstation.ui.sync.work_orders import WorkOrderNotice
from tests.support.clock import FakeClock
from tests.support.complaints import walk_in
from tests.support.qt_input import commit_text, press
from tests.support.staff import CLERK_NAME, CLERK_PIN
from tests.support.sync import CENTRE_URL, Centre

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("chinese_font")]

SHOTS = Path(__file__).resolve().parents[1] / "shots"


def test_ctrl_enter_confirms_an_action_dialog_from_its_multi_line_field(
    qtbot: QtBot, service: StationService, clerk: StaffMember
) -> None:
    state = service.register_case(clerk, walk_in(0))
    dialog = ActionDialog(service, clerk, state, EventType.NOTE_ADDED)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    note = dialog.inputs["note"]
    assert isinstance(note, QPlainTextEdit)
    note.setFocus()
    qtbot.waitUntil(note.hasFocus)
    commit_text(note, "已电话联系物业，明早派人清理楼道堆物。")

    with qtbot.waitSignal(dialog.accepted, timeout=15_000):
        press(note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    assert dialog.result_state is not None
    notes = [e for e in service.timeline(state.id) if e.type is EventType.NOTE_ADDED]
    assert [e.payload["note"] for e in notes] == ["已电话联系物业，明早派人清理楼道堆物。"]


@pytest.fixture
def window_with_work_order(
    qtbot: QtBot, centre: Centre, service: StationService, admin: StaffMember, clock: FakeClock
) -> Iterator[MainWindow]:
    sync = SyncService(
        service, transport_factory=centre.transport_factory, retry=RetryPolicy(attempts=3, first_delay=0.01)
    )
    controller = SyncController(service, sync=sync, background=False)
    window = MainWindow(service, admin, sync=controller)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    sync.enrol(admin, CENTRE_URL, centre.enrolment_code("JA01"))
    centre.service.add_work_order(
        build_work_order(
            ticket="GD20261123000177",
            source=Channel.HOTLINE_12345,
            station_code="JA01",
            category_code="DRAIN.COVER",
            description="来电反映：5 号楼旁污水井盖被覆土堵塞，下雨天污水漫到路面。",
            compound="枫林苑",
            building="5号楼",
            dispatched_at=clock() - timedelta(minutes=20),
            due_hours=24,
            urgent=True,
        )
    )
    with qtbot.waitSignal(controller.finished, timeout=30_000):
        controller.start("manual", check_receipt=False)
    yield window
    controller.shutdown()


def test_the_work_order_notice_says_category_address_and_due_time_and_opens_the_case(
    qtbot: QtBot, window_with_work_order: MainWindow, service: StationService
) -> None:
    window = window_with_work_order
    notice = window.open_work_orders()
    assert isinstance(notice, WorkOrderNotice)
    qtbot.waitExposed(notice)
    notice.activateWindow()
    qtbot.waitUntil(notice.table.hasFocus)
    row = [notice.table.item(0, column).text() for column in range(notice.table.columnCount())]
    SHOTS.mkdir(exist_ok=True)
    notice.grab().save(str(SHOTS / "work-order-notice.png"))
    assert row[0] == "【紧急】GD20261123000177"
    assert row[2] == service.category_names()["DRAIN.COVER"]  # the category's name, not its code
    assert row[3] == "枫林苑 5号楼"
    assert row[5] != "—"  # the due time the centre set

    press(notice.table, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: not notice.isVisible())
    qtbot.waitUntil(lambda: window.detail.state is not None)
    state = window.detail.state
    assert state is not None and state.work_order == "GD20261123000177"
    selected = window.cases.table.selectionModel().selectedRows()
    assert selected, "the opened case is selected in the list"


def test_a_receipt_saved_as_a_file_is_not_recorded_as_printed(
    capsys: pytest.CaptureFixture[str], service: StationService, clerk: StaffMember, data_dir: Path, tmp_path: Path
) -> None:
    state = service.register_case(clerk, walk_in(1))
    pdf = tmp_path / "回执.pdf"
    args = ["--data-dir", str(data_dir), "print", "receipt", state.number, "-o", str(pdf)]

    assert desk_cli([*args, "--user", CLERK_NAME, "--pin", CLERK_PIN]) == 0

    out = capsys.readouterr().out
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "已保存" in out and "已打印" not in out and "补打" not in out
    assert [e for e in service.timeline(state.id) if e.type is EventType.RECEIPT_PRINTED] == []
