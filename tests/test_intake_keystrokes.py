"""What the intake does per keystroke was made cheaper (issue 14, item 10; timing lives in benchmarks/counter.py).
These tests hold the behaviour that must not change with it: the draft is on disk before the case is stored,
and the category filter still finds a category by any of its names."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from gridstation.services.drafts import DraftStore
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.intake import IntakeForm
from tests.support.qt_input import commit_text, owns_focus, press, type_chars

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("chinese_font")]


@pytest.fixture
def form(qtbot: QtBot, service: StationService, clerk: StaffMember) -> IntakeForm:
    intake = IntakeForm(service, clerk)
    qtbot.addWidget(intake)
    intake.show()
    qtbot.waitExposed(intake)
    intake.category.setFocus()
    qtbot.waitUntil(lambda: owns_focus(intake.category))
    return intake


def test_the_saving_enter_writes_the_draft_on_the_pool_before_the_case_is_stored(
    qtbot: QtBot, form: IntakeForm, service: StationService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The draft's fsync is too slow for the key that saves: it runs beside the save, and still comes first."""
    draft_writers: list[threading.Thread] = []
    real_save = DraftStore.save

    def recording_save(store: DraftStore, fields: dict[str, Any]) -> None:
        draft_writers.append(threading.current_thread())
        real_save(store, fields)

    monkeypatch.setattr(DraftStore, "save", recording_save)
    drafts_at_register: list[dict[str, Any] | None] = []
    real_register = service.register_case

    def register(*args: Any, **kwargs: Any) -> Any:
        drafts_at_register.append(form._drafts.load())
        return real_register(*args, **kwargs)

    monkeypatch.setattr(service, "register_case", register)
    form.category.select_code("GREEN.LIGHT")
    commit_text(form.description, "楼前香樟树长得太高，遮挡三楼采光")
    type_chars(form.phone, "13800138000")
    form.phone.setFocus()

    with qtbot.waitSignal(form.case_saved, timeout=5000):
        press(form.phone, Qt.Key.Key_Return)

    assert draft_writers and threading.main_thread() not in draft_writers
    assert len(drafts_at_register) == 1
    draft = drafts_at_register[0]
    assert draft is not None and draft["description"] == "楼前香樟树长得太高，遮挡三楼采光"
    assert draft["phone"] == "13800138000"
    assert not Path(form._drafts.path).exists()  # stored: the draft has done its job


def test_a_refused_intake_keeps_its_draft_at_once(qtbot: QtBot, form: IntakeForm) -> None:
    """Nothing goes to the pool when the form is refused; the draft is written there and then, as before."""
    commit_text(form.description, "电梯里有异味")
    form.phone.setFocus()
    press(form.phone, Qt.Key.Key_Return)  # no category: refused beside the field

    assert form._errors["category_code"].isVisible()
    draft = form._drafts.load()
    assert draft is not None and draft["description"] == "电梯里有异味"


@pytest.mark.parametrize("typed", ["树木遮挡", "smzd", "shumuzhedang", "SMZD", "GREEN.LIGHT"])
def test_the_category_filter_finds_a_category_by_any_of_its_names(
    qtbot: QtBot, form: IntakeForm, typed: str
) -> None:
    """The filter moved from Python into Qt (a fixed string on the search role); what it matches is the same."""
    type_chars(form.category, typed) if typed.isascii() else commit_text(form.category, typed)
    press(form.category, Qt.Key.Key_Tab)

    assert form.category.current_code() == "GREEN.LIGHT"
    assert "树木遮挡" in form.category.currentText()


def test_the_counter_keeps_counting_in_full_with_its_fixed_size(qtbot: QtBot, form: IntakeForm) -> None:
    """The counter no longer re-lays out the form on each commit (its size is fixed); it must still show it all."""
    commit_text(form.description, "楼" * 4001)

    assert form.counter.text() == "4001 / 4000 字"
    assert form.counter.fontMetrics().horizontalAdvance(form.counter.text()) <= form.counter.contentsRect().width()
    assert "c62828" in form.counter.styleSheet()  # over the limit: red, as before
    form.description.setPlainText("楼道")
    assert form.counter.text() == "2 / 4000 字" and "c62828" not in form.counter.styleSheet()
