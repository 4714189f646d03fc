"""Item 6 of issue 14 at the desk: 锁定 (Ctrl+L and after the idle minutes on the station's clock), unlocking with
the PIN, 切换用户 with the unsaved intake taken over or cleared, and the admin dialog's 人员 tab."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from gridstation.domain.enums import Role
from gridstation.domain.errors import DomainError
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from tests.support.clock import FakeClock
from tests.support.qt_input import commit_text, type_chars
from tests.support.staff import ADMIN_NAME, ADMIN_PIN, CLERK_NAME, CLERK_PIN

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from gridstation.ui.main_window import MainWindow
    from gridstation.ui.shift import LockDialog

NEXT_CLERK, NEXT_PIN = "周强", "8642"


def audit_actions(service: StationService) -> list[str]:
    admin = service.sign_in(ADMIN_NAME, ADMIN_PIN)
    return [e.action for e in service.audit_log(admin)]


def lock_dialog(window: MainWindow) -> LockDialog:
    dialog = window.shift.lock_dialog
    assert dialog is not None
    return dialog


def sign_in_at_lock(qtbot: QtBot, window: MainWindow, name: str, pin: str) -> None:
    dialog = lock_dialog(window)
    qtbot.waitExposed(dialog)
    dialog.name.setCurrentText(name)
    type_chars(dialog.pin, pin)
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)


def test_ctrl_l_hides_the_cases_until_the_right_pin(qtbot: QtBot, window: MainWindow, service: StationService) -> None:
    assert window.centralWidget().isVisible()
    qtbot.keyClick(window.intake.category, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.shift.locked
    assert not window.centralWidget().isVisible() and not window.menuBar().isEnabled()
    dialog = lock_dialog(window)
    assert dialog.name.currentText() == CLERK_NAME
    dialog.reject()  # Esc does not unlock
    assert window.shift.locked

    sign_in_at_lock(qtbot, window, CLERK_NAME, "0000")
    qtbot.waitUntil(dialog.error.isVisible)
    assert "PIN 不正确" in dialog.error.text() and window.shift.locked
    assert not window.centralWidget().isVisible()

    sign_in_at_lock(qtbot, window, CLERK_NAME, CLERK_PIN)
    qtbot.waitUntil(lambda: not window.shift.locked)
    assert window.centralWidget().isVisible() and window.menuBar().isEnabled()
    assert window.staff.name == CLERK_NAME
    qtbot.waitUntil(lambda: "desk.unlocked" in audit_actions(service))
    assert "desk.locked" in audit_actions(service)


def test_the_desk_locks_itself_after_the_idle_minutes(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    watcher = window.shift.idle
    assert watcher.minutes == 10  # the default
    clock.advance(minutes=9, seconds=59)
    watcher.check()
    assert not window.shift.locked
    # A key press is input: the ten minutes start again from here. Sent to the window, as a keyboard does (the
    # watcher listens to windows, not to every widget's events).
    window.intake.description.setFocus()
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_A)
    assert window.intake.description.toPlainText().endswith("a")
    clock.advance(minutes=9)
    watcher.check()
    assert not window.shift.locked
    watcher.tick.setInterval(1)  # the real desk asks every 15 s; the test need not wait for that
    clock.advance(minutes=1)
    qtbot.waitUntil(lambda: window.shift.locked)
    assert not window.centralWidget().isVisible()
    sign_in_at_lock(qtbot, window, CLERK_NAME, CLERK_PIN)
    qtbot.waitUntil(lambda: not window.shift.locked)


def test_idle_lock_zero_never_locks(qtbot: QtBot, service: StationService, admin: StaffMember,
                                    clerk: StaffMember, clock: FakeClock) -> None:
    from gridstation.ui.app import build_main_window

    service.set_idle_lock_minutes(admin, 0)
    window = build_main_window(service, clerk)
    qtbot.addWidget(window)
    clock.advance(days=2)
    window.shift.idle.check()
    assert not window.shift.locked


@pytest.mark.parametrize("keep", [True, False])
def test_switch_user_hands_the_desk_and_the_unsaved_intake_over(
    qtbot: QtBot, window: MainWindow, service: StationService, admin: StaffMember, keep: bool
) -> None:
    service.add_staff(admin, NEXT_CLERK, Role.CLERK, NEXT_PIN)
    commit_text(window.intake.description, "7号楼电梯停运两天")
    window.shift.switch_user()
    dialog = lock_dialog(window)
    assert dialog.name.currentText() == "" and not window.centralWidget().isVisible()
    sign_in_at_lock(qtbot, window, NEXT_CLERK, NEXT_PIN)
    qtbot.waitUntil(lambda: window.shift.takeover_box is not None)
    box = window.shift.takeover_box
    assert isinstance(box, QMessageBox)
    wanted = "由我接手" if keep else "清空登记表"
    button = next(b for b in box.buttons() if b.text() == wanted)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.shift.takeover_box is None)
    assert window.intake.description.toPlainText() == ("7号楼电梯停运两天" if keep else "")

    # Everything that records "who" now has the new person.
    assert window.staff.name == NEXT_CLERK and NEXT_CLERK in window.who.text()
    assert window.intake._staff.name == NEXT_CLERK
    assert window.detail._staff.name == NEXT_CLERK
    assert window.cases.model._staff is not None and window.cases.model._staff.name == NEXT_CLERK
    assert window.printing.staff.name == NEXT_CLERK and window.printing.controller.staff.name == NEXT_CLERK
    qtbot.waitUntil(lambda: "desk.switched" in audit_actions(service))


def test_switching_to_an_admin_enables_their_menus(
    qtbot: QtBot, window: MainWindow, service: StationService
) -> None:
    restore = next(a for a in window.findChildren(QAction) if "恢复" in a.text())
    assert not restore.isEnabled()
    window.shift.switch_user()
    sign_in_at_lock(qtbot, window, ADMIN_NAME, ADMIN_PIN)
    qtbot.waitUntil(lambda: not window.shift.locked)
    assert restore.isEnabled()
    assert window.shift.takeover_box is None  # nothing was typed: nothing to ask


def test_a_disabled_clerk_cannot_unlock(qtbot: QtBot, window: MainWindow, service: StationService,
                                        admin: StaffMember) -> None:
    service.set_staff_active(admin, CLERK_NAME, False)
    window.shift.lock()
    sign_in_at_lock(qtbot, window, CLERK_NAME, CLERK_PIN)
    dialog = lock_dialog(window)
    qtbot.waitUntil(dialog.error.isVisible)
    assert window.shift.locked


# ---------------------------------------------------------------------- the admin dialog's 人员 tab


def confirm(qtbot: QtBot, people: object, yes: bool = True) -> None:
    from gridstation.ui.staff_tab import StaffPeople

    assert isinstance(people, StaffPeople)
    qtbot.waitUntil(lambda: people.confirmation is not None)
    box = people.confirmation
    assert box is not None
    button = box.button(QMessageBox.StandardButton.Yes if yes else QMessageBox.StandardButton.No)
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_admin_tab_disables_enables_changes_role_and_resets_pin(
    qtbot: QtBot, service: StationService, admin: StaffMember, clerk: StaffMember
) -> None:
    from gridstation.ui.admin_dialog import AdminDialog

    dialog = AdminDialog(service, admin)
    qtbot.addWidget(dialog)
    dialog.show()
    people = dialog.people
    assert [r.name for r in people.records] == [CLERK_NAME, ADMIN_NAME]

    people.select(CLERK_NAME)
    assert people.toggle_active.text() == "停用"
    qtbot.mouseClick(people.toggle_active, Qt.MouseButton.LeftButton)
    confirm(qtbot, people, yes=False)  # asked, said no: nothing changes
    assert service.sign_in(CLERK_NAME, CLERK_PIN).name == CLERK_NAME
    qtbot.mouseClick(people.toggle_active, Qt.MouseButton.LeftButton)
    confirm(qtbot, people)
    qtbot.waitUntil(lambda: "已停用" in dialog.message.text())
    with pytest.raises(DomainError):
        service.sign_in(CLERK_NAME, CLERK_PIN)

    people = dialog.people  # rebuilt after each change
    people.select(CLERK_NAME)
    assert people.toggle_active.text() == "启用"
    qtbot.mouseClick(people.toggle_active, Qt.MouseButton.LeftButton)  # enabling needs no confirmation
    qtbot.waitUntil(lambda: "已启用" in dialog.message.text())

    people = dialog.people
    people.select(CLERK_NAME)
    people.role.setCurrentIndex(people.role.findData("grid_chief"))
    qtbot.mouseClick(people.change_role, Qt.MouseButton.LeftButton)
    confirm(qtbot, people)
    qtbot.waitUntil(lambda: "角色已改为" in dialog.message.text())
    assert service.sign_in(CLERK_NAME, CLERK_PIN).role is Role.GRID_CHIEF

    people = dialog.people
    people.select(CLERK_NAME)
    type_chars(people.pin, "9753")
    qtbot.mouseClick(people.reset_pin, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "设置新 PIN" in dialog.message.text())
    assert service.sign_in(CLERK_NAME, "9753").name == CLERK_NAME

    people = dialog.people
    people.select(ADMIN_NAME)
    qtbot.mouseClick(people.toggle_active, Qt.MouseButton.LeftButton)
    confirm(qtbot, people)
    qtbot.waitUntil(lambda: "最后一位在岗的管理员" in dialog.message.text())
    assert service.sign_in(ADMIN_NAME, ADMIN_PIN).role is Role.ADMIN


def test_a_dialog_open_when_the_desk_locks_is_hidden_and_given_back(
    qtbot: QtBot, window: MainWindow, service: StationService, admin: StaffMember
) -> None:
    """A 派单 dialog shows a resident's case as plainly as the list: the lock hides it, the same clerk gets it back
    as it was, another clerk does not inherit it."""
    from gridstation.domain.enums import EventType
    from tests.support.complaints import complaint

    service.add_staff(admin, NEXT_CLERK, Role.CLERK, NEXT_PIN)
    case = service.register_case(window.staff, complaint())
    window.detail.show_case(case.id)
    qtbot.waitUntil(lambda: window.detail.state is not None)
    first = window.detail.run_action(EventType.DISPATCHED)
    assert first is not None
    qtbot.waitExposed(first)

    first.activateWindow()  # as the window manager does with a new dialog (the offscreen platform does not)
    qtbot.waitUntil(first.isActiveWindow)
    qtbot.keyClick(first, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # Ctrl+L in the dialog locks too
    assert window.shift.locked and not first.isVisible()
    sign_in_at_lock(qtbot, window, CLERK_NAME, CLERK_PIN)
    qtbot.waitUntil(lambda: not window.shift.locked)
    assert first.isVisible()  # the same person: given back

    window.shift.switch_user()
    assert not first.isVisible()
    with qtbot.waitSignal(first.finished) as finished:
        sign_in_at_lock(qtbot, window, NEXT_CLERK, NEXT_PIN)
    assert finished.args == [0] and not first.isVisible()  # rejected: begun by someone else
