"""The stored case projection always equals the fold of the stored events, and failed appends leave no trace."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from gridstation.domain.case import CaseState, Intake, fold
from gridstation.domain.clock import HlcStamp, HybridLogicalClock
from gridstation.domain.codec import event_from_json, event_to_json, state_from_json, state_to_json
from gridstation.domain.enums import (
    Channel,
    DisposalOutcome,
    EventType,
    FollowUpKind,
    Resolution,
    Satisfaction,
    Status,
    Tier,
)
from gridstation.domain.errors import DomainError, IllegalTransition
from gridstation.domain.events import Event
from gridstation.domain.lifecycle import legal_actions
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.storage import case_store
from gridstation.storage.db import StorageError
from gridstation.storage.models import CaseRow, EventRow
from tests.support.clock import FakeClock
from tests.support.snapshots import snapshot

NOTES = ["已电话联系居民", "网格员到场查看", "居民不在家，已留言", "树枝已剪除", "井盖已清理", ""]
ASSIGNEES = ["物业公司", "绿化市容所", "排水管理所", "交警支队", "城管中队", "消防站"]
CATEGORIES = ["GREEN.LIGHT", "DRAIN.COVER", "NOISE.TRAFFIC", "BUILD.SHED", "FIRE.CORRIDOR"]
DESCRIPTIONS = [
    "楼前香樟树太高，遮挡二楼阳光，常年晒不到被子。",
    "绿化带里的污水井盖被泥土和灌木盖住，雨天污水漫出。",
    "隧道出口车辆频繁鸣笛，深夜也不停。",
    "非机动车棚被人用彩钢板隔出一间，堆放杂物。",
    "五楼楼道堆满纸箱和油漆桶，还有一只液化气罐。",
    "𠮷野家门口的绿化🌳被踩坏，<b>请尽快处理</b>",
]
CORRECTIONS: dict[str, list[Any]] = {
    "compound": ["枫林苑", "康乐小区", "梅园新村"],
    "address": ["3 号楼", "7 号楼东侧", "车棚北侧"],
    "description": DESCRIPTIONS,
    "phone": ["13800138000", "13800138001", "021-64331234", ""],
    "anonymous": [True, False],
    "complainant_name": ["测试居民甲", "测试居民乙"],
}


def payloads(state: CaseState, action: EventType) -> st.SearchStrategy[dict[str, Any]]:
    """Payloads for `action`: mostly valid, sometimes invalid so that refusals are exercised too."""
    note = st.sampled_from(NOTES)
    match action:
        case EventType.FIRST_CONTACT | EventType.ARRIVED_ON_SITE:
            return st.fixed_dictionaries({"note": note})
        case EventType.NOTE_ADDED:
            return st.fixed_dictionaries({"note": note})  # "" is refused: a note needs text
        case EventType.DISPATCHED:
            return st.fixed_dictionaries({"assignee": st.sampled_from(ASSIGNEES), "note": note})
        case EventType.DISPOSED:
            return st.fixed_dictionaries({"outcome": st.sampled_from(list(DisposalOutcome)), "note": note})
        case EventType.CLOSED:
            return st.fixed_dictionaries({"answer": st.sampled_from(["已处理完毕并答复居民", "已拿出方案并告知"])})
        case EventType.VISIT_UNREACHABLE:
            due = state.pending_follow_up()
            return st.fixed_dictionaries(
                {"kind": st.sampled_from([due, due, *FollowUpKind]).map(str), "note": st.just("三次来电无人接听")}
            )
        case EventType.FOLLOW_UP:
            due = state.pending_follow_up()
            return st.fixed_dictionaries(
                {
                    "kind": st.sampled_from([due, due, due, *FollowUpKind]).map(str),
                    "satisfaction": st.sampled_from(list(Satisfaction)).map(str),
                    "resolution": st.sampled_from(list(Resolution)).map(str),
                    "visitor": st.just("测试员丁"),
                    "source": st.sampled_from(["phone", "paper_form"]),
                    "visited_on": st.just("2026-11-30"),
                }
            )
        case EventType.CONFERENCE_FLAGGED:
            return st.fixed_dictionaries(
                {"flagged": st.just(not state.conference_flagged), "reason": st.sampled_from(["多部门协同难题", ""])}
            )
        case EventType.OWNER_CHANGED:
            return st.fixed_dictionaries(
                {"to": st.sampled_from(["李明", "王芳", state.owner or "李明"]), "reason": st.just("调岗交接")}
            )
        case EventType.TIER_CHANGED:
            return st.fixed_dictionaries(
                {
                    "to": st.sampled_from([t for t in Tier if t is not state.tier]).map(str),
                    "reason": st.just("按规定调整"),
                }
            )
        case EventType.SUPPLEMENTED:
            return st.fixed_dictionaries(
                {
                    "note": st.sampled_from(["邻居也来反映", "居民再次来电"]),
                    "channel": st.sampled_from([str(c) for c in Channel]),
                }
            )
        case EventType.INTAKE_CORRECTED:
            return st.sampled_from(sorted(CORRECTIONS)).flatmap(
                lambda name: st.fixed_dictionaries(
                    {"field": st.just(name), "value": st.sampled_from(CORRECTIONS[name]), "reason": st.just("核对更正")}
                )
            )
    raise AssertionError(action)


class Station:
    def __init__(self, service: StationService, admin: StaffMember, clock: FakeClock) -> None:
        self.service, self.admin, self.clock = service, admin, clock


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Station]:
    """One station for all examples, so the event sequence is checked across many cases."""
    clock = FakeClock()
    service = StationService(tmp_path_factory.mktemp("projection") / "station", now=clock)
    admin = service.initialise(code="JA01", name="属性测试工作站", admin_name="测试管理员", admin_pin="246810")
    yield Station(service, admin, clock)
    service.close()


def case_row(service: StationService, case_id: str) -> dict[str, Any]:
    with service._read() as session:
        row = session.get(CaseRow, case_id)
        assert row is not None
        return {c.key: getattr(row, c.key) for c in CaseRow.__table__.columns}


def event_count(service: StationService) -> int:
    with service._read() as session:
        return int(session.scalar(select(func.count()).select_from(EventRow)) or 0)


def station_seqs(service: StationService) -> list[int]:
    with service._read() as session:
        return list(session.scalars(select(EventRow.station_seq).order_by(EventRow.station_seq)))


def stored_hashes(service: StationService, case_id: str) -> list[str]:
    with service._read() as session:
        rows = session.scalars(select(EventRow).where(EventRow.case_id == case_id).order_by(EventRow.station_seq))
        return [r.content_hash for r in rows]


def assert_projection_is_fold(service: StationService, case_id: str) -> CaseState:
    timeline = service.timeline(case_id)
    folded = fold(timeline)
    row = case_row(service, case_id)
    assert state_from_json(row["state"]) == folded
    assert service.case(case_id) == folded
    assert row["status"] == str(folded.status)
    assert row["tier"] == str(folded.tier)
    assert row["version"] == len(timeline) == folded.version
    assert row["description"] == folded.description
    assert row["reopen_count"] == folded.reopen_count
    policy = service.deadline_policy()
    deadline = folded.running_deadline(policy)
    assert row["sla_due_at"] == (deadline.due_at if deadline else None)
    assert stored_hashes(service, case_id) == [e.content_hash() for e in timeline]
    return folded


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_projection_equals_fold_of_events(station: Station, data: st.DataObject) -> None:
    """Random legal (and some refused) actions with a wandering clock keep projection == fold(events), seq gap-free."""
    service, admin, clock = station.service, station.admin, station.clock
    tier = data.draw(st.sampled_from(list(Tier)), label="tier")
    case = service.register_case(
        admin,
        Intake.validated(
            channel=data.draw(st.sampled_from(list(Channel)), label="channel"),
            category_code=data.draw(st.sampled_from(CATEGORIES), label="category"),
            description=data.draw(st.sampled_from(DESCRIPTIONS), label="description"),
            tier=tier,
            compound="枫林苑",
            phone="13800138000",
            answer="已当场解答" if tier is Tier.ON_THE_SPOT else "",
        ),
    )
    steps = data.draw(st.integers(min_value=0, max_value=12), label="steps")
    for _ in range(steps):
        seconds = data.draw(st.integers(min_value=-120, max_value=4 * 3600), label="clock step")
        clock.advance(seconds=seconds, microseconds=data.draw(st.integers(0, 999_999), label="µs"))
        state = service.case(case.id)
        action = data.draw(st.sampled_from(legal_actions(state)), label="action")
        payload = data.draw(payloads(state, action), label="payload")
        events_before = event_count(service)
        row_before = case_row(service, case.id)
        try:
            after = service.record(admin, case.id, action, payload, expected_version=state.version)
        except DomainError:
            # A refused action (unchanged correction, empty note, wrong follow-up order) leaves no trace.
            assert event_count(service) == events_before
            assert case_row(service, case.id) == row_before
            continue
        assert after.version == state.version + 1
    assert_projection_is_fold(service, case.id)
    seqs = station_seqs(service)
    assert seqs == list(range(1, len(seqs) + 1))


# ---------------------------------------------------------------- failed appends


@pytest.fixture
def sewer_case(service: StationService, clerk: StaffMember) -> CaseState:
    return service.register_case(
        clerk,
        Intake.validated(
            channel=Channel.HOTLINE_12345,
            category_code="DRAIN.COVER",
            description="绿化带下污水井盖被土埋住，污水从草地里冒出来。",
            tier=Tier.TRACKED,
            phone="13800138000",
        ),
    )


def test_illegal_transition_changes_nothing(service: StationService, clerk: StaffMember, sewer_case: CaseState) -> None:
    """Recording an arrival on a case nobody has contacted is refused and stores nothing."""
    before = snapshot(service)
    with pytest.raises(IllegalTransition):
        service.record(clerk, sewer_case.id, EventType.ARRIVED_ON_SITE, {})
    assert snapshot(service) == before


def test_exception_mid_append_rolls_back_projection_and_events(
    service: StationService, clerk: StaffMember, sewer_case: CaseState, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash after the projection is written but before the events are stored leaves both untouched."""
    before = snapshot(service)

    def power_cut(_self: Event) -> str:
        raise RuntimeError("模拟断电")

    monkeypatch.setattr(Event, "content_hash", power_cut)
    with pytest.raises(RuntimeError):
        service.record(clerk, sewer_case.id, EventType.FIRST_CONTACT, {"note": "已联系"})
    with pytest.raises(RuntimeError):
        service.register_case(
            clerk,
            Intake.validated(
                channel=Channel.WALK_IN,
                category_code="GREEN.LIGHT",
                description="树挡光",
                tier=Tier.TRACKED,
                phone="13800138000",
            ),
        )
    monkeypatch.undo()
    assert snapshot(service) == before
    # The service carries on, and the failed registration did not use up a number.
    contacted = service.record(clerk, sewer_case.id, EventType.FIRST_CONTACT, {"note": "已联系"})
    assert contacted.status is Status.CONTACTED
    assert contacted.version == sewer_case.version + 1
    nxt = service.register_case(
        clerk,
        Intake.validated(
            channel=Channel.WALK_IN,
            category_code="GREEN.LIGHT",
            description="树挡光",
            tier=Tier.TRACKED,
            phone="13800138000",
        ),
    )
    assert nxt.number.split("-")[2] == "0002"
    assert station_seqs(service) == list(range(1, len(station_seqs(service)) + 1))


