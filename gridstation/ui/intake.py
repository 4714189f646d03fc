"""The intake form: a clerk logs a walk-in without touching the mouse.

Tab moves through the fields in reading order, Enter saves (Shift+Enter starts a new line in the
description), errors show beside the field, and every keystroke is kept in a draft file until the
case is saved.
"""

from __future__ import annotations

import itertools
import logging
from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gridstation.domain.case import CaseState, Intake, IntakeInvalid
from gridstation.domain.enums import CHANNEL_LABELS, TIER_LABELS, Channel, Tier
from gridstation.domain.errors import DomainError, ValidationError
from gridstation.domain.validation import DESCRIPTION_MAX_CHARS, char_count, phone_needed, validate_phone
from gridstation.services.drafts import DraftStore
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.category_picker import TAKE_KEYS, CategoryPicker, Taken
from gridstation.ui.labels import tr_label
from gridstation.ui.messages import error_text
from gridstation.ui.similar_panel import SimilarPanel, Typed
from gridstation.ui.triage import Triage
from gridstation.ui.workers import run_in_background

DRAFT_DELAY_MS = 400
log = logging.getLogger(__name__)
_ERROR_STYLE = "color: #c62828;"
_COUNTER_STYLE = "color: #666;"
_KEY_PRESS = QEvent.Type.KeyPress


