"""Printing from the desk, driven by keys: F9 after a walk-in, preview first, missing printers, paper forms."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QComboBox, QDateEdit, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from gridstation.domain.case import Intake
from gridstation.domain.enums import Channel, EventType, Role, Tier
from gridstation.printing.paperwork import Paperwork, PrintSettings
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.app import build_main_window
from gridstation.ui.case_detail import ActionDialog
from gridstation.ui.main_window import MainWindow
from gridstation.ui.print_settings import PrintSettingsDialog
from gridstation.ui.printing import PreviewDialog, PrintController
from tests.support.clock import FakeClock
from tests.support.ports import free_port
from tests.support.qt_input import commit_text, press

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("chinese_font")]


class PrinterToFile:
    """Stands in for the office printer: Qt prints into a PDF file, which the test then reads."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.outputs: list[Path] = []

    def __call__(self, name: str) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        path = self.folder / f"printed-{len(self.outputs)}.pdf"
        printer.setOutputFileName(str(path))
        self.outputs.append(path)
        return printer


def text_of(path: Path) -> str:
    """What a printed page says. Qt prints raster images, so this reads the image back with the QR scanner."""
    assert shutil.which("zbarimg"), "zbar-tools is installed by scripts/test.sh"
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(path), str(path.with_suffix(""))], check=True)
    found = []
    for image in sorted(path.parent.glob(f"{path.stem}*.png")):
        result = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True)
        found.append(result.stdout.strip())
    return "\n".join(found)


def new_case(service: StationService, clerk: StaffMember) -> str:
    intake = Intake.validated(channel=Channel.HOTLINE_12345, category_code="BUILD.SHED", tier=Tier.QUICK,
                              description="自行车棚里有人搭了小屋堆放杂物，电动车停不进去。",
                              compound="枫林苑", address="枫林苑7号楼车棚", complainant_name="李阿婆",
                              phone="13900001111")
    return service.register_case(clerk, intake).id


def controller(window: MainWindow) -> PrintController:
    return window.printing.controller


def test_f9_prints_the_receipt_of_the_case_just_saved(qtbot: QtBot, window: MainWindow, service: StationService,
                                                      clerk: StaffMember, tmp_path: Path) -> None:
    to_file = PrinterToFile(tmp_path)
    printing = controller(window)
    printing.check_printer = lambda name: None
    printing.make_printer = to_file
    case_id = new_case(service, clerk)
    window.detail.show_case(case_id)
    number = service.case(case_id).number
    with qtbot.waitSignal(printing.receipt_recorded, timeout=15000):
        press(window.intake.category, Qt.Key.Key_F9)
    assert to_file.outputs[0].stat().st_size > 1000
    assert text_of(to_file.outputs[0]) == number  # the QR code on the printed slip
    events = [e for e in service.timeline(case_id) if e.type is EventType.RECEIPT_PRINTED]
    assert len(events) == 1 and events[0].payload["reprint"] is False and events[0].actor_name == clerk.name
    assert "已打印回执" in window.statusBar().currentMessage()
    # The detail panel's history shows the print without a reload by hand.
    items = [window.detail.timeline.topLevelItem(i).text(1) for i in range(window.detail.timeline.topLevelItemCount())]
    assert "打印回执" in items
    # Pressing F9 again is a reprint (补打), also written down.
    with qtbot.waitSignal(printing.receipt_recorded, timeout=15000):
        press(window.intake.category, Qt.Key.Key_F9)
    events = [e for e in service.timeline(case_id) if e.type is EventType.RECEIPT_PRINTED]
    assert [e.payload["reprint"] for e in events] == [False, True]


def test_without_a_printer_the_clerk_is_told_and_can_save_a_pdf_or_retry(
    qtbot: QtBot, window: MainWindow, service: StationService, clerk: StaffMember, tmp_path: Path
) -> None:
    printing = controller(window)  # the real check: offscreen test machines have no printer installed
    case_id = new_case(service, clerk)
    window.detail.show_case(case_id)
    press(window.intake.category, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: printing.failure_box is not None and printing.failure_box.isVisible(), timeout=15000)
    box = printing.failure_box
    assert box is not None
    window.grab().save(str(tmp_path / "no-printer.png"))
    assert "本机没有安装打印机" in box.text()
    assert "诉求已保存" in box.informativeText()
    assert service.case(case_id).receipts_printed == 0

    saved = tmp_path / "回执.pdf"
    printing.ask_save_path = lambda name: str(saved)
    save_button = next(b for b in box.buttons() if "PDF" in b.text())
    save_button.click()
    qtbot.waitUntil(lambda: "已保存" in window.statusBar().currentMessage(), timeout=15000)
    assert saved.read_bytes().startswith(b"%PDF")
    assert not saved.with_name(saved.name + ".part").exists()
    # A saved file is not a printed slip: nothing in the history, so the next print is not a 补打 (issue 14, item 7).
    assert service.case(case_id).receipts_printed == 0

    # The printer is back: retry prints.
    window.activateWindow()  # offscreen does not hand activation back when the message box closes
    qtbot.waitUntil(window.isActiveWindow)
    press(window.intake.category, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: printing.failure_box is not None and printing.failure_box.isVisible(), timeout=15000)
    to_file = PrinterToFile(tmp_path)
    printing.check_printer = lambda name: None
    printing.make_printer = to_file
    box = printing.failure_box
    assert box is not None
    retry = next(b for b in box.buttons() if "重试" in b.text())
    with qtbot.waitSignal(printing.receipt_recorded, timeout=15000):
        retry.click()
    assert to_file.outputs and to_file.outputs[0].exists()
    assert service.case(case_id).receipts_printed == 1


