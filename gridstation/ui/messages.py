"""How errors reach a person: in their language, never as a traceback."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from gridstation.domain.errors import DomainError


def error_text(error: BaseException) -> str:
    """The message for a person. Domain errors are worded in Chinese at the source; the English
    catalogue translates them by their exact text (context "errors")."""
    template = getattr(error, "template_zh", None)
    if isinstance(error, DomainError) and template:
        # Messages with values (a printer's name …) are translated as templates, then filled in.
        return QCoreApplication.translate("errors", template).format(**error.params)
    if isinstance(error, DomainError):
        return QCoreApplication.translate("errors", error.message_zh)
    return QCoreApplication.translate("errors", "发生意外错误，操作未完成。已保存的数据未受影响。") + f"\n({error})"


def show_error(parent: QWidget | None, error: BaseException, title: str | None = None) -> None:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title or QCoreApplication.translate("errors", "无法完成"))
    box.setText(error_text(error))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.open()
