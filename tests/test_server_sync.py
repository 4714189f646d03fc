"""The sync protocol end to end through the HTTP API, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from gridstation.domain.codec import state_to_json
from gridstation.domain.enums import Channel, EventType, Status, Tier
from gridstation.protocol import DayReceipt, PushResponse, StatusUpdate, receipt_digest
from gridstation.server.accounts import Department
from gridstation.server.db import open_database
from gridstation.server.errors import ServerError
from gridstation.server.service import ServerService
from gridstation.server.workorders import build_work_order
from tests.support.clock import FakeClock
from tests.support.server import Api, ModelStation, auth, server_state
from tests.support.waiting import wait_for

GREEN = Department("GREEN", "区绿化市容局")


def contacted_case(station: ModelStation, index: int = 0) -> str:
    case_id = station.register(index)
    station.record(case_id, EventType.FIRST_CONTACT, note="已电话联系居民")
    return case_id


def test_push_then_pull_round_trip(api: Api, server_clock: FakeClock) -> None:
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    case_id = contacted_case(station)
    response = api.push_ok(credential, station)
    assert [r.outcome for r in response.results] == ["applied", "applied"]
    assert response.acknowledged_seq == 2
    api.pull_all(credential, station)
    assert station.pulled_ids == {e.id for e in station.events}
    assert station.server_states[case_id] == state_to_json(station.local_states[case_id])


def test_enrolment_code_is_single_use_and_identity_comes_from_the_credential(api: Api, server: ServerService) -> None:
    code = server.add_station("JA01", "枫林居委会")
    first = api.client.post("/api/v1/enrol", json={"code": code.lower().replace("-", " ")})
    assert first.status_code == 200
    assert first.json()["station_code"] == "JA01"
    again = api.client.post("/api/v1/enrol", json={"code": code})
    assert again.status_code == 401
    assert again.json()["error"]["code"] == "enrol.invalid_code"
    credential = first.json()["credential"]
    assert credential not in repr(server.stations())  # only a hash is kept


def test_expired_enrolment_code_is_refused(api: Api, server: ServerService, server_clock: FakeClock) -> None:
    code = server.add_station("JA01", "枫林居委会")
    server_clock.advance(days=8)
    answer = api.client.post("/api/v1/enrol", json={"code": code})
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "enrol.expired"


def test_revoked_station_is_refused_at_once(api: Api, server: ServerService, server_clock: FakeClock) -> None:
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    station.register()
    api.push_ok(credential, station)
    server.revoke_station("JA01")
    station.register(1)
    answer = api.push(credential, station.batch())
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "station.revoked"
    pulled = api.client.get("/api/v1/sync/pull", headers=auth(credential))
    assert pulled.status_code == 403
    assert len(server.events_held()) == 1


def test_resent_batch_is_harmless(api: Api, server: ServerService, server_clock: FakeClock) -> None:
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    contacted_case(station)
    body = station.batch()
    api.push_ok(credential, station)
    again = PushResponse.model_validate(api.push(credential, body).json())
    assert [r.outcome for r in again.results] == ["duplicate", "duplicate"]
    assert again.acknowledged_seq == 2
    assert len(server.events_held()) == 2


def test_same_id_with_other_content_is_refused_and_kept_apart(
    api: Api, server: ServerService, server_clock: FakeClock
) -> None:
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    case_id = contacted_case(station)
    api.push_ok(credential, station)
    original = dict(server.events_held())
    forged_source = station.events[1].to_event()
    from dataclasses import replace

    from gridstation.protocol import PushedEvent

    forged = PushedEvent.numbered(replace(forged_source, payload={"note": "改过的内容"}), 2)
    answer = PushResponse.model_validate(api.push(credential, {"events": [forged.model_dump(mode="json")]}).json())
    assert answer.results[0].outcome == "rejected"
    assert answer.results[0].code == "event.id_reused"
    assert dict(server.events_held()) == original
    assert (forged.id, "event.id_reused") in server.quarantined("JA01")
    assert any(action == "push.id_reused" for _, _, action, _ in server.audit())
    assert server_state(server, "JA01")[case_id].status is Status.CONTACTED


def test_a_gap_in_the_sequence_is_refused_whole(api: Api, server: ServerService, server_clock: FakeClock) -> None:
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    contacted_case(station)
    contacted_case(station, 1)
    answer = api.push(credential, station.batch(station.events[2:]))
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "sequence.gap"
    assert error["detail"]["expected_seq"] == 1
    assert server.events_held() == []


def test_a_reordered_batch_is_applied_in_sequence_order(
    api: Api, server: ServerService, server_clock: FakeClock
) -> None:
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    case_id = contacted_case(station)
    station.record(case_id, EventType.DISPATCHED, assignee="物业", note="")
    response = api.push_ok(credential, station, list(reversed(station.events)))
    assert [r.station_seq for r in response.results] == [1, 2, 3]
    assert {r.outcome for r in response.results} == {"applied"}
    assert server_state(server, "JA01")[case_id].status is Status.DISPATCHED


def test_a_reused_sequence_number_is_refused(api: Api, server: ServerService, server_clock: FakeClock) -> None:
    """A station restored from a backup numbers new events again from where the backup stopped."""
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    station.register()
    api.push_ok(credential, station)
    restored = ModelStation("JA01", server_clock)
    restored.register(2)
    answer = api.push(credential, restored.batch())
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "sequence.reused"
    assert len(server.events_held()) == 1


def test_an_event_for_an_unknown_case_is_quarantined_not_dropped(
    api: Api, server: ServerService, server_clock: FakeClock
) -> None:
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    case_id = contacted_case(station)
    orphan = station.events[1]
    answer = PushResponse.model_validate(api.push(credential, station.batch([station.events[0]])).json())
    assert answer.results[0].outcome == "applied"
    del case_id
    # The station's second event names a case the server never heard of (its registration went elsewhere).
    other = ModelStation("JA01", server_clock)
    other.seq = 1
    foreign_case = other.register()
    other.events = [e for e in other.events if e.case_id == foreign_case][:0]
    from dataclasses import replace

    from gridstation.protocol import PushedEvent

    stray = PushedEvent.numbered(replace(orphan.to_event(), case_id=foreign_case), 2)
    result = PushResponse.model_validate(api.push(credential, {"events": [stray.model_dump(mode="json")]}).json())
    assert result.results[0].outcome == "rejected"
    assert result.results[0].code == "case.unknown"
    assert result.acknowledged_seq == 2
    assert (stray.id, "case.unknown") in server.quarantined("JA01")


def test_status_is_decided_by_the_server(api: Api, server: ServerService, server_clock: FakeClock) -> None:
    """The department reports the case disposed while the station, offline, records arriving on site."""
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    case_id = contacted_case(station)
    station.record(case_id, EventType.DISPATCHED, assignee="区绿化市容局", note="")
    api.push_ok(credential, station)
    server.add_department("GREEN", "区绿化市容局")
    number = station.local_states[case_id].number
    for update in ("on_site", "disposed"):
        server.department_update(GREEN, StatusUpdate(case_number=number, update=update, note="已修剪树枝"))
    late = station.record(case_id, EventType.ARRIVED_ON_SITE, note="网格员到场")
    response = api.push_ok(credential, station)
    assert response.results[-1].outcome == "conflict"
    assert response.results[-1].code == "status.server_decides"
    assert server_state(server, "JA01")[case_id].status is Status.DISPOSED
    api.pull_all(credential, station)
    assert late.id in station.pulled_ids  # kept, and sent back marked as not applied
    assert station.server_states[case_id]["status"] == "disposed"


def test_a_field_edited_on_both_sides_keeps_both_values(
    api: Api, server: ServerService, server_clock: FakeClock
) -> None:
    credential = api.enrol_station("JA01")
    alpha = ModelStation("JA01", server_clock)
    case_id = alpha.register()
    api.push_ok(credential, alpha)
    # Two desks of the same station (or a desk restored mid-day) both correct the address from the same value.
    beta = ModelStation("JA01", server_clock)
    beta.local_states = dict(alpha.local_states)
    alpha.record(case_id, EventType.INTAKE_CORRECTED, field="address", value="湖南路 12 弄", reason="居民更正")
    api.push_ok(credential, alpha)
    beta.seq = alpha.seq
    beta.acknowledged = alpha.seq
    beta.record(case_id, EventType.INTAKE_CORRECTED, field="address", value="湖南路 21 弄", reason="网格员核实")
    response = api.push_ok(credential, beta)
    result = response.results[-1]
    assert result.outcome == "conflict"
    assert result.code == "value.edited_on_both_sides"
    assert result.conflict_id
    assert server_state(server, "JA01")[case_id].address == "湖南路 12 弄"
    conflicts = api.client.get("/api/v1/conflicts", headers=auth(credential)).json()
    assert [(c["field"], c["station_value"], c["server_value"], c["base_value"]) for c in conflicts] == [
        ("address", "湖南路 21 弄", "湖南路 12 弄", "")
    ]
    # A person chooses beta's value: a new correction that names the conflict resolves it.
    beta.local_states[case_id] = server_state(server, "JA01")[case_id]
    beta.record(
        case_id,
        EventType.INTAKE_CORRECTED,
        field="address",
        value="湖南路 21 弄",
        reason="冲突处理：以网格员核实为准",
        resolves_conflict=result.conflict_id,
    )
    api.push_ok(credential, beta)
    assert server_state(server, "JA01")[case_id].address == "湖南路 21 弄"
    assert api.client.get("/api/v1/conflicts", headers=auth(credential)).json() == []


def test_department_updates_flow_down_to_the_owning_station_only(
    api: Api, server: ServerService, server_clock: FakeClock
) -> None:
    ja = api.enrol_station("JA01")
    jb = api.enrol_station("JB02", "康乐居委会")
    station = ModelStation("JA01", server_clock)
    neighbour = ModelStation("JB02", server_clock)
    case_id = contacted_case(station)
    station.record(case_id, EventType.DISPATCHED, assignee="区绿化市容局", note="")  # a department's case is sent to it
    api.push_ok(ja, station)
    token = server.add_department("GREEN", "区绿化市容局")
    number = station.local_states[case_id].number
    for update, extra in (
        ("dispatched", {"assignee": "绿化养护队"}),
        ("on_site", {}),
        ("disposed", {"outcome": "resolved"}),
        ("closed", {"answer": "香樟树已修剪，采光恢复"}),
    ):
        answer = api.client.post(
            "/api/v1/department/updates",
            json={"case_number": number, "update": update, "note": "绿化所处理", **extra},
            headers=auth(token),
        )
        assert answer.status_code == 200, answer.text
    illegal = api.client.post(
        "/api/v1/department/updates", json={"case_number": number, "update": "on_site"}, headers=auth(token)
    )
    assert illegal.status_code == 409
    api.pull_all(ja, station)
    assert station.server_states[case_id]["status"] == "closed"
    assert station.server_states[case_id]["answer"] == "香樟树已修剪，采光恢复"
    api.pull_all(jb, neighbour)
    assert neighbour.pulled_ids == set()


def test_a_retried_department_update_is_a_duplicate(api: Api, server: ServerService, server_clock: FakeClock) -> None:
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    case_id = contacted_case(station)
    station.record(case_id, EventType.DISPATCHED, assignee="区绿化市容局", note="")  # a department's case is sent to it
    api.push_ok(credential, station)
    server.add_department("GREEN", "区绿化市容局")
    update = StatusUpdate(
        id="01a20a85-0000-7000-8000-000000000001",
        case_number=station.local_states[case_id].number,
        update="dispatched",
        assignee="绿化养护队",
    )
    first = server.department_update(GREEN, update)
    second = server.department_update(GREEN, update)
    assert (first.outcome, second.outcome) == ("applied", "duplicate")
    assert len(server.events_held()) == 4  # the station's three, the department's one


def test_pull_pages_and_cursor(api: Api, server: ServerService, server_clock: FakeClock) -> None:
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    for index in range(5):
        contacted_case(station, index)
    api.push_ok(credential, station)
    pages = []
    while True:
        page = api.pull(credential, station, limit=3)
        pages.append([item.seq for item in page.items])
        if not page.has_more:
            break
    assert pages == [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10]]
    assert station.cursor == 10
    assert api.pull(credential, station).items == []


def test_epoch_change_makes_the_station_pull_again(api: Api, server: ServerService, server_clock: FakeClock) -> None:
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    contacted_case(station)
    api.push_ok(credential, station)
    api.pull_all(credential, station)
    assert station.cursor == 2
    server.resync_station("JA01")
    page = api.pull(credential, station)
    assert page.reset and station.cursor == 0
    station.pulled_ids.clear()
    api.pull_all(credential, station)
    assert len(station.pulled_ids) == 2
    # A cursor from the future (the server was restored from an older backup) also resets.
    station.cursor = 99
    assert api.pull(credential, station).reset


def waiting_for_the_write_lock(server: ServerService) -> Callable[[], bool]:
    """A test of whether another writer now waits for the lock that the transaction the test holds open has taken.

    SQLite has one write lock per file: a writer that begins a transaction (BEGIN IMMEDIATE, as every writer does)
    while another holds it can go no further. PostgreSQL shows a session waiting on a lock (the station row).
    """
    database = server.database
    if database.write_engine.dialect.name == "sqlite":
        asked = threading.Event()

        def note_begin(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
            if statement == "BEGIN IMMEDIATE":  # executed next, and it waits while another writer holds the lock
                asked.set()

        event.listen(database.write_engine, "before_cursor_execute", note_begin)
        return asked.is_set

    def session_waits() -> bool:
        with database.read_engine.connect() as connection:
            waiting = connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        return bool(waiting)

    return session_waits


def test_a_transaction_that_commits_late_is_not_skipped(
    api: Api, server: ServerService, server_clock: FakeClock
) -> None:
    """A department update holds its transaction open; a pull in between must not move past it."""
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    case_id = contacted_case(station)
    station.record(case_id, EventType.DISPATCHED, assignee="区绿化市容局", note="")  # a department's case is sent to it
    api.push_ok(credential, station)
    api.pull_all(credential, station)
    assert station.cursor == 3
    server.add_department("GREEN", "区绿化市容局")
    entered = threading.Event()
    release = threading.Event()

    def hold(_: str) -> None:
        entered.set()
        assert release.wait(30)

    server.faults.before_commit = hold
    number = station.local_states[case_id].number
    worker = threading.Thread(
        target=server.department_update,
        args=(GREEN, StatusUpdate(case_number=number, update="dispatched", assignee="绿化养护队")),
    )
    worker.start()
    assert entered.wait(30)
    # A second writer to the same scope starts meanwhile: it must queue behind the first.
    second = threading.Thread(target=lambda: api.push_ok(credential, station))
    station.record(case_id, EventType.NOTE_ADDED, note="居民来电催办")
    server.faults.before_commit = lambda _: None
    queued = waiting_for_the_write_lock(server)
    second.start()
    wait_for(queued, "the second writer never asked for the lock the first one holds")
    page = api.pull(credential, station)
    assert page.items == [] and station.cursor == 3
    release.set()
    worker.join(30)
    second.join(30)
    api.pull_all(credential, station)
    assert station.cursor == 5
    assert len(station.pulled_ids) == 5


def test_day_receipt_proves_what_the_server_holds(api: Api, server: ServerService, server_clock: FakeClock) -> None:
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    for index in range(3):
        case_id = contacted_case(station, index)
    station.record(case_id, EventType.NOTE_ADDED, note="已联系物业")
    api.push_ok(credential, station, station.events[:5])
    answer = api.client.post(
        "/api/v1/sync/receipt", json={"from_seq": 1, "to_seq": 7, "label": "2026-11-23"}, headers=auth(credential)
    )
    receipt = DayReceipt.model_validate(answer.json())
    assert (receipt.held, receipt.applied, receipt.cases_registered, receipt.missing) == (5, 5, 3, [(6, 7)])
    api.push_ok(credential, station)
    receipt = DayReceipt.model_validate(
        api.client.post("/api/v1/sync/receipt", json={"from_seq": 1, "to_seq": 7}, headers=auth(credential)).json()
    )
    assert receipt.missing == []
    assert receipt.digest == receipt_digest([(e.station_seq, e.content_hash) for e in station.events])


def test_a_station_clock_a_day_off_changes_nothing(api: Api, server: ServerService, server_clock: FakeClock) -> None:
    from datetime import timedelta

    credential = api.enrol_station("JA01")
    fast = ModelStation("JA01", lambda: server_clock() + timedelta(days=1))
    case_id = contacted_case(fast)
    fast.record(case_id, EventType.DISPATCHED, assignee="区绿化市容局", note="")
    api.push_ok(credential, fast)
    server.add_department("GREEN", "区绿化市容局")
    number = fast.local_states[case_id].number
    server.department_update(GREEN, StatusUpdate(case_number=number, update="on_site"))
    fast.record(case_id, EventType.NOTE_ADDED, note="居民表示感谢")
    api.push_ok(credential, fast)
    api.pull_all(credential, fast)
    state = server_state(server, "JA01")[case_id]
    assert state.status is Status.ON_SITE  # the server's order, not the (future) timestamps
    assert [item for item in fast.pulled_ids] and len(fast.pulled_ids) == 5


def test_work_orders_become_cases_of_their_station(api: Api, server: ServerService, server_clock: FakeClock) -> None:
    ja = api.enrol_station("JA01")
    jb = api.enrol_station("JB02", "康乐居委会")
    order = build_work_order(
        ticket="12345-20261123-0042",
        source=Channel.HOTLINE_12345,
        station_code="JA01",
        category_code="GREEN.DAMAGE",
        description="来电反映：康乐小区绿化带下窨井盖被堵，雨后积水严重。",
        dispatched_at=server_clock(),
        address="康乐小区 5 号楼东侧",
        phone="13900001111",
        due_hours=24,
        urgent=True,
    )
    server.add_work_order(order)
    station, neighbour = ModelStation("JA01", server_clock), ModelStation("JB02", server_clock)
    api.pull_all(ja, station)
    api.pull_all(jb, neighbour)
    (state,) = station.server_states.values()
    assert state["number"] == "12345-20261123-0042"
    assert state["channel"] == "hotline_12345" and state["status"] == "registered"
    assert state["registered_at"].startswith("2026-11-23T01:30")
    assert neighbour.server_states == {}


def test_on_the_spot_case_syncs(api: Api, server: ServerService, server_clock: FakeClock) -> None:
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    case_id = station.register(1, tier=Tier.ON_THE_SPOT)
    response = api.push_ok(credential, station)
    assert {r.outcome for r in response.results} == {"applied"}
    assert server_state(server, "JA01")[case_id].status is Status.CLOSED


@pytest.mark.parametrize("chunk", [7, 64 * 1024])
def test_attachments_upload_resumably(api: Api, server: ServerService, server_clock: FakeClock, chunk: int) -> None:
    import hashlib

    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    case_id = station.register()
    api.push_ok(credential, station)
    photo = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 400  # a JPEG's first bytes: the server checks them
    sha = hashlib.sha256(photo).hexdigest()
    offer = {"sha256": sha, "size": len(photo), "case_id": case_id, "media_type": "image/jpeg"}
    status = api.client.post("/api/v1/attachments", json=offer, headers=auth(credential)).json()
    assert status["received"] == 0
    sent = 0
    wrong = api.client.put(
        f"/api/v1/attachments/{sha}/content", params={"offset": 5}, content=photo[:chunk], headers=auth(credential)
    )
    assert wrong.status_code == 409 and wrong.json()["error"]["detail"]["received"] == 0
    while sent < len(photo):
        part = photo[sent : sent + max(chunk, len(photo) // 3)]
        answer = api.client.put(
            f"/api/v1/attachments/{sha}/content", params={"offset": sent}, content=part, headers=auth(credential)
        )
        assert answer.status_code == 200, answer.text
        sent = answer.json()["received"]
        if sent < len(photo):
            # The connection drops; the station asks where to resume.
            resumed = api.client.get(f"/api/v1/attachments/{sha}", headers=auth(credential)).json()
            assert resumed["received"] == sent
    assert api.client.get(f"/api/v1/attachments/{sha}", headers=auth(credential)).json()["complete"] is True
    download = api.client.get(f"/api/v1/attachments/{sha}/content", headers=auth(credential))
    assert download.content == photo


def test_status_page_shows_no_personal_details(api: Api, server_clock: FakeClock) -> None:
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    case_id = station.register()
    api.push_ok(credential, station)
    number = station.local_states[case_id].number
    page = api.client.get(f"/status/{number}")
    assert page.status_code == 200
    assert number in page.text and "已登记" in page.text and "树木遮挡采光" in page.text
    assert "13812341234" not in page.text and "张伟" not in page.text and "枫林苑" not in page.text
    missing = api.client.get("/status/JA01-20991231-0001-X")
    assert missing.status_code == 404 and "没有编号为" in missing.text


def test_a_sqlite_writer_that_waits_too_long_is_told_busy_with_retry_after_and_its_retry_applies(
    tmp_path: Path, server_clock: FakeClock
) -> None:
    path = tmp_path / "server.db"
    database = open_database(f"sqlite:///{path}", sqlite_busy_timeout_ms=200)
    api = Api(ServerService(database, clock=server_clock), tmp_path / "data")
    credential = api.enrol_station("JA01")
    station = ModelStation("JA01", server_clock)
    station.register(0)
    other_writer = sqlite3.connect(path, isolation_level=None)
    other_writer.execute("BEGIN IMMEDIATE")  # e.g. another station's long push holding the write lock
    try:
        answer = api.push(credential, station.batch())
    finally:
        other_writer.execute("ROLLBACK")
        other_writer.close()
    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == "2"
    assert answer.json()["error"]["code"] == "server.busy"
    assert "正忙" in answer.json()["error"]["message"]
    assert api.service.events_held() == []

    response = api.push_ok(credential, station)
    assert [r.outcome for r in response.results] == ["applied"] * len(station.events)
    api.client.close()
    database.dispose()


def test_an_enrolment_retry_with_the_same_attempt_gets_a_fresh_credential_and_nobody_else_can(
    server: ServerService, server_clock: FakeClock
) -> None:
    code = server.add_station("JA01", "枫林居委会")
    attempt = "a" * 24
    lost = server.enrol(code, "前台电脑", attempt).credential  # the answer never reached the desk
    with pytest.raises(ServerError) as no_attempt:
        server.enrol(code)
    assert no_attempt.value.code == "enrol.invalid_code"
    with pytest.raises(ServerError):
        server.enrol(code, "别的电脑", "b" * 24)

    again = server.enrol(code, "前台电脑", attempt).credential

    assert again != lost
    assert server.authenticate_station(again) == "JA01"
    with pytest.raises(ServerError):
        server.authenticate_station(lost)
    server_clock.advance(minutes=16)
    with pytest.raises(ServerError):
        server.enrol(code, "前台电脑", attempt)  # the retry window has closed
