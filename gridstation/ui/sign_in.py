"""Sign-in and first start: every event the desk writes carries who signed in.

Both write (the audit log, the lockout counter, the new station), so they do it on the thread pool like every
other write of the desk: the screen never waits for the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, cast

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from gridstation.domain.enums import Role
from gridstation.domain.roles import PIN_MIN_LENGTH
from gridstation.ui.dialogs import WritingDialog, accept_cancel_buttons, error_label

if TYPE_CHECKING:  # the sign-in shows before the station is open (ui/start.py): it must not load the services
    from gridstation.services.staff import StaffMember
    from gridstation.services.station import StationService


class SignInDialog(WritingDialog):
    """Name and PIN. `sign_in(name, pin)` runs on the thread pool and may first wait for the station to open."""

    def __init__(
        self,
        station_name: str,
        staff_names: Sequence[str],
        sign_in: Callable[[str, str], StaffMember],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._sign_in = sign_in
        self.staff: StaffMember | None = None
        self.setWindowTitle(self.tr("登录 GridStation"))
        self.name = QComboBox()
        self.name.setEditable(True)
        self.name.addItems(list(staff_names))
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(self.tr("PIN 或密码"))
        self.error = error_label()
        self.buttons = accept_cancel_buttons(self, self.tr("登录"), self.tr("退出"))
        form = QFormLayout()
        form.addRow(self.tr("姓名"), self.name)
        form.addRow(self.tr("PIN"), self.pin)
        layout = QVBoxLayout(self)
        if station_name:
            layout.addWidget(QLabel(station_name))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.pin.setFocus()

    def accept(self) -> None:
        name, pin = self.name.currentText(), self.pin.text()
        self.write(lambda: self._sign_in(name, pin), self._signed_in)

    def writing_changed(self, writing: bool) -> None:
        self.pin.setReadOnly(writing)

    def _signed_in(self, staff: object) -> None:
        self.staff = cast("StaffMember", staff)

    def refused(self) -> None:
        self.pin.clear()
        self.pin.setFocus()


class FirstRunDialog(WritingDialog):
    """Creates the station and its first administrator."""

    def __init__(self, service: StationService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self.staff: StaffMember | None = None
        self.setWindowTitle(self.tr("首次使用：建立工作站"))
        self.code = QLineEdit()
        self.code.setPlaceholderText(self.tr("如 JA01（由街道分配，2–8 位字母或数字）"))
        self.station_name = QLineEdit()
        self.station_name.setPlaceholderText(self.tr("如 枫林居委会民情快办工作站"))
        self.sub_district = QLineEdit()
        self.contact = QLineEdit()
        self.admin_name = QLineEdit()
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(self.tr("至少 {0} 位").format(PIN_MIN_LENGTH[Role.ADMIN]))
        self.pin_again = QLineEdit()
        self.pin_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = error_label()
        self.buttons = accept_cancel_buttons(self, self.tr("建立"), self.tr("退出"))
        form = QFormLayout()
        form.addRow(self.tr("工作站编码"), self.code)
        form.addRow(self.tr("工作站名称"), self.station_name)
        form.addRow(self.tr("所属街道"), self.sub_district)
        form.addRow(self.tr("联系电话"), self.contact)
        form.addRow(self.tr("管理员姓名"), self.admin_name)
        form.addRow(self.tr("管理员 PIN"), self.pin)
        form.addRow(self.tr("再次输入 PIN"), self.pin_again)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(self.tr("本机还没有工作站数据。请填写以下信息（也可运行 gridstation demo 建立演示站）。"))
        )
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def accept(self) -> None:
        if self.writing:
            return
        if self.pin.text() != self.pin_again.text():
            self.error.setText(self.tr("两次输入的 PIN 不一致。"))
            self.error.show()
            return
        values = {
            "code": self.code.text(),
            "name": self.station_name.text(),
            "admin_name": self.admin_name.text(),
            "admin_pin": self.pin.text(),
            "sub_district": self.sub_district.text().strip(),
            "contact_phone": self.contact.text().strip(),
        }
        self.write(lambda: self._service.initialise(**values), self._created)

    def _created(self, staff: object) -> None:
        self.staff = cast("StaffMember", staff)
