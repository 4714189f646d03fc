"""Category picker with type-to-search by Chinese name, pinyin initials (zsrm) or full pinyin."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from gridstation.services.reference import CategoryChoice

CODE_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2


def _normalise(text: str) -> str:
    return "".join(text.lower().split())


class _SearchProxy(QSortFilterProxyModel):
    """Matches the typed text anywhere in the label, the initials or the full pinyin."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._needle = ""

    def set_needle(self, text: str) -> None:
        needle = _normalise(text)
        if needle == self._needle:
            return
        if hasattr(self, "beginFilterChange"):  # Qt ≥ 6.10 deprecates invalidateFilter()
            self.beginFilterChange()
            self._needle = needle
            self.endFilterChange()
        else:
            self._needle = needle
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self._needle:
            return True
        index = self.sourceModel().index(source_row, 0, source_parent)
        return self._needle in str(index.data(SEARCH_ROLE))


class CategoryPicker(QComboBox):
    """An editable combo: type 噪声, zs or zaosheng and pick with the arrow keys and Enter."""

    category_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(15)
        self._items = QStandardItemModel(self)
        self.setModel(self._items)
        self._proxy = _SearchProxy(self)
        self._proxy.setSourceModel(self._items)
        completer = QCompleter(self._proxy, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompleter(completer)
        line = self.lineEdit()
        assert line is not None
        line.textEdited.connect(self._on_typed)
        line.setPlaceholderText(self.tr("输入分类名称或拼音首字母，如 zs"))
        completer.activated[QModelIndex].connect(self._on_completion)  # type: ignore[index]
        self.currentIndexChanged.connect(self._on_index)

    def set_choices(self, choices: Sequence[CategoryChoice]) -> None:
        self._items.clear()
        for choice in choices:
            item = QStandardItem(choice.label)
            item.setData(choice.code, CODE_ROLE)
            search = f"{choice.label}|{choice.pinyin_initials}|{choice.pinyin_full}|{choice.code}".lower()
            item.setData(search.replace(" ", ""), SEARCH_ROLE)
            self._items.appendRow(item)
        self.setCurrentIndex(-1)
        self.clearEditText()

    def _on_typed(self, text: str) -> None:
        self._proxy.set_needle(text)
        completer = self.completer()
        if text and completer is not None:
            # No row is highlighted: highlighting would overwrite what the clerk is typing.
            completer.complete()

    def _on_completion(self, index: QModelIndex) -> None:
        source = self._proxy.mapToSource(index)
        if source.isValid():
            self.setCurrentIndex(source.row())

    def _on_index(self, row: int) -> None:
        code = self.current_code()
        if code:
            self.category_chosen.emit(code)

    def current_code(self) -> str:
        """The chosen code, or the single match of what was typed, or empty."""
        row = self.currentIndex()
        if row >= 0 and self.itemText(row) == self.currentText():
            return str(self.itemData(row, CODE_ROLE) or "")
        needle = _normalise(self.currentText())
        if not needle:
            return ""
        matches = [row for row in range(self.count()) if needle in str(self.itemData(row, SEARCH_ROLE))]
        return str(self.itemData(matches[0], CODE_ROLE) or "") if len(matches) == 1 else ""

    def accept_typed(self) -> bool:
        """Enter or Tab on typed text picks the best match; True when that changed the choice."""
        row = self.currentIndex()
        if row >= 0 and self.itemText(row) == self.currentText():
            return False
        needle = _normalise(self.currentText())
        if not needle:
            return False
        matches = [r for r in range(self.count()) if needle in str(self.itemData(r, SEARCH_ROLE))]
        if not matches:
            return False
        self.setCurrentIndex(matches[0])
        self.setEditText(self.itemText(matches[0]))
        completer = self.completer()
        popup = completer.popup() if completer is not None else None
        if popup is not None:
            popup.hide()
        return True

    def select_code(self, code: str) -> None:
        for row in range(self.count()):
            if self.itemData(row, CODE_ROLE) == code:
                self.setCurrentIndex(row)
                return

    def reset(self) -> None:
        self.setCurrentIndex(-1)
        self.clearEditText()
        self._proxy.set_needle("")
