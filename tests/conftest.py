"""Shared fixtures: a real station database in a temporary folder, with a clock the test controls.

The server's and the sync's fixtures live in `tests/support/` and are registered here (`pytest_plugins`); the
helpers test modules import are there too.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LANG", "C.UTF-8")
# The programs write their logs here, not into the user's log folder (server processes the tests start inherit it).
os.environ.setdefault("GRIDSTATION_LOG_DIR", tempfile.mkdtemp(prefix="gridstation-test-logs-"))

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from gridstation.domain.enums import Role
from gridstation.server import passwords as server_passwords
from gridstation.services import passwords
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from tests.support.clock import FakeClock
from tests.support.staff import ADMIN_NAME, ADMIN_PIN, CLERK_NAME, CLERK_PIN

if TYPE_CHECKING:  # Qt loads only for the tests that use these fixtures
    from PySide6.QtWidgets import QApplication
    from pytestqt.qtbot import QtBot

    from gridstation.ui.main_window import MainWindow

pytest_plugins = [
    # The server's fixtures (SQLite and PostgreSQL database, clock, service, in-process API).
    "tests.support.server",
    # The station's sync fixtures: a centre (the server app in-process) and an enrolled desk.
    "tests.support.sync",
    # A desk's main window syncing with that centre (`desk_window`), for the sync screens' GUI tests.
    "tests.support.desk_sync",
]


@pytest.fixture(autouse=True, scope="session")
def own_config_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A config folder of the tests' own: a developer's ~/.config/GridStationServer/server.toml (or the desk's saved
    layout) must not change what a test sees. Subprocesses inherit it."""
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config"))


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheaper argon2id for test PINs (the lockout logic, not the hash cost, is under test); keeps the suite fast.

    Only this process: a server or desk started as a subprocess hashes at the real cost. A stored hash names its
    own cost, so either side verifies the other's.
    """
    monkeypatch.setattr(passwords, "ARGON2_TIME_COST", 1)
    monkeypatch.setattr(passwords, "ARGON2_MEMORY_KIB", 64)
    monkeypatch.setattr(passwords, "ARGON2_PARALLELISM", 1)
    monkeypatch.setattr(server_passwords, "ARGON2_TIME_COST", 1)
    monkeypatch.setattr(server_passwords, "ARGON2_MEMORY_KIB", 64)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "station-data"


@pytest.fixture
def service(data_dir: Path, clock: FakeClock) -> Iterator[StationService]:
    svc = StationService(data_dir, now=clock)
    svc.initialise(code="JA01", name="枫林居委会民情快办工作站", admin_name=ADMIN_NAME, admin_pin=ADMIN_PIN,
                   sub_district="湖南路街道", contact_phone="021-64331234")
    yield svc
    svc.close()


@pytest.fixture
def admin(service: StationService) -> StaffMember:
    return service.sign_in(ADMIN_NAME, ADMIN_PIN)


@pytest.fixture
def clerk(service: StationService, admin: StaffMember) -> StaffMember:
    service.add_staff(admin, CLERK_NAME, Role.CLERK, CLERK_PIN)
    return service.sign_in(CLERK_NAME, CLERK_PIN)


@pytest.fixture(scope="module")
def chinese_font(qapp: QApplication) -> None:
    """What the app does at start: load the bundled CJK font, so screenshots show Chinese, not boxes."""
    from gridstation.ui.resources import install_font

    install_font(qapp)


@pytest.fixture
def window(qtbot: QtBot, service: StationService, clerk: StaffMember) -> MainWindow:
    """The clerk's main window, shown and active, as after signing in."""
    from gridstation.ui.app import build_main_window

    win = build_main_window(service, clerk)
    qtbot.addWidget(win)
    win.resize(1400, 860)
    win.show()
    win.activateWindow()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.isActiveWindow())
    return win

