"""Issue 13, what goes out in public and attachments: the scrubber and what Open311 and the status page publish
(item 7), attachments scoped per station (item 10) and checked against their declared type (item 11), the public
list paged and ordered by the server's own clock (item 13), and control characters in Open311 parameters."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

import httpx
import pytest
from alembic import command
from sqlalchemy import create_engine, text

from gridstation.domain.case import Intake
from gridstation.domain.enums import Channel, EventType, Tier
from gridstation.domain.events import new_id
from gridstation.domain.lifecycle import decide_registration
from gridstation.domain.numbering import format_case_number
from gridstation.domain.photos import sniff_media_type
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
from gridstation.server.db import alembic_config, migrate
from gridstation.server.open311.params import MAX_PAGE_SIZE
from gridstation.server.service import ServerService
from tests.support.clock import FakeClock
from tests.support.server import Api, ModelStation, auth

V2 = "/open311/v2"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00 a small photo of a blocked drain \xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR a small photo of a fallen tree"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 a small photo"
PDF = b"%PDF-1.7\n% a scanned letter\n%%EOF\n"


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
    # The station sends it to the department (only then may the department touch it: item 2).
    station.record(reported, EventType.DISPATCHED, assignee="区绿化市容局")
    # A walk-in the station dispatched itself, naming a person and a phone as the assignee.
    complaint = station.register(0)
    station.record(complaint, EventType.FIRST_CONTACT, note="已电话联系")
    station.record(complaint, EventType.DISPATCHED, assignee="物业张经理13700001111")
    api.push_ok(credential, station)
    # The department passes the report on, typing a person and a phone as the assignee.
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
    numbers = {case: station.local_states[case].number for case in (reported, complaint)}

    shown = {item["service_request_id"]: item for item in get(api, "requests.json").json()}
    assert set(shown) == {*numbers.values(), ticket}
    report = shown[numbers[reported]]
    assert report["description"] == SCRUBBED
    assert report["address"] == "枫林苑"
    assert report["status_notes"] == "已派单（承办：区绿化市容局）"  # the department's name, not what it typed
    assert report["agency_responsible"] == "区绿化市容局"
    dispatched_by_station = shown[numbers[complaint]]
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


# --- item 10: attachments per station -----------------------------------------------------------------------------


def offer(api: Api, credential: str, content: bytes, case_id: str, media_type: str = "image/jpeg") -> httpx.Response:
    body = {
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": len(content),
        "case_id": case_id,
        "media_type": media_type,
    }
    answer: httpx.Response = api.client.post("/api/v1/attachments", json=body, headers=auth(credential))
    return answer


def upload(api: Api, credential: str, content: bytes, offset: int = 0, end: int | None = None) -> httpx.Response:
    """content[offset:end], sent as part of the photo `content`."""
    sha = hashlib.sha256(content).hexdigest()
    answer: httpx.Response = api.client.put(
        f"/api/v1/attachments/{sha}/content",
        params={"offset": offset},
        content=content[offset:end],
        headers=auth(credential),
    )
    return answer


def stations_with_cases(api: Api, clock: FakeClock, *codes: str) -> list[tuple[str, ModelStation, str]]:
    """Each station enrolled, with one case of its own pushed: (credential, station, case id)."""
    made = []
    for code in codes:
        credential = api.enrol_station(code, f"{code} 居委会")
        station = ModelStation(code, clock)
        case_id = station.register(0)
        api.push_ok(credential, station)
        made.append((credential, station, case_id))
    return made


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_item10_a_station_offering_another_stations_photo_gets_its_own_upload(
    api: Api, server: ServerService, server_clock: FakeClock, tmp_path: Path
) -> None:
    (ja, _, case_a), (jb, _, case_b), (jc, _, _) = stations_with_cases(api, server_clock, "JA01", "JB02", "JC03")
    sha = hashlib.sha256(JPEG).hexdigest()
    assert offer(api, ja, JPEG, case_a).status_code == 200
    assert upload(api, ja, JPEG).json()["complete"] is True

    # JB02 is told exactly what it is told about a photo nobody has: not here, send it.
    never_sent = JPEG + b" another"
    unknown = offer(api, jb, never_sent, case_b).json()
    answered = offer(api, jb, JPEG, case_b)
    assert answered.status_code == 200
    assert {**answered.json(), "sha256": "", "size": 0} == {**unknown, "sha256": "", "size": 0}
    assert (answered.json()["received"], answered.json()["complete"]) == (0, False)
    assert api.client.get(f"/api/v1/attachments/{sha}", headers=auth(jb)).json()["received"] == 0
    incomplete = api.client.get(f"/api/v1/attachments/{sha}/content", headers=auth(jb))
    assert (incomplete.status_code, incomplete.json()["error"]["code"]) == (409, "attachment.incomplete")

    # It uploads, and has its own record and its own copy to read.
    assert upload(api, jb, JPEG, end=10).json()["received"] == 10
    assert upload(api, jb, JPEG, offset=10).json()["complete"] is True
    assert api.client.get(f"/api/v1/attachments/{sha}/content", headers=auth(jb)).content == JPEG
    assert api.client.get(f"/api/v1/attachments/{sha}/content", headers=auth(ja)).content == JPEG
    with server.reading() as session:
        owners = session.execute(
            text("SELECT station_code, case_id FROM attachment_cases WHERE sha256 = :s"), {"s": sha}
        )
        assert sorted(owners.tuples()) == [("JA01", case_a), ("JB02", case_b)]
    # The bytes are kept once; a station that never sent them cannot read them or learn they exist.
    photos = tmp_path / "server-data" / "attachments"
    assert [name for name in files_under(photos) if not name.endswith(".part")] == [f"{sha[:2]}/{sha}"]
    for path in (f"/api/v1/attachments/{sha}", f"/api/v1/attachments/{sha}/content"):
        refused = api.client.get(path, headers=auth(jc))
        assert (refused.status_code, refused.json()["error"]["code"]) == (404, "attachment.unknown")


def test_item10_one_photo_offered_for_two_cases_of_a_station_belongs_to_both(
    api: Api, server: ServerService, server_clock: FakeClock
) -> None:
    ((ja, station, first),) = stations_with_cases(api, server_clock, "JA01")
    second = station.register(1)
    api.push_ok(ja, station)
    sha = hashlib.sha256(PNG).hexdigest()
    assert offer(api, ja, PNG, first, "image/png").status_code == 200
    assert upload(api, ja, PNG).json()["complete"] is True
    again = offer(api, ja, PNG, second, "image/png")
    assert (again.status_code, again.json()["complete"]) == (200, True)  # its own upload: nothing to send again
    with server.reading() as session:
        cases = session.execute(text("SELECT case_id FROM attachment_cases WHERE sha256 = :s"), {"s": sha})
        assert sorted(cases.scalars()) == sorted([first, second])


def test_item10_an_existing_server_database_upgrades_to_attachments_per_station(server_db_url: str) -> None:
    """A photo uploaded before the upgrade stays its station's, on its case; a half-sent one starts again."""
    engine = create_engine(server_db_url)
    try:
        command.upgrade(alembic_config(engine), "0001")
        with engine.begin() as connection:
            for sha, received, complete in (("a" * 64, 47, True), ("b" * 64, 10, False)):
                connection.execute(
                    text(
                        "INSERT INTO attachments (sha256, size, received, complete, station_code, case_id,"
                        " media_type, filename, created_at) VALUES (:sha, 47, :received, :complete, 'JA01',"
                        " :case_id, 'image/jpeg', 'drain.jpg', '2026-11-23 01:30:00.000000')"
                    ),
                    {"sha": sha, "received": received, "complete": complete, "case_id": f"case-{sha[0]}"},
                )
        migrate(engine)
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT station_code, sha256, received, complete FROM attachments ORDER BY sha256")
            ).all()
            links = connection.execute(text("SELECT station_code, sha256, case_id FROM attachment_cases")).all()
    finally:
        engine.dispose()
    held = [(r[0], r[1], r[2], bool(r[3])) for r in rows]
    assert held == [("JA01", "a" * 64, 47, True), ("JA01", "b" * 64, 0, False)]
    assert sorted(tuple(link) for link in links) == [("JA01", "a" * 64, "case-a"), ("JA01", "b" * 64, "case-b")]


