"""Run slow work on Qt's thread pool and deliver its progress and result on the GUI thread.

The pool thread holds nothing of Qt's: it runs a plain Python callable and announces progress and the result
through one long-lived dispatcher that lives on the GUI thread. An earlier design gave each job its own signals
object; when the pool thread dropped the last reference to it while the GUI thread dropped another, both threads
deallocated the same wrapper and the desk crashed (seen under load in the printing tests).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, Signal

Report = Callable[..., None]  # progress from the pool thread: report(*values) reaches on_progress(*values)
Callbacks = tuple[QObject, Report, Callable[[Any], None], Callable[[BaseException], None]]


class _Dispatcher(QObject):
    # Queued to the GUI thread in the order the pool thread emits them: a job's progress arrives before its result.
    progressed = Signal(int, object)
    delivered = Signal(int, bool, object)

    def __init__(self) -> None:
        super().__init__()
        self.pending: dict[int, Callbacks] = {}
        self.progressed.connect(self._progress)
        self.delivered.connect(self._deliver)

    def _progress(self, token: int, values: object) -> None:
        callbacks = self.pending.get(token)
        if callbacks is None or not shiboken6.isValid(callbacks[0]):
            return
        assert isinstance(values, tuple)
        callbacks[1](*values)

    def _deliver(self, token: int, ok: bool, payload: object) -> None:
        owner, _on_progress, on_done, on_error = self.pending.pop(token)
        if not shiboken6.isValid(owner):
            return  # the window that asked has closed; nobody is waiting for the answer
        if ok:
            on_done(payload)
        else:
            on_error(payload if isinstance(payload, BaseException) else RuntimeError(str(payload)))


@dataclass(frozen=True)
class Job:
    """A started job. `ended` is set on the pool thread as soon as the work has returned or raised, before its
    result reaches the GUI thread: a window that closes can wait for it without running the event loop."""

    token: int
    ended: threading.Event = field(default_factory=threading.Event)

    def wait(self, seconds: float) -> bool:
        """Block up to `seconds` for the work to end; True if it has."""
        return self.ended.wait(seconds)


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
) -> Job:
    """Start `work` on the global pool; the callbacks run later on the GUI thread while `owner` exists."""
    return run_reporting(lambda _report: work(), on_done, on_error, owner=owner)


def run_reporting(
    work: Callable[[Report], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    *,
    owner: QObject,
    on_progress: Report = lambda *values: None,
    long_running: bool = False,
) -> Job:
    """As `run_in_background`, and `work` gets a `report` function: each `report(*values)` it makes on the pool
    thread becomes `on_progress(*values)` on the GUI thread, in order and before `on_done`.

    `long_running`: the job may take minutes (a sync waiting on the network). The pool gets one more thread while
    it runs, so it never holds up the short jobs (a save, a list reload) queued behind it on a small machine.
    """
    dispatcher = _get_dispatcher()
    with _lock:
        token = next(_tokens)
    dispatcher.pending[token] = (owner, on_progress, on_done, on_error)
    job = Job(token)
    pool = QThreadPool.globalInstance()

    def report(*values: Any) -> None:
        dispatcher.progressed.emit(token, values)

    def run() -> None:
        try:
            result = work(report)
        except Exception as exc:  # delivered to the GUI thread, which decides how to show it
            dispatcher.delivered.emit(token, False, exc)
        else:
            dispatcher.delivered.emit(token, True, result)
        finally:
            job.ended.set()
            if long_running:
                _grow_pool(pool, -1)

    if long_running:
        _grow_pool(pool, +1)
    pool.start(run)
    return job


def _grow_pool(pool: QThreadPool, by: int) -> None:
    with _lock:  # the GUI thread grows the pool and pool threads shrink it: one read-and-write at a time
        pool.setMaxThreadCount(pool.maxThreadCount() + by)
