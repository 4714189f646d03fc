"""帮助 menu: the 上手指南 and the set-up guide, where this desk keeps its log (for whoever supports the station) and
what version it runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from gridstation import __version__
from gridstation.logsetup import DESK, log_directory
from gridstation.printing.templates import load_template
from gridstation.ui.printing import Document, PrintController

QUICK_START = "quick_start"  # forms/quick_start.toml (printing/quick_start.py renders it)


class HelpMenu(QObject):
    def __init__(
        self,
        data_dir: Path,
        parent: QWidget,
        printing: PrintController,
        open_setup: Callable[[], object],
    ) -> None:
        super().__init__(parent)
        self._parent = parent
        self._data_dir = data_dir
        self._printing = printing
        self._open_setup = open_setup
        # Replaced in tests: the real one hands the folder to the system's file manager.
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl

    def populate(self, menu: QMenu) -> None:
        guide = QAction(self.tr("上手指南(&G)…"), self)
        guide.triggered.connect(self.print_guide)
        setup = QAction(self.tr("首次设置向导(&W)…"), self)
        setup.triggered.connect(lambda _checked=False: self._open_setup())
        logs = QAction(self.tr("日志文件夹(&L)…"), self)
        logs.triggered.connect(self.open_log_folder)
        about = QAction(self.tr("关于 GridStation(&A)…"), self)
        about.triggered.connect(self.show_about)
        menu.addActions([guide, setup])
        menu.addSeparator()
        menu.addActions([logs, about])

    def print_guide(self) -> None:
        """The one-page 上手指南 in the print preview, from where it prints or is saved."""
        title = str(load_template(QUICK_START)["title"])

        def build() -> Document:
            from gridstation.printing.quick_start import FILE_NAME, render_quick_start  # reportlab's platypus

            return Document(title, FILE_NAME, render_quick_start())

        self._printing.render_then_preview(self.tr("上手指南"), build)

    def open_log_folder(self) -> Path:
        folder = log_directory(DESK)
        folder.mkdir(parents=True, exist_ok=True)  # opening a folder that does not exist yet would show nothing
        self.open_url(QUrl.fromLocalFile(str(folder)))
        return folder

    def about_text(self) -> str:
        return self.tr("GridStation 民情快办工作站 {0}\n\n数据目录：{1}\n日志目录：{2}").format(
            __version__, self._data_dir, log_directory(DESK)
        )

    def show_about(self) -> None:
        QMessageBox.about(self._parent, self.tr("关于 GridStation"), self.about_text())
