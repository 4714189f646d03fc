"""Reading cases for the public and for audits: the status page behind the receipt's QR code, Open311's reads.

What the public may see is decided by the callers that render it (the status page, `open311.formats`); nothing
here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridstation.domain.case import FINISHED
from gridstation.domain.enums import STATUS_LABELS, Status
from gridstation.server.core import ServerCore
from gridstation.server.errors import not_found
from gridstation.server.models import (
    QuarantineRow,
    ServerAuditRow,
    ServerCaseRow,
    ServerCategoryRow,
    ServerEventRow,
    ServerStationRow,
    WorkOrderRow,
)


@dataclass(frozen=True, slots=True)
class CaseStatusView:
    """What the public status page (the receipt's QR code) may show: no names, no phones, no addresses."""

    number: str
    category: str
    status: str
    status_label: str
    registered_at: datetime
    updated_at: datetime
    closed: bool


@dataclass(frozen=True, slots=True)
class PublicCase:
    """A case's row with what its public view needs besides: its category's and station's names, and the due
    time of the work order it came from (if it did)."""

    row: ServerCaseRow
    category: str
    station: str
    due_at: datetime | None


class Lookups(ServerCore):
    def case_status(self, number: str) -> CaseStatusView:
        with self.reading() as session:
            row = session.scalar(select(ServerCaseRow).where(ServerCaseRow.number == number.strip().upper()))
            if row is None:
                row = session.scalar(select(ServerCaseRow).where(ServerCaseRow.number == number.strip()))
            if row is None:
                raise not_found(f"诉求 {number}", "case.unknown")
            category = session.get(ServerCategoryRow, row.category_code)
        status = Status(row.status)
        return CaseStatusView(
            number=row.number,
            category=category.name if category else row.category_code,
            status=str(status),
            status_label=STATUS_LABELS[status],
            registered_at=row.registered_at,
            updated_at=row.updated_at,
            closed=status in FINISHED,
        )

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
        self, codes: list[str], start: datetime, end: datetime | None, statuses: set[str], *, limit: int
    ) -> list[PublicCase]:
        """Cases registered in [start, end), newest first: of the categories given (all if none), open or closed."""
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
        query = query.order_by(ServerCaseRow.registered_at.desc(), ServerCaseRow.number).limit(limit)
        with self.reading() as session:
            return self._public(session, list(session.scalars(query).all()))

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
            session.execute(
                select(WorkOrderRow.case_id, WorkOrderRow.due_at).where(WorkOrderRow.case_id.in_([r.id for r in rows]))
            )
            .tuples()
            .all()
        )
        return [
            PublicCase(
                row,
                category=categories.get(row.category_code, row.category_code),
                station=stations.get(row.station_code, row.station_code),
                due_at=due.get(row.id),
            )
            for row in rows
        ]


def _is_offered(category: ServerCategoryRow) -> bool:
    """Only active leaves are services (the top-level categories are their groups)."""
    return category.active and bool(category.parent_code)
