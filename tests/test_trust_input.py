"""Issue 13, what comes in: control characters refused at every way in, a feed that no stored row can stop, the
`repair` command (item 1); every event payload checked against its typed shape on both sides, no forged work orders
(item 9); times from a station's wrong clock clamped on ingest (item 13, first half).

New names (`check_payload`, `event_refusal`, …) are imported inside the tests that need them, so that on the code
before these fixes every test fails for its own reason, not at import.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select, text

from gridstation.domain.case import CaseState, Intake, IntakeInvalid, apply, fold
from gridstation.domain.enums import Channel, EventType, Status, Tier
from gridstation.domain.errors import ValidationError
from gridstation.domain.events import Event, new_id
from gridstation.domain.lifecycle import check_legal, decide_registration
from gridstation.domain.numbering import format_case_number
from gridstation.domain.payloads import CENTRE_ONLY_EVENTS
from gridstation.protocol import PushedEvent, PushRequest, PushResponse, StatusUpdate
from gridstation.server.cli import main as server_main
from gridstation.server.models import FeedRow, ServerCaseRow, ServerEventRow
from gridstation.server.service import ServerService
from gridstation.server.workorders import WorkOrder, build_work_order
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from tests.support.clock import START, FakeClock
from tests.support.complaints import complaint
from tests.support.server import Api, ModelStation, server_state

FORM = {"content-type": "application/x-www-form-urlencoded"}


# --- helpers ----------------------------------------------------------------------------------------------------


def run_server_cli(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> tuple[int, str, str]:
    code = server_main(["--db", url, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def push_raw(station: ModelStation, case_id: str, event_type: EventType, payload: dict[str, Any]) -> PushedEvent:
    """An event as a station (or an attacker holding its credential) could send it: any payload, a correct hash."""
    event = Event(
        id=new_id(),
        case_id=case_id,
        type=event_type,
        payload=payload,
        actor_id="staff-1",
        actor_name="李明",
        station_code=station.code,
        occurred_at=station.wall(),
        hlc=station.hlc.now().encode(),
    )
    station.seq += 1
    pushed = PushedEvent.numbered(event, station.seq)
    station.events.append(pushed)
    return pushed


def outcomes(response: PushResponse) -> list[tuple[str, str]]:
    return [(r.outcome, r.code) for r in response.results]


def registration_payload(station: ModelStation, **overrides: Any) -> dict[str, Any]:
    station.daily += 1
    number = format_case_number(station.code, station.wall().date(), station.daily)
    return {**complaint().to_payload(), "number": number, **overrides}


def unchecked_work_order(ticket: str, **intake: Any) -> WorkOrder:
    """A work order as an older server took it from an Open311 form: its text as it came, control characters too."""
    fields: dict[str, Any] = {
        "channel": Channel.QR_REPORT,
        "category_code": "DRAIN.COVER",
        "description": "小区北门窨井盖堵塞，污水漫到人行道。",
        "tier": Tier.QUICK,
        **intake,
    }
    return WorkOrder(ticket, Channel.QR_REPORT, "JA01", Intake(**fields), START - timedelta(hours=1))


def actions_of(server: ServerService) -> list[str]:
    return [action for _, _, action, _ in server.audit(limit=1000)]


def feed_head(server: ServerService, code: str = "JA01") -> int:
    with server.reading() as session:
        return int(session.scalar(select(func.max(FeedRow.seq)).where(FeedRow.station_code == code)) or 0)


# --- item 1: control characters at every way in -----------------------------------------------------------------


def test_item1_an_open311_post_with_a_nul_is_refused_and_every_pull_stays_200(
    api: Api, server: ServerService, server_clock: FakeClock
) -> None:
    """The attack: `address_string=a%00b` was stored, and from then on every pull of JA01 answered 500."""
    credential = api.enrol_station("JA01")
    key = server.add_api_key("码上就来", "JA01")
    valid = {
        "api_key": key,
        "service_code": "DRAIN.COVER",
        "address_string": "枫林路 88 弄 2 号楼北侧",
        "description": "小区北门窨井盖堵塞，污水漫到人行道。",
        "first_name": "小红",
        "last_name": "王",
        "phone": "13912345678",
    }
    hostile = [
        ("address_string", "a\x00b", "U+0000"),
        ("first_name", "小\x00红", "U+0000"),
        ("last_name", "\x00", "U+0000"),
        ("address_id", "SH-JA-000123\x00", "U+0000"),
        ("phone", "139\x0012345678", "U+0000"),
        ("description", "井盖\x01堵塞", "U+0001"),
        ("media_url", "https://img.example.cn/1\x00.jpg", "U+0000"),
    ]
    for name, value, character in hostile:
        fields = {**valid, name: value}
        if name == "address_id":
            del fields["address_string"]
        answer = api.client.post("/open311/v2/requests.json", content=urlencode(fields), headers=FORM)
        assert answer.status_code == 400, (name, answer.text)
        (error,) = answer.json()
        assert error["code"] == 400
        assert error["description"].startswith(f"{name} 中含有不可见的控制字符（{character}")
        assert "诉求未提交" in error["description"]
    xml = api.client.post("/open311/v2/requests.xml", content="&".join([urlencode(valid), "address_string=a%00b"]))
    # A repeated field: the first value is the one used, but no value of a kept field may hold a control character.
    assert xml.status_code == 400 and "控制字符" in xml.text
    with server.reading() as session:
        assert session.scalar(select(func.count()).select_from(ServerCaseRow)) == 0
    # Tabs and line breaks are text: a description with lines is taken.
    lines = {**valid, "description": "井盖堵塞：\r\n1. 北门\t2. 东门"}
    assert api.client.post("/open311/v2/requests.json", content=urlencode(lines), headers=FORM).status_code == 200
    station = ModelStation("JA01", server_clock)
    page = api.pull(credential, station)  # 200, or Api.pull says what it got
    (item,) = page.items
    assert item.event.payload["description"] == "井盖堵塞：\n1. 北门\t2. 东门"


def test_item1_workorder_add_and_the_12345_import_refuse_control_characters(
    capsys: pytest.CaptureFixture[str], server_db_url: str, tmp_path: Path
) -> None:
    run_server_cli(capsys, server_db_url, "station", "add", "JA01", "枫林居委会")
    order = ["workorder", "add", "--ticket", "12345-20261123-0001", "--station", "JA01", "--category", "GREEN.LIGHT"]
    code, _, err = run_server_cli(
        capsys, server_db_url, *order, "--description", "香樟树遮挡采光", "--address", "枫林苑\x01 3 号楼"
    )
    assert code == 2
    assert "地址中含有不可见的控制字符（U+0001，第 4 个字符），请删除后重新填写。" in err
    code, _, err = run_server_cli(capsys, server_db_url, *order, "--description", "香樟树\x00遮挡采光")
    assert code == 2 and "诉求内容中含有不可见的控制字符（U+0000" in err
    code, _, err = run_server_cli(capsys, server_db_url, *order, "--description", "香樟树", "--name", "张\x1b伟")
    assert code == 2 and "姓名中含有不可见的控制字符（U+001B" in err
    export = tmp_path / "12345导出.csv"
    export.write_text(
        "工单编号,来源,派单时间,承办工作站,诉求分类,诉求内容,小区,地址,联系人,联系电话,处理时限（小时）,紧急\n"
        "12345-20261123-0002,12345,2026-11-23 09:00,JA01,GREEN.LIGHT,香樟树遮挡采光,枫林苑,a\x00b,,,24,否\n"
        "12345-20261123-0003,12345,2026-11-23 09:30,JA01,NOISE.TRAFFIC,隧道口\x07鸣笛扰民,,嘉善路隧道口,,,48,是\n"
        "12345-20261123-0004,12345,2026-11-23 09:40,JA0\x001,NOISE.TRAFFIC,隧道口鸣笛扰民,,嘉善路隧道口,,,48,是\n"
        "12345-20261123-0005,12345,2026-11-23 10:00,JA01,NOISE.TRAFFIC,隧道口鸣笛扰民,,嘉善路隧道口,,,48,是\n",
        encoding="utf-8",
    )
    code, _, err = run_server_cli(capsys, server_db_url, "workorder", "import", str(export))
    assert code == 2 and "未导入任何工单" in err
    assert "第 2 行：地址中含有不可见的控制字符（U+0000" in err
    assert "第 3 行：诉求内容中含有不可见的控制字符（U+0007" in err
    assert "第 4 行：承办工作站代码" in err
    assert "第 5 行" not in err
    code, out, _ = run_server_cli(capsys, server_db_url, "station", "list", "--json")
    assert '"feed_head": 0' in out  # nothing was stored


def test_item1_the_domain_refuses_control_characters_in_every_free_text_field(
    service: StationService, clerk: StaffMember
) -> None:
    """The rule lives in domain/validation.py, so the desk and the server refuse the same text."""
    base: dict[str, Any] = {
        "channel": Channel.WALK_IN,
        "category_code": "GREEN.LIGHT",
        "description": "枫林苑 3 号楼前香樟树过高。",
        "tier": Tier.ON_THE_SPOT,
        "compound": "枫林苑",
        "building": "3号楼",
        "address": "东侧",
        "grid_code": "G01",
        "complainant_name": "张伟",
        "phone": "13812341234",
        "answer": "已当场解释",
    }
    for name in ("description", "compound", "building", "address", "grid_code", "complainant_name", "phone", "answer"):
        for bad in ("\x00", "\x08", "\x1f", "\x7f", "\ud800"):
            with pytest.raises(IntakeInvalid) as caught:
                Intake.validated(**{**base, name: f"枫林{bad}苑"})
            assert [(p.field, p.code) for p in caught.value.problems] == [(name, "text.control_character")], name
    with pytest.raises(IntakeInvalid) as caught:
        Intake.validated(**{**base, "category_code": "GREEN.LIGHT\x00"})
    assert caught.value.problems[0].code == "text.control_character"
    lines = Intake.validated(**{**base, "description": "第一行\n第二行\t（续）\r\n第三行"})
    assert lines.description == "第一行\n第二行\t（续）\r\n第三行"
    assert Intake.validated(**{**base, "address": "东侧\t2 号\n门"}).address == "东侧 2 号 门"

    def stamped(case_id: str, event_type: EventType, payload: dict[str, Any]) -> Event:
        return Event(new_id(), case_id, event_type, payload, "staff-1", "李明", "JA01", START, "000000000000001.000000")

    def advanced(state: CaseState, event_type: EventType, payload: dict[str, Any]) -> CaseState:
        return apply(state, stamped(state.id, event_type, check_legal(state, event_type, payload)))

    drafts = decide_registration(new_id(), "JA01-X", complaint())
    registered = fold(stamped(d.case_id, d.type, d.payload) for d in drafts)
    contacted = advanced(registered, EventType.FIRST_CONTACT, {"note": "已联系"})
    dispatched = advanced(contacted, EventType.DISPATCHED, {"assignee": "物业", "note": ""})
    on_site = advanced(dispatched, EventType.ARRIVED_ON_SITE, {"note": ""})
    disposed = advanced(on_site, EventType.DISPOSED, {"outcome": "resolved", "note": "已修剪"})
    closed = advanced(disposed, EventType.CLOSED, {"answer": "已修剪"})
    nul = "已\x00联系"
    cases: list[tuple[CaseState, EventType, dict[str, Any]]] = [
        (registered, EventType.FIRST_CONTACT, {"note": nul}),
        (contacted, EventType.DISPATCHED, {"assignee": nul}),
        (contacted, EventType.DISPATCHED, {"assignee": "物业", "note": nul}),
        (dispatched, EventType.ARRIVED_ON_SITE, {"note": nul}),
        (on_site, EventType.DISPOSED, {"outcome": "resolved", "note": nul}),
        (disposed, EventType.CLOSED, {"answer": nul}),
        (closed, EventType.FOLLOW_UP, {"satisfaction": "satisfied", "resolution": "resolved", "note": nul}),
        (closed, EventType.FOLLOW_UP, {"satisfaction": "satisfied", "resolution": "resolved", "visitor": nul}),
        (registered, EventType.TIER_CHANGED, {"to": "tracked", "reason": nul}),
        (registered, EventType.INTAKE_CORRECTED, {"field": "address", "value": nul, "reason": "居民更正"}),
        (registered, EventType.INTAKE_CORRECTED, {"field": "address", "value": "西侧", "reason": nul}),
        (registered, EventType.NOTE_ADDED, {"note": nul}),
        (registered, EventType.NOTE_ADDED, {"note": "已处理", "resolves_conflict": nul}),
        (registered, EventType.RECEIPT_PRINTED, {"paper": nul, "copies": 1}),
        (registered, EventType.CONFERENCE_FLAGGED, {"flagged": True, "reason": nul}),
    ]
    for state, event_type, payload in cases:
        with pytest.raises(ValidationError) as refused:
            check_legal(state, event_type, payload)
        assert refused.value.code == "text.control_character", (event_type, payload)
        assert "不可见的控制字符（U+0000" in refused.value.message_zh

    case = service.register_case(clerk, complaint())
    before = len(service.all_events())
    with pytest.raises(ValidationError) as refused:
        service.record(clerk, case.id, EventType.NOTE_ADDED, {"note": "居民\x00来电"})
    assert refused.value.message_zh == "说明中含有不可见的控制字符（U+0000，第 3 个字符），请删除后重新填写。"
    assert len(service.all_events()) == before


def store_nul_straight_into_the_database(server: ServerService, ticket: str) -> str:
    """What an older server did with a NUL in a work order's address: the case and its event hold it as typed."""
    case_id = server.add_work_order(
        build_work_order(
            ticket=ticket,
            source=Channel.HOTLINE_12345,
            station_code="JA01",
            category_code="GREEN.LIGHT",
            description="来电反映：枫林路香樟树遮挡采光。",
            dispatched_at=START - timedelta(hours=2),
            address="枫林路 88 弄",
        )
    )
    with server.writing() as session:
        for table, column, key in (("events", "payload", "case_id"), ("cases", "state", "id")):
            session.execute(
                text(f"UPDATE {table} SET {column} = replace({column}, :clean, :broken) WHERE {key} = :case_id"),
                {"clean": "枫林路 88 弄", "broken": "枫林路\\u0000 88 弄", "case_id": case_id},  # JSON's escape
            )
    with server.reading() as session:
        row = session.scalar(select(ServerEventRow).where(ServerEventRow.case_id == case_id))
        assert row is not None and row.payload["address"] == "枫林路\x00 88 弄"
    return case_id


