"""The server's fixtures and helpers: its database (SQLite and PostgreSQL), clock, service and in-process API, and
a light in-memory station that makes real domain events.

The model station decides events with the domain's own rules (`decide_registration`, `decide`), numbers them
like a real station (gap-free `station_seq`) and keeps what it pulled, so tests can compare it with the server.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from gridstation.domain.case import CaseState, apply
from gridstation.domain.clock import HybridLogicalClock
from gridstation.domain.codec import state_from_json
from gridstation.domain.enums import EventType, Tier
from gridstation.domain.events import Event, new_id
from gridstation.domain.lifecycle import decide, decide_registration
from gridstation.domain.numbering import format_case_number
from gridstation.protocol import PROTOCOL_HEADER, PullResponse, PushedEvent, PushRequest, PushResponse
from gridstation.server.app import create_app
from gridstation.server.db import open_database
from gridstation.server.faults import FaultInjector
from gridstation.server.service import ServerService
from tests.support.clock import FakeClock
from tests.support.complaints import complaint

POSTGRES_ENV = "GRIDSTATION_TEST_POSTGRES_URL"


def postgres_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV)
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(f"{POSTGRES_ENV} is not set: scripts/test.sh starts PostgreSQL for CI")
    return None


def fresh_postgres(url: str) -> str:
    """Empty the test database: every test starts from migrations on a clean schema."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def database_url(kind: str, tmp_path: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'server.db'}"
    url = postgres_url()
    if url is None:
        pytest.skip(f"PostgreSQL not available ({POSTGRES_ENV} unset); scripts/test.sh starts one")
    return fresh_postgres(url)


@dataclass
class ModelStation:
    """A station in memory: its own events numbered 1, 2, 3…, and what it pulled from the server."""

    code: str
    wall: Callable[[], datetime]
    seq: int = 0
    events: list[PushedEvent] = field(default_factory=list)
    local_states: dict[str, CaseState] = field(default_factory=dict)
    cursor: int = 0
    epoch: int = 0
    pulled_ids: set[str] = field(default_factory=set)
    server_states: dict[str, dict[str, Any]] = field(default_factory=dict)
    acknowledged: int = 0
    daily: int = 0

    def __post_init__(self) -> None:
        self.hlc = HybridLogicalClock(wall_ms=lambda: int(self.wall().timestamp() * 1000))

    def _stamp(self, case_id: str, event_type: EventType, payload: dict[str, Any]) -> Event:
        event = Event(
            id=new_id(),
            case_id=case_id,
            type=event_type,
            payload=payload,
            actor_id="staff-1",
            actor_name="李明",
            station_code=self.code,
            occurred_at=self.wall(),
            hlc=self.hlc.now().encode(),
        )
        self.seq += 1
        self.events.append(PushedEvent.numbered(event, self.seq))
        self.local_states[case_id] = apply(self.local_states.get(case_id), event)
        return event

    def register(self, index: int = 0, *, tier: Tier = Tier.QUICK) -> str:
        intake = complaint(index, tier)
        case_id = new_id()
        self.daily += 1
        number = format_case_number(self.code, self.wall().date(), self.daily)
        for draft in decide_registration(case_id, number, intake):
            self._stamp(case_id, draft.type, draft.payload)
        return case_id

    def record(self, case_id: str, event_type: EventType, **payload: Any) -> Event:
        draft = decide(self.local_states[case_id], event_type, payload)
        return self._stamp(case_id, draft.type, draft.payload)

    def unsent(self) -> list[PushedEvent]:
        return [e for e in self.events if e.station_seq > self.acknowledged]

    def batch(self, events: list[PushedEvent] | None = None) -> dict[str, Any]:
        chosen = self.unsent() if events is None else events
        return PushRequest(events=chosen).model_dump(mode="json")

    def absorb(self, page: PullResponse) -> None:
        if page.reset:
            self.cursor = 0
            self.epoch = page.epoch
            return
        for item in page.items:
            self.pulled_ids.add(item.event.id)
        for snapshot in page.cases:
            self.server_states[snapshot.case_id] = snapshot.state
        assert page.cursor >= self.cursor, "cursors only move forward"
        self.cursor = page.cursor
        self.epoch = page.epoch


class Api:
    """The server app in-process, spoken to over HTTP semantics (TestClient)."""

    def __init__(self, service: ServerService, data_dir: Path) -> None:
        self.service = service
        self.client = TestClient(create_app(service, data_dir), raise_server_exceptions=False)
        self.client.headers[PROTOCOL_HEADER] = "1"

    def enrol_station(self, code: str, name: str = "枫林居委会") -> str:
        enrolment = self.service.add_station(code, name)
        answer = self.client.post("/api/v1/enrol", json={"code": enrolment})
        assert answer.status_code == 200, answer.text
        return str(answer.json()["credential"])

    def push(self, credential: str, body: dict[str, Any]) -> Any:
        return self.client.post("/api/v1/sync/push", json=body, headers=auth(credential))

    def push_ok(self, credential: str, station: ModelStation, events: list[PushedEvent] | None = None) -> PushResponse:
        answer = self.push(credential, station.batch(events))
        assert answer.status_code == 200, answer.text
        response = PushResponse.model_validate(answer.json())
        station.acknowledged = max(station.acknowledged, response.acknowledged_seq)
        return response

    def pull(self, credential: str, station: ModelStation, limit: int = 500) -> PullResponse:
        answer = self.client.get(
            "/api/v1/sync/pull",
            params={"after": station.cursor, "epoch": station.epoch, "limit": limit},
            headers=auth(credential),
        )
        assert answer.status_code == 200, answer.text
        page = PullResponse.model_validate(answer.json())
        station.absorb(page)
        return page

    def pull_all(self, credential: str, station: ModelStation, limit: int = 500) -> None:
        for _ in range(10_000):
            page = self.pull(credential, station, limit)
            if not page.has_more:
                return
        raise AssertionError("pull did not finish")


def auth(credential: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential}"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_url(str(request.param), tmp_path)


@pytest.fixture
def server_clock() -> FakeClock:
    """The server's own clock, apart from the desk's `clock`."""
    return FakeClock()


@pytest.fixture
def server(server_db_url: str, server_clock: FakeClock) -> Iterator[ServerService]:
    database = open_database(server_db_url)
    yield ServerService(database, clock=server_clock, faults=FaultInjector())
    database.dispose()


@pytest.fixture
def api(server: ServerService, tmp_path: Path) -> Iterator[Api]:
    client = Api(server, tmp_path / "server-data")
    yield client
    client.client.close()


def server_state(service: ServerService, station_code: str) -> dict[str, CaseState]:
    return {case_id: state_from_json(state) for case_id, state in service.case_states(station_code).items()}
