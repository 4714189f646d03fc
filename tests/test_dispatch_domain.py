"""吹哨报到 in the domain (issue 15): the centre's dispatch to a lead and co-operating departments, the departments'
answers, withdrawal, a gridlead taking the lead and a 联勤联动 meeting — pure rules, no server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gridstation.domain.case import CaseState, Intake, apply
from gridstation.domain.clock import HlcStamp
from gridstation.domain.codec import state_from_json, state_to_json
from gridstation.domain.dispatch import department_due, plan_dispatch
from gridstation.domain.enums import Channel, EventType, Status, TaskRole, TaskState, Tier
from gridstation.domain.errors import DomainError, IllegalTransition, ValidationError
from gridstation.domain.events import Event
from gridstation.domain.lifecycle import decide, decide_registration
from gridstation.domain.payloads import check_payload
from gridstation.domain.sla import default_policy
from gridstation.domain.timeline import describe_event

T0 = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
NUMBER = "12345-20261123-0007"


class Case:
    """One case's events, decided and folded as the server does."""

    def __init__(self) -> None:
        self.now = T0
        self.events: list[Event] = []
        self.state: CaseState | None = None
        intake = Intake.validated(
            channel=Channel.HOTLINE_12345,
            category_code="DRAIN.COVER",
            description="小区门口污水井盖破损，夜间有行人绊倒的危险。",
            tier=Tier.TRACKED,
            compound="康乐小区",
            phone="13800138000",
            complainant_name="测试居民丙",
            phone_required=False,
        )
        for draft in decide_registration("case-1", NUMBER, intake):
            self._store(draft.type, draft.payload)

    @property
    def case(self) -> CaseState:
        assert self.state is not None
        return self.state

    def _store(self, event_type: EventType, payload: dict[str, Any]) -> CaseState:
        n = len(self.events) + 1
        self.now += timedelta(minutes=1)
        event = Event(
            f"e{n}", "case-1", event_type, payload, "centre", "城运中心", "JA01", self.now,
            HlcStamp(int(self.now.timestamp() * 1000), n).encode(),
        )  # fmt: skip
        self.events.append(event)
        self.state = apply(self.state, event)
        return self.state

    def do(self, event_type: EventType, **payload: Any) -> CaseState:
        return self._store(event_type, decide(self.case, event_type, payload).payload)

    def dispatch(
        self, lead: str = "WATER", assist: tuple[str, ...] = ("GREEN",), due: datetime | None = None
    ) -> CaseState:
        payload = plan_dispatch(
            self.case, lead=lead, lead_name=f"{lead}局", assist=list(assist), due=due, note="请会同处置",
            policy=default_policy(), at=self.now,
        )  # fmt: skip
        return self.do(EventType.DISPATCHED, **payload)

    def reply(self, department: str, kind: str, note: str = "") -> CaseState:
        return self.do(EventType.DEPARTMENT_REPLIED, department=department, kind=kind, note=note)


def test_the_centre_dispatches_a_registered_work_order_to_a_lead_and_a_co_operating_department() -> None:
    case = Case()
    assert case.case.status is Status.REGISTERED
    state = case.dispatch()
    assert state.status is Status.DISPATCHED
    assert state.assignee == "WATER局"
    assert [(t.department, t.role, t.state) for t in state.tasks] == [
        ("WATER", TaskRole.LEAD, TaskState.DISPATCHED),
        ("GREEN", TaskRole.ASSIST, TaskState.DISPATCHED),
    ]
    # Each department's own deadline comes from the district policy (15 min on site + 30 min to dispose).
    planned_at = case.events[-1].occurred_at - timedelta(minutes=1)  # `Case` stores a minute after it decides
    due = department_due(default_policy(), state, planned_at)
    assert due == planned_at + timedelta(minutes=45)
    assert all(t.due_at == due for t in state.tasks)
    line = describe_event(case.events[-1])
    assert "WATER局" in line and "牵头" in line and "协办：GREEN" in line


def test_a_given_deadline_is_used_and_must_lie_ahead() -> None:
    case = Case()
    due = T0 + timedelta(days=2)
    assert all(t.due_at == due for t in case.dispatch(due=due).tasks)
    with pytest.raises(ValidationError) as info:
        case.dispatch(due=T0)
    assert info.value.code == "dispatch.due_past" and "办理时限" in info.value.message_zh


def test_the_lead_cannot_also_assist() -> None:
    with pytest.raises(ValidationError, match="牵头部门"):
        Case().dispatch(lead="WATER", assist=("WATER",))


