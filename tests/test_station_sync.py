"""The desk's sync with the centre, through the real sync engine, HTTP client and server app."""

from __future__ import annotations

import shutil
import threading
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from gridstation.domain.enums import Channel, EventType, Status, Tier
from gridstation.domain.listing import CaseQuery
from gridstation.protocol import StatusUpdate, receipt_digest
from gridstation.server.accounts import Department
from gridstation.server.workorders import build_work_order
from gridstation.services.core import DB_FILE
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.storage.models import CaseRow, EventRow
from gridstation.sync.engine import SyncService
from tests.support.backups import BACKUP_PASSPHRASE, unseal_backup
from tests.support.clock import FakeClock
from tests.support.complaints import complaint
from tests.support.sync import (
    CENTRE_URL,
    Centre,
    Desk,
    answer_status,
    lose_response,
    make_desk,
    refuse_connection,
    truncate_body,
)


def a_day_of_work(desk: Desk, cases: int = 3) -> list[str]:
    ids = []
    for index in range(cases):
        case = desk.station.register_case(desk.clerk, complaint(index))
        desk.station.record(desk.clerk, case.id, EventType.FIRST_CONTACT, {"note": "已电话联系居民"})
        ids.append(case.id)
    return ids


def assert_same_everywhere(desk: Desk, centre: Centre) -> None:
    """Every station event exactly once on the server, with the same content, and nothing unsent."""
    local = {(event_id, digest) for event_id, seq, digest in desk.held_events() if seq is not None}
    held = set(centre.service.events_held())
    assert local <= held
    assert len(centre.service.events_held()) == len({event_id for event_id, _ in centre.service.events_held()})
    assert desk.sync.status().unsent == 0
    assert desk.station.integrity_ok()


def test_first_sync_pushes_the_day_and_the_receipt_matches(desk: Desk, centre: Centre) -> None:
    a_day_of_work(desk)
    assert desk.sync.status().unsent == 6

    summary = desk.sync.run("end_of_day")

    assert summary.ok, summary.error
    assert summary.pushed == 6 and summary.outcomes == {"applied": 6}
    assert summary.receipt is not None and summary.receipt.matches
    assert (summary.receipt.from_seq, summary.receipt.to_seq, summary.receipt.server_held) == (1, 6, 6)
    assert summary.unsent_after == 0 and summary.rejected == []
    assert_same_everywhere(desk, centre)
    status = desk.sync.status()
    assert status.last_success_at == summary.finished_at and status.last_error == ""


def test_a_second_sync_with_nothing_new_sends_and_stores_nothing(desk: Desk, centre: Centre) -> None:
    a_day_of_work(desk)
    desk.sync.run()
    before = desk.held_events()
    centre.transport.requests.clear()

    summary = desk.sync.run()

    assert summary.ok and summary.pushed == 0 and summary.pulled == 0
    assert desk.held_events() == before
    assert not any("push" in r for r in centre.transport.requests)


def test_a_work_order_arrives_as_a_case_with_its_dispatch_clock_and_urgency(
    desk: Desk, centre: Centre, clock: FakeClock
) -> None:
    dispatched = clock() - timedelta(minutes=20)
    order = build_work_order(
        ticket="GD20261123000871",
        source=Channel.HOTLINE_12345,
        station_code="JA01",
        category_code="DRAIN.COVER",
        description="枫林苑 5 号楼旁绿化带下污水井盖被覆土堵塞，雨天倒灌。",
        dispatched_at=dispatched,
        due_hours=24,
        urgent=True,
        compound="枫林苑",
    )
    case_id = centre.service.add_work_order(order)

    summary = desk.sync.run()

    assert summary.ok, summary.error
    assert [w.number for w in summary.new_work_orders] == ["GD20261123000871"]
    state = desk.station.case(case_id)
    assert state.registered_at == dispatched  # 51530 runs from dispatch, not from when the desk heard of it
    assert state.urgent and state.work_order == "GD20261123000871"
    assert state.due_at == dispatched + timedelta(hours=24)
    assert desk.sync.status().unseen_work_orders == 1
    with desk.station.reading() as session:
        row = session.get(CaseRow, case_id)
        assert row is not None and row.urgent and row.due_at == dispatched + timedelta(hours=24)
        event = session.scalars(select(EventRow).where(EventRow.case_id == case_id)).one()
        assert event.origin == "server" and event.station_seq is None
    # The desk keeps working on it; its events go up like any other.
    desk.station.record(desk.clerk, case_id, EventType.FIRST_CONTACT, {"note": "已联系报修人"})
    assert desk.sync.run().outcomes == {"applied": 1}
    assert centre.service.case_states("JA01")[case_id]["status"] == str(Status.CONTACTED)


