"""The main window stays thin: it places the three panels and routes their signals."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QWidget,
)

from gridstation.domain.case import CaseState
from gridstation.domain.enums import ROLE_LABELS
from gridstation.domain.roles import Permission
from gridstation.printing.paperwork import Paperwork
from gridstation.services.backup import BACKUP_SUFFIX, Restored
from gridstation.services.backup_file import file_kind
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.sync.report import sections as sync_sections
from gridstation.sync.summary import SyncSummary
from gridstation.ui.admin_dialog import AdminDialog
from gridstation.ui.case_detail import CaseDetailPanel
from gridstation.ui.case_list import CaseListPanel
from gridstation.ui.change_pin import ChangePinDialog
from gridstation.ui.deadline_settings import DeadlineSettingsDialog
from gridstation.ui.desk_layout import DeskLayout
from gridstation.ui.help_menu import HelpMenu
from gridstation.ui.hotspots import HotspotsDialog
from gridstation.ui.intake import IntakeForm
from gridstation.ui.knowledge import KnowledgeDialog
from gridstation.ui.labels import tr_label
from gridstation.ui.ledger_import import LedgerImport
from gridstation.ui.messages import show_error
from gridstation.ui.print_menu import PrintMenu
from gridstation.ui.printing import Document
from gridstation.ui.secure_dialogs import PassphraseDialog
from gridstation.ui.setup_wizard import SetupWizard
from gridstation.ui.shift import ShiftControl
from gridstation.ui.sync.conflicts import ConflictInbox
from gridstation.ui.sync.controller import SyncController
from gridstation.ui.sync.end_of_day import EndOfDayDialog
from gridstation.ui.sync.indicator import SyncIndicator
from gridstation.ui.sync.settings_dialog import SyncSettingsDialog
from gridstation.ui.sync.work_orders import WorkOrderNotice
from gridstation.ui.trust import TrustChecks
from gridstation.ui.workers import run_in_background
from gridstation.ui.workload import WorkloadDialog

FIRST_STATUS_DELAY_MS = 800


class MainWindow(QMainWindow):
    def __init__(
        self,
        service: StationService,
        staff: StaffMember,
        parent: QWidget | None = None,
        *,
        sync: SyncController | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.staff = staff
        station = service.station()
        self.setWindowTitle(self.tr("GridStation 民情快办工作站 — {0}").format(station.name if station else ""))
        self.intake = IntakeForm(service, staff)
        self.cases = CaseListPanel(service, staff=staff)
        self.detail = CaseDetailPanel(service, staff)
        self.paperwork = Paperwork(service)
        self.printing = PrintMenu(self.paperwork, staff, self, lambda: self.detail.state)
        self.help = HelpMenu(service.data_dir, self, self.printing.controller, self.open_setup_wizard)
        self.printing.controller.message.connect(lambda text: self.statusBar().showMessage(text, 15000))
        self.printing.controller.receipt_recorded.connect(self._on_case_changed)
        self.printing.controller.receipt_recorded.connect(self._refresh_detail)

        self.layout_state = DeskLayout(service.data_dir, self.intake, self.cases, self.detail)
        self.setCentralWidget(self.layout_state.main)

        self.intake.case_saved.connect(self._on_case_saved)
        self.intake.case_supplemented.connect(self._on_case_supplemented)
        self.intake.similar.open_case.connect(self._show_case)
        self.cases.case_selected.connect(self.detail.show_case)
        self.detail.case_changed.connect(self._on_case_changed)

        self.sync = sync or SyncController(service, self)
        self.sync.setParent(self)
        self.sync_indicator = SyncIndicator(self.sync)
        self.sync_indicator.open_conflicts.connect(self.open_conflicts)
        self.sync_indicator.open_work_orders.connect(self.open_work_orders)
        self.sync.finished.connect(self._on_sync_finished)
        self.statusBar().addPermanentWidget(self.sync_indicator)
        # The log check and the daily retention run; started by the desk once the window shows (app.py).
        self.trust = TrustChecks(service, self)
        self._build_menus()
        self.who = QLabel(self._who_text())
        self.statusBar().addPermanentWidget(self.who)
        self.shift = ShiftControl(self)
        self._detail_tick = QTimer(self)
        self._detail_tick.setInterval(1000)
        self._detail_tick.timeout.connect(self.detail.refresh_countdown)
        self._detail_tick.start()
        self.cases.reload()
        self.intake.category.setFocus()
        # The sync status — and with its first read the sync engine (httpx, the protocol's models, ~160 ms of
        # imports holding the GIL) — a moment after the window shows, so it does not hold up the list's first paint.
        QTimer.singleShot(FIRST_STATUS_DELAY_MS, self.sync.refresh_status)
        self._status_tick = QTimer(self)
        self._status_tick.setInterval(30_000)  # "oldest unsent: 12 minutes ago" keeps counting
        self._status_tick.timeout.connect(self.sync.refresh_status)
        self._status_tick.start()

    def _build_menus(self) -> None:
        menu_bar = self.menuBar()
        file_menu = menu_bar.addMenu(self.tr("文件(&F)"))
        backup = QAction(self.tr("备份数据(&B)…"), self)
        backup.setShortcut(QKeySequence("Ctrl+B"))
        backup.triggered.connect(self.ask_backup)
        restore = QAction(self.tr("从备份恢复(&R)…"), self)
        restore.triggered.connect(self.ask_restore)
        quit_action = QAction(self.tr("退出(&X)"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        admin = QAction(self.tr("基础数据与人员(&D)…"), self)
        admin.triggered.connect(self.open_admin)
        change_pin = QAction(self.tr("修改我的 PIN(&P)…"), self)
        change_pin.triggered.connect(self.open_change_pin)
        deadlines = QAction(self.tr("时限标准(&T)…"), self)
        deadlines.triggered.connect(self.open_deadline_settings)
        ledger = QAction(self.tr("导入历史台账(&I)…"), self)
        ledger.triggered.connect(self.open_ledger_import)
        lock = QAction(self.tr("锁定(&L)"), self)
        lock.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action = lock  # the shift control offers its Ctrl+L in every dialog too (a dialog shows a case)
        lock.triggered.connect(lambda: self.shift.lock())
        switch = QAction(self.tr("切换用户(&U)…"), self)
        switch.triggered.connect(lambda: self.shift.switch_user())
        # Enabled by role: set again when another person signs in at this window (set_staff).
        self._role_actions = [
            (backup, (Permission.BACKUP,)),
            (restore, (Permission.RESTORE,)),
            (admin, (Permission.MANAGE_REFERENCE, Permission.MANAGE_STAFF, Permission.VIEW_AUDIT)),
            (deadlines, (Permission.MANAGE_SETTINGS,)),
            (ledger, (Permission.REGISTER_CASE,)),
        ]
        self._enable_by_role()
        file_menu.addActions([backup, restore, ledger, admin, deadlines, change_pin])
        file_menu.addSeparator()
        file_menu.addActions([lock, switch])
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
        mine = QAction(self.tr("我的诉求(&M)"), self)
        mine.setShortcut(QKeySequence("Ctrl+M"))
        mine.setCheckable(True)
        mine.toggled.connect(self.cases.show_mine)
        self._mine = mine
        workload = QAction(self.tr("工作量(&L)…"), self)
        workload.triggered.connect(self.open_workload)
        self._role_actions.append((workload, (Permission.FLAG_CONFERENCE,)))
        self._enable_by_role()
        case_menu.addActions([new_case, find, refresh])
        case_menu.addSeparator()
        hotspots = QAction(self.tr("热点问题(&H)…"), self)
        hotspots.triggered.connect(self.open_hotspots)
        case_menu.addActions([mine, workload, hotspots])
        self.printing.populate(menu_bar.addMenu(self.tr("打印(&P)")))

        sync_menu = menu_bar.addMenu(self.tr("同步(&S)"))
        end_of_day = QAction(self.tr("日终同步(&E)…"), self)
        end_of_day.setShortcut(QKeySequence("Ctrl+Shift+S"))
        end_of_day.triggered.connect(self.open_end_of_day)
        now = QAction(self.tr("立即同步(&N)"), self)
        now.triggered.connect(lambda: self.sync.start("manual", check_receipt=False))
        conflicts = QAction(self.tr("冲突处理(&C)…"), self)
        conflicts.triggered.connect(self.open_conflicts)
        orders = QAction(self.tr("新工单(&W)…"), self)
        orders.triggered.connect(self.open_work_orders)
        settings = QAction(self.tr("同步设置(&S)…"), self)
        settings.triggered.connect(self.open_sync_settings)
        sync_menu.addActions([end_of_day, now, conflicts, orders])
        sync_menu.addSeparator()
        sync_menu.addAction(settings)

        help_menu = menu_bar.addMenu(self.tr("帮助(&H)"))
        knowledge = QAction(self.tr("知识库(&K)…"), self)
        knowledge.setShortcut(QKeySequence("F1"))
        knowledge.triggered.connect(self.open_knowledge)
        help_menu.addAction(knowledge)
        help_menu.addSeparator()
        self.help.populate(help_menu)

    def open_knowledge(self) -> KnowledgeDialog:
        """知识库; from the intake form (F1 there), searching at once for the complaint typed so far and its
        category."""
        focus = QApplication.focusWidget()
        in_intake = focus is not None and (focus is self.intake or self.intake.isAncestorOf(focus))
        values = self.intake.field_values() if in_intake else {}
        dialog = KnowledgeDialog(
            self.service,
            self,
            text=str(values.get("description", "")),
            category_code=str(values.get("category_code", "")),
        )
        dialog.open()
        return dialog

    def open_hotspots(self) -> HotspotsDialog:
        """热点问题（一类事）: rising categories and 易反复问题, as the morning report prints them."""
        dialog = HotspotsDialog(self.service, self._show_case, self)
        dialog.open()
        return dialog

    def open_workload(self) -> WorkloadDialog:
        """The station head's view of everyone's open cases; choosing a person shows theirs in the list."""

        def show_owner(owner: str) -> None:
            self._mine.blockSignals(True)  # the person chosen is not "me": the menu's tick stays off
            self._mine.setChecked(False)
            self._mine.blockSignals(False)
            self.cases.show_owner(owner)

        dialog = WorkloadDialog(self.service, show_owner, self)
        dialog.open()
        return dialog

    def _who_text(self) -> str:
        return self.tr("{0}（{1}）").format(self.staff.name, tr_label(ROLE_LABELS[self.staff.role]))

    def set_staff(self, staff: StaffMember) -> None:
        """The one place the signed-in person changes (切换用户): every part that records "who" gets `staff`."""
        self.staff = staff
        self.intake.set_staff(staff)
        self.cases.set_staff(staff)
        self.detail.set_staff(staff)
        self.printing.set_staff(staff)
        self._enable_by_role()
        self.who.setText(self._who_text())

    def _enable_by_role(self) -> None:
        for action, permissions in self._role_actions:
            action.setEnabled(any(self.staff.can(p) for p in permissions))

    def _on_case_saved(self, state: object) -> None:
        assert isinstance(state, CaseState)
        self.statusBar().showMessage(self.tr("已登记 {0}　按 F9 打印回执").format(state.number), 30000)
        self.cases.reload_and_select(state.id)
        self.detail.show_case(state.id)

    def _on_case_supplemented(self, state: object) -> None:
        assert isinstance(state, CaseState)
        self.statusBar().showMessage(self.tr("已追加到 {0}　按 F9 打印回执").format(state.number), 30000)
        self._show_case(state.id)

    def _show_case(self, case_id: str) -> None:
        self.cases.reload_and_select(case_id)
        self.detail.show_case(case_id)

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

    def open_ledger_import(self) -> LedgerImport:
        """文件 → 导入历史台账…: the station's old ledger as cases (ui/ledger_import.py); the list shows them after."""
        importer = LedgerImport(self.service, self.staff, self)
        importer.imported.connect(lambda _result: self.cases.reload())
        importer.start()
        return importer

    def open_deadline_settings(self) -> DeadlineSettingsDialog:
        dialog = DeadlineSettingsDialog(self.service, self.staff, self)
        dialog.accepted.connect(self.cases.reload)  # every case's deadline was re-planned
        dialog.open()
        return dialog

    def open_change_pin(self) -> ChangePinDialog:
        dialog = ChangePinDialog(self.service, self.staff, parent=self)
        dialog.accepted.connect(lambda: self.statusBar().showMessage(self.tr("PIN 已修改。"), 10000))
        dialog.open()
        return dialog

    # ------------------------------------------------------------------ backup and restore

    def ask_backup(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("备份到"),
            str(Path.home() / f"gridstation-backup{BACKUP_SUFFIX}"),
            self.tr("GridStation 加密备份 (*{0})").format(BACKUP_SUFFIX),
        )
        if path:
            self.ask_passphrase(
                new=True,
                intro=self.tr("备份将用口令加密，没有口令无法恢复，请牢记。备份不含同步凭证。"),
                then=lambda passphrase: self.backup_to(Path(path), passphrase),
            )

    def ask_passphrase(self, *, new: bool, intro: str, then: Callable[[str], None]) -> PassphraseDialog:
        dialog = PassphraseDialog(self, new=new, title=self.tr("备份口令"), intro=intro)

        def finished(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                then(dialog.passphrase())

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    def backup_to(self, path: Path, passphrase: str) -> None:
        self.statusBar().showMessage(self.tr("正在备份…"))
        run_in_background(
            lambda: self.service.backup(self.staff, path, passphrase=passphrase),
            lambda result: self.statusBar().showMessage(self.tr("已加密备份到 {0}").format(result), 10000),
            lambda error: show_error(self, error, self.tr("备份失败")),
            owner=self,
        )

    def ask_restore(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("选择备份文件"),
            str(Path.home()),
            self.tr("GridStation 备份 (*{0} *.db)").format(BACKUP_SUFFIX),
        )
        if not path:
            return
        answer = QMessageBox.question(
            self,
            self.tr("确认恢复"),
            self.tr("将用备份替换本站当前数据。当前数据会先加密另存一份，可再恢复回来。是否继续？"),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        plain = file_kind(Path(path)) == "plain"
        intro = (
            self.tr("这是旧版未加密的备份。请设置一个口令，用来加密恢复前的安全副本。")
            if plain
            else self.tr("请输入做这份备份时设置的口令。")
        )
        self.ask_passphrase(new=plain, intro=intro, then=lambda passphrase: self.restore_from(Path(path), passphrase))

    def restore_from(self, path: Path, passphrase: str) -> None:
        self.statusBar().showMessage(self.tr("正在恢复…"))

        def done(result: object) -> None:
            assert isinstance(result, Restored)
            self.statusBar().showMessage(self.tr("已恢复。原数据加密另存于 {0}").format(result.safety_copy), 15000)
            self.cases.reload()
            self.sync.refresh_status()
            notes = []
            if result.plain_backup:
                notes.append(
                    self.tr(
                        "这是旧版未加密的备份，任何拿到该文件的人都能读出居民信息：请立即重新做一份加密备份，并销毁这个文件。"
                    )
                )
            if result.enrolment_needed:
                station = self.service.station()
                notes.append(
                    self.tr(
                        "本机尚未登记到城运中心（备份不含同步凭证）：请街道管理员签发新的登记码"
                        "（gridstation-server station add {0} --new-code），再在“同步 → 同步设置”中重新登记。"
                    ).format(station.code if station else "")
                )
            if notes:
                box = QMessageBox(QMessageBox.Icon.Information, self.tr("恢复完成"), "\n\n".join(notes), parent=self)
                box.setObjectName("restore_notice")
                box.open()

        run_in_background(
            lambda: self.service.restore(self.staff, path, passphrase=passphrase),
            done,
            lambda error: show_error(self, error, self.tr("恢复失败")),
            owner=self,
        )

    # ------------------------------------------------------------------ sync

    def open_end_of_day(self) -> EndOfDayDialog:
        dialog = EndOfDayDialog(self.sync, self, print_summary=self.print_sync_summary)
        dialog.open()
        dialog.begin()
        return dialog

    def print_sync_summary(self, summary: SyncSummary) -> None:
        station = self.service.station()
        zone = ZoneInfo(station.timezone if station else "Asia/Shanghai")
        parts = [(section.title, section.lines) for section in sync_sections(summary, zone)]
        line = f"{station.sub_district} {station.name}".strip() if station else ""
        printed_at = self.service.local_time(self.service.now())
        who = self.staff.name

        def build() -> Document:
            from gridstation.printing.sync_report import render_sync_report  # reportlab: not on the start path

            pdf = render_sync_report(line, printed_at, who, parts)
            return Document(self.tr("日终同步结果"), f"sync-{printed_at:%Y%m%d-%H%M}.pdf", pdf)

        self.printing.controller.render_then_preview(self.tr("日终同步结果"), build)

    def open_conflicts(self) -> ConflictInbox:
        dialog = ConflictInbox(self.sync.sync, self.staff, self)
        dialog.resolved.connect(self._on_case_changed)
        dialog.resolved.connect(self._refresh_detail)
        dialog.finished.connect(lambda _result: self.sync.refresh_status())
        dialog.open()
        return dialog

    def show_case(self, case_id: str) -> None:
        """The case in the detail pane and selected in the list."""
        self.detail.show_case(case_id)
        self.cases.select_case(case_id)

    def open_work_orders(self) -> WorkOrderNotice:
        dialog = WorkOrderNotice(self.sync.sync, self.staff, self)
        dialog.open_case.connect(self.show_case)
        dialog.finished.connect(lambda _result: self.sync.refresh_status())
        dialog.open()
        return dialog

    def open_sync_settings(self) -> SyncSettingsDialog:
        dialog = SyncSettingsDialog(self.sync.sync, self.staff, self)
        dialog.enrolled.connect(self.sync.resume_background)
        dialog.enrolled.connect(self.sync.refresh_status)
        dialog.open()
        return dialog

    def open_setup_wizard(self) -> SetupWizard:
        """首次设置向导 (first start, and 帮助 later): enrolment, the printer, the 上手指南."""
        wizard = SetupWizard(
            self.sync.sync,
            self.paperwork,
            self.staff,
            open_print_settings=self.printing.open_settings,
            print_guide=self.help.print_guide,
            parent=self,
        )
        wizard.enrolled.connect(self.sync.resume_background)
        wizard.enrolled.connect(self.sync.refresh_status)
        wizard.open()
        return wizard

    def _on_sync_finished(self, summary: object) -> None:
        assert isinstance(summary, SyncSummary)
        if summary.pulled or summary.new_work_orders:
            self.cases.reload()
            if self.detail.state is not None:
                self.detail.show_case(self.detail.state.id)
        if summary.new_work_orders:
            urgent = sum(1 for order in summary.new_work_orders if order.urgent)
            text = self.tr("收到 {0} 件新工单").format(len(summary.new_work_orders))
            if urgent:
                text += self.tr("，其中紧急 {0} 件").format(urgent)
            self.statusBar().showMessage(text, 60_000)
            QApplication.alert(self)  # the taskbar entry flashes if the desk is behind another window

    def closeEvent(self, event: QCloseEvent) -> None:
        self.sync.shutdown()
        self.intake.save_draft()
        self.layout_state.save(self)
        super().closeEvent(event)
