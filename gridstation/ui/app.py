"""Starting the desk: Qt application, font, language, first start or sign-in, then the main window."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from gridstation.domain.errors import DomainError
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.change_pin import ChangePinDialog
from gridstation.ui.main_window import MainWindow
from gridstation.ui.messages import error_text
from gridstation.ui.resources import install_font, install_translator
from gridstation.ui.sign_in import FirstRunDialog, SignInDialog
from gridstation.ui.smoke import SmokeExit
from gridstation.ui.word_index import WordIndexer


def make_application(language: str = "zh_CN", argv: list[str] | None = None) -> QApplication:
    # Qt warns and mis-decodes file names without a locale (bare containers, `env -i`).
    if not os.environ.get("LANG") and not os.environ.get("LC_ALL"):
        os.environ["LANG"] = "C.UTF-8"
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    app.setApplicationName("GridStation")
    app.setOrganizationName("GridStation")
    install_font(app)
    install_translator(app, language)
    return app


def build_main_window(service: StationService, staff: StaffMember) -> MainWindow:
    return MainWindow(service, staff)


def run_desktop(
    data_dir: Path, lang: str = "zh_CN", *, smoke_exit: bool = False, credentials: tuple[str, str] | None = None
) -> int:
    """Open the desk. `smoke_exit` (an installation check, ui/smoke.py) closes each window once it has painted,
    signing in with `credentials` if given; the exit status says whether the main window was reached."""
    app = make_application(lang)
    smoke = SmokeExit(app, credentials) if smoke_exit else None
    try:
        return _run(app, data_dir, smoke)
    finally:
        if smoke is not None:
            app.removeEventFilter(smoke)


def _run(app: QApplication, data_dir: Path, smoke: SmokeExit | None) -> int:
    try:
        service = StationService(data_dir)
    except DomainError as err:
        QMessageBox.critical(None, "GridStation", error_text(err))
        return 2
    staff: StaffMember | None
    first_start = not service.is_initialised()
    if first_start:
        first = FirstRunDialog(service)
        if first.exec() != QDialog.DialogCode.Accepted:
            return 0
        staff = first.staff
    else:
        sign_in = SignInDialog(service)
        if sign_in.exec() != QDialog.DialogCode.Accepted:
            return 1 if smoke is not None and smoke.failed else 0
        staff = sign_in.staff
    assert staff is not None
    if staff.pin_change_required:
        # An administrator still on a 4-digit PIN: a new one first, or the desk does not open (docs/security.md).
        change = ChangePinDialog(service, staff, required=True)
        if change.exec() != QDialog.DialogCode.Accepted or change.staff is None:
            service.close()
            return 0
        staff = change.staff
    show_desk(service, staff, first_start=first_start)
    # Start-up objects live as long as the desk: keep them out of full collections, which otherwise hold the
    # GIL for ~100 ms while a worker builds a 200 000-id list (benchmarks/README.md, GUI stall).
    gc.freeze()
    try:
        return app.exec()
    finally:
        service.close()


def show_desk(service: StationService, staff: StaffMember, *, first_start: bool = False) -> MainWindow:
    """The main window, shown, with its start-up work begun; on a bare PC's first start the set-up guide over it
    (enrolment with the centre, the printer, the 上手指南)."""
    window = build_main_window(service, staff)
    window.layout_state.place(window)  # last size and place, else 1366×768 or the whole screen if smaller
    window.show()
    if first_start:
        window.open_setup_wizard()
    window.trust.start()  # the log check and retention, on the thread pool: the window is already there
    indexer = WordIndexer(service, window)  # the similar-case index, likewise
    indexer.message.connect(window.statusBar().showMessage)
    indexer.start()
    return window
