"""Issue 13, who may touch what on the server: department scope (item 2), credentials that can be revoked, rotated
and expire and show their last use (item 3), update ids tied to their case (item 14), and the server's access log
(item 15, the server's half).

Each test is named after its item; each failed on the code as it was before the fix.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from sqlalchemy import Connection, Engine, create_engine, text

from gridstation.domain.enums import EventType, Status
from gridstation.server.cli import main
from gridstation.server.db import alembic_config, migrate, open_database
from gridstation.server.scope import department_may_see
from gridstation.server.service import ServerService
from tests.support.clock import FakeClock
from tests.support.live_server import LiveServer
from tests.support.log_lines import Lines
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
    by_other = centre.case(dispatched_to="物业公司")
    # By `payload.department` only the centre names one (a station may not send that field: item 9); the rule
    # itself is `scope.departments_named`, tested below with such a payload.

    for number in (by_code, by_name):
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


# --- item 3: credentials can be revoked, rotated and expire, and show their last use -----------------------------


def test_item3_a_revoked_department_token_is_refused_at_once(centre: Centre) -> None:
    number = centre.case(dispatched_to=WATER_NAME)
    assert centre.update(centre.water, number, "on_site").status_code == 200

    centre.server.revoke_department("water")

    assert error_of(centre.update(centre.water, number, "disposed"), 401)["code"] == "auth.invalid"
    assert centre.update(centre.green, NOWHERE, "on_site").status_code == 404  # the other token still works
    assert ("admin", "department.revoked", {"department": WATER}) in [a[1:] for a in centre.server.audit()]
    assert [d.state for d in centre.server.departments() if d.code == WATER] == ["revoked"]


def test_item3_rotating_a_department_token_stops_the_old_one_at_once(centre: Centre) -> None:
    number = centre.case(dispatched_to=WATER_NAME)

    new = centre.server.rotate_department(WATER).secret

    assert new != centre.water and new.startswith("gsd_")
    assert error_of(centre.update(centre.water, number, "on_site"), 401)["code"] == "auth.invalid"
    assert centre.update(new, number, "on_site").status_code == 200
    assert any(action == "department.rotated" for _, _, action, _ in centre.server.audit())


def test_item3_a_department_token_expires(centre: Centre) -> None:
    number = centre.case(dispatched_to="区园林所")
    park = centre.server.add_department("PARK", "区园林所", expires_in_days=30)
    expiry = centre.clock() + timedelta(days=30)
    assert [d.expires_at for d in centre.server.departments() if d.code == "PARK"] == [expiry]

    centre.clock.current = expiry - timedelta(seconds=1)
    assert centre.update(park, number, "on_site").status_code == 200
    centre.clock.current = expiry
    error = error_of(centre.update(park, number, "disposed", outcome="resolved"), 401)
    assert error["code"] == "auth.expired" and "过期" in error["message"]
    assert [d.state for d in centre.server.departments() if d.code == "PARK"] == ["expired"]

    # Rotating issues a token for another 30 days: the lifetime the department had.
    renewed = centre.server.rotate_department("PARK").secret
    assert centre.update(renewed, number, "disposed", outcome="resolved").status_code == 200
    assert [d.expires_at for d in centre.server.departments() if d.code == "PARK"] == [expiry + timedelta(days=30)]


def test_item3_last_use_is_recorded_at_most_once_a_minute(centre: Centre, monkeypatch: pytest.MonkeyPatch) -> None:
    def last_used() -> datetime | None:
        return next(d.last_used_at for d in centre.server.departments() if d.code == WATER)

    assert last_used() is None
    start = centre.clock()
    assert centre.update(centre.water, NOWHERE, "on_site").status_code == 404  # a use, even if refused after
    assert last_used() == start

    writes: list[str] = []
    original = centre.server.writing

    @contextmanager
    def counting() -> Iterator[Any]:
        writes.append("write")
        with original() as session:
            yield session

    monkeypatch.setattr(centre.server, "writing", counting)
    centre.clock.advance(seconds=59)
    centre.server.authenticate_department(centre.water)
    assert writes == [] and last_used() == start  # a busy department does not turn reads into writes
    centre.clock.advance(seconds=2)
    centre.server.authenticate_department(centre.water)
    assert writes == ["write"] and last_used() == start + timedelta(seconds=61)


def post_request(centre: Centre, key: str) -> httpx.Response:
    fields = {
        "api_key": key,
        "service_code": "DRAIN.COVER",
        "address_string": "枫林路 88 弄 2 号楼北侧",
        "description": "小区北门窨井盖堵塞，污水漫到人行道。",
    }
    answer: httpx.Response = centre.api.client.post("/open311/v2/requests.json", data=fields)
    return answer


def test_item3_open311_api_keys_are_revoked_rotated_expire_and_show_last_use(centre: Centre) -> None:
    key = centre.server.add_api_key("码上就来", "JA01")
    assert post_request(centre, key).status_code == 200
    assert [(k.name, k.station_code, k.state, k.last_used_at) for k in centre.server.api_keys()] == [
        ("码上就来", "JA01", "active", centre.clock())
    ]

    new = centre.server.rotate_api_key("码上就来").secret
    assert post_request(centre, key).status_code == 403
    assert post_request(centre, new).status_code == 200

    centre.server.revoke_api_key("码上就来")
    assert post_request(centre, new).status_code == 403
    assert [k.state for k in centre.server.api_keys()] == ["revoked"]

    short = centre.server.add_api_key("12345 对接", "JA01", expires_in_days=1)
    assert post_request(centre, short).status_code == 200
    centre.clock.advance(days=1)
    assert post_request(centre, short).status_code == 403
    actions = [action for _, _, action, _ in centre.server.audit()]
    assert {"api_key.added", "api_key.rotated", "api_key.revoked"} <= set(actions)


def cli(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> tuple[int, str, str]:
    code = main(["--db", url, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_item3_department_commands(capsys: pytest.CaptureFixture[str], server_db_url: str) -> None:
    code, out, _ = cli(capsys, server_db_url, "department", "add", "water", WATER_NAME, "--expires-in-days", "90")
    assert code == 0 and "90 天" in out
    first = out.strip().splitlines()[-1]
    assert first.startswith("gsd_")
    # Used once, by a service whose clock says 2026-11-23 01:30 UTC: 09:30 in Beijing.
    database = open_database(server_db_url)
    ServerService(database, clock=FakeClock()).authenticate_department(first)
    database.dispose()

    code, out, _ = cli(capsys, server_db_url, "department", "list")
    assert code == 0
    assert WATER in out and WATER_NAME in out and "有效" in out and "最近使用 2026-11-23 09:30" in out
    code, out, _ = cli(capsys, server_db_url, "department", "list", "--json")
    [listed] = json.loads(out)
    assert listed["code"] == WATER and listed["state"] == "active"
    assert listed["last_used_at"] == "2026-11-23T01:30:00+00:00" and listed["expires_at"]

    code, out, _ = cli(capsys, server_db_url, "department", "rotate", "WATER")
    second = out.strip().splitlines()[-1]
    assert code == 0 and second.startswith("gsd_") and second != first and "旧令牌已立即失效" in out
    code, out, _ = cli(capsys, server_db_url, "department", "revoke", "WATER")
    assert code == 0 and "已停用" in out
    code, out, _ = cli(capsys, server_db_url, "department", "list")
    assert "已停用" in out
    code, _, err = cli(capsys, server_db_url, "department", "revoke", "NOPE")
    assert code == 2 and "找不到部门 NOPE" in err
    code, _, err = cli(capsys, server_db_url, "department", "add", "PARK", "区园林所", "--expires-in-days", "0")
    assert code == 2 and "有效天数" in err

    database = open_database(server_db_url)
    actions = [action for _, _, action, _ in ServerService(database).audit()]
    database.dispose()
    assert actions[:3] == ["department.revoked", "department.rotated", "department.added"]


def test_item3_apikey_commands(capsys: pytest.CaptureFixture[str], server_db_url: str) -> None:
    cli(capsys, server_db_url, "station", "add", "JA01", "枫林居委会")
    code, out, _ = cli(
        capsys, server_db_url, "apikey", "add", "码上就来", "--station", "JA01", "--expires-in-days", "30"
    )
    first = out.strip().splitlines()[-1]
    assert code == 0 and first.startswith("o311_") and "30 天" in out
    code, _, err = cli(capsys, server_db_url, "apikey", "add", "码上就来", "--station", "JA01")
    assert code == 2 and "已有名为「码上就来」的 api_key" in err

    code, out, _ = cli(capsys, server_db_url, "apikey", "list")
    assert code == 0 and "码上就来" in out and "JA01" in out and "有效" in out and "从未使用" in out
    code, out, _ = cli(capsys, server_db_url, "apikey", "list", "--json")
    [listed] = json.loads(out)
    assert (listed["name"], listed["station"], listed["state"], listed["last_used_at"]) == (
        "码上就来",
        "JA01",
        "active",
        None,
    )
    code, out, _ = cli(capsys, server_db_url, "apikey", "rotate", "码上就来")
    second = out.strip().splitlines()[-1]
    assert code == 0 and second.startswith("o311_") and second != first
    code, out, _ = cli(capsys, server_db_url, "apikey", "revoke", "码上就来")
    assert code == 0 and "已停用" in out
    code, _, err = cli(capsys, server_db_url, "apikey", "revoke", "没有这个")
    assert code == 2 and "找不到 api_key「没有这个」" in err

    database = open_database(server_db_url)
    service = ServerService(database)
    assert service.api_key_station(first) is None and service.api_key_station(second) is None
    actions = [action for _, _, action, _ in service.audit()]
    database.dispose()
    assert actions[:3] == ["api_key.revoked", "api_key.rotated", "api_key.added"]


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


# --- item 15: the server's access log -----------------------------------------------------------------------------


@pytest.fixture
def access_lines() -> Iterator[list[str]]:
    """What the access logger is given, whatever earlier tests' logging set-up did with its handlers."""
    logger = logging.getLogger("gridstation.access")
    handler, level = Lines(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler.lines
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_item15_every_authenticated_request_is_in_the_access_log(centre: Centre, access_lines: list[str]) -> None:
    number = centre.case(dispatched_to=WATER_NAME)
    key = centre.server.add_api_key("码上就来", "JA01")
    access_lines.clear()
    client = centre.api.client

    pulled = client.get("/api/v1/sync/pull?after=0&limit=3", headers=auth(centre.credential))
    updated = centre.update(centre.water, number, "on_site")
    refused = centre.update(centre.green, number, "on_site")
    forged = centre.update("gsd_forged", number, "on_site")
    posted = post_request(centre, key)
    client.get(f"/status/{number}")  # public reads: no principal, not logged
    client.get("/open311/v2/requests.json", params={"service_request_id": number})

    def line(answer: httpx.Response, who: str, method: str, path: str) -> str:
        return f"{who} {method} {path} {answer.status_code} {answer.headers['X-Request-ID']}"

    assert access_lines == [
        line(pulled, "station:JA01", "GET", "/api/v1/sync/pull"),
        line(updated, f"dept:{WATER}", "POST", UPDATES),
        line(refused, f"dept:{GREEN}", "POST", UPDATES),
        line(forged, "-", "POST", UPDATES),
        line(posted, "apikey:码上就来", "POST", "/open311/v2/requests.json"),
    ]
    assert [a.status_code for a in (pulled, updated, refused, forged, posted)] == [200, 200, 404, 401, 200]
    assert len({a.headers["X-Request-ID"] for a in (pulled, updated, refused, forged, posted)}) == 5


def test_item15_a_real_server_writes_its_access_log_beside_server_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logs = tmp_path / "logs"
    monkeypatch.setenv("GRIDSTATION_LOG_DIR", str(logs))  # the server process inherits it
    live = LiveServer(f"sqlite:///{tmp_path / 'server.db'}", tmp_path / "data")
    enrolment = live.admin("station", "add", "JA01", "枫林居委会").strip().splitlines()[-1]
    live.start()
    try:
        with httpx.Client(base_url=live.url, timeout=10) as client:
            enrolled = client.post("/api/v1/enrol", json={"code": enrolment})
            credential = enrolled.json()["credential"]
            pulled = client.get("/api/v1/sync/pull", params={"after": 0}, headers=auth(credential))
            client.get("/status/JA01-20261123-0001-X")
    finally:
        live.stop()

    access = (logs / "access.log").read_text(encoding="utf-8").splitlines()
    assert [entry.split(" ", 1)[1] for entry in access] == [
        f"station:JA01 POST /api/v1/enrol 200 {enrolled.headers['X-Request-ID']}",
        f"station:JA01 GET /api/v1/sync/pull 200 {pulled.headers['X-Request-ID']}",
    ]
    assert "gs1_" not in "\n".join(access)
    server_log = (logs / "server.log").read_text(encoding="utf-8")
    assert "/api/v1/sync/pull" not in server_log


def test_item2_a_dispatch_names_departments_by_the_centres_payload_field_or_by_assignee() -> None:
    from gridstation.server.scope import department_directory, departments_named

    directory = department_directory([(WATER, WATER_NAME), (GREEN, GREEN_NAME)])
    assert departments_named({"department": WATER, "assignee": "水务养护队"}, directory) == {WATER}
    assert departments_named({"assignee": f"  {GREEN_NAME} "}, directory) == {GREEN}
    assert departments_named({"assignee": "物业公司"}, directory) == set()
