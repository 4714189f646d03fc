"""The case list: filters, full-text search and live five-colour countdowns."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QCoreApplication, QDate, QItemSelection, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gridstation.domain.enums import STATUS_LABELS, TIER_LABELS, Status, Tier
from gridstation.domain.listing import CaseQuery
from gridstation.domain.sla import COLOUR_LABELS, Colour
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.case_model import CASE_ID_ROLE, COLUMN_OF, COMPACT_TIME, CaseSortFilterProxy, CaseTableModel
from gridstation.ui.labels import tr_label
from gridstation.ui.messages import error_text

SEARCH_DELAY_MS = 300
TICK_MS = 1000
OPEN_CASES = "__open__"


class CaseListPanel(QWidget):
    case_selected = Signal(str)

    def __init__(
        self, service: StationService, parent: QWidget | None = None, *, staff: StaffMember | None = None
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._select_when_loaded: str | None = None
        # 我的诉求: only the signed-in person's open cases (专人专责), most urgent first; the filters still apply.
        self._signed_in_name = staff.name if staff is not None else ""
        self._owner_shown = ""
        self.mine = False
        self.model = CaseTableModel(service, self, staff=staff)
        self.proxy = CaseSortFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self._build()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._on_tick)
        self._tick.start()
        self.model.loading_changed.connect(self._on_loading)
        self.model.loaded.connect(self._on_loaded)
        self.model.load_failed.connect(lambda e: self.count_label.setText(error_text(e)))

    def set_staff(self, staff: StaffMember) -> None:
        self.model.set_staff(staff)
        if self.mine and self._owner_shown == self._signed_in_name:
            self._owner_shown = staff.name  # 我的诉求 of the person now signed in
            self.apply_filters()
        self._signed_in_name = staff.name

    def show_mine(self, on: bool) -> None:
        self.show_owner(self._signed_in_name if on else "")

    def show_owner(self, owner: str) -> None:
        """Only `owner`'s open cases ("": everyone's again); 我的诉求 is the signed-in person's."""
        self._owner_shown = owner
        self.mine = bool(owner)
        self.apply_filters()

    def _build(self) -> None:
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("搜索：编号、诉求内容、小区、地址、姓名、电话（Ctrl+F）"))
        self.search.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.status_filter.addItem(self.tr("全部状态"), "")
        self.status_filter.addItem(self.tr("未办结"), OPEN_CASES)
        for status, label in STATUS_LABELS.items():
            self.status_filter.addItem(tr_label(label), str(status))
        self.tier_filter = QComboBox()
        self.tier_filter.addItem(self.tr("全部方式"), "")
        for tier, label in TIER_LABELS.items():
            self.tier_filter.addItem(tr_label(label), str(tier))
        self.colour_filter = QComboBox()
        self.colour_filter.addItem(self.tr("全部预警"), "")
        for colour in (Colour.RED, Colour.ORANGE, Colour.YELLOW, Colour.BLUE, Colour.GREEN, Colour.NONE):
            self.colour_filter.addItem(tr_label(COLOUR_LABELS[colour]), str(colour))
        self.category_filter = QComboBox()
        self.category_filter.addItem(self.tr("全部分类"), "")
        for category in self._service.categories():
            prefix = "    " if category.parent_code else ""
            self.category_filter.addItem(prefix + category.name, category.code)
        self.grid_filter = QComboBox()
        self.grid_filter.addItem(self.tr("全部网格"), "")
        for grid in self._service.grids():
            self.grid_filter.addItem(grid.name, grid.code)
        self.date_from = _optional_date(self.tr("起始日期不限"))
        self.date_to = _optional_date(self.tr("截止日期不限"))
        self.count_label = QLabel()

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        for widget in (
            self.status_filter,
            self.tier_filter,
            self.colour_filter,
            self.category_filter,
            self.grid_filter,
            self.date_from,
            self.date_to,
        ):
            filters.addWidget(widget, 1)
            if isinstance(widget, QComboBox):
                # Combos size to their longest entry by default (a long category name), which made the window
                # refuse to shrink below 1156 pixels; they shrink to a few characters instead and show the rest
                # in the drop-down.
                widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                widget.setMinimumContentsLength(4)
                widget.currentIndexChanged.connect(self.apply_filters)
            else:
                widget.dateChanged.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_filters)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # No sort indicator before sorting is enabled: Qt then asks for sort(-1), the default urgent-first order,
        # which the model already has, so no query runs until the window asks for the first load.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self._size_columns()
        selection = self.table.selectionModel()
        assert selection is not None
        selection.selectionChanged.connect(self._on_selection)
        self.table.activated.connect(self._on_activated)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

    def _size_columns(self) -> None:
        """Widths from the font (so they scale at 125 % and 150 %), wide enough for what the columns hold; the
        summary takes the rest, so the columns a clerk scans fit a 1366-pixel screen without scrolling."""
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COLUMN_OF["description"], QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(24)
        metrics = self.table.fontMetrics()
        padding = metrics.horizontalAdvance("M") * 2  # cell margins and the sort arrow
        samples = {
            "colour": [tr_label(label) for label in COLOUR_LABELS.values()],
            "countdown": [
                QCoreApplication.translate("CaseTableModel", str(template)).format(amount)
                for template in COMPACT_TIME.values()
                for amount in (99, "<1")
            ],
            "number": ["JA01-20261114-0002-N"],
            "category_code": ["消防通道占用"],
            "compound": ["枫林苑 12号301"],
            "status": [tr_label(label) for label in STATUS_LABELS.values()],
            "tier": [tr_label(label) for label in TIER_LABELS.values()],
            "assignee": ["物业服务中心"],
            "registered_at": ["11-14 11:12"],
        }
        for key, texts in samples.items():
            column = COLUMN_OF[key]
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            width = max(metrics.horizontalAdvance(text) for text in [*texts, title]) + padding
            self.table.setColumnWidth(column, width)

    def current_query(self) -> CaseQuery:
        status = self.status_filter.currentData()
        tier = self.tier_filter.currentData()
        colour = self.colour_filter.currentData()
        previous = self.model.query
        return CaseQuery(
            text=self.search.text().strip(),
            statuses=frozenset({Status(status)}) if status and status != OPEN_CASES else frozenset(),
            open_only=status == OPEN_CASES or (self.mine and not status),
            owner=self._owner_shown if self.mine else "",
            tiers=frozenset({Tier(tier)}) if tier else frozenset(),
            colours=frozenset({Colour(colour)}) if colour else frozenset(),
            category_code=self.category_filter.currentData() or "",
            grid_code=self.grid_filter.currentData() or "",
            registered_from=_date_value(self.date_from),
            registered_to=_date_value(self.date_to),
            order_by=previous.order_by,
            descending=previous.descending,
        )

    def apply_filters(self) -> None:
        self._search_timer.stop()
        self.model.set_query(self.current_query())

    def reload(self) -> None:
        self.model.set_query(self.current_query())

    def reload_and_select(self, case_id: str) -> None:
        """Reload, then select and show `case_id` (a case just saved), wherever the order puts it: the model
        holds every matching id, so finding the row needs no extra query, and only its page is fetched."""
        self._select_when_loaded = case_id
        self.reload()

    def _on_loading(self, loading: bool) -> None:
        if loading:
            self.count_label.setText(self.tr("正在查询…"))

    def _on_loaded(self, count: int) -> None:
        if self.mine and self._owner_shown == self._signed_in_name:
            self.count_label.setText(self.tr("我的诉求：{0} 件在办（Ctrl+M 显示全部）").format(count))
        elif self.mine:
            text = self.tr("{0} 的在办诉求：{1} 件（Ctrl+M 显示全部）")
            self.count_label.setText(text.format(self._owner_shown, count))
        else:
            self.count_label.setText(self.tr("共 {0} 件").format(count))
        case_id, self._select_when_loaded = self._select_when_loaded, None
        if case_id is not None:
            self.select_case(case_id)

    def _on_tick(self) -> None:
        viewport = self.table.viewport()
        assert viewport is not None
        # The proxy keeps source order (sorting happens in SQLite), so view rows are model rows.
        first = max(0, self.table.rowAt(0))
        last = self.table.rowAt(viewport.height() - 1)
        if last < 0:
            last = min(self.model.rowCount() - 1, first + 60)
        self.model.tick(self._service.now(), first, last)

    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            self.case_selected.emit(str(indexes[0].data(CASE_ID_ROLE)))

    def _on_activated(self, index: QModelIndex) -> None:
        self.case_selected.emit(str(index.data(CASE_ID_ROLE)))

    def select_case(self, case_id: str) -> None:
        row = self.model.row_of(case_id)
        if row >= 0:
            index = self.proxy.mapFromSource(self.model.index(row, COLUMN_OF["number"]))
            self.table.selectRow(index.row())
            self.table.scrollTo(index)

    def refresh_case(self, case_id: str) -> None:
        self.model.refresh_case(case_id)


def _optional_date(special: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(QDate(2000, 1, 1))
    edit.setSpecialValueText(special)
    edit.setDate(edit.minimumDate())
    return edit


def _date_value(edit: QDateEdit) -> date | None:
    if edit.date() == edit.minimumDate():
        return None
    qdate = edit.date()
    return date(qdate.year(), qdate.month(), qdate.day())
