"""Issue 13, what goes out in public and attachments: the scrubber and what Open311 and the status page publish
(item 7)."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from gridstation.domain.case import Intake
from gridstation.domain.enums import Channel, EventType, Tier
from gridstation.domain.events import new_id
from gridstation.domain.lifecycle import decide_registration
from gridstation.domain.numbering import format_case_number
from gridstation.domain.privacy import (
    EMAIL_HIDDEN,
    ID_HIDDEN,
    NAME_HIDDEN,
    NUMBER_HIDDEN,
    PHONE_HIDDEN,
    PLATE_HIDDEN,
    ROOM_HIDDEN,
    SUMMARY_MAX_CHARS,
    coarse_location,
    public_summary,
    scrub,
)
from gridstation.server.service import ServerService
from tests.support.clock import FakeClock
from tests.support.server import Api, ModelStation, auth

V2 = "/open311/v2"


# --- item 7: the scrubber ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "published"),
    [
        # mainland mobiles, with or without separators, +86 or 0086, in full-width digits
        ("联系电话13800138000，请尽快处理", f"联系电话{PHONE_HIDDEN}，请尽快处理"),
        ("电话 138 0013 8000", f"电话 {PHONE_HIDDEN}"),
        ("手机138-0013-8000", f"手机{PHONE_HIDDEN}"),
        ("+86 138 0013 8000 张先生", f"{PHONE_HIDDEN} 张先生"),
        ("+86-13800138000", PHONE_HIDDEN),
        ("008613800138000", PHONE_HIDDEN),
        ("（+86）13800138000", PHONE_HIDDEN),
        ("１３８００１３８０００", PHONE_HIDDEN),
        # landlines: area code with a hyphen, brackets or nothing, an extension; a local number after 电话
        ("座机021-64321234转123", f"座机{PHONE_HIDDEN}"),
        ("(021)64321234", PHONE_HIDDEN),
        ("（021）6432 1234", PHONE_HIDDEN),
        ("0512-8888 6666 物业", f"{PHONE_HIDDEN} 物业"),
        ("02164321234", PHONE_HIDDEN),
        ("电话：64321234", f"电话：{PHONE_HIDDEN}"),
        # resident ID numbers: 18 digits, X in either case, grouped 6-8-4; and the old 15 digits
        ("身份证310104199001011234", f"身份证{ID_HIDDEN}"),
        ("身份证号31010419900101123X", f"身份证号{ID_HIDDEN}"),
        ("证件 310104 19900101 123x 已核", f"证件 {ID_HIDDEN} 已核"),
        ("老身份证310104900101123", f"老身份证{ID_HIDDEN}"),
        # vehicle plates: with a middle dot, new-energy (six characters), lower case, a space, a 学 plate
        ("车牌沪A·12345乱停", f"车牌{PLATE_HIDDEN}乱停"),
        ("沪AD12345占用消防通道", f"{PLATE_HIDDEN}占用消防通道"),
        ("沪a12345", PLATE_HIDDEN),
        ("苏E 12345", PLATE_HIDDEN),
        ("粤B1234学", PLATE_HIDDEN),
        # room and door numbers
        ("住1201室", f"住{ROOM_HIDDEN}"),
        ("枫林苑5号楼1201室楼上漏水", f"枫林苑{ROOM_HIDDEN}楼上漏水"),
        ("5号楼1201漏水", f"{ROOM_HIDDEN}漏水"),
        ("5栋 1201", ROOM_HIDDEN),
        ("3单元502噪音", f"{ROOM_HIDDEN}噪音"),
        ("5号楼3单元502", ROOM_HIDDEN),
        ("12-3-401楼上漏水", f"{ROOM_HIDDEN}楼上漏水"),
        ("5-1201室", ROOM_HIDDEN),
        ("B座1203室", ROOM_HIDDEN),
        ("502号房", ROOM_HIDDEN),
        ("湖南路123弄45号", f"湖南路123弄{ROOM_HIDDEN}"),
        # e-mail and long numbers (a bank card)
        ("邮箱wxh@example.cn", f"邮箱{EMAIL_HIDDEN}"),
        ("卡号6222020200112233445", f"卡号{NUMBER_HIDDEN}"),
    ],
)
def test_item7_the_scrubber_hides_phones_ids_plates_and_rooms(written: str, published: str) -> None:
    assert scrub(written) == published


@pytest.mark.parametrize(
    "kept",
    [
        "2026-11-23 14:30 到场",
        "2026年11月23日下午3点",
        "2026/11/23",
        "23-11-2026",
        "20261123",
        "14:30-16:00",
        "11月3号14:00",
        "费用1,200.50元",
        "¥3000",
        "赔偿13800元",
        "500-1000元",
        "距离1200米",
        "面积120平",
        "地铁3号线出口",
        "拨打12345热线",
        "12345热线电话",
        "工单12345-20261120-0031",
        "110、119、120",
        "5号楼门口垃圾",
        "3单元门口",
        "12楼走廊",
        "5号楼200米外",
        "5号楼2026年翻修",
        "2室1厅",
        "每月3000房租",
        "G60高速",
        "新Zealand",
    ],
)
def test_item7_the_scrubber_keeps_dates_times_amounts_lines_and_hotlines(kept: str) -> None:
    assert scrub(kept) == kept


def test_item7_the_scrubber_hides_the_complainants_own_name_and_cuts_a_summary() -> None:
    assert scrub("王小红反映楼道堆物", known=["王小红", "", " "]) == f"{NAME_HIDDEN}反映楼道堆物"
    long = "井" * (SUMMARY_MAX_CHARS + 50)
    assert public_summary(long) == "井" * (SUMMARY_MAX_CHARS - 1) + "…"


@pytest.mark.parametrize(
    ("compound", "address", "shown"),
    [
        ("康乐小区", "", "康乐小区"),
        ("梅园新村12号楼", "", "梅园新村"),
        ("枫林苑", "5号楼1201室", "枫林苑"),
        ("", "枫林路 88 弄 2 号楼北侧", "枫林路"),
        ("", "湖南路123弄45号", "湖南路"),
        ("", "上海市静安区湖南路123号", "上海市静安区湖南路"),
        ("", "31.2088,121.4412", ""),  # coordinates point at a building
        ("", "地址编号 SH-JA-000123", ""),
        ("", "张伟家门口", ""),  # no road: nothing rather than a guess
        ("王小红家", "", ""),  # the complainant's name is no place
        ("五号楼", "", ""),
    ],
)
def test_item7_the_public_location_is_the_compound_or_the_road(compound: str, address: str, shown: str) -> None:
    assert coarse_location(compound, address, known=["王小红"]) == shown


# --- item 7: what Open311 and the status page publish -------------------------------------------------------------

PRIVATE = (
    "13800138000",
    "310104199001011234",
    "沪A·12345",
    "1201",
    "王小红",
    "13912345678",
    "王师傅",
    "13900001111",
    "张经理",
    "13700001111",
    "张伟",
    "13812341234",
    "3号楼",
    "5号楼",
)
TOLD = "5号楼1201室楼上漏水，联系电话13800138000，身份证310104199001011234，车牌沪A·12345的车堵了通道。"
SCRUBBED = (
    f"{ROOM_HIDDEN}楼上漏水，联系电话{PHONE_HIDDEN}，身份证{ID_HIDDEN}，车牌{PLATE_HIDDEN}的车堵了通道。"
)


def register(station: ModelStation, intake: Intake) -> str:
    """Like `ModelStation.register`, with an intake of our own."""
    case_id = new_id()
    station.daily += 1
    number = format_case_number(station.code, station.wall().date(), station.daily)
    for draft in decide_registration(case_id, number, intake):
        station._stamp(case_id, draft.type, draft.payload)
    return case_id


def get(api: Api, path: str, **params: Any) -> httpx.Response:
    answer: httpx.Response = api.client.get(f"{V2}/{path}", params=params)
    return answer


def listed(api: Api, **params: Any) -> list[str]:
    answer = get(api, "requests.json", **params)
    assert answer.status_code == 200, answer.text
    return [item["service_request_id"] for item in answer.json()]


def test_item7_open311_and_the_status_page_publish_no_phone_id_plate_room_or_assignee(
    api: Api, server: ServerService, server_clock: FakeClock
) -> None:
    credential = api.enrol_station("JA01")
    key = server.add_api_key("码上就来", "JA01")
    department = server.add_department("GREEN", "区绿化市容局")
    station = ModelStation("JA01", server_clock)
    # A resident's QR report registered at the desk: published, scrubbed.
    reported = register(
        station,
        Intake.validated(
            channel=Channel.QR_REPORT,
            category_code="GREEN.LIGHT",
            description=TOLD,
            tier=Tier.QUICK,
            compound="枫林苑",
            building="5号楼",
            address="5号楼1201室",
            complainant_name="王小红",
            phone="13912345678",
        ),
    )
    station.record(reported, EventType.FIRST_CONTACT, note="已电话联系")
    # A walk-in the station dispatched itself, naming a person and a phone as the assignee.
    walk_in = station.register(0)
    station.record(walk_in, EventType.FIRST_CONTACT, note="已电话联系")
    station.record(walk_in, EventType.DISPATCHED, assignee="物业张经理13700001111")
    api.push_ok(credential, station)
    # The department dispatches the report, typing a person and a phone as the assignee.
    update = {
        "case_number": station.local_states[reported].number,
        "update": "dispatched",
        "assignee": "绿化养护队王师傅 13900001111",
    }
    assert api.client.post("/api/v1/department/updates", json=update, headers=auth(department)).status_code == 200
    # A request posted through Open311 with the same details and a room in its address.
    posted = api.client.post(
        f"{V2}/requests.json",
        data={
            "api_key": key,
            "service_code": "DRAIN.COVER",
            "address_string": "枫林路88弄5号楼1201室",
            "description": TOLD,
            "first_name": "小红",
            "last_name": "王",
            "phone": "139 1234 5678",
        },
    )
    assert posted.status_code == 200, posted.text
    ticket = posted.json()[0]["service_request_id"]
    numbers = {case: station.local_states[case].number for case in (reported, walk_in)}

    shown = {item["service_request_id"]: item for item in get(api, "requests.json").json()}
    assert set(shown) == {*numbers.values(), ticket}
    report = shown[numbers[reported]]
    assert report["description"] == SCRUBBED
    assert report["address"] == "枫林苑"
    assert report["status_notes"] == "已派单（承办：区绿化市容局）"  # the department's name, not what it typed
    assert report["agency_responsible"] == "区绿化市容局"
    dispatched_by_station = shown[numbers[walk_in]]
    assert dispatched_by_station["status_notes"] == "已派单"  # no known department: no assignee at all
    assert dispatched_by_station["agency_responsible"] == "枫林居委会"
    assert dispatched_by_station["address"] == "枫林苑"
    assert shown[ticket]["description"] == SCRUBBED
    assert shown[ticket]["address"] == "枫林路"  # the road, not the building or the room

    bodies = [posted.text]
    for fmt in ("json", "xml"):
        everything = ",".join([*numbers.values(), ticket])
        for path in (f"requests.{fmt}", f"requests.{fmt}?service_request_id={everything}"):
            bodies.append(api.client.get(f"{V2}/{path}").text)
        for number in [*numbers.values(), ticket]:
            bodies.append(api.client.get(f"{V2}/requests/{number}.{fmt}").text)
    for number in [*numbers.values(), ticket]:
        page = api.client.get(f"/status/{number}")
        assert page.status_code == 200 and number in page.text
        bodies.append(page.text)
    root = ElementTree.fromstring(api.client.get(f"{V2}/requests/{numbers[reported]}.xml").content)
    assert root.findtext("request/description") == SCRUBBED
    leaks = sorted({word for body in bodies for word in PRIVATE if word in body})
    assert leaks == []
