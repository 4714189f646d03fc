"""Historic ledgers (历史台账) brought in as cases: CSV in UTF-8 or GB18030 and .xlsx, all rows checked before any
is written, each bad one reported, a second import adding only what is new, and the KPIs left undistorted."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook

from gridstation.cli import main as cli
from gridstation.cli.context import DATA_DIR_ENV, PIN_ENV, USER_ENV
from gridstation.domain.enums import Channel, EventType, Status
from gridstation.domain.errors import DomainError
from gridstation.domain.ledger_history import UNDATED_STEP
from gridstation.domain.ledger_rows import LEDGER_COLUMNS, LedgerInvalid
from gridstation.domain.listing import CaseQuery
from gridstation.domain.report import compute_kpis
from gridstation.domain.timeline import describe_event
from gridstation.server.ingest import event_refusal, intake_problem
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from tests.support.clock import FakeClock
from tests.support.complaints import complaint
from tests.support.snapshots import snapshot
from tests.support.sync import Centre, Desk

BEIJING_OFFSET = timedelta(hours=8)
LEDGER = [
    ["2026-11-02 09:15", "来访", "张桂英", "13800131234", "枫林苑3号楼502室", "楼道堆物", "楼道堆放杂物影响通行",
     "已办结", "2026-11-03 16:00", "已通知物业清理，楼道恢复通畅"],
    ["2026/11/5 14:20", "12345热线", "刘建华", "021-64331234", "康乐小区东门", "FACIL.ROAD", "小区东门窨井盖松动",
     "已派单", "", ""],
    ["2026-11-06 10:00", "网格巡查", "", "", "梅园新村12号楼", "电动车违规充电", "电动车在楼道飞线充电",
     "已登记", "", ""],
    ["2026-11-10 08:40", "来电", "陈秀兰", "13800134567", "天平公寓5号楼", "绿化/树木遮挡采光",
     "香樟树遮挡二楼住户采光", "已到场", "", "园林所已到现场查看，待修剪"],
]  # fmt: skip
NEW_ROWS = [
    ["2026-11-12 15:05", "码上就来", "", "", "桃源里23号", "共享单车乱停放", "弄堂口共享单车堆放，老人进出不便",
     "已办结", "2026-11-13 10:30", "已联系运营企业清运车辆"],
]  # fmt: skip


def write_csv(
    path: Path, rows: list[list[str]], *, encoding: str = "utf-8-sig", header: list[str] | None = None
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header or list(LEDGER_COLUMNS))
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]], *, title: str | None = None, extra_sheet: bool = False) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "2026年台账"
    if title:
        sheet.append([title])
    sheet.append([*LEDGER_COLUMNS, "备注"])
    for row in rows:
        sheet.append(row)
    if extra_sheet:
        workbook.create_sheet("说明").append(["本表由居委会整理"])
    workbook.save(path)
    return path


def beijing(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC) - BEIJING_OFFSET


def cases_by_description(service: StationService) -> dict[str, str]:
    return {c.description: c.id for c in service.search(CaseQuery())}


def imported_count(service: StationService) -> int:
    return len(service.search(CaseQuery()))


# ---------------------------------------------------------------------- files


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_utf8_or_gb18030(service: StationService, admin: StaffMember, tmp_path: Path, encoding: str) -> None:
    """Excel on a Chinese Windows saves GB18030; others UTF-8 with or without a BOM: the same cases either way."""
    path = write_csv(tmp_path / "台账.csv", LEDGER, encoding=encoding)
    result = service.import_ledger(admin, path)

    assert result.summary() == "已导入 4 件（已先联 1，已派单 1，已到场 1，已办结 1），跳过已导入 0 件。"
    by_text = cases_by_description(service)
    assert set(by_text) == {row[6] for row in LEDGER}
    closed = service.case(by_text["楼道堆放杂物影响通行"])
    assert (closed.complainant_name, closed.phone, closed.category_code) == ("张桂英", "13800131234", "FIRE.CORRIDOR")
    # The longest known compound the address starts with is the compound; the rest is the building and door.
    assert (closed.compound, closed.building, closed.address, closed.grid_code) == ("枫林苑", "3号楼502室", "", "G01")


def test_xlsx_with_datetime_cells_title_row_and_numeric_phone(
    service: StationService, admin: StaffMember, tmp_path: Path
) -> None:
    """An .xlsx from Excel: real datetime cells, a phone stored as a number, a title above the header, an extra
    column and a second sheet (both said once), rows numbered as Excel shows them."""
    rows: list[list[object]] = [
        [datetime(2026, 11, 2, 9, 14, 59, 999_999), "来访", "张桂英", 13800131234, "枫林苑3号楼502室", "楼道堆物",
         "楼道堆放杂物影响通行", "已办结", datetime(2026, 11, 3, 16, 0), "已通知物业清理，楼道恢复通畅", "第一季度"],
        [datetime(2026, 11, 5, 14, 20), "12345热线", None, None, "康乐小区东门", "道路破损", "小区东门窨井盖松动",
         "已派单", None, None, None],
    ]  # fmt: skip
    path = write_xlsx(tmp_path / "民情台账.xlsx", rows, title="枫林居委会2026年民情台账", extra_sheet=True)

    result = service.import_ledger(admin, path)

    assert result.imported.total() == 2 and result.rows == 2
    assert result.all_notes() == ["工作簿有 2 个工作表，只读取了第一个「2026年台账」。", "已忽略这些列：备注。"]
    by_text = cases_by_description(service)
    closed = service.case(by_text["楼道堆放杂物影响通行"])
    assert closed.phone == "13800131234"
    assert closed.registered_at == beijing("2026-11-02T09:15")  # Excel's 09:14:59.999999 is 09:15
    registration = service.timeline(closed.id)[0]
    assert describe_event(registration).endswith("从历史台账导入（民情台账.xlsx 第 3 行）")
    anonymous = service.case(by_text["小区东门窨井盖松动"])
    assert anonymous.anonymous and anonymous.phone == "" and anonymous.status is Status.DISPATCHED


def test_a_file_that_is_neither_csv_nor_xlsx(service: StationService, admin: StaffMember, tmp_path: Path) -> None:
    old = tmp_path / "台账.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DomainError, match=r"另存为 \.xlsx"):
        service.import_ledger(admin, old)
    broken = tmp_path / "台账.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(DomainError, match="文件已损坏"):
        service.import_ledger(admin, broken)


# ---------------------------------------------------------------------- the history each row becomes


def test_a_closed_row_has_its_whole_history_at_the_ledger_times(
    service: StationService, admin: StaffMember, tmp_path: Path
) -> None:
    service.import_ledger(admin, write_csv(tmp_path / "台账.csv", LEDGER))
    case_id = cases_by_description(service)["楼道堆放杂物影响通行"]
    state = service.case(case_id)
    events = service.timeline(case_id)

    assert state.status is Status.CLOSED and state.answer == "已通知物业清理，楼道恢复通畅"
    assert state.number.startswith("JA01-20261102-")  # numbered on its own day
    assert [e.type for e in events] == [
        EventType.REGISTERED,
        EventType.FIRST_CONTACT,  # a walk-in: contacted as it is registered
        EventType.DISPATCHED,
        EventType.ARRIVED_ON_SITE,
        EventType.DISPOSED,
        EventType.CLOSED,
    ]
    registered, closed = beijing("2026-11-02T09:15"), beijing("2026-11-03T16:00")
    assert events[0].occurred_at == registered == state.registered_at
    assert events[-1].occurred_at == closed == state.closed_at
    assert all(registered <= e.occurred_at <= closed for e in events)
    assert events[0].payload["imported"]["file"] == "台账.csv" and events[0].payload["imported"]["row"] == 2
    assert len(events[0].payload["imported"]["fingerprint"]) == 64
    assert describe_event(events[0]) == "登记：来访，跟踪督办；从历史台账导入（台账.csv 第 2 行）"
    assert events[2].payload["note"] == UNDATED_STEP
    assert events[4].payload["note"] == "已通知物业清理，楼道恢复通畅"
    assert service.verify_logs().intact


def test_open_rows_get_the_steps_to_their_status(service: StationService, admin: StaffMember, tmp_path: Path) -> None:
    service.import_ledger(admin, write_csv(tmp_path / "台账.csv", LEDGER))
    by_text = cases_by_description(service)

    dispatched = service.timeline(by_text["小区东门窨井盖松动"])
    assert [e.type for e in dispatched] == [EventType.REGISTERED, EventType.FIRST_CONTACT, EventType.DISPATCHED]
    assert {e.occurred_at for e in dispatched} == {beijing("2026-11-05T14:20")}

    patrol = service.case(by_text["电动车在楼道飞线充电"])  # a patrol's own find: nobody to call back
    assert patrol.status is Status.CONTACTED and not patrol.anonymous and patrol.channel is Channel.GRID_PATROL

    on_site_id = by_text["香樟树遮挡二楼住户采光"]
    assert service.case(on_site_id).status is Status.ON_SITE
    note = service.timeline(on_site_id)[-1]
    assert (
        note.type is EventType.NOTE_ADDED and note.payload["note"] == "台账记载的处置情况：园林所已到现场查看，待修剪"
    )


def test_the_centre_accepts_an_imported_registration(
    service: StationService, admin: StaffMember, tmp_path: Path
) -> None:
    """The mark travels with the registration; the server checks it with the same shapes and takes it."""
    service.import_ledger(admin, write_csv(tmp_path / "台账.csv", LEDGER))
    for event in service.all_events():
        assert event_refusal(event) is None
        if event.type is EventType.REGISTERED:
            assert intake_problem(event.payload) is None


def test_imported_cases_sync_to_the_centre(desk: Desk, centre: Centre, tmp_path: Path) -> None:
    """Past times, the mark and all: the centre takes every event, and the day's receipt (which runs from the
    day's first event, a complaint registered this morning) matches."""
    desk.station.register_case(desk.clerk, complaint())
    desk.station.import_ledger(desk.clerk, write_csv(tmp_path / "台账.csv", LEDGER))
    summary = desk.sync.run("end_of_day")
    assert summary.ok, summary.error
    assert summary.outcomes == {"applied": len(desk.station.all_events())} and summary.rejected == []
    assert summary.receipt is not None and summary.receipt.matches


