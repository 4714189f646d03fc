"""A centre (the real server app, in-process) and desks that sync with it through the real sync engine.

The HTTP requests go through httpx into the FastAPI app (starlette's test transport), so everything but the
socket is real. `FaultyTransport` injects failures before or after the server handled a request.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gridstation.server.app import create_app
from gridstation.server.db import open_database
from gridstation.server.service import ServerService
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.storage.models import EventRow
from gridstation.sync.engine import SyncService
from gridstation.sync.retry import RetryPolicy
from gridstation.sync.transport import ServerTransport
from tests.support.clock import FakeClock

CENTRE_URL = "http://centre.test"

Fault = Callable[[httpx.Request, Callable[[httpx.Request], httpx.Response]], httpx.Response]


def refuse_connection(request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def lose_response(request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]) -> httpx.Response:
    forward(request)  # the server handled it and committed
    raise httpx.ReadError("connection reset while reading the response", request=request)


def answer_status(status: int, retry_after: str = "0") -> Fault:
    def fault(request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]) -> httpx.Response:
        return httpx.Response(status, headers={"Retry-After": retry_after}, text="<html>busy</html>")

    return fault


def truncate_body(request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]) -> httpx.Response:
    real = forward(request)
    body = real.read()
    return httpx.Response(
        real.status_code, headers={"content-type": "application/json"}, content=body[: len(body) // 2]
    )


class FaultyTransport(httpx.BaseTransport):
    """Passes requests to the app; a queued fault applies to the next request whose path matches."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.faults: deque[tuple[str, Fault]] = deque()
        self.requests: list[str] = []

    def add(self, path_part: str, fault: Fault, times: int = 1) -> None:
        for _ in range(times):
            self.faults.append((path_part, fault))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url.path}")
        for index, (path_part, fault) in enumerate(self.faults):
            if path_part in request.url.path:
                del self.faults[index]
                return fault(request, self.inner.handle_request)
        return self.inner.handle_request(request)


@dataclass
class Centre:
    service: ServerService
    client: TestClient
    transport: FaultyTransport
    clock: FakeClock

    def transport_factory(self, url: str, credential: str) -> ServerTransport:
        return ServerTransport(url, credential, transport=self.transport)

    def enrolment_code(self, station_code: str = "JA01") -> str:
        known = {summary.code for summary in self.service.stations()}
        return self.service.add_station(station_code, "枫林居委会民情快办工作站", new_code=station_code in known)


@dataclass
class Desk:
    station: StationService
    clerk: StaffMember
    admin: StaffMember
    sync: SyncService
    sleeps: list[float] = field(default_factory=list)

    def held_events(self) -> list[tuple[str, int | None, str]]:
        with self.station.reading() as session:
            return [(r.id, r.station_seq, r.content_hash) for r in session.scalars(select(EventRow))]


@pytest.fixture
def centre(tmp_path: Path, clock: FakeClock) -> Iterator[Centre]:
    database = open_database(f"sqlite:///{tmp_path / 'centre.db'}")
    service = ServerService(database, clock=clock)
    client = TestClient(create_app(service, tmp_path / "centre-data"), raise_server_exceptions=False)
    inner: httpx.BaseTransport = client._transport  # the app behind starlette's test transport
    yield Centre(service, client, FaultyTransport(inner), clock)
    client.close()
    database.dispose()


def make_desk(centre: Centre, station: StationService, admin: StaffMember, clerk: StaffMember, **options: Any) -> Desk:
    sleeps: list[float] = []
    sync = SyncService(
        station,
        transport_factory=centre.transport_factory,
        retry=options.pop("retry", RetryPolicy(attempts=6, first_delay=0.01, max_delay=0.05)),
        sleep=sleeps.append,
        **options,
    )
    return Desk(station, clerk, admin, sync, sleeps)


@pytest.fixture
def desk(centre: Centre, service: StationService, admin: StaffMember, clerk: StaffMember) -> Desk:
    made = make_desk(centre, service, admin, clerk)
    made.sync.enrol(admin, CENTRE_URL, centre.enrolment_code("JA01"))
    return made
