"""The category picker never guesses: Enter or Tab takes the highlighted match, the field shows the category's name,
and initials that fit several categories say so before the clerk saves (issue 14, item 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView
from pytestqt.qtbot import QtBot

from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.intake import IntakeForm
from tests.support.qt_input import owns_focus, press, type_chars

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("chinese_font")]

SHOTS = Path(__file__).resolve().parents[1] / "shots"
NOISE = {
    "NOISE.BUILD": "噪声扰民 / 施工噪声",
    "NOISE.SHOP": "噪声扰民 / 商铺噪声",
    "NOISE.NEIGH": "噪声扰民 / 邻里噪声",
}


@pytest.fixture
def form(qtbot: QtBot, service: StationService, clerk: StaffMember) -> IntakeForm:
    intake = IntakeForm(service, clerk)
    qtbot.addWidget(intake)
    intake.resize(520, 760)
    intake.show()
    qtbot.waitExposed(intake)
    intake.category.setFocus()
    qtbot.waitUntil(lambda: owns_focus(intake.category))
    return intake


def popup_of(form: IntakeForm) -> QAbstractItemView:
    completer = form.category.completer()
    assert completer is not None
    popup = completer.popup()
    assert popup is not None
    return popup


def type_and_wait_for_highlight(qtbot: QtBot, form: IntakeForm, text: str) -> QAbstractItemView:
    type_chars(form.category, text)
    popup = popup_of(form)
    qtbot.waitUntil(lambda: popup.isVisible() and popup.currentIndex().isValid())
    return popup


def test_enter_takes_the_highlighted_match_and_the_field_shows_its_name(qtbot: QtBot, form: IntakeForm) -> None:
    popup = type_and_wait_for_highlight(qtbot, form, "zs")
    assert form.category.currentText() == "zs"  # the highlight does not overwrite what is being typed

    press(form.category, Qt.Key.Key_Return)

    assert not popup.isVisible()
    assert form.category.current_code() == "NOISE.BUILD"
    assert form.category.currentText() == NOISE["NOISE.BUILD"]
    assert owns_focus(form.category)  # Enter chose; a second Enter saves


def test_arrow_keys_move_the_highlight_and_enter_takes_that_one(qtbot: QtBot, form: IntakeForm) -> None:
    type_and_wait_for_highlight(qtbot, form, "zs")

    press(form.category, Qt.Key.Key_Down)
    press(form.category, Qt.Key.Key_Return)

    assert form.category.current_code() == "NOISE.SHOP"
    assert form.category.currentText() == NOISE["NOISE.SHOP"]


def test_initials_and_tab_take_the_match_show_its_name_and_move_on(qtbot: QtBot, form: IntakeForm) -> None:
    type_and_wait_for_highlight(qtbot, form, "smzd")  # 树木遮挡(采光)

    press(form.category, Qt.Key.Key_Tab)

    assert form.category.current_code() == "GREEN.LIGHT"
    assert "树木遮挡" in form.category.currentText() and "smzd" not in form.category.currentText()
    qtbot.waitUntil(lambda: owns_focus(form.tier))


def test_initials_that_fit_several_categories_say_so_before_saving(qtbot: QtBot, form: IntakeForm) -> None:
    popup = type_and_wait_for_highlight(qtbot, form, "zs")
    assert not form.category.hint.isVisible()  # typing on: the open list shows the matches, the form stays still
    qtbot.waitUntil(form.category.hint.isVisible)  # the clerk pauses: the hint says why nothing is chosen yet
    assert form.category.hint.text() == "「zs」有 3 个分类相符，请用 ↑↓ 选定后按回车。"
    SHOTS.mkdir(exist_ok=True)
    form.grab().save(str(SHOTS / "category-ambiguous.png"))

    press(form.category, Qt.Key.Key_Escape)  # the clerk closes the list without choosing
    qtbot.waitUntil(lambda: not popup.isVisible())
    press(form.category, Qt.Key.Key_Tab)

    assert owns_focus(form.category)  # Tab does not guess one of the three
    assert form.category.current_code() == ""
    assert popup.isVisible() and form.category.hint.isVisible()


def test_a_choice_clears_the_hint_and_nothing_matching_is_said_plainly(qtbot: QtBot, form: IntakeForm) -> None:
    type_and_wait_for_highlight(qtbot, form, "zs")
    press(form.category, Qt.Key.Key_Return)
    assert not form.category.hint.isVisible()

    form.category.reset()
    type_chars(form.category, "qqqq")
    qtbot.waitUntil(form.category.hint.isVisible)
    assert form.category.hint.text() == "没有与「qqqq」相符的分类，请换个说法或拼音首字母。"
    press(form.category, Qt.Key.Key_Return)
    assert form.category.current_code() == "" and owns_focus(form.category)


def test_a_hint_waits_for_a_pause_but_tab_on_several_matches_shows_it_at_once(qtbot: QtBot, form: IntakeForm) -> None:
    popup = type_and_wait_for_highlight(qtbot, form, "zs")
    assert not form.category.hint.isVisible()
    press(form.category, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not popup.isVisible())
    press(form.category, Qt.Key.Key_Tab)  # the desk does not guess one of three, and says so now
    assert form.category.hint.isVisible() and "3 个分类相符" in form.category.hint.text()

    form.category.reset()
    type_chars(form.category, "smzd")  # one match: nothing to say, nothing left waiting to be said
    assert not form.category.hint.isVisible() and not form.category.hint_pending()


def test_clicking_a_match_chooses_it_without_a_model_warning(qtbot: QtBot, form: IntakeForm) -> None:
    """Qt warned "index from wrong model passed to mapToSource" here; pytest-qt fails a test on any Qt warning."""
    popup = type_and_wait_for_highlight(qtbot, form, "zs")
    second = popup.model().index(2, 0)
    qtbot.mouseClick(popup.viewport(), Qt.MouseButton.LeftButton, pos=popup.visualRect(second).center())

    assert form.category.current_code() == "NOISE.NEIGH"
    assert form.category.currentText() == NOISE["NOISE.NEIGH"]
