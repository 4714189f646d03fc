"""Reading cases for the public and for audits: the status page behind the receipt's QR code, Open311's reads.

What the public may see of a case is decided here, once (`PublicCase`), with the domain's scrubber
(`domain.privacy`); the status page and `open311.formats` only render it. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridstation.domain.case import FINISHED
from gridstation.domain.enums import STATUS_LABELS, Channel, EventType, Status
from gridstation.domain.privacy import coarse_location, public_summary
from gridstation.server.core import ServerCore
from gridstation.server.errors import not_found
from gridstation.server.models import (
    DepartmentRow,
    QuarantineRow,
    ServerAuditRow,
    ServerCaseRow,
    ServerCategoryRow,
    ServerEventRow,
    ServerStationRow,
    WorkOrderRow,
)


@dataclass(frozen=True, slots=True)
class PublicCase:
    """A case as the public may see it, on the status page and through Open311, and nothing more.

    Built in one place (`_public`) so both say the same: the category, a location no finer than the compound or
    road, the status, a summary scrubbed of personal details (the description only where the resident published
    it themselves), the department handling it (never a clerk's free-text assignee), and the station.
    """

    number: str
    category_code: str
    category: str
    status: str
    status_label: str
    closed: bool
    summary: str
    location: str | None
    department: str | None
    station: str
    registered_at: datetime
    updated_at: datetime
    due_at: datetime | None


DEPARTMENT_ACTOR = "dept:"  # the actor_id of a department's updates: dept:<code>


class Lookups(ServerCore):
    def case_status(self, number: str) -> PublicCase:
        """The case behind a receipt's number (as printed, or typed in lower case)."""
        found = self.public_cases_by_number([number.strip()])
        if not found:
            raise not_found(f"诉求 {number}", "case.unknown")
        return found[0]

    def events_held(self) -> list[tuple[str, str]]:
        """(id, content_hash) of every event held: for tests and audits."""
        with self.reading() as session:
            return [(i, h) for i, h in session.execute(select(ServerEventRow.id, ServerEventRow.content_hash))]

    def case_states(self, station_code: str) -> dict[str, dict[str, Any]]:
        with self.reading() as session:
            rows = session.scalars(select(ServerCaseRow).where(ServerCaseRow.station_code == station_code)).all()
        return {row.id: row.state for row in rows}

    def quarantined(self, station_code: str) -> list[tuple[str, str]]:
        with self.reading() as session:
            rows = session.scalars(select(QuarantineRow).where(QuarantineRow.station_code == station_code)).all()
        return [(row.event_id, row.code) for row in rows]

    def audit(self, limit: int = 100) -> list[tuple[datetime, str, str, Any]]:
        with self.reading() as session:
            rows = session.scalars(select(ServerAuditRow).order_by(ServerAuditRow.id.desc()).limit(limit)).all()
        return [(r.at, r.actor, r.action, r.detail) for r in rows]

    # --- Open311 reads --------------------------------------------------------------------------------------

    def offered_services(self) -> list[tuple[ServerCategoryRow, str]]:
        """Every category offered as an Open311 service, with the name of its group (its parent category)."""
        with self.reading() as session:
            rows = session.scalars(select(ServerCategoryRow).order_by(ServerCategoryRow.code)).all()
        names = {row.code: row.name for row in rows}
        return [(row, names.get(row.parent_code, row.parent_code)) for row in rows if _is_offered(row)]

    def offered_service(self, code: str) -> ServerCategoryRow | None:
        """The category behind a service code, if it is offered."""
        if not code or len(code) > 40:
            return None
        with self.reading() as session:
            row = session.get(ServerCategoryRow, code)
        return row if row is not None and _is_offered(row) else None

    def station_name(self, code: str) -> str:
        with self.reading() as session:
            station = session.get(ServerStationRow, code)
        return station.name if station is not None else code

    def search_public_cases(
        self,
        codes: list[str],
        start: datetime,
        end: datetime | None,
        statuses: set[str],
        *,
        limit: int,
        offset: int = 0,
    ) -> list[PublicCase]:
        """Cases registered in [start, end), of the categories given (all if none), open or closed: the page of
        `limit` from `offset`, latest to reach the server first.

        The order is the server's own clock (when the case's registration arrived), never a time a station wrote:
        a case a station dated 2099 cannot hold the top of the public list.
        """
        query = select(ServerCaseRow).where(ServerCaseRow.registered_at >= start)
        if end is not None:
            query = query.where(ServerCaseRow.registered_at < end)
        if codes:
            query = query.where(ServerCaseRow.category_code.in_(codes))
        finished = [str(s) for s in FINISHED]
        if statuses == {"open"}:
            query = query.where(ServerCaseRow.status.not_in(finished))
        elif statuses == {"closed"}:
            query = query.where(ServerCaseRow.status.in_(finished))
        arrived = (
            select(func.min(ServerEventRow.received_at))
            .where(ServerEventRow.case_id == ServerCaseRow.id, ServerEventRow.type == str(EventType.REGISTERED))
            .scalar_subquery()
        )
        query = query.order_by(
            func.coalesce(arrived, ServerCaseRow.registered_at).desc(),
            ServerCaseRow.registered_at.desc(),  # cases that arrived together (a work-order import, one push)
            ServerCaseRow.number,
        )
        with self.reading() as session:
            return self._public(session, list(session.scalars(query.limit(limit).offset(offset)).all()))

    def public_cases_by_number(self, numbers: list[str]) -> list[PublicCase]:
        """The cases named, in the order asked for; unknown numbers are left out."""
        keys = {key for number in numbers for key in (number, number.upper()) if len(key) <= 40}
        if not keys:
            return []
        with self.reading() as session:
            rows = session.scalars(select(ServerCaseRow).where(ServerCaseRow.number.in_(keys))).all()
            by_number = {row.number: row for row in rows}
            ordered: dict[str, ServerCaseRow] = {}
            for number in numbers:
                row = by_number.get(number) or by_number.get(number.upper())
                if row is not None:
                    ordered.setdefault(row.id, row)
            return self._public(session, list(ordered.values()))

    def number_of_token(self, token: str) -> str | None:
        """The case number of a request posted through Open311, by the token its poster was given."""
        if not token or len(token) > 40:  # the empty token of orders not posted through Open311 is no token
            return None
        with self.reading() as session:
            return session.scalar(
                select(ServerCaseRow.number)
                .join(WorkOrderRow, WorkOrderRow.case_id == ServerCaseRow.id)
                .where(WorkOrderRow.open311_token == token)
            )

    @staticmethod
    def _public(session: Session, rows: list[ServerCaseRow]) -> list[PublicCase]:
        if not rows:
            return []
        ids = [row.id for row in rows]
        categories = dict(session.execute(select(ServerCategoryRow.code, ServerCategoryRow.name)).tuples().all())
        stations = dict(
            session.execute(
                select(ServerStationRow.code, ServerStationRow.name).where(
                    ServerStationRow.code.in_({row.station_code for row in rows})
                )
            )
            .tuples()
            .all()
        )
        due = dict(
            session.execute(select(WorkOrderRow.case_id, WorkOrderRow.due_at).where(WorkOrderRow.case_id.in_(ids)))
            .tuples()
            .all()
        )
        departments = dict(session.execute(select(DepartmentRow.code, DepartmentRow.name)).tuples().all())
        reported_by = _reporting_departments(session, ids)
        return [
            _public_case(
                row,
                category=categories.get(row.category_code, row.category_code),
                station=stations.get(row.station_code, row.station_code),
                due_at=due.get(row.id),
                department=_department_of(row, reported_by.get(row.id), departments),
            )
            for row in rows
        ]


def _reporting_departments(session: Session, case_ids: list[str]) -> dict[str, str]:
    """The department that last reported on each case (its updates are events with actor `dept:<code>`)."""
    found: dict[str, str] = {}
    rows = session.execute(
        select(ServerEventRow.case_id, ServerEventRow.actor_id)
        .where(
            ServerEventRow.case_id.in_(case_ids),
            ServerEventRow.actor_id.startswith(DEPARTMENT_ACTOR, autoescape=True),
            ServerEventRow.applied.is_(True),
        )
        .order_by(ServerEventRow.received_at, ServerEventRow.id)
    ).tuples()
    for case_id, actor_id in rows:
        found[case_id] = actor_id.removeprefix(DEPARTMENT_ACTOR)
    return found


def _department_of(row: ServerCaseRow, reported_by: str | None, departments: dict[str, str]) -> str | None:
    """The department's registered name, never the free text a clerk or a department typed as the assignee.

    A case a department has reported on is that department's; a case a station dispatched is a department's
    only if the assignee typed is exactly that department's name (a person's name or phone never is).
    """
    if reported_by is not None and reported_by in departments:
        return departments[reported_by]
    state: Mapping[str, Any] = row.state if isinstance(row.state, Mapping) else {}
    assignee = _text(state, "assignee")
    return assignee if assignee and assignee in departments.values() else None


def _public_case(
    row: ServerCaseRow, *, category: str, station: str, due_at: datetime | None, department: str | None
) -> PublicCase:
    state: Mapping[str, Any] = row.state if isinstance(row.state, Mapping) else {}
    try:
        status = Status(row.status)
        label, closed = STATUS_LABELS[status], status in FINISHED
    except ValueError:
        label, closed = row.status, False
    # The complainant's own name is hidden wherever it is written, even where no pattern would know it for one.
    known = [_text(state, "complainant_name")]
    # Residents who post through Open311 or a 码上就来 code publish their report themselves (scrubbed); what was
    # told to a clerk or a hotline stays with the station: the public sees its category.
    if state.get("channel") == Channel.QR_REPORT:
        summary = public_summary(_text(state, "description"), known=known) or category
    else:
        summary = f"{category}（详情仅承办工作站可见）"
    location = coarse_location(_text(state, "compound"), _text(state, "address"), known=known)
    return PublicCase(
        number=row.number,
        category_code=row.category_code,
        category=category,
        status="closed" if closed else "open",
        status_label=label,
        closed=closed,
        summary=summary,
        location=location or None,
        department=department,
        station=station,
        registered_at=row.registered_at,
        updated_at=row.updated_at,
        due_at=due_at,
    )


def _text(state: Mapping[str, Any], name: str) -> str:
    value = state.get(name)
    return value.strip() if isinstance(value, str) else ""


def _is_offered(category: ServerCategoryRow) -> bool:
    """Only active leaves are services (the top-level categories are their groups)."""
    return category.active and bool(category.parent_code)
