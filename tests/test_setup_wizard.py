"""首次设置向导 on a bare PC, driven by keys as a technician does: enrolment by pasting or scanning what the server's
QR code holds, the printer, the 上手指南; offered on first start and from the 帮助 menu later."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWizard
from pytestqt.qtbot import QtBot

from gridstation.printing.paperwork import Paperwork
from gridstation.protocol import enrolment_uri
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.main_window import MainWindow
from gridstation.ui.print_settings import PrintSettingsDialog
from gridstation.ui.printing import PreviewDialog
from gridstation.ui.setup_wizard import SetupWizard
from tests.support.qt_input import tab, type_chars
from tests.support.sync import CENTRE_URL, Centre

pytestmark = pytest.mark.gui


def open_from_help_menu(qtbot: QtBot, window: MainWindow) -> SetupWizard:
    for action in window.menuBar().actions():
        if action.text() == "帮助(&H)" and action.menu() is not None:
            item = next(item for item in action.menu().actions() if item.text() == "首次设置向导(&W)…")
            item.trigger()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), SetupWizard))
    wizard = QApplication.activeModalWidget()
    assert isinstance(wizard, SetupWizard)
    qtbot.waitExposed(wizard)
    qtbot.waitUntil(wizard.isActiveWindow)
    return wizard


def activate(qtbot: QtBot, button: QAbstractButton) -> None:
    """Tab to the button, then Space: the keyboard's way to press it."""
    for _ in range(40):
        if button.hasFocus():
            break
        tab()
    assert button.hasFocus(), f"Tab never reaches {button.text()}"
    qtbot.keyClick(button, Qt.Key.Key_Space)


def back_to(qtbot: QtBot, wizard: SetupWizard) -> None:
    """A dialog over the wizard has closed: the window manager activates the wizard again (offscreen has none)."""
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is wizard)
    wizard.activateWindow()
    qtbot.waitUntil(lambda: wizard.isActiveWindow() and QApplication.focusWidget() is not None)


def next_page(qtbot: QtBot, wizard: SetupWizard) -> None:
    button = wizard.button(QWizard.WizardButton.NextButton)
    assert button is not None
    activate(qtbot, button)


def test_pasting_the_qr_text_fills_address_and_code_and_enrols_then_printer_and_guide(
    qtbot: QtBot, desk_window: MainWindow, centre: Centre, service: StationService
) -> None:
    wizard = open_from_help_menu(qtbot, desk_window)
    form = wizard.enrolment.form
    qtbot.waitUntil(form.code.hasFocus)  # ready for the scanner or a paste
    code = centre.enrolment_code("JA01")
    QApplication.clipboard().setText(enrolment_uri(CENTRE_URL, code))

    qtbot.keyClick(form.code, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)  # what the server printed, pasted
    assert (form.server.text(), form.code.text()) == (CENTRE_URL, code)
    activate(qtbot, form.enrol_button)  # 登记
    qtbot.waitUntil(lambda: "已登记：工作站 JA01" in form.state.text(), timeout=10_000)
    assert desk_window.sync.sync.status().enrolled

    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.printer
    assert "80" in wizard.printer.current.text()  # the default roll, as the page says before anything is changed
    activate(qtbot, wizard.printer.settings_button)  # 打印设置…
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), PrintSettingsDialog))
    settings = QApplication.activeModalWidget()
    assert isinstance(settings, PrintSettingsDialog)
    settings.paper.setFocus()
    qtbot.keyClick(settings.paper, Qt.Key.Key_Down)  # 80 mm → 58 mm
    qtbot.keyClick(settings.paper, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not settings.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: "58" in wizard.printer.current.text())
    assert Paperwork(service).print_settings().receipt_paper == "thermal58"
    back_to(qtbot, wizard)

    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.finish
    activate(qtbot, wizard.finish.guide_button)  # 打印上手指南…
    controller = desk_window.printing.controller
    qtbot.waitUntil(
        lambda: isinstance(controller.preview, PreviewDialog) and controller.preview.isVisible(), timeout=15_000
    )
    assert controller.preview is not None
    assert controller.preview.pdf_document.pageCount() == 1
    qtbot.keyClick(controller.preview, Qt.Key.Key_Escape)
    back_to(qtbot, wizard)
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert finish is not None
    activate(qtbot, finish)  # 完成
    qtbot.waitUntil(lambda: not wizard.isVisible())


def test_a_handheld_scanner_types_the_qr_text_into_the_code_field(
    qtbot: QtBot, desk_window: MainWindow, centre: Centre
) -> None:
    wizard = open_from_help_menu(qtbot, desk_window)
    form = wizard.enrolment.form
    code = centre.enrolment_code("JA01")
    form.server.clear()

    type_chars(form.code, enrolment_uri(CENTRE_URL, code))  # a scanner is a keyboard: one key per character

    assert (form.server.text(), form.code.text()) == (CENTRE_URL, code)
    assert not form.error.isVisibleTo(form)


def test_each_field_of_the_enrolment_is_named_by_a_label_whose_key_reaches_it(
    qtbot: QtBot, desk_window: MainWindow
) -> None:
    """Alt+S and Alt+C lead to the address and the code; no label shows a bare "&" (the code's row is the field and
    its button, which Qt's form cannot pair with the label by itself)."""
    wizard = open_from_help_menu(qtbot, desk_window)
    form = wizard.enrolment.form
    labels = {label.text(): label.buddy() for label in form.findChildren(QLabel) if "(&" in label.text()}
    assert labels == {"服务器地址(&S)": form.server, "登记码(&C)": form.code}


def test_qr_text_without_a_code_is_refused_in_words(qtbot: QtBot, desk_window: MainWindow) -> None:
    wizard = open_from_help_menu(qtbot, desk_window)
    form = wizard.enrolment.form

    type_chars(form.code, f"gridstation-enrol:?server={CENTRE_URL}")

    assert form.error.isVisibleTo(form) and "二维码里没有登记码" in form.error.text()


def test_enrolment_can_wait_the_wizard_goes_on_without_it(
    qtbot: QtBot, desk_window: MainWindow, service: StationService
) -> None:
    wizard = open_from_help_menu(qtbot, desk_window)
    next_page(qtbot, wizard)
    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.finish
    assert not desk_window.sync.sync.status().enrolled


def test_the_first_start_opens_the_wizard_over_the_desk(
    qtbot: QtBot, service: StationService, admin: StaffMember, chinese_font: None
) -> None:
    from gridstation.ui.app import show_desk

    window = show_desk(service, admin, first_start=True)
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), SetupWizard))
        wizard = QApplication.activeModalWidget()
        assert isinstance(wizard, SetupWizard) and wizard.parent() is window
        assert wizard.currentPage() is wizard.enrolment
    finally:
        window.sync.shutdown()
        qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0, timeout=15_000)


def test_a_later_start_does_not(qtbot: QtBot, service: StationService, admin: StaffMember, chinese_font: None) -> None:
    from gridstation.ui.app import show_desk

    window = show_desk(service, admin)
    qtbot.addWidget(window)
    try:
        qtbot.waitExposed(window)
        assert window.findChildren(SetupWizard) == []
    finally:
        window.sync.shutdown()
        qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0, timeout=15_000)
