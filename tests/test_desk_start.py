"""The desk's start (issue 18): the sign-in is on screen before the station is opened, and the station opens behind
it while the clerk types the PIN (ui/start.py)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from gridstation.domain.enums import Role
from gridstation.domain.errors import DomainError
from gridstation.services.sign_in_preview import sign_in_preview
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.app import sign_in_first
from gridstation.ui.sign_in import SignInDialog
from gridstation.ui.start import StationOpening
from tests.support.qt_input import commit_text
from tests.support.staff import ADMIN_NAME, CLERK_NAME, CLERK_PIN

ROOT = Path(__file__).resolve().parents[1]


def test_the_sign_in_names_the_station_and_its_working_staff_without_opening_it(
    data_dir: Path, service: StationService, admin: StaffMember, clerk: StaffMember
) -> None:
    service.add_staff(admin, "赵磊", Role.GRID_CHIEF, "8642")
    service.set_staff_active(admin, "赵磊", False)  # left the station: not offered at the sign-in
    preview = sign_in_preview(data_dir)
    assert preview is not None
    assert preview.station_name == "枫林居委会民情快办工作站"
    assert preview.staff_names == service.staff_names() == sorted([ADMIN_NAME, CLERK_NAME])


def test_no_preview_where_there_is_no_station_to_name(tmp_path: Path) -> None:
    """A new folder, a file that is not a database, a database without a station: the desk opens the station first
    (the first start's dialog), as before."""
    assert sign_in_preview(tmp_path / "nothing-here") is None
    not_a_database = tmp_path / "garbage"
    not_a_database.mkdir()
    (not_a_database / "station.db").write_bytes(b"\x00 not sqlite at all" * 100)
    assert sign_in_preview(not_a_database) is None
    empty = tmp_path / "empty"
    empty.mkdir()
    sqlite3.connect(empty / "station.db").execute("CREATE TABLE station (name TEXT)").connection.close()
    assert sign_in_preview(empty) is None
    assert not (tmp_path / "nothing-here").exists()  # reading a preview creates nothing


def test_the_sign_in_is_built_without_loading_the_database_layer(data_dir: Path, service: StationService) -> None:
    """What `gridstation` without a command imports before the sign-in is on screen: no SQLAlchemy, no reportlab,
    no HTTP client, no word segmenter, no service."""
    service.close()
    probe = f"""
import json, sys
from pathlib import Path
from gridstation.cli.parser import build_parser
from gridstation.ui.app import make_application, sign_in_first
build_parser()
app = make_application()
dialog, opening = sign_in_first(Path({str(data_dir)!r}))
heavy = ("sqlalchemy", "alembic", "reportlab", "httpx", "jieba", "pydantic", "gridstation.services.station",
         "gridstation.ui.main_window")
print(json.dumps({{"loaded": [m for m in heavy if m in sys.modules], "names": dialog.name.count()}}))
"""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"loaded": [], "names": 1}


def _show_sign_in(qtbot: QtBot, data_dir: Path) -> tuple[SignInDialog, StationOpening]:
    first = sign_in_first(data_dir)
    assert first is not None
    dialog, opening = first
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog, opening


@pytest.fixture
def signing_in(
    qtbot: QtBot, data_dir: Path, service: StationService, clerk: StaffMember
) -> tuple[SignInDialog, StationOpening]:
    return _show_sign_in(qtbot, data_dir)


def _type(qtbot: QtBot, dialog: SignInDialog, name: str, pin: str) -> None:
    line = dialog.name.lineEdit()
    assert line is not None
    line.selectAll()
    commit_text(dialog.name, name)  # a Chinese name comes through the input method
    qtbot.keyClick(line, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.pin, pin)


def test_a_clerk_signs_in_while_the_station_opens_behind_the_sign_in(
    qtbot: QtBot, signing_in: tuple[SignInDialog, StationOpening]
) -> None:
    dialog, opening = signing_in
    qtbot.waitUntil(lambda: opening.started)  # opening begins once the sign-in has been painted
    _type(qtbot, dialog, CLERK_NAME, CLERK_PIN)
    with qtbot.waitSignal(dialog.accepted, timeout=30_000):
        qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    assert dialog.staff is not None and dialog.staff.name == CLERK_NAME and dialog.staff.role is Role.CLERK
    opened = opening.service()
    try:
        assert opened.staff_names() == sorted([ADMIN_NAME, CLERK_NAME])
    finally:
        opened.close()


def test_a_wrong_pin_keeps_the_sign_in_open_with_the_reason(
    qtbot: QtBot, signing_in: tuple[SignInDialog, StationOpening]
) -> None:
    dialog, opening = signing_in
    _type(qtbot, dialog, CLERK_NAME, "9999")
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=30_000)
    assert "PIN" in dialog.error.text()
    assert dialog.isVisible() and dialog.staff is None and dialog.pin.text() == ""
    opening.close()


def test_a_station_that_cannot_be_opened_says_why_in_the_sign_in(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, data_dir: Path, service: StationService, clerk: StaffMember
) -> None:
    def locked(self: StationService, data_dir: Path, **_kwargs: object) -> None:
        raise DomainError("storage.locked", "数据库正被其他程序占用，请关闭其他 GridStation 窗口后重试。")

    monkeypatch.setattr(StationService, "__init__", locked)  # before the sign-in shows and starts the opening
    dialog, opening = _show_sign_in(qtbot, data_dir)
    _type(qtbot, dialog, CLERK_NAME, CLERK_PIN)
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=30_000)
    assert "数据库正被其他程序占用" in dialog.error.text()
    assert dialog.isVisible() and dialog.staff is None
    opening.close()  # nothing was opened: nothing to close, and no error
    assert not opening.closed


def test_quitting_at_the_sign_in_closes_what_was_opened_behind_it(
    qtbot: QtBot, signing_in: tuple[SignInDialog, StationOpening]
) -> None:
    dialog, opening = signing_in
    qtbot.waitUntil(lambda: opening.started)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    opening.close()  # waits for the opening to finish, then closes the station
    assert opening.closed