class IntakeForm(QWidget):
    """Emits `case_saved` with the new case once it is stored."""

    case_saved = Signal(object)
    # 追加诉求: the visit was added to an open case it repeats (the state of that case); no new case was made.
    case_supplemented = Signal(object)
    save_failed = Signal(str)

    def __init__(self, service: StationService, staff: StaffMember, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("intakeForm")
        self._service = service
        self._staff = staff
        self._drafts = DraftStore(service.data_dir)
        self._saving = False
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        self._errors: dict[str, QLabel] = {}
        self._build()
        self.triage.set_owner_choices(staff.name)
        self._load_reference()
        self._restore_draft()

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        title = QLabel(self.tr("登记来访诉求"))
        title.setStyleSheet("font-size: 16px; font-weight: bold;")

        self.channel = QComboBox()
        for channel, label in CHANNEL_LABELS.items():
            self.channel.addItem(tr_label(label), str(channel))
        self.category = CategoryPicker()
        self.tier = QComboBox()
        for tier, label in TIER_LABELS.items():
            self.tier.addItem(tr_label(label), str(tier))
        self.tier.setCurrentIndex(self.tier.findData(str(Tier.QUICK)))
        self.compound = QComboBox()
        self.compound.setEditable(True)
        self.compound.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        compound_line = self.compound.lineEdit()
        assert compound_line is not None
        compound_line.setPlaceholderText(self.tr("小区/弄"))
        self.building = QLineEdit()
        self.building.setPlaceholderText(self.tr("楼栋、门牌，如 12号301"))
        self.address = QLineEdit()
        self.address.setPlaceholderText(self.tr("补充地址（可选）"))
        self.grid = QComboBox()
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.description.setPlaceholderText(self.tr("居民反映的问题（Enter 保存，Shift+Enter 换行）"))
        self.description.setMinimumHeight(90)
        self.counter = QLabel()
        self.complainant_name = QLineEdit()
        self.complainant_name.setPlaceholderText(self.tr("可不填"))
        self.phone = QLineEdit()
        self.phone.setPlaceholderText(self.tr("手机或固话，如 13800138000 / 021-64321234"))
        self.anonymous = QCheckBox(self.tr("居民要求匿名"))
        self.answer = QPlainTextEdit()
        self.answer.setTabChangesFocus(True)
        self.answer.setPlaceholderText(self.tr("当场答复的内容"))
        self.answer.setMaximumHeight(70)
        self.answer_label = QLabel(self.tr("当场答复"))
        self.save_button = QPushButton(self.tr("保存 (Enter)"))
        self.save_button.setDefault(True)
        self.clear_button = QPushButton(self.tr("清空"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.similar = SimilarPanel(self._service, lambda: self._staff)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        rows: list[tuple[str, str, QWidget]] = [
            ("channel", self.tr("渠道"), self.channel),
            ("category_code", self.tr("分类 *"), self.category),
            ("tier", self.tr("处置方式 *"), self.tier),
            ("compound", self.tr("小区"), self.compound),
            ("building", self.tr("楼栋"), self.building),
            ("address", self.tr("地址"), self.address),
            ("grid_code", self.tr("网格"), self.grid),
            ("description", self.tr("诉求内容 *"), self.description),
            ("complainant_name", self.tr("姓名"), self.complainant_name),
            ("phone", self.tr("电话 *"), self.phone),
            ("anonymous", "", self.anonymous),
        ]
        self.triage = Triage(self, self._service, self.channel, self.category, self.tier)
        for name, label, widget in rows:
            box = self._with_error(name, widget)
            form.addRow(label, box)
            if name == "tier":  # 跟踪督办's plan, shown for that tier only
                form.addRow("", self._with_error("plan_due_on", self.triage.plan_row))
            if name == "phone":
                self.phone_label = form.labelForField(box)
            if name == "description":
                form.addRow("", self.counter)
            if name == "category_code":
                form.addRow("", self.category.hint)
        form.addRow(self.answer_label, self._with_error("answer", self.answer))

        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.similar)
        layout.addStretch(1)

        order: list[QWidget] = [
            self.channel,
            self.category,
            self.tier,
            self.compound,
            self.building,
            self.address,
            self.grid,
            self.description,
            self.complainant_name,
            self.phone,
            self.anonymous,
            self.answer,
            self.save_button,
            self.clear_button,
        ]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

        for widget in order[: order.index(self.answer) + 1]:  # the fields, not the buttons
            widget.installEventFilter(self)
        for combo in (self.category, self.compound):
            line = combo.lineEdit()
            assert line is not None
            line.installEventFilter(self)

        self.save_button.clicked.connect(self.submit)
        self.clear_button.clicked.connect(self.clear)
        self.tier.currentIndexChanged.connect(self._update_answer_visibility)
        self.description.textChanged.connect(self._update_counter)
        self.phone.editingFinished.connect(self._check_phone)
        self.compound.currentTextChanged.connect(self._on_compound)
        for signal in (
            self.building.textChanged,
            self.address.textChanged,
            self.description.textChanged,
            self.complainant_name.textChanged,
            self.phone.textChanged,
            self.answer.textChanged,
            self.category.currentTextChanged,
            self.compound.currentTextChanged,
            self.tier.currentIndexChanged,
            self.channel.currentIndexChanged,
            self.anonymous.toggled,
            self.grid.currentIndexChanged,
        ):
            signal.connect(self._schedule_draft)
        for signal in (
            self.description.textChanged,
            self.compound.currentTextChanged,
            self.building.textChanged,
            self.address.textChanged,
            self.phone.textChanged,
            self.category.currentTextChanged,
        ):
            signal.connect(self._schedule_similar)
        self.similar.add_button.clicked.connect(self.add_to_duplicate)
        self.anonymous.toggled.connect(self._update_phone_star)
        self._update_answer_visibility()
        self._fix_counter_size()
        self._update_counter()

    def _with_error(self, name: str, widget: QWidget) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        column.addWidget(widget)
        error = QLabel()
        error.setObjectName(f"error_{name}")
        error.setStyleSheet(_ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        column.addWidget(error)
        self._errors[name] = error
        return box

    def reload_reference(self) -> None:
        """Categories, compounds or grids were edited: refresh the pickers, keeping what is typed."""
        values = self.field_values()
        self.category.blockSignals(True)
        self.compound.blockSignals(True)
        self.grid.blockSignals(True)
        self.compound.clear()
        self.grid.clear()
        self._load_reference()
        if values["category_code"]:
            self.category.select_code(values["category_code"])
        self.compound.setEditText(values["compound"])
        self.grid.setCurrentIndex(max(0, self.grid.findData(values["grid_code"])))
        for combo in (self.category, self.compound, self.grid):
            combo.blockSignals(False)

    def _load_reference(self) -> None:
        self.category.set_choices(self._service.category_choices())
        self._compound_grids = {c.name: c.grid_code for c in self._service.compounds()}
        self.compound.addItems(list(self._compound_grids))
        self.compound.setCurrentIndex(-1)
        self.compound.clearEditText()
        completer = QCompleter(list(self._compound_grids), self.compound)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.compound.setCompleter(completer)
        self.grid.addItem(self.tr("（未指定）"), "")
        for grid in self._service.grids():
            self.grid.addItem(grid.name, grid.code)

    # ------------------------------------------------------------------ behaviour

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Every event of every field passes here (paints, focus, input-method queries), ~250 per walk-in: leave the
        # others at once, testing the Python type before asking for event.type() (which builds an enum each call).
        if not isinstance(event, QKeyEvent) or event.type() is not _KEY_PRESS:
            return False
        in_category = watched in (self.category, self.category.lineEdit())
        if in_category and event.key() in TAKE_KEYS:
            taken = self.category.accept_typed()
            # Several categories (or none) fit what was typed: stay in the field, whose hint says so.
            if taken in (Taken.AMBIGUOUS, Taken.NO_MATCH):
                return True
            # Enter took the one category that fits; saving is a second Enter.
            if taken is Taken.CHOSEN and event.key() != Qt.Key.Key_Tab:
                return True
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self._popup_open():
            in_text = watched in (self.description, self.answer)
            if not (in_text and event.modifiers() & Qt.KeyboardModifier.ShiftModifier):
                self.submit()
                return True
        if event.key() == Qt.Key.Key_F8:
            self.add_to_duplicate()
            return True
        if event.key() == Qt.Key.Key_Escape and not self._popup_open():
            self.clear_errors()
        return False  # QWidget does not filter other objects' events

    def _popup_open(self) -> bool:
        for combo in (self.category, self.compound):
            completer = combo.completer()
            popup = completer.popup() if completer is not None else None
            # A popup left open beside a field that no longer has focus is stale: it takes no keys.
            if popup is not None and popup.isVisible() and combo.hasFocus():
                return True
        return any(_view_visible(c) for c in (self.category, self.compound, self.channel, self.tier, self.grid))

    def _update_phone_star(self) -> None:
        # The star follows the rule the save checks: an anonymous resident need not leave a number.
        needed = phone_needed(anonymous=self.anonymous.isChecked())
        if isinstance(self.phone_label, QLabel):
            self.phone_label.setText(self.tr("电话 *") if needed else self.tr("电话"))

    def _update_answer_visibility(self) -> None:
        on_the_spot = self.tier.currentData() == str(Tier.ON_THE_SPOT)
        self.answer.setVisible(on_the_spot)
        self.answer_label.setVisible(on_the_spot)
        if not on_the_spot:
            self._errors["answer"].hide()

    def _fix_counter_size(self) -> None:
        """Size the counter for the widest count it can show, once. Qt re-lays out the form whenever a label's text
        changes, unless the label's size cannot change: that relayout came with every input-method commit."""
        self.counter.setText(self.tr("{0} / {1} 字").format(888_888, DESCRIPTION_MAX_CHARS))
        self.counter.setFixedSize(self.counter.sizeHint())

    def _update_counter(self) -> None:
        count = char_count(self.description.toPlainText().strip())
        self.counter.setText(self.tr("{0} / {1} 字").format(count, DESCRIPTION_MAX_CHARS))
        _restyle(self.counter, _ERROR_STYLE if count > DESCRIPTION_MAX_CHARS else _COUNTER_STYLE)

    def _check_phone(self) -> None:
        try:
            validate_phone(self.phone.text(), required=False)
        except ValidationError as err:
            self._show_error("phone", error_text(err))
        else:
            self._errors["phone"].hide()

    def _on_compound(self, text: str) -> None:
        grid = self._compound_grids.get(text.strip())
        if grid:
            index = self.grid.findData(grid)
            if index >= 0:
                self.grid.setCurrentIndex(index)

    def _show_error(self, name: str, message: str) -> None:
        label = self._errors.get(name) or self._errors["description"]
        label.setText(message)
        label.show()

    def clear_errors(self) -> None:
        for label in self._errors.values():
            label.hide()

    def field_values(self) -> dict[str, Any]:
        planned, owner = self.triage.plan_values()
        return {
            "channel": self.channel.currentData(),
            "category_text": self.category.currentText(),
            "category_code": self.category.current_code(),
            "tier": self.tier.currentData(),
            "compound": self.compound.currentText(),
            "building": self.building.text(),
            "address": self.address.text(),
            "grid_code": self.grid.currentData() or "",
            "description": self.description.toPlainText(),
            "complainant_name": self.complainant_name.text(),
            "phone": self.phone.text(),
            "anonymous": self.anonymous.isChecked(),
            "answer": self.answer.toPlainText(),
            # 跟踪督办's plan: ISO date and owner ("" for the other tiers), as the draft keeps them.
            "plan_due_on": planned.isoformat() if planned else "",
            "owner": owner,
        }

    def submit(self) -> None:
        """Validate, then save on the thread pool; the typed text stays until the save succeeds."""
        if self._saving:
            return
        self.clear_errors()
        values = self.field_values()
        self._draft_timer.stop()
        try:
            intake = Intake.validated(
                channel=Channel(values["channel"]),
                category_code=values["category_code"],
                description=values["description"],
                tier=Tier(values["tier"]),
                compound=values["compound"],
                building=values["building"],
                address=values["address"],
                grid_code=values["grid_code"],
                complainant_name=values["complainant_name"],
                phone=values["phone"],
                anonymous=values["anonymous"],
                answer=values["answer"],
                plan_due_on=date.fromisoformat(values["plan_due_on"]) if values["plan_due_on"] else None,
                owner=values["owner"],
                plan_required=True,
                repeat_of=self.similar.repeat_of.number if self.similar.repeat_of else "",
            )
        except IntakeInvalid as invalid:
            self.save_draft()
            for problem in invalid.problems:
                self._show_error(problem.field, error_text(problem))
            self._focus_field(invalid.problems[0].field)
            self.status.setText(self.tr("有 {0} 项需要修改。").format(len(invalid.problems)))
            _restyle(self.status, _ERROR_STYLE)
            return
        self._saving = True
        self.save_button.setEnabled(False)
        self.status.setText(self.tr("正在保存…"))
        _restyle(self.status, "")
        drafts, service, staff = self._drafts, self._service, self._staff

        def register() -> CaseState:
            # The draft is written first, on the pool thread with the save (its fsync is too slow for the
            # keystroke that saves): should the desk die while the case is stored, the text is there on restart.
            _keep_draft(drafts, values)
            return service.register_case(staff, intake)

        run_in_background(register, self._saved, self._failed, owner=self)

    def _saved(self, state: object) -> None:
        assert isinstance(state, CaseState)
        self._saving = False
        self.save_button.setEnabled(True)
        self._drafts.clear()
        self.clear(keep_channel=True)
        self.status.setText(self.tr("已保存：{0}").format(state.number))
        _restyle(self.status, "color: #2e7d32; font-weight: bold;")
        self.case_saved.emit(state)

    def _failed(self, error: BaseException) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        message = error_text(error)
        if isinstance(error, ValidationError):
            self._show_error(error.field, message)
        self.status.setText(self.tr("未保存：{0}\n已填写的内容已保留，可直接重试。").format(message))
        _restyle(self.status, _ERROR_STYLE)
        self.save_failed.emit(message)
        if not isinstance(error, DomainError):
            log.error("saving an intake failed", exc_info=error)

    def _focus_field(self, name: str) -> None:
        widgets: dict[str, QWidget] = {
            "category_code": self.category,
            "description": self.description,
            "phone": self.phone,
            "complainant_name": self.complainant_name,
            "compound": self.compound,
            "building": self.building,
            "address": self.address,
            "answer": self.answer,
        }
        widgets.get(name, self.description).setFocus(Qt.FocusReason.OtherFocusReason)

    def clear(self, keep_channel: bool = False) -> None:
        channel = self.channel.currentIndex()
        self.category.reset()
        self.compound.setCurrentIndex(-1)
        self.compound.clearEditText()
        for edit in (self.building, self.address, self.complainant_name, self.phone):
            edit.clear()
        self.description.clear()
        self.answer.clear()
        self.anonymous.setChecked(False)
        self.grid.setCurrentIndex(0)
        self.tier.setCurrentIndex(self.tier.findData(str(Tier.QUICK)))
        self.channel.setCurrentIndex(channel if keep_channel else 0)
        self.triage.reset()
        self.clear_errors()
        self.similar.clear()
        self._draft_timer.stop()
        self._drafts.clear()
        self.category.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------------ what the station already knows

    def _typed(self) -> Typed:
        return Typed(
            text=self.description.toPlainText(),
            compound=self.compound.currentText(),
            building=self.building.text(),
            door=self.address.text(),
            phone=self.phone.text(),
            category_code=self.category.current_code(),
        )

    def _schedule_similar(self) -> None:
        self.similar.schedule(self._typed())

    def add_to_duplicate(self) -> None:
        """F8: the resident reports what an open case already holds; the visit is added to it as 追加诉求."""
        duplicate = self.similar.duplicate
        if self._saving:
            return
        if duplicate is None:
            self.status.setText(self.tr("没有疑似重复的在办诉求可追加；按 Enter 登记为新诉求。"))
            _restyle(self.status, "")
            return
        note = self.description.toPlainText().strip()
        if not note:
            self._show_error("description", self.tr("请先填写居民反映的内容。"))
            return
        self._saving = True
        self.status.setText(self.tr("正在追加到 {0}…").format(duplicate.number))
        self.similar.supplement(duplicate, note, str(self.channel.currentData()), self._supplemented, self._failed)

    def _supplemented(self, state: object) -> None:
        assert isinstance(state, CaseState)
        self._saving = False
        self._drafts.clear()
        self.clear(keep_channel=True)
        self.status.setText(self.tr("已追加到 {0}（未另登记新诉求）").format(state.number))
        _restyle(self.status, "color: #2e7d32; font-weight: bold;")
        self.case_supplemented.emit(state)

    # ------------------------------------------------------------------ drafts

    def _schedule_draft(self) -> None:
        self._draft_timer.start()

    def set_staff(self, staff: StaffMember) -> None:
        """After 切换用户: the next case is registered by `staff`."""
        self._staff = staff
        self.triage.set_owner_choices(staff.name)

    def has_unsaved_text(self) -> bool:
        values = self.field_values()
        return any(
            str(values[k]).strip()
            for k in (
                "description",
                "phone",
                "complainant_name",
                "building",
                "address",
                "answer",
                "category_text",
                "compound",
            )
        )

    def save_draft(self) -> None:
        self._draft_timer.stop()
        if not self.has_unsaved_text():
            self._drafts.clear()
            return
        values = self.field_values()
        try:
            self._drafts.save(values)
        except OSError:
            self.status.setText(self.tr("草稿无法写入磁盘，请尽快保存。"))

    def _restore_draft(self) -> None:
        draft = self._drafts.load()
        if not draft:
            return
        self.channel.setCurrentIndex(max(0, self.channel.findData(draft.get("channel"))))
        self.tier.setCurrentIndex(max(0, self.tier.findData(draft.get("tier"))))
        if draft.get("category_code"):
            self.category.select_code(str(draft["category_code"]))
        else:
            self.category.setEditText(str(draft.get("category_text", "")))
        self.compound.setEditText(str(draft.get("compound", "")))
        self.building.setText(str(draft.get("building", "")))
        self.address.setText(str(draft.get("address", "")))
        self.grid.setCurrentIndex(max(0, self.grid.findData(draft.get("grid_code", ""))))
        self.description.setPlainText(str(draft.get("description", "")))
        self.complainant_name.setText(str(draft.get("complainant_name", "")))
        self.phone.setText(str(draft.get("phone", "")))
        self.anonymous.setChecked(bool(draft.get("anonymous")))
        self.triage.restore(str(draft.get("plan_due_on", "")), str(draft.get("owner", "")))
        self.answer.setPlainText(str(draft.get("answer", "")))
        self.status.setText(self.tr("已恢复上次未保存的登记内容。"))


def _keep_draft(drafts: DraftStore, values: dict[str, Any]) -> None:
    try:
        drafts.save(values)
    except OSError:  # the save goes on; its own result is what the clerk sees next
        log.warning("the intake draft could not be written before saving", exc_info=True)


def _restyle(widget: QWidget, style: str) -> None:
    """Set a style sheet only when it changes: setting one re-polishes the widget, which a keystroke should not."""
    if widget.styleSheet() != style:
        widget.setStyleSheet(style)


def _view_visible(combo: QComboBox) -> bool:
    view = combo.view()
    return view is not None and view.isVisible()
