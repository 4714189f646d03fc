"""Typing into Qt widgets the way a person does. `qtbot.keyClicks` aborts the process on Chinese text,
so Chinese goes in as input-method commits (what a real IME sends) and ASCII as key presses."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QWidget


def target(widget: QWidget) -> QWidget:
    if isinstance(widget, QComboBox) and widget.isEditable() and widget.lineEdit() is not None:
        line = widget.lineEdit()
        assert line is not None
        return line
    return widget


def commit_text(widget: QWidget, text: str) -> None:
    """An input method committing `text` (e.g. after the clerk picks 香樟 from the pinyin candidates)."""
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(target(widget), event)


def type_chars(widget: QWidget, text: str) -> None:
    """One key press per character, carrying the character as text (works for any Unicode)."""
    receiver = target(widget)
    for char in text:
        press = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
        QApplication.sendEvent(receiver, press)
        release = QKeyEvent(QEvent.Type.KeyRelease, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
        QApplication.sendEvent(receiver, release)


def keyboard_receiver(widget: QWidget) -> QWidget:
    """Where a real key press lands: an open completion popup grabs the keyboard from its line edit."""
    receiver = target(widget)
    completer = receiver.completer() if isinstance(receiver, QLineEdit) else None
    popup = completer.popup() if completer is not None else None
    return popup if popup is not None and popup.isVisible() else receiver


def press(widget: QWidget, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    receiver = keyboard_receiver(widget)
    QApplication.sendEvent(receiver, QKeyEvent(QEvent.Type.KeyPress, key, modifiers))
    QApplication.sendEvent(receiver, QKeyEvent(QEvent.Type.KeyRelease, key, modifiers))


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def tab(from_widget: QWidget | None = None) -> QWidget | None:
    """Press Tab on the focused widget and return what has focus next."""
    widget = from_widget or focused()
    assert widget is not None
    press(widget, Qt.Key.Key_Tab)
    return focused()


def owns_focus(widget: QWidget) -> bool:
    """True when `widget` (or, for an editable combo, its line edit) has keyboard focus."""
    current = focused()
    return current is widget or (current is not None and current is target(widget))