# --- item 11: content checked against its declared type, served as a download -------------------------------------


@pytest.mark.parametrize(
    ("head", "media_type"),
    [
        (JPEG, "image/jpeg"),
        (PNG, "image/png"),
        (WEBP, "image/webp"),
        (PDF, "application/pdf"),
        (b"<html><script>alert(1)</script></html>", None),
        (b"\x89PNG but not the signature", None),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
        (b"GIF89a", None),
        (b"", None),
    ],
)
def test_item11_content_is_known_by_its_magic_bytes(head: bytes, media_type: str | None) -> None:
    assert sniff_media_type(head[:16]) == media_type


@pytest.mark.parametrize(
    ("content", "declared", "words"),
    [
        (JPEG, "image/png", "声明为PNG 图片，实际是JPEG 图片"),
        (b"<html><script>alert(1)</script></html>", "image/jpeg", "实际不是 JPEG、PNG、WebP 图片或 PDF 文件"),
        (PDF, "image/webp", "实际是PDF 文件"),
    ],
)
def test_item11_content_that_is_not_its_declared_type_is_refused_and_nothing_kept(
    api: Api, server_clock: FakeClock, tmp_path: Path, content: bytes, declared: str, words: str
) -> None:
    ((ja, _, case_a),) = stations_with_cases(api, server_clock, "JA01")
    sha = hashlib.sha256(content).hexdigest()
    assert offer(api, ja, content, case_a, declared).status_code == 200
    assert upload(api, ja, content, end=5).status_code == 200
    refused = upload(api, ja, content, offset=5)
    error = refused.json()["error"]
    assert (refused.status_code, error["code"]) == (422, "attachment.type_mismatch")
    assert words in error["message"] and "未保存" in error["message"]
    assert error["detail"]["declared"] == declared
    gone = api.client.get(f"/api/v1/attachments/{sha}", headers=auth(ja))
    assert (gone.status_code, gone.json()["error"]["code"]) == (404, "attachment.unknown")
    assert [p for p in (tmp_path / "server-data").rglob(f"{sha}*")] == []


