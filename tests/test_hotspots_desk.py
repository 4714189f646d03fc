"""Issue 17 at the desk: `StationService.hotspots` over a station's real cases (tests/support/hotspots.py) and the
command `gridstation cases hotspots [--weeks N] [--at TIME] [--json]`."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import event

from gridstation.cli import main as cli
from gridstation.domain.hotspots import HotspotScope
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from tests.support.clock import FakeClock
from tests.support.hotspots import BEFORE_IT_ALL, REPORT_AT, HotspotStation, build_hotspot_station
from tests.support.staff import ADMIN_NAME, CLERK_NAME, CLERK_PIN

CLERK = ("--user", CLERK_NAME, "--pin", CLERK_PIN)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def clock() -> FakeClock:
    """The station (and its staff) exist before the eleven weeks the hotspots look at."""
    return FakeClock(BEFORE_IT_ALL)


@pytest.fixture
def hot(service: StationService, clerk: StaffMember, clock: FakeClock) -> HotspotStation:
    return build_hotspot_station(service, clerk, clock)


def test_the_service_finds_the_rising_categories_and_the_recurring_addresses(
    service: StationService, hot: HotspotStation
) -> None:
    found = service.hotspots(at=REPORT_AT)
    assert [(h.scope, h.category_name, h.grid_name, h.place) for h in found.rising] == [
        (HotspotScope.GRID, "电动车违规充电", "第一网格", ""),
        (HotspotScope.ADDRESS, "电动车违规充电", "第一网格", "康乐小区 12号楼"),
        (HotspotScope.GRID, "楼道堆物", "第一网格", ""),
    ]
    charging, _, corridor = found.rising
    assert charging.weeks == (0,) * 10 + (3,) and charging.reason == "近 7 天 3 件，前 10 周没有"
    assert charging.p_value == pytest.approx(0.0011484812, rel=1e-6)
    assert corridor.weeks == (1,) * 10 + (5,) and corridor.baseline == 1.0
    assert corridor.p_value == pytest.approx(0.0036598468, rel=1e-6)  # 1 − e^−1 × 65/24
    assert corridor.reason == "近 7 天 5 件，前 10 周平均每周 1.0 件（5.0 倍）"

    zombie, manhole = found.recurring
    assert (zombie.category_name, zombie.place, zombie.total) == ("僵尸车清理", "桃源里 23号", 3)
    assert zombie.weeks == (0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0) and zombie.open_count == 3
    assert list(zombie.numbers) == hot.numbers["zombie"]
    assert (manhole.place, manhole.total, manhole.reported_after_close) == ("天平公寓 41号", 2, True)
    assert manhole.reason == "近 11 周同一地点同类诉求 2 件，10-07 办结后 11-18 又有反映，1 件在办"

    # A week earlier nothing of the current week has happened yet; the manhole had not come back.
    earlier = service.hotspots(at=REPORT_AT.replace(day=16))
    assert earlier.rising == () and [r.place for r in earlier.recurring] == ["桃源里 23号"]
    # With a four-week baseline the corridor's weeks are shorter, the same finding.
    assert [h.weeks for h in service.hotspots(at=REPORT_AT, baseline_weeks=4).rising][2] == (1, 1, 1, 1, 5)


def test_one_query_over_the_registration_index(service: StationService, hot: HotspotStation) -> None:
    """The counting is one statement that scans only the weeks looked at (ix_cases_registered_at), so it costs the
    same at 200 000 cases as at 200."""
    statements: list[tuple[str, object]] = []

    def seen(conn: object, cursor: object, statement: str, parameters: object, *args: object) -> None:
        if "FROM cases" in statement:
            statements.append((statement, parameters))

    event.listen(service.read_engine, "before_cursor_execute", seen)
    try:
        service.hotspots(at=REPORT_AT)
    finally:
        event.remove(service.read_engine, "before_cursor_execute", seen)
    [(statement, parameters)] = statements
    with service.read_engine.connect() as connection:
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()  # type: ignore[arg-type]
    assert any("ix_cases_registered_at" in str(row) for row in plan), plan


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["--data-dir", str(data_dir), "cases", "hotspots", *argv, *CLERK])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_prints_json_rising_first_and_a_chinese_table(
    service: StationService, hot: HotspotStation, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service.close()  # the command opens the station itself
    code, out, _ = run(capsys, data_dir, "--at", "2026-11-23T09:30", "--json")
    assert code == 0
    items = json.loads(out)
    assert [(i["kind"], i["category"], i["address"]) for i in items] == [
        ("rising", "FIRE.CHARGE", ""),
        ("rising", "FIRE.CHARGE", "康乐小区 12号楼"),
        ("rising", "FIRE.CORRIDOR", ""),
        ("recurring", "BIKE.ZOMBIE", "桃源里 23号"),
        ("recurring", "DRAIN.COVER", "天平公寓 41号"),
    ]
    corridor = items[2]
    assert corridor["category_name"] == "楼道堆物" and corridor["grid"] == "G01"
    assert corridor["weeks"] == [1] * 10 + [5] and corridor["this_week"] == 5 and corridor["baseline"] == 1.0
    assert corridor["week_starts"][0] == "2026-09-08" and corridor["week_starts"][-1] == "2026-11-17"
    assert corridor["reason"] == "近 7 天 5 件，前 10 周平均每周 1.0 件（5.0 倍）" and corridor["p_value"] == 0.00366
    assert items[4]["reported_after_close"] is True and len(items[4]["numbers"]) == 2
    assert "13800135271" not in out and "陈秀兰" not in out  # counts and places, nobody's name or number

    code, out, _ = run(capsys, data_dir, "--at", "2026-11-23T09:30")
    assert code == 0
    assert out.startswith("热点问题（一类事）：近 7 天（11-17—11-23）与此前 10 周（2026-09-08 起）比较")
    for expected in (
        "一、热点上升",
        "楼栋  电动车违规充电  第一网格  康乐小区 12号楼",
        "1 1 1 1 1 1 1 1 1 1 → 5",
        "二、易反复问题",
        "桃源里 23号",
        "10-07 办结后 11-18 又有反映",
        "上升 3 项，易反复 2 处",
    ):
        assert expected in out, expected

    code, _, err = run(capsys, data_dir, "--weeks", "3")
    assert code == 2 and "基线周数须在 4 至 26 之间" in err
    code, _, err = run(capsys, data_dir, "--at", "上周一")
    assert code == 2 and "统计时点格式应为" in err
    # The station's cases counted: signed-in staff only.
    assert cli.main(["--data-dir", str(data_dir), "cases", "hotspots", "--user", CLERK_NAME, "--pin", "0000"]) == 2


def pdf_text(pdf: Path) -> str:
    """The PDF's text as pdftotext reads it, without whitespace (it breaks lines where the PDF wraps)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, text=True)
    return re.sub(r"\s+", "", out.stdout)


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    found = re.search(r"Pages:\s+(\d+)", info)
    assert found is not None
    return int(found.group(1))


