"""Starting the desk: Qt application, font, language, first start or sign-in, then the main window.

The sign-in comes first and the station opens behind it (ui/start.py): this module imports only what the
sign-in needs; the main window and the services are imported where they are used.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from gridstation.domain.errors import DomainError
from gridstation.services.sign_in_preview import sign_in_preview
from gridstation.ui.messages import error_text
from gridstation.ui.resources import install_font, install_translator
from gridstation.ui.sign_in import FirstRunDialog, SignInDialog
from gridstation.ui.smoke import SmokeExit
from gridstation.ui.start import StationOpening, after_first_paint

if TYPE_CHECKING:
    from gridstation.services.staff import StaffMember
    from gridstation.services.station import StationService
    from gridstation.ui.main_window import MainWindow


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
    from gridstation.ui.main_window import MainWindow

    return MainWindow(service, staff)


def sign_in_first(data_dir: Path) -> tuple[SignInDialog, StationOpening] | None:
    """The sign-in for an existing station, which opens the station once it is on screen; None when there is no
    station to name yet (first start) or its file cannot be read without opening it."""
    preview = sign_in_preview(data_dir)
    if preview is None:
        return None
    opening = StationOpening(data_dir)
    dialog = SignInDialog(preview.station_name, preview.staff_names, opening.sign_in)
    after_first_paint(dialog, opening.start)
    return dialog, opening


def start_background_work(window: MainWindow, service: StationService) -> None:
    """The log check, retention and the similar-case index, on the thread pool, once the case list has loaded: they
    would otherwise compete with the list's first page for the one interpreter lock."""
    from gridstation.ui.word_index import WordIndexer

    started = False

    def start() -> None:
        nonlocal started
        if started:
            return
        started = True
        window.trust.start()
        indexer = WordIndexer(service, window)
        indexer.message.connect(window.statusBar().showMessage)
        indexer.start()

    model = window.cases.model
    model.loaded.connect(lambda _count: QTimer.singleShot(0, start))
    model.load_failed.connect(lambda _error: QTimer.singleShot(0, start))


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
    signed_in = _sign_in(data_dir)
    if signed_in is None:
        return 1 if smoke is not None and smoke.failed else 0
    if isinstance(signed_in, int):
        return signed_in
    service, staff, first_start = signed_in
    if staff.pin_change_required:
        from gridstation.ui.change_pin import ChangePinDialog

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
    """The main window, shown, with its background work set to start; on a bare PC's first start the set-up guide
    over it (enrolment with the centre, the printer, the 上手指南)."""
    window = build_main_window(service, staff)
    window.layout_state.place(window)  # last size and place, else 1366×768 or the whole screen if smaller
    start_background_work(window, service)
    window.show()
    if first_start:
        window.open_setup_wizard()
    return window


def _sign_in(data_dir: Path) -> tuple[StationService, StaffMember, bool] | int | None:
    """Who works at the desk, the open station and whether it was created just now (a first start); None when the
    clerk quit, an exit status on an error."""
    first = sign_in_first(data_dir)
    if first is not None:
        dialog, opening = first
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.staff is None:
            opening.close()
            return None
        return opening.service(), dialog.staff, False
    # No station to preview: open it here, as the first start (or a file the preview could not read) needs it.
    from gridstation.services.station import StationService

    try:
        service = StationService(data_dir)
    except DomainError as err:
        QMessageBox.critical(None, "GridStation", error_text(err))
        return 2
    first_start = not service.is_initialised()
    if first_start:
        creating = FirstRunDialog(service)
        accepted = creating.exec() == QDialog.DialogCode.Accepted
        staff = creating.staff
    else:
        station = service.station()
        signing = SignInDialog(station.name if station else "", service.staff_names(), service.sign_in)
        accepted = signing.exec() == QDialog.DialogCode.Accepted
        staff = signing.staff
    if not accepted or staff is None:
        service.close()
        return None
    return service, staff, first_start
