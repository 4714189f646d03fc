"""After the desk starts: jieba's dictionary loaded, and the cases not yet in the similar-case index indexed — after
an upgrade (every case), a sync that brought many, or a change of the word lists — on the thread pool, a batch per
transaction, with its progress in the status bar. The clerk works on meanwhile; a search before it ends answers from
the index as it is."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from gridstation.services.station import StationService
from gridstation.ui.workers import Report, run_reporting

log = logging.getLogger(__name__)
MESSAGE_MS = 15_000


class WordIndexer(QObject):
    message = Signal(str, int)  # text for the status bar, and how long to show it (ms; 0 until replaced)

    def __init__(self, service: StationService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._service = service

    def start(self) -> None:
        service = self._service

        def work(report: Report) -> int:
            service.word_segmenter().load()
            return service.index_similar(progress=lambda done, total: report(done, total))

        run_reporting(work, self._done, self._failed, owner=self, on_progress=self._progress, long_running=True)

    def _progress(self, done: int, total: int) -> None:
        self.message.emit(self.tr("正在建立相似诉求索引：{0} / {1} 件").format(done, total), 0)

    def _done(self, count: object) -> None:
        if isinstance(count, int) and count:
            self.message.emit(self.tr("相似诉求索引已建好（{0} 件）。").format(count), MESSAGE_MS)

    def _failed(self, error: BaseException) -> None:
        log.warning("the similar-case index was not brought up to date after start", exc_info=error)
