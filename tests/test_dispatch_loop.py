"""Issue 15, 吹哨报到 end to end with a real desk and a real server process (SQLite): the station registers a case
and syncs; the centre dispatches it to a lead and a co-operating department; both answer; a third department sees
nothing; the station pulls, its timeline shows both answers and the case is disposed; the clerk closes it and does
回访 as today; the centre sees it closed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from gridstation.domain.console_roles import ConsoleRole
from gridstation.domain.enums import EventType, Status
from gridstation.domain.timeline import describe_event
from gridstation.protocol import PROTOCOL_HEADER
from gridstation.server.db import open_database
from gridstation.server.service import ServerService
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.sync.engine import SyncService
from tests.support.clock import FakeClock
from tests.support.complaints import complaint
from tests.support.live_server import LiveServer
from tests.support.server import auth

PASSWORD = "correct-horse-42"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    """A server process with departments WATER, GREEN, ROADS and a user for each, plus the centre; and the
    one-time enrolment code of station JA01."""
    url = f"sqlite:///{tmp_path / 'centre.db'}"
    database = open_database(url)
    try:
        centre = ServerService(database)
        enrolment = centre.add_station("JA01", "枫林居委会民情快办工作站")
        for code, name in (("WATER", "区水务局"), ("GREEN", "区绿化市容局"), ("ROADS", "区建管委")):
            centre.add_department(code, name)
            centre.add_user(code.lower(), ConsoleRole.DEPARTMENT, PASSWORD, department=code)
        centre.add_user("centre", ConsoleRole.CENTRE, PASSWORD)
    finally:
        database.dispose()
    server = LiveServer(url, tmp_path / "centre-data")
    server.start()
    try:
        yield server, enrolment
    finally:
        server.stop()


class Console:
    """The centre's and the departments' users, speaking to the live server's JSON API."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.tokens: dict[str, str] = {}
        self.keys = 0

    def sign_in(self, username: str) -> None:
        answer = self.client.post("/api/v1/login", json={"username": username, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        self.tokens[username] = answer.json()["token"]

    def post(self, username: str, number: str, action: str, **body: Any) -> dict[str, Any]:
        self.keys += 1
        body["idempotency_key"] = f"loop-{self.keys:04d}"
        answer = self.client.post(f"/api/v1/cases/{number}/{action}", json=body, headers=auth(self.tokens[username]))
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def get(self, username: str, path: str) -> httpx.Response:
        return self.client.get(path, headers=auth(self.tokens[username]))


def test_the_whole_loop_between_a_desk_and_the_centre(
    live: tuple[LiveServer, str], service: StationService, admin: StaffMember, clerk: StaffMember, clock: FakeClock
) -> None:
    server, enrolment = live
    # The desk's clock agrees with the server process's, whose events it will fold among its own.
    clock.current = datetime.now(UTC)
    sync = SyncService(service)
    sync.enrol(admin, server.url, enrolment)
    case = service.register_case(clerk, complaint(0))
    assert sync.run().ok

    with httpx.Client(base_url=server.url, timeout=10, headers={PROTOCOL_HEADER: "1"}) as client:
        loop(Console(client), sync, service, clerk, clock, case.id, case.number)


def loop(
    console: Console, sync: SyncService, service: StationService, clerk: StaffMember, clock: FakeClock, case_id: str,
    number: str,
) -> None:  # fmt: skip
    for username in ("centre", "water", "green", "roads"):
        console.sign_in(username)
    dispatched = console.post("centre", number, "dispatch", lead="WATER", assist=["GREEN"], note="请会同处置")
    assert dispatched["status"] == "dispatched"
    # Each department sees only its own case; the third sees nothing.
    for username in ("water", "green"):
        assert [i["number"] for i in console.get(username, "/api/v1/cases").json()["items"]] == [number]
    assert console.get("roads", "/api/v1/cases").json()["items"] == []
    assert console.get("roads", f"/api/v1/cases/{number}").status_code == 404
    console.post("water", number, "reply", kind="accept")
    console.post("green", number, "reply", kind="result", note="已清理井盖周边绿化")
    console.post("water", number, "reply", kind="on_site", note="养护队已到场")
    assert console.post("water", number, "reply", kind="result", note="已更换破损井盖")["status"] == "disposed"

    clock.current = datetime.now(UTC)
    pulled = sync.run()
    assert pulled.ok, (pulled.error_code, pulled.error)
    at_desk = service.case(case_id)
    assert at_desk.status is Status.DISPOSED
    answers = {t.department: t.last_reply for t in at_desk.tasks}
    assert answers == {"WATER": "已更换破损井盖", "GREEN": "已清理井盖周边绿化"}
    lines = [describe_event(event) for event in service.timeline(case_id)]
    assert "WATER（牵头）办理结果：已更换破损井盖" in lines
    assert "GREEN（协办）办理结果：已清理井盖周边绿化" in lines
    assert any(line.startswith("派单：区水务局（牵头），协办：GREEN") for line in lines)

    # The clerk closes the case and does 回访 as today.
    clock.current = datetime.now(UTC)
    service.record(clerk, case_id, EventType.CLOSED, {"answer": "井盖已更换，已告知居民"})
    assert sync.run().ok
    assert console.get("centre", f"/api/v1/cases/{number}").json()["case"]["status"] == "closed"
    for kind in ("department_feedback", "station_revisit"):
        visit = {"kind": kind, "satisfaction": "satisfied", "resolution": "resolved"}
        service.record(clerk, case_id, EventType.FOLLOW_UP, visit)
    assert sync.run().ok
    assert service.case(case_id).status is Status.FOLLOWED_UP
    seen = console.get("centre", f"/api/v1/cases/{number}").json()
    assert seen["case"]["status"] == "followed_up"
    assert any(entry["text"].startswith("工作站回访：满意") for entry in seen["timeline"])