def test_database_refusing_the_event_rolls_back_the_projection(
    service: StationService, clerk: StaffMember, sewer_case: CaseState, data_dir: Path
) -> None:
    """If SQLite refuses the event insert, the already-flushed projection update is rolled back too."""
    before = snapshot(service)
    with sqlite3.connect(data_dir / "station.db") as other:
        other.execute(
            "CREATE TRIGGER refuse_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'simulated refusal'); END"
        )
    other.close()
    try:
        with pytest.raises(StorageError) as info:
            service.record(clerk, sewer_case.id, EventType.FIRST_CONTACT, {"note": "已联系"})
        assert info.value.code == "storage.failed"
        assert "未能保存" in info.value.message_zh
        assert snapshot(service) == before
    finally:
        with sqlite3.connect(data_dir / "station.db") as other:
            other.execute("DROP TRIGGER refuse_events")
        other.close()
    assert service.record(clerk, sewer_case.id, EventType.FIRST_CONTACT, {}).status is Status.CONTACTED


def test_state_json_round_trip(
    service: StationService, clerk: StaffMember, sewer_case: CaseState, clock: FakeClock
) -> None:
    """state_to_json → JSON text → state_from_json gives back the same state, follow-ups and datetimes included."""
    steps: list[tuple[EventType, dict[str, Any]]] = [
        (EventType.FIRST_CONTACT, {}),
        (EventType.DISPATCHED, {"assignee": "排水管理所"}),
        (EventType.ARRIVED_ON_SITE, {}),
        (EventType.DISPOSED, {"outcome": "plan", "note": "需更换井盖"}),
        (EventType.CLOSED, {"answer": "已拿出更换方案"}),
        (EventType.FOLLOW_UP, {"satisfaction": "basically_satisfied", "resolution": "partly"}),
    ]
    state = sewer_case
    for event_type, payload in steps:
        clock.advance(minutes=7, microseconds=123)
        state = service.record(clerk, state.id, event_type, payload)
    assert state.follow_ups and state.disposal_outcome is DisposalOutcome.PLAN
    again = state_from_json(json.loads(json.dumps(state_to_json(state), ensure_ascii=False)))
    assert again == state
    assert again.closed_at == state.closed_at and again.closed_at is not None
    assert again.closed_at.tzinfo is not None


