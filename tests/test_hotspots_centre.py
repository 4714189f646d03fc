"""Issue 17 at the centre: hotspots across all stations on the server's case board (category × station grid against
each series' own baseline) and near-duplicate descriptions told at several stations (MinHash LSH), through the
service, `gridstation-server report hotspots` and the console's 热点 page (centre and administrators only).

Three stations push their cases to a real server core (SQLite here; PostgreSQL where scripts/test.sh runs one). The
server's clock reads REPORT_AT, Monday 2026-11-23 09:30 Beijing: the current week is 11-17..11-23.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from gridstation.domain.case import Intake
from gridstation.domain.console_roles import ConsoleRole
from gridstation.domain.enums import Channel, Tier
from gridstation.domain.events import new_id
from gridstation.domain.lifecycle import decide_registration
from gridstation.domain.numbering import format_case_number
from gridstation.server.cli import main as server_main
from gridstation.server.near_duplicates import bare_text, cluster_texts, jaccard, shingles
from gridstation.server.service import ServerService
from tests.support.clock import FakeClock
from tests.support.console import PASSWORD, sign_in_to_console
from tests.support.hotspots import REPORT_AT, in_week
from tests.support.server import Api, ModelStation

MANHOLE = (
    "湖南路与永福路路口的窨井盖松动，车辆压过哐哐响，夜里吵得睡不着。",
    "湖南路永福路路口窨井盖松动，车压过去哐哐响，夜里吵得睡不着觉。",
    "永福路湖南路路口窨井盖松动了，车辆压过哐哐响，夜里吵得睡不着。",
)
CORRIDOR = "楼道内堆放纸箱和旧家具，堵住安全出口，存在消防隐患。"


@dataclass
class District:
    """Stations JA01, JA02 and JA03 with their own wall clock, each pushing what it registers."""

    api: Api
    wall: FakeClock = field(default_factory=lambda: FakeClock(in_week(0, day=0)))
    stations: dict[str, tuple[ModelStation, str]] = field(default_factory=dict)
    numbers: dict[str, list[str]] = field(default_factory=dict)  # what → case numbers

    def station(self, code: str) -> tuple[ModelStation, str]:
        if code not in self.stations:
            self.stations[code] = (ModelStation(code, self.wall), self.api.enrol_station(code, f"{code} 居委会"))
        return self.stations[code]

    def register(self, code: str, at: datetime, what: str, category: str, description: str, *, grid: str = "G01",
                 compound: str = "", building: str = "", tier: Tier = Tier.QUICK) -> str:  # fmt: skip
        station, _ = self.station(code)
        self.wall.current = at
        intake = Intake.validated(
            channel=Channel.WALK_IN if tier is Tier.ON_THE_SPOT else Channel.HOTLINE_12345,
            category_code=category,
            description=description,
            tier=tier,
            compound=compound,
            building=building,
            grid_code=grid,
            complainant_name="周海涛",
            phone="13800134562",
            answer="已联系养护单位当日加固" if tier is Tier.ON_THE_SPOT else "",
        )
        case_id = new_id()
        station.daily += 1
        number = format_case_number(code, at.date(), station.daily)
        for draft in decide_registration(case_id, number, intake):
            station._stamp(case_id, draft.type, draft.payload)
        self.numbers.setdefault(what, []).append(number)
        return number

    def push(self) -> None:
        for station, credential in self.stations.values():
            self.api.push_ok(credential, station)


@pytest.fixture
def district(api: Api, server_clock: FakeClock) -> District:
    assert server_clock.current == REPORT_AT
    district = District(api)
    compounds = {"JA01": "枫林苑", "JA02": "康乐小区"}
    for week in range(10):  # 楼道堆物 in G01 of JA01 and of JA02, told alike at different buildings: one a week each
        for code, compound in compounds.items():
            district.register(code, in_week(week), f"corridor-{code}", "FIRE.CORRIDOR", CORRIDOR, compound=compound,
                              building=f"{week}号楼")  # fmt: skip
    # Eight weeks ago, 窨井盖 at JA03: one answered and closed at once (too old to compare), one still open.
    district.register("JA03", in_week(2), "manhole-closed", "DRAIN.COVER", MANHOLE[2], tier=Tier.ON_THE_SPOT)
    district.register("JA03", in_week(2, hour=11), "manhole", "DRAIN.COVER", MANHOLE[2], grid="G02")
    for n in range(5):  # this week JA01's corridors rise to five; JA02 has its usual one
        district.register("JA01", in_week(10, day=n), "corridor-JA01", "FIRE.CORRIDOR", CORRIDOR, compound="枫林苑",
                          building="9号楼")  # fmt: skip
    district.register("JA02", in_week(10, day=1), "corridor-JA02", "FIRE.CORRIDOR", CORRIDOR, compound="康乐小区",
                      building="9号楼")  # fmt: skip
    # This week the loose cover at the crossing is told at JA01 and JA02, filed under two categories.
    district.register("JA01", in_week(10, day=2), "manhole", "DRAIN.COVER", MANHOLE[0], grid="G03")
    district.register("JA02", in_week(10, day=3), "manhole", "FACIL.ROAD", MANHOLE[1], grid="G01")
    # Two alike at one station only: the desk's own business, not the centre's.
    trees = ("楼前香樟树长得太高，遮挡住户采光，希望修剪。", "楼前香樟树太高，遮挡采光，希望修剪。")
    for n, text in enumerate(trees):
        district.register("JA01", in_week(10, day=4 + n), "trees", "GREEN.LIGHT", text, compound="梅园新村")
    district.push()
    return district


def test_rising_per_station_grid_and_near_duplicates_across_stations(server: ServerService, district: District) -> None:
    found = server.centre_hotspots()
    # JA01's G01: 1 a week, 5 now: P(X ≥ 5 | 1) = 0.00366. JA02's G01 is another grid with its usual one; counted
    # together they would be 2 a week and 6 now, P = 0.0166, and nothing would stand out.
    [rising] = found.hotspots.rising
    assert (rising.station_code, rising.grid_code, rising.category_name) == ("JA01", "G01", "楼道堆物")
    assert rising.weeks == (1,) * 10 + (5,) and rising.p_value == pytest.approx(0.0036598468, rel=1e-6)
    assert rising.reason == "近 7 天 5 件，前 10 周平均每周 1.0 件（5.0 倍）"
    assert found.hotspots.recurring == ()

    [manhole] = found.similar
    assert [case.number for case in manhole.cases] == district.numbers["manhole"]  # the old one is still open
    assert manhole.stations == ("JA01", "JA02", "JA03")
    assert {case.category_name for case in manhole.cases} == {"污水井盖堵塞", "道路破损"}
    assert 0.5 <= manhole.lowest <= manhole.highest <= 1
    assert manhole.reason.startswith("3 个工作站 3 件诉求内容相近（相似度 0.")
    assert district.numbers["manhole-closed"][0] not in {case.number for case in manhole.cases}
    assert not {case.number for case in manhole.cases} & set(district.numbers["trees"])

    # A week earlier: JA01's rise and this week's reports had not happened.
    before = server.centre_hotspots(at=REPORT_AT - timedelta(weeks=1))
    assert before.hotspots.rising == () and before.similar == ()


def test_the_command_prints_and_writes_json(
    server: ServerService, district: District, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.database.url
    at = ("--at", "2026-11-23T09:30")
    assert server_main(["--db", url, "report", "hotspots", *at, "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["now"] == "2026-11-23T09:30:00+08:00" and body["baseline_weeks"] == 10
    [rising] = body["rising"]
    assert (rising["kind"], rising["station"], rising["grid"], rising["category"]) == (
        "rising",
        "JA01",
        "G01",
        "FIRE.CORRIDOR",
    )
    assert rising["weeks"] == [1] * 10 + [5] and rising["this_week"] == 5 and rising["baseline"] == 1.0
    [similar] = body["similar"]
    assert similar["stations"] == ["JA01", "JA02", "JA03"] and len(similar["cases"]) == 3
    assert similar["cases"][0]["description"] == MANHOLE[2] and "phone" not in json.dumps(similar)

    assert server_main(["--db", url, "report", "hotspots", *at]) == 0
    out = capsys.readouterr().out
    assert out.startswith("热点问题（一类事）：近 7 天（11-17—11-23）与此前 10 周比较（北京时间）")
    assert "JA01 G01 楼道堆物：近 7 天 5 件，前 10 周平均每周 1.0 件（5.0 倍），P=0.0037" in out
    assert "JA01、JA02、JA03：3 个工作站 3 件诉求内容相近" in out and MANHOLE[0] in out
    assert server_main(["--db", url, "report", "hotspots", "--weeks", "30"]) == 2
    assert "基线周数须在 4 至 26 之间" in capsys.readouterr().err
    assert server_main(["--db", url, "report", "hotspots", "--at", "上周一"]) == 2
    assert "统计时点「上周一」格式不对" in capsys.readouterr().err


def test_the_console_page_for_the_centre_alone(api: Api, server: ServerService, district: District) -> None:
    server.add_user("centre", ConsoleRole.CENTRE, PASSWORD)
    server.add_department("WATER", "区水务局")
    server.add_user("water", ConsoleRole.DEPARTMENT, PASSWORD, department="WATER")
    server.add_user("lead-g01", ConsoleRole.GRIDLEAD, PASSWORD, grids=["G01"])
    client = api.client

    sign_in_to_console(client, "centre")
    assert '<a href="/console/hotspots">热点</a>' in client.get("/console/").text
    page = client.get("/console/hotspots")
    assert page.status_code == 200
    text = page.text
    assert "热点问题（一类事）" in text and "近 7 天（11-17—11-23）与此前 10 周比较" in text
    assert text.count('class="hotspot"') == 1 and "楼道堆物" in text and "<svg" in text
    assert 'fill="#f58518"><title>11-17—11-23：5 件</title>' in text  # this week's bar, in orange
    assert text.count('class="similar-case"') == 3 and "JA01、JA02、JA03" in text
    for number in district.numbers["manhole"]:
        assert f'href="/console/cases/{number}"' in text
    assert "周海涛" not in text and "13800134562" not in text
    shorter = client.get("/console/hotspots", params={"weeks": "4"})
    assert shorter.status_code == 200 and "与此前 4 周比较" in shorter.text
    for bad in ("3", "十"):
        refused = client.get("/console/hotspots", params={"weeks": bad})
        assert refused.status_code == 400 and "4 至 26" in refused.text

    for username in ("water", "lead-g01"):
        sign_in_to_console(client, username)
        assert client.get("/console/hotspots").status_code == 404
        assert "/console/hotspots" not in client.get("/console/").text


def test_shingles_and_clusters_by_hand() -> None:
    assert bare_text("楼道 堆物！Ｅ-bike") == "楼道堆物ｅbike"
    assert shingles("楼道 堆物！") == {"楼道", "道堆", "堆物", "楼道堆", "道堆物"}
    # 楼道堆物 / 楼道堆杂物: {楼道, 道堆, 堆物, 楼道堆, 道堆物} and {楼道, 道堆, 堆杂, 杂物, 楼道堆, 道堆杂, 堆杂物}
    # share 楼道, 道堆, 楼道堆 of 9 shingles in all: 3/9.
    assert jaccard(shingles("楼道堆物"), shingles("楼道堆杂物")) == pytest.approx(3 / 9)
    texts = [MANHOLE[0], MANHOLE[1], "小区门口共享单车乱停放，堵住人行道。", MANHOLE[2], "路灯坏了", "路灯坏了"]
    [cluster] = cluster_texts(texts)
    assert cluster.members == (0, 1, 3)  # 路灯坏了 is too short to tell one problem from another
    assert 0.5 <= cluster.lowest <= cluster.highest < 1
    # Told alike (Jaccard 0.77, 0.87, 0.67) at two known, different buildings: two problems of one kind, not one
    # problem told twice.
    alike = [
        "湖南路与永福路路口的窨井盖松动，车辆压过哐哐响，夜里吵得睡不着。",
        "湖南路与永福路路口的窨井盖松动，车辆压过哐哐响，晚上吵得睡不着。",
        "湖南路与永福路路口的窨井盖松动了，车辆压过哐哐响，夜里吵得睡不着。",
    ]
    assert [c.members for c in cluster_texts(alike, ["枫林苑 3号楼", "枫林苑3号楼", "康乐小区 5号楼"])] == [(0, 1)]
    # A text without a place may be either's, and joins them all: clusters are connected by alike pairs.
    assert [c.members for c in cluster_texts(alike, ["枫林苑 3号楼", "", "康乐小区 5号楼"])] == [(0, 1, 2)]
    # The same words twice at one place are one group (hashed once), joined as identical.
    same = cluster_texts([CORRIDOR, CORRIDOR, CORRIDOR], ["枫林苑 9号楼", "枫林苑 9号楼", "康乐小区 9号楼"])
    assert [(c.members, c.lowest, c.highest) for c in same] == [((0, 1), 1.0, 1.0)]
