"""Reading a ledger's rows (domain/ledger_rows.py): how times, channels, categories and addresses may be written,
and what makes two rows the same complaint."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from gridstation.domain.enums import Channel, Status
from gridstation.domain.ledger_rows import LEDGER_COLUMNS, LedgerParse, LedgerReference, parse_ledger
from gridstation.domain.reference import Category, Compound

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
REFERENCE = LedgerReference(
    categories=[
        Category("FIRE", "消防安全隐患"),
        Category("FIRE.CORRIDOR", "楼道堆物", "FIRE"),
        Category("PROP", "物业管理"),
        Category("PROP.OTHER", "其他", "PROP"),
        Category("OTHER", "其他诉求"),
        Category("OTHER.OTHER", "其他", "OTHER"),
    ],
    compounds=[Compound("枫林苑", "G01")],
    zone=ZoneInfo("Asia/Shanghai"),
    now=NOW,
)
ROW = ["2026-11-02 09:15", "来访", "张桂英", "13800131234", "枫林苑3号楼502室", "楼道堆物", "楼道堆放杂物影响通行",
       "已登记", "", ""]  # fmt: skip


def parse(*rows: list[object]) -> LedgerParse:
    return parse_ledger([list(LEDGER_COLUMNS), *rows], REFERENCE, file_name="台账.csv")


def with_value(column: str, value: object) -> list[object]:
    row: list[object] = list(ROW)
    row[LEDGER_COLUMNS.index(column)] = value
    return row


@pytest.mark.parametrize(
    "written",
    [
        "2026-11-02 09:15",
        "2026/11/2 9:15",
        "2026/11/02 09:15:00",
        "2026.11.2 9:15",
        "2026年11月2日 9:15",
        "2026年11月2日9时15分",
        "２０２６－１１－０２　０９：１５",  # typed with a Chinese input method's full-width characters
        datetime(2026, 11, 2, 9, 15),
        46328.385416666664,  # an Excel time cell without a time format: its serial number of days
    ],
)
def test_ways_of_writing_the_registration_time(written: object) -> None:
    parsed = parse(with_value("登记时间", written))
    assert parsed.problems == ()
    assert parsed.rows[0].registered_at == datetime(2026, 11, 2, 1, 15, tzinfo=UTC)  # 09:15 in Beijing


@pytest.mark.parametrize(
    "written, channel",
    [
        ("来访", Channel.WALK_IN),
        ("12345 热线", Channel.HOTLINE_12345),
        ("grid_patrol", Channel.GRID_PATROL),
        ("码上就来", Channel.QR_REPORT),
    ],
)
def test_channels_by_label_or_code(written: str, channel: Channel) -> None:
    assert parse(with_value("渠道", written)).rows[0].channel is channel


@pytest.mark.parametrize("written", ["楼道堆物", "fire.corridor", "消防安全隐患/楼道堆物", "消防安全隐患 / 楼道堆物"])
def test_categories_by_name_code_or_path(written: str) -> None:
    assert parse(with_value("类别", written)).rows[0].category_code == "FIRE.CORRIDOR"


def test_a_leaf_name_two_categories_share_needs_its_parent() -> None:
    parsed = parse(with_value("类别", "其他"))
    assert parsed.problems[0].line() == (
        "第 2 行：类别「其他」有多个同名分类（PROP.OTHER、OTHER.OTHER），请写「大类/小类」或分类代码"
    )
    assert parse(with_value("类别", "物业管理/其他")).rows[0].category_code == "PROP.OTHER"


def test_status_by_label_or_code() -> None:
    assert parse(with_value("状态", "contacted")).rows[0].status is Status.CONTACTED


def test_a_long_rest_of_the_address_goes_to_the_address_field() -> None:
    rest = "3号楼" + "东侧" * 40
    row = parse(with_value("地址", f"枫林苑 {rest}")).rows[0]
    assert (row.compound, row.building, row.address) == ("枫林苑", "", rest)


def test_the_fingerprint_is_the_complaint_not_the_person_or_its_progress() -> None:
    """Name, phone, room and status may change between two exports; the time's spelling and spaces too."""
    first = parse(ROW).rows[0].fingerprint
    later: list[object] = ["2026/11/2 9:15", "来访", "张桂英（女儿代诉）", "13800139876", "枫林苑3号楼 601室",
                           "FIRE.CORRIDOR", "楼道堆放杂物 影响通行", "已办结", "2026-11-03 16:00",
                           "已清理"]  # fmt: skip
    assert parse(later).rows[0].fingerprint == first
    assert parse(with_value("诉求内容", "楼道堆放纸箱影响通行")).rows[0].fingerprint != first
    assert parse(with_value("登记时间", "2026-11-02 09:16")).rows[0].fingerprint != first
    assert parse(with_value("地址", "枫林苑5号楼502室")).rows[0].fingerprint != first


def test_blank_rows_are_skipped_and_numbers_stay_as_excel_shows_them() -> None:
    parsed = parse([None] * 10, ROW, ["", "  "], with_value("渠道", "微信"))
    assert parsed.data_rows == 2
    assert [p.row for p in parsed.problems] == [5]