@pytest.mark.parametrize(
    ("content", "media_type", "extension"), [(PNG, "image/png", ".png"), (PDF, "application/pdf", ".pdf")]
)
def test_item11_content_is_served_as_a_download_of_its_sniffed_type(
    api: Api, server_clock: FakeClock, content: bytes, media_type: str, extension: str
) -> None:
    ((ja, _, case_a),) = stations_with_cases(api, server_clock, "JA01")
    sha = hashlib.sha256(content).hexdigest()
    assert offer(api, ja, content, case_a, media_type).status_code == 200
    assert upload(api, ja, content).json()["complete"] is True
    served = api.client.get(f"/api/v1/attachments/{sha}/content", headers=auth(ja))
    assert served.status_code == 200 and served.content == content
    assert served.headers["content-type"] == media_type
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"] == f'attachment; filename="{sha}{extension}"'


# --- item 13: the public list is paged and ordered by the server's clock --------------------------------------------


def test_item13_one_stations_flood_does_not_hide_the_others_the_list_pages(
    api: Api, server: ServerService, server_clock: FakeClock
) -> None:
    ((_, alpha, own),) = stations_with_cases(api, server_clock, "JA01")
    server_clock.advance(minutes=1)
    jb, flood = api.enrol_station("JB02"), ModelStation("JB02", server_clock)
    for index in range(MAX_PAGE_SIZE):
        flood.register(index)
    api.push_ok(jb, flood)
    mine = alpha.local_states[own].number

    first = get(api, "requests.json")  # no paging asked for: GeoReport v2's answer, the first 1000
    assert len(first.json()) == MAX_PAGE_SIZE and mine not in str(first.json())
    second = get(api, "requests.json", page=2)
    assert [item["service_request_id"] for item in second.json()] == [mine]
    assert first.headers["link"].endswith('page=2>; rel="next"')
    assert "link" not in second.headers
    # Small pages put together are the whole list, in the same order.
    whole = listed(api, page_size=MAX_PAGE_SIZE, page=1) + listed(api, page_size=MAX_PAGE_SIZE, page=2)
    small = [number for page in range(1, 4) for number in listed(api, page_size=400, page=page)]
    assert small == whole and len(whole) == MAX_PAGE_SIZE + 1
    assert listed(api, page=3) == []


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"page_size": "0"}, "page_size 须为 1～1000 的整数"),
        ({"page_size": "1001"}, "page_size 须为 1～1000 的整数"),
        ({"page_size": "ten"}, "page_size"),
        ({"page": "0"}, "page 须为 1～100000 的整数"),
        ({"page": "-1"}, "page 须为"),
        ({"page": "1.5"}, "page 须为"),
        ({"page": "９"}, "page 须为"),
    ],
)
def test_item13_page_parameters_out_of_bounds_are_refused_in_open311_errors(
    api: Api, params: dict[str, str], words: str
) -> None:
    for fmt in ("json", "xml"):
        answer = get(api, f"requests.{fmt}", **params)
        assert answer.status_code == 400, answer.text
        if fmt == "json":
            assert words in answer.json()[0]["description"]
        else:
            assert words in (ElementTree.fromstring(answer.content).findtext("error/description") or "")


