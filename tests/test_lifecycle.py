"""The case lifecycle: which events are legal in which status, and what each one does to a case."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gridstation.domain.case import CaseState, Intake, IntakeInvalid, apply, fold
from gridstation.domain.clock import HlcStamp
from gridstation.domain.enums import (
    EVENT_LABELS,
    STATUS_LABELS,
    Channel,
    DisposalOutcome,
    EventType,
    FollowUpKind,
    Resolution,
    Satisfaction,
    Status,
    Tier,
)
from gridstation.domain.errors import DomainError, IllegalTransition, ValidationError
from gridstation.domain.events import Event
from gridstation.domain.lifecycle import check_legal, decide, decide_registration, legal_actions
from gridstation.domain.payloads import CENTRE_ONLY_EVENTS
from gridstation.domain.sla import Stage, default_policy
from gridstation.domain.timeline import describe_event
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from tests.support.clock import FakeClock

T0 = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
NUMBER = "JA01-20261123-0001-X"
CJK = re.compile(r"[\u4e00-\u9fff]")

COMMON = {EventType.INTAKE_CORRECTED, EventType.NOTE_ADDED}
# 专人专责: a case is handed over to another owner as long as it is someone's work (until its visits are done).
HANDOVER = {EventType.OWNER_CHANGED}
# While a case is open it can be changed in tier, put on the weekly hard-case conference list (难题会诊), and take
# the same problem reported again (追加诉求, issue 17).
OPEN = {EventType.TIER_CHANGED, EventType.CONFERENCE_FLAGGED, EventType.SUPPLEMENTED} | COMMON | HANDOVER
# Written out by hand (not derived from the code's tables) so that a change to the rules fails here.
EXPECTED_LEGAL: dict[Status, set[EventType]] = {
    Status.REGISTERED: {EventType.FIRST_CONTACT} | OPEN,
    Status.CONTACTED: {EventType.DISPATCHED} | OPEN,
    Status.DISPATCHED: {EventType.DISPATCHED, EventType.ARRIVED_ON_SITE} | OPEN,
    Status.ON_SITE: {EventType.DISPOSED} | OPEN,
    Status.DISPOSED: {EventType.CLOSED} | OPEN,
    Status.CLOSED: {EventType.FOLLOW_UP, EventType.VISIT_UNREACHABLE} | COMMON | HANDOVER,
    Status.FOLLOWED_UP: set(COMMON),
    Status.REOPENED: {EventType.FIRST_CONTACT, EventType.DISPATCHED} | OPEN,
}
# Printing a receipt and unmasking a phone number are bookkeeping: recordable in every status, never offered among
# the lifecycle buttons.
ALWAYS_RECORDABLE = {EventType.RECEIPT_PRINTED, EventType.PHONE_UNMASKED, EventType.PHOTO_ATTACHED}


def expected_legal(status: Status, tier: Tier) -> set[EventType]:
    legal = set(EXPECTED_LEGAL[status])
    if tier is Tier.ON_THE_SPOT and status in (Status.REGISTERED, Status.CONTACTED):
        legal.add(EventType.CLOSED)  # 当场办 can be answered at the desk
    return legal


def make_state(status: Status, tier: Tier = Tier.TRACKED) -> CaseState:
    return CaseState(
        id="case-0001",
        number=NUMBER,
        station_code="JA01",
        channel=Channel.WALK_IN,
        category_code="GREEN.LIGHT",
        description="楼前香樟树长得太高，遮挡三楼住户采光，希望修剪。",
        tier=tier,
        status=status,
        registered_at=T0,
        registered_by="测试员甲",
        compound="枫林苑",
        address="枫林苑 3 号楼",
        phone="13800138000",
        complainant_name="测试居民乙",
        stage_started_at=T0,
        closed_at=T0 if status is Status.CLOSED else None,
        version=3,
    )


def valid_payload(state: CaseState, event_type: EventType) -> dict[str, Any]:
    """A payload that passes validation whenever `event_type` is legal for `state`."""
    match event_type:
        case EventType.FIRST_CONTACT:
            return {"note": "已电话联系居民，说明处理流程"}
        case EventType.DISPATCHED:
            return {"assignee": "绿化市容所", "note": "请安排修剪"}
        case EventType.ARRIVED_ON_SITE:
            return {"note": "网格员到场查看"}
        case EventType.DISPOSED:
            return {"outcome": "resolved", "note": "已修剪遮挡窗户的树枝"}
        case EventType.CLOSED:
            return {"answer": "已修剪树枝，居民表示采光恢复"}
        case EventType.FOLLOW_UP:
            return {
                "kind": str(state.pending_follow_up() or FollowUpKind.DEPARTMENT_FEEDBACK),
                "satisfaction": "satisfied",
                "resolution": "resolved",
            }
        case EventType.VISIT_UNREACHABLE:
            return {"kind": str(state.pending_follow_up() or FollowUpKind.DEPARTMENT_FEEDBACK), "note": "无人接听"}
        case EventType.OWNER_CHANGED:
            return {"to": "李明" if state.owner != "李明" else "王芳", "reason": "调岗交接"}
        case EventType.TIER_CHANGED:
            return {"to": "quick" if state.tier is not Tier.QUICK else "tracked", "reason": "需要绿化部门协同"}
        case EventType.INTAKE_CORRECTED:
            return {"field": "address", "value": "枫林苑 5 号楼", "reason": "居民报错楼号"}
        case EventType.NOTE_ADDED:
            return {"note": "居民再次来电询问进度"}
        case EventType.SUPPLEMENTED:
            return {"note": "邻居也来反映同一棵树遮挡采光", "channel": "walk_in"}
        case EventType.RECEIPT_PRINTED:
            return {"paper": "80 mm 热敏", "copies": 1}
        case EventType.CONFERENCE_FLAGGED:
            return {"flagged": True, "reason": "涉及多个部门，需周例会会诊"}
        case EventType.PHONE_UNMASKED:
            return {"reason": "回访"}
        case EventType.PHOTO_ATTACHED:
            return {"sha256": "ab" * 32, "size": 2048, "media_type": "image/jpeg", "filename": "现场.jpg"}
        case EventType.REGISTERED:
            return {}
    raise AssertionError(event_type)


class Desk:
    """Decides and folds events for one case with a clock the test moves, like the service does."""

    def __init__(self, tier: Tier = Tier.TRACKED, *, answer: str = "", start: datetime = T0) -> None:
        self.now = start
        self.events: list[Event] = []
        self.state: CaseState | None = None
        intake = Intake.validated(
            channel=Channel.HOTLINE_12345,
            category_code="DRAIN.COVER",
            description="绿化带下的污水井盖被泥土和灌木盖住，下雨天污水倒灌进楼道。",
            tier=tier,
            compound="康乐小区",
            address="康乐小区 7 号楼东侧绿化带",
            complainant_name="测试居民丙",
            phone="13800138000",
            answer=answer,
        )
        for draft in decide_registration("case-0002", NUMBER, intake):
            self._store(draft.type, draft.payload)

    def _store(self, event_type: EventType, payload: dict[str, Any]) -> CaseState:
        n = len(self.events) + 1
        event = Event(
            id=f"event-{n:04d}",
            case_id="case-0002",
            type=event_type,
            payload=payload,
            actor_id="staff-0001",
            actor_name="测试员甲",
            station_code="JA01",
            occurred_at=self.now,
            hlc=HlcStamp(int(self.now.timestamp() * 1000), n).encode(),
        )
        self.events.append(event)
        self.state = apply(self.state, event)
        return self.state

    @property
    def case(self) -> CaseState:
        assert self.state is not None
        return self.state

    def do(self, event_type: EventType, **payload: Any) -> CaseState:
        draft = decide(self.case, event_type, payload)
        return self._store(draft.type, draft.payload)

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)

    def run_to_closed(self) -> CaseState:
        self.do(EventType.FIRST_CONTACT, note="已电话联系居民")
        self.advance(minutes=3)
        self.do(EventType.DISPATCHED, assignee="物业公司")
        self.advance(minutes=10)
        self.do(EventType.ARRIVED_ON_SITE)
        self.advance(minutes=20)
        self.do(EventType.DISPOSED, outcome="resolved", note="清理井盖上的泥土，疏通管道")
        self.advance(minutes=10)
        return self.do(EventType.CLOSED, answer="井盖已露出并疏通，已告知居民")

    def follow_up(self, kind: FollowUpKind, satisfaction: Satisfaction) -> CaseState:
        resolution = Resolution.UNRESOLVED if satisfaction is Satisfaction.UNSATISFIED else Resolution.RESOLVED
        return self.do(
            EventType.FOLLOW_UP,
            kind=str(kind),
            satisfaction=str(satisfaction),
            resolution=str(resolution),
            visitor="测试员丁",
        )


# ---------------------------------------------------------------- the table of legal events


@pytest.mark.parametrize("tier", list(Tier))
@pytest.mark.parametrize("status", list(Status))
def test_legal_actions_match_the_rules(status: Status, tier: Tier) -> None:
    """legal_actions offers exactly the events the lifecycle allows for each status and tier."""
    assert set(legal_actions(make_state(status, tier))) == expected_legal(status, tier)


# The centre's 吹哨报到 events have rules of their own (tests/test_dispatch_domain.py).
DESK_EVENTS = [t for t in EventType if t not in CENTRE_ONLY_EVENTS]


@pytest.mark.parametrize("tier", [Tier.TRACKED, Tier.ON_THE_SPOT])
@pytest.mark.parametrize(("status", "event_type"), list(itertools.product(Status, DESK_EVENTS)))
def test_check_legal_for_every_status_and_event(status: Status, event_type: EventType, tier: Tier) -> None:
    """Every legal (status, event) pair passes check_legal; every other pair raises IllegalTransition in Chinese."""
    state = make_state(status, tier)
    payload = valid_payload(state, event_type)
    if event_type in expected_legal(status, tier) | ALWAYS_RECORDABLE:
        clean = check_legal(state, event_type, payload)
        assert isinstance(clean, dict)
        # And the event folds into a state without error.
        event = Event("e", state.id, event_type, clean, "s", "测试员甲", "JA01", T0 + timedelta(minutes=1), "h")
        assert apply(state, event).version == state.version + 1
    else:
        with pytest.raises(IllegalTransition) as info:
            check_legal(state, event_type, payload)
        assert info.value.code == "transition.illegal"
        assert STATUS_LABELS[status] in info.value.message_zh
        assert EVENT_LABELS[event_type] in info.value.message_zh
        assert NUMBER in info.value.message_zh
        assert CJK.search(info.value.message_zh)
        assert info.value.params == {"status": str(status), "event": str(event_type)}


def test_registration_is_never_a_legal_follow_on_event() -> None:
    """A case cannot be registered twice, neither by decision nor by folding a second registration."""
    desk = Desk()
    with pytest.raises(IllegalTransition):
        desk.do(EventType.REGISTERED)
    with pytest.raises(DomainError) as info:
        apply(desk.case, desk.events[0])
    assert info.value.code == "case.already_registered"


def test_fold_needs_a_registration_first() -> None:
    """Folding no events, or events without a registration, is refused with a Chinese message."""
    with pytest.raises(DomainError) as info:
        fold([])
    assert info.value.code == "case.unknown"
    desk = Desk()
    desk.do(EventType.NOTE_ADDED, note="居民来电")
    with pytest.raises(DomainError):
        fold(desk.events[1:])


# ---------------------------------------------------------------- the happy path and 当场办


def test_tracked_case_walks_the_whole_lifecycle() -> None:
    """A 跟踪督办 case goes registered → contacted → dispatched → on site → disposed → closed → followed up."""
    desk = Desk(Tier.TRACKED)
    assert desk.case.status is Status.REGISTERED
    desk.run_to_closed()
    assert [e.type for e in desk.events] == [
        EventType.REGISTERED,
        EventType.FIRST_CONTACT,
        EventType.DISPATCHED,
        EventType.ARRIVED_ON_SITE,
        EventType.DISPOSED,
        EventType.CLOSED,
    ]
    closed = desk.case
    assert closed.status is Status.CLOSED
    assert closed.assignee == "物业公司"
    assert closed.answer == "井盖已露出并疏通，已告知居民"
    assert closed.disposal_outcome is DisposalOutcome.RESOLVED
    assert closed.first_contact_at == T0
    assert closed.closed_at == T0 + timedelta(minutes=43)
    assert not closed.is_open  # closed counts as finished; only follow-ups remain
    assert closed.pending_follow_up() is FollowUpKind.DEPARTMENT_FEEDBACK
    desk.advance(days=1)
    desk.follow_up(FollowUpKind.DEPARTMENT_FEEDBACK, Satisfaction.SATISFIED)
    assert desk.case.status is Status.CLOSED
    assert desk.case.pending_follow_up() is FollowUpKind.STATION_REVISIT
    desk.advance(days=1)
    done = desk.follow_up(FollowUpKind.STATION_REVISIT, Satisfaction.BASICALLY_SATISFIED)
    assert done.status is Status.FOLLOWED_UP
    assert not done.is_open
    assert done.satisfaction is Satisfaction.BASICALLY_SATISFIED
    assert done.pending_follow_up() is None
    assert set(legal_actions(done)) == COMMON
    assert fold(desk.events) == done


def test_on_the_spot_case_closes_at_registration_with_its_answer() -> None:
    """当场办: registering also closes the case with the answer given at the desk."""
    desk = Desk(Tier.ON_THE_SPOT, answer="当场告知居民：鸣笛问题已转交交警，隧道口将加装禁鸣标志")
    assert [e.type for e in desk.events] == [EventType.REGISTERED, EventType.CLOSED]
    assert desk.events[1].payload["on_the_spot"] is True
    case = desk.case
    assert case.status is Status.CLOSED
    assert case.answer == "当场告知居民：鸣笛问题已转交交警，隧道口将加装禁鸣标志"
    assert case.closed_at == T0
    assert case.pending_follow_up() is FollowUpKind.DEPARTMENT_FEEDBACK


def test_on_the_spot_case_needs_an_answer() -> None:
    """当场办 without an answer is rejected at intake, naming the answer field."""
    with pytest.raises(IntakeInvalid) as info:
        Desk(Tier.ON_THE_SPOT, answer="   ")
    assert [p.field for p in info.value.problems] == ["answer"]
    assert "当场答复内容" in info.value.message_zh


def test_intake_collects_every_problem_at_once() -> None:
    """An intake with several bad fields reports each of them, so the form can mark them all."""
    with pytest.raises(IntakeInvalid) as info:
        Intake.validated(
            channel=Channel.HOTLINE_12345,
            category_code=" ",
            description="   ",
            tier=Tier.TRACKED,
            phone="12345",
        )
    assert {p.field for p in info.value.problems} == {"description", "phone", "category_code"}


def test_on_the_spot_case_can_also_close_after_first_contact() -> None:
    """A case changed to 当场办 may be closed at the desk straight from 已先联."""
    desk = Desk(Tier.TRACKED)
    desk.do(EventType.FIRST_CONTACT)
    desk.do(EventType.TIER_CHANGED, to="on_the_spot", reason="居民只需政策解答")
    assert EventType.CLOSED in legal_actions(desk.case)
    closed = desk.do(EventType.CLOSED, answer="已当场解答楼道堆物清理政策")
    assert closed.status is Status.CLOSED


# ---------------------------------------------------------------- 双回访


def test_station_revisit_before_department_feedback_is_refused() -> None:
    """双回访 order: the station's revisit may not come before the department's feedback."""
    desk = Desk()
    desk.run_to_closed()
    with pytest.raises(IllegalTransition) as info:
        desk.follow_up(FollowUpKind.STATION_REVISIT, Satisfaction.SATISFIED)
    assert info.value.code == "follow_up.order"
    assert "部门反馈" in info.value.message_zh
    assert desk.case.status is Status.CLOSED


def test_department_feedback_twice_is_refused() -> None:
    """Once the department's feedback is in, the next visit must be the station's revisit."""
    desk = Desk()
    desk.run_to_closed()
    desk.follow_up(FollowUpKind.DEPARTMENT_FEEDBACK, Satisfaction.SATISFIED)
    with pytest.raises(IllegalTransition):
        desk.follow_up(FollowUpKind.DEPARTMENT_FEEDBACK, Satisfaction.SATISFIED)


def test_follow_up_kind_defaults_to_the_one_that_is_due() -> None:
    """A follow-up without a kind is recorded as the visit that is due."""
    desk = Desk()
    desk.run_to_closed()
    case = desk.do(EventType.FOLLOW_UP, satisfaction="satisfied", resolution="resolved")
    assert case.follow_ups[-1].kind is FollowUpKind.DEPARTMENT_FEEDBACK


@pytest.mark.parametrize("payload", [{"satisfaction": "satisfied"}, {"resolution": "resolved"}, {}])
def test_follow_up_needs_satisfaction_and_resolution(payload: dict[str, str]) -> None:
    """A follow-up without satisfaction or resolution is a validation error in Chinese."""
    desk = Desk()
    desk.run_to_closed()
    with pytest.raises(ValidationError) as info:
        desk.do(EventType.FOLLOW_UP, **payload)
    assert info.value.code == "follow_up.incomplete"
    assert CJK.search(info.value.message_zh)


@pytest.mark.parametrize("unsatisfied_at", list(FollowUpKind))
def test_unsatisfied_visit_reopens_and_re_dispatch_works(unsatisfied_at: FollowUpKind) -> None:
    """Unsatisfied at either visit reopens the case, counts the reopening, and the case can be dispatched again."""
    desk = Desk()
    desk.run_to_closed()
    desk.advance(hours=2)
    if unsatisfied_at is FollowUpKind.STATION_REVISIT:
        desk.follow_up(FollowUpKind.DEPARTMENT_FEEDBACK, Satisfaction.SATISFIED)
        desk.advance(hours=2)
    reopened = desk.follow_up(unsatisfied_at, Satisfaction.UNSATISFIED)
    assert reopened.status is Status.REOPENED
    assert reopened.reopen_count == 1
    assert reopened.closed_at is None
    assert reopened.stage_started_at == desk.now
    assert reopened.satisfaction is Satisfaction.UNSATISFIED
    assert reopened.is_open
    deadline = default_policy().deadline(
        reopened.tier, reopened.category_code, reopened.channel, reopened.status, desk.now
    )
    assert deadline is not None and deadline.stage is Stage.RESPOND
    desk.advance(minutes=2)
    redispatched = desk.do(EventType.DISPATCHED, assignee="排水管理所", note="居民反映仍有积水")
    assert redispatched.status is Status.DISPATCHED
    assert redispatched.assignee == "排水管理所"
    desk.advance(minutes=5)
    desk.do(EventType.ARRIVED_ON_SITE)
    desk.do(EventType.DISPOSED, outcome="plan", note="需更换井盖，已报排水所")
    desk.do(EventType.CLOSED, answer="已拿出更换井盖方案并告知居民")
    # A fresh round of 双回访 is due, starting with the department's feedback again.
    assert desk.case.pending_follow_up() is FollowUpKind.DEPARTMENT_FEEDBACK
    desk.follow_up(FollowUpKind.DEPARTMENT_FEEDBACK, Satisfaction.UNSATISFIED)
    assert desk.case.reopen_count == 2


def test_follow_up_order_does_not_depend_on_timestamps_ties() -> None:
    """After a reopen, re-closing in the same instant still needs a fresh department feedback first."""
    desk = Desk()
    desk.run_to_closed()  # the clock does not move from here on
    desk.follow_up(FollowUpKind.DEPARTMENT_FEEDBACK, Satisfaction.SATISFIED)
    desk.follow_up(FollowUpKind.STATION_REVISIT, Satisfaction.UNSATISFIED)
    desk.do(EventType.DISPATCHED, assignee="物业公司")
    desk.do(EventType.ARRIVED_ON_SITE)
    desk.do(EventType.DISPOSED, outcome="resolved", note="再次疏通")
    desk.do(EventType.CLOSED, answer="已再次疏通")
    assert desk.case.pending_follow_up() is FollowUpKind.DEPARTMENT_FEEDBACK
    with pytest.raises(IllegalTransition):
        desk.follow_up(FollowUpKind.STATION_REVISIT, Satisfaction.SATISFIED)


def test_follow_up_order_survives_a_wall_clock_jumping_back() -> None:
    """If the PC clock jumps back after closing, the department feedback still counts and the revisit is due."""
    desk = Desk()
    desk.run_to_closed()
    desk.advance(hours=-3)  # someone fixes a fast system clock
    desk.follow_up(FollowUpKind.DEPARTMENT_FEEDBACK, Satisfaction.SATISFIED)
    assert desk.case.pending_follow_up() is FollowUpKind.STATION_REVISIT
    assert desk.follow_up(FollowUpKind.STATION_REVISIT, Satisfaction.SATISFIED).status is Status.FOLLOWED_UP


# ---------------------------------------------------------------- tier changes


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_tier_change_requires_a_reason(reason: str) -> None:
    """Changing the tier without a reason is refused and names the reason field."""
    desk = Desk(Tier.QUICK)
    with pytest.raises(ValidationError) as info:
        desk.do(EventType.TIER_CHANGED, to="tracked", reason=reason)
    assert info.value.field == "reason"
    assert info.value.code == "reason.required"
    assert "原因" in info.value.message_zh
    assert desk.case.tier is Tier.QUICK


def test_tier_change_to_same_or_unknown_tier_is_refused() -> None:
    """A tier change must name a real, different tier."""
    desk = Desk(Tier.QUICK)
    with pytest.raises(ValidationError) as same:
        desk.do(EventType.TIER_CHANGED, to="quick", reason="误操作")
    assert same.value.code == "tier.unchanged"
    assert "协同快办" in same.value.message_zh
    with pytest.raises(ValidationError) as unknown:
        desk.do(EventType.TIER_CHANGED, to="urgent", reason="误操作")
    assert unknown.value.code == "tier.invalid"


def test_a_tier_change_plans_the_stages_to_come_not_the_running_one() -> None:
    """The running stage keeps the deadline it started with (issue 16: a tier change must not move a deadline); the
    new tier's deadlines apply from the next stage on."""
    policy = default_policy()
    desk = Desk(Tier.QUICK)
    desk.advance(minutes=2)
    desk.do(EventType.FIRST_CONTACT)
    before = desk.case.running_deadline(policy)
    assert before is not None and before.due_at == T0 + timedelta(minutes=2 + 60)  # 协同快办: an hour on site
    desk.advance(minutes=10)
    changed = desk.do(EventType.TIER_CHANGED, to="tracked", reason="井盖下管道破损，需要排水所跟踪")
    assert changed.tier is Tier.TRACKED
    assert changed.status is Status.CONTACTED
    assert changed.stage_started_at == T0 + timedelta(minutes=2)
    assert changed.running_deadline(policy) == before
    desk.do(EventType.DISPATCHED, assignee="排水所")
    desk.advance(minutes=20)
    arrived = desk.do(EventType.ARRIVED_ON_SITE, note="排水所到场")
    dispose = arrived.running_deadline(policy)
    assert dispose is not None and dispose.stage is Stage.DISPOSE
    assert (dispose.started_at, dispose.due_at) == (T0 + timedelta(minutes=32), T0 + timedelta(minutes=32 + 30))
    event = desk.events[-3]
    assert event.payload == {"from": "quick", "to": "tracked", "reason": "井盖下管道破损，需要排水所跟踪"}
    assert "原因：井盖下管道破损" in describe_event(event)


