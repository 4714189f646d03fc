"""帮助 menu: where this desk keeps its log (for whoever supports the station) and what version it runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from gridstation import __version__
from gridstation.logsetup import DESK, log_directory


class HelpMenu(QObject):
    def __init__(self, data_dir: Path, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent
        self._data_dir = data_dir
        # Replaced in tests: the real one hands the folder to the system's file manager.
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl

    def populate(self, menu: QMenu) -> None:
        logs = QAction(self.tr("日志文件夹(&L)…"), self)
        logs.triggered.connect(self.open_log_folder)
        about = QAction(self.tr("关于 GridStation(&A)…"), self)
        about.triggered.connect(self.show_about)
        menu.addActions([logs, about])

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
