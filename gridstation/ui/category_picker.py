"""Category picker with type-to-search by Chinese name, pinyin initials (zsrm) or full pinyin.

It never guesses: typing opens the matches with the first one highlighted; Enter or Tab takes the highlighted
match (and only that), and the field then shows the chosen category's name, never the pinyin typed. While what
is typed fits several categories and none is chosen, the hint under the field says so, before the clerk saves.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QCompleter, QLabel, QWidget

from gridstation.services.reference import CategoryChoice

CODE_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2
TAKE_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab)
_HINT_STYLE = "color: #8a5a00;"
HINT_PAUSE_MS = 400  # a pause in typing, not a gap between two keys of one word


class Taken(Enum):
    """What Enter or Tab on typed text did."""

    NOTHING = "nothing"  # nothing typed, or the field already shows the chosen category
    CHOSEN = "chosen"  # exactly one category fits, or one was highlighted: it is now the choice
    AMBIGUOUS = "ambiguous"  # several fit and none is highlighted: the clerk must pick
    NO_MATCH = "no_match"  # nothing fits what was typed


def _normalise(text: str) -> str:
    return "".join(text.lower().split())


class _SearchProxy(QSortFilterProxyModel):
    """Matches the typed text anywhere in the label, the initials or the full pinyin.

    Qt filters the rows itself (a fixed string on SEARCH_ROLE, which holds all four, lower case and without
    spaces): a Python filterAcceptsRow would be called once per category on every key the clerk types.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._needle = ""
        self.setFilterRole(SEARCH_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseSensitive)  # both sides are lower case already

    def set_needle(self, text: str) -> None:
        needle = _normalise(text)
        if needle == self._needle:
            return
        self._needle = needle
        self.setFilterFixedString(needle)


