"""The desk's sync screens, driven as a clerk would, against the real server app (in-process HTTP)."""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gridstation.common.qr import save_qr_png
from gridstation.domain.enums import Channel, EventType
from gridstation.protocol import enrolment_uri
from gridstation.server.workorders import build_work_order
from gridstation.services.station import StationService
from gridstation.sync.summary import SyncSummary
from gridstation.ui.main_window import MainWindow
from gridstation.ui.sync.conflicts import ConflictInbox
from gridstation.ui.sync.controller import BACKGROUND_INTERVAL_MS, BACKOFF_MAX_MS, SyncController
from tests.support.backups import BACKUP_PASSPHRASE
from tests.support.clock import FakeClock
from tests.support.complaints import complaint
from tests.support.qt_input import type_chars
from tests.support.sync import CENTRE_URL, Centre

SHOTS = Path(__file__).resolve().parents[1] / "shots"


def enrol(window: MainWindow, centre: Centre) -> None:
    window.sync.sync.enrol(window.staff, CENTRE_URL, centre.enrolment_code("JA01"))


def indicator_text(window: MainWindow) -> str:
    return window.sync_indicator.text.text()


def test_the_indicator_says_not_enrolled_then_counts_unsent_work(
    qtbot: QtBot, desk_window: MainWindow, centre: Centre
) -> None:
    qtbot.waitUntil(lambda: "未登记" in indicator_text(desk_window))
    enrol(desk_window, centre)
    desk_window.service.register_case(desk_window.staff, complaint(0))
    desk_window.sync.refresh_status()
    qtbot.waitUntil(lambda: "未上传 1 条" in indicator_text(desk_window))
    assert "上次同步：从未" in indicator_text(desk_window)


def test_settings_dialog_enrols_with_a_typed_code(qtbot: QtBot, desk_window: MainWindow, centre: Centre) -> None:
    dialog = desk_window.open_sync_settings()
    qtbot.waitExposed(dialog)
    code = centre.enrolment_code("JA01")
    dialog.server.clear()
    qtbot.keyClicks(dialog.server, CENTRE_URL)
    qtbot.keyClicks(dialog.code, code)
    qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已登记：工作站 JA01" in dialog.state.text(), timeout=10_000)
    dialog.grab().save(str(SHOTS / "sync-settings.png"))
    assert desk_window.sync.sync.status().enrolled


def test_settings_dialog_reads_server_and_code_from_a_qr_image(
    qtbot: QtBot, desk_window: MainWindow, centre: Centre, tmp_path: Path
) -> None:
    code = centre.enrolment_code("JA01")
    image = tmp_path / "enrol.png"
    save_qr_png(enrolment_uri(CENTRE_URL, code), image)
    dialog = desk_window.open_sync_settings()
    dialog.read_qr_image(image)
    assert (dialog.server.text(), dialog.code.text()) == (CENTRE_URL, code)
    qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已登记" in dialog.state.text(), timeout=10_000)


def test_a_picture_without_a_qr_code_is_refused_in_words(qtbot: QtBot, desk_window: MainWindow, tmp_path: Path) -> None:
    from PIL import Image

    image = tmp_path / "blank.png"
    Image.new("L", (200, 200), 255).save(image)
    dialog = desk_window.open_sync_settings()
    dialog.read_qr_image(image)
    assert dialog.error.isVisibleTo(dialog) and "没有找到二维码" in dialog.error.text()
    dialog.read_qr_image(tmp_path / "missing.png")
    assert "无法打开图片" in dialog.error.text()


def test_end_of_day_sync_shows_progress_then_a_printable_summary(
    qtbot: QtBot, desk_window: MainWindow, centre: Centre
) -> None:
    enrol(desk_window, centre)
    for index in range(3):
        case = desk_window.service.register_case(desk_window.staff, complaint(index))
        desk_window.service.record(desk_window.staff, case.id, EventType.FIRST_CONTACT, {"note": "已电话联系"})
    stages: list[str] = []
    desk_window.sync.progress.connect(lambda stage, done, total: stages.append(stage))

    # The clerk's shortcut, not a method call.
    qtbot.keyClick(desk_window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is not None or _end_of_day(desk_window) is not None)
    dialog = _end_of_day(desk_window)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.summary is not None, timeout=15_000)

    assert {"push", "pull", "receipt"} <= set(stages)
    text = dialog.report_view.toPlainText()
    assert "同步完成，数据一致" in dialog.stage.text()
    assert "上传本站事件 6 条" in text and "一致 ✓" in text
    assert dialog.print_button.isVisible()
    dialog.grab().save(str(SHOTS / "sync-end-of-day.png"))
    qtbot.waitUntil(lambda: "无未上传" in indicator_text(desk_window))


