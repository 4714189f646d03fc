"""`gridstation --smoke-exit`: an installation check that the window really opens, then quits by itself.

Packaging (scripts/smoke_bundle.sh) runs the built program with it: the first window that paints is named on
standard output and closed. With GRIDSTATION_USER and GRIDSTATION_PIN given, the sign-in dialog is filled with
them and the check goes on to the main window — the PIN is checked as at the counter, so this opens nothing a
person at the keyboard could not. Without it nothing of this runs.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, QObject, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from gridstation.ui.sign_in import SignInDialog

POOL_POLL_MS = 50


class SmokeExit(QObject):
    def __init__(self, app: QApplication, credentials: tuple[str, str] | None) -> None:
        super().__init__(app)
        self._credentials = credentials
        self._painted: set[int] = set()
        self.failed = False
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        first_paint = event.type() == QEvent.Type.Paint and id(watched) not in self._painted
        if first_paint and isinstance(watched, QWidget) and watched.isWindow():
            self._painted.add(id(watched))
            print(f"窗口已显示：{watched.windowTitle()}", flush=True)
            QTimer.singleShot(0, lambda: self._leave(watched))
        return False

    def _leave(self, window: QWidget) -> None:
        if isinstance(window, SignInDialog) and self._credentials is not None:
            name, pin = self._credentials
            window.name.setCurrentText(name)
            window.pin.setText(pin)
            window.accept()  # signs in on the thread pool, as the 登录 button does
            self._await_sign_in(window)
            return
        if isinstance(window, QDialog):
            window.reject()
            return
        self._close_when_idle(window)

    def _await_sign_in(self, dialog: SignInDialog) -> None:
        if dialog.writing:
            QTimer.singleShot(POOL_POLL_MS, lambda: self._await_sign_in(dialog))
        elif dialog.isVisible():  # refused: the dialog shows why and stays open
            self.failed = True
            print(f"安装检查失败：{dialog.error.text()}", file=sys.stderr, flush=True)
            dialog.reject()

    def _close_when_idle(self, window: QWidget) -> None:
        # The start-up checks (log chain, retention, word index) run on the pool; the window closes after them, so
        # the check ends as a clerk's day does, not in the middle of a write.
        if QThreadPool.globalInstance().activeThreadCount():
            QTimer.singleShot(POOL_POLL_MS, lambda: self._close_when_idle(window))
            return
        window.close()
