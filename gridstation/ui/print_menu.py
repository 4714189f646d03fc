"""The 打印 menu: receipts (F9), follow-up and area feedback forms, the morning report, and print settings."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QMenu,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from gridstation.domain.case import CaseState
from gridstation.domain.roles import Permission
from gridstation.printing.paperwork import Paperwork
from gridstation.printing.templates import load_template
from gridstation.services.staff import StaffMember
from gridstation.ui.dialogs import accept_cancel_buttons
from gridstation.ui.print_settings import PrintSettingsDialog
from gridstation.ui.printing import Document, PrintController


class AreaReportDialog(QDialog):
    """What the grid chief proposes and asks for; the rest of the form comes from the case's history."""

    def __init__(self, number: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("片区民情调研问题反馈表：{0}").format(number))
        self.proposal = QPlainTextEdit()
        self.proposal.setTabChangesFocus(True)
        self.support = QPlainTextEdit()
        self.support.setTabChangesFocus(True)
        form = QFormLayout()
        form.addRow(self.tr("拟解决方案（可留空手写）"), self.proposal)
        form.addRow(self.tr("需协调支持事项（可留空手写）"), self.support)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(accept_cancel_buttons(self, self.tr("预览"), self.tr("取消")))


class PrintMenu(QObject):
    def __init__(
        self, paperwork: Paperwork, staff: StaffMember, window: QWidget, current_case: Callable[[], CaseState | None]
    ) -> None:
        super().__init__(window)
        self.paperwork = paperwork
        self.staff = staff
        self.window = window
        self.current_case = current_case
        self.controller = PrintController(paperwork, staff, window)
        self.settings_action: QAction | None = None

    def set_staff(self, staff: StaffMember) -> None:
        """After 切换用户: printed forms name `staff`, and a reprint is recorded as theirs."""
        self.staff = self.controller.staff = staff
        if self.settings_action is not None:
            self.settings_action.setEnabled(staff.can(Permission.MANAGE_SETTINGS))

    def populate(self, menu: QMenu) -> None:
        def action(text: str, slot: Callable[[], object], shortcut: str | None = None, enabled: bool = True) -> QAction:
            item = QAction(text, self)
            if shortcut:
                item.setShortcut(QKeySequence(shortcut))
            item.setEnabled(enabled)
            item.triggered.connect(lambda _checked=False: slot())
            menu.addAction(item)
            return item

        self.receipt_action = action(self.tr("打印回执(&R)"), self.print_receipt, "F9")
        action(self.tr("预览回执(&V)…"), lambda: self.print_receipt(preview=True), "Shift+F9")
        menu.addSeparator()
        action(self.tr("回访满意度表(&F)…"), lambda: self.follow_up_form(blank=False))
        action(self.tr("空白回访满意度表…"), lambda: self.follow_up_form(blank=True))
        action(self.tr("片区民情调研问题反馈表(&A)…"), lambda: self.area_report(blank=False))
        action(self.tr("空白片区民情调研问题反馈表…"), lambda: self.area_report(blank=True))
        menu.addSeparator()
        action(self.tr("晨会日报(&M)…"), self.morning_report, "Ctrl+Shift+M")
        menu.addSeparator()
        self.settings_action = action(
            self.tr("打印设置(&S)…"), self.open_settings, enabled=self.staff.can(Permission.MANAGE_SETTINGS)
        )

    def _case_or_say(self) -> CaseState | None:
        state = self.current_case()
        if state is None:
            self.controller.message.emit(self.tr("请先在列表中选择一件诉求。"))
        return state

    def print_receipt(self, *, preview: bool | None = None) -> None:
        state = self._case_or_say()
        if state is not None:
            self.controller.print_receipt(state.id, preview=preview)

    def follow_up_form(self, *, blank: bool) -> None:
        state = None if blank else self._case_or_say()
        if not blank and state is None:
            return
        case_id = state.id if state is not None else None
        title = str(load_template("follow_up_form")["title"])

        def build() -> Document:
            from gridstation.printing.forms import render_follow_up_form

            data = self.paperwork.follow_up_form(case_id)
            suffix = f"-{data.number}" if data.number else "-空白"
            return Document(title, f"{title}{suffix}.pdf", render_follow_up_form(data))

        self.controller.render_then_preview(title, build)

    def area_report(self, *, blank: bool) -> AreaReportDialog | None:
        title = str(load_template("area_report_form")["title"])

        def build(case_id: str | None, suffix: str, proposal: str = "", support: str = "") -> Document:
            from gridstation.printing.forms import render_area_report_form

            data = self.paperwork.area_report(case_id, proposal=proposal, support=support, reporter=self.staff.name)
            return Document(title, f"{title}-{suffix}.pdf", render_area_report_form(data))

        if blank:
            self.controller.render_then_preview(title, lambda: build(None, "空白"))
            return None
        state = self._case_or_say()
        if state is None:
            return None
        dialog = AreaReportDialog(state.number, self.window)

        def accepted() -> None:
            proposal, support = dialog.proposal.toPlainText(), dialog.support.toPlainText()
            self.controller.render_then_preview(title, lambda: build(state.id, state.number, proposal, support))

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog

    def morning_report(self, period_days: int | None = None) -> None:
        title = str(load_template("morning_report")["title"])

        def build() -> Document:
            from gridstation.printing.morning_report import render_morning_report

            data = self.paperwork.morning_report(self.staff, period_days=period_days)
            return Document(title, f"{title}-{data.report_at:%Y%m%d}.pdf", render_morning_report(data))

        self.controller.render_then_preview(title, build)

    def open_settings(self) -> PrintSettingsDialog:
        dialog = PrintSettingsDialog(self.paperwork, self.staff, self.window)
        dialog.open()
        return dialog
