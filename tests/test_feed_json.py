"""The pull page written from the stored JSON text (issue 18) says exactly what the protocol's models would, and
leaves to them every row it cannot vouch for."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from gridstation.domain.enums import EventType
from gridstation.domain.events import event_from_stored
from gridstation.protocol import WireEvent
from gridstation.server.feed_json import case_json, event_json
from gridstation.server.models import ServerEventRow
from tests.support.complaints import complaint
from tests.support.sync import Centre, Desk

CASE_ID = "0190d5b2-7c1e-7a3b-8c4d-5e6f7a8b9c0d"
EVENT_ID = "0190d5b2-7c1e-7a3b-8c4d-5e6f7a8b9c0e"


def stored_event(**changes: Any) -> SimpleNamespace:
    values: dict[str, Any] = {
        "id": EVENT_ID,
        "case_id": CASE_ID,
        "type": str(EventType.NOTE_ADDED),
        "payload_json": '{"note":"楼道堆放的旧家具已清走"}',
        "actor_id": "staff-2",
        "actor_name": "李明",
        "station_code": "JA01",
        "occurred_at": datetime(2026, 11, 23, 1, 30, tzinfo=UTC),
        "hlc": "001795396200000.000001",
        "schema_version": 1,
        "content_hash": "a" * 64,
    }
    return SimpleNamespace(**{**values, **changes})


def test_a_page_from_the_stored_text_is_what_the_models_say(desk: Desk, centre: Centre) -> None:
    for index in range(3):
        case = desk.station.register_case(desk.clerk, complaint(index))
        desk.station.record(desk.clerk, case.id, EventType.NOTE_ADDED, {"note": "电动车在窗口拉线充电，已劝导"})
    assert desk.sync.run().ok

    page = centre.service.pull("JA01", after=0, epoch=0, limit=1000)

    with centre.service.reading() as session:
        rows = session.scalars(select(ServerEventRow)).all()
        expected = {row.id: WireEvent.of(event_from_stored(row), row.content_hash) for row in rows}
    assert {item.event.id: item.event for item in page.items} == expected
    assert {case.case_id: case.state for case in page.cases} == centre.service.case_states("JA01")


@pytest.mark.parametrize(
    "changes",
    [
        {"payload_json": '{"note":"a\\u0000b"}'},
        {"payload_json": '{"weight":NaN}'},
        {"payload_json": "[1]"},
        {"payload_json": "{" + ",".join(f'"k{i}":{i}' for i in range(65)) + "}"},
        {"actor_name": "李" * 41},
        {"actor_name": "李\x00明"},
        {"occurred_at": datetime(2101, 1, 1, tzinfo=UTC)},
        {"occurred_at": datetime(2026, 11, 23, 1, 30)},
        {"hlc": "001795396200000.000001\n"},
        {"type": "case.unknown"},
        {"station_code": "ja01"},
    ],
    ids=lambda changes: next(iter(changes)),
)
def test_a_row_the_checks_cannot_vouch_for_goes_the_slow_way(changes: dict[str, Any]) -> None:
    assert event_json(stored_event()) is not None
    assert event_json(stored_event(**changes)) is None


def test_a_state_with_a_nul_goes_the_slow_way() -> None:
    assert case_json(CASE_ID, "JA01-20261123-0001-K", 3, '{"description":"井盖松动"}') is not None
    assert case_json(CASE_ID, "JA01-20261123-0001-K", 3, '{"description":"井盖\\u0000松动"}') is None