def test_imported_cases_are_found_as_similar_cases(service: StationService, admin: StaffMember, tmp_path: Path) -> None:
    """Indexed for the similar-case search in the write that stores them, as a case registered at the desk is."""
    service.index_similar()  # the index is set up (its word list noted) and the dictionary loaded, as at the desk
    service.word_segmenter().load()
    service.import_ledger(admin, write_csv(tmp_path / "台账.csv", LEDGER))
    assert service.similar_index_pending() == 0
    found = service.similar_cases(admin, "电瓶车在楼道里充电", address="梅园新村12号楼")
    assert found and found[0].description == "电动车在楼道飞线充电"


def test_compound_by_longest_known_prefix(service: StationService, admin: StaffMember, tmp_path: Path) -> None:
    """永嘉路 is a compound too, but 永嘉路弄 is the longer match; an unknown place stays whole in the address."""
    service.import_reference_csv(admin, "compounds", "name,grid_code\n永嘉路,G03\n")
    rows = [
        ["2026-11-08 11:00", "来访", "吴海涛", "13800132345", "永嘉路弄41号 201室", "邻里噪声",
         "楼上深夜装修噪声扰民", "已登记", "", ""],
        ["2026-11-08 11:30", "来访", "郑美玲", "13800133456", "复兴中路1200号", "路灯损坏",
         "路口路灯不亮，夜间出行不便", "已登记", "", ""],
    ]  # fmt: skip
    service.import_ledger(admin, write_csv(tmp_path / "台账.csv", rows))
    by_text = cases_by_description(service)
    noise = service.case(by_text["楼上深夜装修噪声扰民"])
    assert (noise.compound, noise.building, noise.grid_code) == ("永嘉路弄", "41号 201室", "G02")
    lamp = service.case(by_text["路口路灯不亮，夜间出行不便"])
    assert (lamp.compound, lamp.building, lamp.address) == ("", "", "复兴中路1200号")


