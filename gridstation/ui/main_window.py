"""The main window stays thin: it places the three panels and routes their signals."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QWidget,
)

from gridstation.domain.case import CaseState
from gridstation.domain.enums import ROLE_LABELS
from gridstation.domain.roles import Permission
from gridstation.services.paper import Paperwork
from gridstation.services.station import StaffMember, StationService
from gridstation.ui.admin_dialog import AdminDialog
from gridstation.ui.case_detail import CaseDetailPanel
from gridstation.ui.case_list import CaseListPanel
from gridstation.ui.intake import IntakeForm
from gridstation.ui.labels import tr_label
from gridstation.ui.messages import error_text, show_error
from gridstation.ui.print_menu import PrintMenu
from gridstation.ui.workers import run_in_background


class MainWindow(QMainWindow):
    def __init__(self, service: StationService, staff: StaffMember, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.staff = staff
        station = service.station()
        self.setWindowTitle(self.tr("GridStation 民情快办工作站 — {0}").format(station.name if station else ""))
        self.intake = IntakeForm(service, staff)
        self.cases = CaseListPanel(service)
        self.detail = CaseDetailPanel(service, staff)
        self.paperwork = Paperwork(service)
        self.printing = PrintMenu(self.paperwork, staff, self, lambda: self.detail.state)
        self.printing.controller.message.connect(lambda text: self.statusBar().showMessage(text, 15000))
        self.printing.controller.receipt_recorded.connect(self._on_case_changed)
        self.printing.controller.receipt_recorded.connect(self._refresh_detail)

        intake_scroll = QScrollArea()
        intake_scroll.setWidget(self.intake)
        intake_scroll.setWidgetResizable(True)
        intake_scroll.setMinimumWidth(380)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.cases)
        right.addWidget(self.detail)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(intake_scroll)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([400, 1000])
        self.setCentralWidget(splitter)

        self.intake.case_saved.connect(self._on_case_saved)
        self.cases.case_selected.connect(self.detail.show_case)
        self.detail.case_changed.connect(self._on_case_changed)

        self._build_menus()
        who = QLabel(self.tr("{0}（{1}）").format(staff.name, tr_label(ROLE_LABELS[staff.role])))
        self.statusBar().addPermanentWidget(who)
        self._detail_tick = QTimer(self)
        self._detail_tick.setInterval(1000)
        self._detail_tick.timeout.connect(self.detail.refresh_countdown)
        self._detail_tick.start()
        self.cases.reload()
        self.intake.category.setFocus()

    def _build_menus(self) -> None:
        menu_bar = self.menuBar()
        file_menu = menu_bar.addMenu(self.tr("文件(&F)"))
        backup = QAction(self.tr("备份数据(&B)…"), self)
        backup.setShortcut(QKeySequence("Ctrl+B"))
        backup.setEnabled(self.staff.can(Permission.BACKUP))
        backup.triggered.connect(self.ask_backup)
        restore = QAction(self.tr("从备份恢复(&R)…"), self)
        restore.setEnabled(self.staff.can(Permission.RESTORE))
        restore.triggered.connect(self.ask_restore)
        quit_action = QAction(self.tr("退出(&X)"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        admin = QAction(self.tr("基础数据与人员(&D)…"), self)
        admin.setEnabled(
            any(
                self.staff.can(p) for p in (Permission.MANAGE_REFERENCE, Permission.MANAGE_STAFF, Permission.VIEW_AUDIT)
            )
        )
        admin.triggered.connect(self.open_admin)
        file_menu.addActions([backup, restore, admin])
        file_menu.addSeparator()
        file_menu.addAction(quit_action)

        case_menu = menu_bar.addMenu(self.tr("诉求(&C)"))
        new_case = QAction(self.tr("新登记(&N)"), self)
        new_case.setShortcut(QKeySequence("Ctrl+N"))
        new_case.triggered.connect(lambda: self.intake.category.setFocus())
        find = QAction(self.tr("查找(&F)"), self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(lambda: self.cases.search.setFocus())
        refresh = QAction(self.tr("刷新列表"), self)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.cases.reload)
        case_menu.addActions([new_case, find, refresh])
        self.printing.populate(menu_bar.addMenu(self.tr("打印(&P)")))

    def _on_case_saved(self, state: object) -> None:
        assert isinstance(state, CaseState)
        self.statusBar().showMessage(self.tr("已登记 {0}　按 F9 打印回执").format(state.number), 30000)
        self.cases.reload()
        self.detail.show_case(state.id)

    def _on_case_changed(self, state: object) -> None:
        assert isinstance(state, CaseState)
        self.cases.refresh_case(state.id)

    def _refresh_detail(self, state: object) -> None:
        assert isinstance(state, CaseState)
        if self.detail.state is not None and self.detail.state.id == state.id:
            self.detail.show_case(state.id)

    def open_admin(self) -> AdminDialog:
        dialog = AdminDialog(self.service, self.staff, self)
        dialog.finished.connect(lambda _result: self.intake.reload_reference())
        dialog.open()
        return dialog

    # ------------------------------------------------------------------ backup and restore

    def ask_backup(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("备份到"), str(Path.home() / "gridstation-backup.db"), self.tr("GridStation 备份 (*.db)")
        )
        if path:
            self.backup_to(Path(path))

    def backup_to(self, path: Path) -> None:
        self.statusBar().showMessage(self.tr("正在备份…"))
        run_in_background(
            lambda: self.service.backup(self.staff, path),
            lambda result: self.statusBar().showMessage(self.tr("已备份到 {0}").format(result), 10000),
            lambda error: show_error(self, error, self.tr("备份失败")),
            owner=self,
        )

    def ask_restore(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("选择备份文件"), str(Path.home()), self.tr("GridStation 备份 (*.db)")
        )
        if not path:
            return
        answer = QMessageBox.question(
            self,
            self.tr("确认恢复"),
            self.tr("将用备份替换本站当前数据。当前数据会先另存一份，可再恢复回来。是否继续？"),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.restore_from(Path(path))

    def restore_from(self, path: Path) -> None:
        self.statusBar().showMessage(self.tr("正在恢复…"))

        def done(safety: object) -> None:
            self.statusBar().showMessage(self.tr("已恢复。原数据另存于 {0}").format(safety), 15000)
            self.cases.reload()

        run_in_background(
            lambda: self.service.restore(self.staff, path),
            done,
            lambda error: self.statusBar().showMessage(error_text(error), 15000),
            owner=self,
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.intake.save_draft()
        super().closeEvent(event)