def test_the_morning_report_has_the_hotspots_with_their_weekly_bars(
    service: StationService, hot: HotspotStation, admin: StaffMember, tmp_path: Path
) -> None:
    """Rendered to PDF, read back with pdftotext, and the hotspots' page turned into an image
    (GRIDSTATION_SAVE_SCREENSHOTS=1 writes it to docs/screenshots/ for the README)."""
    from gridstation.printing.morning_report import render_morning_report
    from gridstation.printing.paperwork import Paperwork

    missing = [tool for tool in ("pdftotext", "pdftoppm", "pdfinfo") if shutil.which(tool) is None]
    if missing and os.environ.get("CI"):
        pytest.fail(f"CI must install poppler-utils (scripts/test.sh does); missing {missing}")
    if missing:
        pytest.skip(f"missing {missing}: run scripts/test.sh, which installs them")
    data = Paperwork(service).morning_report(admin)
    assert data.hotspots is not None and len(data.hotspots.rising) == 3
    pdf = tmp_path / "晨会日报.pdf"
    pdf.write_bytes(render_morning_report(data))
    text = pdf_text(pdf)
    for expected in (
        "五、工作指标",
        "六、热点问题（一类事）（上升3项，易反复2处）",
        "近7天（11-17—11-23）与此前10周比较",
        "电动车违规充电（近7天3件）",  # the charts' titles
        "楼道堆物（近7天5件）",
        "康乐小区12号楼",
        "近7天5件，前10周平均每周1.0件（5.0倍）",
        "易反复问题",
        "桃源里23号",
        "10-07办结后11-18又有反映",
        f"制表：{ADMIN_NAME}",
    ):
        assert expected in text, expected
    # Compact: the section fits on the KPIs' last page, the report has no more pages than without it.
    without = tmp_path / "without.pdf"
    without.write_bytes(render_morning_report(dataclasses.replace(data, hotspots=None)))
    assert "热点问题" not in pdf_text(without)
    pages = page_count(pdf)
    assert pages == page_count(without)

    folder = ROOT / "docs" / "screenshots" if os.environ.get("GRIDSTATION_SAVE_SCREENSHOTS") == "1" else tmp_path
    image = folder / "hotspots-morning-report"
    last_page = ["-f", str(pages), "-l", str(pages), "-singlefile"]
    subprocess.run(["pdftoppm", "-png", "-r", "80", *last_page, str(pdf), str(image)], check=True)
    assert image.with_suffix(".png").stat().st_size > 10_000
