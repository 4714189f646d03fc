"""首次设置向导: what a technician does on a bare PC after the station and its administrator exist — enrol with the
centre, set up the receipt printer, and hand the clerks the 上手指南 and their sign-in. Offered on first start
(ui/app.py) and from 帮助 → 首次设置向导 later. Every page can be left for later: the desk works offline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget, QWizard, QWizardPage

from gridstation.domain.roles import Permission
from gridstation.printing.paperwork import Paperwork, PrintSettings
from gridstation.printing.templates import receipt_papers
from gridstation.services.staff import StaffMember
from gridstation.ui.labels import tr_label
from gridstation.ui.print_settings import PrintSettingsDialog
from gridstation.ui.sync.settings_dialog import EnrolmentForm

if TYPE_CHECKING:
    from gridstation.sync.engine import SyncService


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class EnrolmentPage(QWizardPage):
    def __init__(self, sync: SyncService, staff: StaffMember) -> None:
        super().__init__()
        self.setTitle(self.tr("第一步：登记到城运中心"))
        self.setSubTitle(
            self.tr(
                "用扫码枪扫入街道给的登记二维码，或粘贴二维码下方的文字，或选择二维码图片，然后按“登记”。"
                "暂时没有网络可以跳过，以后在“同步 → 同步设置”中登记。"
            )
        )
        self.form = EnrolmentForm(sync, staff, self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)

    def initializePage(self) -> None:
        # After QWizard has put the focus on its Next button: the scanner types, or the technician pastes, here.
        QTimer.singleShot(0, self.form.code.setFocus)


class PrinterPage(QWizardPage):
    def __init__(self, paperwork: Paperwork, staff: StaffMember, open_settings: Callable[[], PrintSettingsDialog]):
        super().__init__()
        self._paperwork = paperwork
        self._open_settings = open_settings
        self.setTitle(self.tr("第二步：打印机"))
        self.setSubTitle(self.tr("选择回执的纸张和打印机；热敏打印机可以设为 ESC/POS 直连（网络、USB 或串口）。"))
        self.current = _note("")
        self.settings_button = QPushButton(self.tr("打印设置(&P)…"))
        self.settings_button.setEnabled(staff.can(Permission.MANAGE_SETTINGS))
        self.settings_button.clicked.connect(self.open_settings)
        layout = QVBoxLayout(self)
        layout.addWidget(self.current)
        layout.addWidget(self.settings_button)
        layout.addStretch(1)
        self.dialog: PrintSettingsDialog | None = None

    def initializePage(self) -> None:
        self.show_settings(self._paperwork.print_settings())

    def show_settings(self, settings: PrintSettings) -> None:
        paper = receipt_papers().get(settings.receipt_paper)
        printer = settings.printer_name or self.tr("系统默认打印机")
        text = self.tr("现在：回执纸张 {0}，打印机 {1}").format(tr_label(paper.label) if paper else "—", printer)
        if settings.escpos.enabled:
            text += self.tr("，热敏打印机直连已设置")
        self.current.setText(text + self.tr("。"))

    def open_settings(self) -> PrintSettingsDialog:
        dialog = self._open_settings()
        dialog.accepted.connect(lambda: self.show_settings(dialog.saved or self._paperwork.print_settings()))
        self.dialog = dialog
        return dialog


class FinishPage(QWizardPage):
    def __init__(self, print_guide: Callable[[], None]) -> None:
        super().__init__()
        self.setTitle(self.tr("第三步：人员、登录与上手指南"))
        self.setSubTitle(self.tr("设置完成后，接待员用自己的姓名和 PIN 登录。"))
        self.guide_button = QPushButton(self.tr("打印上手指南(&G)…"))
        self.guide_button.clicked.connect(print_guide)
        layout = QVBoxLayout(self)
        layout.addWidget(
            _note(
                self.tr(
                    "在“文件 → 基础数据与人员 → 人员”中为每位接待员添加账号和 PIN。"
                    "接待员上岗时在登录窗口选择自己的姓名、输入 PIN；换班用“文件 → 切换用户”，离开窗口按 Ctrl+L 锁定。"
                )
            )
        )
        layout.addWidget(_note(self.tr("上手指南一页，贴在窗口旁；以后也可在“帮助 → 上手指南”中打印。")))
        layout.addWidget(self.guide_button)
        layout.addStretch(1)


class SetupWizard(QWizard):
    enrolled = Signal()

    def __init__(
        self,
        sync: SyncService,
        paperwork: Paperwork,
        staff: StaffMember,
        *,
        open_print_settings: Callable[[], PrintSettingsDialog],
        print_guide: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("首次设置向导"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)  # the same look on every system
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("下一步(&N) >"))
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< 上一步(&B)"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("完成(&F)"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("以后再说"))
        self.enrolment = EnrolmentPage(sync, staff)
        self.enrolment.form.enrolled.connect(self.enrolled)
        self.printer = PrinterPage(paperwork, staff, open_print_settings)
        self.finish = FinishPage(print_guide)
        for page in (self.enrolment, self.printer, self.finish):
            self.addPage(page)
        self.resize(640, 420)
