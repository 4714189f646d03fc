"""The main window on the screens stations have: 1366×768 first, 1920×1080, and 125 %/150 % scaling.

Every test runs on a copy of the demo station (80 cases, many overdue), so the list is full the way a desk's is.
GRIDSTATION_SAVE_SCREENSHOTS=1 writes the README's screenshots to docs/screenshots/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from pytestqt.qtbot import QtBot

from gridstation.domain.enums import EventType
from gridstation.domain.listing import CaseQuery
from gridstation.services.demo import create_demo_station
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.app import build_main_window
from gridstation.ui.case_model import COLUMN_OF, format_remaining
from gridstation.ui.main_window import MainWindow
from tests.support.clock import FakeClock
from tests.test_desk import log_walk_in_by_keyboard

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("chinese_font")]

ROOT = Path(__file__).resolve().parents[1]
END = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)  # 14:30 in Shanghai
DEMO_CASES = 80
CLERK = ("李明", "1357")  # the demo's clerk
MAXIMISED_ON_1366 = (1366, 700)  # what a maximised window gets of a 768-pixel screen (taskbar, title bar)
KEY_COLUMNS = ("colour", "countdown", "number", "category_code", "compound", "description", "status")


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo station, built once; each test works on its own copy."""
    data_dir = tmp_path_factory.mktemp("demo-layout") / "data"
    create_demo_station(data_dir, cases=DEMO_CASES, now=END).close()
    return data_dir


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Iterator[StationService]:
    data_dir = tmp_path / "data"
    shutil.copytree(demo_template, data_dir)
    service = StationService(data_dir, now=FakeClock(END))
    yield service
    service.close()


@pytest.fixture
def demo_clerk(demo: StationService) -> StaffMember:
    return demo.sign_in(*CLERK)


def open_window(qtbot: QtBot, service: StationService, staff: StaffMember, width: int, height: int) -> MainWindow:
    window = build_main_window(service, staff)
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.cases.model.rowCount() == DEMO_CASES, timeout=5000)
    return window


def busiest_case(service: StationService, *, open_only: bool = False) -> str:
    """The case with the longest timeline (reopened, dispatched twice …): the one that needs the room."""
    rows = service.search(CaseQuery(limit=1000, open_only=open_only))
    return max(rows, key=lambda row: len(service.timeline(row.id))).id


def test_key_columns_fit_at_1366_without_scrolling(qtbot: QtBot, demo: StationService, demo_clerk: StaffMember) -> None:
    """At 1366×768 every column through 状态 lies inside the list's viewport: no horizontal scrolling."""
    window = open_window(qtbot, demo, demo_clerk, 1366, 768)
    table = window.cases.table
    header = table.horizontalHeader()
    viewport = table.viewport().width()
    for key in KEY_COLUMNS:
        column = COLUMN_OF[key]
        assert header.sectionViewportPosition(column) >= 0, key
        assert header.sectionViewportPosition(column) + header.sectionSize(column) <= viewport, key
    assert table.horizontalScrollBar().maximum() == 0


def test_countdown_is_compact_and_never_cut(qtbot: QtBot, demo: StationService, demo_clerk: StaffMember) -> None:
    """剩余时间 shows "超 9天", whole in its column; the exact time is the cell's tooltip."""
    window = open_window(qtbot, demo, demo_clerk, 1366, 768)
    table = window.cases.table
    model = window.cases.model
    column = COLUMN_OF["countdown"]
    room = table.horizontalHeader().sectionSize(column) - 2 * table.style().pixelMetric(
        table.style().PixelMetric.PM_FocusFrameHMargin
    )
    texts = [str(model.index(row, column).data()) for row in range(model.rowCount())]
    assert any(text.startswith("超 ") and text.endswith("天") for text in texts)  # the demo has long-overdue cases
    for text in texts:
        assert table.fontMetrics().horizontalAdvance(text) <= room, text
    first = model.summary(0)
    assert first is not None
    tooltip = model.index(0, column).data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip == format_remaining(first.sla_due_at, END)
    assert tooltip.startswith("超时 ")