def test_closed_case_tier_cannot_change() -> None:
    """Once closed, the tier is history: a tier change is an illegal transition."""
    desk = Desk()
    desk.run_to_closed()
    with pytest.raises(IllegalTransition):
        desk.do(EventType.TIER_CHANGED, to="quick", reason="补录")


# ---------------------------------------------------------------- intake corrections


def test_intake_correction_records_the_old_value() -> None:
    """Correcting the intake keeps the old value in the event and changes only that field."""
    desk = Desk()
    before = desk.case
    corrected = desk.do(
        EventType.INTAKE_CORRECTED, field="compound", value="梅园新村", reason="居民口误，实际是梅园新村"
    )
    assert corrected.compound == "梅园新村"
    assert desk.events[-1].payload == {
        "field": "compound",
        "old": "康乐小区",
        "value": "梅园新村",
        "reason": "居民口误，实际是梅园新村",
    }
    assert corrected.description == before.description
    assert corrected.status is before.status
    assert corrected.stage_started_at == before.stage_started_at


@pytest.mark.parametrize("reason", ["", "  "])
def test_intake_correction_requires_a_reason(reason: str) -> None:
    """A correction without a reason is refused."""
    desk = Desk()
    with pytest.raises(ValidationError) as info:
        desk.do(EventType.INTAKE_CORRECTED, field="address", value="康乐小区 8 号楼", reason=reason)
    assert info.value.code == "reason.required"
    assert desk.case.address == "康乐小区 7 号楼东侧绿化带"


