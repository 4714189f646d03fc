"""新工单: work orders that came down from the centre, urgent first; acknowledging them clears the badge."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from gridstation.domain.enums import CHANNEL_LABELS, Channel
from gridstation.services.staff import StaffMember
from gridstation.sync.engine import SyncService
from gridstation.sync.summary import NewWorkOrder
from gridstation.ui.labels import tr_label
from gridstation.ui.messages import show_error
from gridstation.ui.workers import run_in_background


class WorkOrderNotice(QDialog):
    """New work orders from the centre, urgent first; acknowledging them clears the badge."""

    open_case = Signal(str)

    def __init__(self, sync: SyncService, staff: StaffMember, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sync = sync
        self.staff = staff
        self.setWindowTitle(self.tr("新工单"))
        self.resize(760, 320)
        self.orders: list[NewWorkOrder] = sync.unseen_work_orders()
        self.table = QTableWidget(len(self.orders), 4)
        self.table.setHorizontalHeaderLabels([self.tr("工单编号"), self.tr("来源"), self.tr("内容"), self.tr("时限")])
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        for row, order in enumerate(self.orders):
            channel = tr_label(CHANNEL_LABELS.get(Channel(order.channel), order.channel))
            due = f"{sync.station.local_time(order.due_at):%m-%d %H:%M}" if order.due_at else "—"
            number = (self.tr("【紧急】") if order.urgent else "") + order.number
            for column, text in enumerate([number, channel, order.description, due]):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.cellDoubleClicked.connect(lambda row, _column: self.open_case.emit(self.orders[row].case_id))
        seen = QPushButton(self.tr("知道了(&A)"))
        seen.setDefault(True)
        seen.clicked.connect(self.acknowledge)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(seen)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def acknowledge(self) -> None:
        case_ids = [order.case_id for order in self.orders]
        run_in_background(
            lambda: self.sync.mark_work_orders_seen(self.staff, case_ids),
            lambda _result: self.accept(),
            lambda error: show_error(self, error),
            owner=self,
        )
