"""The case board's reads: cases across all stations, filtered and paged, and one case with its whole timeline.

Every read goes through `visibility`: a list holds only the cases the caller may see, and a case outside the
caller's scope is 404 like one that does not exist. Filters are columns of the case row (`ServerCaseRow`'s board
columns, written by `eventlog.project`); colours compare the time now with when the deadline changes colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from gridstation.domain.codec import state_from_json
from gridstation.domain.enums import STATUS_LABELS, Channel, Status, Tier
from gridstation.domain.events import event_from_stored
from gridstation.domain.sla import Colour
from gridstation.domain.tasks import DepartmentTask
from gridstation.domain.timeline import describe_event
from gridstation.server.case_views import CaseDetail, CaseListItem, CasePage, TimelineEntry
from gridstation.server.core import ServerCore
from gridstation.server.models import CaseDepartmentRow, ServerCaseRow, ServerCategoryRow, ServerEventRow
from gridstation.server.visibility import Principal, visible_case, visible_cases

DEFAULT_PAGE = 50
MAX_PAGE = 200


@dataclass(frozen=True, slots=True)
class CaseFilter:
    """The board's filters; each one not given (None, empty) filters nothing."""

    station: str | None = None
    grid: str | None = None
    category: str | None = None  # a code; its sub-categories match too
    tier: Tier | None = None
    channel: Channel | None = None
    status: Status | None = None
    colour: Colour | None = None
    overdue: bool | None = None
    text: str = ""  # words, each of which must appear (number, description, compound, building)


class CaseReads(ServerCore):
    def list_cases(
        self, principal: Principal, wanted: CaseFilter, *, limit: int = DEFAULT_PAGE, offset: int = 0
    ) -> CasePage:
        now = self.now()
        conditions = [visible_cases(principal), *_conditions(wanted, now)]
        with self.reading() as session:
            total = session.scalar(select(func.count()).select_from(ServerCaseRow).where(*conditions)) or 0
            rows = session.scalars(
                select(ServerCaseRow)
                .where(*conditions)
                .order_by(ServerCaseRow.registered_at.desc(), ServerCaseRow.number.desc())
                .limit(limit)
                .offset(offset)
            ).all()
            names = self._category_names(session)
            items = [_item(row, now, names) for row in rows]
        return CasePage(total=int(total), limit=limit, offset=offset, items=items)

    def case_detail(self, principal: Principal, number: str) -> CaseDetail:
        now = self.now()
        with self.reading() as session:
            row = visible_case(session, principal, number)
            state = state_from_json(row.state)
            return CaseDetail(
                case=_item(row, now, self._category_names(session)),
                description=state.description,
                compound=state.compound,
                building=state.building,
                assignee=state.assignee,
                answer=state.answer,
                work_order=state.work_order,
                departments=list(
                    session.scalars(
                        select(CaseDepartmentRow.department_code)
                        .where(CaseDepartmentRow.case_id == row.id)
                        .order_by(CaseDepartmentRow.dispatched_at, CaseDepartmentRow.department_code)
                    )
                ),
                timeline=_timeline(session, row.id),
            )

    def _category_names(self, session: Session) -> dict[str, str]:
        """The categories' names by code. The server seeds them once, on its first start, and never changes them,
        so one read per process is enough."""
        if self._category_name_cache is None:
            self._category_name_cache = dict(
                session.execute(select(ServerCategoryRow.code, ServerCategoryRow.name)).tuples().all()
            )
        return self._category_name_cache

    def case_tasks(self, principal: Principal, numbers: list[str]) -> dict[str, tuple[DepartmentTask, ...]]:
        """The departments' parts of the current dispatch of each case numbered so that `principal` may see."""
        if not numbers:
            return {}
        with self.reading() as session:
            rows = session.execute(
                select(ServerCaseRow.number, ServerCaseRow.state).where(
                    visible_cases(principal), ServerCaseRow.number.in_(numbers)
                )
            ).tuples()
            return {number: state_from_json(state).tasks for number, state in rows}


