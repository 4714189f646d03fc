"""Changing one's own PIN: from the File menu, and required before the main window opens when an administrator
signs in with a PIN shorter than six digits (from before six were required)."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from gridstation.domain.roles import PIN_MIN_LENGTH
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.dialogs import WritingDialog, accept_cancel_buttons, error_label


class ChangePinDialog(WritingDialog):
    def __init__(
        self, service: StationService, staff: StaffMember, *, required: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._staff = staff
        self.staff: StaffMember | None = None
        self.setWindowTitle(self.tr("修改 PIN"))
        limit = PIN_MIN_LENGTH[staff.role]
        self.current = QLineEdit()
        self.new_pin = QLineEdit()
        self.new_pin.setPlaceholderText(self.tr("至少 {0} 位").format(limit))
        self.again = QLineEdit()
        for field in (self.current, self.new_pin, self.again):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = error_label()
        self.buttons = accept_cancel_buttons(self, self.tr("修改"), self.tr("退出") if required else self.tr("取消"))
        form = QFormLayout()
        form.addRow(self.tr("当前 PIN"), self.current)
        form.addRow(self.tr("新 PIN"), self.new_pin)
        form.addRow(self.tr("再次输入新 PIN"), self.again)
        layout = QVBoxLayout(self)
        if required:
            text = self.tr("管理员的 PIN 现在至少要 {0} 位：4 位 PIN 在数据库被复制后几分钟内就能被试出。请现在修改。")
            notice = QLabel(text.format(limit))
            notice.setWordWrap(True)
            layout.addWidget(notice)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.current.setFocus()

    def accept(self) -> None:
        if self.writing:
            return
        if self.new_pin.text() != self.again.text():
            self.error.setText(self.tr("两次输入的新 PIN 不一致。"))
            self.error.show()
            return
        current, new = self.current.text(), self.new_pin.text()
        self.write(lambda: self._service.change_own_pin(self._staff, current, new), self._changed)

    def writing_changed(self, writing: bool) -> None:
        for field in (self.current, self.new_pin, self.again):
            field.setReadOnly(writing)

    def _changed(self, staff: object) -> None:
        assert isinstance(staff, StaffMember)
        self.staff = staff
