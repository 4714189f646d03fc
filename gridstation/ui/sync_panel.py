"""Sync at the desk: the status-bar indicator, background sync, 日终同步, settings, work orders and conflicts.

The sync itself runs on a plain Python thread and talks to the GUI only through a queue the GUI thread drains
on a timer: no Qt object is touched off the GUI thread, so closing the window mid-sync cannot crash the desk.
"""

from __future__ import annotations

import itertools
import queue
import random
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gridstation.domain.enums import CHANNEL_LABELS, Channel
from gridstation.domain.errors import DomainError
from gridstation.domain.roles import Permission
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.sync.engine import (
    STAGE_LABELS,
    ConflictView,
    NewWorkOrder,
    SyncService,
    SyncStatus,
    SyncSummary,
    needs_a_person,
)
from gridstation.sync.enrolment import decode_qr_image, parse_enrolment
from gridstation.sync.report import headline, sections
from gridstation.ui.dialogs import error_label
from gridstation.ui.labels import tr_label
from gridstation.ui.messages import error_text, show_error
from gridstation.ui.workers import run_in_background

BACKGROUND_INTERVAL_MS = 5 * 60 * 1000
FIRST_BACKGROUND_MS = 15 * 1000
BACKOFF_FIRST_MS = 30 * 1000
BACKOFF_MAX_MS = 15 * 60 * 1000
POLL_MS = 100
BADGE_STYLE = "QToolButton { color: white; background: #c62828; border-radius: 8px; padding: 0 6px; }"


