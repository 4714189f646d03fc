"""The sync protocol end to end through the HTTP API, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from tests.server_support import (  # noqa: F401  (fixtures)
    Api,
    ModelStation,
    ServerClock,
    api,
    auth,
    server,
    server_clock,
    server_db_url,
    server_state,
)

from gridstation.domain.case import fold
from gridstation.domain.codec import state_to_json
from gridstation.domain.enums import EventType, Status
from gridstation.protocol import DayReceipt, PushedEvent, PushResponse, receipt_digest
from gridstation.server.service import Department, ServerService
from gridstation.protocol import StatusUpdate


def test_push_then_pull_round_trip(api: Api, server_clock: ServerClock) -> None:
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    case_id = station.register(0)
    station.record(case_id, EventType.FIRST_CONTACT, note="已电话联系")
    response = api.push_ok(credential, station)
    assert [r.outcome for r in response.results] == ["applied", "applied"]
    assert response.acknowledged_seq == 2
    api.pull_all(credential, station)
    assert station.pulled_ids == {e.id for e in station.events}
    assert station.server_states[case_id] == state_to_json(station.local_states[case_id])