def test_a_department_update_flows_down_and_later_desk_work_builds_on_it(desk: Desk, centre: Centre) -> None:
    (case_id,) = a_day_of_work(desk, 1)
    centre.service.add_department("LVHUA", "绿化市容所")
    desk.station.record(desk.clerk, case_id, EventType.DISPATCHED, {"assignee": "绿化市容所", "note": ""})
    desk.sync.run()
    number = desk.station.case(case_id).number
    greening = Department("LVHUA", "绿化市容所")
    centre.service.department_update(
        greening, StatusUpdate(case_number=number, update="dispatched", assignee="绿化养护队", note="已派养护队")
    )

    summary = desk.sync.run()

    assert summary.ok and summary.pulled == 1
    state = desk.station.case(case_id)
    assert state.status is Status.DISPATCHED and state.assignee == "绿化养护队"
    desk.station.record(desk.clerk, case_id, EventType.ARRIVED_ON_SITE, {"note": "养护队已到现场"})
    assert desk.sync.run().outcomes == {"applied": 1}
    assert centre.service.case_states("JA01")[case_id]["status"] == str(Status.ON_SITE)
    assert [e.type for e in desk.station.timeline(case_id)][-2:] == [EventType.DISPATCHED, EventType.ARRIVED_ON_SITE]


def test_a_lost_push_response_is_a_harmless_resend(desk: Desk, centre: Centre) -> None:
    a_day_of_work(desk)
    centre.transport.add("/sync/push", lose_response)

    summary = desk.sync.run()

    assert summary.ok, summary.error
    assert summary.retries == 1 and summary.outcomes == {"duplicate": 6}
    assert summary.receipt is not None and summary.receipt.matches
    assert_same_everywhere(desk, centre)


@pytest.mark.parametrize(
    "fault",
    [refuse_connection, answer_status(503, "1"), answer_status(429, "2"), answer_status(500), truncate_body],
    ids=["refused", "503", "429", "500", "truncated"],
)
def test_a_flaky_network_only_slows_the_sync_down(desk: Desk, centre: Centre, fault: object) -> None:
    a_day_of_work(desk)
    # The day's sync is a push and a pull (the pull answers the receipt and says the conflicts are unchanged);
    # tests/test_sync_round_trips.py has the same faults on the receipt and the conflicts of an older server.
    for path in ("/sync/push", "/sync/pull"):
        centre.transport.add(path, fault, times=2)  # type: ignore[arg-type]

    summary = desk.sync.run()

    assert summary.ok, summary.error
    assert summary.retries == 4
    assert summary.receipt is not None and summary.receipt.matches
    assert_same_everywhere(desk, centre)


def test_retry_after_is_honoured(desk: Desk, centre: Centre) -> None:
    a_day_of_work(desk, 1)
    centre.transport.add("/sync/push", answer_status(503, "7"))
    assert desk.sync.run().ok
    assert len(desk.sleeps) == 1 and 7.0 <= desk.sleeps[0] <= 10.5  # never sooner, jittered up to half again


def test_when_the_server_stays_down_the_sync_gives_up_with_a_clear_message_and_keeps_everything(
    desk: Desk, centre: Centre
) -> None:
    a_day_of_work(desk)
    centre.transport.add("/sync/push", refuse_connection, times=50)

    summary = desk.sync.run()

    assert not summary.ok and summary.error_code == "sync.offline"
    assert "无法连接城运中心服务器" in summary.error
    assert desk.sync.status().unsent == 6 and desk.sync.status().last_error == summary.error
    centre.transport.faults.clear()
    assert desk.sync.run().ok
    assert_same_everywhere(desk, centre)


