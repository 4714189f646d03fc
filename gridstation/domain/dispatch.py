"""吹哨报到 rules: the centre dispatches a case to one lead department and co-operating ones, withdraws or
re-dispatches it; each department answers (接单, 退单 with a reason, progress, on site, result); a gridlead may take
the lead and record a 联勤联动 meeting.

The case is disposed when the LEAD's result is in; co-operating answers are kept beside it (`case._fold_reply`).
A lead's 退单 or a withdrawal puts the case back in the centre's queue (where it stood before dispatch). Each
department has its own deadline: the one given, or the district policy's time to be on site and dispose.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from gridstation.domain.case import FINISHED, CaseState
from gridstation.domain.enums import (
    EVENT_LABELS,
    REPLY_KIND_LABELS,
    STATUS_LABELS,
    EventType,
    ReplyKind,
    Status,
    TaskRole,
)
from gridstation.domain.errors import IllegalTransition, ValidationError
from gridstation.domain.sla import DeadlinePolicy, Stage
from gridstation.domain.tasks import task_of
from gridstation.domain.validation import validate_short_text

# Where the centre may dispatch from: anything short of disposed (a re-dispatch replaces the current one).
DISPATCHABLE = frozenset({Status.REGISTERED, Status.CONTACTED, Status.DISPATCHED, Status.ON_SITE, Status.REOPENED})
ANSWERABLE = frozenset({Status.DISPATCHED, Status.ON_SITE})
MAX_ASSISTS = 10
NOTE_LIMIT = 2000


def is_centre_dispatch(event_type: EventType, payload: Mapping[str, Any]) -> bool:
    """A DISPATCHED the centre records to departments (it names a lead), not a desk's own dispatch."""
    return event_type is EventType.DISPATCHED and "lead" in payload


def _illegal(state: CaseState, event_type: EventType, why: str = "") -> IllegalTransition:
    return IllegalTransition(
        "transition.illegal",
        why
        or f"诉求 {state.number} 当前状态为「{STATUS_LABELS[state.status]}」，不能执行「{EVENT_LABELS[event_type]}」。",
        status=str(state.status),
        event=str(event_type),
    )


def department_due(policy: DeadlinePolicy, state: CaseState, at: datetime) -> datetime | None:
    """A department's deadline by the district policy: the time to be on site and then dispose, from dispatch."""
    steps = (Stage.ON_SITE, Stage.DISPOSE)
    minutes = [policy.minutes(state.tier, state.category_code, stage, state.channel) for stage in steps]
    known = [m for m in minutes if m is not None]
    return at + timedelta(minutes=sum(known)) if known else None


def plan_dispatch(
    state: CaseState,
    *,
    lead: str,
    lead_name: str,
    assist: Sequence[str],
    due: datetime | None,
    note: str,
    policy: DeadlinePolicy,
    at: datetime,
) -> dict[str, Any]:
    """The payload of the centre's dispatch to `lead` (code; `lead_name` for the desk) and the `assist` codes."""
    if lead in assist:
        raise ValidationError("assist", "dispatch.lead_assists", f"部门 {lead} 已是牵头部门，不能同时作为协办部门。")
    if len(set(assist)) != len(assist):
        raise ValidationError("assist", "dispatch.assist_twice", "协办部门有重复。")
    if len(assist) > MAX_ASSISTS:
        raise ValidationError("assist", "dispatch.too_many", f"协办部门最多 {MAX_ASSISTS} 个。")
    if due is not None and due <= at:
        raise ValidationError("due", "dispatch.due_past", "办理时限须晚于当前时间。")
    deadline = due or department_due(policy, state, at)
    due_text = deadline.isoformat() if deadline else None
    tasks = [{"department": lead, "role": str(TaskRole.LEAD), "due_at": due_text}]
    tasks += [{"department": code, "role": str(TaskRole.ASSIST), "due_at": due_text} for code in assist]
    return {"assignee": lead_name, "note": note, "lead": lead, "tasks": tasks}