class CategoryPicker(QComboBox):
    """An editable combo: type 噪声, zs or zaosheng, move with the arrow keys, take with Enter or Tab."""

    category_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(15)
        self._items = QStandardItemModel(self)
        self._row_of_code: dict[str, int] = {}  # set_choices fills both: the rows never change in between
        self._searchable: list[str] = []
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
        popup = completer.popup()
        assert popup is not None
        # Installed after the completer's own filter, so it sees Enter and Tab first.
        popup.installEventFilter(self)
        self.currentIndexChanged.connect(self._on_index)
        # Where the picker says what it is waiting for; the form places it under the field.
        self.hint = QLabel()
        self.hint.setObjectName("category_hint")
        self.hint.setStyleSheet(_HINT_STYLE)
        self.hint.setWordWrap(True)
        self.hint.hide()
        # While the clerk types on, the open list already shows what matches; the hint waits for a pause, because
        # showing and hiding it re-lays out the whole form (a third of the picker's cost per walk-in, measured by
        # benchmarks/counter.py). Enter or Tab on an ambiguous text shows it at once (accept_typed).
        self._pending_hint = ""
        self._hint_pause = QTimer(self)
        self._hint_pause.setSingleShot(True)
        self._hint_pause.setInterval(HINT_PAUSE_MS)
        self._hint_pause.timeout.connect(lambda: self._show_hint(self._pending_hint))

    def set_choices(self, choices: Sequence[CategoryChoice]) -> None:
        self._items.clear()
        for choice in choices:
            item = QStandardItem(choice.label)
            item.setData(choice.code, CODE_ROLE)
            search = f"{choice.label}|{choice.pinyin_initials}|{choice.pinyin_full}|{choice.code}".lower()
            item.setData(search.replace(" ", ""), SEARCH_ROLE)
            self._items.appendRow(item)
        self._row_of_code = {}
        for row, choice in enumerate(choices):
            self._row_of_code.setdefault(choice.code, row)  # the first row with a code is the one chosen
        self._searchable = [str(self.itemData(row, SEARCH_ROLE)) for row in range(self.count())]
        self.reset()

    # --- typing and taking ------------------------------------------------------------------------------------

    def _on_typed(self, text: str) -> None:
        self._proxy.set_needle(text)
        completer = self.completer()
        if not text or completer is None:
            self._show_hint("")
            return
        matches = self._proxy.rowCount()
        if matches:
            popup = completer.popup()
            if popup is None or not popup.isVisible():
                completer.complete()  # an open list follows the filter by itself; showing it again costs a relayout
            # After the key press is done: the line edit restarts its completer then, clearing any highlight.
            QTimer.singleShot(0, self._highlight_first)
        waiting = self._waiting_text(text, matches)
        if not waiting or self.hint.isVisible():
            self._show_hint(waiting)  # hiding, or changing a hint already shown, moves nothing
        else:
            self._pending_hint = waiting
            self._hint_pause.start()

    def _highlight_first(self) -> None:
        """Highlight the first match so Enter takes something visible, without writing it over what is typed."""
        completer = self.completer()
        if completer is None:
            return
        popup = completer.popup()
        model = completer.completionModel()
        if popup is None or model is None or model.rowCount() == 0:
            return
        selection = popup.selectionModel()
        if selection is None:
            return
        # The completer turns a highlight into new text in the field; this one is not the clerk's doing.
        completer.blockSignals(True)
        try:
            selection.setCurrentIndex(model.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
        finally:
            completer.blockSignals(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(event, QKeyEvent):  # the popup's paints and input-method queries: no lookups for them
            return super().eventFilter(watched, event)
        completer = self.completer()
        popup = completer.popup() if completer is not None else None
        if watched is popup and popup is not None and event.type() == QEvent.Type.KeyPress and event.key() in TAKE_KEYS:
            taken = self._take(popup.currentIndex())
            if taken is Taken.CHOSEN:
                popup.hide()
                if event.key() == Qt.Key.Key_Tab:
                    self.focusNextChild()
            return True
        return super().eventFilter(watched, event)

    def _take(self, highlighted: QModelIndex) -> Taken:
        code = highlighted.data(CODE_ROLE) if highlighted.isValid() else None
        if code:
            self.select_code(str(code))
            return Taken.CHOSEN
        return self.accept_typed()

    def _on_completion(self, index: QModelIndex) -> None:
        # The index belongs to the completer's own model: read the code it carries, never map it to ours.
        code = index.data(CODE_ROLE)
        if code:
            self.select_code(str(code))

    def _on_index(self, row: int) -> None:
        code = self.current_code()
        if code:
            self._show_hint("")
            self.category_chosen.emit(code)

    def accept_typed(self) -> Taken:
        """Enter or Tab on typed text with no highlighted match: take the one category that fits, if only one."""
        if self._shows_choice():
            return Taken.NOTHING
        text = self.currentText()
        needle = _normalise(text)
        if not needle:
            return Taken.NOTHING
        matches = self._matching_rows(needle)
        if len(matches) == 1:
            self.setCurrentIndex(matches[0])
            return Taken.CHOSEN
        self._proxy.set_needle(text)
        completer = self.completer()
        if matches and completer is not None:
            completer.complete()  # show them again: the clerk picks, the desk does not guess
            self._highlight_first()
        self._show_hint(self._waiting_text(text, len(matches)))
        return Taken.AMBIGUOUS if matches else Taken.NO_MATCH

    # --- reading the choice -----------------------------------------------------------------------------------

    def current_code(self) -> str:
        """The chosen category's code; empty while what the field shows is not a category's name."""
        return str(self.itemData(self.currentIndex(), CODE_ROLE) or "") if self._shows_choice() else ""

    def _shows_choice(self) -> bool:
        row = self.currentIndex()
        return row >= 0 and self.itemText(row) == self.currentText()

    def _matching_rows(self, needle: str) -> list[int]:
        return [row for row, searchable in enumerate(self._searchable) if needle in searchable]

    def _waiting_text(self, typed: str, matches: int) -> str:
        if matches == 0:
            return self.tr("没有与「{0}」相符的分类，请换个说法或拼音首字母。").format(typed)
        if matches == 1:
            return ""
        return self.tr("「{0}」有 {1} 个分类相符，请用 ↑↓ 选定后按回车。").format(typed, matches)

    def hint_pending(self) -> bool:
        """A hint is waiting for the clerk to pause."""
        return self._hint_pause.isActive()

    def _show_hint(self, text: str) -> None:
        self._hint_pause.stop()
        self.hint.setText(text)
        self.hint.setVisible(bool(text))

    def select_code(self, code: str) -> None:
        row = self._row_of_code.get(code)
        if row is None:
            return
        self.setCurrentIndex(row)
        self.setEditText(self.itemText(row))  # also when the row was current already but pinyin was typed
        self._proxy.set_needle("")
        self._show_hint("")

    def reset(self) -> None:
        self.setCurrentIndex(-1)
        self.clearEditText()
        self._proxy.set_needle("")
        self._show_hint("")
