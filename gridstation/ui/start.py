"""The desk's start: the sign-in on screen first, the station opened behind it.

Opening a station means loading SQLAlchemy and the storage layer, checking the migrations and loading the main
window's modules: about half a second on a station PC, which used to pass before the sign-in appeared. Now the
sign-in shows as soon as Qt can paint it (its names come from a small read with Python's own sqlite3), and the
station opens on a thread while the clerk picks a name and types the PIN. The sign-in itself waits for the
station, on the thread pool, only if the clerk is faster than that (benchmarks/README.md, cold start).
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from gridstation.services.staff import StaffMember
    from gridstation.services.station import StationService

log = logging.getLogger(__name__)

# What the main window needs, imported behind the sign-in (classes only: no widget is made off the GUI thread).
MAIN_WINDOW_MODULES = ("gridstation.ui.main_window", "gridstation.ui.change_pin", "gridstation.ui.word_index")


class StationOpening:
    """A station being opened on its own thread; `service()` waits for it."""

    def __init__(self, data_dir: Path) -> None:
        self._data_dir = data_dir
        self._future: Future[StationService] = Future()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.closed = False

    @property
    def started(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._open, name="station-opening")
                self._thread.start()

    def service(self) -> StationService:
        """The open station (raises what opening it raised: a DomainError in Chinese for a locked or damaged file)."""
        self.start()
        return self._future.result()

    def sign_in(self, name: str, pin: str) -> StaffMember:
        """For the sign-in dialog's write, on the thread pool: waits for the station if it is not open yet."""
        return self.service().sign_in(name, pin)

    def close(self) -> None:
        """Closing before signing in: what is being opened is closed once it is open (never half-way)."""
        if self._thread is None:
            return
        self._thread.join()
        if self._future.exception() is None and not self.closed:
            self._future.result().close()
            self.closed = True

    def _open(self) -> None:
        try:
            from gridstation.services.station import StationService

            service = StationService(self._data_dir)
        except BaseException as exc:  # handed to whoever waits for the station
            self._future.set_exception(exc)
            return
        self._future.set_result(service)
        for module in MAIN_WINDOW_MODULES:
            try:
                importlib.import_module(module)
            except Exception:  # imported again on the GUI thread, where the error is shown
                log.exception("preloading %s failed", module)


def after_first_paint(widget: QWidget, callback: Callable[[], None]) -> None:
    """Run `callback` once `widget` has been painted for the first time (its paint event fully handled)."""

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                widget.removeEventFilter(self)
                QTimer.singleShot(0, callback)
            return False

    watcher = FirstPaint(widget)
    widget.installEventFilter(watcher)