def test_intake_correction_rejects_unknown_and_unchanged_fields() -> None:
    """Only correctable fields may be corrected, and only to a different value."""
    desk = Desk()
    with pytest.raises(ValidationError) as unknown:
        desk.do(EventType.INTAKE_CORRECTED, field="status", value="closed", reason="想直接办结")
    assert unknown.value.code == "correction.field"
    with pytest.raises(ValidationError) as same:
        desk.do(EventType.INTAKE_CORRECTED, field="compound", value=" 康乐小区 ", reason="核对")
    assert same.value.code == "correction.unchanged"


def test_intake_correction_validates_the_new_value() -> None:
    """A corrected phone or description must still pass the intake rules."""
    desk = Desk()
    with pytest.raises(ValidationError) as phone:
        desk.do(EventType.INTAKE_CORRECTED, field="phone", value="1380013", reason="号码记错")
    assert phone.value.code == "phone.malformed"
    with pytest.raises(ValidationError) as description:
        desk.do(EventType.INTAKE_CORRECTED, field="description", value="  ", reason="清空")
    assert description.value.code == "description.empty"
    fixed = desk.do(EventType.INTAKE_CORRECTED, field="phone", value="138 0013 8001", reason="号码记错")
    assert fixed.phone == "13800138001"
    assert desk.events[-1].payload["old"] == "13800138000"


