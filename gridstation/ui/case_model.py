"""The case list's model: ids of every matching case, rows fetched a page at a time.

Holding only ids keeps 200 000 cases cheap; filtering and sorting run in SQLite on the thread pool,
never on the GUI thread. Countdown and colour columns are computed from the cached deadline and the
current time, so they tick without reloading anything.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from gridstation.domain.enums import STATUS_LABELS, TASK_STATE_LABELS, TIER_LABELS, TaskRole
from gridstation.domain.listing import CaseQuery, CaseSummary, TimeUnit, compact_remaining
from gridstation.domain.sla import COLOUR_LABELS, Colour, ColourScheme
from gridstation.domain.tasks import read_digest
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.labels import tr_label
from gridstation.ui.workers import run_in_background

PAGE_SIZE = 200
CACHE_PAGES = 20
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
COLOUR_ROLE = Qt.ItemDataRole.UserRole + 2

# QT_TRANSLATE_NOOP marks the headers for lupdate and returns the text unchanged.
# What a clerk scans first comes first (urgency, number, what and where, status); on a 1366-pixel screen the
# columns from 状态 on are the ones that may be narrowed or scrolled to.
COLUMNS: list[tuple[str, Any]] = [
    ("colour", QT_TRANSLATE_NOOP("CaseTableModel", "预警")),
    ("countdown", QT_TRANSLATE_NOOP("CaseTableModel", "剩余时间")),
    ("number", QT_TRANSLATE_NOOP("CaseTableModel", "编号")),
    ("category_code", QT_TRANSLATE_NOOP("CaseTableModel", "分类")),
    ("compound", QT_TRANSLATE_NOOP("CaseTableModel", "小区/地址")),
    ("description", QT_TRANSLATE_NOOP("CaseTableModel", "诉求摘要")),
    ("status", QT_TRANSLATE_NOOP("CaseTableModel", "状态")),
    ("tier", QT_TRANSLATE_NOOP("CaseTableModel", "处置方式")),
    ("assignee", QT_TRANSLATE_NOOP("CaseTableModel", "承办")),
    ("registered_at", QT_TRANSLATE_NOOP("CaseTableModel", "登记时间")),
]
COLUMN_OF = {key: column for column, (key, _header) in enumerate(COLUMNS)}
# The compact countdown, by (overdue, unit); an amount of 0 means "under a minute" and shows as "<1".
COMPACT_TIME: dict[tuple[bool, TimeUnit], Any] = {
    (False, TimeUnit.DAY): QT_TRANSLATE_NOOP("CaseTableModel", "剩 {0}天"),
    (False, TimeUnit.HOUR): QT_TRANSLATE_NOOP("CaseTableModel", "剩 {0}时"),
    (False, TimeUnit.MINUTE): QT_TRANSLATE_NOOP("CaseTableModel", "剩 {0}分"),
    (True, TimeUnit.DAY): QT_TRANSLATE_NOOP("CaseTableModel", "超 {0}天"),
    (True, TimeUnit.HOUR): QT_TRANSLATE_NOOP("CaseTableModel", "超 {0}时"),
    (True, TimeUnit.MINUTE): QT_TRANSLATE_NOOP("CaseTableModel", "超 {0}分"),
}
LIVE_COLUMNS = (0, 1)
SORT_KEYS = {"countdown": "sla_due_at", "colour": "sla_due_at"}


def format_remaining(due_at: datetime | None, now: datetime) -> str:
    if due_at is None:
        return "—"
    seconds = int((due_at - now).total_seconds())
    sign = "" if seconds >= 0 else "超时 "
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}天{hours}小时"
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{minutes:02d}:{secs:02d}"


class CaseTableModel(QAbstractTableModel):
    """Rows are cases matching `query`; `loading_changed` tells the view when a reload runs."""

    loading_changed = Signal(bool)
    loaded = Signal(int)
    load_failed = Signal(object)

    def __init__(
        self, service: StationService, parent: QObject | None = None, *, staff: StaffMember | None = None
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._staff = staff  # who searches: a search by phone number is audited under their name
        self._ids: list[str] = []
        self._pages: OrderedDict[int, list[CaseSummary | None]] = OrderedDict()
        self._generation = 0
        self._query = CaseQuery()
        self._category_names = service.category_names()
        self._scheme: ColourScheme = service.colour_scheme()
        self._now = service.now()

    # ------------------------------------------------------------------ loading

    def set_staff(self, staff: StaffMember) -> None:
        """Searches from now on are audited under `staff` (after 切换用户)."""
        self._staff = staff

    @property
    def query(self) -> CaseQuery:
        return self._query

    def set_query(self, query: CaseQuery) -> None:
        self._query = query
        self.reload()

    def reload(self) -> None:
        """Re-run the query in the background; a newer reload makes older results obsolete."""
        self._generation += 1
        generation = self._generation
        query = self._query
        self.loading_changed.emit(True)
        run_in_background(
            lambda: self._service.case_ids(query, actor=self._staff),
            lambda ids: self._apply_ids(generation, ids),
            lambda error: self._reload_failed(generation, error),
            owner=self,
        )

    def reload_sync(self) -> None:
        """For small lists and tests: the same as reload, on the calling thread."""
        self._generation += 1
        self._apply_ids(self._generation, self._service.case_ids(self._query, actor=self._staff))

    def _apply_ids(self, generation: int, ids: object) -> None:
        if generation != self._generation:
            return
        assert isinstance(ids, list)
        self.beginResetModel()
        self._ids = ids
        self._pages.clear()
        self._category_names = self._service.category_names()
        self._scheme = self._service.colour_scheme()
        self.endResetModel()
        self.loading_changed.emit(False)
        self.loaded.emit(len(ids))

    def _reload_failed(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self.loading_changed.emit(False)
            self.load_failed.emit(error)

    def refresh_case(self, case_id: str) -> None:
        """A case changed: drop its cached page so the row shows the new state."""
        try:
            row = self._ids.index(case_id)
        except ValueError:
            self.reload()
            return
        self._pages.pop(row // PAGE_SIZE, None)
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def tick(self, now: datetime, first_row: int, last_row: int) -> None:
        """Advance the clock the countdowns use and repaint their cells in the given rows (the visible ones)."""
        self._now = now
        if self._ids and first_row <= last_row:
            for column in LIVE_COLUMNS:
                self.dataChanged.emit(self.index(first_row, column), self.index(last_row, column))

    def summary(self, row: int) -> CaseSummary | None:
        if not 0 <= row < len(self._ids):
            return None
        page_number = row // PAGE_SIZE
        page = self._pages.get(page_number)
        if page is None:
            start = page_number * PAGE_SIZE
            ids = self._ids[start : start + PAGE_SIZE]
            fetched = {s.id: s for s in self._service.summaries(ids)}
            page = [fetched.get(i) for i in ids]
            self._pages[page_number] = page
            while len(self._pages) > CACHE_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_number)
        return page[row - page_number * PAGE_SIZE]

    def row_of(self, case_id: str) -> int:
        try:
            return self._ids.index(case_id)
        except ValueError:
            return -1

    def colour_of(self, summary: CaseSummary) -> Colour:
        if summary.sla_due_at is None or summary.sla_started_at is None:
            return Colour.NONE
        return self._scheme.colour_for(summary.sla_started_at, summary.sla_due_at, self._now)

    # ------------------------------------------------------------------ Qt model API

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(str(COLUMNS[section][1]))
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        summary = self.summary(index.row())
        if summary is None:
            return None
        key = COLUMNS[index.column()][0]
        if role == CASE_ID_ROLE:
            return summary.id
        if role == COLOUR_ROLE:
            return str(self.colour_of(summary))
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(summary, key)
        if role == Qt.ItemDataRole.ToolTipRole and key == "description":
            return summary.description
        if role == Qt.ItemDataRole.ToolTipRole and key == "assignee":
            return self.handling(summary) or None
        if role == Qt.ItemDataRole.ToolTipRole and key == "countdown":
            return format_remaining(summary.sla_due_at, self._now)
        if key == "colour" and role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(self._scheme.hex_colours[self.colour_of(summary)]))
        if key == "colour" and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor("white"))
        if key == "countdown" and role == Qt.ItemDataRole.ForegroundRole and self.colour_of(summary) is Colour.RED:
            return QBrush(QColor(self._scheme.hex_colours[Colour.RED]))
        return None

    def compact_countdown(self, s: CaseSummary) -> str:
        """ "超 9天" / "剩 25分": fits the narrow column; the exact time is the cell's tooltip."""
        shown = compact_remaining(s.sla_due_at, self._now)
        if shown is None:
            return "—"
        template = self.tr(str(COMPACT_TIME[(shown.overdue, shown.unit)]))
        return template.format(shown.amount if shown.amount else "<1")

    def _display(self, s: CaseSummary, key: str) -> str:
        match key:
            case "colour":
                return tr_label(COLOUR_LABELS[self.colour_of(s)])
            case "countdown":
                return self.compact_countdown(s)
            case "number":
                return s.number
            case "registered_at":
                return self._service.local_time(s.registered_at).strftime("%m-%d %H:%M")
            case "category_code":
                return self._category_names.get(s.category_code, s.category_code)
            case "compound":
                return " ".join(p for p in (s.compound, s.address) if p)
            case "description":
                return s.description.replace("\n", " ")
            case "tier":
                return tr_label(TIER_LABELS[s.tier])
            case "status":
                return tr_label(STATUS_LABELS[s.status])
            case "assignee":
                return self.handling(s) or s.assignee
        return ""

    def handling(self, s: CaseSummary) -> str:
        """Who handles a dispatched case and where each department stands: "区水务局 已反馈 · GREEN 办理中" (the lead
        by the name the desk holds, co-operating departments by their codes); "" before a dispatch."""
        parts = []
        for part in read_digest(s.departments):
            who = s.assignee if part.role is TaskRole.LEAD and s.assignee else part.department
            parts.append(f"{who} {tr_label(TASK_STATE_LABELS[part.state])}")
        return " · ".join(parts)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in SQLite; column -1 (no sort indicator) means the default: most urgent first."""
        key = COLUMNS[column][0] if 0 <= column < len(COLUMNS) else ""
        order_by = SORT_KEYS.get(key, key)
        descending = order == Qt.SortOrder.DescendingOrder and bool(order_by)
        # Qt calls sort() while the header is set up; re-running a 200 000-row query for nothing would
        # occupy the thread pool at start-up.
        if (order_by, descending) == (self._query.order_by, self._query.descending):
            return
        self._query.order_by = order_by
        self._query.descending = descending
        self.reload()


class CaseSortFilterProxy(QSortFilterProxyModel):
    """Sorting is delegated to the source model (SQLite sorts 200 000 rows; the proxy would have to load
    all of them). The proxy keeps the view decoupled from the source, as every other list in the desk."""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        if source is not None:
            source.sort(column, order)

    def lessThan(self, left: QModelIndex | QPersistentModelIndex, right: QModelIndex | QPersistentModelIndex) -> bool:
        return left.row() < right.row()
