"""A desk's main window with a sync controller talking to the in-process centre, for GUI tests of sync screens."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.sync.engine import SyncService
from gridstation.sync.retry import RetryPolicy
from tests.support.sync import Centre

if TYPE_CHECKING:  # Qt loads only for the tests that use the fixture
    from pytestqt.qtbot import QtBot

    from gridstation.ui.main_window import MainWindow


def sync_service(centre: Centre, service: StationService) -> SyncService:
    return SyncService(
        service,
        transport_factory=centre.transport_factory,
        retry=RetryPolicy(attempts=3, first_delay=0.01, max_delay=0.02),
    )


@pytest.fixture
def desk_window(
    qtbot: QtBot, centre: Centre, service: StationService, admin: StaffMember, chinese_font: None
) -> Iterator[MainWindow]:
    from gridstation.ui.main_window import MainWindow
    from gridstation.ui.sync.controller import SyncController

    controller = SyncController(service, sync=sync_service(centre, service), background=False)
    window = MainWindow(service, admin, sync=controller)
    qtbot.addWidget(window)
    window.resize(1400, 860)
    window.show()
    qtbot.waitExposed(window)
    yield window
    controller.shutdown()