def test_intake_correction_is_allowed_after_follow_up() -> None:
    """Even a finished case can have its registration corrected, with the reason on record."""
    desk = Desk()
    desk.run_to_closed()
    desk.follow_up(FollowUpKind.DEPARTMENT_FEEDBACK, Satisfaction.SATISFIED)
    desk.follow_up(FollowUpKind.STATION_REVISIT, Satisfaction.SATISFIED)
    corrected = desk.do(EventType.INTAKE_CORRECTED, field="anonymous", value=True, reason="居民要求匿名")
    assert corrected.anonymous is True
    assert corrected.status is Status.FOLLOWED_UP


# ---------------------------------------------------------------- stage clocks


def test_re_dispatch_does_not_restart_the_on_site_clock() -> None:
    """Handing the job to someone else keeps the on-site deadline where it was."""
    desk = Desk()
    desk.do(EventType.FIRST_CONTACT)
    desk.advance(minutes=1)
    dispatched = desk.do(EventType.DISPATCHED, assignee="物业公司")
    started = dispatched.stage_started_at
    desk.advance(minutes=8)
    redispatched = desk.do(EventType.DISPATCHED, assignee="绿化市容所", note="物业无修剪资质")
    assert redispatched.assignee == "绿化市容所"
    assert redispatched.stage_started_at == started
    assert redispatched.dispatched_at == dispatched.dispatched_at


