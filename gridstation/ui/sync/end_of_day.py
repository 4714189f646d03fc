"""日终同步: the sync's real progress, then its summary, which can be printed or saved as PDF."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gridstation.sync.report import headline, sections
from gridstation.sync.summary import STAGE_LABELS, SyncSummary
from gridstation.ui.labels import tr_label
from gridstation.ui.sync.controller import SyncController


class EndOfDayDialog(QDialog):
    """日终同步: real progress, then the summary, which can be printed or saved as PDF."""

    def __init__(
        self,
        controller: SyncController,
        parent: QWidget | None = None,
        *,
        print_summary: Callable[[SyncSummary], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.print_summary = print_summary
        self.summary: SyncSummary | None = None
        self.setWindowTitle(self.tr("日终同步"))
        self.resize(640, 520)
        self.stage = QLabel(self.tr("准备同步…"))
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.report_view = QTextBrowser()
        self.report_view.hide()
        self.cancel_button = QPushButton(self.tr("取消(&C)"))
        self.cancel_button.clicked.connect(self.cancel)
        self.print_button = QPushButton(self.tr("打印/存为 PDF(&P)…"))
        self.print_button.clicked.connect(self._print)
        self.print_button.hide()
        self.close_button = QPushButton(self.tr("关闭"))
        self.close_button.clicked.connect(self.accept)
        self.close_button.hide()
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stage)
        layout.addWidget(self.bar)
        layout.addWidget(self.report_view, 1)
        layout.addLayout(buttons)
        controller.progress.connect(self._on_progress)
        controller.finished.connect(self._on_finished)

    def begin(self) -> None:
        if not self.controller.start("end_of_day", check_receipt=True):
            # A background sync is already running: this dialog shows it, then runs the end-of-day check.
            self.stage.setText(self.tr("正在等待进行中的同步完成…"))
            self._again = True
        else:
            self._again = False

    def _on_progress(self, stage: str, done: int, total: int) -> None:
        label = tr_label(STAGE_LABELS.get(stage, stage))
        if total:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
            self.stage.setText(self.tr("{0}：{1} / {2}").format(label, done, total))
        else:
            self.bar.setRange(0, 0)
            self.stage.setText(self.tr("{0}：{1}").format(label, done) if done else label)

    def _on_finished(self, summary: SyncSummary) -> None:
        if getattr(self, "_again", False) and summary.kind != "end_of_day":
            self._again = False
            self.controller.start("end_of_day", check_receipt=True)
            return
        self.summary = summary
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        zone = self.controller.service.local_time(summary.started_at).tzinfo
        html = []
        for section in sections(summary, zone):  # type: ignore[arg-type]
            html.append(f"<h3>{_escape(section.title)}</h3>")
            html += [f"<div>{_escape(line)}</div>" for line in section.lines]
        self.report_view.setHtml("".join(html))
        self.report_view.show()
        self.stage.setText(summary_headline(summary))
        self.cancel_button.hide()
        self.close_button.show()
        self.print_button.setVisible(self.print_summary is not None)
        self.close_button.setFocus()

    def cancel(self) -> None:
        self._again = False  # if it was waiting for a background sync, it must not start its own afterwards
        self.controller.cancel()
        self.stage.setText(self.tr("正在取消…（已完成的部分会保留）"))

    def _print(self) -> None:
        if self.summary is not None and self.print_summary is not None:
            self.print_summary(self.summary)


def summary_headline(summary: SyncSummary) -> str:
    return headline(summary, tr_label)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