# ---------------------------------------------------------------- event store guards, codec and clock


def test_append_events_refuses_empty_and_mixed_batches(
    service: StationService, clerk: StaffMember, sewer_case: CaseState
) -> None:
    """The store appends one case's events at a time; an empty or mixed batch is a programming error."""
    policy = service.deadline_policy()
    event = service.timeline(sewer_case.id)[0]
    other = Event(
        "other-event",
        "other-case",
        EventType.NOTE_ADDED,
        {"note": "x"},
        "s",
        "测试员甲",
        "JA01",
        event.occurred_at,
        "h",
    )
    before = snapshot(service)
    with service._sessions() as session, session.begin():
        with pytest.raises(ValueError):
            case_store.append_events(session, [], policy)
        note = Event(
            "note-event",
            sewer_case.id,
            EventType.NOTE_ADDED,
            {"note": "备注"},
            "s",
            "测试员甲",
            "JA01",
            event.occurred_at,
            "h",
        )
        with pytest.raises(ValueError):
            case_store.append_events(session, [note, other], policy)
        session.rollback()
    assert snapshot(service) == before


def test_unknown_case_is_reported_in_chinese(service: StationService, clerk: StaffMember) -> None:
    """Asking for a case that does not exist gives case.unknown, whether by id, by number or when recording."""
    for attempt in (
        lambda: service.case("no-such-case"),
        lambda: service.case_by_number("JA01-20261123-9999-X"),
        lambda: service.record(clerk, "no-such-case", EventType.NOTE_ADDED, {"note": "x"}),
    ):
        with pytest.raises(DomainError) as info:
            attempt()
        assert info.value.code == "case.unknown"
        assert "找不到" in info.value.message_zh