def test_dispatch_after_first_contact_keeps_the_on_site_clock() -> None:
    """The on-site stage starts at first contact; dispatching within it does not buy more time."""
    desk = Desk()
    desk.advance(minutes=2)
    contacted = desk.do(EventType.FIRST_CONTACT)
    desk.advance(minutes=6)
    dispatched = desk.do(EventType.DISPATCHED, assignee="物业公司")
    assert dispatched.stage_started_at == contacted.stage_started_at == T0 + timedelta(minutes=2)
    assert dispatched.dispatched_at == T0 + timedelta(minutes=8)


def test_each_new_stage_restarts_its_clock() -> None:
    """Arriving, disposing and closing each start the next stage's clock."""
    desk = Desk()
    for event_type, payload in [
        (EventType.FIRST_CONTACT, {}),
        (EventType.DISPATCHED, {"assignee": "物业公司"}),
        (EventType.ARRIVED_ON_SITE, {}),
        (EventType.DISPOSED, {"outcome": "resolved", "note": "已清理"}),
        (EventType.CLOSED, {"answer": "已答复"}),
    ]:
        desk.advance(minutes=4)
        state = desk.do(event_type, **payload)
        if event_type is not EventType.DISPATCHED:
            assert state.stage_started_at == desk.now


def test_notes_do_not_touch_the_stage_clock() -> None:
    """A note changes nothing but the version; an empty note is refused."""
    desk = Desk()
    desk.advance(minutes=3)
    before = desk.case
    after = desk.do(EventType.NOTE_ADDED, note="居民再次来电催促")
    assert after.stage_started_at == before.stage_started_at
    assert after.status is before.status
    assert after.version == before.version + 1
    with pytest.raises(ValidationError) as info:
        desk.do(EventType.NOTE_ADDED, note=" ")
    assert info.value.code == "note.required"