class SyncController(QObject):
    """Runs syncs off the GUI thread, one at a time, and schedules background syncs with backoff and jitter."""

    progress = Signal(str, int, int)
    finished = Signal(object)  # SyncSummary
    status_changed = Signal(object)  # SyncStatus
    running_changed = Signal(bool)

    def __init__(
        self,
        service: StationService,
        parent: QObject | None = None,
        *,
        sync: SyncService | None = None,
        background: bool = True,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self._cancel = threading.Event()
        # Waiting between retries ends at once when the clerk cancels or the desk closes.
        self.sync = sync or SyncService(service, sleep=self._wait_unless_cancelled)
        self._rng = rng or random.Random()
        self._events: queue.Queue[tuple[int, str, Any]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._runs = itertools.count(1)
        self._active_run: int | None = None  # set by start(), cleared only when its "finished" is drained
        self._failures = 0
        self.status: SyncStatus | None = None
        self.last_summary: SyncSummary | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._drain)
        self._next = QTimer(self)
        self._next.setSingleShot(True)
        self._next.timeout.connect(self._background_tick)
        self.background = background
        if background:
            self._next.start(FIRST_BACKGROUND_MS)

    # --- running ------------------------------------------------------------------------------------------

    def _wait_unless_cancelled(self, seconds: float) -> None:
        self._cancel.wait(seconds)

    @property
    def running(self) -> bool:
        return self._active_run is not None

    def start(self, kind: str = "manual", *, check_receipt: bool = True) -> bool:
        """Start a sync unless one is running in this desk; False if it was already running."""
        if self.running:
            return False
        self._next.stop()
        self._cancel.clear()
        events = self._events
        run = self._active_run = next(self._runs)

        def report(stage: str, done: int, total: int) -> None:
            events.put((run, "progress", (stage, done, total)))

        def work() -> None:
            try:
                summary = self.sync.run(
                    kind, progress=report, should_stop=self._cancel.is_set, check_receipt=check_receipt
                )
            except Exception as exc:
                summary = SyncSummary(kind=kind, started_at=self.service.now(), finished_at=self.service.now())
                summary.error_code, summary.error = "sync.failed", error_text(exc)
            events.put((run, "finished", summary))

        self._thread = threading.Thread(target=work, name=f"sync-{kind}", daemon=True)
        self._thread.start()
        self._poll.start()
        self.running_changed.emit(True)
        return True

    def cancel(self) -> None:
        self._cancel.set()

    def _background_tick(self) -> None:
        if self.status is not None and not self.status.enrolled:
            return  # nothing to talk to until an administrator enrols the desk (resume_background)
        self.start("background", check_receipt=False)

    def shutdown(self, wait_seconds: float = 5.0) -> None:
        """The window closes: stop scheduling, ask a running sync to stop, and wait briefly for it."""
        self._next.stop()
        self._cancel.set()
        if self._thread is not None:
            self._thread.join(wait_seconds)
            if not self._thread.is_alive():
                self._thread = self._active_run = None
        self._poll.stop()

    def _drain(self) -> None:
        while True:
            try:
                run, kind, payload = self._events.get_nowait()
            except queue.Empty:
                return
            if run != self._active_run:
                continue  # cannot happen while runs are one at a time; never let an old run speak for a new one
            if kind == "progress":
                self.progress.emit(*payload)
            else:
                self._poll.stop()
                self._thread = None
                self._active_run = None
                self._on_finished(payload)

    def _on_finished(self, summary: SyncSummary) -> None:
        self.last_summary = summary
        self.running_changed.emit(False)
        self.finished.emit(summary)
        if summary.ok:
            self._failures = 0
        elif summary.error_code not in ("sync.cancelled", "sync.busy"):
            self._failures += 1
        self.refresh_status()
        if self.background:
            self._schedule_background(summary)

    def next_delay_ms(self, summary: SyncSummary) -> int | None:
        """When to try again in the background: None when only a person can fix it (not enrolled, revoked)."""
        if needs_a_person(summary):
            return None
        if summary.ok or not self._failures:
            return BACKGROUND_INTERVAL_MS
        ceiling = min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (self._failures - 1))
        # Jitter: a power cut brings every desk of the street back at once; they must not all call together.
        return int(ceiling * self._rng.uniform(0.5, 1.0))

    def _schedule_background(self, summary: SyncSummary) -> None:
        delay = self.next_delay_ms(summary)
        if delay is not None:
            self._next.start(delay)

    def resume_background(self) -> None:
        """After enrolling: start the background rhythm again."""
        if self.background and not self.running:
            self._next.start(1000)

    # --- status -------------------------------------------------------------------------------------------

    def refresh_status(self) -> None:
        def done(status: object) -> None:
            assert isinstance(status, SyncStatus)
            self.status = status
            self.status_changed.emit(status)

        run_in_background(self.sync.status, done, lambda error: None, owner=self)


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return ""
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return QApplication.translate("sync", "刚刚")
    if minutes < 60:
        return QApplication.translate("sync", "{0} 分钟前").format(minutes)
    if minutes < 48 * 60:
        return QApplication.translate("sync", "{0} 小时前").format(minutes // 60)
    return QApplication.translate("sync", "{0} 天前").format(minutes // (24 * 60))


class SyncIndicator(QWidget):
    """The status bar's sync corner: online or not, what is unsent and since when, the last sync, and badges."""

    open_conflicts = Signal()
    open_work_orders = Signal()

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.text = QLabel()
        self.work_orders = QToolButton()
        self.work_orders.setAutoRaise(True)
        self.work_orders.clicked.connect(self.open_work_orders)
        self.conflicts = QToolButton()
        self.conflicts.setAutoRaise(True)
        self.conflicts.clicked.connect(self.open_conflicts)
        for badge in (self.work_orders, self.conflicts):
            badge.setStyleSheet(BADGE_STYLE)
            badge.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.work_orders)
        layout.addWidget(self.conflicts)
        layout.addWidget(self.text)
        self._running = False
        controller.status_changed.connect(self.show_status)
        controller.running_changed.connect(self._on_running)
        controller.progress.connect(self._on_progress)

    def _on_running(self, running: bool) -> None:
        self._running = running
        if running:
            self.text.setText(self.tr("⟳ 正在同步…"))

    def _on_progress(self, stage: str, done: int, total: int) -> None:
        amount = f" {done}/{total}" if total else ""
        self.text.setText(self.tr("⟳ {0}{1}").format(tr_label(STAGE_LABELS.get(stage, stage)), amount))

    def show_status(self, status: SyncStatus) -> None:
        now = self.controller.service.now()
        summary = self.controller.last_summary
        if not status.enrolled:
            line = self.tr("○ 未连接城运中心（未登记）")
        elif summary is not None and not summary.ok and summary.error_code in ("sync.offline", "sync.timeout"):
            line = self.tr("○ 离线")
        elif status.last_error:
            line = self.tr("⚠ 同步失败")
        elif summary is None:
            line = self.tr("◌ 尚未连接")  # nothing was tried since the desk started: do not claim to be online
        else:
            line = self.tr("● 在线")
        if status.unsent:
            line += self.tr("　未上传 {0} 条（最早 {1}）").format(status.unsent, _ago(status.oldest_unsent_at, now))
        else:
            line += self.tr("　无未上传")
        line += self.tr("　上次同步：{0}").format(_ago(status.last_success_at, now) or self.tr("从未"))
        if not self._running:
            self.text.setText(line)
        self.text.setToolTip(status.last_error or status.server_url)
        self._badge(self.work_orders, status.unseen_work_orders, self.tr("新工单 {0}"))
        self._badge(self.conflicts, status.open_conflicts, self.tr("冲突 {0}"))

    @staticmethod
    def _badge(button: QToolButton, count: int, template: str) -> None:
        button.setText(template.format(count))
        button.setVisible(count > 0)


class SyncSettingsDialog(QDialog):
    """Server address and enrolment with the one-time code, typed or read from a QR image."""

    enrolled = Signal()

    def __init__(self, sync: SyncService, staff: StaffMember, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sync = sync
        self.staff = staff
        self.setWindowTitle(self.tr("同步设置"))
        self.server = QLineEdit(sync.server_url())
        self.server.setPlaceholderText("https://cyzx.example.gov.cn")
        self.code = QLineEdit()
        self.code.setPlaceholderText(self.tr("街道管理员给出的一次性登记码"))
        self.scan = QPushButton(self.tr("从二维码图片读取(&Q)…"))
        self.scan.clicked.connect(self.ask_qr_image)
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.error = error_label()
        form = QFormLayout()
        form.addRow(self.tr("服务器地址(&S)"), self.server)
        code_row = QHBoxLayout()
        code_row.addWidget(self.code)
        code_row.addWidget(self.scan)
        form.addRow(self.tr("登记码(&C)"), code_row)
        self.enrol_button = QPushButton(self.tr("登记(&E)"))
        self.enrol_button.setDefault(True)
        self.enrol_button.clicked.connect(self.enrol)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.enrol_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.state)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        allowed = staff.can(Permission.MANAGE_SETTINGS)
        for widget in (self.server, self.code, self.scan, self.enrol_button):
            widget.setEnabled(allowed)
        if not allowed:
            self.state.setText(self.tr("只有管理员可以修改同步设置。"))
        self._show_state()

    def _show_state(self) -> None:
        status = self.sync.status()
        if status.enrolled:
            self.state.setText(self.tr("已登记到 {0}。重新登记会换用新的凭证。").format(status.server_url))

    def ask_qr_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("选择登记二维码图片"), str(Path.home()), self.tr("图片 (*.png *.jpg *.jpeg *.bmp)")
        )
        if path:
            self.read_qr_image(Path(path))

    def read_qr_image(self, path: Path) -> None:
        self.error.hide()
        try:
            server, code = parse_enrolment(decode_qr_image(path))
        except DomainError as err:
            self._fail(err)
            return
        if server:
            self.server.setText(server)
        self.code.setText(code)
        self.enrol_button.setFocus()

    def enrol(self) -> None:
        self.error.hide()
        server, code = self.server.text(), self.code.text()
        self.enrol_button.setEnabled(False)
        self.state.setText(self.tr("正在登记…"))

        def done(answer: object) -> None:
            self.enrol_button.setEnabled(True)
            self.code.clear()
            self.state.setText(
                self.tr("已登记：工作站 {0}（{1}）。").format(answer.station_code, answer.station_name)  # type: ignore[attr-defined]
            )
            self.enrolled.emit()

        run_in_background(lambda: self.sync.enrol(self.staff, server, code), done, self._fail, owner=self)

    def _fail(self, error: BaseException) -> None:
        self.enrol_button.setEnabled(self.staff.can(Permission.MANAGE_SETTINGS))
        self.state.setText("")
        self.error.setText(error_text(error))
        self.error.show()