# ---------------------------------------------------------------------- bad rows: nothing is imported


def _bad(row_changes: dict[int, str]) -> list[list[str]]:
    """LEDGER with the third row (row 4 in Excel) changed in the given columns."""
    rows = [list(r) for r in LEDGER]
    for column, value in row_changes.items():
        rows[2][column] = value
    return rows


CHANNELS = "来访、12345热线、码上就来、信访派单、网格巡查、来电"
STATUSES = "已登记、已先联、已派单、已到场、已处置、已办结、已回访、已重启"
BAD_ROWS = {
    "bad time": ({0: "2026-13-02 09:15"}, "登记时间「2026-13-02 09:15」不是有效时间（应如 2026-11-02 09:15）"),
    "date only": ({0: "2026-11-06"}, "登记时间「2026-11-06」缺少时刻（应如 2026-11-02 09:15）"),
    "future": ({0: "2026-12-24 09:00"}, "登记时间「2026-12-24 09:00」晚于现在"),
    "unknown channel": ({1: "微信群"}, f"渠道「微信群」无法识别，应为：{CHANNELS}"),
    "unknown status": ({7: "处理中"}, f"状态「处理中」无法识别，应为：{STATUSES}"),
    "followed up": (
        {7: "已回访"},
        "状态「已回访」不能导入：台账中没有回访的满意度和是否解决。请按「已办结」导入，回访在桌面补记",
    ),
    "unknown category": (
        {5: "乱扔垃圾"},
        "类别「乱扔垃圾」不是本站的诉求分类（可写分类名称或代码，如「楼道堆物」或 FIRE.CORRIDOR）",
    ),
    "parent category": (
        {5: "消防安全隐患"},
        "类别「消防安全隐患」是大类，请写小类：楼道堆物、电动车违规充电、消防通道占用",
    ),
    "bad phone": ({3: "1380013"}, "电话「1380013」格式不正确（应为11位手机号，或带区号的固定电话如 021-64321234）"),
    "closed before registered": (
        {7: "已办结", 8: "2026-11-05 18:00", 9: "已劝导车主改到充电桩充电"},
        "办结时间「2026-11-05 18:00」早于登记时间「2026-11-06 10:00」",
    ),
    "closed without time": ({7: "已办结", 9: "已劝导车主改到充电桩充电"}, "状态为「已办结」，但办结时间为空"),
    "closed without result": ({7: "已办结", 8: "2026-11-06 16:00"}, "状态为「已办结」，但处置结果为空"),
    "open with a close time": (
        {8: "2026-11-06 16:00"},
        "状态为「已登记」，不应填写办结时间（已办结的请把状态写为「已办结」）",
    ),
    "no description": ({6: "  "}, "请填写诉求内容，不能为空或只有空格"),
}