def _end_of_day(window: MainWindow):  # type: ignore[no-untyped-def]
    from gridstation.ui.sync.end_of_day import EndOfDayDialog

    found = window.findChildren(EndOfDayDialog)
    return found[-1] if found else None


def test_the_printed_summary_is_a_pdf_with_the_same_words(desk_window: MainWindow, centre: Centre) -> None:
    from gridstation.printing.sync_report import render_sync_report
    from gridstation.sync.report import sections

    enrol(desk_window, centre)
    desk_window.service.register_case(desk_window.staff, complaint(0))
    summary = desk_window.sync.sync.run("end_of_day")
    zone = desk_window.service.local_time(summary.started_at).tzinfo
    parts = [(s.title, s.lines) for s in sections(summary, zone)]  # type: ignore[arg-type]
    pdf = render_sync_report("湖南路街道 枫林居委会", desk_window.service.now(), "王芳", parts)
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000


def test_new_work_orders_raise_a_badge_and_urgent_ones_come_first(
    qtbot: QtBot, desk_window: MainWindow, centre: Centre, clock: FakeClock
) -> None:
    enrol(desk_window, centre)
    for ticket, urgent, minutes in (("GD20261123000101", False, 30), ("GD20261123000102", True, 10)):
        centre.service.add_work_order(
            build_work_order(
                ticket=ticket,
                source=Channel.HOTLINE_12345,
                station_code="JA01",
                category_code="DRAIN.COVER",
                description="枫林苑 5 号楼旁绿化带下污水井盖被覆土堵塞。",
                dispatched_at=clock() - timedelta(minutes=minutes),
                due_hours=24,
                urgent=urgent,
            )
        )
    desk_window.sync.start("manual", check_receipt=False)
    qtbot.waitUntil(lambda: desk_window.sync_indicator.work_orders.isVisible(), timeout=15_000)
    assert desk_window.sync_indicator.work_orders.text() == "新工单 2"
    assert "收到 2 件新工单，其中紧急 1 件" in desk_window.statusBar().currentMessage()
    model = desk_window.cases.model

    def first_row() -> str:
        return " ".join(str(model.index(0, column).data()) for column in range(model.columnCount()))

    qtbot.waitUntil(lambda: "GD20261123000102" in first_row())  # the urgent one heads the list
    desk_window.grab().save(str(SHOTS / "sync-desk-badges.png"))

    qtbot.mouseClick(desk_window.sync_indicator.work_orders, Qt.MouseButton.LeftButton)
    notice = desk_window.findChildren(type(desk_window.open_work_orders()))[0]
    assert notice.table.item(0, 0).text().startswith("【紧急】GD20261123000102")
    notice.grab().save(str(SHOTS / "sync-work-orders.png"))
    for dialog in desk_window.findChildren(type(notice)):
        dialog.acknowledge()
    qtbot.waitUntil(lambda: desk_window.sync.sync.unseen_work_orders() == [])
    desk_window.sync.refresh_status()
    qtbot.waitUntil(lambda: not desk_window.sync_indicator.work_orders.isVisible())


def test_the_conflict_inbox_shows_both_values_and_resolving_writes_an_event(
    qtbot: QtBot, desk_window: MainWindow, centre: Centre, tmp_path: Path
) -> None:
    service, staff = desk_window.service, desk_window.staff
    enrol(desk_window, centre)
    sync = desk_window.sync.sync
    case = service.register_case(staff, complaint(0))
    sync.run()
    backup = service.backup(staff, tmp_path / "yesterday.db", passphrase=BACKUP_PASSPHRASE)
    correct = {"field": "address", "reason": "居民补充"}
    service.record(staff, case.id, EventType.INTAKE_CORRECTED, {**correct, "value": "枫林路 88 弄 3 号"})
    sync.run()
    service.restore(staff, backup, passphrase=BACKUP_PASSPHRASE)
    service.record(staff, case.id, EventType.INTAKE_CORRECTED, {**correct, "value": "枫林路 86 弄 3 号"})
    desk_window.sync.start("manual", check_receipt=False)
    qtbot.waitUntil(lambda: desk_window.sync_indicator.conflicts.isVisible(), timeout=15_000)

    qtbot.mouseClick(desk_window.sync_indicator.conflicts, Qt.MouseButton.LeftButton)
    inbox = desk_window.findChildren(ConflictInbox)[0]
    assert inbox.table.rowCount() == 1
    row = [inbox.table.item(0, column).text() for column in range(5)]
    assert row[1] == "地址" and "枫林路 86 弄 3 号" in row[2] and "枫林路 88 弄 3 号" in row[3]
    inbox.grab().save(str(SHOTS / "sync-conflicts.png"))
    qtbot.mouseClick(inbox.keep_station, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: inbox.table.rowCount() == 0)
    assert inbox.empty.isVisibleTo(inbox)
    assert service.case(case.id).address == "枫林路 86 弄 3 号"


