"""Issue 17, 一件事 → 一类事: the hotspots of `domain/hotspots.py` on counts worked out by hand.

NOW is Monday 2026-11-23 09:30 in Beijing. With 10 baseline weeks the current week is 11-17..11-23 (Beijing days)
and the first baseline week starts on 09-08; every week begins at midnight Beijing time (16:00 UTC the day before).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from gridstation.domain.errors import ValidationError
from gridstation.domain.hotspots import (
    NO_GRID,
    CaseTally,
    HotspotRules,
    Hotspots,
    HotspotScope,
    WeekWindows,
    find_hotspots,
    poisson_tail,
)

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
WINDOWS = WeekWindows.ending_at(NOW)
CURRENT = WINDOWS.current
CATEGORIES = {
    "FIRE.CORRIDOR": "楼道堆物",
    "FIRE.CHARGE": "电动车违规充电",
    "DRAIN.COVER": "污水井盖堵塞",
    "GREEN.LIGHT": "树木遮挡采光",
    "BIKE.ZOMBIE": "僵尸车清理",
}
GRIDS = {"G01": "第一网格", "G02": "第二网格", "G03": "第三网格"}


def cases(weekly: list[int], category: str, grid: str, **where: str) -> list[CaseTally]:
    """One tally of one case for each case of `weekly` (cases per week, oldest first)."""
    return [
        CaseTally(week=week, category_code=category, grid_code=grid, **where)
        for week, count in enumerate(weekly)
        for _ in range(count)
    ]


def found(tallies: list[CaseTally], rules: HotspotRules | None = None) -> Hotspots:
    return find_hotspots(tallies, WINDOWS, category_names=CATEGORIES, grid_names=GRIDS, rules=rules or HotspotRules())


def test_weeks_are_seven_beijing_days_ending_today() -> None:
    assert WINDOWS.baseline_weeks == 10 and len(WINDOWS.starts) == 11
    assert WINDOWS.starts[0] == datetime(2026, 9, 7, 16, 0, tzinfo=UTC)  # 09-08 00:00 Beijing
    assert WINDOWS.starts[-1] == datetime(2026, 11, 16, 16, 0, tzinfo=UTC)  # 11-17 00:00 Beijing
    assert WINDOWS.end == datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # 11-24 00:00 Beijing
    assert WINDOWS.label(CURRENT) == "11-17—11-23" and WINDOWS.label(0) == "09-08—09-14"
    assert WINDOWS.week_of(datetime(2026, 11, 16, 15, 59, 59, 999999, tzinfo=UTC)) == CURRENT - 1
    assert WINDOWS.week_of(datetime(2026, 11, 16, 16, 0, tzinfo=UTC)) == CURRENT
    assert WINDOWS.week_of(NOW - timedelta(microseconds=1)) == CURRENT
    assert WINDOWS.week_of(NOW) is None  # registered at or after `now`: not yet
    assert WINDOWS.week_of(WINDOWS.starts[0] - timedelta(microseconds=1)) is None
    # 23:59 on Sunday in Beijing (15:59 UTC): the current week is the seven Beijing days ending that Sunday.
    sunday_night = WeekWindows.ending_at(datetime(2026, 11, 22, 15, 59, tzinfo=UTC))  # 11-22 23:59 Beijing
    assert sunday_night.label(sunday_night.current) == "11-16—11-22"
    with pytest.raises(ValidationError) as refused:
        WeekWindows.ending_at(NOW, 3)
    assert refused.value.code == "hotspots.weeks" and "4 至 26" in refused.value.message_zh


def test_poisson_upper_tail_by_hand() -> None:
    # P(X ≥ 3 | 0.2) = 1 − e^−0.2 (1 + 0.2 + 0.02) = 1 − 0.818731 × 1.22 = 0.001148
    assert poisson_tail(3, 0.2) == pytest.approx(1 - math.exp(-0.2) * 1.22, rel=1e-9)
    # P(X ≥ 5 | 2) = 1 − e^−2 (1 + 2 + 2 + 4/3 + 2/3) = 1 − 7 e^−2 = 0.052653
    assert poisson_tail(5, 2.0) == pytest.approx(1 - 7 * math.exp(-2), rel=1e-12)
    assert poisson_tail(1, 1.0) == pytest.approx(1 - math.exp(-1))
    assert poisson_tail(0, 3.0) == 1.0 and poisson_tail(2, 0.0) == 0.0
    assert 0 < poisson_tail(200, 3.0) < 1e-250  # summed from the tail up, not 1 − (almost 1)


def test_a_category_rising_in_a_grid_against_its_own_baseline() -> None:
    tallies = [
        # 楼道堆物 in G01: 12 cases in the 10 weeks before (1.2 a week), 7 in the current week.
        *cases([1, 2, 1, 1, 0, 2, 1, 1, 2, 1, 7], "FIRE.CORRIDOR", "G01"),
        # 树木遮挡采光 in G02: 2 a week, 5 now: P(X ≥ 5 | 2) = 0.0527, not improbable enough.
        *cases([2] * 10 + [5], "GREEN.LIGHT", "G02"),
        # 污水井盖堵塞 in G03: never before, 3 now: P(X ≥ 3 | 0.2 floor) = 0.00115.
        *cases([0] * 10 + [3], "DRAIN.COVER", "G03"),
        # 僵尸车 in G03: never before, 2 now: fewer than 3, whatever the chance.
        *cases([0] * 10 + [2], "BIKE.ZOMBIE", "G03"),
    ]
    result = found(tallies)
    assert [(h.category_code, h.grid_code) for h in result.rising] == [("FIRE.CORRIDOR", "G01"), ("DRAIN.COVER", "G03")]
    corridor, cover = result.rising
    assert corridor.scope is HotspotScope.GRID and corridor.category_name == "楼道堆物"
    assert corridor.grid_name == "第一网格" and corridor.place == ""
    assert corridor.weeks == (1, 2, 1, 1, 0, 2, 1, 1, 2, 1, 7) and corridor.this_week == 7
    assert corridor.baseline == pytest.approx(1.2)
    # P(X ≥ 7 | 1.2) = 1 − e^−1.2 (1 + 1.2 + 0.72 + 0.288 + 0.0864 + 0.020736 + 0.0041472) = 1 − 0.301194 × 3.319283
    assert corridor.p_value == pytest.approx(1 - math.exp(-1.2) * 3.3192832, rel=1e-6)
    assert corridor.p_value == pytest.approx(0.000251, abs=1e-6)
    assert corridor.ratio == pytest.approx(7 / 1.2)
    assert corridor.reason == "近 7 天 7 件，前 10 周平均每周 1.2 件（5.8 倍）"
    assert cover.baseline == 0 and cover.ratio is None
    assert cover.p_value == pytest.approx(1 - math.exp(-0.2) * 1.22, rel=1e-9)
    assert cover.reason == "近 7 天 3 件，前 10 周没有"
    assert result.recurring == ()  # none of them has an address

    # Looser rules flag the trees too; stricter ones only the corridor.
    assert len(found(tallies, HotspotRules(p_limit=0.06)).rising) == 3
    assert [h.category_code for h in found(tallies, HotspotRules(p_limit=0.001)).rising] == ["FIRE.CORRIDOR"]


def test_one_building_rising_while_its_grid_does_not() -> None:
    """电动车违规充电 in G01: 2 a week before (20 cases), 5 now — P(X ≥ 5 | 2) = 0.053, the grid is not flagged. But
    the 4 of 枫林苑 3号楼 this week (2 typed "3 号楼") against 1 in the ten weeks before (0.1, floored at 0.2):
    P(X ≥ 4 | 0.2) = 1 − e^−0.2 (1 + 0.2 + 0.02 + 0.001333) = 0.0000568."""
    building = {"compound": "枫林苑", "building": "3号楼"}
    tallies = [
        *cases([2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 1], "FIRE.CHARGE", "G01", compound="康乐小区", building="7号楼"),
        *cases([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2], "FIRE.CHARGE", "G01", **building, address="502室"),
        *cases([0] * 10 + [2], "FIRE.CHARGE", "G01", compound="枫林苑", building="3 号楼"),
    ]
    result = found(tallies)
    [hot] = result.rising
    assert hot.scope is HotspotScope.ADDRESS and hot.place == "枫林苑 3号楼" and hot.grid_code == "G01"
    assert hot.weeks == (0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 4) and hot.baseline == pytest.approx(0.1)
    assert hot.p_value == pytest.approx(1 - math.exp(-0.2) * (1 + 0.2 + 0.02 + 0.2**3 / 6), rel=1e-6)
    assert hot.reason == "近 7 天 4 件，前 10 周平均每周 0.1 件（40.0 倍）"
    assert hot.title == "枫林苑 3号楼 · 电动车违规充电"
    # The grid as a whole: 20 before (2.0 a week), 5 now — P(X ≥ 5 | 2) = 1 − 7 e^−2 = 0.053, not flagged.
    assert not [h for h in result.rising if h.scope is HotspotScope.GRID]
    # 康乐小区 7号楼 (no door): 20 cases of one category in the window, recurring; 枫林苑 3号楼 502室 has 3.
    assert [(r.place, r.total) for r in result.recurring] == [("康乐小区 7号楼", 20), ("枫林苑 3号楼 502室", 3)]


def test_recurring_at_one_address_by_count_or_after_a_close() -> None:
    def at(week: int, category: str, *, number: str, registered: datetime, closed: datetime | None = None,
           open_: bool = False, **where: str) -> CaseTally:  # fmt: skip
        return CaseTally(
            week=week,
            category_code=category,
            grid_code="G02",
            open_count=int(open_),
            last_registered_at=registered,
            first_closed_at=closed,
            numbers=(number,),
            **where,
        )

    def day(month: int, d: int, hour: int = 2) -> datetime:
        return datetime(2026, month, d, hour, tzinfo=UTC)

    light = {"compound": "梅园新村", "building": "12号楼", "address": "301室"}
    zombie = {"compound": "康乐小区", "building": "5号楼"}
    tallies = [
        # 树木遮挡采光 at 梅园新村 12号楼 301室: closed 10-20, reported again 11-18 (the address typed in full).
        at(5, "GREEN.LIGHT", number="JA01-20261019-0003-A", registered=day(10, 19), closed=day(10, 20), **light),
        at(CURRENT, "GREEN.LIGHT", number="JA01-20261118-0001-B", registered=day(11, 18), open_=True,
           compound="梅园新村", building="12号楼", address="梅园新村12号楼301室"),
        # 僵尸车 at 康乐小区 5号楼, no door: three times, never closed before the last.
        at(4, "BIKE.ZOMBIE", number="JA01-20261008-0001-C", registered=day(10, 8), **zombie),
        at(5, "BIKE.ZOMBIE", number="JA01-20261014-0001-C", registered=day(10, 14), **zombie),
        at(8, "BIKE.ZOMBIE", number="JA01-20261103-0002-D", registered=day(11, 3), open_=True, **zombie),
        # Two 楼道堆物 at 枫林苑 1号楼 101室, the second before the first was closed: neither rule.
        at(2, "FIRE.CORRIDOR", number="JA01-20260922-0001-E", registered=day(9, 22), closed=day(9, 30),
           compound="枫林苑", building="1号楼", address="101室"),
        at(3, "FIRE.CORRIDOR", number="JA01-20260929-0001-F", registered=day(9, 29),
           compound="枫林苑", building="1号楼", address="101室"),
        # The same category at the same building but another door is another address.
        at(9, "GREEN.LIGHT", number="JA01-20261110-0004-G", registered=day(11, 10), closed=day(11, 11),
           compound="梅园新村", building="12号楼", address="302室"),
        # A close after `now` has not happened yet.
        at(9, "FIRE.CHARGE", number="JA01-20261111-0001-H", registered=day(11, 11), closed=NOW + timedelta(hours=1),
           compound="天平公寓", building="2号楼", address="201室"),
        at(CURRENT, "FIRE.CHARGE", number="JA01-20261121-0001-J", registered=day(11, 21),
           compound="天平公寓", building="2号楼", address="201室"),
    ]  # fmt: skip
    result = found(tallies)
    assert result.rising == ()
    assert [(r.category_code, r.place) for r in result.recurring] == [
        ("BIKE.ZOMBIE", "康乐小区 5号楼"),  # 3 cases
        ("GREEN.LIGHT", "梅园新村 12号楼 301室"),  # 2 cases, again after a close
    ]
    zombies, light_again = result.recurring
    assert zombies.total == 3 and zombies.open_count == 1 and not zombies.reported_after_close
    assert zombies.weeks == (0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0) and zombies.baseline == pytest.approx(0.3)
    assert zombies.reason == "近 11 周同一地点同类诉求 3 件，1 件在办"
    assert zombies.numbers == ("JA01-20261008-0001-C", "JA01-20261014-0001-C", "JA01-20261103-0002-D")
    assert light_again.reported_after_close and light_again.total == 2 and light_again.this_week == 1
    assert light_again.first_closed_at == day(10, 20)
    assert light_again.reason == "近 11 周同一地点同类诉求 2 件，10-20 办结后 11-18 又有反映，1 件在办"
    assert light_again.grid_name == "第二网格"


def test_json_lists_rising_first_with_what_a_reader_needs() -> None:
    tallies = [
        *cases([1, 2, 1, 1, 0, 2, 1, 1, 2, 1, 7], "FIRE.CORRIDOR", "G01"),
        *cases([0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1], "BIKE.ZOMBIE", "", compound="康乐小区", building="5号楼"),
    ]
    items = found(tallies).to_json()
    assert [item["kind"] for item in items] == ["rising", "recurring"]
    rising, recurring = items
    assert rising == {
        "kind": "rising",
        "scope": "grid",
        "category": "FIRE.CORRIDOR",
        "category_name": "楼道堆物",
        "grid": "G01",
        "grid_name": "第一网格",
        "address": "",
        "weeks": [1, 2, 1, 1, 0, 2, 1, 1, 2, 1, 7],
        "week_starts": [
            "2026-09-08",
            "2026-09-15",
            "2026-09-22",
            "2026-09-29",
            "2026-10-06",
            "2026-10-13",
            "2026-10-20",
            "2026-10-27",
            "2026-11-03",
            "2026-11-10",
            "2026-11-17",
        ],
        "this_week": 7,
        "baseline": 1.2,
        "p_value": 0.000251,
        "ratio": 5.8,
        "reason": "近 7 天 7 件，前 10 周平均每周 1.2 件（5.8 倍）",
    }
    assert recurring["grid"] == "" and recurring["grid_name"] == NO_GRID
    assert (recurring["address"], recurring["total"], recurring["this_week"]) == ("康乐小区 5号楼", 3, 1)
    assert recurring["baseline"] == 0.2 and recurring["weeks"][-1] == 1


def test_tallies_outside_the_window_or_empty_are_ignored() -> None:
    tallies = [
        CaseTally(week=-1, category_code="FIRE.CORRIDOR", grid_code="G01", count=50),
        CaseTally(week=CURRENT + 1, category_code="FIRE.CORRIDOR", grid_code="G01", count=50),
        CaseTally(week=CURRENT, category_code="FIRE.CORRIDOR", grid_code="G01", count=0),
    ]
    assert found(tallies).to_json() == []
    # Counted tallies (storage's rows) add up like single cases.
    summed = found([CaseTally(week=CURRENT, category_code="DRAIN.COVER", grid_code="G03", count=3)])
    assert [h.weeks[-1] for h in summed.rising] == [3]
