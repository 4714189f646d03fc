"""文件 → 导入历史台账…: bring a station's old Excel ledger in as cases.

The clerk chooses a .csv or .xlsx file; the ledger is checked first (a dry run, on the thread pool, with progress).
Bad rows are listed in a dialog the clerk can copy from and nothing is imported; otherwise the desk says what would
come in and asks, because an import cannot be undone (every case is in the event log for good). Then the import
runs with its progress, and its result is shown; the case list is refreshed by whoever listens to `imported`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gridstation.domain.enums import STATUS_LABELS, Status
from gridstation.domain.ledger_rows import LedgerInvalid
from gridstation.services.case_import import LedgerImportResult, StatusCount
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.dialogs import close_buttons
from gridstation.ui.labels import tr_label
from gridstation.ui.messages import show_error
from gridstation.ui.workers import run_reporting


def ask_ledger_file(parent: QWidget) -> str:
    """The file the clerk chose ("" if none). Tests replace this function."""
    path, _ = QFileDialog.getOpenFileName(
        parent,
        QCoreApplication.translate("LedgerImport", "选择历史台账"),
        str(Path.home()),
        QCoreApplication.translate("LedgerImport", "台账 (*.csv *.xlsx)"),
    )
    return path


class LedgerImport(QObject):
    """One import, from choosing the file to its result. Lives as long as its window (its parent)."""

    imported = Signal(object)  # LedgerImportResult, once cases were written

    def __init__(self, service: StationService, staff: StaffMember, window: QWidget) -> None:
        super().__init__(window)
        self.service = service
        self.staff = staff
        self.window = window
        self.progress: QProgressDialog | None = None
        self.confirmation: QMessageBox | None = None
        self.report: QDialog | None = None
        self.running = False

    def start(self) -> None:
        if self.running:
            return
        chosen = ask_ledger_file(self.window)
        if chosen:
            self._run(Path(chosen), dry_run=True)

    # ------------------------------------------------------------------ running, on the thread pool

    def _run(self, path: Path, *, dry_run: bool) -> None:
        self.running = True
        progress = QProgressDialog(self.window)
        progress.setObjectName("ledger_import_progress")
        progress.setWindowTitle(self.tr("导入历史台账"))
        progress.setLabelText(self.tr("正在读取 {0}…").format(path.name))
        progress.setCancelButton(None)  # batches already written stay; a half import is finished by importing again
        progress.setRange(0, 0)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.setMinimumDuration(0)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.show()
        self.progress = progress
        run_reporting(
            lambda report: self.service.import_ledger(self.staff, path, dry_run=dry_run, progress=report),
            lambda result: self._checked(path, result) if dry_run else self._done(result),
            self._failed,
            owner=self,
            on_progress=self._on_progress,
            long_running=True,
        )

    def _on_progress(self, stage: str, done: int, total: int) -> None:
        if self.progress is None:
            return
        texts = {
            "read": self.tr("正在读取文件…"),
            "check": self.tr("正在核对：{0} / {1} 行"),
            "write": self.tr("正在导入：{0} / {1} 件"),
        }
        self.progress.setLabelText(texts.get(stage, stage).format(done, total))
        self.progress.setRange(0, total)
        self.progress.setValue(min(done, total))

    def _end_progress(self) -> None:
        self.running = False
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None

    # ------------------------------------------------------------------ what the clerk is told

    def _checked(self, path: Path, result: object) -> None:
        self._end_progress()
        assert isinstance(result, LedgerImportResult)
        if not result.imported.total():
            self._tell(self.tr("「{0}」中没有新的诉求需要导入：{1}").format(path.name, self._skipped(result)), result)
            return
        text = "\n\n".join(
            [
                self.tr("「{0}」核对无误，将导入 {1} 件（{2}）。{3}").format(
                    path.name, result.imported.total(), self._statuses(result.imported), self._skipped(result)
                ),
                *result.all_notes(),
                self.tr("导入后不能撤销：每件诉求都按台账中的时间记入办理记录。是否导入？"),
            ]
        )
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("导入历史台账"),
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self.window,
        )
        box.setObjectName("ledger_import_confirm")
        box.setDefaultButton(QMessageBox.StandardButton.No)

        def answered(_result: int) -> None:
            self.confirmation = None
            if box.clickedButton() is box.button(QMessageBox.StandardButton.Yes):
                self._run(path, dry_run=False)

        box.finished.connect(answered)
        self.confirmation = box
        box.open()

    def _done(self, result: object) -> None:
        self._end_progress()
        assert isinstance(result, LedgerImportResult)
        self._tell(
            self.tr("已导入 {0} 件（{1}），{2}").format(
                result.imported.total(), self._statuses(result.imported), self._skipped(result)
            ),
            result,
        )
        self.imported.emit(result)

    def _failed(self, error: BaseException) -> None:
        self._end_progress()
        if isinstance(error, LedgerInvalid):
            self.report = ProblemsDialog(error, self.window)
            self.report.open()
        else:
            show_error(self.window, error, self.tr("无法导入历史台账"))

    def _tell(self, text: str, result: LedgerImportResult) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("导入历史台账"),
            "\n\n".join([text, *result.all_notes()]),
            QMessageBox.StandardButton.Ok,
            self.window,
        )
        box.setObjectName("ledger_import_result")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _skipped(self, result: LedgerImportResult) -> str:
        return self.tr("跳过已导入 {0} 件。").format(result.skipped)

    def _statuses(self, counts: StatusCount) -> str:
        return self.tr("，").join(
            self.tr("{0} {1}").format(tr_label(STATUS_LABELS[status]), counts.counts[status])
            for status in Status
            if counts.counts.get(status)
        )


class ProblemsDialog(QDialog):
    """Every bad row of a ledger, as text the clerk can select or copy whole to mend the file."""

    def __init__(self, invalid: LedgerInvalid, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ledger_import_problems")
        self.setWindowTitle(self.tr("历史台账有误，未导入"))
        self.resize(720, 420)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        intro = QLabel(
            self.tr("有 {0} 行不符合要求，一件也没有导入。请按下列行号在 Excel 中修改，再重新导入：").format(
                len(invalid.problems)
            )
        )
        intro.setWordWrap(True)
        self.text = QPlainTextEdit("\n".join([*(p.line() for p in invalid.problems), *invalid.notes]))
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        buttons = close_buttons(self, self.tr("关闭"))
        self.copy_button = QPushButton(self.tr("复制全部(&C)"))
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_all)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)

    def copy_all(self) -> None:
        clipboard = QApplication.clipboard()
        clipboard.setText(self.text.toPlainText())
        self.copy_button.setText(self.tr("已复制"))
