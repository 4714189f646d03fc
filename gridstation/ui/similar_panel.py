"""The panel under the intake form that shows, as the clerk types, what the station already knows (issue 17):
this address's and this phone's history, a 复发 warning (the same problem closed here not long ago), a likely
duplicate that is still open (F8 adds the visit to it as 追加诉求 instead of a new case), and similar cases with
how they were solved.

The look-up runs on the thread pool a moment after the typing stops (`LOOKUP_DELAY_MS`); an answer to older typing
is dropped. Nothing here takes the keyboard focus: the clerk's typing is never interrupted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from gridstation.domain.case import CaseState
from gridstation.domain.enums import EventType
from gridstation.domain.knowledge import KnowledgeMatch
from gridstation.domain.similarity import REASON_LABELS, Place, Reason
from gridstation.services.similar import SimilarCase
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.labels import tr_label
from gridstation.ui.workers import run_in_background

LOOKUP_DELAY_MS = 350
SHOWN = 6
KNOWLEDGE_SHOWN = 3
log = logging.getLogger(__name__)

_WARNING_STYLE = "color: #c62828; font-weight: bold;"
_DUPLICATE_STYLE = "color: #ef6c00; font-weight: bold;"


@dataclass(frozen=True, slots=True)
class Answer:
    similar: list[SimilarCase]
    articles: list[KnowledgeMatch]


@dataclass(frozen=True, slots=True)
class Typed:
    """What the intake form holds when the look-up starts."""

    text: str
    compound: str
    building: str
    door: str
    phone: str
    category_code: str

    @property
    def worth_asking(self) -> bool:
        digits = sum(ch.isdigit() for ch in self.phone)
        return len(self.text.strip()) >= 2 or digits >= 7 or bool(self.compound.strip() and self.building.strip())


class SimilarPanel(QWidget):
    """Shows the look-up's answer; `duplicate` is the open case F8 would add the visit to, `repeat_of` the closed
    case a new registration is linked to as its 复发."""

    open_case = Signal(str)  # a double-click on a row: show that case
    answered = Signal()  # an answer arrived (tests wait on it)

    def __init__(
        self, service: StationService, staff: Callable[[], StaffMember], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._staff = staff
        self.setObjectName("similarPanel")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._generation = 0
        self._typed: Typed | None = None
        self.results: list[SimilarCase] = []
        self.articles: list[KnowledgeMatch] = []
        self.duplicate: SimilarCase | None = None
        self.repeat_of: SimilarCase | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(LOOKUP_DELAY_MS)
        self._timer.timeout.connect(self._start)

        self.title = QLabel(self.tr("相关诉求"))
        self.title.setStyleSheet("font-weight: bold;")
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(_WARNING_STYLE)
        self.warning.hide()
        self.duplicate_hint = QLabel()
        self.duplicate_hint.setWordWrap(True)
        self.duplicate_hint.setStyleSheet(_DUPLICATE_STYLE)
        self.duplicate_hint.hide()
        self.add_button = QPushButton()
        self.add_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.add_button.hide()
        self.rows = QListWidget()
        self.rows.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.rows.setWordWrap(True)
        self.rows.setMaximumHeight(160)
        self.rows.itemDoubleClicked.connect(self._open)
        self.knowledge = QLabel()
        self.knowledge.setWordWrap(True)
        self.knowledge.setStyleSheet("color: #1565c0;")
        self.knowledge.hide()
        self.empty = QLabel(self.tr("输入诉求内容、地址或电话后，这里显示本地址的历史、复发和相似诉求。"))
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: #666;")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(3)
        for widget in (
            self.title,
            self.warning,
            self.duplicate_hint,
            self.add_button,
            self.rows,
            self.knowledge,
            self.empty,
        ):
            layout.addWidget(widget)
        self.rows.hide()

    # ------------------------------------------------------------------ asking

    def schedule(self, typed: Typed) -> None:
        """Ask again a moment after the typing stops."""
        self._typed = typed
        self._timer.start()

    def clear(self) -> None:
        self._timer.stop()
        self._generation += 1  # an answer still on its way is for the form as it was
        self._typed = None
        self.show_results([])

    def _start(self) -> None:
        typed = self._typed
        if typed is None or not typed.worth_asking:
            self.show_results([])
            return
        self._generation += 1
        generation = self._generation
        run_in_background(
            lambda: self._look_up(typed),
            lambda found: self._arrived(generation, found),
            lambda error: self._failed(generation, error),
            owner=self,
        )

    def _look_up(self, typed: Typed) -> Answer:
        """On the thread pool: the station's answer for what was typed (services/similar.py), and the knowledge
        articles that fit it (services/knowledge.py)."""
        similar = self._service.similar_cases(
            self._staff(),
            typed.text,
            place=Place(typed.compound.strip(), typed.building.strip(), typed.door.strip()),
            phone=typed.phone.strip(),
            category_code=typed.category_code,
        )
        articles = self._service.knowledge_matches(typed.text, typed.category_code, limit=KNOWLEDGE_SHOWN)
        return Answer(similar, articles)

    def supplement(
        self,
        case: SimilarCase,
        note: str,
        channel: str,
        on_done: Callable[[object], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        """追加诉求: record what the resident said on `case`, on the thread pool."""
        service, staff = self._service, self._staff()

        def record() -> CaseState:
            return service.record(staff, case.case_id, EventType.SUPPLEMENTED, {"note": note, "channel": channel})

        run_in_background(record, on_done, on_error, owner=self)

    def _arrived(self, generation: int, found: object) -> None:
        if generation != self._generation:
            return
        assert isinstance(found, Answer)
        self.show_results(found.similar, found.articles)

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        log.warning("looking up similar cases failed", exc_info=error)
        self.show_results([])
        self.empty.setText(self.tr("暂时无法查找相关诉求。"))

    # ------------------------------------------------------------------ showing

    def show_results(self, found: list[SimilarCase], articles: Sequence[KnowledgeMatch] = ()) -> None:
        self.results = found
        self.articles = list(articles)
        titles = "、".join(f"《{match.article.title}》" for match in self.articles)
        self.knowledge.setText(self.tr("知识库：{0}（F1 查看）").format(titles) if titles else "")
        self.knowledge.setVisible(bool(titles))
        self.repeat_of = next((c for c in found if Reason.REPEAT_AFTER_CLOSURE in c.reasons), None)
        self.duplicate = next((c for c in found if Reason.OPEN_DUPLICATE in c.reasons), None)
        if self.repeat_of is not None:
            case = self.repeat_of
            self.warning.setText(
                self.tr("复发：本地址 {0} 办结过同类诉求 {1}（{2}）。保存后新诉求将关联为复发。").format(
                    f"{self._service.local_date(case.closed_at or case.registered_at):%Y-%m-%d}",
                    case.number,
                    case.result or tr_label(case.status_label),
                )
            )
        self.warning.setVisible(self.repeat_of is not None)
        if self.duplicate is not None:
            self.duplicate_hint.setText(
                self.tr("疑似重复：{0} 尚在办理（{1}）。按 F8 把这次来访追加到该诉求，不另登记。").format(
                    self.duplicate.number, tr_label(self.duplicate.status_label)
                )
            )
            self.add_button.setText(self.tr("追加到 {0} (F8)").format(self.duplicate.number))
        self.duplicate_hint.setVisible(self.duplicate is not None)
        self.add_button.setVisible(self.duplicate is not None)
        self.rows.clear()
        for case in found[:SHOWN]:
            item = QListWidgetItem(self._row_text(case))
            item.setData(Qt.ItemDataRole.UserRole, case.case_id)
            item.setToolTip(case.description)
            self.rows.addItem(item)
        self.rows.setVisible(bool(found))
        self.empty.setVisible(not found and not self.articles)
        if not found:
            self.empty.setText(self.tr("没有相关诉求。") if self._typed else self.empty.text())
        self.answered.emit()

    def _row_text(self, case: SimilarCase) -> str:
        reasons = "、".join(tr_label(REASON_LABELS[reason]) for reason in case.reasons)
        solved = self.tr("；处置：{0}").format(case.result) if case.result else ""
        visit = self.tr("；回访：{0}").format(tr_label(case.satisfaction_label)) if case.satisfaction_label else ""
        return (
            f"[{reasons}] {case.number}  {tr_label(case.status_label)}  {case.address}\n"
            f"{_clip(case.description.rstrip('。；，,. '), 40)}{solved}{visit}"
        )

    def _open(self, item: QListWidgetItem) -> None:
        self.open_case.emit(str(item.data(Qt.ItemDataRole.UserRole)))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
