"""时限标准 (admins): the station's deadline policy as the JSON of `gridstation settings show`, edited or read from a
file, and saved only when it is a complete, valid policy — the same rule as `gridstation settings set deadlines`
(domain/sla_document.py). A refusal names the field and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from gridstation.domain.errors import DomainError
from gridstation.domain.sla import DeadlinePolicy
from gridstation.domain.sla_document import policy_from_document, read_document
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.dialogs import WritingDialog, accept_cancel_buttons, error_label
from gridstation.ui.messages import error_text


class DeadlineSettingsDialog(WritingDialog):
    def __init__(self, service: StationService, staff: StaffMember, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._staff = staff
        self.saved: DeadlinePolicy | None = None
        self.setWindowTitle(self.tr("时限标准"))
        self.resize(560, 520)

        note = QLabel(
            self.tr("每种处置方式的各阶段时限（分钟，null 表示不计时限）。保存后所有诉求的当前时限按新标准重新计算。")
        )
        note.setWordWrap(True)
        self.editor = QPlainTextEdit()
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setPlainText(json.dumps(service.deadline_policy().to_json(), ensure_ascii=False, indent=2))
        self.from_file = QPushButton(self.tr("从文件读入(&F)…"))
        self.from_file.clicked.connect(self.read_file)
        self.error = error_label()
        self.buttons = accept_cancel_buttons(self, self.tr("保存"), self.tr("取消"))

        row = QHBoxLayout()
        row.addWidget(self.from_file)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        version, received = service.district_policy_version()
        self.district = QLabel(
            self.tr("执行街道时限标准第 {0} 版（{1} 收到）；本站只能在此基础上收紧。").format(
                version, f"{service.local_time(received):%Y-%m-%d %H:%M}"
            )
            if version and received is not None
            else self.tr("尚未收到街道时限标准：执行本站标准（默认 51530）。")
        )
        self.district.setObjectName("district_policy_version")
        layout.addWidget(self.district)
        layout.addWidget(note)
        layout.addWidget(self.editor, 1)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def read_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self.tr("读入时限标准"), "", self.tr("JSON 文件 (*.json)"))
        if name:
            self.load(Path(name))

    def load(self, path: Path) -> None:
        """Put a file's text in the editor (the output of `settings show` or a bare policy); checked on save."""
        try:
            self.editor.setPlainText(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError):
            self._refuse(DomainError("settings.unreadable", f"无法读取设置文件：{path}"))

    def accept(self) -> None:
        try:
            policy = policy_from_document(read_document(self.editor.toPlainText(), self.tr("时限标准")))
        except DomainError as refusal:
            self._refuse(refusal)
            return
        self.write(lambda: self._service.set_deadline_policy(self._staff, policy), lambda _: self._saved(policy))

    def _refuse(self, error: DomainError) -> None:
        self.error.setText(error_text(error))
        self.error.show()

    def _saved(self, policy: DeadlinePolicy) -> None:
        self.saved = policy
