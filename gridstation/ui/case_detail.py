"""Case detail: the case's fields, its timeline of events, and buttons for what is legal now."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gridstation.domain.case import CORRECTABLE_FIELDS, FIELD_LABELS, FINISHED, CaseState
from gridstation.domain.enums import (
    CHANNEL_LABELS,
    DISPOSAL_OUTCOME_LABELS,
    EVENT_LABELS,
    FOLLOW_UP_KIND_LABELS,
    FOLLOW_UP_SOURCE_LABELS,
    RESOLUTION_LABELS,
    SATISFACTION_LABELS,
    STATUS_LABELS,
    TIER_LABELS,
    EventType,
    FollowUpSource,
    Tier,
)
from gridstation.domain.errors import DomainError
from gridstation.domain.lifecycle import legal_actions
from gridstation.domain.roles import Permission
from gridstation.domain.sla import COLOUR_LABELS, STAGE_LABELS, Colour, Stage
from gridstation.domain.supervision import describe_notice, due_notices
from gridstation.domain.timeline import describe_event
from gridstation.domain.validation import mask_name, mask_phone
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.case_model import format_remaining
from gridstation.ui.dialogs import WritingDialog, accept_cancel_buttons, error_label
from gridstation.ui.knowledge import ProposalDialog
from gridstation.ui.labels import tr_label
from gridstation.ui.messages import error_text
from gridstation.ui.photos import PhotoDropTarget, PhotoStrip
from gridstation.ui.secure_dialogs import UnmaskPhoneDialog

FIELDS_PER_LINE = 4
COMMON_ASSIGNEES = ["网格员", "物业服务中心", "城管中队", "绿化市容所", "房管办", "派出所", "市场监管所", "居委会"]


class ActionDialog(WritingDialog):
    """Collects what one lifecycle step needs, then records it through the service."""

    def __init__(
        self,
        service: StationService,
        staff: StaffMember,
        state: CaseState,
        action: EventType,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._staff = staff
        self._state = state
        self._action = action
        self.result_state: CaseState | None = None
        self.setWindowTitle(self.tr("{0}：{1}").format(tr_label(EVENT_LABELS[action]), state.number))
        self.setMinimumWidth(420)
        self.inputs: dict[str, QWidget] = {}
        form = QFormLayout()
        for name, label, widget in self._fields():
            self.inputs[name] = widget
            form.addRow(label, widget)
        self.error = error_label()
        self.buttons = accept_cancel_buttons(self, self.tr("确定"), self.tr("取消"))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def _fields(self) -> list[tuple[str, str, QWidget]]:
        a = self._action
        if a is EventType.DISPATCHED:
            assignee = QComboBox()
            assignee.setEditable(True)
            assignee.addItems([tr_label(x) for x in COMMON_ASSIGNEES])
            assignee.setCurrentIndex(-1)
            return [("assignee", self.tr("承办人或部门"), assignee), ("note", self.tr("说明"), _text())]
        if a is EventType.DISPOSED:
            return [
                ("outcome", self.tr("处置结果"), _choice(DISPOSAL_OUTCOME_LABELS)),
                ("note", self.tr("处置情况"), _text()),
            ]
        if a is EventType.CLOSED:
            return [("answer", self.tr("办结答复"), _text())]
        if a is EventType.FOLLOW_UP:
            kind = self._state.pending_follow_up()
            label = QLabel(tr_label(FOLLOW_UP_KIND_LABELS[kind]) if kind else "")
            label.setProperty("value", str(kind) if kind else "")
            # A returned paper form (回访满意度表) is entered here too: its visitor and date are the form's own,
            # and the event records who typed it in.
            source = _choice(FOLLOW_UP_SOURCE_LABELS)
            today = self._service.local_date(self._service.now())
            visited_on = QDateEdit(QDate(today.year, today.month, today.day))
            visited_on.setCalendarPopup(True)
            visited_on.setDisplayFormat("yyyy-MM-dd")
            visited_on.setEnabled(False)
            source.currentIndexChanged.connect(
                lambda _i: visited_on.setEnabled(source.currentData() == FollowUpSource.PAPER_FORM)
            )
            return [
                ("kind", self.tr("回访类型"), label),
                ("source", self.tr("回访方式"), source),
                ("visited_on", self.tr("回访表日期"), visited_on),
                ("resolution", self.tr("是否解决"), _choice(RESOLUTION_LABELS)),
                ("satisfaction", self.tr("满意度"), _choice(SATISFACTION_LABELS)),
                ("visitor", self.tr("回访人"), QLineEdit(self._staff.name)),
                ("note", self.tr("回访意见"), _text()),
            ]
        if a is EventType.VISIT_UNREACHABLE:
            kind = self._state.pending_follow_up()
            label = QLabel(tr_label(FOLLOW_UP_KIND_LABELS[kind]) if kind else "")
            label.setProperty("value", str(kind) if kind else "")
            return [
                ("kind", self.tr("回访类型"), label),
                ("source", self.tr("回访方式"), _choice(FOLLOW_UP_SOURCE_LABELS)),
                ("note", self.tr("说明（如：三次来电无人接听）"), _text()),
            ]
        if a is EventType.CONFERENCE_FLAGGED:
            flag = QLabel(
                self.tr("移出难题会诊名单") if self._state.conference_flagged else self.tr("列入本周难题会诊")
            )
            flag.setProperty("value", not self._state.conference_flagged)
            reason = _text()
            reason.setEnabled(not self._state.conference_flagged)
            return [("flagged", self.tr("操作"), flag), ("reason", self.tr("会诊事由"), reason)]
        if a is EventType.TIER_CHANGED:
            tiers = {t: label for t, label in TIER_LABELS.items() if t is not self._state.tier}
            return [("to", self.tr("调整为"), _choice(tiers)), ("reason", self.tr("原因"), _text())]
        if a is EventType.OWNER_CHANGED:
            people = QComboBox()
            for name in self._service.staff_names():
                if name != self._state.owner:
                    people.addItem(name, name)
            current = QLabel(self._state.owner or self.tr("未指定"))
            current.setProperty("value", self._state.owner)
            return [
                ("from", self.tr("现责任人"), current),
                ("to", self.tr("移交给"), people),
                ("reason", self.tr("原因"), _text()),
            ]
        if a is EventType.INTAKE_CORRECTED:
            fields = {name: FIELD_LABELS[name] for name in CORRECTABLE_FIELDS if name != "anonymous"}
            return [
                ("field", self.tr("更正项目"), _choice(fields)),
                ("value", self.tr("更正为"), QLineEdit()),
                ("reason", self.tr("原因"), _text()),
            ]
        return [("note", self.tr("说明"), _text())]

    def payload(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, widget in self.inputs.items():
            if isinstance(widget, QComboBox):
                values[name] = widget.currentData() if widget.currentData() is not None else widget.currentText()
            elif isinstance(widget, QPlainTextEdit):
                values[name] = widget.toPlainText()
            elif isinstance(widget, QLineEdit):
                values[name] = widget.text()
            elif isinstance(widget, QLabel):
                values[name] = widget.property("value")
            elif isinstance(widget, QDateEdit) and widget.isEnabled():
                values[name] = widget.date().toString("yyyy-MM-dd")
        return values

    def accept(self) -> None:
        case_id, action, payload, version = self._state.id, self._action, self.payload(), self._state.version
        self.write(
            lambda: self._service.record(self._staff, case_id, action, payload, expected_version=version),
            self._recorded,
        )

    def _recorded(self, state: object) -> None:
        assert isinstance(state, CaseState)
        self.result_state = state


def _text() -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setMaximumHeight(80)
    return edit


def _choice(options: dict[Any, str]) -> QComboBox:
    combo = QComboBox()
    for value, label in options.items():
        combo.addItem(tr_label(label), str(value))
    return combo


class CaseDetailPanel(QWidget):
    case_changed = Signal(object)

    def __init__(self, service: StationService, staff: StaffMember, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._staff = staff
        self.state: CaseState | None = None
        # The full number, only after the service recorded who asked for it and why; None while masked.
        self._revealed_phone: str | None = None
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 16px; font-weight: bold;")
        self.sla_label = QLabel()
        self._supervised: set[str] = set()  # the keys of the 督办 already in the shown case's log
        self.fields = QGridLayout()
        self.fields.setHorizontalSpacing(6)
        self.fields.setVerticalSpacing(2)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setTextFormat(Qt.TextFormat.PlainText)
        self.description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.description.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # A long complaint scrolls inside three lines instead of pushing the timeline off the screen.
        self.description_area = description_area = QScrollArea()
        description_area.setWidget(self.description)
        description_area.setWidgetResizable(True)
        description_area.setFrameShape(QFrame.Shape.NoFrame)
        description_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.phone_button = QPushButton(self.tr("显示完整电话…"))
        self.phone_button.hide()
        self.phone_button.clicked.connect(self._on_phone_button)
        self.propose_button = QPushButton(self.tr("经验沉淀…"))  # a closed case's lesson, proposed to the 知识库
        self.propose_button.setObjectName("propose_article")
        self.propose_button.hide()
        self.propose_button.clicked.connect(self.propose_article)
        self.timeline = QTreeWidget()
        self.timeline.setHeaderLabels([self.tr("时间"), self.tr("事项"), self.tr("经办人"), self.tr("内容")])
        self.timeline.setRootIsDecorated(False)
        self.timeline.setUniformRowHeights(True)
        metrics = self.timeline.fontMetrics()
        pad = metrics.horizontalAdvance("M") * 2
        self.timeline.setColumnWidth(0, metrics.horizontalAdvance("11-14 11:12:00") + pad)
        self.timeline.setColumnWidth(1, metrics.horizontalAdvance("修改处置方式") + pad)
        self.timeline.setColumnWidth(2, metrics.horizontalAdvance("王芳芳") + pad)
        # Photos of the problem: a button, a file dragged onto the pane, or Ctrl+V with an image copied.
        self.photos = PhotoStrip(service, staff)
        self.photos.added.connect(self._after_photo)
        self._drops = PhotoDropTarget(self.photos)
        self.setAcceptDrops(True)
        paste = QShortcut(QKeySequence(QKeySequence.StandardKey.Paste), self)
        paste.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        paste.activated.connect(self.photos.paste)
        self.actions_row = QHBoxLayout()
        self.actions_row.addStretch(1)  # buttons keep their own width, on the left
        self.action_buttons: dict[EventType, QPushButton] = {}

        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addWidget(self.sla_label)
        heading.addStretch(1)
        heading.addWidget(self.propose_button)
        heading.addWidget(self.phone_button)
        self.case_page = QWidget()
        case_layout = QVBoxLayout(self.case_page)
        case_layout.setContentsMargins(0, 0, 0, 0)
        case_layout.setSpacing(4)
        case_layout.addLayout(heading)
        case_layout.addLayout(self.fields)
        case_layout.addWidget(description_area)
        case_layout.addLayout(self.actions_row)
        case_layout.addWidget(self.photos)
        case_layout.addWidget(self.timeline, 1)
        # Before a case is chosen: a few lines on how to get one, not an empty form and timeline.
        self.empty_hint = QLabel(
            self.tr(
                "请在上方列表中选择一件诉求，查看办理经过并办理下一步。\n"
                "Ctrl+N 新登记　Ctrl+F 查找　F5 刷新列表　F9 打印回执"
            )
        )
        self.empty_hint.setObjectName("detail_empty_hint")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setStyleSheet("color: #666;")
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty_hint)
        self.pages.addWidget(self.case_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.pages)

    def set_staff(self, staff: StaffMember) -> None:
        """After 切换用户: actions are recorded as `staff`'s, and what the role may see is shown again (the full
        phone number stays masked until the new person asks)."""
        self._staff = staff
        self.photos.set_staff(staff)
        if self.state is not None:
            self.show_case(self.state.id)

    def show_case(self, case_id: str) -> None:
        try:
            self.state = self._service.case(case_id)
        except DomainError as err:
            self.title.setText(error_text(err))
            self.pages.setCurrentWidget(self.case_page)
            return
        self._revealed_phone = None
        self._render()

    def _render(self) -> None:
        state = self.state
        if state is None:
            return
        self.pages.setCurrentWidget(self.case_page)
        self.title.setText(f"{state.number}  ·  {tr_label(STATUS_LABELS[state.status])}")
        while self.fields.count():
            taken = self.fields.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.hide()  # deleteLater waits for the event loop; a stale label must not show meanwhile
                widget.deleteLater()
        names = self._service.category_names()
        phone = self._revealed_phone if self._revealed_phone is not None else mask_phone(state.phone)
        name = state.complainant_name if not state.anonymous else mask_name(state.complainant_name)
        rows = [
            (self.tr("渠道"), tr_label(CHANNEL_LABELS[state.channel])),
            (self.tr("分类"), names.get(state.category_code, state.category_code)),
            (self.tr("处置方式"), tr_label(TIER_LABELS[state.tier])),
            (self.tr("地址"), " ".join(p for p in (state.compound, state.building, state.address) if p)),
            (self.tr("居民"), (name or self.tr("未留姓名")) + (self.tr("（匿名）") if state.anonymous else "")),
            (self.tr("电话"), phone or "—"),
            # Who handles it (a department, a grid worker) and who answers for it at the station (专人专责).
            (self.tr("承办/责任人"), f"{state.assignee or '—'} · {state.owner or self.tr('未指定')}"),
            (self.tr("登记"), f"{self._service.local_time(state.registered_at):%Y-%m-%d %H:%M} {state.registered_by}"),
        ]
        # Four to a line: two lines of fields leave the detail pane's height to the timeline.
        for i, (label, value) in enumerate(rows):
            key = QLabel(label + "：")
            key.setStyleSheet("color: #555;")
            text = QLabel(value)
            text.setTextFormat(Qt.TextFormat.PlainText)
            text.setToolTip(value)
            text.setMinimumWidth(1)  # a long address is cut at the pane's edge rather than widening the window
            self.fields.addWidget(key, i // FIELDS_PER_LINE, (i % FIELDS_PER_LINE) * 2)
            self.fields.addWidget(text, i // FIELDS_PER_LINE, (i % FIELDS_PER_LINE) * 2 + 1)
            if self.isVisible():  # at once, not on the next turn of the event loop (a screenshot, a quick look)
                key.show()
                text.show()
        for pair in range(FIELDS_PER_LINE):
            self.fields.setColumnStretch(pair * 2 + 1, 1)
        self.description.setText(state.description)
        self._fit_description()
        self.phone_button.setVisible(bool(state.phone) and self._staff.can(Permission.SEE_FULL_PHONE))
        self.propose_button.setVisible(state.status in FINISHED and self._staff.can(Permission.RECORD_PROGRESS))
        self.phone_button.setText(self.tr("隐藏电话") if self._revealed_phone is not None else self.tr("显示完整电话…"))
        self.timeline.clear()
        self._supervised = set()
        for event in self._service.timeline(state.id):
            if event.type is EventType.SUPERVISED:
                self._supervised.add(str(event.payload.get("key", "")))
            line = QTreeWidgetItem(
                [
                    f"{self._service.local_time(event.occurred_at):%m-%d %H:%M:%S}",
                    tr_label(EVENT_LABELS[event.type]),
                    event.actor_name,
                    describe_event(event),
                ]
            )
            line.setToolTip(3, describe_event(event))
            self.timeline.addTopLevelItem(line)
        self.photos.show_case(state.id)
        self._render_actions(state)
        self.refresh_countdown()  # after the timeline: its 督办 are among what the countdown's reminders leave out

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._drops.enter(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._drops.drop(event)

    def _after_photo(self, case_id: str) -> None:
        if self.state is None or self.state.id != case_id:
            return  # another case was opened meanwhile
        try:
            self.state = self._service.case(case_id)  # its log has the photo's event now
        except DomainError:
            return
        self._render()
        self.case_changed.emit(self.state)

    def _fit_description(self) -> None:
        """As tall as the complaint, at most three lines: a long one scrolls instead of pushing the timeline
        off the screen."""
        width = max(self.description_area.viewport().width(), 100)
        needed = self.description.heightForWidth(width)
        most = self.description.fontMetrics().lineSpacing() * 3 + 4
        self.description_area.setFixedHeight(max(1, min(needed if needed > 0 else most, most)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.state is not None:
            self._fit_description()

    def refresh_countdown(self) -> None:
        state = self.state
        if state is None or state.stage_started_at is None:
            self.sla_label.clear()
            return
        deadline = state.running_deadline(self._service.deadline_policy())
        if deadline is None:
            self.sla_label.setText(self.tr("无时限"))
            self.sla_label.setStyleSheet("")
            return
        scheme = self._service.colour_scheme()
        now = self._service.now()
        colour = scheme.colour_for(deadline.started_at, deadline.due_at, now)
        self.sla_label.setText(
            self.tr("{0}时限：{1}（{2}）").format(
                tr_label(STAGE_LABELS[Stage(deadline.stage)]),
                format_remaining(deadline.due_at, now),
                tr_label(COLOUR_LABELS[colour]),
            )
        )
        self.sla_label.setStyleSheet(
            f"padding: 3px; color: white; background: {scheme.hex_colours[colour]};"
            if colour is not Colour.NONE
            else ""
        )
        # What the centre's supervision pass will record (or would, while this desk is offline), worked out here
        # from the same policy: the clerk sees it before the 督办 arrives.
        notices = due_notices(state, self._service.deadline_policy(), scheme, now, self._supervised)
        self.sla_label.setToolTip(
            "\n".join(self.tr("督办提醒：{0}").format(describe_notice(n.payload())) for n in notices)
        )

    def _render_actions(self, state: CaseState) -> None:
        for button in self.action_buttons.values():
            self.actions_row.removeWidget(button)
            button.hide()
            button.deleteLater()
        self.action_buttons.clear()
        actions = [
            a
            for a in legal_actions(state)
            if a is not EventType.CONFERENCE_FLAGGED or self._staff.can(Permission.FLAG_CONFERENCE)
        ]
        for number, action in enumerate(actions, start=1):
            label = tr_label(EVENT_LABELS[action])
            if action is EventType.CLOSED and state.tier is Tier.ON_THE_SPOT:
                label = self.tr("当场办结")
            if action is EventType.CONFERENCE_FLAGGED:
                label = self.tr("移出难题会诊") if state.conference_flagged else self.tr("列入难题会诊")
            button = QPushButton(f"&{number} {label}" if number < 10 else label)
            button.setObjectName(f"action_{action.value}")
            button.clicked.connect(lambda _checked=False, a=action: self.run_action(a))
            self.actions_row.insertWidget(self.actions_row.count() - 1, button)
            button.show()
            self.action_buttons[action] = button

    def run_action(self, action: EventType) -> ActionDialog | None:
        if self.state is None:
            return None
        dialog = ActionDialog(self._service, self._staff, self.state, action, self)
        dialog.finished.connect(lambda result: self._after_action(dialog, result))
        dialog.open()
        return dialog

    def _after_action(self, dialog: ActionDialog, result: int) -> None:
        if result == QDialog.DialogCode.Accepted and dialog.result_state is not None:
            self.state = dialog.result_state
            self._render()
            self.case_changed.emit(self.state)

    def propose_article(self) -> ProposalDialog | None:
        """经验沉淀: propose an article for the 知识库 from this closed case."""
        if self.state is None:
            return None
        dialog = ProposalDialog(self._service, self._staff, self.state, self)
        dialog.open()
        return dialog

    def _on_phone_button(self) -> None:
        if self._revealed_phone is not None:
            self._revealed_phone = None  # masked again; the next look needs a reason again
            self._render()
        else:
            self.ask_reveal_phone()

    def ask_reveal_phone(self) -> UnmaskPhoneDialog | None:
        """Asks why the full number is needed; the number shows once the service has recorded that."""
        if self.state is None:
            return None
        dialog = UnmaskPhoneDialog(self._service, self._staff, self.state, self)
        dialog.finished.connect(lambda result: self._after_reveal(dialog, result))
        dialog.open()
        return dialog

    def _after_reveal(self, dialog: UnmaskPhoneDialog, result: int) -> None:
        revealed = dialog.revealed
        if result != QDialog.DialogCode.Accepted or revealed is None:
            return
        if self.state is None or self.state.id != revealed.state.id:
            return  # another case was opened meanwhile
        self.state = revealed.state
        self._revealed_phone = revealed.phone
        self._render()
        self.case_changed.emit(self.state)
