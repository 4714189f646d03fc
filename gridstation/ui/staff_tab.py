"""The admin dialog's list of people: everyone, active or disabled, with 重置 PIN, 停用/启用 and 更改角色 for the
selected person, through the same service as `gridstation staff …` (services/staff_admin.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gridstation.domain.enums import ROLE_LABELS, Role
from gridstation.services.staff import StaffMember
from gridstation.services.staff_admin import StaffRecord
from gridstation.services.station import StationService
from gridstation.ui.labels import tr_label
from gridstation.ui.messages import error_text

# The admin dialog's writer: work on the thread pool, then the success text or the failure.
Write = Callable[[Callable[[], object], Callable[[Any], str], Callable[[BaseException], None]], None]


class StaffPeople(QWidget):
    def __init__(
        self,
        service: StationService,
        actor: StaffMember,
        write: Write,
        say: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._actor = actor
        self._write = write
        self._say_error = say
        self.confirmation: QMessageBox | None = None
        self.records: list[StaffRecord] = service.staff_records(actor)
        self.table = QTableWidget(len(self.records), 4)
        self.table.setObjectName("staff_table")
        self.table.setHorizontalHeaderLabels([self.tr("姓名"), self.tr("角色"), self.tr("状态"), self.tr("添加日期")])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        for row, record in enumerate(self.records):
            cells = [
                record.name,
                tr_label(ROLE_LABELS[record.role]),
                self.tr("在岗") if record.active else self.tr("已停用"),
                f"{service.local_time(record.created_at):%Y-%m-%d}",
            ]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.pin = QLineEdit()
        self.pin.setObjectName("reset_pin_value")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(self.tr("新 PIN"))
        self.reset_pin = QPushButton(self.tr("重置 PIN"))
        self.reset_pin.setObjectName("reset_pin")
        self.reset_pin.clicked.connect(self.ask_reset_pin)
        self.toggle_active = QPushButton(self.tr("停用"))
        self.toggle_active.setObjectName("toggle_active")
        self.toggle_active.clicked.connect(self.ask_toggle_active)
        self.role = QComboBox()
        for role, label in ROLE_LABELS.items():
            self.role.addItem(tr_label(label), str(role))
        self.change_role = QPushButton(self.tr("更改角色"))
        self.change_role.setObjectName("change_role")
        self.change_role.clicked.connect(self.ask_change_role)
        actions = QHBoxLayout()
        for widget in (self.pin, self.reset_pin, self.toggle_active, self.role, self.change_role):
            actions.addWidget(widget)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(actions)
        self._update_buttons()

    def selected(self) -> StaffRecord | None:
        row = self.table.currentRow()
        return self.records[row] if 0 <= row < len(self.records) else None

    def select(self, name: str) -> None:
        for row, record in enumerate(self.records):
            if record.name == name:
                self.table.selectRow(row)

    def _update_buttons(self) -> None:
        record = self.selected()
        for widget in (self.reset_pin, self.toggle_active, self.change_role):
            widget.setEnabled(record is not None)
        if record is not None:
            self.toggle_active.setText(self.tr("停用") if record.active else self.tr("启用"))
            self.role.setCurrentIndex(max(0, self.role.findData(str(record.role))))

    # ------------------------------------------------------------------ actions

    def ask_reset_pin(self) -> None:
        record, pin = self.selected(), self.pin.text()
        if record is None:
            return
        if not pin:
            self._say_error(self.tr("请先在“新 PIN”中输入新的 PIN。"))
            return
        self._write(
            lambda: self._service.set_staff_pin(self._actor, record.name, pin),
            lambda _member: self.tr("已为 {0} 设置新 PIN，请当面告知本人。").format(record.name),
            lambda error: self._say_error(error_text(error)),
        )

    def ask_toggle_active(self) -> None:
        record = self.selected()
        if record is None:
            return
        active = not record.active
        work = lambda: self._service.set_staff_active(self._actor, record.name, active)  # noqa: E731
        done = (
            self.tr("已启用 {0}。").format(record.name)
            if active
            else self.tr("已停用 {0}：不能再登录，已有记录保留。").format(record.name)
        )
        if active:
            self._write(work, lambda _r: done, lambda error: self._say_error(error_text(error)))
            return
        self._confirm(
            self.tr("停用 {0}？停用后不能再登录（桌面和命令行），已有记录保留，可再启用。").format(record.name),
            lambda: self._write(work, lambda _r: done, lambda error: self._say_error(error_text(error))),
        )

    def ask_change_role(self) -> None:
        record = self.selected()
        if record is None:
            return
        role = Role(self.role.currentData())
        if role is record.role:
            return
        label = tr_label(ROLE_LABELS[role])
        self._confirm(
            self.tr("将 {0} 的角色改为{1}？").format(record.name, label),
            lambda: self._write(
                lambda: self._service.change_staff_role(self._actor, record.name, role),
                lambda _r: self.tr("{0} 的角色已改为{1}。").format(record.name, label),
                lambda error: self._say_error(error_text(error)),
            ),
        )

    def _confirm(self, question: str, then: Callable[[], None]) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("请确认"),
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("confirm_staff_change")
        box.setDefaultButton(QMessageBox.StandardButton.No)

        def answered(_result: int) -> None:
            self.confirmation = None
            if box.clickedButton() is box.button(QMessageBox.StandardButton.Yes):
                then()

        box.finished.connect(answered)
        self.confirmation = box
        box.open()
