"""热点问题（一类事） at the desk: the categories rising in a grid or at one building against their own last weeks,
and the 易反复问题 (the same problem again and again at one address, or back after it was closed) — what the morning
report prints, on the screen. Counted on the thread pool; a double click on a 易反复 row shows its latest case."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gridstation.domain.hotspots import SCOPE_LABELS, Hotspots
from gridstation.services.station import StationService
from gridstation.ui.dialogs import close_buttons
from gridstation.ui.labels import tr_label
from gridstation.ui.messages import error_text
from gridstation.ui.workers import run_in_background


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            table.setItem(r, c, QTableWidgetItem(text))
    table.resizeColumnsToContents()


class HotspotsDialog(QDialog):
    def __init__(
        self, service: StationService, show_case: Callable[[str], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("热点问题（一类事）"))
        self.resize(900, 560)
        self._service = service
        self._show_case = show_case
        self.status = QLabel(self.tr("正在统计…"))
        self.status.setWordWrap(True)
        self.rising = _table([self.tr("范围"), self.tr("类别"), self.tr("网格"), self.tr("地点"), self.tr("逐周件数"),
                              self.tr("说明")])  # fmt: skip
        self.recurring = _table([self.tr("类别"), self.tr("网格"), self.tr("地点"), self.tr("件数"), self.tr("说明")])
        self.recurring.cellActivated.connect(self._activated)
        self.recurring.cellDoubleClicked.connect(self._activated)
        buttons = close_buttons(self, self.tr("关闭"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(QLabel(self.tr("热点上升（同一网格或同一楼栋的同类诉求明显多于平时）")))
        layout.addWidget(self.rising, 1)
        layout.addWidget(QLabel(self.tr("易反复问题（双击或按回车：查看最近一件）")))
        layout.addWidget(self.recurring, 1)
        layout.addWidget(buttons)
        self.found: Hotspots | None = None
        run_in_background(lambda: service.hotspots(), self._show, self._failed, owner=self)

    def _show(self, found: object) -> None:
        assert isinstance(found, Hotspots)
        self.found = found
        windows = found.windows
        self.status.setText(
            self.tr("近 7 天与此前 {0} 周比较；上升 {1} 项，易反复 {2} 处。口径见 docs/report.md。").format(
                len(windows.starts) - 1, len(found.rising), len(found.recurring)
            )
        )
        _fill(
            self.rising,
            [
                [
                    tr_label(SCOPE_LABELS[h.scope]),
                    h.category_name,
                    h.grid_name,
                    h.place or "—",
                    " ".join(str(n) for n in h.weeks[:-1]) + f" → {h.this_week}",
                    h.reason,
                ]
                for h in found.rising
            ],
        )
        _fill(
            self.recurring,
            [[r.category_name, r.grid_name, r.place, str(r.total), r.reason] for r in found.recurring],
        )

    def _failed(self, error: BaseException) -> None:
        self.status.setText(self.tr("无法统计热点问题：{0}").format(error_text(error)))

    def _activated(self, row: int, _column: int) -> None:
        if self.found is None or not 0 <= row < len(self.found.recurring):
            return
        numbers = self.found.recurring[row].numbers
        if numbers:
            self._show_case(self._service.case_by_number(numbers[-1]).id)