def test_item13_a_case_dated_in_the_future_does_not_hold_the_top_of_the_list(
    api: Api, server: ServerService, server_clock: FakeClock
) -> None:
    ahead = ModelStation("JA01", lambda: datetime(2099, 1, 1, 1, 30, tzinfo=UTC))
    ja = api.enrol_station("JA01")
    future = ahead.register(0)
    api.push_ok(ja, ahead)
    server_clock.advance(minutes=1)  # later, by the server's own clock
    ((_, later_station, later),) = stations_with_cases(api, server_clock, "JB02")
    order = listed(api)
    assert order[:2] == [later_station.local_states[later].number, ahead.local_states[future].number]


# --- control characters in Open311 parameters: the same clear 400 on SQLite and PostgreSQL -------------------------


@pytest.mark.parametrize("value", ["a\x00b", "\x00", "\x01", "GREEN.LIGHT\n", "\x7f", "\x9b"])
def test_control_characters_in_open311_parameters_are_a_clear_400_on_every_database(
    api: Api, server_clock: FakeClock, value: str
) -> None:
    stations_with_cases(api, server_clock, "JA01")
    requests = "requests.{fmt}"
    queries = [
        (requests, {name: value})
        for name in ("service_request_id", "service_code", "status", "start_date", "end_date", "page", "page_size")
    ]
    queries += [(requests, {"unknown": value}), ("services.{fmt}", {"service_code": value})]
    segment = quote(value, safe="")
    paths = [f"requests/{segment}.{{fmt}}", f"tokens/{segment}.{{fmt}}", f"services/{segment}.{{fmt}}"]
    for fmt in ("json", "xml"):
        answers = [api.client.get(f"{V2}/{path.format(fmt=fmt)}", params=params) for path, params in queries]
        answers += [api.client.get(f"{V2}/{path.format(fmt=fmt)}") for path in paths]
        for answer in answers:
            assert answer.status_code == 400, (answer.request.url, answer.text)
            if fmt == "json":
                description = answer.json()[0]["description"]
            else:
                description = ElementTree.fromstring(answer.content).findtext("error/description") or ""
            assert "含有控制字符" in description, (answer.request.url, description)
    assert listed(api) != []  # and the list itself still answers


def test_the_default_list_still_answers_the_last_90_days(api: Api, server_clock: FakeClock) -> None:
    """The control: without paging, Open311's defaults are unchanged (90 days back, from the server's now)."""
    ((_, station, case_id),) = stations_with_cases(api, server_clock, "JA01")
    assert listed(api) == [station.local_states[case_id].number]
    server_clock.advance(days=91)
    assert listed(api) == []
    assert listed(api, start_date=(server_clock.current - timedelta(days=95)).isoformat()) == [
        station.local_states[case_id].number
    ]
