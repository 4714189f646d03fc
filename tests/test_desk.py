"""The desk driven as a clerk drives it: keyboard only, Chinese through the input method."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QDialog, QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot

from gridstation.domain.enums import EventType, Status, Tier
from gridstation.domain.listing import CaseQuery
from gridstation.domain.sla import Colour
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.app import build_main_window
from gridstation.ui.case_detail import ActionDialog
from gridstation.ui.intake import IntakeForm
from gridstation.ui.main_window import MainWindow
from gridstation.ui.sign_in import FirstRunDialog, SignInDialog
from tests.support.clock import FakeClock
from tests.support.complaints import complaint
from tests.support.qt_input import commit_text, owns_focus, press, tab, type_chars
from tests.support.staff import CLERK_NAME, CLERK_PIN

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("chinese_font")]

SHOTS = Path(__file__).resolve().parents[1] / "shots"


def log_walk_in_by_keyboard(qtbot: QtBot, form: IntakeForm) -> None:
    """Category by pinyin initials, tier by arrow key, Chinese fields by IME, phone by keys, Enter saves."""
    form.category.setFocus()
    qtbot.waitUntil(lambda: owns_focus(form.category))
    type_chars(form.category, "smzd")  # initials of 树木遮挡(采光)
    popup = form.category.completer().popup()
    qtbot.waitUntil(lambda: popup.isVisible())
    press(popup, Qt.Key.Key_Return)
    assert form.category.current_code() == "GREEN.LIGHT"
    tab()
    assert owns_focus(form.tier)
    press(form.tier, Qt.Key.Key_Up)  # 协同快办 → 当场办 would need an answer; go back down
    press(form.tier, Qt.Key.Key_Down)
    assert form.tier.currentData() == str(Tier.QUICK)
    tab()
    assert owns_focus(form.compound)
    commit_text(form.compound, "枫林苑")
    tab()
    assert owns_focus(form.building)
    type_chars(form.building, "12号301")
    tab()
    assert owns_focus(form.address)
    tab()
    assert owns_focus(form.grid)
    tab()
    assert owns_focus(form.description)
    commit_text(form.description, "楼前香樟树长得太高，遮挡三楼采光，家里白天也要开灯，希望修剪。")
    tab()
    assert owns_focus(form.complainant_name)
    commit_text(form.complainant_name, "张阿姨")
    tab()
    assert owns_focus(form.phone)
    type_chars(form.phone, "138 0013 8000")
    with qtbot.waitSignal(form.case_saved, timeout=5000):
        press(form.phone, Qt.Key.Key_Return)


def test_sign_in_by_keyboard(qtbot: QtBot, service: StationService, clerk: StaffMember) -> None:
    """A wrong PIN is refused in Chinese; the right one signs the clerk in."""
    dialog = SignInDialog("枫林居委会民情快办工作站", service.staff_names(), service.sign_in)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name.setEditText("")
    commit_text(dialog.name, CLERK_NAME)
    type_chars(dialog.pin, "0000")
    dialog.accept()
    qtbot.waitUntil(lambda: "不正确" in dialog.error.text())
    assert dialog.error.isVisible() or not dialog.isHidden()
    assert "不正确" in dialog.error.text()
    type_chars(dialog.pin, CLERK_PIN)
    with qtbot.waitSignal(dialog.accepted):
        press(dialog.pin, Qt.Key.Key_Return)
    assert dialog.staff is not None and dialog.staff.name == CLERK_NAME


def test_first_run_creates_station(qtbot: QtBot, tmp_path: Path) -> None:
    """First start asks for the station and its admin, then the admin can sign in."""
    svc = StationService(tmp_path / "fresh")
    dialog = FirstRunDialog(svc)
    qtbot.addWidget(dialog)
    type_chars(dialog.code, "ja02")
    commit_text(dialog.station_name, "梅园新村居委会工作站")
    commit_text(dialog.admin_name, "陈晓")
    type_chars(dialog.pin, "975310")
    type_chars(dialog.pin_again, "975311")
    dialog.accept()
    assert "不一致" in dialog.error.text()
    dialog.pin_again.clear()
    type_chars(dialog.pin_again, "975310")
    with qtbot.waitSignal(dialog.finished):
        dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert svc.station() is not None and svc.station().code == "JA02"  # type: ignore[union-attr]
    assert svc.sign_in("陈晓", "975310").name == "陈晓"
    svc.close()


def test_walk_in_logged_by_keyboard_only(qtbot: QtBot, window: MainWindow, service: StationService) -> None:
    """A clerk logs a walk-in without the mouse; it is numbered, listed and shown in detail."""
    log_walk_in_by_keyboard(qtbot, window.intake)
    cases = service.search(CaseQuery())
    assert len(cases) == 1
    state = service.case(cases[0].id)
    assert state.category_code == "GREEN.LIGHT"
    assert state.compound == "枫林苑" and state.building == "12号301"
    assert state.phone == "13800138000"
    assert state.registered_by == CLERK_NAME
    assert window.intake.description.toPlainText() == ""
    assert state.number in window.intake.status.text()
    qtbot.waitUntil(lambda: window.cases.model.rowCount() == 1)
    assert window.detail.state is not None and window.detail.state.id == state.id
    SHOTS.mkdir(exist_ok=True)
    window.grab().save(str(SHOTS / "desk-after-intake.png"))


def test_find_by_chinese_word_and_move_through_lifecycle(
    qtbot: QtBot, window: MainWindow, service: StationService, clock: FakeClock
) -> None:
    """Search finds the case by 香樟; each step offers only legal actions and lands in the timeline."""
    log_walk_in_by_keyboard(qtbot, window.intake)
    press(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    window.cases.search.setFocus()
    commit_text(window.cases.search, "香樟")
    qtbot.waitUntil(lambda: window.cases.model.rowCount() == 1 and window.cases.model.query.text == "香樟",
                    timeout=3000)
    commit_text(window.cases.search, "不存在的词")
    qtbot.waitUntil(lambda: window.cases.model.rowCount() == 0, timeout=3000)
    window.cases.search.clear()
    qtbot.waitUntil(lambda: window.cases.model.rowCount() == 1, timeout=3000)
    case_id = window.cases.model.summary(0).id  # type: ignore[union-attr]
    window.cases.select_case(case_id)
    detail = window.detail
    qtbot.waitUntil(lambda: detail.state is not None and detail.state.id == case_id)

    # A walk-in is in contact while it is registered: no separate 先联 (issue 14, item 4).
    assert detail.state is not None and detail.state.status is Status.CONTACTED
    steps: list[tuple[EventType, dict[str, str], Status]] = [
        (EventType.DISPATCHED, {"assignee": "绿化市容所"}, Status.DISPATCHED),
        (EventType.ARRIVED_ON_SITE, {"note": "绿化队到场"}, Status.ON_SITE),
        (EventType.DISPOSED, {"note": "已修剪遮挡枝杈"}, Status.DISPOSED),
        (EventType.CLOSED, {"answer": "已修剪，居民确认采光恢复"}, Status.CLOSED),
    ]
    for action, texts, expected in steps:
        # A clerk is not offered the 难题会诊 flag: that is the grid chief's call.
        assert set(detail.action_buttons) == set(service.legal_actions(case_id)) - {EventType.CONFERENCE_FLAGGED}
        assert EventType.ARRIVED_ON_SITE not in detail.action_buttons or action is EventType.ARRIVED_ON_SITE
        clock.advance(minutes=3)
        dialog = detail.run_action(action)
        assert isinstance(dialog, ActionDialog)
        for name, text in texts.items():
            commit_text(dialog.inputs[name], text)
        with qtbot.waitSignal(detail.case_changed):
            dialog.accept()
        assert service.case(case_id).status is expected
    assert detail.timeline.topLevelItemCount() == 6
    visible = {b.objectName() for b in detail.findChildren(QPushButton) if b.objectName().startswith("action_")
               and b.isVisible()}
    assert visible == {f"action_{a.value}" for a in service.legal_actions(case_id)}
    assert "action_case.follow_up" in visible
    SHOTS.mkdir(exist_ok=True)
    window.grab().save(str(SHOTS / "desk-closed-case.png"))


def test_invalid_intake_marks_fields_and_keeps_text(
    qtbot: QtBot, window: MainWindow, service: StationService
) -> None:
    """Whitespace-only description and a malformed phone are refused inline; nothing is saved or lost."""
    form = window.intake
    form.description.setFocus()
    commit_text(form.description, "   ")
    type_chars(form.phone, "12345")
    commit_text(form.complainant_name, "王𠮷🌳")
    press(form.phone, Qt.Key.Key_Return)
    assert not form._errors["description"].isHidden()
    assert "不能为空" in form._errors["description"].text()
    assert "格式不正确" in form._errors["phone"].text()
    assert "分类" in form._errors["category_code"].text()
    assert service.count(CaseQuery()) == 0
    assert form.phone.text() == "12345"
    assert form.complainant_name.text() == "王𠮷🌳"


def test_over_long_description_is_refused(qtbot: QtBot, window: MainWindow, service: StationService) -> None:
    """4 001 characters are refused with the count; 4 000 (with rare characters) are accepted."""
    form = window.intake
    form.category.select_code("FIRE.CORRIDOR")
    type_chars(form.phone, "13800138000")
    text = "楼道堆放纸箱和煤气罐𠮷" * 364  # 4 004 characters
    form.description.setPlainText(text[:4001])
    press(form.phone, Qt.Key.Key_Return)
    assert "4001" in form._errors["description"].text()
    assert service.count(CaseQuery()) == 0
    form.description.setPlainText(text[:4000])
    with qtbot.waitSignal(form.case_saved, timeout=5000):
        press(form.phone, Qt.Key.Key_Return)
    saved = service.search(CaseQuery())[0]
    assert service.case(saved.id).description == text[:4000]


def test_draft_survives_a_crash(qtbot: QtBot, service: StationService, clerk: StaffMember) -> None:
    """Typed text is in the draft file within a moment; a new form (after a crash) restores it."""
    form = IntakeForm(service, clerk)
    qtbot.addWidget(form)
    commit_text(form.description, "自行车棚里有人私搭杂物间，占用停车位")
    type_chars(form.phone, "021-64321234")
    qtbot.waitUntil(lambda: form._drafts.path.exists(), timeout=2000)
    revived = IntakeForm(service, clerk)
    qtbot.addWidget(revived)
    assert revived.description.toPlainText() == "自行车棚里有人私搭杂物间，占用停车位"
    assert revived.phone.text() == "021-64321234"
    assert "恢复" in revived.status.text()


def test_failed_save_keeps_text(qtbot: QtBot, window: MainWindow, service: StationService,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    """When the database refuses the write, the clerk sees why in Chinese and the form keeps everything."""
    from gridstation.storage.db import StorageError

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise StorageError("storage.disk_full", "磁盘空间不足或写入失败，未能保存。请清理磁盘后重试。")

    monkeypatch.setattr(service, "register_case", refuse)
    form = window.intake
    form.category.select_code("NOISE.TRAFFIC")
    commit_text(form.description, "隧道出口车辆鸣笛，夜里睡不着")
    type_chars(form.phone, "13912345678")
    with qtbot.waitSignal(form.save_failed, timeout=5000):
        press(form.phone, Qt.Key.Key_Return)
    assert "磁盘空间不足" in form.status.text()
    assert form.description.toPlainText() == "隧道出口车辆鸣笛，夜里睡不着"
    assert form._drafts.load() is not None


def test_a_clerk_disabled_while_signed_in_is_told_and_nothing_is_saved(
    qtbot: QtBot, window: MainWindow, service: StationService, admin: StaffMember
) -> None:
    """Issue 14, item 6: disabled by an administrator while still signed in at this desk, the clerk's next save is
    refused with the reason in Chinese; the form keeps the text for a colleague to save."""
    service.set_staff_active(admin, CLERK_NAME, False)  # as `gridstation staff disable` does, on the same database
    before = len(service.all_events())
    form = window.intake
    form.category.select_code("NOISE.TRAFFIC")
    commit_text(form.description, "隧道出口车辆鸣笛，夜里睡不着")
    type_chars(form.phone, "13912345678")
    with qtbot.waitSignal(form.save_failed, timeout=5000):
        press(form.phone, Qt.Key.Key_Return)
    assert "账号已被停用" in form.status.text() and "交给其他工作人员" in form.status.text()
    assert form.description.toPlainText() == "隧道出口车辆鸣笛，夜里睡不着"
    assert len(service.all_events()) == before


def test_illegal_action_is_explained(qtbot: QtBot, window: MainWindow, service: StationService,
                                     clerk: StaffMember) -> None:
    """If someone else moved the case on, the stale dialog says so in Chinese and records nothing."""
    case_id = service.register_case(clerk, complaint()).id  # a hotline case, still waiting for 先联
    window.detail.show_case(case_id)
    dialog = window.detail.run_action(EventType.FIRST_CONTACT)
    assert dialog is not None
    service.record(clerk, case_id, EventType.FIRST_CONTACT, {"note": "另一台电脑已先联"})
    dialog.accept()
    qtbot.waitUntil(lambda: dialog.error.isVisible())
    assert dialog.error.isVisible()
    assert "刷新" in dialog.error.text()
    assert len(service.timeline(case_id)) == 2


def test_on_the_spot_needs_an_answer_and_closes(qtbot: QtBot, window: MainWindow, service: StationService) -> None:
    """当场办 shows the answer field, requires it, and the saved case is closed at once."""
    form = window.intake
    form.category.select_code("POLICY.ELDER")
    form.tier.setCurrentIndex(form.tier.findData(str(Tier.ON_THE_SPOT)))
    assert not form.answer.isHidden()
    commit_text(form.description, "咨询高龄津贴如何申请")
    type_chars(form.phone, "13800138000")
    press(form.phone, Qt.Key.Key_Return)
    assert "当场答复" in form._errors["answer"].text()
    commit_text(form.answer, "持身份证到社区事务受理服务中心申请")
    with qtbot.waitSignal(form.case_saved, timeout=5000) as blocker:
        press(form.phone, Qt.Key.Key_Return)
    assert blocker.args[0].status is Status.CLOSED


def test_shift_enter_adds_a_line(qtbot: QtBot, window: MainWindow) -> None:
    """Shift+Enter in the description is a new line, not a save."""
    form = window.intake
    commit_text(form.description, "第一行")
    press(form.description, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert isinstance(form.description, QPlainTextEdit)
    assert form.description.toPlainText().count("\n") == 1


def test_admin_imports_compounds_and_adds_staff(qtbot: QtBot, service: StationService, admin: StaffMember,
                                                tmp_path: Path) -> None:
    """An admin imports compounds from CSV (bad file refused in Chinese), adds a clerk and sees the audit log."""
    from gridstation.ui.admin_dialog import AdminDialog

    window = build_main_window(service, admin)
    qtbot.addWidget(window)
    dialog = window.open_admin()
    bad = tmp_path / "bad.csv"
    bad.write_text("小区名\n新华小区\n", encoding="utf-8")
    dialog.import_file("compounds", bad)
    qtbot.waitUntil(dialog.tabs.isEnabled)  # the import has run
    assert "缺少列" in dialog.message.text()
    good = tmp_path / "compounds.csv"
    good.write_text("\ufeffname,grid_code\n新华小区,G02\n", encoding="utf-8")
    dialog.import_file("compounds", good)
    qtbot.waitUntil(dialog.tabs.isEnabled)
    assert "1" in dialog.message.text()
    assert "新华小区" in [c.name for c in service.compounds()]
    commit_text(dialog.new_name, "周敏")
    type_chars(dialog.new_pin, "4321")
    dialog.add_staff()
    qtbot.waitUntil(dialog.tabs.isEnabled)
    assert service.sign_in("周敏", "4321").name == "周敏"
    assert isinstance(dialog, AdminDialog)
    dialog.close()
    qtbot.waitUntil(lambda: window.intake.compound.findText("新华小区") >= 0)
    assert any(e.action == "reference.imported" for e in service.audit_log(admin))


def test_list_shows_most_urgent_first(qtbot: QtBot, window: MainWindow, service: StationService,
                                      clerk: StaffMember, clock: FakeClock) -> None:
    """With no column sorted, overdue cases come first (earliest deadline), cases without a deadline last."""
    from gridstation.domain.case import Intake
    from gridstation.domain.enums import Channel

    def register(text: str, tier: Tier) -> str:
        intake = Intake.validated(channel=Channel.HOTLINE_12345, category_code="FIRE.CORRIDOR", description=text,
                                  tier=tier, phone="13800138000",
                                  answer="已当场答复" if tier is Tier.ON_THE_SPOT else "")
        return service.register_case(clerk, intake).id

    answered = register("咨询楼道堆物的处理规定", Tier.ON_THE_SPOT)
    oldest = register("3号楼楼道堆放纸箱和煤气罐", Tier.TRACKED)
    clock.advance(minutes=2)
    newer = register("5号楼楼道停放电动车并飞线充电", Tier.TRACKED)
    clock.advance(minutes=6)
    window.cases.reload()
    qtbot.waitUntil(lambda: window.cases.model.rowCount() == 3)
    order = [window.cases.model.summary(row).id for row in range(3)]  # type: ignore[union-attr]
    assert order == [oldest, newer, answered]
    # The list's one-second tick moves the countdowns on to the (fake) clock without reloading.
    qtbot.waitUntil(lambda: window.cases.model.data(window.cases.model.index(0, 0)) == "红", timeout=3000)
    assert window.cases.model.colour_of(window.cases.model.summary(0)) is Colour.RED  # type: ignore[arg-type]


def settle() -> None:
    """Run what is already set going to its end: posted events and due timers, and the thread pool's jobs with what
    they post back, until nothing more starts."""
    pool = QThreadPool.globalInstance()
    while True:
        QApplication.processEvents()
        if pool.activeThreadCount() == 0:
            return
        assert pool.waitForDone(10_000), "a job on the thread pool did not end"


def test_opening_the_desk_queries_the_list_once(qtbot: QtBot, service: StationService, clerk: StaffMember,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Setting up the header's sorting must not re-run the case query (200 000 rows take a second each)."""
    calls: list[CaseQuery] = []
    original = service.case_ids

    def counting(query: CaseQuery, **kwargs: object) -> list[str]:
        calls.append(query)
        return original(query, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "case_ids", counting)
    win = build_main_window(service, clerk)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.cases.model.loaded, timeout=3000):
        pass
    settle()  # anything the set-up started (a second query among it) has run
    assert len(calls) == 1
    win.cases.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: len(calls) == 2)
    assert calls[-1].order_by == "number"