def check_centre_event(state: CaseState, event_type: EventType, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Raise unless the 吹哨报到 event may happen now; the clean payload (its typed shape is checked by the caller)."""
    if event_type is EventType.DISPATCHED:
        return _check_dispatch(state, payload)
    if event_type is EventType.DISPATCH_WITHDRAWN:
        if not any(t.is_open for t in state.tasks) or state.status not in ANSWERABLE:
            raise _illegal(state, event_type, f"诉求 {state.number} 没有可撤回的派单。")
        return {"reason": _words(payload, "reason", "撤回原因", required=True)}
    if event_type is EventType.DEPARTMENT_REPLIED:
        return _check_reply(state, payload)
    if state.status in FINISHED or state.status is Status.DISPOSED:
        raise _illegal(state, event_type)
    if event_type is EventType.GRIDLEAD_TOOK_LEAD:
        gridlead = _words(payload, "gridlead", "网格长", required=True, limit=40)
        if gridlead == state.gridlead:
            raise ValidationError("gridlead", "gridlead.already", f"网格长 {gridlead} 已牵头办理该诉求。")
        return {"gridlead": gridlead, "note": _words(payload, "note", "说明")}
    if event_type is EventType.JOINT_MEETING:
        return _check_meeting(payload)
    if event_type is EventType.CONFERENCE_DECIDED:
        return _check_decision(state, payload)
    if event_type is EventType.SUPERVISED:
        # The server's own pass (domain/supervision.py) wrote it; on a case still being worked, never after.
        return {name: _words(payload, name, label, required=True, limit=400) for name, label in _NOTICE_FIELDS}
    raise _illegal(state, event_type)


_NOTICE_FIELDS = (("level", "督办类型"), ("key", "督办事项"), ("to", "督办对象"), ("reason", "督办原因"))


def _words(
    payload: Mapping[str, Any], name: str, label: str, *, required: bool = False, limit: int = NOTE_LIMIT
) -> str:
    return validate_short_text(
        str(payload.get(name, "") or ""), field=name, label=label, limit=limit, required=required
    )


def _check_dispatch(state: CaseState, payload: Mapping[str, Any]) -> dict[str, Any]:
    if state.status not in DISPATCHABLE:
        raise _illegal(state, EventType.DISPATCHED)
    tasks = payload.get("tasks")
    if not isinstance(tasks, list) or not tasks:
        raise ValidationError("tasks", "dispatch.no_department", "请选择牵头部门。")
    leads = [t for t in tasks if t.get("role") == TaskRole.LEAD]
    if len(leads) != 1 or leads[0].get("department") != payload.get("lead"):
        raise ValidationError("lead", "dispatch.one_lead", "派单须有且只有一个牵头部门。")
    return {
        "assignee": _words(payload, "assignee", "承办人或部门", required=True, limit=100),
        "note": _words(payload, "note", "说明"),
        "lead": str(payload["lead"]),
        "tasks": [dict(t) for t in tasks],
    }


def _check_reply(state: CaseState, payload: Mapping[str, Any]) -> dict[str, Any]:
    try:
        kind = ReplyKind(payload.get("kind", ""))
    except ValueError as err:
        raise ValidationError("kind", "reply.kind", "请选择反馈类型（接单、退单、进展、到场或办理结果）。") from err
    department = str(payload.get("department", ""))
    task = task_of(state.tasks, department)
    label = REPLY_KIND_LABELS[kind]
    if task is None or not task.is_open:
        raise IllegalTransition(
            "reply.not_dispatched", f"诉求 {state.number} 当前没有派给部门 {department} 待办，不能{label}。"
        )
    lead = task.role is TaskRole.LEAD
    if lead and state.status not in ANSWERABLE:
        raise _illegal(state, EventType.DEPARTMENT_REPLIED)
    if kind is ReplyKind.ACCEPT and task.state.value == "accepted":
        raise ValidationError("kind", "reply.already_accepted", f"部门 {department} 已接单。")
    required = kind in (ReplyKind.REJECT, ReplyKind.PROGRESS, ReplyKind.RESULT)
    what = {ReplyKind.REJECT: "退单原因", ReplyKind.RESULT: "办理结果"}.get(kind, "说明")
    return {
        "kind": str(kind),
        "department": department,
        "role": str(task.role),
        "note": _words(payload, "note", what, required=required),
    }


def _check_meeting(payload: Mapping[str, Any]) -> dict[str, Any]:
    attendees = _names(payload.get("attendees"), "attendees", "参会单位")
    if not attendees:
        raise ValidationError("attendees", "meeting.no_attendees", "请填写参会单位。")
    due = payload.get("due_at") or None
    if due is not None:
        try:
            due = datetime.fromisoformat(str(due)).isoformat()
        except ValueError as err:
            raise ValidationError(
                "due_at", "meeting.due", "完成时限的格式有误（如 2026-11-23T17:00:00+08:00）。"
            ) from err
    return {
        "convened_by": _words(payload, "convened_by", "召集人", required=True, limit=40),
        "attendees": attendees,
        "decision": _words(payload, "decision", "会议决定", required=True),
        "owners": _names(payload.get("owners"), "owners", "责任单位"),
        "due_at": due,
    }


def _check_decision(state: CaseState, payload: Mapping[str, Any]) -> dict[str, Any]:
    """难题会诊's decision on a case on its agenda: who came, what was decided, one owner and a due time."""
    if not state.conference_flagged:
        raise _illegal(state, EventType.CONFERENCE_DECIDED, f"诉求 {state.number} 不在难题会诊议程上。")
    attendees = _names(payload.get("attendees"), "attendees", "参会单位")
    if not attendees:
        raise ValidationError("attendees", "conference.no_attendees", "请填写参会单位。")
    try:
        due = datetime.fromisoformat(str(payload.get("due_at") or ""))
    except ValueError as err:
        raise ValidationError("due_at", "conference.due", "请填写完成时限（如 2026-12-10T17:00:00+08:00）。") from err
    if due.tzinfo is None:
        raise ValidationError("due_at", "conference.due", "完成时限须带时区（如 2026-12-10T17:00:00+08:00）。")
    return {
        "attendees": attendees,
        "decision": _words(payload, "decision", "会诊决定", required=True),
        "owner": _words(payload, "owner", "责任人", required=True, limit=40),
        "due_at": due.isoformat(),
    }


def _names(raw: Any, name: str, label: str) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValidationError(name, "meeting.list", f"「{label}」应为名称列表。")
    names = [validate_short_text(str(item), field=name, label=label, limit=100) for item in raw]
    return [n for n in names if n]
