"""Print settings (admins): receipt paper and mode, the office printer, and an ESC/POS thermal printer."""

from __future__ import annotations

from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gridstation.printing.config import EscPosSettings
from gridstation.printing.paperwork import ESCPOS_KINDS, RECEIPT_MODES, Paperwork, PrintSettings
from gridstation.printing.templates import receipt_papers
from gridstation.services.staff import StaffMember
from gridstation.ui.dialogs import WritingDialog, accept_cancel_buttons, error_label
from gridstation.ui.labels import tr_label


class PrintSettingsDialog(WritingDialog):
    def __init__(self, paperwork: Paperwork, staff: StaffMember, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._paperwork = paperwork
        self._staff = staff
        self.saved: PrintSettings | None = None
        self.setWindowTitle(self.tr("打印设置"))
        current = paperwork.print_settings()

        self.paper = QComboBox()
        for key, paper in receipt_papers().items():
            self.paper.addItem(tr_label(paper.label), key)
        self.paper.setCurrentIndex(max(0, self.paper.findData(current.receipt_paper)))
        self.mode = QComboBox()
        for key, label in RECEIPT_MODES.items():
            self.mode.addItem(tr_label(label), key)
        self.mode.setCurrentIndex(max(0, self.mode.findData(current.receipt_mode)))
        self.stub = QCheckBox(self.tr("同时打印工作站存根"))
        self.stub.setChecked(current.station_stub)
        self.printer = QComboBox()
        self.printer.addItem(self.tr("系统默认打印机"), "")
        for info in QPrinterInfo.availablePrinters():
            self.printer.addItem(info.printerName(), info.printerName())
        if current.printer_name and self.printer.findData(current.printer_name) < 0:
            self.printer.addItem(self.tr("{0}（未找到）").format(current.printer_name), current.printer_name)
        self.printer.setCurrentIndex(max(0, self.printer.findData(current.printer_name)))

        receipt_box = QGroupBox(self.tr("回执"))
        receipt_form = QFormLayout(receipt_box)
        receipt_form.addRow(self.tr("纸张"), self.paper)
        receipt_form.addRow(self.tr("登记后按 F9"), self.mode)
        receipt_form.addRow("", self.stub)
        receipt_form.addRow(self.tr("打印机"), self.printer)

        escpos = current.escpos
        self.escpos_kind = QComboBox()
        for key, label in ESCPOS_KINDS.items():
            self.escpos_kind.addItem(tr_label(label), key)
        self.escpos_kind.setCurrentIndex(max(0, self.escpos_kind.findData(escpos.kind)))
        self.host = QLineEdit(escpos.host)
        self.host.setPlaceholderText("192.168.1.50")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(escpos.port)
        self.usb_vendor = QLineEdit(escpos.usb_vendor)
        self.usb_vendor.setPlaceholderText("0416")
        self.usb_product = QLineEdit(escpos.usb_product)
        self.usb_product.setPlaceholderText("5011")
        self.serial_device = QLineEdit(escpos.serial_device)
        self.serial_device.setPlaceholderText("COM3 / /dev/ttyUSB0")
        self.baudrate = QComboBox()
        for rate in (9600, 19200, 38400, 115200):
            self.baudrate.addItem(str(rate), rate)
        self.baudrate.setCurrentIndex(max(0, self.baudrate.findData(escpos.baudrate)))
        escpos_box = QGroupBox(self.tr("热敏打印机（ESC/POS 直连，打印中文和二维码）"))
        escpos_form = QFormLayout(escpos_box)
        escpos_form.addRow(self.tr("连接方式"), self.escpos_kind)
        escpos_form.addRow(self.tr("IP 地址"), self.host)
        escpos_form.addRow(self.tr("端口"), self.port)
        escpos_form.addRow(self.tr("USB 厂商号"), self.usb_vendor)
        escpos_form.addRow(self.tr("USB 产品号"), self.usb_product)
        escpos_form.addRow(self.tr("串口"), self.serial_device)
        escpos_form.addRow(self.tr("波特率"), self.baudrate)
        self._escpos_form = escpos_form
        self.escpos_kind.currentIndexChanged.connect(self._update_escpos_rows)
        self._update_escpos_rows()

        self.error = error_label()
        self.buttons = accept_cancel_buttons(self, self.tr("保存"), self.tr("取消"))
        layout = QVBoxLayout(self)
        layout.addWidget(receipt_box)
        layout.addWidget(escpos_box)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def _update_escpos_rows(self) -> None:
        kind = self.escpos_kind.currentData()
        visible = {
            self.host: kind == "network",
            self.port: kind == "network",
            self.usb_vendor: kind == "usb",
            self.usb_product: kind == "usb",
            self.serial_device: kind == "serial",
            self.baudrate: kind == "serial",
        }
        for widget, shown in visible.items():
            self._escpos_form.setRowVisible(widget, shown)

    def settings(self) -> PrintSettings:
        return PrintSettings(
            receipt_paper=str(self.paper.currentData()),
            receipt_mode=str(self.mode.currentData()),
            station_stub=self.stub.isChecked(),
            printer_name=str(self.printer.currentData()),
            escpos=EscPosSettings(
                kind=str(self.escpos_kind.currentData()),
                host=self.host.text(),
                port=self.port.value(),
                usb_vendor=self.usb_vendor.text().strip(),
                usb_product=self.usb_product.text().strip(),
                serial_device=self.serial_device.text(),
                baudrate=int(self.baudrate.currentData()),
            ),
        )

    def accept(self) -> None:
        settings = self.settings()
        self.write(lambda: self._paperwork.set_print_settings(self._staff, settings), self._saved)

    def _saved(self, saved: object) -> None:
        assert isinstance(saved, PrintSettings)
        self.saved = saved
