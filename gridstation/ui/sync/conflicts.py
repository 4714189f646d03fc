"""冲突处理: values edited both here and at the centre, side by side; choosing one writes a new event."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gridstation.services.staff import StaffMember
from gridstation.sync.inbox import ConflictView
from gridstation.ui.dialogs import error_label
from gridstation.ui.messages import error_text
from gridstation.ui.workers import run_in_background

if TYPE_CHECKING:  # built by the sync controller on the first sync: not on the start path
    from gridstation.sync.engine import SyncService


class ConflictInbox(QDialog):
    """Values edited both here and at the centre, side by side; choosing one writes a new event."""

    resolved = Signal(object)  # CaseState

    def __init__(self, sync: SyncService, staff: StaffMember, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sync = sync
        self.staff = staff
        self.setWindowTitle(self.tr("冲突处理"))
        self.resize(860, 360)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [self.tr("编号"), self.tr("项目"), self.tr("本站的值"), self.tr("城运中心的值"), self.tr("原值")]
        )
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.keep_station = QPushButton(self.tr("采用本站的值(&L)"))
        self.keep_server = QPushButton(self.tr("保留城运中心的值(&K)"))
        self.keep_station.clicked.connect(lambda: self.resolve("station"))
        self.keep_server.clicked.connect(lambda: self.resolve("server"))
        self.empty = QLabel(self.tr("没有待处理的冲突。"))
        self.error = error_label()
        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_station)
        buttons.addWidget(self.keep_server)
        buttons.addStretch(1)
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.conflicts: list[ConflictView] = []
        self.reload()

    def reload(self) -> None:
        self.conflicts = self.sync.open_conflicts()
        self.table.setRowCount(len(self.conflicts))
        for row, conflict in enumerate(self.conflicts):
            station_side = self.tr("{0}\n{1}，{2}").format(
                _value(conflict.station_value), conflict.station_actor, self._when(conflict.station_at)
            )
            server_side = self.tr("{0}\n{1}，{2}").format(
                _value(conflict.server_value),
                conflict.server_actor or self.tr("城运中心"),
                self._when(conflict.server_at),
            )
            cells = [
                conflict.case_number,
                self.tr(conflict.label),
                station_side,
                server_side,
                _value(conflict.base_value),
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, conflict.id)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
        has_rows = bool(self.conflicts)
        self.empty.setVisible(not has_rows)
        self.keep_station.setEnabled(has_rows)
        self.keep_server.setEnabled(has_rows)
        if has_rows:
            self.table.selectRow(0)

    def _when(self, moment: datetime | None) -> str:
        if moment is None:
            return ""
        return f"{self.sync.station.local_time(moment):%m-%d %H:%M}"

    def resolve(self, keep: str) -> None:
        row = self.table.currentRow()
        if row < 0 or row >= len(self.conflicts):
            return
        self.error.hide()
        conflict_id = self.conflicts[row].id
        self.keep_station.setEnabled(False)
        self.keep_server.setEnabled(False)

        def done(state: object) -> None:
            self.resolved.emit(state)
            self.reload()

        def failed(error: BaseException) -> None:
            self.error.setText(error_text(error))
            self.error.show()
            self.reload()

        # A write: off the screen's thread, since a sync may hold the database for a moment.
        run_in_background(lambda: self.sync.resolve_conflict(self.staff, conflict_id, keep), done, failed, owner=self)


def _value(value: Any) -> str:
    if value is None or value == "":
        return QApplication.translate("sync", "（空）")
    return str(value)
