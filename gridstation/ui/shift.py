"""A shared desk between clerks: 锁定 (Ctrl+L, or by itself after the station's idle minutes) hides the cases behind
a PIN; 切换用户 lets the next clerk sign in without closing the window.

Idle time is counted on the station's clock (injected: tests move it by hand), from the last key press or mouse
use in any of the desk's windows. A short timer only asks "is it time yet?".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QWindow
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gridstation.domain.shifts import idle_lock_due
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.dialogs import WritingDialog, error_label
from gridstation.ui.workers import run_in_background

if TYPE_CHECKING:
    from gridstation.ui.main_window import MainWindow

IDLE_CHECK_MS = 15_000
_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleWatcher(QObject):
    """Emits `idle` once no input has reached the application for `minutes` of the station's clock."""

    idle = Signal()

    def __init__(self, now: Callable[[], datetime], minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._now = now
        self.minutes = minutes
        self.last_input = now()
        self.paused = False
        self.tick = QTimer(self)
        self.tick.setInterval(IDLE_CHECK_MS)
        self.tick.timeout.connect(self.check)
        self.tick.start()
        # A key press or a click reaches the window (QWindow) before Qt hands it to a widget, so watching each window
        # as it gets focus sees all input. An application-wide filter saw it too, but was called from Python for
        # every paint, layout and timer event as well: ~140 calls for four typed initials, a third of the desk's
        # extra typing time in benchmarks/counter.py.
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.focusWindowChanged.connect(self.watch)
            self.watch(QGuiApplication.focusWindow())

    def watch(self, window: QWindow | None) -> None:
        """Count input in `window` (installing the same filter twice keeps one)."""
        if window is not None:
            window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            self.last_input = self._now()
        return False

    def restart(self) -> None:
        self.last_input = self._now()
        self.paused = False

    def check(self) -> None:
        if not self.paused and idle_lock_due(self.last_input, self._now(), self.minutes):
            self.paused = True  # until the desk is unlocked
            self.idle.emit()


class LockDialog(WritingDialog):
    """The desk is locked: the signed-in person's PIN unlocks it, another member's PIN switches to them."""

    def __init__(self, service: StationService, current: StaffMember, *, switching: bool, parent: QWidget) -> None:
        super().__init__(parent)
        self._service = service
        self.staff: StaffMember | None = None
        self.setObjectName("lock_dialog")
        self.setWindowTitle(self.tr("切换用户") if switching else self.tr("已锁定"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.name = QComboBox()
        self.name.setEditable(True)
        self.name.addItems(service.staff_names())
        if switching:
            self.name.setCurrentIndex(-1)
            self.name.clearEditText()
        else:
            self.name.setCurrentText(current.name)
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(self.tr("PIN 或密码"))
        self.error = error_label()
        self.buttons = QDialogButtonBox()
        unlock = QPushButton(self.tr("登录") if switching else self.tr("解锁"))
        unlock.setDefault(True)
        self.buttons.addButton(unlock, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        intro = (
            self.tr("请下一位工作人员输入姓名和 PIN。")
            if switching
            else self.tr("桌面已锁定（{0}）。输入 PIN 解锁，或由其他工作人员输入自己的姓名和 PIN 登录。").format(
                current.name
            )
        )
        label = QLabel(intro)
        label.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("姓名"), self.name)
        form.addRow(self.tr("PIN"), self.pin)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        (self.name if switching else self.pin).setFocus()

    def accept(self) -> None:
        name, pin = self.name.currentText(), self.pin.text()
        self.write(lambda: self._service.sign_in(name, pin), self._signed_in)

    def reject(self) -> None:
        """Esc does not unlock: the cases stay hidden until someone signs in."""

    def writing_changed(self, writing: bool) -> None:
        self.pin.setReadOnly(writing)

    def _signed_in(self, staff: object) -> None:
        assert isinstance(staff, StaffMember)
        self.staff = staff

    def refused(self) -> None:
        self.pin.clear()
        self.pin.setFocus()


class ShiftControl(QObject):
    """Locks, unlocks and switches the main window's person; the window keeps one `set_staff` for the rest."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._service = window.service
        self.lock_dialog: LockDialog | None = None
        self.takeover_box: QMessageBox | None = None
        self.set_aside: list[QDialog] = []  # dialogs open when the desk locked: they show case data too
        self.idle = IdleWatcher(window.service.now, window.service.idle_lock_minutes(), self)
        self.idle.idle.connect(lambda: self.lock(reason="idle"))
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.focusWindowChanged.connect(self._offer_lock_key)  # a method: disconnected when the window goes

    def _offer_lock_key(self, _focused: QWindow | None = None) -> None:
        """Ctrl+L locks from an open dialog too: a window-modal dialog blocks the main window's shortcuts, and
        a 派单 dialog or a print preview shows a resident's case as plainly as the list does."""
        active = QApplication.activeWindow()
        if isinstance(active, QDialog) and active is not self.lock_dialog:
            active.addAction(self._window.lock_action)  # a widget never holds the same action twice

    @property
    def locked(self) -> bool:
        return self.lock_dialog is not None

    def lock(self, *, reason: str = "manual", switching: bool = False) -> LockDialog:
        """Hide the cases and ask for a PIN; does nothing more if the desk is already locked."""
        if self.lock_dialog is not None:
            return self.lock_dialog
        window = self._window
        window.intake.save_draft()
        self._cases_view().hide()
        window.menuBar().setEnabled(False)
        window.statusBar().clearMessage()  # "已登记 <number>" is case data too
        # An open 派单 dialog or print preview shows a resident's case as plainly as the list does. Opened with
        # open(), not exec(), so hiding one ends nothing: the same person gets it back as it was.
        self.set_aside = [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]
        for dialog in self.set_aside:
            dialog.hide()
        self.idle.paused = True
        staff = window.staff
        if not switching:
            self._audit(staff, "desk.locked", reason=reason)
        dialog = LockDialog(self._service, staff, switching=switching, parent=window)
        dialog.accepted.connect(lambda: self._signed_in(dialog))
        self.lock_dialog = dialog
        dialog.open()
        return dialog

    def switch_user(self) -> LockDialog:
        return self.lock(reason="switch", switching=True)

    def _signed_in(self, dialog: LockDialog) -> None:
        member = dialog.staff
        assert member is not None
        self.lock_dialog = None
        dialog.deleteLater()
        previous = self._window.staff
        set_aside, self.set_aside = self.set_aside, []
        if member.id == previous.id:
            self._audit(member, "desk.unlocked")
            self._reopen()
            for open_dialog in set_aside:
                open_dialog.show()
            return
        for open_dialog in set_aside:
            open_dialog.reject()  # begun by the previous person, who would be recorded as doing it
        self._audit(member, "desk.switched", previous=previous.name)
        self._window.set_staff(member)
        self._reopen()
        if self._window.intake.has_unsaved_text():
            self._ask_takeover(previous)

    def _ask_takeover(self, previous: StaffMember) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("登记表中有未保存的内容"),
            self.tr("{0} 填写的登记表还没有保存。由您接手继续登记，还是清空登记表？").format(previous.name),
            parent=self._window,
        )
        box.setObjectName("takeover_question")
        take = box.addButton(self.tr("由我接手"), QMessageBox.ButtonRole.AcceptRole)
        clear = box.addButton(self.tr("清空登记表"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(take)

        def answered() -> None:
            if box.clickedButton() is clear:
                self._window.intake.clear()
            self.takeover_box = None

        box.finished.connect(lambda _result: answered())
        self.takeover_box = box
        box.open()

    def _reopen(self) -> None:
        window = self._window
        self._cases_view().show()
        window.menuBar().setEnabled(True)
        self.idle.minutes = self._service.idle_lock_minutes()  # an administrator may have changed it meanwhile
        self.idle.restart()
        window.intake.category.setFocus()

    def _cases_view(self) -> QWidget:
        view = self._window.centralWidget()
        assert view is not None
        return view

    def _audit(self, member: StaffMember, action: str, **detail: str) -> None:
        run_in_background(
            lambda: self._service.record_desk_shift(member, action, **detail),
            lambda _none: None,
            lambda _error: None,  # the lock itself must never fail over its audit entry
            owner=self,
        )
