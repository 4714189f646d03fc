"""新工单: work orders that came down from the centre, urgent first; acknowledging them clears the badge.

Each row says what a clerk needs to act: the ticket, where it came from, the category, the address, what the
resident said and when it is due. Enter (or a double click, or 打开诉求) opens the chosen case at the desk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gridstation.domain.enums import CHANNEL_LABELS, Channel
from gridstation.services.staff import StaffMember
from gridstation.sync.summary import NewWorkOrder
from gridstation.ui.dialogs import confirm_with_ctrl_enter
from gridstation.ui.labels import tr_label
from gridstation.ui.messages import show_error
from gridstation.ui.workers import run_in_background

if TYPE_CHECKING:  # built by the sync controller on the first sync: not on the start path
    from gridstation.sync.engine import SyncService


class WorkOrderNotice(QDialog):
    """New work orders from the centre, urgent first; acknowledging them clears the badge."""

    open_case = Signal(str)

    def __init__(self, sync: SyncService, staff: StaffMember, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sync = sync
        self.staff = staff
        self.setWindowTitle(self.tr("新工单"))
        self.resize(980, 360)
        self.orders: list[NewWorkOrder] = sync.unseen_work_orders()
        categories = sync.station.category_names()
        headers = [
            self.tr("工单编号"),
            self.tr("来源"),
            self.tr("分类"),
            self.tr("地址"),
            self.tr("内容"),
            self.tr("时限"),
        ]
        self.table = QTableWidget(len(self.orders), len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        for row, order in enumerate(self.orders):
            channel = tr_label(CHANNEL_LABELS.get(Channel(order.channel), order.channel))
            due = f"{sync.station.local_time(order.due_at):%m-%d %H:%M}" if order.due_at else "—"
            number = (self.tr("【紧急】") if order.urgent else "") + order.number
            category = categories.get(order.category_code, order.category_code)
            for column, text in enumerate([number, channel, category, order.address, order.description, due]):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        if self.orders:
            self.table.selectRow(0)
        self.table.cellDoubleClicked.connect(lambda row, _column: self.open_order(row))
        # Enter on the list opens the chosen case (not the default button); Ctrl+Enter, the desk's confirm key,
        # acknowledges them all.
        self.table.installEventFilter(self)
        open_button = QPushButton(self.tr("打开诉求(&O)"))
        open_button.clicked.connect(self.open_current)
        seen = QPushButton(self.tr("知道了(&A)"))
        seen.setDefault(True)
        seen.clicked.connect(self.acknowledge)
        confirm_with_ctrl_enter(self, self.acknowledge)
        buttons = QHBoxLayout()
        buttons.addWidget(open_button)
        buttons.addStretch(1)
        buttons.addWidget(seen)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.table.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.open_current()
            return True
        return super().eventFilter(watched, event)

    def open_current(self) -> None:
        self.open_order(self.table.currentRow())

    def open_order(self, row: int) -> None:
        """Show the case at the desk; the notice closes, and the badge stays until the orders are acknowledged."""
        if 0 <= row < len(self.orders):
            self.open_case.emit(self.orders[row].case_id)
            self.reject()

    def acknowledge(self) -> None:
        case_ids = [order.case_id for order in self.orders]
        run_in_background(
            lambda: self.sync.mark_work_orders_seen(self.staff, case_ids),
            lambda _result: self.accept(),
            lambda error: show_error(self, error),
            owner=self,
        )
