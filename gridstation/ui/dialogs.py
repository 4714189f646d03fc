"""Pieces every form dialog of the desk shares: the red error line and the accept/cancel buttons."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel


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
    return buttons