def test_the_case_is_disposed_when_the_leads_result_is_in_and_co_operating_answers_are_kept() -> None:
    case = Case()
    case.dispatch()
    case.reply("WATER", "accept")
    case.reply("GREEN", "accept")
    assert case.reply("GREEN", "result", "已修剪井盖周边绿化").status is Status.DISPATCHED  # an assist's answer
    assert case.reply("WATER", "on_site", "已到场").status is Status.ON_SITE
    state = case.reply("WATER", "result", "已更换井盖")
    assert state.status is Status.DISPOSED
    assert {t.department: (t.state, t.last_reply) for t in state.tasks} == {
        "WATER": (TaskState.ANSWERED, "已更换井盖"),
        "GREEN": (TaskState.ANSWERED, "已修剪井盖周边绿化"),
    }
    assert describe_event(case.events[-1]) == "WATER（牵头）办理结果：已更换井盖"
    # Then the station closes it as today.
    assert case.do(EventType.CLOSED, answer="已更换井盖，居民认可").status is Status.CLOSED


def test_a_leads_rejection_needs_a_reason_and_puts_the_case_back_in_the_centres_queue() -> None:
    case = Case()
    case.dispatch()
    with pytest.raises(ValidationError, match="退单原因"):
        case.reply("WATER", "reject")
    state = case.reply("WATER", "reject", "不属于本部门职责")
    assert state.status is Status.REGISTERED  # where it stood before dispatch
    assert state.returned_reason == "不属于本部门职责"
    assert state.assignee == ""
    # Once rejected, the department has nothing open to answer; the centre dispatches again.
    with pytest.raises(IllegalTransition):
        case.reply("WATER", "progress", "补充说明")
    again = case.dispatch(lead="ROADS", assist=())
    assert again.status is Status.DISPATCHED and again.returned_reason == ""
    by_code = {t.department: t.state for t in again.tasks}
    assert by_code == {"ROADS": TaskState.DISPATCHED, "WATER": TaskState.REJECTED, "GREEN": TaskState.WITHDRAWN}


def test_withdrawal_ends_every_open_task_and_needs_a_reason() -> None:
    case = Case()
    case.do(EventType.FIRST_CONTACT, note="已联系居民")
    with pytest.raises(IllegalTransition, match="没有可撤回的派单"):
        case.do(EventType.DISPATCH_WITHDRAWN, reason="派错部门")
    case.dispatch()
    with pytest.raises(ValidationError):
        case.do(EventType.DISPATCH_WITHDRAWN, reason=" ")
    state = case.do(EventType.DISPATCH_WITHDRAWN, reason="派错部门")
    assert state.status is Status.CONTACTED
    assert {t.state for t in state.tasks} == {TaskState.WITHDRAWN}
    with pytest.raises(IllegalTransition):
        case.reply("GREEN", "accept")


def test_a_department_not_dispatched_to_cannot_answer() -> None:
    case = Case()
    case.dispatch()
    with pytest.raises(IllegalTransition) as info:
        case.reply("ROADS", "accept")
    assert info.value.code == "reply.not_dispatched" and "ROADS" in info.value.message_zh


def test_a_result_needs_words_and_an_unknown_kind_is_refused_in_chinese() -> None:
    case = Case()
    case.dispatch()
    with pytest.raises(ValidationError, match="办理结果"):
        case.reply("WATER", "result")
    with pytest.raises(DomainError) as info:
        case.reply("WATER", "approve")
    assert "反馈类型" in info.value.message_zh


def test_a_gridlead_takes_the_lead_and_records_a_joint_meeting() -> None:
    case = Case()
    state = case.do(EventType.GRIDLEAD_TOOK_LEAD, gridlead="王网格长", note="网格长牵头，联勤联动")
    assert state.status is Status.DISPATCHED and state.gridlead == "王网格长"
    with pytest.raises(ValidationError):
        case.do(EventType.GRIDLEAD_TOOK_LEAD, gridlead="王网格长")
    with pytest.raises(ValidationError, match="参会单位"):
        case.do(EventType.JOINT_MEETING, convened_by="王网格长", attendees=[], decision="分工处置")
    case.do(
        EventType.JOINT_MEETING,
        convened_by="王网格长",
        attendees=["区水务局", "区绿化市容局", "物业"],
        decision="水务局换井盖，物业设围挡",
        owners=["区水务局", "物业"],
        due_at="2026-11-24T17:00:00+08:00",
    )
    line = describe_event(case.events[-1])
    assert "区水务局、区绿化市容局、物业参会" in line and "水务局换井盖" in line and "责任单位：区水务局、物业" in line


def test_the_new_state_survives_its_json_form() -> None:
    case = Case()
    case.dispatch()
    case.reply("GREEN", "progress", "已派人查看")
    assert state_from_json(state_to_json(case.case)) == case.case


def test_payloads_of_the_new_events_are_typed() -> None:
    with pytest.raises(ValidationError) as info:
        check_payload(EventType.JOINT_MEETING, {"attendees": ["甲", 3]}, stored=False)
    assert info.value.code == "payload.field_type"
    with pytest.raises(ValidationError):
        check_payload(EventType.DISPATCHED, {"assignee": "x", "tasks": [{"department": "W", "evil": 1}]}, stored=False)
    with pytest.raises(ValidationError):
        check_payload(EventType.DEPARTMENT_REPLIED, {"kind": "accept", "department": "W"}, stored=True)
