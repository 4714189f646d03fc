"""Issue 13, who may touch what on the server: department scope (item 2), credentials that can be revoked, rotated
and expire and show their last use (item 3), update ids tied to their case (item 14), and the server's access log
(item 15, the server's half).

Each test is named after its item; each failed on the code as it was before the fix.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from alembic import command
from sqlalchemy import Connection, Engine, create_engine, text

from gridstation.domain.enums import EventType, Status
from gridstation.server.db import alembic_config, migrate
from gridstation.server.scope import department_may_see
from gridstation.server.service import ServerService
from tests.support.clock import FakeClock
from tests.support.server import Api, ModelStation, auth, server_state

WATER, WATER_NAME = "WATER", "区水务局"
GREEN, GREEN_NAME = "GREEN", "区绿化市容局"
NOWHERE = "JA01-20261123-0099-Q"  # a well-formed case number no case has
UPDATES = "/api/v1/department/updates"


@dataclass
class Centre:
    """The server with one enrolled station (JA01) and two departments, WATER and GREEN."""

    api: Api
    server: ServerService
    clock: FakeClock
    credential: str
    station: ModelStation
    water: str
    green: str

    def case(self, *, dispatched_to: str | None = None, **payload: Any) -> str:
        """A case the station registered and contacted, dispatched to `dispatched_to` (an assignee) if given;
        pushed. Returns its number."""
        case_id = self.station.register(len(self.station.local_states) % 3)
        self.station.record(case_id, EventType.FIRST_CONTACT, note="已电话联系居民")
        if dispatched_to is not None:
            self.station.record(case_id, EventType.DISPATCHED, assignee=dispatched_to, note="", **payload)
        self.api.push_ok(self.credential, self.station)
        return self.station.local_states[case_id].number

    def update(self, token: str, number: str, update: str, **extra: Any) -> httpx.Response:
        body = {"case_number": number, "update": update, "note": "已处理", **extra}
        answer: httpx.Response = self.api.client.post(UPDATES, json=body, headers=auth(token))
        return answer

    def status_of(self, number: str) -> Status:
        states = server_state(self.server, "JA01")
        return next(state.status for state in states.values() if state.number == number)


@pytest.fixture
def centre(api: Api, server: ServerService, server_clock: FakeClock) -> Centre:
    credential = api.enrol_station("JA01")
    water = server.add_department(WATER, WATER_NAME)
    green = server.add_department(GREEN, GREEN_NAME)
    return Centre(api, server, server_clock, credential, ModelStation("JA01", server_clock), water, green)


def error_of(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    error: dict[str, Any] = answer.json()["error"]
    return error


# --- item 2: a department may touch only cases dispatched to it ---------------------------------------------------


def test_item2_a_department_cannot_touch_a_case_never_dispatched_to_it(centre: Centre) -> None:
    """The attack: WATER's token reports `disposed` on a case the station sent to GREEN, and it was applied."""
    number = centre.case(dispatched_to=GREEN_NAME)
    assert centre.update(centre.green, number, "on_site").status_code == 200
    held = len(centre.server.events_held())

    refused = [centre.update(centre.water, number, kind) for kind in ("dispatched", "on_site", "disposed", "closed")]
    unknown = centre.update(centre.water, NOWHERE, "disposed")

    # The same answer as a case that does not exist: nothing tells WATER the case is there.
    expected = error_of(unknown, 404)
    assert expected["code"] == "case.unknown"
    for answer in refused:
        error = error_of(answer, 404)
        assert {**error, "message": error["message"].replace(number, NOWHERE)} == expected
    assert centre.status_of(number) is Status.ON_SITE
    assert len(centre.server.events_held()) == held
    # GREEN, to which the case was dispatched, goes on as before.
    assert centre.update(centre.green, number, "disposed", outcome="resolved").status_code == 200