def test_a_revoked_station_is_told_so_and_nothing_is_lost(desk: Desk, centre: Centre) -> None:
    a_day_of_work(desk)
    centre.service.revoke_station("JA01")

    summary = desk.sync.run()

    assert not summary.ok and summary.error_code == "station.revoked" and "停用" in summary.error
    assert summary.retries == 0
    assert desk.sync.status().unsent == 6


def test_an_unenrolled_desk_is_told_how_to_enrol(centre: Centre, service: StationService, admin, clerk) -> None:  # type: ignore[no-untyped-def]
    desk = make_desk(centre, service, admin, clerk)
    summary = desk.sync.run()
    assert not summary.ok and summary.error_code == "sync.not_enrolled" and "同步设置" in summary.error


def test_enrolment_with_another_stations_code_is_refused_in_words(
    centre: Centre,
    service: StationService,
    admin,
    clerk,  # type: ignore[no-untyped-def]
) -> None:
    desk = make_desk(centre, service, admin, clerk)
    with pytest.raises(Exception) as caught:
        desk.sync.enrol(admin, CENTRE_URL, centre.enrolment_code("JA02"))
    assert "JA02" in str(caught.value) and "JA01" in str(caught.value)
    assert not desk.sync.status().enrolled


def test_an_epoch_reset_repulls_and_keeps_unsent_work(desk: Desk, centre: Centre) -> None:
    a_day_of_work(desk)
    desk.sync.run()
    centre.service.resync_station("JA01")
    (later,) = a_day_of_work(desk, 1)

    summary = desk.sync.run()

    assert summary.ok and summary.resets == 1
    assert summary.outcomes == {"applied": 2}
    assert desk.station.case(later).status is Status.CONTACTED
    assert_same_everywhere(desk, centre)


