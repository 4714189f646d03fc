"""Issue 16, 考核: `gridstation-server report kpi --by station|department|grid|owner --from DATE --to DATE --json`,
the KPIs of a period from the events the server holds (the morning report's functions), per station, department,
grid and owner, with 退单率, the spread of first-contact and closing times, the overdue count and repeat complaints.
The figures of a small day are worked out by hand."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest

from gridstation.domain.console_roles import ConsoleRole
from gridstation.domain.enums import EventType
from gridstation.domain.kpi_table import KpiDimension, spread
from gridstation.domain.localtime import BEIJING
from gridstation.domain.report import Rate
from gridstation.server.cli import main as server_main
from gridstation.server.dispatch_views import DispatchRequest, ReplyRequest
from gridstation.server.visibility import Principal
from tests.support.clock import FakeClock
from tests.support.complaints import complaint
from tests.support.console import sign_in_to_console
from tests.support.sync import Centre, Desk

CENTRE = Principal("u-centre", "centre", ConsoleRole.CENTRE)


def department(code: str) -> Principal:
    return Principal(f"u-{code}", code.lower(), ConsoleRole.DEPARTMENT, department=code)


@pytest.fixture
def day(desk: Desk, centre: Centre, clock: FakeClock) -> FakeClock:
    """S = the start. A (G01): 先联 at +3, dispatched at +4 to WATER (lead) and GREEN (assist), GREEN 退单 at +5,
    WATER's result at +30, closed at +40, both visits satisfied. B (G02): 先联 at +10, still open (its hour on site
    runs out at +70). C (G01): the same address and category as A, registered at +50, nobody called back."""
    start = clock.current
    station, clerk = desk.station, desk.clerk
    a = station.register_case(clerk, dataclasses.replace(complaint(0), grid_code="G01"))
    clock.current = start + timedelta(minutes=1)
    b = station.register_case(clerk, dataclasses.replace(complaint(1), grid_code="G02"))
    clock.current = start + timedelta(minutes=3)
    station.record(clerk, a.id, EventType.FIRST_CONTACT, {"note": "已电话联系"})
    assert desk.sync.run().ok
    for code, name in (("WATER", "区水务局"), ("GREEN", "区绿化市容局")):
        centre.service.add_department(code, name)
    clock.current = start + timedelta(minutes=4)
    centre.service.dispatch_case(
        CENTRE, a.number, DispatchRequest(lead="WATER", assist=["GREEN"], idempotency_key="kpi-dispatch")
    )
    clock.current = start + timedelta(minutes=5)
    centre.service.reply_case(
        department("GREEN"), a.number, ReplyRequest(kind="reject", note="不属本部门", idempotency_key="kpi-reject")
    )
    clock.current = start + timedelta(minutes=10)
    station.record(clerk, b.id, EventType.FIRST_CONTACT, {"note": "已电话联系"})
    clock.current = start + timedelta(minutes=30)
    centre.service.reply_case(
        department("WATER"), a.number, ReplyRequest(kind="result", note="已修剪", idempotency_key="kpi-result")
    )
    assert desk.sync.run().ok
    clock.current = start + timedelta(minutes=40)
    station.record(clerk, a.id, EventType.CLOSED, {"answer": "已修剪，已告知居民"})
    for kind in ("department_feedback", "station_revisit"):
        station.record(
            clerk, a.id, EventType.FOLLOW_UP, {"kind": kind, "satisfaction": "satisfied", "resolution": "resolved"}
        )
    clock.current = start + timedelta(minutes=50)
    station.register_case(clerk, dataclasses.replace(complaint(0), grid_code="G01"))
    assert desk.sync.run().ok
    clock.current = start + timedelta(hours=3)
    return clock


def test_by_station_department_grid_and_owner(centre: Centre, day: FakeClock) -> None:
    start, end = day.current - timedelta(hours=3), day.current
    [station] = centre.service.kpi_report(KpiDimension.STATION, start, end)
    assert (station.key, station.cases) == ("JA01", 3)
    k = station.kpis
    assert k.first_contact == Rate(1, 3)  # A in 3 minutes; B in 10; C not at all (due at +55)
    assert (k.resolution, k.satisfaction, k.not_visited) == (Rate(1, 1), Rate(1, 1), 0)
    assert station.rejected == Rate(1, 2)  # two departments' parts dispatched, one sent back
    assert station.first_contact_minutes == spread([3, 9])  # A: 3 minutes; B: 10 - 1
    assert station.first_contact_minutes.median == 6.0 and station.first_contact_minutes.p90 == 9.0
    assert station.close_minutes == spread([40])
    assert (station.overdue, station.repeats) == (2, 1)  # B on site, C's 先联; C repeats A

    departments = {row.key: row for row in centre.service.kpi_report(KpiDimension.DEPARTMENT, start, end)}
    assert set(departments) == {"WATER", "GREEN"}
    assert departments["GREEN"].rejected == Rate(1, 1) and departments["WATER"].rejected == Rate(0, 1)
    grids = {row.key: row.cases for row in centre.service.kpi_report(KpiDimension.GRID, start, end)}
    assert grids == {"G01": 2, "G02": 1}
    owners = centre.service.kpi_report(KpiDimension.OWNER, start, end)
    assert [(row.key, row.cases) for row in owners] == [("李明", 3)]


def test_the_command_prints_and_writes_json(centre: Centre, day: FakeClock, capsys: pytest.CaptureFixture[str]) -> None:
    today = day.current.astimezone(BEIJING).date().isoformat()
    url = centre.service.database.url
    assert server_main(["--db", url, "report", "kpi", "--by", "station", "--from", today, "--to", today, "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)["rows"]
    assert row["first_contact"] == {"met": 1, "total": 3, "percent": "33.3%"}
    assert row["rejected"]["percent"] == "50.0%" and row["repeats"] == 1
    assert server_main(["--db", url, "report", "kpi", "--by", "grid", "--from", today, "--to", today]) == 0
    out = capsys.readouterr().out
    assert out.startswith("考核指标（按网格") and "G01：2 件" in out
    assert server_main(["--db", url, "report", "kpi", "--by", "grid", "--from", "2026-13-01", "--to", today]) != 0
    assert "起始日期「2026-13-01」格式不对" in capsys.readouterr().err


def test_the_console_page_shows_the_table_with_bars_and_exports_csv_and_xlsx(
    centre: Centre, day: FakeClock, tmp_path: object
) -> None:
    import csv
    import io

    from openpyxl import load_workbook

    password = "correct-horse-42"
    centre.service.add_user("centre", ConsoleRole.CENTRE, password)
    centre.service.add_user("water", ConsoleRole.DEPARTMENT, password, department="WATER")
    client = centre.client

    today = day.current.astimezone(BEIJING).date().isoformat()
    query = {"by": "grid", "from": today, "to": today}
    sign_in_to_console(client, "centre", password)
    page = client.get("/console/kpi", params=query)
    assert page.status_code == 200 and "按网格" in page.text
    assert page.text.count('class="kpi-row"') == 2 and "<svg" in page.text and "50.0%（1/2）" in page.text
    bad = client.get("/console/kpi", params={**query, "from": "昨天"})
    assert bad.status_code == 400 and "日期格式不对" in bad.text

    exported = client.get("/console/kpi.csv", params=query)
    assert exported.headers["content-type"].startswith("text/csv") and exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["统计对象", "件数", "先联率"] and {r[0] for r in rows[1:]} == {"G01", "G02"}
    book = client.get("/console/kpi.xlsx", params=query)
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None and sheet["A1"].value == "统计对象"
    assert sorted(sheet.cell(row=r, column=1).value for r in (2, 3)) == ["G01", "G02"]

    sign_in_to_console(client, "water", password)
    for route in ("/console/kpi", "/console/kpi.csv", "/console/kpi.xlsx"):
        assert client.get(route, params=query).status_code == 404