def test_background_backoff_grows_with_jitter_and_stops_for_what_only_a_person_can_fix(
    service: StationService, qtbot: QtBot
) -> None:
    controller = SyncController(service, background=False, rng=random.Random(7))
    failed = SyncSummary(kind="background", started_at=service.now(), error_code="sync.offline")
    delays = []
    for failures in range(1, 9):
        controller._failures = failures
        delays.append(controller.next_delay_ms(failed))
    assert all(delay is not None for delay in delays)
    assert 15_000 <= delays[0] <= 30_000 and delays[-1] <= BACKOFF_MAX_MS  # type: ignore[operator]
    assert delays[3] > delays[0]  # type: ignore[operator]
    ok = SyncSummary(kind="background", started_at=service.now(), ok=True)
    controller._failures = 0
    assert controller.next_delay_ms(ok) == BACKGROUND_INTERVAL_MS
    revoked = SyncSummary(kind="background", started_at=service.now(), error_code="station.revoked")
    assert controller.next_delay_ms(revoked) is None


class SlowTransport(httpx.BaseTransport):
    """Every request takes a while, as on a bad mobile connection."""

    def __init__(self, inner: httpx.BaseTransport, seconds: float) -> None:
        self.inner, self.seconds = inner, seconds

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        time.sleep(self.seconds)
        return self.inner.handle_request(request)


class HeldTransport(httpx.BaseTransport):
    """Every request waits until the test lets it through, as on a connection that hangs."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.waiting, self.release = threading.Event(), threading.Event()
        self.went_on = threading.Event()  # a held request went on (let through, or given up on after a minute)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.waiting.set()
        self.release.wait(60)
        self.went_on.set()
        return self.inner.handle_request(request)


def test_a_slow_sync_never_blocks_typing(qtbot: QtBot, desk_window: MainWindow, centre: Centre) -> None:
    from gridstation.sync.transport import ServerTransport

    enrol(desk_window, centre)
    for index in range(3):
        desk_window.service.register_case(desk_window.staff, complaint(index))
    held = HeldTransport(centre.transport)
    desk_window.sync.sync._transport_factory = lambda url, credential: ServerTransport(url, credential, transport=held)
    desk_window.sync.start("manual")
    try:
        assert desk_window.sync.running
        qtbot.waitUntil(held.waiting.is_set)  # the sync is inside a request that only the test can let through
        field = desk_window.intake.description
        field.setFocus()
        type_chars(field, "楼道里堆放易燃杂物")
        # Every character is in the field while that request is still held: typing waited for nothing.
        assert field.toPlainText().endswith("楼道里堆放易燃杂物")
        assert not held.went_on.is_set() and desk_window.sync.running, "the sync was still going while the clerk typed"
    finally:
        held.release.set()
        qtbot.waitUntil(lambda: not desk_window.sync.running, timeout=20_000)


def test_a_sync_held_up_by_the_network_does_not_hold_up_saving(
    qtbot: QtBot, desk_window: MainWindow, centre: Centre
) -> None:
    from gridstation.sync.transport import ServerTransport

    enrol(desk_window, centre)
    held = HeldTransport(centre.transport)
    desk_window.sync.sync._transport_factory = lambda url, credential: ServerTransport(url, credential, transport=held)
    pool = QThreadPool.globalInstance()
    usual = pool.maxThreadCount()
    pool.setMaxThreadCount(1)  # a desk with one core: the pool has one thread, and the sync is on the pool too
    try:
        desk_window.sync.start("manual", check_receipt=False)
        qtbot.waitUntil(held.waiting.is_set)
        form = desk_window.intake
        form.category.select_code("FIRE.CORRIDOR")
        form.description.setPlainText("楼道里堆放纸箱和煤气罐")
        form.phone.setText("13800138000")
        with qtbot.waitSignal(form.case_saved, timeout=10_000):
            form.submit()
        assert desk_window.sync.running, "the save did not wait for the sync"
    finally:
        held.release.set()
        qtbot.waitUntil(lambda: not desk_window.sync.running, timeout=20_000)
        pool.setMaxThreadCount(usual)


def test_closing_the_window_mid_sync_is_safe(qtbot: QtBot, desk_window: MainWindow, centre: Centre) -> None:
    from gridstation.sync.transport import ServerTransport

    enrol(desk_window, centre)
    desk_window.service.register_case(desk_window.staff, complaint(0))
    slow = SlowTransport(centre.transport, 0.3)
    desk_window.sync.sync._transport_factory = lambda url, credential: ServerTransport(url, credential, transport=slow)
    desk_window.sync.start("manual")
    desk_window.close()
    assert not desk_window.sync.running