@pytest.mark.parametrize(
    ("steps", "event_type", "payload", "code"),
    [
        (1, EventType.DISPATCHED, {"assignee": "  "}, "assignee.required"),
        (3, EventType.DISPOSED, {"outcome": "resolved", "note": ""}, "note.required"),
        (3, EventType.DISPOSED, {"outcome": "burned", "note": "已处理"}, "outcome.invalid"),
        (4, EventType.CLOSED, {"answer": ""}, "answer.required"),
    ],
)
def test_progress_steps_validate_their_payloads(
    steps: int, event_type: EventType, payload: dict[str, str], code: str
) -> None:
    """Dispatch needs an assignee, disposal a valid outcome and a note, closing an answer."""
    desk = Desk()
    route: list[tuple[EventType, dict[str, str]]] = [
        (EventType.FIRST_CONTACT, {}),
        (EventType.DISPATCHED, {"assignee": "物业公司"}),
        (EventType.ARRIVED_ON_SITE, {}),
        (EventType.DISPOSED, {"outcome": "resolved", "note": "已处理"}),
    ]
    for step_type, step_payload in route[:steps]:
        desk.do(step_type, **step_payload)
    with pytest.raises(ValidationError) as info:
        desk.do(event_type, **payload)
    assert info.value.code == code
    assert CJK.search(info.value.message_zh)


