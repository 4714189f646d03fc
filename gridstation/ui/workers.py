"""Run slow work on Qt's thread pool and deliver the result on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Signals(QObject):
    finished = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__()
        self.work = work
        self.signals = _Signals()

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:  # delivered to the GUI thread, which decides how to show it
            self.signals.failed.emit(exc)
        else:
            self.signals.finished.emit(result)


def run_in_background(
    work: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    *,
    owner: QObject,
) -> QRunnable:
    """Start `work` on the global pool. The callbacks run on `owner`'s thread (queued connections)."""
    job = _Job(work)
    receiver = _Receiver(owner, on_done, on_error)
    job.signals.finished.connect(receiver.done)
    job.signals.failed.connect(receiver.error)
    job.setAutoDelete(True)
    # The pool deletes the job after run(); the receiver keeps its signals alive until queued delivery.
    receiver.keep = job.signals
    QThreadPool.globalInstance().start(job)
    return job


class _Receiver(QObject):
    def __init__(
        self, owner: QObject, on_done: Callable[[Any], None], on_error: Callable[[BaseException], None]
    ) -> None:
        super().__init__(owner)
        self._on_done = on_done
        self._on_error = on_error
        self.keep: QObject | None = None

    def done(self, result: object) -> None:
        try:
            self._on_done(result)
        finally:
            self.deleteLater()

    def error(self, exc: object) -> None:
        try:
            self._on_error(exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))
        finally:
            self.deleteLater()