def test_preview_first_then_print_with_the_keyboard(qtbot: QtBot, window: MainWindow, service: StationService,
                                                    clerk: StaffMember, admin: StaffMember, tmp_path: Path) -> None:
    Paperwork(service).set_print_settings(admin, PrintSettings(receipt_mode="preview", receipt_paper="thermal58"))
    printing = controller(window)
    to_file = PrinterToFile(tmp_path)
    printing.make_printer = to_file
    asked: list[QPrinter] = []
    printing.ask_printer = lambda printer: asked.append(printer) or True
    case_id = new_case(service, clerk)
    window.detail.show_case(case_id)
    press(window.intake.category, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: printing.preview is not None and printing.preview.isVisible(), timeout=15000)
    preview = printing.preview
    assert isinstance(preview, PreviewDialog)
    assert preview.pdf_document.pageCount() == 1
    size = preview.pdf_document.pagePointSize(0)
    assert size.width() == pytest.approx(58 * 72 / 25.4, abs=0.5)
    preview.grab().save(str(tmp_path / "preview.png"))
    assert service.case(case_id).receipts_printed == 0  # a preview alone prints nothing
    with qtbot.waitSignal(printing.receipt_recorded, timeout=15000):
        press(preview, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert len(asked) == 1
    assert to_file.outputs[0].exists()
    assert not preview.isVisible()


def test_morning_report_and_forms_open_in_preview(qtbot: QtBot, window: MainWindow, service: StationService,
                                                  clerk: StaffMember) -> None:
    printing = controller(window)
    new_case(service, clerk)
    window.printing.morning_report()
    qtbot.waitUntil(lambda: printing.preview is not None and printing.preview.isVisible(), timeout=20000)
    assert printing.preview is not None
    assert printing.preview.pdf_document.pageCount() >= 1
    assert "晨会日报" in printing.preview.windowTitle()
    printing.preview.reject()
    window.printing.follow_up_form(blank=True)
    qtbot.waitUntil(lambda: printing.preview is not None and "回访满意度表" in printing.preview.windowTitle()
                    and printing.preview.isVisible(), timeout=20000)
    printing.preview.reject()
    # A form for "the current case" with none selected says what to do instead of failing.
    window.detail.state = None
    window.printing.area_report(blank=False)
    assert "请先在列表中选择一件诉求" in window.statusBar().currentMessage()


def test_returned_paper_form_is_entered_with_its_date_and_visitor(
    qtbot: QtBot, window: MainWindow, service: StationService, clerk: StaffMember, clock: FakeClock
) -> None:
    case_id = new_case(service, clerk)
    for event_type, payload in (
        (EventType.FIRST_CONTACT, {"note": "已联系"}), (EventType.DISPATCHED, {"assignee": "城管中队"}),
        (EventType.ARRIVED_ON_SITE, {}), (EventType.DISPOSED, {"outcome": "resolved", "note": "违建已拆除"}),
        (EventType.CLOSED, {"answer": "车棚小屋已拆除，杂物已清运"}),
    ):
        service.record(clerk, case_id, event_type, payload)
    clock.advance(days=2)
    window.detail.show_case(case_id)
    window.detail.action_buttons[EventType.FOLLOW_UP].click()
    dialog = window.detail.findChild(ActionDialog)
    assert dialog is not None
    source = dialog.inputs["source"]
    assert isinstance(source, QComboBox)
    source.setCurrentIndex(source.findData("paper_form"))
    visited = dialog.inputs["visited_on"]
    assert isinstance(visited, QDateEdit) and visited.isEnabled()
    visited.setDate(QDate(2026, 11, 24))
    resolution = dialog.inputs["resolution"]
    assert isinstance(resolution, QComboBox)
    resolution.setCurrentIndex(resolution.findData("partly"))
    visitor = dialog.inputs["visitor"]
    visitor.clear()  # type: ignore[attr-defined]
    commit_text(visitor, "网格员小陈")
    commit_text(dialog.inputs["note"], "希望车棚加装监控")
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        press(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        dialog.accept()
    event = service.timeline(case_id)[-1]
    assert event.type is EventType.FOLLOW_UP
    assert event.payload["source"] == "paper_form"
    assert event.payload["visited_on"] == "2026-11-24"
    assert event.payload["visitor"] == "网格员小陈"
    assert event.payload["resolution"] == "partly"
    assert event.actor_name == clerk.name  # who typed the form in
    lines = [window.detail.timeline.topLevelItem(i).text(3) for i in range(window.detail.timeline.topLevelItemCount())]
    assert any("纸质回访表，回访人 网格员小陈，2026-11-24" in line for line in lines)


def test_a_visit_date_in_the_future_is_refused_in_the_dialog(qtbot: QtBot, window: MainWindow,
                                                             service: StationService, clerk: StaffMember) -> None:
    case_id = new_case(service, clerk)
    for event_type, payload in (
        (EventType.FIRST_CONTACT, {}), (EventType.DISPATCHED, {"assignee": "城管中队"}),
        (EventType.ARRIVED_ON_SITE, {}), (EventType.DISPOSED, {"outcome": "resolved", "note": "已拆除"}),
        (EventType.CLOSED, {"answer": "已拆除"}),
    ):
        service.record(clerk, case_id, event_type, payload)
    window.detail.show_case(case_id)
    dialog = ActionDialog(service, clerk, service.case(case_id), EventType.FOLLOW_UP, window)
    qtbot.addWidget(dialog)
    source = dialog.inputs["source"]
    assert isinstance(source, QComboBox)
    source.setCurrentIndex(source.findData("paper_form"))
    dialog.inputs["visited_on"].setDate(QDate(2026, 12, 31))  # type: ignore[attr-defined]
    commit_text(dialog.inputs["visitor"], "小陈")
    dialog.accept()
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog))
    assert dialog.error.isVisibleTo(dialog) and "不能晚于今天" in dialog.error.text()
    assert service.timeline(case_id)[-1].type is EventType.CLOSED


