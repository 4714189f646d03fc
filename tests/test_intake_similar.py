"""Issue 17 at the desk, by keyboard alone: as the clerk types, the panel under the intake form shows the address's
history, warns of a 复发 (the same problem closed here not long ago, linked on save), and offers an open duplicate,
which F8 turns into a 追加诉求 on that case — the receipt then carries the existing number."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from gridstation.domain.case import Intake
from gridstation.domain.enums import Channel, EventType, Tier
from gridstation.domain.listing import CaseQuery
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.intake import IntakeForm
from gridstation.ui.main_window import MainWindow
from tests.support.clock import FakeClock
from tests.support.complaints import walk_to_closed
from tests.support.qt_input import commit_text, owns_focus, press, tab, type_chars

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("chinese_font")]
ROOT = Path(__file__).resolve().parents[1]
# Not one of the seeded compounds, whose completion list (tested in test_desk.py) would open over the form.
COMPOUND = "梧桐里"


def earlier(service: StationService, clerk: StaffMember, description: str, building: str, category: str) -> str:
    intake = Intake.validated(
        channel=Channel.HOTLINE_12345,
        category_code=category,
        description=description,
        tier=Tier.QUICK,
        compound=COMPOUND,
        building=building,
        address="",
        complainant_name="张伟",
        phone="13812345678",
    )
    return service.register_case(clerk, intake).id


@pytest.fixture
def history(service: StationService, clerk: StaffMember, clock: FakeClock) -> tuple[str, str]:
    tree = earlier(service, clerk, "3号楼前香樟树太高，遮挡采光，希望修剪。", "3号楼", "GREEN.LIGHT")
    walk_to_closed(service, clerk, clock, tree, "已修剪遮挡窗户的香樟树枝")
    clutter = earlier(service, clerk, "5号楼楼道里堆满纸箱和旧家具，影响通行。", "5号楼", "FIRE.CORRIDOR")
    clock.advance(days=12)
    service.seed_knowledge()  # the sample articles, as a sync from the centre would bring them
    return service.case(tree).number, service.case(clutter).number


def type_visit(qtbot: QtBot, form: IntakeForm, building: str, description: str) -> None:
    """Compound, building and what the resident says, by keyboard, from the compound field on."""
    form.compound.setFocus()
    qtbot.waitUntil(lambda: owns_focus(form.compound))
    commit_text(form.compound, COMPOUND)
    tab()
    type_chars(form.building, building)
    tab()
    tab()
    tab()
    assert owns_focus(form.description)
    with qtbot.waitSignal(form.similar.answered, timeout=5000):
        commit_text(form.description, description)


def shots(tmp_path: Path) -> Path:
    """GRIDSTATION_SAVE_SCREENSHOTS=1 writes the README's screenshot to docs/screenshots/."""
    return ROOT / "docs" / "screenshots" if os.environ.get("GRIDSTATION_SAVE_SCREENSHOTS") == "1" else tmp_path


def test_a_repeat_after_closure_is_warned_and_linked_on_save(
    qtbot: QtBot, window: MainWindow, history: tuple[str, str], tmp_path: Path
) -> None:
    """The tree was cut back twelve days ago; the resident is here again about the same tree."""
    tree, _ = history
    form = window.intake
    type_visit(qtbot, form, "3号楼", "家门口那棵大树又挡住阳光了")
    qtbot.waitUntil(lambda: form.similar.warning.isVisible())
    assert tree in form.similar.warning.text() and "复发" in form.similar.warning.text()
    assert form.similar.rows.count() >= 1 and tree in form.similar.rows.item(0).text()
    assert not form.similar.duplicate_hint.isVisible()
    assert "《树木遮挡采光：修剪审批与季节要求》" in form.similar.knowledge.text()  # how such cases are solved
    assert owns_focus(form.description)  # the panel never took the keyboard
    assert form.grab().save(str(shots(tmp_path) / "intake-similar.png"))
    tab()
    tab()
    assert owns_focus(form.phone)
    type_chars(form.phone, "13812345678")
    form.category.setFocus()
    qtbot.waitUntil(lambda: owns_focus(form.category))
    type_chars(form.category, "smzd")  # 树木遮挡采光 by its initials; Enter takes it, Enter again saves
    popup = form.category.completer().popup()
    qtbot.waitUntil(lambda: popup.isVisible())
    press(popup, Qt.Key.Key_Return)
    assert form.category.current_code() == "GREEN.LIGHT"
    with qtbot.waitSignal(form.case_saved, timeout=5000) as saved:
        press(form.category, Qt.Key.Key_Return)
    repeat = saved.args[0]
    assert repeat.repeat_of == tree
    qtbot.waitUntil(lambda: window.detail.state is not None and window.detail.state.id == repeat.id)
    timeline = window.detail.timeline
    lines = [timeline.topLevelItem(i).text(3) for i in range(timeline.topLevelItemCount())]
    assert any(f"复发，前次为 {tree}" in line for line in lines)


def test_an_open_duplicate_takes_the_visit_with_f8_and_its_receipt_has_the_old_number(
    qtbot: QtBot, window: MainWindow, service: StationService, history: tuple[str, str], tmp_path: Path
) -> None:
    """The corridor is still being dealt with: F8 adds this visit to it instead of making a second case."""
    _, clutter = history
    form = window.intake
    before = len(service.search(CaseQuery()))
    type_visit(qtbot, form, "5号楼", "楼道里又堆满了杂物，过不去人")
    qtbot.waitUntil(lambda: form.similar.duplicate_hint.isVisible())
    assert clutter in form.similar.duplicate_hint.text() and "F8" in form.similar.duplicate_hint.text()
    assert owns_focus(form.description)
    assert form.grab().save(str(tmp_path / "intake-duplicate.png"))
    with qtbot.waitSignal(form.case_supplemented, timeout=5000) as added:
        press(form.description, Qt.Key.Key_F8)
    existing = added.args[0]
    assert existing.number == clutter
    assert len(service.search(CaseQuery())) == before  # no new case
    last = service.timeline(existing.id)[-1]
    assert last.type is EventType.SUPPLEMENTED and last.payload["note"] == "楼道里又堆满了杂物，过不去人"
    assert form.description.toPlainText() == "" and clutter in form.status.text()
    qtbot.waitUntil(lambda: window.detail.state is not None and window.detail.state.number == clutter)
    assert window.paperwork.receipt(existing.id).number == clutter  # F9 prints the existing case's receipt


def test_f8_without_a_duplicate_says_so_and_saves_nothing(
    qtbot: QtBot, window: MainWindow, service: StationService, history: tuple[str, str]
) -> None:
    form = window.intake
    type_visit(qtbot, form, "9号楼", "小区北门路灯不亮")
    assert form.similar.duplicate is None
    press(form.description, Qt.Key.Key_F8)
    assert "没有疑似重复的在办诉求" in form.status.text()
    assert form.description.toPlainText() == "小区北门路灯不亮"
