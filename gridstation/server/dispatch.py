"""吹哨报到 on the server (issue 15): the centre dispatches a case to a lead and co-operating departments, withdraws
it; departments answer; a gridlead takes the lead or records a 联勤联动 meeting.

The JSON API and the console both call these methods. Who may see a case is `visibility` (outside scope: 404 like
a case that does not exist); who may do what is checked here (403); whether it may happen now is the domain's
(`domain/dispatch.py`: 409, or 422 for bad words). Each action is one event stored through the event log, so it
reaches the station's feed like the centre's other events, and is idempotent by the caller's key: the event's id
is derived from who acts, on which case, what and the key, so a retry finds the event it already stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridstation.domain.codec import state_from_json
from gridstation.domain.console_roles import SEES_ALL_CASES, ConsoleRole
from gridstation.domain.dispatch import plan_dispatch
from gridstation.domain.enums import EventType, Status
from gridstation.domain.errors import DomainError, IllegalTransition, ValidationError
from gridstation.domain.lifecycle import check_legal
from gridstation.server.dispatch_views import (
    DEPARTMENT_KINDS,
    ActionResult,
    DecisionRequest,
    DispatchRequest,
    ReplyRequest,
    WithdrawRequest,
)
from gridstation.server.district_policy import DistrictPolicies
from gridstation.server.errors import ServerError
from gridstation.server.eventlog import CaseInBatch, project
from gridstation.server.models import DepartmentRow, ServerCaseRow, ServerEventRow
from gridstation.server.visibility import Principal, visible_case

# Event ids made from an action's idempotency key (uuid5 in this namespace): a retry makes the same id.
_ACTION_IDS = uuid.UUID("6f1d0f52-2a43-4c55-9a57-15b1a2c0d015")
DISPATCHERS = SEES_ALL_CASES | {ConsoleRole.GRIDLEAD}


def _forbidden(message: str) -> ServerError:
    return ServerError(403, "action.forbidden", message)


def _aware(when: datetime | None, label: str) -> datetime | None:
    if when is not None and when.tzinfo is None:
        raise ServerError(422, "time.no_zone", f"{label}须带时区（如 2026-11-23T17:00:00+08:00）。")
    return when


class Dispatching(DistrictPolicies):
    def dispatch_case(self, principal: Principal, number: str, request: DispatchRequest) -> ActionResult:
        """The centre's dispatch (or a re-dispatch) of a case to `request.lead` and `request.assist`."""
        due = _aware(request.due, "办理时限")
        policy = self.district_policy().policy  # read before the write that uses it

        def payload(session: Session, row: ServerCaseRow) -> dict[str, Any]:
            if principal.role not in DISPATCHERS:
                raise _forbidden("只有城运中心或本网格的网格长可以派单。")
            names = self._department_names(session, [request.lead, *request.assist])
            return plan_dispatch(
                state_from_json(row.state),
                lead=request.lead,
                lead_name=names[request.lead],
                assist=list(request.assist),
                due=due,
                note=request.note,
                policy=policy,
                at=self.now(),
            )

        return self._act(principal, number, EventType.DISPATCHED, request.idempotency_key, payload)

    def withdraw_dispatch(self, principal: Principal, number: str, request: WithdrawRequest) -> ActionResult:
        def payload(session: Session, row: ServerCaseRow) -> dict[str, Any]:
            if principal.role not in DISPATCHERS:
                raise _forbidden("只有城运中心或本网格的网格长可以撤回派单。")
            return {"reason": request.reason}

        return self._act(principal, number, EventType.DISPATCH_WITHDRAWN, request.idempotency_key, payload)

    def reply_case(self, principal: Principal, number: str, request: ReplyRequest) -> ActionResult:
        """A department's answer to its part of a dispatch, or a gridlead's 牵头 or 联勤联动 meeting."""
        due = _aware(request.due, "完成时限")
        if request.kind in DEPARTMENT_KINDS:
            event_type = EventType.DEPARTMENT_REPLIED
        elif request.kind == "take_lead":
            event_type = EventType.GRIDLEAD_TOOK_LEAD
        else:
            event_type = EventType.JOINT_MEETING

        def payload(session: Session, row: ServerCaseRow) -> dict[str, Any]:
            if event_type is EventType.DEPARTMENT_REPLIED:
                if principal.role is not ConsoleRole.DEPARTMENT or not principal.department:
                    raise _forbidden("只有承办部门的用户可以接单、退单或反馈办理情况。")
                return {"kind": request.kind, "department": principal.department, "note": request.note}
            if principal.role is not ConsoleRole.GRIDLEAD:
                raise _forbidden("只有本网格的网格长可以牵头或记录联勤联动。")
            if event_type is EventType.GRIDLEAD_TOOK_LEAD:
                return {"gridlead": principal.username, "note": request.note}
            return {
                "convened_by": principal.username,
                "attendees": list(request.attendees),
                "decision": request.decision,
                "owners": list(request.owners),
                "due_at": due.isoformat() if due else None,
            }

        return self._act(principal, number, event_type, request.idempotency_key, payload)

    def decide_conference(self, principal: Principal, number: str, request: DecisionRequest) -> ActionResult:
        """The minutes of 难题会诊 on one case: an event with its own deadline, in the station's timeline too."""
        due = _aware(request.due, "完成时限")

        def payload(session: Session, row: ServerCaseRow) -> dict[str, Any]:
            if principal.role not in SEES_ALL_CASES:
                raise _forbidden("只有城运中心可以记录难题会诊决定。")
            return {
                "attendees": list(request.attendees),
                "decision": request.decision,
                "owner": request.owner,
                "due_at": due.isoformat() if due else "",
            }

        return self._act(principal, number, EventType.CONFERENCE_DECIDED, request.idempotency_key, payload)

    def attach_result_photo(
        self, principal: Principal, number: str, photo: dict[str, object], key: str
    ) -> ActionResult:
        """A department's photo of its result (its bytes already kept, `case_photos`): a `case.photo_attached`."""

        def payload(session: Session, row: ServerCaseRow) -> dict[str, Any]:
            if principal.role is not ConsoleRole.DEPARTMENT or not principal.department:
                raise _forbidden("只有承办部门的用户可以上传办理结果照片。")
            return dict(photo)

        return self._act(principal, number, EventType.PHOTO_ATTACHED, key, payload)

    def _department_names(self, session: Session, codes: list[str]) -> dict[str, str]:
        found = session.execute(
            select(DepartmentRow.code, DepartmentRow.name).where(
                DepartmentRow.code.in_(codes), DepartmentRow.revoked_at.is_(None)
            )
        ).tuples()
        rows = {code: name for code, name in found}
        missing = [code for code in codes if code not in rows]
        if missing:
            raise ServerError(422, "department.unknown", f"没有部门 {missing[0]}（或该部门已停用）。", field="lead")
        return rows

    def _actor_name(self, session: Session, principal: Principal) -> str:
        if principal.role is ConsoleRole.DEPARTMENT and principal.department:
            name = session.scalar(select(DepartmentRow.name).where(DepartmentRow.code == principal.department))
            return f"{name or principal.department}（{principal.username}）"[:40]
        return principal.username[:40] or principal.access_name[:40]

    def _act(
        self,
        principal: Principal,
        number: str,
        event_type: EventType,
        key: str,
        build: Callable[[Session, ServerCaseRow], dict[str, Any]],
    ) -> ActionResult:
        """Store the event `build(session, case row)` describes, once per key; the case's status after it."""
        with self.reading() as session:
            found = visible_case(session, principal, number)  # 404 outside scope, before anything else is said
            case_id, owner = found.id, found.station_code
        event_id = str(uuid.uuid5(_ACTION_IDS, f"{principal.access_name}|{case_id}|{event_type}|{key}"))
        with self.writing() as session:
            station = self._lock_station(session, owner)
            row = session.scalar(
                select(ServerCaseRow).where(ServerCaseRow.id == case_id).execution_options(populate_existing=True)
            )
            assert row is not None
            if session.get(ServerEventRow, event_id) is not None:
                return ActionResult(
                    event_id=event_id, outcome="duplicate", case_number=row.number, status=Status(row.status)
                )
            state = state_from_json(row.state)
            try:
                clean = check_legal(state, event_type, build(session, row))
            except ServerError:
                raise
            except ValidationError as err:
                raise ServerError(422, err.code, err.message_zh, field=err.field) from err
            except IllegalTransition as err:
                raise ServerError(409, err.code, err.message_zh, case_status=str(state.status)) from err
            except DomainError as err:
                raise ServerError(409, err.code, err.message_zh) from err
            actor = (principal.access_name[:60], self._actor_name(session, principal))
            event = self._centre_event(row.id, station.code, event_type, clean, *actor, self.now(), event_id)
            self._store_centre_event(session, station, event)
            case = CaseInBatch(row, state)
            case.fold(event)
            project(case)
            self._audit(session, principal.access_name, f"case.{event_type.name.lower()}", case=row.number)
            self.faults.before_commit(station.code)
            return ActionResult(
                event_id=event_id, outcome="applied", case_number=row.number, status=Status(case.state.status)
            )