def test_item2_a_dispatch_names_its_department_by_code_name_or_payload(centre: Centre) -> None:
    by_code = centre.case(dispatched_to="water")
    by_name = centre.case(dispatched_to=f" {WATER_NAME} ")
    by_payload = centre.case(dispatched_to="水务养护队", department=WATER)
    by_other = centre.case(dispatched_to="物业公司")

    for number in (by_code, by_name, by_payload):
        assert centre.update(centre.water, number, "on_site").status_code == 200, number
        assert error_of(centre.update(centre.green, number, "disposed"), 404)["code"] == "case.unknown"
    assert error_of(centre.update(centre.water, by_other, "on_site"), 404)["code"] == "case.unknown"


def test_item2_a_department_keeps_the_cases_it_was_once_dispatched(centre: Centre) -> None:
    """Dispatched to it "now or in the past": a case handed on to GREEN stays in WATER's scope."""
    number = centre.case(dispatched_to=WATER_NAME)
    case_id = next(i for i, s in centre.station.local_states.items() if s.number == number)
    centre.station.record(case_id, EventType.DISPATCHED, assignee=GREEN_NAME, note="转绿化市容局")
    centre.api.push_ok(centre.credential, centre.station)

    assert centre.update(centre.green, number, "on_site").status_code == 200
    assert centre.update(centre.water, number, "disposed", outcome="resolved").status_code == 200


def test_item2_a_department_added_after_the_dispatch_sees_its_cases(centre: Centre) -> None:
    number = centre.case(dispatched_to="区园林所")
    park = centre.server.add_department("PARK", "区园林所")

    assert centre.update(park, number, "on_site").status_code == 200


def test_item2_a_departments_own_dispatch_hands_the_case_on(centre: Centre) -> None:
    """A department that dispatches a case it holds to another department (转派) brings that one into scope."""
    number = centre.case(dispatched_to=WATER_NAME)
    assert error_of(centre.update(centre.green, number, "on_site"), 404)["code"] == "case.unknown"

    assert centre.update(centre.water, number, "dispatched", assignee=GREEN_NAME).status_code == 200

    assert centre.update(centre.green, number, "on_site").status_code == 200


def test_item2_department_may_see_is_the_one_place_to_ask(centre: Centre) -> None:
    number = centre.case(dispatched_to=WATER_NAME)
    case_id = next(i for i, s in centre.station.local_states.items() if s.number == number)

    with centre.server.reading() as session:
        assert department_may_see(session, WATER, case_id)
        assert not department_may_see(session, GREEN, case_id)
        assert not department_may_see(session, WATER, "0190aaaa-0000-7000-8000-000000000000")


