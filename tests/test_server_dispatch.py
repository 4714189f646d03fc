"""Issue 15, 吹哨报到 through the JSON API: the centre dispatches to a lead and a co-operating department, each
answers, a 退单 goes back to the centre's queue, a third department sees nothing, a double submit stores once, and
every refusal is a Chinese 4xx."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gridstation.domain.console_roles import ConsoleRole
from gridstation.domain.enums import EventType
from gridstation.server.service import ServerService
from tests.support.clock import FakeClock
from tests.support.console import GREEN, WATER, Console, console_of
from tests.support.server import Api, auth, server_state

ROADS = "ROADS"
_keys = iter(range(10_000))


def post(
    console: Console, number: str, action: str, username: str, key: str | None = None, **body: Any
) -> httpx.Response:
    body["idempotency_key"] = key or f"key-{next(_keys):06d}"
    headers = auth(console.tokens[username])
    return console.api.client.post(f"/api/v1/cases/{number}/{action}", json=body, headers=headers)


def ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def refused(answer: httpx.Response, status: int, code: str | None = None) -> str:
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    if code is not None:
        assert error["code"] == code, error
    assert any("\u4e00" <= c <= "\u9fff" for c in error["message"]), error  # Chinese words for a person
    assert "Traceback" not in error["message"]
    return str(error["message"])


@pytest.fixture
def console(api: Api, server: ServerService, server_clock: FakeClock) -> Console:
    console = console_of(api, server, server_clock)
    server.add_department(ROADS, "区建管委")
    console.add_user("centre", ConsoleRole.CENTRE)
    console.add_user("water", ConsoleRole.DEPARTMENT, department=WATER)
    console.add_user("green", ConsoleRole.DEPARTMENT, department=GREEN)
    console.add_user("roads", ConsoleRole.DEPARTMENT, department=ROADS)
    console.add_user("lead-g01", ConsoleRole.GRIDLEAD, grids=["G01"])
    console.add_user("lead-g02", ConsoleRole.GRIDLEAD, grids=["G02"])
    return console


def timeline(console: Console, number: str) -> list[str]:
    return [entry["text"] for entry in ok(console.get(f"/api/v1/cases/{number}", "centre"))["timeline"]]


def test_dispatch_answers_and_the_leads_result_disposes_the_case(console: Console) -> None:
    number = console.case(grid="G01")
    assert console.get(f"/api/v1/cases/{number}", "water").status_code == 404  # not yet dispatched to it
    answer = ok(post(console, number, "dispatch", "centre", lead=WATER, assist=[GREEN], note="请会同处置"))
    assert answer["status"] == "dispatched" and answer["outcome"] == "applied"
    # Both departments now see it, on the board and by number; the third does not.
    for username in ("water", "green"):
        assert [i["number"] for i in ok(console.get("/api/v1/cases", username))["items"]] == [number]
    assert ok(console.get("/api/v1/cases", "roads"))["items"] == []
    ok(post(console, number, "reply", "water", kind="accept"))
    ok(post(console, number, "reply", "green", kind="accept"))
    assert ok(post(console, number, "reply", "green", kind="result", note="已修剪周边绿化"))["status"] == "dispatched"
    assert ok(post(console, number, "reply", "water", kind="on_site", note="已到场"))["status"] == "on_site"
    assert ok(post(console, number, "reply", "water", kind="result", note="已更换井盖"))["status"] == "disposed"
    texts = timeline(console, number)
    assert "区水务局（牵头）" in next(t for t in texts if t.startswith("派单"))
    assert "WATER（牵头）办理结果：已更换井盖" in texts and "GREEN（协办）办理结果：已修剪周边绿化" in texts
    state = server_state(console.server, "JA01")
    case = next(s for s in state.values() if s.number == number)
    assert {t.department: t.state.value for t in case.tasks} == {"WATER": "answered", "GREEN": "answered"}


def test_a_rejection_goes_back_to_the_centres_queue_and_a_redispatch_follows(console: Console) -> None:
    number = console.case(grid="G01")
    ok(post(console, number, "dispatch", "centre", lead=WATER))
    message = refused(post(console, number, "reply", "water", kind="reject"), 422, "note.required")
    assert "退单原因" in message
    back = ok(post(console, number, "reply", "water", kind="reject", note="不属于水务职责"))
    assert back["status"] == "contacted"  # where it stood before dispatch: the centre's queue
    assert ok(console.get("/api/v1/cases", "centre", status="contacted"))["items"][0]["number"] == number
    refused(post(console, number, "reply", "water", kind="progress", note="补充"), 409, "reply.not_dispatched")
    # The department that rejected still sees the case it once had (its history), but cannot act on it.
    assert console.get(f"/api/v1/cases/{number}", "water").status_code == 200
    assert ok(post(console, number, "dispatch", "centre", lead=GREEN))["status"] == "dispatched"
    assert ok(post(console, number, "withdraw", "centre", reason="派错部门"))["status"] == "contacted"
    assert "撤回派单，原因：派错部门" in timeline(console, number)


def test_a_third_department_gets_404_for_everything(console: Console) -> None:
    number = console.case(grid="G01")
    ok(post(console, number, "dispatch", "centre", lead=WATER, assist=[GREEN]))
    missing = "JA01-20261123-0099-Q"
    for action, body in (("reply", {"kind": "accept"}), ("dispatch", {"lead": ROADS}), ("withdraw", {"reason": "x"})):
        hidden = post(console, number, action, "roads", **body)
        nowhere = post(console, missing, action, "roads", **body)
        refused(hidden, 404, "case.unknown")
        assert hidden.json()["error"]["message"].replace(number, missing) == nowhere.json()["error"]["message"]
    assert console.get(f"/api/v1/cases/{number}", "roads").status_code == 404


def test_a_double_submit_stores_one_event(console: Console) -> None:
    number = console.case(grid="G01")
    first = ok(post(console, number, "dispatch", "centre", key="dispatch-click-1", lead=WATER))
    again = ok(post(console, number, "dispatch", "centre", key="dispatch-click-1", lead=WATER))
    assert again["event_id"] == first["event_id"] and again["outcome"] == "duplicate"
    reply = ok(post(console, number, "reply", "water", key="reply-click-1", kind="progress", note="已派人"))
    assert ok(post(console, number, "reply", "water", key="reply-click-1", kind="progress", note="已派人")) == {
        **reply,
        "outcome": "duplicate",
    }
    assert sum(t.startswith("派单") for t in timeline(console, number)) == 1
    assert sum("进展" in t for t in timeline(console, number)) == 1
    # The same key from another user is another action.
    other = ok(post(console, number, "reply", "water", key="reply-click-2", kind="progress", note="已派人"))
    assert other["event_id"] != reply["event_id"]


def test_who_may_do_what(console: Console) -> None:
    g01, g02 = console.case(grid="G01"), console.case(grid="G02")
    refused(post(console, g01, "dispatch", "lead-g02", lead=WATER), 404, "case.unknown")  # not its grid
    refused(post(console, g01, "reply", "lead-g02", kind="take_lead"), 404, "case.unknown")
    assert ok(post(console, g01, "dispatch", "lead-g01", lead=WATER))["status"] == "dispatched"
    refused(post(console, g01, "dispatch", "water", lead=GREEN), 403, "action.forbidden")
    refused(post(console, g01, "reply", "centre", kind="accept"), 403, "action.forbidden")
    refused(post(console, g01, "reply", "water", kind="take_lead"), 403, "action.forbidden")
    # A gridlead takes the lead of a case in its grid and records a 联勤联动 meeting.
    assert ok(post(console, g02, "reply", "lead-g02", kind="take_lead", note="网格长牵头"))["status"] == "dispatched"
    meeting = dict(kind="meeting", attendees=["区水务局", "物业"], decision="物业设围挡", owners=["物业"])
    ok(post(console, g02, "reply", "lead-g02", **meeting, due="2026-11-24T17:00:00+08:00"))
    assert any(t.startswith("联勤联动：区水务局、物业参会") for t in timeline(console, g02))
    refused(post(console, g02, "reply", "lead-g02", kind="meeting", attendees=[], decision="x"), 422)


def test_bad_input_is_a_chinese_4xx(console: Console) -> None:
    number = console.case(grid="G01")
    assert "NOPE" in refused(post(console, number, "dispatch", "centre", lead="NOPE"), 422, "department.unknown")
    refused(post(console, number, "dispatch", "centre", lead=WATER, assist=[WATER]), 422, "dispatch.lead_assists")
    refused(post(console, number, "dispatch", "centre", lead=WATER, due="2026-11-23T08:00:00"), 422, "time.no_zone")
    refused(post(console, number, "dispatch", "centre", lead=WATER, due="2020-01-01T00:00:00+08:00"), 422)
    refused(post(console, number, "withdraw", "centre", reason="无派单"), 409)
    refused(post(console, number, "dispatch", "centre", lead=WATER, note="坏\x07字"), 422)
    answer = console.api.client.post(
        f"/api/v1/cases/{number}/dispatch", json={"lead": WATER}, headers=auth(console.tokens["centre"])
    )
    refused(answer, 422, "request.invalid")  # no idempotency key


def test_a_station_cannot_push_the_centres_events(console: Console) -> None:
    station = console.station
    case_id = station.register(5)
    station.record(case_id, EventType.FIRST_CONTACT, note="已联系")
    # Stamped as they are, past the desk's own checks: what a tampered desk could send.
    station._stamp(case_id, EventType.DEPARTMENT_REPLIED, {"kind": "result", "department": WATER, "role": "lead"})
    station._stamp(case_id, EventType.DISPATCHED, {"assignee": "区水务局", "lead": WATER, "tasks": []})
    answer = console.api.push(console.credential, station.batch())
    codes = [item.get("code") for item in answer.json()["results"] if item["outcome"] != "applied"]
    assert codes == ["event.centre_only", "dispatch.forged"], answer.json()