def test_item1_a_nul_stored_by_an_older_server_never_fails_a_pull_and_repair_puts_the_case_back(
    api: Api,
    server: ServerService,
    server_clock: FakeClock,
    server_db_url: str,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    own = station.register(0)
    api.push_ok(credential, station)
    # An Open311 request an older server stored through its own code path, NUL and all …
    old = server.add_work_order(unchecked_work_order("O311-OLDSERVER0001", address="a\x00b", complainant_name="王\x00"))
    # … and one written straight into the database.
    straight = store_nul_straight_into_the_database(server, "12345-20261123-0042")
    later = server.add_work_order(
        build_work_order(
            ticket="12345-20261123-0043",
            source=Channel.HOTLINE_12345,
            station_code="JA01",
            category_code="GREEN.LIGHT",
            description="来电反映：路灯不亮。",
            dispatched_at=START,
        )
    )

    with caplog.at_level(logging.WARNING, logger="gridstation.server"):
        page = api.pull(credential, station)  # was 500, for good
    assert {i.event.case_id for i in page.items} == {own, later}
    assert {c.case_id for c in page.cases} == {own, later}
    assert page.cursor == feed_head(server) and not page.has_more
    withheld = sorted(event_id for event_id, code in server.quarantined("JA01") if code == "feed.withheld")
    assert len(withheld) == 2
    assert actions_of(server).count("feed.withheld") == 2
    assert sum("withheld event" in r.getMessage() for r in caplog.records) == 2
    (audit,) = [d for _, _, action, d in server.audit() if action == "feed.withheld" and d["case_id"] == old]
    assert "gridstation-server repair" in audit["reason"] and "\x00" not in audit["reason"]

    again = ModelStation("JA01", server_clock)  # a desk pulling everything again: still 200, nothing new quarantined
    api.pull_all(credential, again)
    assert len(server.quarantined("JA01")) == 2 and actions_of(server).count("feed.withheld") == 2

    head = feed_head(server)
    code, out, err = run_server_cli(capsys, server_db_url, "repair", "--station", "ja01", "--dry-run")
    assert code == 0, err
    assert "检查工作站：JA01" in out and "将清理诉求 O311-OLDSERVER0001 的「登记」事件" in out
    assert "address 去除 U+0000" in out and "complainant_name 去除 U+0000" in out
    assert "将重新计算诉求 2 件，重新发给工作站的事件 2 条。" in out and "数据库未做任何改动" in out
    assert feed_head(server) == head and len(server.quarantined("JA01")) == 2

    code, out, err = run_server_cli(capsys, server_db_url, "repair")
    assert code == 0, err
    assert "已清理诉求 12345-20261123-0042 的「登记」事件" in out and "已记入审计日志" in out
    assert server.quarantined("JA01") == []
    actions = actions_of(server)
    assert actions.count("repair.event_cleaned") == 2 and actions.count("repair.case_refed") == 2
    assert "repair.run" in actions
    (cleaned,) = [
        d for _, _, a, d in server.audit() if a == "repair.event_cleaned" and d["case_number"] == "O311-OLDSERVER0001"
    ]
    assert cleaned["removed"] == {"address": ["U+0000"], "complainant_name": ["U+0000"]}

    page = api.pull(credential, station)  # the repaired cases come down on the next sync
    assert {i.event.case_id for i in page.items} == {old, straight}
    assert all(i.event.hash_matches() for i in page.items)
    states = {c.case_id: c.state for c in page.cases}
    assert states[old]["address"] == "ab" and states[old]["complainant_name"] == "王"
    assert states[straight]["address"] == "枫林路 88 弄"
    assert server_state(server, "JA01")[old].address == "ab"
    api.pull_all(credential, again)
    assert {old, straight, own, later} <= set(again.server_states)

    code, out, _ = run_server_cli(capsys, server_db_url, "repair")
    assert (code, out.strip().splitlines()[-1]) == (0, "没有发现无法同步的数据。")


def test_item1_repair_leaves_a_stations_own_event_to_a_person(
    api: Api, server: ServerService, server_clock: FakeClock, server_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A station keeps its events with their content hash: the server withholds such a row but never rewrites it."""
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    case_id = station.register(0)
    note = station.record(case_id, EventType.FIRST_CONTACT, note="已电话联系居民")
    api.push_ok(credential, station)
    with server.writing() as session:
        session.execute(
            text("UPDATE events SET payload = :payload WHERE id = :id"),
            {"payload": '{"note":"已电话\\u0000联系居民"}', "id": note.id},
        )
    other = station.register(1)
    api.push_ok(credential, station)
    page = api.pull(credential, station)
    assert note.id not in {i.event.id for i in page.items} and other in {i.event.case_id for i in page.items}
    assert (note.id, "feed.withheld") in server.quarantined("JA01")
    code, out, _ = run_server_cli(capsys, server_db_url, "repair", "--station", "JA01")
    assert code == 1
    assert f"无法自动修复 1 项（需人工处理）：\n  诉求 {station.local_states[case_id].number} 的事件 {note.id}" in out
    assert "工作站上传的事件" in out
    code, _, err = run_server_cli(capsys, server_db_url, "repair", "--station", "ZZ99")
    assert code == 2 and "找不到工作站 ZZ99" in err


# --- item 9: every payload against its typed shape -------------------------------------------------------------


def test_item9_pushed_registrations_of_the_wrong_shape_are_rejected_with_a_precise_code(
    api: Api, server: ServerService, server_clock: FakeClock
) -> None:
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    forged_ticket = {
        "ticket": "12345-20261123-9999",
        "source": "hotline_12345",
        "dispatched_at": START.isoformat(),
        "due_at": None,
        "urgent": True,
    }
    attempts: list[tuple[dict[str, Any], str]] = [
        ({"description": {"html": "<b>井盖堵塞</b>"}}, "payload.field_type"),
        ({"compound": ["枫林苑", "康乐小区"]}, "payload.field_type"),
        ({"phone": 13812341234}, "payload.field_type"),
        ({"anonymous": "false"}, "payload.field_type"),
        ({"work_order": forged_ticket}, "workorder.forged"),
        ({"priority": "特急"}, "payload.unknown_field"),
        ({"description": "井盖\x01堵塞"}, "text.control_character"),
        ({"channel": "carrier_pigeon"}, "payload.field_value"),
        ({}, ""),
    ]
    pushed = [
        push_raw(station, new_id(), EventType.REGISTERED, registration_payload(station, **o)) for o, _ in attempts
    ]
    response = api.push_ok(credential, station)
    assert outcomes(response) == [("rejected", code) if code else ("applied", "") for _, code in attempts]
    assert set(server_state(server, "JA01")) == {pushed[-1].case_id}
    reasons = [r.reason for r in response.results]
    assert reasons[0] == "「登记」事件的「诉求内容」（description）应为文字，收到的是对象。"
    assert reasons[2] == "「登记」事件的「电话」（phone）应为文字，收到的是整数。"
    assert reasons[4].startswith("只有城运中心能派发工单")
    assert reasons[5] == "「登记」事件不应含有字段「priority」。"
    assert len(server.quarantined("JA01")) == len(attempts) - 1


def test_item9_other_pushed_events_of_the_wrong_shape_are_rejected(
    api: Api, server: ServerService, server_clock: FakeClock
) -> None:
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    case_id = station.register(0)
    station.record(case_id, EventType.FIRST_CONTACT, note="已电话联系居民")
    station.record(case_id, EventType.DISPATCHED, assignee="物业", note="")
    station.record(case_id, EventType.ARRIVED_ON_SITE, note="网格员到场")
    api.push_ok(credential, station)
    attempts: list[tuple[EventType, dict[str, Any], str]] = [
        (EventType.NOTE_ADDED, {"note": {"html": "<script>"}}, "payload.field_type"),
        (EventType.NOTE_ADDED, {"note": "居民来电", "priority": 1}, "payload.unknown_field"),
        (EventType.NOTE_ADDED, {"note": "居民来电", "department": "GREEN"}, "department.forged"),
        (EventType.DISPOSED, {"note": "已处理"}, "payload.field_missing"),  # the fold reads its outcome
        (EventType.TIER_CHANGED, {"to": "tracked", "reason": "需协同"}, "payload.field_missing"),
        (
            EventType.INTAKE_CORRECTED,
            {"field": "anonymous", "old": False, "value": "是", "reason": "要求匿名"},
            "payload.field_type",
        ),
        (EventType.RECEIPT_PRINTED, {"reprint": False, "paper": "80 mm", "copies": "2"}, "payload.field_type"),
        (EventType.CONFERENCE_FLAGGED, {"flagged": "yes", "reason": "多部门"}, "payload.field_type"),
        (EventType.NOTE_ADDED, {"note": "居民表示感谢"}, ""),
    ]
    for event_type, payload, code in attempts:
        push_raw(station, case_id, event_type, payload)
        response = api.push_ok(credential, station)
        assert outcomes(response) == [("rejected", code) if code else ("applied", "")], (event_type, payload)
    state = server_state(server, "JA01")[case_id]
    assert state.status is Status.ON_SITE and state.anonymous is False and state.version == 5


def test_item9_every_event_the_desk_and_the_centre_make_has_a_shape_the_server_takes(
    tmp_path: Path,
    service: StationService,
    clerk: StaffMember,
    admin: StaffMember,
    server: ServerService,
    server_clock: FakeClock,
) -> None:
    """Nothing legitimate is refused: the demo station's events, every kind the desk can record, the centre's own."""
    from gridstation.domain.payloads import check_payload
    from gridstation.server.accounts import Department
    from gridstation.server.ingest import event_refusal
    from gridstation.services.demo import create_demo_station

    demo = create_demo_station(tmp_path / "demo", cases=30, now=START)
    events = demo.all_events()
    demo.close()
    on_the_spot = service.register_case(clerk, complaint(1, Tier.ON_THE_SPOT))
    case = service.register_case(clerk, complaint(2))
    every_kind: list[tuple[EventType, dict[str, Any]]] = [
        (EventType.RECEIPT_PRINTED, {"paper": "80 mm 热敏", "copies": 2}),
        (EventType.RECEIPT_PRINTED, {"paper": "A4", "copies": 1}),
        (EventType.CONFERENCE_FLAGGED, {"flagged": True, "reason": "涉及多个部门"}),
        (EventType.CONFERENCE_FLAGGED, {"flagged": False, "reason": ""}),
        (EventType.INTAKE_CORRECTED, {"field": "anonymous", "value": True, "reason": "居民要求匿名"}),
        (EventType.INTAKE_CORRECTED, {"field": "phone", "value": "021-6433 1234", "reason": "居民更正"}),
        (EventType.TIER_CHANGED, {"to": "tracked", "reason": "需交警协同", "resolves_conflict": new_id()}),
        (EventType.OWNER_CHANGED, {"to": admin.name, "reason": "调岗交接"}),
        (EventType.NOTE_ADDED, {"note": "冲突处理：保留本机的值", "resolves_conflict": new_id()}),
        (EventType.SUPPLEMENTED, {"note": "邻居也来反映同一棵树", "channel": "walk_in"}),  # 追加诉求 (issue 17)
        (EventType.FIRST_CONTACT, {}),
        (EventType.DISPATCHED, {"assignee": "绿化市容所"}),
        (EventType.ARRIVED_ON_SITE, {}),
        (EventType.DISPOSED, {"outcome": "plan", "note": "已拿出方案"}),
        (EventType.CLOSED, {"answer": "已答复居民"}),
        (EventType.VISIT_UNREACHABLE, {"kind": "department_feedback", "note": "三次来电无人接听"}),
        (EventType.FOLLOW_UP, {"kind": "department_feedback", "satisfaction": "satisfied", "resolution": "resolved"}),
        (
            EventType.FOLLOW_UP,
            {
                "kind": "station_revisit",
                "source": "paper_form",
                "visited_on": "2026-11-23",
                "visitor": "李明",
                "satisfaction": "basically_satisfied",
                "resolution": "partly",
                "note": "",
            },
        ),
    ]
    for event_type, payload in every_kind:
        service.record(admin, case.id, event_type, payload)
    service.reveal_phone(admin, case.id, "回访")  # who saw the full number, and why (item 8)
    service.attach_photo(admin, case.id, _small_png(), "现场.png")  # a photo of the problem (issue 15)
    desk_events = service.all_events()
    # The centre's 吹哨报到 events are the server's own, checked below.
    assert {e.type for e in desk_events} | {e.type for e in events} == set(EventType) - CENTRE_ONLY_EVENTS
    assert any(e.case_id == on_the_spot.id and e.type is EventType.CLOSED for e in desk_events)
    for event in [*events, *desk_events]:
        check_payload(event.type, event.payload, stored=True)
        assert event_refusal(event) is None, (event.type, event.payload)

    server.add_station("JA01", "枫林居委会")
    server.add_department("GREEN", "区绿化市容局")
    green = Department("GREEN", "区绿化市容局")
    order = build_work_order(
        ticket="12345-20261123-0042",
        source=Channel.HOTLINE_12345,
        station_code="JA01",
        category_code="GREEN.LIGHT",
        description="来电反映：香樟树遮挡采光。",
        dispatched_at=START,
        due_hours=24,
        urgent=True,
    )
    case_id = server.add_work_order(order)
    station = ModelStation("JA01", lambda: START)
    station.local_states[case_id] = server_state(server, "JA01")[case_id]
    station.record(case_id, EventType.FIRST_CONTACT, note="已联系")
    # The station sends it to GREEN: only then may GREEN touch it (item 2); GREEN passes it on to its own team.
    station.record(case_id, EventType.DISPATCHED, assignee="区绿化市容局", note="")
    server.push("JA01", PushRequest(events=station.events))
    for update in ("dispatched", "on_site", "disposed", "closed"):
        server.department_update(green, StatusUpdate(case_number=order.ticket, update=update, note="绿化所处理"))
    with server.reading() as session:
        centre = session.scalars(select(ServerEventRow).where(ServerEventRow.origin == "server")).all()
    assert len(centre) == 5
    for row in centre:
        check_payload(EventType(row.type), row.payload, stored=True)
    _centre_dispatch_events_have_their_shapes(server, server_clock)


def _centre_dispatch_events_have_their_shapes(server: ServerService, clock: FakeClock) -> None:
    """吹哨报到 (issue 15): the centre dispatches, a department answers, the centre withdraws; a gridlead's events."""
    from gridstation.domain.console_roles import ConsoleRole
    from gridstation.domain.payloads import check_payload
    from gridstation.server.dispatch_views import DispatchRequest, ReplyRequest, WithdrawRequest
    from gridstation.server.visibility import Principal

    order = build_work_order(
        ticket="12345-20261123-0043",
        source=Channel.HOTLINE_12345,
        station_code="JA01",
        category_code="GREEN.LIGHT",
        description="来电反映：井盖破损。",
        dispatched_at=START,
        due_hours=24,
        urgent=False,
    )
    server.add_work_order(order)
    server.add_department("WATER", "区水务局")
    centre = Principal("u-centre", "centre", ConsoleRole.CENTRE)
    water = Principal("u-water", "water", ConsoleRole.DEPARTMENT, department="WATER")
    number = order.ticket
    server.dispatch_case(centre, number, DispatchRequest(lead="WATER", assist=["GREEN"], idempotency_key="k-dispatch"))
    server.reply_case(water, number, ReplyRequest(kind="progress", note="已派人", idempotency_key="k-progress"))
    server.withdraw_dispatch(centre, number, WithdrawRequest(reason="派错部门", idempotency_key="k-withdraw"))
    server.dispatch_case(centre, number, DispatchRequest(lead="WATER", idempotency_key="k-dispatch-again"))
    server.reply_case(water, number, ReplyRequest(kind="reject", note="不属本部门", idempotency_key="k-reject"))
    with server.reading() as session:
        made = session.scalars(
            select(ServerEventRow)
            .join(ServerCaseRow, ServerCaseRow.id == ServerEventRow.case_id)
            .where(ServerCaseRow.number == number)
        ).all()
    clock.advance(days=1)
    supervised = server.supervise()  # 督办 (issue 16): the pass's own events, once the deadlines have passed
    assert supervised.recorded
    with server.reading() as session:
        made = session.scalars(
            select(ServerEventRow)
            .join(ServerCaseRow, ServerCaseRow.id == ServerEventRow.case_id)
            .where(ServerCaseRow.number == number)
        ).all()
    for row in made:
        check_payload(EventType(row.type), row.payload, stored=True)
    state = server_state(server, "JA01")[made[0].case_id]
    took = {"gridlead": "王网格长", "note": "网格长牵头"}
    meeting = {"convened_by": "王网格长", "attendees": ["区水务局"], "decision": "换井盖", "owners": ["区水务局"]}
    for event_type, payload in ((EventType.GRIDLEAD_TOOK_LEAD, took), (EventType.JOINT_MEETING, meeting)):
        check_payload(event_type, check_legal(state, event_type, payload), stored=True)
    decision = {
        "attendees": ["区水务局"],
        "decision": "换井盖",
        "owner": "区水务局",
        "due_at": "2026-12-10T17:00:00+08:00",
    }
    decided = check_legal(replace(state, conference_flagged=True), EventType.CONFERENCE_DECIDED, decision)
    check_payload(EventType.CONFERENCE_DECIDED, decided, stored=True)
    made_types = {EventType(row.type) for row in made}
    assert made_types | {EventType.GRIDLEAD_TOOK_LEAD, EventType.JOINT_MEETING, EventType.CONFERENCE_DECIDED} >= (
        CENTRE_ONLY_EVENTS
    )


# --- item 13 (first half): times from a wrong clock ------------------------------------------------------------


def test_item13_a_case_dated_2099_is_shown_and_ordered_at_the_time_the_server_received_it(
    api: Api, server: ServerService, server_clock: FakeClock
) -> None:
    credential = api.enrol_station("JA01")
    wrong = ModelStation("JA01", lambda: datetime(2099, 1, 1, 8, tzinfo=UTC))
    dated_2099 = wrong.register(0)
    wrong.record(dated_2099, EventType.FIRST_CONTACT, note="已电话联系居民")
    received = server_clock()
    response = api.push_ok(credential, wrong)
    assert outcomes(response) == [("applied", "clock.ahead")] * 2
    assert response.results[0].reason.startswith("本机时钟比城运中心快约")
    assert "请校准本机日期和时间" in response.results[0].reason
    state = server_state(server, "JA01")[dated_2099]
    assert (state.registered_at, state.first_contact_at, state.updated_at) == (received, received, received)
    assert actions_of(server).count("push.clock_ahead") == 1
    # The event itself keeps the station's time, and with it its content hash (the day receipt still matches).
    page = api.pull(credential, wrong)
    assert {i.event.occurred_at for i in page.items} == {datetime(2099, 1, 1, 8, tzinfo=UTC)}
    assert all(i.event.hash_matches() for i in page.items)

    # A case a right clock registers a minute later is above it in the public list, and nothing says 2099.
    jb = api.enrol_station("JB02", "康乐居委会")
    server_clock.advance(minutes=1)
    right = ModelStation("JB02", server_clock)
    newer = right.register(1)
    api.push_ok(jb, right)
    answer = api.client.get("/open311/v2/requests.json")
    assert answer.status_code == 200
    listed = [item["service_request_id"] for item in answer.json()]
    assert listed[:2] == [right.local_states[newer].number, wrong.local_states[dated_2099].number]
    assert not [item for item in answer.json() if item["requested_datetime"].startswith("2099")]


def test_item13_a_station_a_day_ahead_is_still_shown_as_recorded_and_a_future_dispatch_is_refused(
    api: Api, server: ServerService, server_clock: FakeClock, capsys: pytest.CaptureFixture[str], server_db_url: str
) -> None:
    credential = api.enrol_station("JA01")
    day_ahead = ModelStation("JA01", lambda: server_clock() + timedelta(days=1))
    case_id = day_ahead.register(0)
    assert outcomes(api.push_ok(credential, day_ahead)) == [("applied", "")]
    assert server_state(server, "JA01")[case_id].registered_at == server_clock() + timedelta(days=1)

    order = ["workorder", "add", "--ticket", "12345-20991123-0001", "--station", "JA01", "--category", "GREEN.LIGHT"]
    code, _, err = run_server_cli(
        capsys, server_db_url, *order, "--description", "香樟树遮挡采光", "--dispatched-at", "2099-11-23 09:30"
    )
    assert code == 2 and "派单时间「2099-11-23 09:30」晚于现在，请核对日期" in err
    assert len(server_state(server, "JA01")) == 1


def _small_png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "#3a7").save(out, format="PNG")
    return out.getvalue()