def _timeline(session: Session, case_id: str) -> list[TimelineEntry]:
    """The case's applied events in the order of their clocks: the events whose fold is the case's state."""
    rows = session.scalars(
        select(ServerEventRow)
        .where(ServerEventRow.case_id == case_id, ServerEventRow.applied.is_(True))
        .order_by(ServerEventRow.hlc, ServerEventRow.id)
    ).all()
    entries = []
    for row in rows:
        event = event_from_stored(row)
        entries.append(
            TimelineEntry(
                event_id=row.id,
                type=row.type,
                text=describe_event(event),
                actor_name=row.actor_name,
                station_code=row.station_code,
                occurred_at=row.occurred_at,
            )
        )
    return entries


def colour_at(row: ServerCaseRow, now: datetime) -> Colour:
    """The case's colour now: the same answer as `ColourScheme.colour_for` (see `sla.band_starts`)."""
    if row.sla_due_at is None:
        return Colour.NONE
    if now > row.sla_due_at:
        return Colour.RED
    for colour, start in ((Colour.ORANGE, row.orange_at), (Colour.YELLOW, row.yellow_at), (Colour.BLUE, row.blue_at)):
        if start is not None and now >= start:
            return colour
    return Colour.GREEN


def _item(row: ServerCaseRow, now: datetime, category_names: dict[str, str]) -> CaseListItem:
    status = Status(row.status)
    return CaseListItem(
        number=row.number,
        station_code=row.station_code,
        category_code=row.category_code,
        category_name=category_names.get(row.category_code, ""),
        status=row.status,
        status_label=STATUS_LABELS[status],
        tier=row.tier,
        channel=row.channel,
        grid_code=row.grid_code,
        registered_at=row.registered_at,
        updated_at=row.updated_at,
        due_at=row.sla_due_at,
        colour=colour_at(row, now),
        overdue=row.sla_due_at is not None and now > row.sla_due_at,
    )


def _conditions(wanted: CaseFilter, now: datetime) -> list[ColumnElement[bool]]:
    c = ServerCaseRow
    conditions: list[ColumnElement[bool]] = []
    if wanted.station:
        conditions.append(c.station_code == wanted.station.strip().upper())
    if wanted.grid:
        conditions.append(c.grid_code == wanted.grid.strip())
    if wanted.category:
        code = wanted.category.strip()
        conditions.append(or_(c.category_code == code, c.category_code.startswith(code + ".", autoescape=True)))
    if wanted.tier:
        conditions.append(c.tier == str(wanted.tier))
    if wanted.channel:
        conditions.append(c.channel == str(wanted.channel))
    if wanted.status:
        conditions.append(c.status == str(wanted.status))
    if wanted.overdue is not None:
        late = and_(c.sla_due_at.is_not(None), c.sla_due_at < now)
        conditions.append(late if wanted.overdue else ~late)
    if wanted.colour:
        conditions.append(_colour_condition(wanted.colour, now))
    for word in wanted.text.casefold().split():
        conditions.append(c.search_text.contains(word, autoescape=True))
    return conditions


def _colour_condition(colour: Colour, now: datetime) -> ColumnElement[bool]:
    """Cases showing `colour` now: past the start of its band and not yet at the start of the next one."""
    c = ServerCaseRow
    if colour is Colour.NONE:
        return c.sla_due_at.is_(None)
    if colour is Colour.RED:
        return c.sla_due_at < now
    band = {
        Colour.GREEN: (None, c.blue_at),
        Colour.BLUE: (c.blue_at, c.yellow_at),
        Colour.YELLOW: (c.yellow_at, c.orange_at),
        Colour.ORANGE: (c.orange_at, None),
    }
    start, end = band[colour]
    parts = [c.sla_due_at >= now]
    if start is not None:
        parts.append(start <= now)
    if end is not None:
        parts.append(end > now)
    return and_(*parts)
