"""Issue 16, 回单 to 12345: `gridstation-server workorder export --since DATE FILE.csv` and the console's 回单 page
write, for each 12345/信访 work order disposed or closed since, the ticket, result, 处置情况, 回访 and times, in the
layout `workorder import` reads (GB18030 by default, UTF-8 on request), without the resident's name or phone. The
file read back into a fresh server imports without error: the check of its layout."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest

from gridstation.domain.console_roles import ConsoleRole
from gridstation.domain.enums import Channel, EventType
from gridstation.server.cli import main as server_main
from gridstation.server.db import open_database
from gridstation.server.dispatch_views import DispatchRequest, ReplyRequest
from gridstation.server.service import ServerService
from gridstation.server.visibility import Principal
from gridstation.server.workorder_returns import HEADER, parse_since, returns_csv
from gridstation.server.workorders import build_work_order, parse_work_order_csv
from tests.support.clock import FakeClock
from tests.support.console import sign_in_to_console
from tests.support.sync import Centre, Desk

CENTRE = Principal("u-centre", "centre", ConsoleRole.CENTRE)
WATER = Principal("u-water", "water", ConsoleRole.DEPARTMENT, department="WATER")


def work_order(centre: Centre, clock: FakeClock, ticket: str, source: Channel = Channel.HOTLINE_12345) -> str:
    order = build_work_order(
        ticket=ticket,
        source=source,
        station_code="JA01",
        category_code="GREEN.LIGHT",
        description="6号楼前香樟树遮挡三楼采光，要求修剪",
        dispatched_at=clock.current - timedelta(hours=1),
        compound="枫林苑",
        building="6号楼",
        complainant_name="王阿姨",
        phone="13800138000",
        due_hours=72,
        urgent=True,
    )
    return centre.service.add_work_order(order)


@pytest.fixture
def answered(desk: Desk, centre: Centre, clock: FakeClock) -> tuple[str, str]:
    """Two work orders: one the station closed and visited, one the departments disposed (not yet closed); and a
    third, still open, that is not in the file. Their tickets."""
    closed, disposed, _open = (
        work_order(centre, clock, "ZX2026112300101"),
        work_order(centre, clock, "XF2026112300102", Channel.PETITION_DISPATCH),
        work_order(centre, clock, "ZX2026112300103"),
    )
    assert desk.sync.run().ok
    steps = [
        (EventType.FIRST_CONTACT, {"note": "已电话联系"}),
        (EventType.DISPATCHED, {"assignee": "街道绿化队"}),
        (EventType.ARRIVED_ON_SITE, {"note": "绿化队到场"}),
        (EventType.DISPOSED, {"outcome": "resolved", "note": "已修剪遮挡枝杈"}),
        (EventType.CLOSED, {"answer": "已修剪，三楼采光恢复"}),
        (EventType.FOLLOW_UP, {"kind": "department_feedback", "satisfaction": "satisfied", "resolution": "resolved"}),
        (EventType.FOLLOW_UP, {"kind": "station_revisit", "satisfaction": "satisfied", "resolution": "resolved"}),
    ]
    for event_type, payload in steps:
        desk.station.record(desk.clerk, closed, event_type, payload)
    desk.station.record(desk.clerk, disposed, EventType.FIRST_CONTACT, {"note": "已电话联系"})
    assert desk.sync.run().ok
    centre.service.add_department("WATER", "区水务局")
    number = desk.station.case(disposed).number
    centre.service.dispatch_case(CENTRE, number, DispatchRequest(lead="WATER", idempotency_key="dispatch-0001"))
    result = ReplyRequest(kind="result", note="已疏通窨井并更换井盖", idempotency_key="result-00001")
    centre.service.reply_case(WATER, number, result)
    return "ZX2026112300101", "XF2026112300102"


def rows_of(data: bytes, encoding: str = "gb18030") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode(encoding))))


def test_the_file_holds_each_answered_work_order_and_no_name_or_phone(
    centre: Centre, answered: tuple[str, str], clock: FakeClock
) -> None:
    closed, disposed = answered
    data = returns_csv(centre.service.return_slips(clock.current - timedelta(days=1)))

    rows = rows_of(data)
    assert tuple(rows[0]) == HEADER
    by_ticket = {row["工单编号"]: row for row in rows}
    assert set(by_ticket) == {closed, disposed}  # the open one is not answered yet
    done = by_ticket[closed]
    assert (done["来源"], done["承办工作站"], done["紧急"], done["处理时限（小时）"]) == ("12345", "JA01", "是", "72")
    assert done["办理状态"] == "已回访" and done["处置结果"] == "已修剪，三楼采光恢复"
    assert done["处置情况"] == "已处置" and done["回访结果"] == "满意，已解决"
    assert done["办结时间"] and done["回访时间"] and done["处置时间"]
    petition = by_ticket[disposed]
    assert petition["来源"] == "信访" and petition["办结时间"] == "" and petition["回访结果"] == "未回访"
    assert petition["处置情况"] == "已处置；WATER（牵头）：已疏通窨井并更换井盖"
    text = data.decode("gb18030")
    assert "王阿姨" not in text and "13800138000" not in text
    later = returns_csv(centre.service.return_slips(clock.current + timedelta(minutes=1)))
    assert rows_of(later) == []  # nothing answered since then


def test_the_file_reimports_into_a_fresh_server(
    centre: Centre, answered: tuple[str, str], clock: FakeClock, tmp_path: Path
) -> None:
    data = returns_csv(centre.service.return_slips(clock.current - timedelta(days=1)), "utf-8")
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads UTF-8 as UTF-8
    fresh = open_database(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        service = ServerService(fresh, clock=clock)
        service.add_station("JA01", "枫林居委会民情快办工作站")
        result = service.import_work_orders(parse_work_order_csv(data.decode("utf-8-sig"), clock.current))
        assert sorted(result.added) == sorted(answered)
    finally:
        fresh.dispose()


def test_the_command_writes_gb18030_and_refuses_a_bad_date(
    centre: Centre, answered: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = centre.service.database.url
    target = tmp_path / "回单.csv"
    assert server_main(["--db", url, "workorder", "export", "--since", "2020-01-01", str(target)]) == 0
    assert "已导出 2 张回单" in capsys.readouterr().out
    assert {row["工单编号"] for row in rows_of(target.read_bytes())} == set(answered)
    assert not target.with_name("回单.csv.part").exists()

    assert server_main(["--db", url, "workorder", "export", "--since", "2026-13-01", str(tmp_path / "x.csv")]) != 0
    assert "起始日期「2026-13-01」格式不对" in capsys.readouterr().err
    assert server_main(["--db", url, "workorder", "export", "--since", "2026-11-01", "--encoding", "latin1", "y.csv"])
    assert "编码「latin1」不支持" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_the_console_page_downloads_the_file_for_the_centre_only(centre: Centre, answered: tuple[str, str]) -> None:
    client = centre.client
    centre.service.add_user("centre", ConsoleRole.CENTRE, "correct-horse-42")
    centre.service.add_user("water", ConsoleRole.DEPARTMENT, "correct-horse-42", department="WATER")

    sign_in_to_console(client, "centre", "correct-horse-42")
    assert 'id="export"' in client.get("/console/workorders").text
    answer = client.get("/console/workorders/returns.csv", params={"since": "2020-01-01"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    assert {row["工单编号"] for row in rows_of(answer.content)} == set(answered)
    bad = client.get("/console/workorders/returns.csv", params={"since": "昨天"})
    assert bad.status_code == 400 and "格式不对" in bad.text

    sign_in_to_console(client, "water", "correct-horse-42")
    refused = client.get("/console/workorders/returns.csv", params={"since": "2020-01-01"})
    assert refused.status_code == 404 and answered[0] not in refused.text


def test_since_is_the_start_of_that_day_in_beijing() -> None:
    assert parse_since("2026-11-02").isoformat() == "2026-11-02T00:00:00+08:00"