def test_conference_flag_is_offered_to_grid_chiefs_not_clerks(qtbot: QtBot, service: StationService,
                                                              clerk: StaffMember, admin: StaffMember) -> None:
    case_id = new_case(service, clerk)
    chief = service.add_staff(admin, "赵建国", Role.GRID_CHIEF, "8642")
    for staff, offered in ((clerk, False), (chief, True)):
        win = build_main_window(service, staff)
        qtbot.addWidget(win)
        win.detail.show_case(case_id)
        assert (EventType.CONFERENCE_FLAGGED in win.detail.action_buttons) is offered
    button = win.detail.action_buttons[EventType.CONFERENCE_FLAGGED]
    assert "列入难题会诊" in button.text()
    button.click()
    dialog = win.detail.findChild(ActionDialog)
    assert dialog is not None
    commit_text(dialog.inputs["reason"], "违建涉及城管和房管两个部门")
    with qtbot.waitSignal(dialog.finished):
        dialog.accept()
    state = service.case(case_id)
    assert state.conference_flagged and state.conference_reason == "违建涉及城管和房管两个部门"
    assert "移出难题会诊" in win.detail.action_buttons[EventType.CONFERENCE_FLAGGED].text()


def test_print_settings_dialog_saves_and_shows_errors_in_place(qtbot: QtBot, service: StationService,
                                                               admin: StaffMember) -> None:
    dialog = PrintSettingsDialog(Paperwork(service), admin)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.paper.setCurrentIndex(dialog.paper.findData("thermal58"))
    dialog.escpos_kind.setCurrentIndex(dialog.escpos_kind.findData("network"))
    assert dialog.host.isVisibleTo(dialog) and not dialog.serial_device.isVisibleTo(dialog)
    dialog.accept()  # no IP address yet
    qtbot.waitUntil(lambda: dialog.error.isVisible())
    assert dialog.error.isVisible() and "IP 地址" in dialog.error.text()
    commit_text(dialog.host, "192.168.1.50")
    with qtbot.waitSignal(dialog.finished):
        dialog.accept()
    assert dialog.saved is not None
    stored = Paperwork(service).print_settings()
    assert stored.receipt_paper == "thermal58" and stored.escpos.host == "192.168.1.50"
    assert any(entry.action == "settings.printing" for entry in service.audit_log(admin))


def test_escpos_failure_offers_retry_and_keeps_the_case(qtbot: QtBot, window: MainWindow, service: StationService,
                                                        clerk: StaffMember, admin: StaffMember) -> None:
    from gridstation.printing.config import EscPosSettings

    port = free_port()  # nothing listens there: the printer is off
    Paperwork(service).set_print_settings(admin, PrintSettings(
        escpos=EscPosSettings(kind="network", host="127.0.0.1", port=port, timeout_s=1.0)))
    case_id = new_case(service, clerk)
    window.detail.show_case(case_id)
    printing = controller(window)
    press(window.intake.category, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: printing.failure_box is not None and printing.failure_box.isVisible(), timeout=15000)
    box = printing.failure_box
    assert isinstance(box, QMessageBox)
    assert f"127.0.0.1:{port}" in box.text() and "未连接或未开机" in box.text()
    assert any(isinstance(b, QPushButton) and "重试" in b.text() for b in box.buttons())
    assert service.case(case_id).receipts_printed == 0
    box.reject()
