"""The centre's own events: the work orders it dispatches to stations, and the progress departments report.

A work order (12345 hotline, 信访, 码上就来; parsed and validated in `workorders`) becomes a case owned by the
station it is dispatched to; a department's update is an event on a case dispatched to that department (`scope`),
checked by the same domain rules as a station's. Both are stored through the event log, stamped by the server's
hybrid logical clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridstation.domain.case import apply
from gridstation.domain.codec import state_from_json
from gridstation.domain.enums import EventType
from gridstation.domain.errors import DomainError
from gridstation.domain.events import new_id
from gridstation.domain.lifecycle import check_legal
from gridstation.protocol import StatusUpdate, StatusUpdateResult
from gridstation.server.accounts import Department
from gridstation.server.core import ServerCore
from gridstation.server.errors import ServerError
from gridstation.server.eventlog import CaseInBatch, open_case, project
from gridstation.server.models import (
    ServerCaseRow,
    ServerCategoryRow,
    ServerEventRow,
    ServerStationRow,
    WorkOrderRow,
)
from gridstation.server.visibility import department_principal, visible_case
from gridstation.server.workorders import WorkOrder

CENTRE_ACTOR = "城运中心"
STATUS_UPDATE_EVENTS: dict[str, EventType] = {
    "dispatched": EventType.DISPATCHED,
    "on_site": EventType.ARRIVED_ON_SITE,
    "disposed": EventType.DISPOSED,
    "closed": EventType.CLOSED,
}


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: list[str]
    skipped: list[str]  # tickets already on the server


class WorkOrders(ServerCore):
    def add_work_order(self, order: WorkOrder, *, open311_token: str = "") -> str:
        """Create the case a work order becomes, owned by the station it is dispatched to; returns the case id."""
        case_id = new_id()
        payload = {
            **order.intake.to_payload(),
            "number": order.ticket,
            "work_order": {
                "ticket": order.ticket,
                "source": str(order.source),
                "dispatched_at": order.dispatched_at.isoformat(),
                "due_at": order.due_at.isoformat() if order.due_at else None,
                "urgent": order.urgent,
            },
        }
        with self.writing() as session:
            self._require_category(session, order.intake.category_code)
            station = self._lock_station(session, order.station_code)
            if station.revoked_at is not None:
                raise DomainError("workorder.station_revoked", f"工作站 {station.code} 已停用，不能派单。")
            if session.get(WorkOrderRow, order.ticket) is not None or session.scalar(
                select(ServerCaseRow.id).where(ServerCaseRow.number == order.ticket)
            ):
                raise DomainError("workorder.exists", f"工单 {order.ticket} 已存在。")
            event = self._centre_event(
                case_id, station.code, EventType.REGISTERED, payload, "centre", CENTRE_ACTOR, order.dispatched_at
            )
            project(open_case(session, event, apply(None, event), number=order.ticket, station_code=station.code))
            self._store_centre_event(session, station, event)
            session.add(
                WorkOrderRow(
                    ticket=order.ticket,
                    source=str(order.source),
                    station_code=station.code,
                    case_id=case_id,
                    dispatched_at=order.dispatched_at,
                    due_at=order.due_at,
                    urgent=order.urgent,
                    open311_token=open311_token,
                    created_at=self.now(),
                )
            )
            self._audit(session, CENTRE_ACTOR, "workorder.added", ticket=order.ticket, station=station.code)
            self.faults.before_commit(station.code)
        return case_id

    def import_work_orders(self, orders: Sequence[WorkOrder]) -> ImportResult:
        """Add each order not yet on the server; a re-imported export skips what it already holds."""
        with self.reading() as session:
            held = set(
                session.scalars(select(WorkOrderRow.ticket).where(WorkOrderRow.ticket.in_([o.ticket for o in orders])))
            )
            known_stations = set(session.scalars(select(ServerStationRow.code)))
            categories = set(session.scalars(select(ServerCategoryRow.code)))
        problems = [
            f"工单 {o.ticket}：没有工作站 {o.station_code}" for o in orders if o.station_code not in known_stations
        ] + [
            f"工单 {o.ticket}：没有诉求分类 {o.intake.category_code}"
            for o in orders
            if o.intake.category_code not in categories
        ]
        if problems:
            raise DomainError("workorder.invalid", "工单有误，未导入任何工单：\n" + "\n".join(problems))
        added: list[str] = []
        for order in orders:
            if order.ticket in held:
                continue
            self.add_work_order(order)
            added.append(order.ticket)
        return ImportResult(added=added, skipped=sorted(held))

    def _require_category(self, session: Session, code: str) -> None:
        if session.get(ServerCategoryRow, code) is None:
            raise DomainError("category.unknown", f"没有诉求分类 {code}。")

    def department_update(self, department: Department, update: StatusUpdate) -> StatusUpdateResult:
        event_type = STATUS_UPDATE_EVENTS[update.update]
        payload: dict[str, Any] = {"note": update.note, "department": department.code}
        if event_type is EventType.DISPATCHED:
            payload["assignee"] = update.assignee or department.name
        elif event_type is EventType.DISPOSED:
            payload["outcome"] = update.outcome
        elif event_type is EventType.CLOSED:
            payload = {"answer": update.answer or update.note, "department": department.code}
        with self.reading() as session:
            # A case outside the department's scope gets the answer a case that does not exist gets: the department
            # learns nothing about cases that were never dispatched to it.
            found = visible_case(session, department_principal(department), update.case_number)
            case_id, owner = found.id, found.station_code
        with self.writing() as session:
            station = self._lock_station(session, owner)
            if update.id is not None:
                known = session.get(ServerEventRow, update.id)
                if known is not None:
                    # Only the same update retried is a duplicate: same department, same case, same kind.
                    if (known.actor_id, known.case_id, known.type) != (
                        f"dept:{department.code}",
                        case_id,
                        str(event_type),
                    ):
                        raise ServerError(
                            409,
                            "update.id_reused",
                            "该更新编号已用于另一条更新（其他诉求、其他部门或其他类型的进展），本次更新未生效。"
                            "每条新的进展请使用新的编号。",
                        )
                    row = session.get(ServerCaseRow, case_id)
                    assert row is not None
                    return StatusUpdateResult(
                        event_id=known.id, outcome="duplicate", case_number=row.number, status=row.status
                    )
            row = session.scalar(
                select(ServerCaseRow)
                .where(ServerCaseRow.number == update.case_number)
                .execution_options(populate_existing=True)
            )
            assert row is not None
            state = state_from_json(row.state)
            try:
                clean = check_legal(state, event_type, payload)
            except DomainError as err:
                raise ServerError(409, err.code, err.message_zh, case_status=str(state.status)) from err
            clean["department"] = department.code
            event = self._centre_event(
                row.id,
                station.code,
                event_type,
                clean,
                f"dept:{department.code}",
                department.name,
                self.now(),
                update.id,
            )
            self._store_centre_event(session, station, event)
            case = CaseInBatch(row, state)
            case.fold(event)
            project(case)
            self.faults.before_commit(station.code)
            return StatusUpdateResult(
                event_id=event.id, outcome="applied", case_number=row.number, status=str(case.state.status)
            )