def test_event_json_round_trip(service: StationService, sewer_case: CaseState) -> None:
    """Events survive event_to_json → JSON text → event_from_json with the same content hash (what sync relies on)."""
    for event in service.timeline(sewer_case.id):
        again = event_from_json(json.loads(json.dumps(event_to_json(event), ensure_ascii=False)))
        assert again == event
        assert again.content_hash() == event.content_hash()


@settings(max_examples=30, deadline=None)
@given(walls=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=40))
def test_hlc_never_runs_backwards(walls: list[int]) -> None:
    """Whatever the wall clock does, each HLC stamp is later than the last, and its text sorts the same way."""
    ticks = iter(walls)
    clock = HybridLogicalClock(lambda: next(ticks))
    stamps = [clock.now() for _ in walls]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    encoded = [s.encode() for s in stamps]
    assert encoded == sorted(encoded)
    assert [HlcStamp.decode(e) for e in encoded] == stamps
    assert all(s.wall_ms >= w for s, w in zip(stamps, walls, strict=True))


def test_hlc_observe_orders_after_a_remote_stamp() -> None:
    """A stamp received from a station with a faster clock makes later local stamps sort after it."""
    clock = HybridLogicalClock(lambda: 1_000)
    remote = HlcStamp(5_000, 7)
    merged = clock.observe(remote)
    assert merged > remote
    assert clock.now() > merged
    restored = HybridLogicalClock(lambda: 10, last=HlcStamp(2_000, 3))
    assert restored.now() == HlcStamp(2_000, 4)
