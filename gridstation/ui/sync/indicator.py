"""The status bar's sync corner: online or not, what is unsent and since when, the last sync, and red badges for
new work orders and open conflicts."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QToolButton, QWidget

from gridstation.sync.summary import STAGE_LABELS, SyncStatus
from gridstation.ui.labels import tr_label
from gridstation.ui.sync.controller import SyncController

BADGE_STYLE = "QToolButton { color: white; background: #c62828; border-radius: 8px; padding: 0 6px; }"


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return ""
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return QApplication.translate("sync", "刚刚")
    if minutes < 60:
        return QApplication.translate("sync", "{0} 分钟前").format(minutes)
    if minutes < 48 * 60:
        return QApplication.translate("sync", "{0} 小时前").format(minutes // 60)
    return QApplication.translate("sync", "{0} 天前").format(minutes // (24 * 60))


class SyncIndicator(QWidget):
    """The status bar's sync corner: online or not, what is unsent and since when, the last sync, and badges."""

    open_conflicts = Signal()
    open_work_orders = Signal()

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.text = QLabel()
        self.work_orders = QToolButton()
        self.work_orders.setAutoRaise(True)
        self.work_orders.clicked.connect(self.open_work_orders)
        self.conflicts = QToolButton()
        self.conflicts.setAutoRaise(True)
        self.conflicts.clicked.connect(self.open_conflicts)
        for badge in (self.work_orders, self.conflicts):
            badge.setStyleSheet(BADGE_STYLE)
            badge.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.work_orders)
        layout.addWidget(self.conflicts)
        layout.addWidget(self.text)
        self._running = False
        controller.status_changed.connect(self.show_status)
        controller.running_changed.connect(self._on_running)
        controller.progress.connect(self._on_progress)

    def _on_running(self, running: bool) -> None:
        self._running = running
        if running:
            self.text.setText(self.tr("⟳ 正在同步…"))

    def _on_progress(self, stage: str, done: int, total: int) -> None:
        amount = f" {done}/{total}" if total else ""
        self.text.setText(self.tr("⟳ {0}{1}").format(tr_label(STAGE_LABELS.get(stage, stage)), amount))

    def show_status(self, status: SyncStatus) -> None:
        now = self.controller.service.now()
        summary = self.controller.last_summary
        if not status.enrolled:
            line = self.tr("○ 未连接城运中心（未登记）")
        elif summary is not None and not summary.ok and summary.error_code in ("sync.offline", "sync.timeout"):
            line = self.tr("○ 离线")
        elif status.last_error:
            line = self.tr("⚠ 同步失败")
        elif summary is None:
            line = self.tr("◌ 尚未连接")  # nothing was tried since the desk started: do not claim to be online
        else:
            line = self.tr("● 在线")
        if status.unsent:
            line += self.tr("　未上传 {0} 条（最早 {1}）").format(status.unsent, _ago(status.oldest_unsent_at, now))
        else:
            line += self.tr("　无未上传")
        line += self.tr("　上次同步：{0}").format(_ago(status.last_success_at, now) or self.tr("从未"))
        if not self._running:
            self.text.setText(line)
        self.text.setToolTip(status.last_error or status.server_url)
        self._badge(self.work_orders, status.unseen_work_orders, self.tr("新工单 {0}"))
        self._badge(self.conflicts, status.open_conflicts, self.tr("冲突 {0}"))

    @staticmethod
    def _badge(button: QToolButton, count: int, template: str) -> None:
        button.setText(template.format(count))
        button.setVisible(count > 0)
