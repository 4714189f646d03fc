"""What the desk checks by itself about trust: that its logs are what GridStation wrote (at start-up), and that
closed cases past the retention period lose their personal data (at start-up and once a day).

Both run on the thread pool: checking the logs of a 200 000-case station reads millions of events (see
docs/security.md for how long), and the first window must not wait for it. A broken log leaves a red notice in the
status bar for as long as the desk is open, and a message box once.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox

from gridstation.services.integrity import IntegrityReport
from gridstation.services.retention import RetentionResult
from gridstation.services.station import StationService
from gridstation.ui.workers import run_reporting

log = logging.getLogger(__name__)

DAY_MS = 24 * 60 * 60 * 1000


class TrustChecks(QObject):
    """Owned by the main window; `start()` begins the checks (the window is already shown)."""

    checked = Signal(object)  # IntegrityReport
    retention_done = Signal(object)  # RetentionResult

    def __init__(self, service: StationService, window: QMainWindow) -> None:
        super().__init__(window)
        self._service = service
        self._window = window
        self.report: IntegrityReport | None = None
        self.warning = QLabel()
        self.warning.setObjectName("tamper_warning")
        self.warning.setStyleSheet("color: white; background: #c62828; padding: 2px 8px; font-weight: bold;")
        self.warning.hide()
        window.statusBar().addPermanentWidget(self.warning)
        self._daily = QTimer(self)
        self._daily.setInterval(DAY_MS)
        self._daily.timeout.connect(self.run_retention)

    def start(self) -> None:
        self.verify_logs()
        self.run_retention()
        self._daily.start()

    def verify_logs(self) -> None:
        run_reporting(
            lambda _report: self._service.verify_logs(),
            self._verified,
            lambda error: log.error("checking the logs failed: %s", error),
            owner=self,
            long_running=True,
        )

    def run_retention(self) -> None:
        run_reporting(
            lambda _report: self._service.run_retention(None),
            self._retained,
            lambda error: log.error("the retention run failed: %s", error),
            owner=self,
            long_running=True,
        )

    def _verified(self, report: object) -> None:
        assert isinstance(report, IntegrityReport)
        self.report = report
        log.info("log check: intact=%s in %.1f s", report.intact, report.seconds)
        if not report.intact:
            self.warning.setText(self.tr("⚠ 日志在 GridStation 之外被改动过（篡改）"))
            self.warning.setToolTip("\n".join(report.problems))
            self.warning.show()
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                self.tr("日志校验未通过"),
                self.tr(
                    "本工作站的事件日志或审计日志在 GridStation 之外被改动过（篡改）。\n"
                    "{0}\n请不要删除本机数据，运行 gridstation audit verify 查看详情，并联系街道管理员。"
                ).format("\n".join(report.problems)),
                QMessageBox.StandardButton.Ok,
                self._window,
            )
            box.setObjectName("tamper_message")
            box.open()
        self.checked.emit(report)

    def _retained(self, result: object) -> None:
        assert isinstance(result, RetentionResult)
        if result.cases or result.refused:
            log.info("retention: %s", result.message_zh())
        self.retention_done.emit(result)
