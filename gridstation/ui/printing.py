"""Printing from the desk: preview, print through Qt's print dialog or a thermal ESC/POS printer, or save as PDF.

Documents are rendered by reportlab on the thread pool; printing rasterises the PDF pages with QtPdf and paints them
on a QPrinter, also on the pool (Qt allows painting on a QPrinter outside the GUI thread). Only the dialogs run on
the GUI thread. A failed print never touches the case: it was saved before printing started.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QObject, QRectF, QSize, QSizeF, Signal
from PySide6.QtGui import QAction, QImage, QKeySequence, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gridstation.domain.case import CaseState
from gridstation.printing.errors import PrinterError
from gridstation.printing.paperwork import Paperwork, PrintSettings, save_pdf
from gridstation.services.staff import StaffMember
from gridstation.ui.messages import error_text
from gridstation.ui.workers import run_in_background

RASTER_DPI = 300  # enough for thermal heads (203 dpi) and office lasers; 1200 dpi pages would need 500 MB each


@dataclass(frozen=True, slots=True)
class Document:
    """A rendered document ready to preview, print or save."""

    title: str
    file_name: str
    pdf: bytes


def _open_pdf(pdf: bytes) -> tuple[QPdfDocument, QBuffer]:
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    if document.status() is not QPdfDocument.Status.Ready:
        raise PrinterError("printer.failed", detail="文档无法读取")
    return document, buffer  # the buffer must outlive the document


def check_printer(name: str) -> None:
    """Refuse at once when there is no such printer, rather than letting Qt print into the void."""
    available = [info.printerName() for info in QPrinterInfo.availablePrinters()]
    if not available:
        raise PrinterError("printer.none", retryable=True)
    if name and name not in available:
        raise PrinterError("printer.missing", name)


def make_printer(name: str) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if name:
        printer.setPrinterName(name)
    return printer


def print_pdf(pdf: bytes, printer: QPrinter) -> None:
    """Paint every page of `pdf` on `printer`, each page at its own size. Runs on a worker thread."""
    document, _buffer = _open_pdf(pdf)
    name = printer.printerName() or printer.outputFileName()
    printer.setFullPage(True)
    painter = QPainter()
    for index in range(document.pageCount()):
        points = document.pagePointSize(index)
        layout = QPageLayout(
            QPageSize(
                QSizeF(points.width(), points.height()), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.ExactMatch
            ),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
        )
        printer.setPageLayout(layout)
        if index == 0 and not painter.begin(printer):
            raise PrinterError("printer.offline", name)
        if index > 0 and not printer.newPage():
            painter.end()
            raise PrinterError("printer.failed", name, "换页失败")
        dpi = min(printer.resolution(), RASTER_DPI)
        size = QSize(math.ceil(points.width() / 72 * dpi), math.ceil(points.height() / 72 * dpi))
        image: QImage = document.render(index, size)
        target = QRectF(painter.viewport())
        scale = min(target.width() / size.width(), target.height() / size.height())
        painter.drawImage(QRectF(0, 0, size.width() * scale, size.height() * scale), image)
    if painter.isActive():
        painter.end()
    if printer.printerState() in (QPrinter.PrinterState.Error, QPrinter.PrinterState.Aborted):
        raise PrinterError("printer.failed", name, "打印机报告错误")


class PreviewDialog(QDialog):
    """Shows the PDF exactly as it will print; from here it can be printed or saved."""

    print_requested = Signal()
    save_requested = Signal()

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("打印预览 — {0}").format(document.title))
        self.resize(720, 860)
        self.pdf_document, self._buffer = _open_pdf(document.pdf)
        self.pdf_document.setParent(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.pdf_document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        buttons = QDialogButtonBox()
        self.print_button = QPushButton(self.tr("打印(&P)…"))
        self.save_button = QPushButton(self.tr("另存为 PDF(&S)…"))
        close = QPushButton(self.tr("关闭"))
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(close, QDialogButtonBox.ButtonRole.RejectRole)
        self.print_button.clicked.connect(self.print_requested)
        self.save_button.clicked.connect(self.save_requested)
        close.clicked.connect(self.reject)
        for sequence, signal in (
            (QKeySequence.StandardKey.Print, self.print_requested),
            (QKeySequence.StandardKey.Save, self.save_requested),
        ):
            action = QAction(self)
            action.setShortcut(sequence)
            action.triggered.connect(signal)
            self.addAction(action)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.print_button.setDefault(True)


class PrintController(QObject):
    """Everything the desk prints goes through here, so each document gets the same preview, errors and retries."""

    message = Signal(str)  # for the status bar
    receipt_recorded = Signal(object)  # the case after its print was written to its history

    def __init__(self, paperwork: Paperwork, staff: StaffMember, window: QWidget) -> None:
        super().__init__(window)
        self.paperwork = paperwork
        self.staff = staff
        self.window = window
        self.last_error: BaseException | None = None
        self.preview: PreviewDialog | None = None
        self.failure_box: QMessageBox | None = None
        # Tests and the "print to file" path replace these; the desk uses the system's printers.
        self.check_printer: Callable[[str], None] = check_printer
        self.make_printer: Callable[[str], QPrinter] = make_printer
        self.ask_printer: Callable[[QPrinter], bool] = self._ask_printer
        self.ask_save_path: Callable[[str], str] = self._ask_save_path

    # ------------------------------------------------------------------ receipts

    def print_receipt(self, case_id: str, *, preview: bool | None = None) -> None:
        """Print the case's receipt the way the station is set up: at once, or after a preview."""
        settings = self.paperwork.print_settings()
        wants_preview = settings.receipt_mode == "preview" if preview is None else preview
        self.message.emit(self.tr("正在生成回执…"))

        def render() -> tuple[Document, bytes | None]:
            # reportlab loads on first use, on the pool: the desk starts without it.
            from gridstation.printing.escpos import receipt_escpos
            from gridstation.printing.receipt import render_receipt

            data = self.paperwork.receipt(case_id)
            pdf = render_receipt(data, settings.receipt_paper, stub=settings.station_stub)
            raw = None
            if settings.escpos.enabled:
                raw = receipt_escpos(data, settings.receipt_paper, stub=settings.station_stub)
            return Document(self.tr("回执 {0}").format(data.number), f"回执-{data.number}.pdf", pdf), raw

        def rendered(result: object) -> None:
            assert isinstance(result, tuple)
            document, raw = result
            on_printed = lambda: self._record_receipt(case_id, settings)  # noqa: E731
            if wants_preview:
                self.show_preview(document, on_printed=on_printed, escpos=raw, settings=settings)
            elif raw is not None:
                self._send_escpos(document, raw, settings, on_printed)
            else:
                self.print_document(document, settings.printer_name, on_printed=on_printed)

        run_in_background(render, rendered, self._report, owner=self)

    def _record_receipt(self, case_id: str, settings: PrintSettings) -> None:
        run_in_background(
            lambda: self.paperwork.record_receipt_printed(self.staff, case_id, settings.receipt_paper),
            self._receipt_recorded,
            self._report,
            owner=self,
        )

    def _receipt_recorded(self, state: object) -> None:
        assert isinstance(state, CaseState)
        self.message.emit(self.tr("已打印回执 {0}").format(state.number))
        self.receipt_recorded.emit(state)

    def _send_escpos(
        self, document: Document, raw: bytes, settings: PrintSettings, on_printed: Callable[[], None]
    ) -> None:
        from gridstation.printing.escpos import print_escpos

        self.message.emit(self.tr("正在发送到热敏打印机…"))
        run_in_background(
            lambda: print_escpos(settings.escpos, raw),
            lambda _result: on_printed(),
            lambda error: self._failed(error, lambda: self._send_escpos(document, raw, settings, on_printed), document),
            owner=self,
        )

    # ------------------------------------------------------------------ any document

    def render_then_preview(self, title: str, build: Callable[[], Document]) -> None:
        """Build a document off the UI thread, then preview it."""
        self.message.emit(self.tr("正在生成{0}…").format(title))

        def built(document: object) -> None:
            self.show_preview(document)

        run_in_background(build, built, self._report, owner=self)

    def show_preview(
        self,
        document: object,
        *,
        on_printed: Callable[[], None] | None = None,
        escpos: bytes | None = None,
        settings: PrintSettings | None = None,
    ) -> PreviewDialog:
        assert isinstance(document, Document)
        dialog = PreviewDialog(document, self.window)
        self.preview = dialog
        self.message.emit(self.tr("{0}：预览").format(document.title))

        def print_it() -> None:
            if escpos is not None and settings is not None:
                dialog.accept()
                self._send_escpos(document, escpos, settings, on_printed or (lambda: None))
                return
            printer = self.make_printer(settings.printer_name if settings else "")
            if self.ask_printer(printer):
                dialog.accept()
                self._print_on(document, printer, on_printed)

        dialog.print_requested.connect(print_it)
        # A saved file is not a printed slip: nothing goes into the case's history (no 补打 for a PDF).
        dialog.save_requested.connect(lambda: self.save_pdf(document))
        dialog.open()
        return dialog

    def print_document(
        self, document: Document, printer_name: str = "", *, on_printed: Callable[[], None] | None = None
    ) -> None:
        """Print straight to the configured printer (no dialog): the one-key path at the counter."""
        try:
            self.check_printer(printer_name)
        except PrinterError as error:
            self._failed(error, lambda: self.print_document(document, printer_name, on_printed=on_printed), document)
            return
        self._print_on(document, self.make_printer(printer_name), on_printed)

    def _print_on(self, document: Document, printer: QPrinter, on_printed: Callable[[], None] | None) -> None:
        self.message.emit(self.tr("正在打印{0}…").format(document.title))
        printer.setDocName(document.title)

        def done(_result: object) -> None:
            self.message.emit(self.tr("已打印{0}").format(document.title))
            if on_printed is not None:
                on_printed()

        run_in_background(
            lambda: print_pdf(document.pdf, printer),
            done,
            lambda error: self._failed(error, lambda: self._print_on(document, printer, on_printed), document),
            owner=self,
        )

    def save_pdf(self, document: Document, path: str | None = None) -> None:
        target = path if path is not None else self.ask_save_path(document.file_name)
        if not target:
            return

        def write() -> Path:
            return save_pdf(Path(target), document.pdf)

        def done(result: object) -> None:
            self.message.emit(self.tr("已保存 {0}").format(result))

        run_in_background(write, done, self._report, owner=self)

    # ------------------------------------------------------------------ failures

    def _failed(self, error: BaseException, retry: Callable[[], None], document: Document) -> None:
        """Say what went wrong in words a clerk can act on; offer to retry or to save the PDF instead."""
        self.last_error = error
        text = error_text(error)
        self.message.emit(text)
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("打印未完成"), text, parent=self.window)
        box.setInformativeText(self.tr("诉求已保存，不受影响。"))
        retry_button = box.addButton(self.tr("重试(&R)"), QMessageBox.ButtonRole.AcceptRole)
        save_button = box.addButton(self.tr("另存为 PDF(&S)…"), QMessageBox.ButtonRole.ActionRole)
        box.addButton(self.tr("取消"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(retry_button)
        self.failure_box = box

        def chosen(_result: int) -> None:
            clicked = box.clickedButton()
            self.failure_box = None
            if clicked is retry_button:
                retry()
            elif clicked is save_button:
                self.save_pdf(document)

        box.finished.connect(chosen)
        box.open()

    def _report(self, error: BaseException) -> None:
        self.last_error = error
        text = error_text(error)
        self.message.emit(text)
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("无法生成文档"), text, parent=self.window)
        self.failure_box = box
        box.open()

    # ------------------------------------------------------------------ dialogs (GUI thread)

    def _ask_printer(self, printer: QPrinter) -> bool:
        dialog = QPrintDialog(printer, self.window)
        dialog.setWindowTitle(self.tr("打印"))
        return dialog.exec() == QDialog.DialogCode.Accepted

    def _ask_save_path(self, file_name: str) -> str:
        path, _ = QFileDialog.getSaveFileName(
            self.window, self.tr("另存为 PDF"), str(Path.home() / file_name), self.tr("PDF 文件 (*.pdf)")
        )
        return path