def test_window_shrinks_to_1024_pixels(qtbot: QtBot, demo: StationService, demo_clerk: StaffMember) -> None:
    """Nothing (filters, intake form, detail fields) holds the window wider than a 1024-pixel screen."""
    window = open_window(qtbot, demo, demo_clerk, 1366, 768)
    window.show_case(busiest_case(demo))
    qtbot.waitUntil(lambda: window.detail.timeline.topLevelItemCount() > 8)
    assert window.minimumSizeHint().width() <= 1024
    window.resize(1024, 600)
    qtbot.waitUntil(lambda: window.width() == 1024)


PLACE_SCRIPT = """
import json, sys
from pathlib import Path
from gridstation.services.station import StationService
from gridstation.ui.app import build_main_window, make_application
from gridstation.ui.case_model import COLUMN_OF
app = make_application()
service = StationService(Path(sys.argv[1]))
window = build_main_window(service, service.sign_in(sys.argv[2], sys.argv[3]))
window.layout_state.place(window)
window.show()
for _ in range(50):
    app.processEvents()
header, table = window.cases.table.horizontalHeader(), window.cases.table
key_end = max(header.sectionViewportPosition(COLUMN_OF[k]) + header.sectionSize(COLUMN_OF[k]) for k in sys.argv[4:])
available = window.screen().availableGeometry()
print(json.dumps({
    "window": [window.width(), window.height()],
    "minimum": [window.minimumSizeHint().width(), window.minimumSizeHint().height()],
    "screen": [available.width(), available.height()],
    "ratio": window.devicePixelRatio(),
    "key_columns_fit": key_end <= table.viewport().width(),
}))
if len(sys.argv) > 4 and window.width() > 1000:
    window.resize(window.width() - 100, window.height() - 50)
    app.processEvents()
window.close()
service.close()
"""


def run_desk_on_screen(data_dir: Path, tmp_path: Path, width: int, height: int, scale: float) -> dict[str, Any]:
    """Start a desk on a virtual screen of `width`×`height` pixels at `scale` (as Windows' 125 %/150 %) and
    report the window it opened, its minimum size and the screen's free area, in the desk's own pixels."""
    config = tmp_path / f"screen-{width}x{height}.json"
    screen = {"name": "desk", "x": 0, "y": 0, "width": width, "height": height, "logicalDpi": 96, "dpr": 1}
    config.write_text(json.dumps({"screens": [screen]}), encoding="utf-8")
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        "QT_SCALE_FACTOR": str(scale),
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", PLACE_SCRIPT, str(data_dir), *CLERK, *KEY_COLUMNS],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


@pytest.mark.parametrize(
    ("width", "height", "scale"),
    [(1366, 768, 1.0), (1366, 768, 1.25), (1920, 1080, 1.25), (1920, 1080, 1.5)],
)
def test_desk_opens_fitting_a_scaled_screen(
    tmp_path: Path, demo_template: Path, width: int, height: int, scale: float
) -> None:
    """Started on a real (virtual) screen with QT_SCALE_FACTOR, the desk opens inside the screen, can shrink to
    it, and shows the key columns without scrolling; the next start opens at the size it was left at."""
    data_dir = tmp_path / "data"
    shutil.copytree(demo_template, data_dir)
    first = run_desk_on_screen(data_dir, tmp_path, width, height, scale)
    assert first["ratio"] == pytest.approx(scale)
    screen_width, screen_height = first["screen"]
    assert first["minimum"][0] <= screen_width and first["minimum"][1] <= screen_height
    assert first["window"] == [min(1366, screen_width), min(768, screen_height)]
    assert first["key_columns_fit"]
    again = run_desk_on_screen(data_dir, tmp_path, width, height, scale)
    expected = first["window"] if first["window"][0] <= 1000 else [first["window"][0] - 100, first["window"][1] - 50]
    assert again["window"] == expected


