"""A description must say something in words; emoji inside real text are kept; an anonymous resident's phone is not
marked as required (issue 14, item 8)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from gridstation.common.pdf_text import MISSING_GLYPH, printable
from gridstation.domain.case import Intake, IntakeInvalid
from gridstation.domain.enums import Channel, Tier
from gridstation.domain.errors import ValidationError
from gridstation.domain.listing import CaseQuery
from gridstation.domain.validation import has_content, validate_description
from gridstation.services.station import StationService
from gridstation.ui.intake import IntakeForm
from gridstation.ui.main_window import MainWindow
from tests.support.complaints import complaint
from tests.support.qt_input import commit_text, owns_focus, press

NO_CONTENT = ["🔥🔥🔥", "。。。", "！？……", "👍 👍", "***", "—— ——", "😀\u200d😀", "～～", "🔥\n。"]


@pytest.mark.parametrize("text", NO_CONTENT)
def test_a_description_without_words_is_refused(text: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_description(text)
    assert refused.value.code == "description.no_content" and refused.value.field == "description"
    assert "诉求内容" in refused.value.message_zh and "文字" in refused.value.message_zh


def test_spaces_alone_are_still_an_empty_description() -> None:
    with pytest.raises(ValidationError) as refused:
        validate_description(" \u3000\n ")
    assert refused.value.code == "description.empty"


@pytest.mark.parametrize("text", ["楼道堆放杂物😀，存在火灾隐患", "🔥3号楼着火了🔥", "路灯坏了", "12号", "WiFi 没信号"])
def test_real_text_with_emoji_is_kept_as_typed(text: str) -> None:
    assert has_content(text)
    assert validate_description(text) == text


def test_emoji_inside_text_print_as_a_mark() -> None:
    assert printable("楼道堆放杂物😀，存在火灾隐患") == (f"楼道堆放杂物{MISSING_GLYPH}，存在火灾隐患", True)


def test_the_intake_lists_the_problem_with_the_other_fields() -> None:
    with pytest.raises(IntakeInvalid) as refused:
        Intake.validated(channel=Channel.WALK_IN, category_code="GREEN.LIGHT", description="🔥🔥🔥", tier=Tier.QUICK,
                         phone="")
    assert [problem.field for problem in refused.value.problems] == ["description", "phone"]


def test_an_anonymous_resident_need_not_leave_a_phone() -> None:
    intake = Intake.validated(channel=Channel.WALK_IN, category_code="GREEN.LIGHT", description="路灯坏了",
                              tier=Tier.QUICK, anonymous=True)
    assert intake.phone == ""


def test_a_stored_registration_without_words_still_syncs() -> None:
    """A case registered before the rule is taken by the server as it was stored."""
    payload = {**complaint().to_payload(), "description": "🔥🔥🔥", "number": "JA01-20261123-0001-X"}
    assert Intake.of_registration(payload).description == "🔥🔥🔥"


# ---------------------------------------------------------------- at the desk


def phone_label(form: IntakeForm) -> str:
    label = form.phone_label
    assert isinstance(label, QLabel)
    return label.text()


@pytest.mark.gui
def test_the_desk_refuses_an_emoji_only_description_and_saves_nothing(
    qtbot: QtBot, window: MainWindow, service: StationService
) -> None:
    form = window.intake
    form.category.select_code("GREEN.LIGHT")
    form.description.setFocus()
    qtbot.waitUntil(lambda: owns_focus(form.description))
    commit_text(form.description, "🔥🔥🔥")
    commit_text(form.phone, "13800138000")
    press(form.phone, Qt.Key.Key_Return)
    error = form.findChild(QLabel, "error_description")
    assert error is not None
    qtbot.waitUntil(lambda: error.isVisible())
    assert "只有表情" in error.text()
    assert form.description.toPlainText() == "🔥🔥🔥"  # kept for the clerk to correct
    assert service.count(CaseQuery()) == 0


@pytest.mark.gui
def test_the_phone_star_follows_the_anonymous_box(qtbot: QtBot, window: MainWindow) -> None:
    form = window.intake
    assert phone_label(form) == "电话 *"
    form.anonymous.setFocus()
    qtbot.waitUntil(lambda: owns_focus(form.anonymous))
    press(form.anonymous, Qt.Key.Key_Space)
    assert form.anonymous.isChecked()
    assert phone_label(form) == "电话"
    press(form.anonymous, Qt.Key.Key_Space)
    assert phone_label(form) == "电话 *"
