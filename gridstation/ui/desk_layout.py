"""Where the main window's panels sit, and remembering it on this machine.

The desk is designed for 1366×768 first: the intake form on the left, the case list above the case detail on
the right, both divisions draggable. Where a clerk drags them, and the window's size and place, are kept in
`desk-layout.ini` in the station's data folder (beside the intake drafts): per machine, outside the database,
so neither a backup nor a sync carries one desk's screen to another.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow, QScrollArea, QSplitter, QWidget

LAYOUT_FILE = "desk-layout.ini"
PREFERRED_SIZE = QSize(1366, 768)
INTAKE_WIDTH = 340  # enough for the form's fields and hints at 100 %; the list gets the rest
INTAKE_MIN_WIDTH = 300
LIST_SHARE, DETAIL_SHARE = 45, 55  # the detail pane holds the timeline, which needs the height


class DeskLayout:
    """The two splitters of the main window and the file their positions are kept in."""

    def __init__(self, data_dir: Path, intake: QWidget, case_list: QWidget, detail: QWidget) -> None:
        self._settings = QSettings(str(data_dir / LAYOUT_FILE), QSettings.Format.IniFormat)
        intake_scroll = QScrollArea()
        intake_scroll.setWidget(intake)
        intake_scroll.setWidgetResizable(True)
        intake_scroll.setMinimumWidth(INTAKE_MIN_WIDTH)
        self.right = QSplitter(Qt.Orientation.Vertical)
        self.right.setObjectName("list_detail_splitter")
        self.right.addWidget(case_list)
        self.right.addWidget(detail)
        self.right.setChildrenCollapsible(False)
        self.right.setStretchFactor(0, LIST_SHARE)
        self.right.setStretchFactor(1, DETAIL_SHARE)
        self.main = QSplitter(Qt.Orientation.Horizontal)
        self.main.setObjectName("intake_splitter")
        self.main.addWidget(intake_scroll)
        self.main.addWidget(self.right)
        self.main.setChildrenCollapsible(False)
        self.main.setStretchFactor(0, 0)
        self.main.setStretchFactor(1, 1)
        self.main.setSizes([INTAKE_WIDTH, PREFERRED_SIZE.width() - INTAKE_WIDTH])
        self.right.setSizes([LIST_SHARE * 10, DETAIL_SHARE * 10])
        self._restore_splitters()
        self.main.splitterMoved.connect(lambda _pos, _index: self.save_splitters())
        self.right.splitterMoved.connect(lambda _pos, _index: self.save_splitters())

    def _restore_splitters(self) -> None:
        for splitter in (self.main, self.right):
            state = self._settings.value(f"splitters/{splitter.objectName()}")
            if isinstance(state, QByteArray) and not state.isEmpty():
                splitter.restoreState(state)

    def save_splitters(self) -> None:
        # In memory while a divider is dragged (splitterMoved comes with every pixel); QSettings writes the file
        # on its own shortly after, and `save` writes it at once when the window closes.
        for splitter in (self.main, self.right):
            self._settings.setValue(f"splitters/{splitter.objectName()}", splitter.saveState())

    def place(self, window: QMainWindow) -> None:
        """The size and place the window had when it was last closed, else 1366×768 or the screen if smaller."""
        geometry = self._settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty() and window.restoreGeometry(geometry):
            return
        screen = window.screen() or QGuiApplication.primaryScreen()
        size = QSize(PREFERRED_SIZE)
        if screen is not None:
            size = size.boundedTo(screen.availableGeometry().size())
        window.resize(size.expandedTo(window.minimumSizeHint()))

    def save(self, window: QMainWindow) -> None:
        self._settings.setValue("window/geometry", window.saveGeometry())
        self.save_splitters()
        self._settings.sync()