class EndOfDayDialog(QDialog):
    """日终同步: real progress, then the summary, which can be printed or saved as PDF."""

    def __init__(
        self,
        controller: SyncController,
        parent: QWidget | None = None,
        *,
        print_summary: Callable[[SyncSummary], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.print_summary = print_summary
        self.summary: SyncSummary | None = None
        self.setWindowTitle(self.tr("日终同步"))
        self.resize(640, 520)
        self.stage = QLabel(self.tr("准备同步…"))
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.report_view = QTextBrowser()
        self.report_view.hide()
        self.cancel_button = QPushButton(self.tr("取消(&C)"))
        self.cancel_button.clicked.connect(self.cancel)
        self.print_button = QPushButton(self.tr("打印/存为 PDF(&P)…"))
        self.print_button.clicked.connect(self._print)
        self.print_button.hide()
        self.close_button = QPushButton(self.tr("关闭"))
        self.close_button.clicked.connect(self.accept)
        self.close_button.hide()
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stage)
        layout.addWidget(self.bar)
        layout.addWidget(self.report_view, 1)
        layout.addLayout(buttons)
        controller.progress.connect(self._on_progress)
        controller.finished.connect(self._on_finished)

    def begin(self) -> None:
        if not self.controller.start("end_of_day", check_receipt=True):
            # A background sync is already running: this dialog shows it, then runs the end-of-day check.
            self.stage.setText(self.tr("正在等待进行中的同步完成…"))
            self._again = True
        else:
            self._again = False

    def _on_progress(self, stage: str, done: int, total: int) -> None:
        label = tr_label(STAGE_LABELS.get(stage, stage))
        if total:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
            self.stage.setText(self.tr("{0}：{1} / {2}").format(label, done, total))
        else:
            self.bar.setRange(0, 0)
            self.stage.setText(self.tr("{0}：{1}").format(label, done) if done else label)

    def _on_finished(self, summary: SyncSummary) -> None:
        if getattr(self, "_again", False) and summary.kind != "end_of_day":
            self._again = False
            self.controller.start("end_of_day", check_receipt=True)
            return
        self.summary = summary
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        zone = self.controller.service.local_time(summary.started_at).tzinfo
        html = []
        for section in sections(summary, zone):  # type: ignore[arg-type]
            html.append(f"<h3>{_escape(section.title)}</h3>")
            html += [f"<div>{_escape(line)}</div>" for line in section.lines]
        self.report_view.setHtml("".join(html))
        self.report_view.show()
        self.stage.setText(summary_headline(summary))
        self.cancel_button.hide()
        self.close_button.show()
        self.print_button.setVisible(self.print_summary is not None)
        self.close_button.setFocus()

    def cancel(self) -> None:
        self._again = False  # if it was waiting for a background sync, it must not start its own afterwards
        self.controller.cancel()
        self.stage.setText(self.tr("正在取消…（已完成的部分会保留）"))

    def _print(self) -> None:
        if self.summary is not None and self.print_summary is not None:
            self.print_summary(self.summary)


def summary_headline(summary: SyncSummary) -> str:
    return headline(summary, tr_label)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class ConflictInbox(QDialog):
    """Values edited both here and at the centre, side by side; choosing one writes a new event."""

    resolved = Signal(object)  # CaseState

    def __init__(self, sync: SyncService, staff: StaffMember, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sync = sync
        self.staff = staff
        self.setWindowTitle(self.tr("冲突处理"))
        self.resize(860, 360)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [self.tr("编号"), self.tr("项目"), self.tr("本站的值"), self.tr("城运中心的值"), self.tr("原值")]
        )
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.keep_station = QPushButton(self.tr("采用本站的值(&L)"))
        self.keep_server = QPushButton(self.tr("保留城运中心的值(&K)"))
        self.keep_station.clicked.connect(lambda: self.resolve("station"))
        self.keep_server.clicked.connect(lambda: self.resolve("server"))
        self.empty = QLabel(self.tr("没有待处理的冲突。"))
        self.error = error_label()
        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_station)
        buttons.addWidget(self.keep_server)
        buttons.addStretch(1)
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.conflicts: list[ConflictView] = []
        self.reload()

    def reload(self) -> None:
        self.conflicts = self.sync.open_conflicts()
        self.table.setRowCount(len(self.conflicts))
        for row, conflict in enumerate(self.conflicts):
            station_side = self.tr("{0}\n{1}，{2}").format(
                _value(conflict.station_value), conflict.station_actor, self._when(conflict.station_at)
            )
            server_side = self.tr("{0}\n{1}，{2}").format(
                _value(conflict.server_value),
                conflict.server_actor or self.tr("城运中心"),
                self._when(conflict.server_at),
            )
            cells = [
                conflict.case_number,
                self.tr(conflict.label),
                station_side,
                server_side,
                _value(conflict.base_value),
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, conflict.id)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
        has_rows = bool(self.conflicts)
        self.empty.setVisible(not has_rows)
        self.keep_station.setEnabled(has_rows)
        self.keep_server.setEnabled(has_rows)
        if has_rows:
            self.table.selectRow(0)

    def _when(self, moment: datetime | None) -> str:
        if moment is None:
            return ""
        return f"{self.sync.station.local_time(moment):%m-%d %H:%M}"

    def resolve(self, keep: str) -> None:
        row = self.table.currentRow()
        if row < 0 or row >= len(self.conflicts):
            return
        self.error.hide()
        conflict_id = self.conflicts[row].id
        self.keep_station.setEnabled(False)
        self.keep_server.setEnabled(False)

        def done(state: object) -> None:
            self.resolved.emit(state)
            self.reload()

        def failed(error: BaseException) -> None:
            self.error.setText(error_text(error))
            self.error.show()
            self.reload()

        # A write: off the screen's thread, since a sync may hold the database for a moment.
        run_in_background(lambda: self.sync.resolve_conflict(self.staff, conflict_id, keep), done, failed, owner=self)