# ---------------------------------------------------------------- through the service


def test_service_lifecycle_and_double_follow_up(service: StationService, clerk: StaffMember, clock: FakeClock) -> None:
    """The service records each step, enforces 双回访 order, and reopens on an unsatisfied revisit."""
    intake = Intake.validated(
        channel=Channel.QR_REPORT,
        category_code="FIRE.CORRIDOR",
        description="3 号楼楼道里堆满纸箱和旧家具，还有液化气罐，存在消防隐患。",
        tier=Tier.TRACKED,
        compound="梅园新村",
        phone="13800138000",
    )
    case = service.register_case(clerk, intake)
    steps: list[tuple[EventType, dict[str, Any]]] = [
        (EventType.FIRST_CONTACT, {"note": "已联系居民"}),
        (EventType.DISPATCHED, {"assignee": "物业公司"}),
        (EventType.ARRIVED_ON_SITE, {}),
        (EventType.DISPOSED, {"outcome": "resolved", "note": "已清理楼道堆物"}),
        (EventType.CLOSED, {"answer": "楼道已清理"}),
    ]
    for event_type, payload in steps:
        clock.advance(minutes=4)
        case = service.record(clerk, case.id, event_type, payload, expected_version=case.version)
    assert case.status is Status.CLOSED
    with pytest.raises(IllegalTransition):
        service.record(
            clerk,
            case.id,
            EventType.FOLLOW_UP,
            {"kind": "station_revisit", "satisfaction": "satisfied", "resolution": "resolved"},
        )
    case = service.record(
        clerk,
        case.id,
        EventType.FOLLOW_UP,
        {"kind": "department_feedback", "satisfaction": "satisfied", "resolution": "resolved"},
    )
    case = service.record(
        clerk,
        case.id,
        EventType.FOLLOW_UP,
        {"kind": "station_revisit", "satisfaction": "unsatisfied", "resolution": "partly"},
    )
    assert case.status is Status.REOPENED
    assert case.reopen_count == 1
    case = service.record(clerk, case.id, EventType.DISPATCHED, {"assignee": "消防站"})
    assert case.status is Status.DISPATCHED
    assert service.case(case.id) == fold(service.timeline(case.id))