@pytest.mark.parametrize("changes, reason", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_each_bad_row_is_reported_and_nothing_imported(
    service: StationService, admin: StaffMember, tmp_path: Path, changes: dict[int, str], reason: str
) -> None:
    before = snapshot(service)
    with pytest.raises(LedgerInvalid) as raised:
        service.import_ledger(admin, write_csv(tmp_path / "台账.csv", _bad(changes)))
    assert [p.line() for p in raised.value.problems] == [f"第 4 行：{reason}"]
    assert snapshot(service) == before


def test_every_bad_row_is_reported_with_all_its_reasons(
    service: StationService, admin: StaffMember, tmp_path: Path
) -> None:
    rows = [list(r) for r in LEDGER]
    rows[0][0] = "昨天上午"
    rows[3][1], rows[3][3] = "微信", "12345"
    before = snapshot(service)
    with pytest.raises(LedgerInvalid) as raised:
        service.import_ledger(admin, write_csv(tmp_path / "台账.csv", rows))
    assert raised.value.message_zh.splitlines() == [
        "「台账.csv」中有 2 行有误，未导入任何诉求。请修改后重新导入：",
        "第 2 行：登记时间「昨天上午」不是有效时间（应如 2026-11-02 09:15）",
        "第 5 行：渠道「微信」无法识别，应为：来访、12345热线、码上就来、信访派单、网格巡查、来电；"
        "电话「12345」格式不正确（应为11位手机号，或带区号的固定电话如 021-64321234）",
    ]
    assert snapshot(service) == before


def test_a_missing_column_or_an_empty_file_is_refused(
    service: StationService, admin: StaffMember, tmp_path: Path
) -> None:
    header = [c for c in LEDGER_COLUMNS if c != "类别"]
    with pytest.raises(DomainError, match="表头缺少列：类别。") as missing:
        service.import_ledger(admin, write_csv(tmp_path / "a.csv", [], header=header))
    assert missing.value.code == "ledger.columns"
    empty = tmp_path / "b.csv"
    empty.write_bytes(b"")
    with pytest.raises(DomainError, match="是空的") as nothing:
        service.import_ledger(admin, empty)
    assert nothing.value.code == "ledger.empty"
    with pytest.raises(DomainError, match="表头下没有诉求"):
        service.import_ledger(admin, write_csv(tmp_path / "c.csv", [["", "", ""]]))
    assert imported_count(service) == 0


# ---------------------------------------------------------------------- dry run, re-import, superset


def test_dry_run_counts_and_writes_nothing(service: StationService, admin: StaffMember, tmp_path: Path) -> None:
    before = snapshot(service)
    result = service.import_ledger(admin, write_csv(tmp_path / "台账.csv", LEDGER), dry_run=True)
    assert result.summary() == (
        "核对无误：将导入 4 件（已先联 1，已派单 1，已到场 1，已办结 1），跳过已导入 0 件。（试运行，未写入）"
    )
    assert snapshot(service) == before


def test_importing_again_adds_nothing(service: StationService, admin: StaffMember, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "台账.csv", LEDGER)
    service.import_ledger(admin, path)
    before = snapshot(service)
    again = service.import_ledger(admin, path)
    assert again.summary() == "已导入 0 件，跳过已导入 4 件。"
    assert snapshot(service) == before


def test_a_longer_ledger_adds_only_its_new_rows(service: StationService, admin: StaffMember, tmp_path: Path) -> None:
    """The next export holds the old rows (one now 已办结, written with other spellings) and a new one; only the new
    one comes in. The .xlsx after a CSV: the fingerprint is of the complaint, not of the file."""
    service.import_ledger(admin, write_csv(tmp_path / "十一月上.csv", LEDGER))
    later: list[list[object]] = [[*row, ""] for row in LEDGER]
    later[1][0] = datetime(2026, 11, 5, 14, 20)
    later[1][5] = "道路破损"  # by name now, by code before
    later[1][7:10] = ["已办结", "2026-11-07 09:00", "已更换井盖"]
    later[0][3] = "13800139876"  # the resident left another number: not part of the fingerprint
    rows = [*later, [*NEW_ROWS[0], ""]]
    result = service.import_ledger(admin, write_xlsx(tmp_path / "十一月.xlsx", rows))

    assert result.summary() == "已导入 1 件（已办结 1），跳过已导入 4 件。"
    assert imported_count(service) == 5
    assert "弄堂口共享单车堆放，老人进出不便" in cases_by_description(service)


def test_a_row_repeated_in_the_same_file_comes_in_once(
    service: StationService, admin: StaffMember, tmp_path: Path
) -> None:
    rows = [*LEDGER, list(LEDGER[0])]
    result = service.import_ledger(admin, write_csv(tmp_path / "台账.csv", rows))
    assert result.imported.total() == 4 and result.repeated == (6,)
    assert "第 6 行与文件中前面的行是同一件诉求" in result.all_notes()[0]


# ---------------------------------------------------------------------- KPIs


def test_imported_cases_do_not_count_as_late(
    service: StationService, admin: StaffMember, clerk: StaffMember, clock: FakeClock, tmp_path: Path
) -> None:
    """A 12345 case registered ten days ago and never contacted is months late by its ledger; imported, it is left
    out of 先联率 and 按时率. Once the desk has taken it over, its deadlines from then on count like any other."""
    ledger = [["2026-11-13 09:00", "12345热线", "何振东", "13800135678", "桃源里32号", "垃圾箱房异味",
               "垃圾箱房夏季异味大，要求增加清洗频次", "已登记", "", ""]]  # fmt: skip
    service.import_ledger(admin, write_csv(tmp_path / "台账.csv", ledger))
    start, end = clock() - timedelta(days=30), clock() + timedelta(days=1)
    policy = service.deadline_policy()

    kpis = compute_kpis(service.histories_since(start).values(), policy, start, end)
    assert (kpis.first_contact.total, kpis.on_time.total) == (0, 0)

    # A case registered at the desk, as late, counts (so the figures above could have said otherwise).
    late = service.register_case(clerk, complaint())
    clock.advance(hours=2)
    kpis = compute_kpis(service.histories_since(start).values(), policy, start, clock() + timedelta(days=1))
    assert (kpis.first_contact.met, kpis.first_contact.total) == (0, 1)

    imported_id = cases_by_description(service)["垃圾箱房夏季异味大，要求增加清洗频次"]
    service.record(clerk, imported_id, EventType.FIRST_CONTACT, {"note": "已电话联系居民"})
    service.record(clerk, late.id, EventType.FIRST_CONTACT, {"note": "已电话联系居民"})
    clock.advance(days=3)  # neither reaches the site in time: both on-site deadlines, started at the desk, are missed
    kpis = compute_kpis(service.histories_since(start).values(), policy, start, clock())
    assert kpis.first_contact.total == 1
    on_site_missed = 2
    assert kpis.on_time.total == 1 + on_site_missed and kpis.on_time.met == 0


# ---------------------------------------------------------------------- the command line


def a_year_earlier(rows: list[list[str]]) -> list[list[str]]:
    """The command runs on the machine's clock: a ledger from a year before the test clock is in its past too."""
    return [[cell.replace("2026", "2025", 1) if i in (0, 8) else cell for i, cell in enumerate(row)] for row in rows]


@pytest.fixture
def cli_station(service: StationService, clerk: StaffMember, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test station, closed so that the command opens it as it would at a station (on the real clock)."""
    for name in (DATA_DIR_ENV, USER_ENV, PIN_ENV):
        monkeypatch.delenv(name, raising=False)
    service.close()
    return data_dir


def test_cli_import_cases(capsys: pytest.CaptureFixture[str], cli_station: Path, tmp_path: Path) -> None:
    rows = [[*row, "1"] for row in a_year_earlier(LEDGER)]
    path = write_csv(tmp_path / "台账.csv", rows, header=[*LEDGER_COLUMNS, "序号"])
    base = ["--data-dir", str(cli_station), "import", "cases", str(path), "--user", "王芳", "--pin", "246810"]

    assert cli.main([*base, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "注意：已忽略这些列：序号。",
        "核对无误：将导入 4 件（已先联 1，已派单 1，已到场 1，已办结 1），跳过已导入 0 件。（试运行，未写入）",
    ]
    assert cli.main(base) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "已导入 4 件（已先联 1，已派单 1，已到场 1，已办结 1），跳过已导入 0 件。"
    )
    assert cli.main(base) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "已导入 0 件，跳过已导入 4 件。"
    service = StationService(cli_station)
    try:
        assert imported_count(service) == 4
    finally:
        service.close()


def test_cli_reports_every_bad_row_and_exits_non_zero(
    capsys: pytest.CaptureFixture[str], cli_station: Path, tmp_path: Path
) -> None:
    rows = a_year_earlier(LEDGER)
    rows[1][7] = "已结案"
    rows[3][0] = "2025-11-31 08:40"
    path = write_csv(tmp_path / "台账.csv", rows, encoding="gb18030")
    code = cli.main(["--data-dir", str(cli_station), "import", "cases", str(path), "--user", "李明", "--pin", "1357"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "第 3 行：状态「已结案」无法识别" in err and "第 5 行：登记时间「2025-11-31 08:40」不是有效时间" in err
    service = StationService(cli_station)
    try:
        assert imported_count(service) == 0
    finally:
        service.close()


def test_cli_dry_run_is_only_for_cases(capsys: pytest.CaptureFixture[str], cli_station: Path, tmp_path: Path) -> None:
    grids = tmp_path / "grids.csv"
    grids.write_text("code,name\nG05,第五网格\n", encoding="utf-8")
    code = cli.main(["--data-dir", str(cli_station), "import", "grids", str(grids), "--dry-run",
                     "--user", "王芳", "--pin", "246810"])  # fmt: skip
    assert code == 2 and "--dry-run 只能用于导入历史台账" in capsys.readouterr().err