def _value(value: Any) -> str:
    if value is None or value == "":
        return QApplication.translate("sync", "（空）")
    return str(value)


class WorkOrderNotice(QDialog):
    """New work orders from the centre, urgent first; acknowledging them clears the badge."""

    open_case = Signal(str)

    def __init__(self, sync: SyncService, staff: StaffMember, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sync = sync
        self.staff = staff
        self.setWindowTitle(self.tr("新工单"))
        self.resize(760, 320)
        self.orders: list[NewWorkOrder] = sync.unseen_work_orders()
        self.table = QTableWidget(len(self.orders), 4)
        self.table.setHorizontalHeaderLabels([self.tr("工单编号"), self.tr("来源"), self.tr("内容"), self.tr("时限")])
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        for row, order in enumerate(self.orders):
            channel = tr_label(CHANNEL_LABELS.get(Channel(order.channel), order.channel))
            due = f"{sync.station.local_time(order.due_at):%m-%d %H:%M}" if order.due_at else "—"
            number = (self.tr("【紧急】") if order.urgent else "") + order.number
            for column, text in enumerate([number, channel, order.description, due]):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.cellDoubleClicked.connect(lambda row, _column: self.open_case.emit(self.orders[row].case_id))
        seen = QPushButton(self.tr("知道了(&A)"))
        seen.setDefault(True)
        seen.clicked.connect(self.acknowledge)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(seen)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def acknowledge(self) -> None:
        case_ids = [order.case_id for order in self.orders]
        run_in_background(
            lambda: self.sync.mark_work_orders_seen(self.staff, case_ids),
            lambda _result: self.accept(),
            lambda error: show_error(self, error),
            owner=self,
        )
