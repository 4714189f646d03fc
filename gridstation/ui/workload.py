"""工作量: each person's open cases by the colour of their running deadline, for the station head (专人专责).

Read on the thread pool (every open case's deadline); a double click on a person shows that person's cases in the
list, as 我的诉求 shows one's own.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from gridstation.domain.listing import Workload
from gridstation.domain.sla import COLOUR_LABELS, Colour
from gridstation.services.station import StationService
from gridstation.ui.dialogs import close_buttons
from gridstation.ui.labels import tr_label
from gridstation.ui.messages import error_text
from gridstation.ui.workers import run_in_background

SHOWN_COLOURS = (Colour.RED, Colour.ORANGE, Colour.YELLOW, Colour.BLUE, Colour.GREEN, Colour.NONE)


class WorkloadDialog(QDialog):
    def __init__(
        self, service: StationService, show_owner: Callable[[str], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("工作量：各责任人的在办诉求"))
        self.setMinimumWidth(560)
        self._show_owner = show_owner
        self.status = QLabel(self.tr("正在统计…"))
        self.table = QTableWidget(0, 2 + len(SHOWN_COLOURS))
        self.table.setHorizontalHeaderLabels(
            [self.tr("责任人"), self.tr("在办")] + [tr_label(COLOUR_LABELS[c]) for c in SHOWN_COLOURS]
        )
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.cellActivated.connect(self._activated)
        self.table.cellDoubleClicked.connect(self._activated)
        buttons = close_buttons(self, self.tr("关闭"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.table)
        layout.addWidget(QLabel(self.tr("双击或按回车：在列表中查看此人的在办诉求")))
        layout.addWidget(buttons)
        self.rows: list[Workload] = []
        run_in_background(service.workloads, self._show, self._failed, owner=self)

    def _show(self, rows: object) -> None:
        assert isinstance(rows, list)
        self.rows = rows
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            cells = [row.owner or self.tr("（未指定）"), str(row.open_cases)]
            cells += [str(row.by_colour.get(c, 0)) for c in SHOWN_COLOURS]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(r, c, item)
        total = sum(row.open_cases for row in rows)
        overdue = sum(row.overdue for row in rows)
        self.status.setText(self.tr("在办 {0} 件，其中超期 {1} 件；按超期件数排列。").format(total, overdue))

    def _failed(self, error: BaseException) -> None:
        self.status.setText(error_text(error))

    def _activated(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.rows):
            self._show_owner(self.rows[row].owner)
            self.accept()