def test_service_refuses_a_stale_version(service: StationService, clerk: StaffMember) -> None:
    """Recording against an old version (someone else just updated the case) is refused."""
    intake = Intake.validated(
        channel=Channel.HOTLINE_12345,
        category_code="GREEN.LIGHT",
        tier=Tier.TRACKED,
        description="树木遮挡采光",
        phone="13800138000",
    )
    case = service.register_case(clerk, intake)
    service.record(clerk, case.id, EventType.NOTE_ADDED, {"note": "居民补充照片"})
    with pytest.raises(DomainError) as info:
        service.record(clerk, case.id, EventType.FIRST_CONTACT, {}, expected_version=case.version)
    assert info.value.code == "case.stale"
    assert service.case(case.id).status is Status.REGISTERED


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("false", False), ("否", False), ("0", False), (False, False), ("true", True), ("是", True), (True, True)],
)
def test_anonymity_correction_reads_yes_and_no(raw: object, expected: bool) -> None:
    """Correcting 匿名 with the text "false" clears it (it must not be read as a non-empty string)."""
    from gridstation.domain.lifecycle import _as_flag

    assert _as_flag(raw) is expected


def test_anonymity_correction_refuses_other_words() -> None:
    """A value that is neither yes nor no is refused in Chinese."""
    from gridstation.domain.lifecycle import _as_flag

    with pytest.raises(ValidationError, match="是"):
        _as_flag("maybe")