def test_timeline_has_room_at_1366(qtbot: QtBot, demo: StationService, demo_clerk: StaffMember) -> None:
    """With a case open on a 1366×768 screen (the window, maximised, gets about 1366×700 of it), at least eight
    timeline rows are visible without scrolling, even under a long complaint."""
    window = open_window(qtbot, demo, demo_clerk, *MAXIMISED_ON_1366)
    case_id = busiest_case(demo)
    long_text = "楼上住户夜间拖动家具、跺脚，噪声持续到凌晨一两点，已多次上门沟通无果，家中老人和孩子无法休息。" * 4
    demo.record(
        demo_clerk, case_id, EventType.INTAKE_CORRECTED, {"field": "description", "value": long_text, "reason": "补充"}
    )
    window.show_case(case_id)
    timeline = window.detail.timeline
    qtbot.waitUntil(lambda: timeline.topLevelItemCount() >= 10)
    viewport = timeline.viewport().rect()
    visible = [
        i
        for i in range(timeline.topLevelItemCount())
        if viewport.contains(timeline.visualItemRect(timeline.topLevelItem(i)))
    ]
    assert len(visible) >= 8


def test_empty_detail_pane_says_what_to_do(qtbot: QtBot, demo: StationService, demo_clerk: StaffMember) -> None:
    """Before a case is chosen the pane shows how to get one, not an empty form and timeline."""
    window = open_window(qtbot, demo, demo_clerk, 1366, 768)
    detail = window.detail
    assert detail.empty_hint.isVisible()
    assert "选择一件诉求" in detail.empty_hint.text()
    assert not detail.timeline.isVisible()
    table = window.cases.table
    qtbot.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(table.model().index(0, 2)).center()
    )
    qtbot.waitUntil(lambda: detail.timeline.isVisible())
    assert not detail.empty_hint.isVisible()


def test_splitters_are_remembered(qtbot: QtBot, demo: StationService, demo_clerk: StaffMember) -> None:
    """Where the clerk drags the dividers is where they are after the desk starts again."""
    window = open_window(qtbot, demo, demo_clerk, 1366, 768)
    main, right = window.layout_state.main, window.layout_state.right
    main.moveSplitter(420, 1)  # as a drag does: splitterMoved follows
    right.moveSplitter(250, 1)
    moved = (main.sizes(), right.sizes())
    assert moved[0][0] == 420 and moved[1][0] == 250
    window.close()

    again = open_window(qtbot, demo, demo_clerk, 1366, 768)
    assert (again.layout_state.main.sizes(), again.layout_state.right.sizes()) == moved
    assert (demo.data_dir / "desk-layout.ini").exists()


def test_just_saved_case_is_selected_and_visible(qtbot: QtBot, demo: StationService, demo_clerk: StaffMember) -> None:
    """The new case, sorted below every overdue one, is selected and scrolled into view after saving."""
    window = open_window(qtbot, demo, demo_clerk, 1366, 768)
    log_walk_in_by_keyboard(qtbot, window.intake)
    table, model = window.cases.table, window.cases.model
    qtbot.waitUntil(lambda: model.rowCount() == DEMO_CASES + 1, timeout=5000)
    saved = window.detail.state
    assert saved is not None
    row = model.row_of(saved.id)
    visible_rows = table.viewport().height() // table.rowHeight(0)
    assert row > visible_rows  # buried: without scrolling it would be out of sight

    def shown() -> bool:
        selected = table.selectionModel().selectedRows()
        return len(selected) == 1 and selected[0].row() == row

    qtbot.waitUntil(shown, timeout=5000)
    rect = table.visualRect(table.model().index(row, COLUMN_OF["number"]))
    assert QRect(table.viewport().rect()).intersects(rect)


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_screenshots(
    qtbot: QtBot, demo: StationService, demo_clerk: StaffMember, tmp_path: Path, width: int, height: int
) -> None:
    """The README's pictures of the main window, with a case open; written to docs/screenshots/ on request."""
    window = open_window(qtbot, demo, demo_clerk, width, height)
    window.show_case(busiest_case(demo, open_only=True))
    qtbot.waitUntil(lambda: window.detail.timeline.topLevelItemCount() >= 5)
    folder = ROOT / "docs" / "screenshots" if os.environ.get("GRIDSTATION_SAVE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"main-{width}x{height}.png"
    assert window.grab().save(str(path))
    assert path.stat().st_size > 10_000
