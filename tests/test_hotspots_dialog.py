"""Issue 17: the hotspots on the desk's screen (诉求 → 热点问题…), the same figures as the morning report prints, and a
double click on a 易反复 row shows its latest case."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.hotspots import HotspotsDialog
from tests.support.clock import FakeClock
from tests.support.hotspots import BEFORE_IT_ALL, HotspotStation, build_hotspot_station

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("chinese_font")]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(BEFORE_IT_ALL)


@pytest.fixture
def hot(service: StationService, clerk: StaffMember, clock: FakeClock) -> HotspotStation:
    return build_hotspot_station(service, clerk, clock)


def test_the_dialog_lists_rising_and_recurring_and_opens_a_case(
    qtbot: QtBot, service: StationService, hot: HotspotStation
) -> None:
    shown: list[str] = []
    dialog = HotspotsDialog(service, shown.append)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.found is not None, timeout=10_000)
    rising = [[dialog.rising.item(r, c).text() for c in range(6)] for r in range(dialog.rising.rowCount())]
    assert ["网格", "楼道堆物", "第一网格", "—"] in [row[:4] for row in rising]
    charging = [row for row in rising if row[1] == "电动车违规充电"]
    assert {row[0] for row in charging} == {"网格", "楼栋"}
    assert all(row[4].endswith("→ 3") for row in charging)
    recurring = [dialog.recurring.item(r, 0).text() for r in range(dialog.recurring.rowCount())]
    assert set(recurring) == {"僵尸车清理", "污水井盖堵塞"}
    assert "上升 3 项，易反复 2 处" in dialog.status.text()
    row = recurring.index("僵尸车清理")
    dialog.recurring.setCurrentCell(row, 0)
    qtbot.keyClick(dialog.recurring, Qt.Key.Key_Return)
    assert shown == [service.case_by_number(hot.numbers["zombie"][-1]).id]
