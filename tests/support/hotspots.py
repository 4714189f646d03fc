"""A station whose last eleven weeks hold hotspots (issue 17): registered through StationService at FakeClock times.

REPORT_AT is Monday 2026-11-23 09:30 in Beijing; the current week is 11-17..11-23 and the ten baseline weeks start
on 09-08. What the station holds (everything made up):

- 楼道堆物 (FIRE.CORRIDOR) in 第一网格: one a week for ten weeks, five in the current week, each at another door
  → rising in the grid, P(X ≥ 5 | 1) = 1 − e^−1 (1 + 1 + 1/2 + 1/6 + 1/24) = 0.00366;
- 电动车违规充电 (飞线充电, FIRE.CHARGE) at 康乐小区 12号楼: three doors in the current week, never before
  → rising in 第一网格 and at the building, P(X ≥ 3 | 0.2) = 0.00115 each;
- 树木遮挡采光 (GREEN.LIGHT) in 第二网格: one every other week, two now → nothing;
- 僵尸车占用车位 (BIKE.ZOMBIE) at 桃源里 23号 (no door): in weeks 2, 5 and 9 → recurring, 3 cases;
- 窨井盖松动 (DRAIN.COVER) at 天平公寓 41号: answered and closed at once in week 4, reported again in the current
  week → recurring after a close.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from gridstation.domain.case import Intake
from gridstation.domain.enums import Channel, Tier
from gridstation.domain.localtime import BEIJING
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from tests.support.clock import FakeClock

REPORT_AT = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
FIRST_WEEK = datetime(2026, 9, 8, tzinfo=BEIJING)  # the first baseline week's first day (Beijing)
BEFORE_IT_ALL = FIRST_WEEK - timedelta(days=2)  # where the station's clock starts


@dataclass
class HotspotStation:
    numbers: dict[str, list[str]] = field(default_factory=dict)  # what → case numbers, in registration order


def in_week(week: int, day: int = 1, hour: int = 10) -> datetime:
    """`day` days into week `week` (0 = the first baseline week, 10 = the current one), at `hour` Beijing time."""
    return (FIRST_WEEK + timedelta(weeks=week, days=day, hours=hour)).astimezone(UTC)


def _intake(category: str, description: str, grid: str, compound: str, building: str, address: str = "",
            *, tier: Tier = Tier.QUICK, phone: str = "13800135271") -> Intake:  # fmt: skip
    return Intake.validated(
        channel=Channel.WALK_IN if tier is Tier.ON_THE_SPOT else Channel.HOTLINE_12345,
        category_code=category,
        description=description,
        tier=tier,
        compound=compound,
        building=building,
        address=address,
        grid_code=grid,
        complainant_name="陈秀兰",
        phone=phone,
        answer="已通知物业当日加固井盖，并告知居民绕行" if tier is Tier.ON_THE_SPOT else "",
    )


def build_hotspot_station(service: StationService, clerk: StaffMember, clock: FakeClock) -> HotspotStation:
    """Register the cases above in time order; leaves the clock at REPORT_AT."""
    plan: list[tuple[datetime, str, Intake]] = []

    def add(at: datetime, what: str, intake: Intake) -> None:
        plan.append((at, what, intake))

    corridor = "楼道内堆放纸箱和旧家具，堵住安全出口，存在消防隐患。"
    for week in range(10):
        add(in_week(week), "corridor", _intake("FIRE.CORRIDOR", corridor, "G01", "枫林苑", f"{week + 1}号楼", "101室"))
    for n in range(5):
        add(in_week(10, day=n % 6, hour=9 + n), "corridor",
            _intake("FIRE.CORRIDOR", corridor, "G01", "枫林苑", f"{n + 11}号楼", "201室"))  # fmt: skip
    for n, door in enumerate(("301室", "502室", "601室")):
        add(in_week(10, day=2 + n), "charging",
            _intake("FIRE.CHARGE", "有住户从窗口拉飞线给电动车充电，电线垂到一楼，雨天很危险。", "G01",
                    "康乐小区", "12号楼", door))  # fmt: skip
    for week in (0, 2, 4, 6, 8, 10):
        add(in_week(week, day=3), "trees",
            _intake("GREEN.LIGHT", "楼前香樟树长得太高，遮挡住户采光，希望修剪。", "G02", "梅园新村",
                    f"{week + 2}号楼"))  # fmt: skip
    add(in_week(10, day=4), "trees", _intake("GREEN.LIGHT", "树枝伸到阳台，挡住采光。", "G02", "梅园新村", "30号楼"))
    for week in (2, 5, 9):
        add(in_week(week, day=2), "zombie",
            _intake("BIKE.ZOMBIE", "一辆报废电动三轮车长期停在楼下车位，僵尸车占用车位，无人挪走。", "G03",
                    "桃源里", "23号"))  # fmt: skip
    add(in_week(4, day=1), "manhole",
        _intake("DRAIN.COVER", "41号门口窨井盖松动，踩上去会翻，老人小孩经过很危险。", "G04", "天平公寓", "41号",
                tier=Tier.ON_THE_SPOT))  # fmt: skip
    add(in_week(10, day=1, hour=15), "manhole",
        _intake("DRAIN.COVER", "41号门口的窨井盖又松动了，上次加固后没多久又翻起来。", "G04",
                "天平公寓", "41号"))  # fmt: skip

    station = HotspotStation()
    for at, what, intake in sorted(plan, key=lambda item: item[0]):
        clock.current = at
        station.numbers.setdefault(what, []).append(service.register_case(clerk, intake).number)
    assert clock.current < REPORT_AT
    clock.current = REPORT_AT
    return station