def _at(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@contextmanager
def database_before_issue_13(url: str) -> Iterator[Engine]:
    """An empty server database at revision 0001: the release before issue 13, about to be upgraded."""
    engine = create_engine(url)
    command.upgrade(alembic_config(engine), "0001")
    yield engine
    engine.dispose()


def test_item2_and_3_the_migration_backfills_dispatches_and_credentials(server_db_url: str) -> None:
    created = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
    with database_before_issue_13(server_db_url) as engine:
        with engine.begin() as db:
            insert_data_of_the_old_release(db, created)
        migrate(engine)
        with engine.connect() as db:
            scope = set(db.execute(text("SELECT case_id, department_code FROM case_departments")).tuples())
            departments = db.execute(
                text("SELECT code, issued_at, expires_at, last_used_at, revoked_at FROM departments ORDER BY code")
            ).all()
            keys = db.execute(text("SELECT name, issued_at, expires_at, last_used_at FROM api_keys")).all()

    assert scope == {("case-a", WATER), ("case-b", GREEN), ("case-c", WATER)}
    # Existing credentials were issued when they were created, never expire and have no recorded use.
    assert [tuple(r) for r in departments] == [
        (GREEN, _at(created), None, None, None),
        (WATER, _at(created), None, None, None),
    ]
    assert [tuple(r) for r in keys] == [("码上就来", _at(created), None, None)]


def insert_data_of_the_old_release(db: Connection, created: datetime) -> None:
    """A station, two departments, an api_key and dispatches (and other events) as revision 0001 stored them."""
    db.execute(
        text(
            "INSERT INTO stations (code, name, enrol_code_hash, credential_hash, epoch, pushed_seq, feed_head,"
            " created_at) VALUES ('JA01', '枫林居委会', '', 'x', 1, 5, 5, :at)"
        ),
        {"at": _at(created)},
    )
    for code, name in ((WATER, WATER_NAME), (GREEN, GREEN_NAME)):
        db.execute(
            text("INSERT INTO departments (code, name, token_hash, created_at) VALUES (:c, :n, :h, :at)"),
            {"c": code, "n": name, "h": f"hash-{code}", "at": _at(created)},
        )
    db.execute(
        text(
            "INSERT INTO api_keys (id, name, key_hash, station_code, created_at)"
            " VALUES ('k1', '码上就来', 'hash-k1', 'JA01', :at)"
        ),
        {"at": _at(created)},
    )
    events = [
        ("e1", "case-a", "case.dispatched", {"assignee": WATER_NAME, "note": ""}, True),
        ("e2", "case-a", "case.note_added", {"note": f"{GREEN} 来电"}, True),
        ("e3", "case-b", "case.dispatched", {"assignee": "绿化养护队", "department": GREEN}, True),
        ("e4", "case-c", "case.dispatched", {"assignee": GREEN_NAME}, False),  # kept, never applied
        ("e5", "case-c", "case.dispatched", {"assignee": "water"}, True),
    ]
    for seq, (event_id, case_id, kind, payload, applied) in enumerate(events, start=1):
        db.execute(
            text(
                "INSERT INTO events (id, case_id, station_code, origin, station_seq, type, payload, actor_id,"
                " actor_name, occurred_at, hlc, schema_version, content_hash, applied, received_at)"
                " VALUES (:id, :case, 'JA01', 'station', :seq, :type, :payload, 'staff-1', '李明', :at, :hlc, 1,"
                " :hash, :applied, :at)"
            ),
            {
                "id": event_id,
                "case": case_id,
                "seq": seq,
                "type": kind,
                "payload": json.dumps(payload, ensure_ascii=False),
                "at": _at(created + timedelta(minutes=seq)),
                "hlc": f"{seq:016d}",
                "hash": f"h{seq}",
                "applied": applied,
            },
        )


# --- item 14: a department's update id is tied to its case --------------------------------------------------------


def test_item14_an_update_id_reused_on_another_case_is_refused(centre: Centre) -> None:
    first = centre.case(dispatched_to=WATER_NAME)
    second = centre.case(dispatched_to=WATER_NAME)
    both = centre.case(dispatched_to=WATER_NAME)
    centre.update(centre.water, both, "dispatched", assignee=GREEN_NAME)  # GREEN now holds it too
    update_id = "01a20a85-0000-7000-8000-0000000000e1"

    applied = centre.update(centre.water, first, "on_site", id=update_id)
    assert applied.json()["outcome"] == "applied"
    again = centre.update(centre.water, first, "on_site", id=update_id)
    assert (again.status_code, again.json()["outcome"]) == (200, "duplicate")

    # The same id on another case was "duplicate" (200), and the second case's update silently dropped.
    assert error_of(centre.update(centre.water, second, "on_site", id=update_id), 409)["code"] == "update.id_reused"
    assert centre.status_of(second) is Status.DISPATCHED
    # Another kind of update, or another department, with the same id: refused as well.
    assert error_of(centre.update(centre.water, first, "disposed", id=update_id), 409)["code"] == "update.id_reused"
    centre.update(centre.water, both, "on_site", id="01a20a85-0000-7000-8000-0000000000e2")
    reused = centre.update(centre.green, both, "on_site", id="01a20a85-0000-7000-8000-0000000000e2")
    assert error_of(reused, 409)["code"] == "update.id_reused"