def test_two_syncs_started_at_once_both_end_correct(desk: Desk, centre: Centre) -> None:
    a_day_of_work(desk, 5)
    results = []
    threads = [threading.Thread(target=lambda: results.append(desk.sync.run())) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 2 and all(r.ok for r in results), [r.error for r in results]
    assert sorted(r.pushed for r in results) == [0, 10]
    assert_same_everywhere(desk, centre)


def test_a_desk_clock_a_day_ahead_still_syncs_correctly(desk: Desk, centre: Centre, clock: FakeClock) -> None:
    clock.advance(days=1)  # the desk's clock is wrong; the server's (same fake here) is checked by ordering only
    ids = a_day_of_work(desk)
    summary = desk.sync.run()
    assert summary.ok and summary.outcomes == {"applied": 6}
    assert {desk.station.case(i).status for i in ids} == {Status.CONTACTED}


def test_progress_is_reported_for_each_stage(desk: Desk) -> None:
    a_day_of_work(desk)
    seen: list[tuple[str, int, int]] = []
    desk.sync.run(progress=lambda stage, done, total: seen.append((stage, done, total)))
    stages = [stage for stage, _, _ in seen]
    assert stages[0] == "connect" and stages[-1] == "done"
    assert ("push", 6, 6) in seen and "pull" in stages and "receipt" in stages


def test_the_receipt_names_the_exact_difference_when_the_server_lacks_events(desk: Desk, centre: Centre) -> None:
    a_day_of_work(desk)
    desk.sync.run()
    # Make the desk believe two more were sent that the server never got (e.g. a broken proxy said 200).
    (case_id,) = a_day_of_work(desk, 1)
    with desk.station.transaction() as session:
        for row in session.scalars(select(EventRow).where(EventRow.case_id == case_id)):
            row.acknowledged_at = row.occurred_at
            row.sync_outcome = "applied"

    summary = desk.sync.run()

    assert summary.receipt is not None and not summary.receipt.matches
    assert summary.receipt.missing_on_server == [(7, 8)]
    with desk.station.reading() as session:
        local = [(r.station_seq, r.content_hash) for r in session.scalars(select(EventRow)) if r.station_seq]
    assert summary.receipt.local_digest == receipt_digest(local)


def test_the_summary_is_json_for_support(desk: Desk) -> None:
    a_day_of_work(desk, 1)
    data = desk.sync.run().to_json()
    assert data["ok"] is True and data["receipt"]["matches"] is True
    assert data["outcomes"] == {"applied": 2}


def test_a_server_restored_from_backup_gets_the_lost_events_again(desk: Desk, centre: Centre, tmp_path: Path) -> None:
    a_day_of_work(desk, 2)
    desk.sync.run()
    # The centre loses everything after its backup: here, the whole station scope, by a fresh database.
    from gridstation.server.db import open_database

    centre.service.database.dispose()
    fresh = open_database(f"sqlite:///{tmp_path / 'centre-restored.db'}")
    centre.service.__init__(fresh, clock=centre.clock)  # type: ignore[misc]
    code = centre.service.add_station("JA01", "枫林居委会民情快办工作站")
    desk.sync.enrol(desk.admin, CENTRE_URL, code)
    a_day_of_work(desk, 1)

    summary = desk.sync.run()

    assert summary.ok, summary.error
    assert summary.resent == 4 and summary.outcomes == {"applied": 6}
    assert_same_everywhere(desk, centre)


def test_sync_service_can_be_built_for_an_unconfigured_desk(service: StationService) -> None:
    status = SyncService(service).status()
    assert not status.enrolled and status.server_url == "" and status.unsent == 0


def test_quick_tiers_and_tracked_cases_alike(desk: Desk) -> None:
    case = desk.station.register_case(desk.clerk, complaint(0, Tier.TRACKED))
    assert desk.sync.run().outcomes == {"applied": len(desk.station.timeline(case.id))}


def correct_address(desk: Desk, case_id: str, value: str) -> None:
    desk.station.record(
        desk.clerk, case_id, EventType.INTAKE_CORRECTED, {"field": "address", "value": value, "reason": "居民补充"}
    )


def test_a_desk_restored_from_yesterdays_backup_recovers_its_lost_events_and_reuses_no_numbers(
    desk: Desk, centre: Centre, tmp_path: Path
) -> None:
    (case_id,) = a_day_of_work(desk, 1)
    desk.sync.run()
    backup = desk.station.backup(desk.admin, tmp_path / "yesterday.db", passphrase=BACKUP_PASSPHRASE)
    lost = desk.station.register_case(desk.clerk, complaint(1))  # after the backup, and synced
    correct_address(desk, case_id, "枫林路 88 弄 3 号")
    desk.sync.run()

    desk.station.restore(desk.admin, backup, passphrase=BACKUP_PASSPHRASE)
    fresh = desk.station.register_case(desk.clerk, complaint(2))
    correct_address(desk, case_id, "枫林路 86 弄 3 号")  # edits the old value again: a conflict on the server

    summary = desk.sync.run()

    assert summary.ok, summary.error
    assert fresh.number != lost.number
    assert desk.station.case(lost.id).number == lost.number  # the lost case came back down
    assert summary.outcomes == {"applied": 1, "conflict": 1} and summary.renumbered == 0
    assert summary.new_conflicts == 1 and summary.open_conflicts == 1
    assert summary.receipt is not None and summary.receipt.matches
    assert desk.station.case(case_id).address == "枫林路 88 弄 3 号"  # the server's value stands until a person chooses
    assert_same_everywhere(desk, centre)

    (conflict,) = desk.sync.open_conflicts()
    assert (conflict.label, conflict.station_value, conflict.server_value) == (
        "地址",
        "枫林路 86 弄 3 号",
        "枫林路 88 弄 3 号",
    )
    assert conflict.station_actor and conflict.server_at is not None
    state = desk.sync.resolve_conflict(desk.clerk, conflict.id, "station")
    assert state.address == "枫林路 86 弄 3 号" and desk.sync.open_conflicts() == []

    summary = desk.sync.run()
    assert summary.ok and summary.outcomes == {"applied": 1} and summary.open_conflicts == 0
    assert centre.service.conflicts("JA01") == []
    assert centre.service.case_states("JA01")[case_id]["address"] == "枫林路 86 弄 3 号"


def test_keeping_the_centres_value_closes_the_conflict_with_a_note(desk: Desk, centre: Centre, tmp_path: Path) -> None:
    (case_id,) = a_day_of_work(desk, 1)
    desk.sync.run()
    backup = desk.station.backup(desk.admin, tmp_path / "yesterday.db", passphrase=BACKUP_PASSPHRASE)
    correct_address(desk, case_id, "枫林路 88 弄 3 号")
    desk.sync.run()
    desk.station.restore(desk.admin, backup, passphrase=BACKUP_PASSPHRASE)
    correct_address(desk, case_id, "枫林路 86 弄 3 号")
    desk.sync.run()

    (conflict,) = desk.sync.open_conflicts()
    state = desk.sync.resolve_conflict(desk.clerk, conflict.id, "server")

    assert state.address == "枫林路 88 弄 3 号"
    assert desk.station.timeline(case_id)[-1].type is EventType.NOTE_ADDED
    assert desk.sync.run().ok and centre.service.conflicts("JA01") == []


def move_to_a_new_machine(desk: Desk, centre: Centre, backup: Path) -> None:
    """Only the backup file survived, not the number ledger kept beside the database."""
    data_dir = desk.station.data_dir
    desk.station.close()
    shutil.rmtree(data_dir)
    data_dir.mkdir()
    unseal_backup(backup, data_dir / DB_FILE)
    desk.station.__init__(data_dir, now=desk.station._now)  # type: ignore[misc]
    # A backup never carries the sync credential: the new machine enrols again with a fresh code (--new-code).
    desk.sync.enrol(desk.admin, CENTRE_URL, centre.enrolment_code("JA01"))


def test_a_restore_that_also_lost_the_number_ledger_renumbers_unsent_events(
    desk: Desk, centre: Centre, tmp_path: Path
) -> None:
    a_day_of_work(desk, 1)
    desk.sync.run()
    backup = desk.station.backup(desk.admin, tmp_path / "yesterday.db", passphrase=BACKUP_PASSPHRASE)
    a_day_of_work(desk, 2)  # events 3–6, synced, then lost with the machine
    desk.sync.run()
    move_to_a_new_machine(desk, centre, backup)
    (kept,) = desk.station.search(CaseQuery())
    for note in ("居民再次来电", "网格员已上门"):  # numbered 3 and 4 again: reused
        desk.station.record(desk.clerk, kept.id, EventType.NOTE_ADDED, {"note": note})
    held_before = len(centre.service.events_held())

    summary = desk.sync.run()

    assert summary.ok, summary.error
    assert summary.renumbered >= 2
    assert len(centre.service.events_held()) == held_before + 2
    with desk.station.reading() as session:
        seqs = sorted(r.station_seq for r in session.scalars(select(EventRow)) if r.station_seq is not None)
    assert seqs == list(range(1, 9))
    assert summary.receipt is not None and summary.receipt.matches
    assert_same_everywhere(desk, centre)


def test_a_case_number_reused_after_losing_backup_and_ledger_stops_sync_with_the_reason(
    desk: Desk, centre: Centre, tmp_path: Path
) -> None:
    a_day_of_work(desk, 1)
    desk.sync.run()
    backup = desk.station.backup(desk.admin, tmp_path / "yesterday.db", passphrase=BACKUP_PASSPHRASE)
    a_day_of_work(desk, 1)
    desk.sync.run()
    move_to_a_new_machine(desk, centre, backup)
    desk.station.register_case(desk.clerk, complaint(2))  # takes the lost case's number
    before = desk.held_events()

    summary = desk.sync.run()

    assert not summary.ok and summary.error_code == "sync.case_number_clash"
    assert "请联系管理员" in summary.error
    assert desk.held_events() == before and desk.station.integrity_ok()


def week_of_offline_work(service: StationService, clerk: StaffMember, clock: FakeClock, cases: int, steps: int) -> int:
    """`cases` cases with `steps` events each, spread over a week, written in bulk with the domain's own rules.

    Through the service one event is one transaction; 20 000 of them would take minutes, and only the log's
    content matters here.
    """
    from gridstation.domain.case import apply
    from gridstation.domain.clock import HlcStamp
    from gridstation.domain.events import Event, new_id
    from gridstation.domain.lifecycle import decide, decide_registration
    from gridstation.domain.numbering import format_case_number
    from gridstation.storage import case_store

    policy = service.deadline_policy()
    start = clock() - timedelta(days=7)
    written = 0
    with service.transaction() as session:
        for index in range(cases):
            at = start + timedelta(minutes=5 * index)
            day = service.local_date(at)
            number = format_case_number("JA01", day, case_store.next_daily_sequence(session, f"{day:%Y%m%d}"))
            case_id = new_id()
            drafts = decide_registration(case_id, number, complaint(index))
            state = None
            events = []
            for step in range(steps):
                if step > 0:
                    assert state is not None
                    drafts = [decide(state, EventType.NOTE_ADDED, {"note": f"第 {step} 次跟进：网格员已回访居民。"})]
                for draft in drafts:
                    event = Event(
                        id=new_id(),
                        case_id=case_id,
                        type=draft.type,
                        payload=draft.payload,
                        actor_id=clerk.id,
                        actor_name=clerk.name,
                        station_code="JA01",
                        occurred_at=at + timedelta(seconds=step),
                        hlc=HlcStamp(int((at + timedelta(seconds=step)).timestamp() * 1000), 0).encode(),
                    )
                    events.append(event)
                    state = apply(state, event)
            case_store.append_events(session, events, policy)
            written += len(events)
    return written


@pytest.mark.slow
def test_a_week_of_unsent_work_syncs_in_one_go_with_progress(desk: Desk, centre: Centre, clock: FakeClock) -> None:
    written = week_of_offline_work(desk.station, desk.clerk, clock, cases=2000, steps=10)
    assert written == 20_000 and desk.sync.status().unsent == 20_000
    pushes: list[tuple[int, int]] = []
    pulls: list[tuple[int, int]] = []

    def progress(stage: str, done: int, total: int) -> None:
        (pushes if stage == "push" else pulls if stage == "pull" else []).append((done, total))

    summary = desk.sync.run("end_of_day", progress=progress)

    assert summary.ok, summary.error
    assert summary.pushed == 20_000 and summary.outcomes == {"applied": 20_000}
    assert pushes[-1] == (20_000, 20_000) and len(pushes) >= 40  # one step per batch of 500
    assert [done for done, _ in pushes] == sorted(done for done, _ in pushes)
    assert pulls[-1][0] == 20_000 and pulls[-1][0] == pulls[-1][1]
    assert summary.unsent_after == 0
    assert_same_everywhere(desk, centre)


def test_events_lost_before_they_were_ever_sent_leave_no_hole_in_the_servers_sequence(
    desk: Desk, centre: Centre, tmp_path: Path
) -> None:
    (case_id,) = a_day_of_work(desk, 1)
    desk.sync.run()
    backup = desk.station.backup(desk.admin, tmp_path / "yesterday.db", passphrase=BACKUP_PASSPHRASE)
    desk.station.record(desk.clerk, case_id, EventType.NOTE_ADDED, {"note": "这条记录随硬盘损坏丢失，从未上传"})
    # The number ledger survives: number 3 is never issued again.
    desk.station.restore(desk.admin, backup, passphrase=BACKUP_PASSPHRASE)
    desk.station.record(desk.clerk, case_id, EventType.NOTE_ADDED, {"note": "恢复后补记"})

    summary = desk.sync.run()

    assert summary.ok, summary.error
    assert summary.renumbered == 1 and summary.outcomes == {"applied": 1}
    assert summary.receipt is not None and summary.receipt.matches
    assert_same_everywhere(desk, centre)
    desk.station.record(desk.clerk, case_id, EventType.NOTE_ADDED, {"note": "再补记一条"})
    assert desk.sync.run().ok
    assert_same_everywhere(desk, centre)


def note(desk: Desk, case_id: str, text: str) -> None:
    desk.station.record(desk.clerk, case_id, EventType.NOTE_ADDED, {"note": text})


def test_a_backup_taken_before_a_sync_then_restored_with_its_ledger_still_syncs(
    desk: Desk, centre: Centre, tmp_path: Path
) -> None:
    (case_id,) = a_day_of_work(desk, 1)  # events 1, 2
    assert desk.sync.run().ok
    note(desk, case_id, "3：备份时尚未上传")
    backup = desk.station.backup(desk.admin, tmp_path / "yesterday.db", passphrase=BACKUP_PASSPHRASE)
    assert desk.sync.run().ok  # 3 reaches the server
    note(desk, case_id, "4：从未上传，随硬盘丢失")
    desk.station.restore(desk.admin, backup, passphrase=BACKUP_PASSPHRASE)  # the ledger remembers 4 was issued
    note(desk, case_id, "5：恢复后补记")

    summary = desk.sync.run()

    assert summary.ok, summary.error
    assert summary.outcomes == {"duplicate": 1, "applied": 1} and summary.renumbered == 1
    assert summary.receipt is not None and summary.receipt.matches
    assert_same_everywhere(desk, centre)


def test_after_the_centre_is_restored_from_its_backup_nothing_in_its_feed_is_skipped(
    desk: Desk, centre: Centre, tmp_path: Path, clock: FakeClock
) -> None:
    import sqlite3

    from gridstation.server.db import open_database

    a_day_of_work(desk, 2)
    assert desk.sync.run().ok
    source, copy = sqlite3.connect(tmp_path / "centre.db"), sqlite3.connect(tmp_path / "centre-backup.db")
    source.backup(copy)
    source.close()
    copy.close()
    (case_id,) = a_day_of_work(desk, 1)
    assert desk.sync.run().ok
    centre.service.database.dispose()
    centre.service.__init__(open_database(f"sqlite:///{tmp_path / 'centre-backup.db'}"), clock=centre.clock)  # type: ignore[misc]
    order = build_work_order(
        ticket="GD20261123000871",
        source=Channel.HOTLINE_12345,
        station_code="JA01",
        category_code="DRAIN.COVER",
        description="污水井盖被覆土堵塞。",
        dispatched_at=clock() - timedelta(minutes=5),
        due_hours=24,
        urgent=True,
        compound="枫林苑",
    )
    work_order = centre.service.add_work_order(order)
    note(desk, case_id, "城运中心恢复后的新记录")

    summary = desk.sync.run()

    assert summary.ok, summary.error
    assert summary.resent == 2
    assert desk.station.case(work_order).work_order == "GD20261123000871"
    assert_same_everywhere(desk, centre)


def test_a_batch_too_large_for_the_server_is_split(desk: Desk, centre: Centre, monkeypatch: pytest.MonkeyPatch) -> None:
    from gridstation.sync import engine

    monkeypatch.setattr(engine, "PUSH_BATCH", 4)
    a_day_of_work(desk, 3)

    def too_large(request: httpx.Request, forward: object) -> httpx.Response:
        return httpx.Response(413, json={"error": {"code": "request.too_large", "message": "请求过大。", "detail": {}}})

    centre.transport.add("/sync/push", too_large)
    summary = desk.sync.run()
    assert summary.ok and summary.pushed == 6
    assert sum("push" in r for r in centre.transport.requests) == 4  # 4 refused; then 2, 2 and 2


def test_events_recorded_after_the_push_are_unsent_not_missing_in_the_receipt(desk: Desk, centre: Centre) -> None:
    (case_id,) = a_day_of_work(desk, 1)

    def record_during_sync(stage: str, done: int, total: int) -> None:
        if stage == "receipt" and done == 0:
            note(desk, case_id, "同步进行中又记了一条")

    summary = desk.sync.run(progress=record_during_sync)

    assert summary.receipt is not None and summary.receipt.matches
    assert summary.unsent_after == 1
