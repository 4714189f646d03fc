"""Pieces every form dialog of the desk shares: the red error line, the accept/cancel buttons, and writing off the
screen's thread."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QWidget

from gridstation.ui.messages import error_text
from gridstation.ui.workers import run_in_background


def error_label() -> QLabel:
    """Where a dialog says what is wrong, in place, hidden until there is something to say."""
    label = QLabel()
    label.setStyleSheet("color: #c62828;")
    label.setWordWrap(True)
    label.hide()
    return label


def accept_cancel_buttons(dialog: QDialog, accept_text: str, cancel_text: str) -> QDialogButtonBox:
    """OK and Cancel with the dialog's own words, wired to accept() and reject()."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert ok is not None and cancel is not None
    ok.setText(accept_text)
    cancel.setText(cancel_text)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    confirm_with_ctrl_enter(dialog, dialog.accept)
    return buttons


def close_buttons(dialog: QDialog, close_text: str) -> QDialogButtonBox:
    """One Close button with the dialog's own word, wired to reject() (Esc closes too)."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    close = buttons.button(QDialogButtonBox.StandardButton.Close)
    assert close is not None
    close.setText(close_text)
    buttons.rejected.connect(dialog.reject)
    return buttons


def confirm_with_ctrl_enter(dialog: QWidget, confirm: Callable[[], object]) -> None:
    """Ctrl+Enter confirms an action dialog from any field, a multi-line one included (where Enter is a new line).

    Both Enter keys: the one beside the letters and the one on the number pad.
    """
    for keys in ("Ctrl+Return", "Ctrl+Enter"):
        shortcut = QShortcut(QKeySequence(keys), dialog)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(confirm)


class WritingDialog(QDialog):
    """A form dialog whose OK writes to the database off the screen's thread.

    A sync may hold the database for a moment; the desk must not freeze meanwhile. While the write runs the
    buttons are disabled (a second OK does nothing), the dialog closes when it succeeds, and a refusal is shown in
    the dialog's error line. Subclasses build `self.error` (error_label) and `self.buttons`, and call `write`.
    """

    error: QLabel
    buttons: QDialogButtonBox

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.writing = False

    def write(self, work: Callable[[], object], on_written: Callable[[object], None]) -> None:
        if self.writing:
            return
        self.error.hide()
        self._set_writing(True)

        def written(result: object) -> None:
            self._set_writing(False)
            on_written(result)
            QDialog.accept(self)

        run_in_background(work, written, self._refused, owner=self)

    def writing_changed(self, writing: bool) -> None:
        """For subclasses: lock more than the buttons while a write runs."""

    def refused(self) -> None:
        """For subclasses: after a refusal is shown (e.g. clear a wrong PIN)."""

    def _set_writing(self, writing: bool) -> None:
        self.writing = writing
        self.buttons.setEnabled(not writing)
        self.writing_changed(writing)

    def _refused(self, error: BaseException) -> None:
        self._set_writing(False)
        self.error.setText(error_text(error))
        self.error.show()
        self.refused()
