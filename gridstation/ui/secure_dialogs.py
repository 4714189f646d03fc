"""Dialogs that guard residents' data: the backup passphrase, and the reason for seeing a full phone number."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from gridstation.domain.case import CaseState
from gridstation.domain.errors import DomainError
from gridstation.services.backup_file import check_new_passphrase
from gridstation.services.cases import RevealedPhone
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.dialogs import WritingDialog, accept_cancel_buttons, error_label
from gridstation.ui.messages import error_text


class PassphraseDialog(QDialog):
    """Asks for a backup's passphrase: twice, and long enough, for a new backup; once to open one."""

    def __init__(self, parent: QWidget | None, *, new: bool, title: str, intro: str) -> None:
        super().__init__(parent)
        self._new = new
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        text = QLabel(intro)
        text.setWordWrap(True)
        self.passphrase_edit = _secret_edit()
        self.again_edit = _secret_edit()
        form = QFormLayout()
        form.addRow(self.tr("备份口令"), self.passphrase_edit)
        if new:
            form.addRow(self.tr("再次输入"), self.again_edit)
        self.error = error_label()
        self.buttons = accept_cancel_buttons(self, self.tr("确定"), self.tr("取消"))
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def passphrase(self) -> str:
        return self.passphrase_edit.text()

    def accept(self) -> None:
        try:
            if self._new:
                check_new_passphrase(self.passphrase())
                if self.again_edit.text() != self.passphrase():
                    raise DomainError("backup.passphrase_mismatch", "两次输入的备份口令不一致，未做任何更改。")
            elif not self.passphrase():
                raise DomainError("backup.passphrase_missing", "请输入备份口令。")
        except DomainError as err:
            self.error.setText(error_text(err))
            self.error.show()
            self.again_edit.clear()
            return
        super().accept()


class UnmaskPhoneDialog(WritingDialog):
    """Why the full number is needed, each time; OK records that in the case's log, then shows the number."""

    def __init__(
        self, service: StationService, staff: StaffMember, state: CaseState, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._staff = staff
        self._case_id = state.id
        self.revealed: RevealedPhone | None = None
        self.setWindowTitle(self.tr("查看完整电话：{0}").format(state.number))
        self.setMinimumWidth(420)
        notice = QLabel(self.tr("查看完整电话会记入该诉求的办理记录（谁、何时、原因），并同步到城运中心。"))
        notice.setWordWrap(True)
        self.reason = QComboBox()
        self.reason.setEditable(True)
        # What is stored is the Chinese wording, whatever the desk's language; the list shows it translated.
        for shown, stored in (
            (self.tr("先联回电"), "先联回电"),
            (self.tr("回访"), "回访"),
            (self.tr("上门核实"), "上门核实"),
            (self.tr("居民要求回电"), "居民要求回电"),
        ):
            self.reason.addItem(shown, stored)
        self.reason.setCurrentIndex(-1)
        line = self.reason.lineEdit()
        if line is not None:
            line.setPlaceholderText(self.tr("请选择或填写原因"))
        form = QFormLayout()
        form.addRow(self.tr("原因"), self.reason)
        self.error = error_label()
        self.buttons = accept_cancel_buttons(self, self.tr("查看"), self.tr("取消"))
        layout = QVBoxLayout(self)
        layout.addWidget(notice)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def reason_text(self) -> str:
        typed = self.reason.currentText().strip()
        index = self.reason.findText(typed)
        return str(self.reason.itemData(index)) if index >= 0 else typed

    def accept(self) -> None:
        case_id, reason = self._case_id, self.reason_text()
        self.write(lambda: self._service.reveal_phone(self._staff, case_id, reason), self._revealed)

    def _revealed(self, result: object) -> None:
        assert isinstance(result, RevealedPhone)
        self.revealed = result


def _secret_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit
