"""Run slow work on Qt's thread pool and deliver the result on the GUI thread.

The pool thread holds nothing of Qt's: it runs a plain Python callable and announces the result through one
long-lived dispatcher that lives on the GUI thread. An earlier design gave each job its own signals object; when
the pool thread dropped the last reference to it while the GUI thread dropped another, both threads deallocated
the same wrapper and the desk crashed (seen under load in the printing tests).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, Signal

Callbacks = tuple[QObject, Callable[[Any], None], Callable[[BaseException], None]]


class _Dispatcher(QObject):
    delivered = Signal(int, bool, object)

    def __init__(self) -> None:
        super().__init__()
        self.pending: dict[int, Callbacks] = {}
        self.delivered.connect(self._deliver)

    def _deliver(self, token: int, ok: bool, payload: object) -> None:
        owner, on_done, on_error = self.pending.pop(token)
        if not shiboken6.isValid(owner):
            return  # the window that asked has closed; nobody is waiting for the answer
        if ok:
            on_done(payload)
        else:
            on_error(payload if isinstance(payload, BaseException) else RuntimeError(str(payload)))


_dispatcher: _Dispatcher | None = None
_tokens = itertools.count(1)
_lock = threading.Lock()


def _get_dispatcher() -> _Dispatcher:
    global _dispatcher
    if _dispatcher is None:
        _dispatcher = _Dispatcher()
        app = QCoreApplication.instance()
        if app is not None:
            _dispatcher.moveToThread(app.thread())
    return _dispatcher


def run_in_background(
    work: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    *,
    owner: QObject,
) -> int:
    """Start `work` on the global pool; the callbacks run later on the GUI thread while `owner` exists.

    Returns a token identifying the job.
    """
    dispatcher = _get_dispatcher()
    with _lock:
        token = next(_tokens)
    dispatcher.pending[token] = (owner, on_done, on_error)

    def run() -> None:
        try:
            result = work()
        except Exception as exc:  # delivered to the GUI thread, which decides how to show it
            dispatcher.delivered.emit(token, False, exc)
        else:
            dispatcher.delivered.emit(token, True, result)

    QThreadPool.globalInstance().start(run)
    return token
