"""The console's users on a server holding real cases (issue 15): a station JA01 with cases in grids G01 and G02,
departments WATER and GREEN, and a signed-in user of each kind, spoken to through the in-process API."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

import httpx

from gridstation.domain.console_roles import ConsoleRole
from gridstation.domain.enums import EventType
from gridstation.domain.events import new_id
from gridstation.domain.lifecycle import decide_registration
from gridstation.domain.numbering import format_case_number
from gridstation.server.service import ServerService
from tests.support.clock import FakeClock
from tests.support.complaints import complaint
from tests.support.server import Api, ModelStation, auth

PASSWORD = "correct-horse-42"
WATER, WATER_NAME = "WATER", "区水务局"
GREEN, GREEN_NAME = "GREEN", "区绿化市容局"


@dataclass
class Console:
    api: Api
    server: ServerService
    clock: FakeClock
    credential: str  # JA01's
    station: ModelStation
    tokens: dict[str, str] = field(default_factory=dict)  # username -> bearer token

    def case(self, *, grid: str = "", dispatched_to: str | None = None) -> str:
        """A case JA01 registered in `grid` (and dispatched to the department named so), pushed; its number."""
        station = self.station
        intake = dataclasses.replace(complaint(station.daily), grid_code=grid)
        case_id = new_id()
        station.daily += 1
        number = format_case_number(station.code, station.wall().date(), station.daily)
        for draft in decide_registration(case_id, number, intake):
            station._stamp(case_id, draft.type, draft.payload)
        station.record(case_id, EventType.FIRST_CONTACT, note="已电话联系居民")
        if dispatched_to is not None:
            station.record(case_id, EventType.DISPATCHED, assignee=dispatched_to, note="")
        self.api.push_ok(self.credential, station)
        return number

    def add_user(self, username: str, role: ConsoleRole, **scope: object) -> str:
        """Make the user, sign in through the API; the bearer token."""
        self.server.add_user(username, role, PASSWORD, **scope)  # type: ignore[arg-type]
        answer = self.login(username, PASSWORD)
        assert answer.status_code == 200, answer.text
        self.tokens[username] = str(answer.json()["token"])
        return self.tokens[username]

    def login(self, username: str, password: str) -> httpx.Response:
        return self.api.client.post("/api/v1/login", json={"username": username, "password": password})

    def get(self, path: str, username: str | None = None, **params: object) -> httpx.Response:
        headers = auth(self.tokens[username]) if username else {}
        return self.api.client.get(path, headers=headers, params=params)  # type: ignore[arg-type]


def console_of(api: Api, server: ServerService, clock: FakeClock) -> Console:
    credential = api.enrol_station("JA01")
    server.add_department(WATER, WATER_NAME)
    server.add_department(GREEN, GREEN_NAME)
    return Console(api, server, clock, credential, ModelStation("JA01", clock))


CSRF_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def sign_in_to_console(client: httpx.Client, username: str, password: str = PASSWORD) -> str:
    """Sign in through the console's form as a browser does (a fresh cookie jar first); the session's CSRF token,
    as the board's forms carry it."""
    client.cookies.clear()
    token = CSRF_TOKEN.search(client.get("/console/login").text)
    assert token is not None
    form = {"username": username, "password": password, "csrf_token": token.group(1)}
    assert client.post("/console/login", data=form, follow_redirects=False).status_code == 303
    found = CSRF_TOKEN.search(client.get("/console/").text)
    assert found is not None
    return found.group(1)
