"""同步设置: the server's address and enrolment with the one-time code — typed, pasted or scanned as the text the
server's QR code holds, or read from the QR image. The same form is the first page of the set-up guide."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gridstation.domain.errors import DomainError
from gridstation.domain.roles import Permission
from gridstation.services.staff import StaffMember
from gridstation.ui.dialogs import close_buttons, error_label
from gridstation.ui.messages import error_text
from gridstation.ui.workers import run_in_background

if TYPE_CHECKING:  # built by the sync controller on the first sync: not on the start path
    from gridstation.sync.engine import SyncService


class EnrolmentForm(QWidget):
    """Server address and one-time code, and the 登记 button that enrols on the thread pool.

    The code field also takes what the server's QR code holds (`gridstation-enrol:?server=…&code=…`): pasted from
    the text `gridstation-server station add --qr` prints beside the image, or typed by a handheld scanner, which
    behaves as a keyboard. Such text fills both fields.
    """

    enrolled = Signal()

    def __init__(self, sync: SyncService, staff: StaffMember, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sync = sync
        self.staff = staff
        self.server = QLineEdit(sync.server_url())
        self.server.setPlaceholderText("https://cyzx.example.gov.cn")
        self.code = QLineEdit()
        self.code.setPlaceholderText(self.tr("登记码，或粘贴、扫入二维码的内容"))
        self.code.textEdited.connect(self._split_enrolment_text)
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
        code_label = QLabel(self.tr("登记码(&C)"))
        code_label.setBuddy(self.code)  # the row is the field and its button: Qt would show the "&" as it is
        form.addRow(code_label, code_row)
        self.enrol_button = QPushButton(self.tr("登记(&E)"))
        self.enrol_button.clicked.connect(self.enrol)
        enrol_row = QHBoxLayout()  # the dialog moves the button into its button box
        enrol_row.addStretch(1)
        enrol_row.addWidget(self.enrol_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(enrol_row)
        layout.addWidget(self.state)
        layout.addWidget(self.error)
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

    def _split_enrolment_text(self, text: str) -> None:
        from gridstation.protocol import ENROL_SCHEME  # pydantic: loaded when the field is used, not at start

        if text.strip().lower().startswith(f"{ENROL_SCHEME}:"):
            self.use_enrolment_text(text)

    def use_enrolment_text(self, text: str) -> None:
        """Fill address and code from what a QR code holds (or a plain code); say so if it is neither."""
        from gridstation.protocol import parse_enrolment

        self.error.hide()
        try:
            server, code = parse_enrolment(text)
        except DomainError as err:
            self._fail(err)
            return
        if server:
            self.server.setText(server)
        self.code.setText(code)
        self.enrol_button.setFocus()

    def ask_qr_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("选择登记二维码图片"), str(Path.home()), self.tr("图片 (*.png *.jpg *.jpeg *.bmp)")
        )
        if path:
            self.read_qr_image(Path(path))

    def read_qr_image(self, path: Path) -> None:
        self.error.hide()
        try:
            from gridstation.sync.enrol import decode_qr_image

            text = decode_qr_image(path)
        except DomainError as err:
            self._fail(err)
            return
        self.use_enrolment_text(text)

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


class SyncSettingsDialog(QDialog):
    """同步 → 同步设置: the enrolment form with a 关闭 button."""

    enrolled = Signal()

    def __init__(self, sync: SyncService, staff: StaffMember, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("同步设置"))
        self.form = EnrolmentForm(sync, staff, self)
        self.form.enrolled.connect(self.enrolled)
        # The form's parts, as the dialog's: what a clerk sees in it.
        self.server, self.code, self.scan = self.form.server, self.form.code, self.form.scan
        self.enrol_button, self.state, self.error = self.form.enrol_button, self.form.state, self.form.error
        self.read_qr_image = self.form.read_qr_image
        self.enrol_button.setDefault(True)
        buttons = close_buttons(self, self.tr("关闭"))
        buttons.addButton(self.enrol_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(buttons)
