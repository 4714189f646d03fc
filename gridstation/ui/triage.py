"""Triage in the intake form (issue 16): 当场办 / 协同快办 / 跟踪督办 with one key (Ctrl+1 / Ctrl+2 / Ctrl+3), a
suggestion from the channel and category (`domain/triage.py`) until the clerk chooses, and for 跟踪督办 the plan the
case needs: its planned completion date and the one person who answers for it."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QWidget

from gridstation.domain.enums import TIER_LABELS, Channel, Tier
from gridstation.domain.triage import suggest_tier
from gridstation.services.station import StationService
from gridstation.ui.category_picker import CategoryPicker
from gridstation.ui.labels import tr_label

PLAN_DAYS = 14  # the plan date the form offers first: a fortnight, the usual span of a 跟踪督办 case
TIER_KEYS = {"Ctrl+1": Tier.ON_THE_SPOT, "Ctrl+2": Tier.QUICK, "Ctrl+3": Tier.TRACKED}


class Triage(QObject):
    """Attached to a form's channel, category and tier fields; `plan_row` goes under the tier."""

    def __init__(
        self, form: QWidget, service: StationService, channel: QComboBox, category: CategoryPicker, tier: QComboBox
    ) -> None:
        super().__init__(form)
        self._service = service
        self._channel, self._category, self._tier = channel, category, tier
        self.chosen = False  # the clerk picked the tier: no more suggestions for this case
        self._suggesting = False
        self.plan = QDateEdit()
        self.plan.setCalendarPopup(True)
        self.plan.setDisplayFormat("yyyy-MM-dd")
        self.owner = QComboBox()
        self.plan_row = QWidget()
        row = QHBoxLayout(self.plan_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(self.tr("计划完成")))
        row.addWidget(self.plan)
        row.addWidget(QLabel(self.tr("责任人")))
        row.addWidget(self.owner, 1)
        self.plan_row.setObjectName("tracked_plan")
        for keys, tier_choice in TIER_KEYS.items():
            shortcut = QShortcut(QKeySequence(keys), form)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda chosen=tier_choice: self.choose(chosen))
        tier.activated.connect(lambda _index: self._clerk_chose())
        tier.currentIndexChanged.connect(lambda _index: self._show_plan())
        channel.currentIndexChanged.connect(lambda _index: self.suggest())
        category.category_chosen.connect(lambda _code: self.suggest())
        tier.setToolTip(
            self.tr("Ctrl+1 {0}　Ctrl+2 {1}　Ctrl+3 {2}").format(
                *(tr_label(TIER_LABELS[t]) for t in TIER_KEYS.values())
            )
        )
        self.reset()

    def choose(self, tier: Tier) -> None:
        self._tier.setCurrentIndex(self._tier.findData(str(tier)))
        self._clerk_chose()

    def _clerk_chose(self) -> None:
        if not self._suggesting:
            self.chosen = True

    def suggest(self) -> None:
        """The suggested tier, while the clerk has not chosen one (never 当场办: that is the clerk's call)."""
        code = self._category.current_code()
        if self.chosen or not code:
            return
        suggested = suggest_tier(Channel(self._channel.currentData()), code)
        self._suggesting = True
        try:
            self._tier.setCurrentIndex(self._tier.findData(str(suggested)))
        finally:
            self._suggesting = False

    def _show_plan(self) -> None:
        self.plan_row.setVisible(self._tier.currentData() == str(Tier.TRACKED))

    def plan_values(self) -> tuple[date | None, str]:
        """(planned completion date, owner) for a 跟踪督办 case; (None, "") otherwise."""
        if self._tier.currentData() != str(Tier.TRACKED):
            return None, ""
        picked = self.plan.date()
        return date(picked.year(), picked.month(), picked.day()), str(self.owner.currentData() or "")

    def set_owner_choices(self, me: str) -> None:
        self.owner.clear()
        for name in self._service.staff_names():
            self.owner.addItem(name, name)
        self.owner.setCurrentIndex(max(0, self.owner.findData(me)))

    def restore(self, plan_due_on: str, owner: str) -> None:
        """A draft's plan, when it had one (a tier chosen by the clerk then stays the clerk's)."""
        self.chosen = True
        if plan_due_on:
            day = date.fromisoformat(plan_due_on)
            self.plan.setDate(QDate(day.year, day.month, day.day))
        if owner:
            self.owner.setCurrentIndex(max(0, self.owner.findData(owner)))

    def reset(self) -> None:
        """A new case: suggestions again, the plan a fortnight from today."""
        self.chosen = False
        today = self._service.local_date(self._service.now())
        later = QDate(today.year, today.month, today.day).addDays(PLAN_DAYS)
        self.plan.setDate(later)
        self._show_plan()
