"""The hotspots' counts (issue 17): the station's cases in the weeks looked at, counted per week, category, grid
and address in one query (`domain/hotspots.py` compares them). Works inside the caller's session."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session

from gridstation.common.week_buckets import week_index
from gridstation.domain.case import FINISHED
from gridstation.domain.enums import Status
from gridstation.domain.hotspots import CaseTally, WeekWindows
from gridstation.storage.models import CaseRow

NUMBER_SEPARATOR = ","  # never in a case number


def case_tallies(session: Session, windows: WeekWindows) -> list[CaseTally]:
    """The cases registered from the first week's start until `windows.now`, counted per week, category, grid,
    compound, building and address, with how many are open, the latest registration, the earliest close and their
    numbers. The registration index bounds the scan to the weeks looked at, whatever the station's size."""
    open_statuses = [str(s) for s in Status if s not in FINISHED]
    cases = (
        select(
            week_index(CaseRow.registered_at, windows.starts).label("week"),
            CaseRow.category_code,
            CaseRow.grid_code,
            CaseRow.compound,
            CaseRow.building,
            CaseRow.address,
            case((CaseRow.status.in_(open_statuses), literal(1)), else_=literal(0)).label("open"),
            CaseRow.registered_at,
            CaseRow.closed_at,
            CaseRow.number,
        )
        .where(CaseRow.registered_at >= windows.start, CaseRow.registered_at < windows.now)
        .subquery()
    )
    c = cases.c
    keys = (c.week, c.category_code, c.grid_code, c.compound, c.building, c.address)
    rows = session.execute(
        select(
            *keys,
            func.count(),
            func.sum(c.open),
            func.max(c.registered_at),
            func.min(c.closed_at),
            func.group_concat(c.number, NUMBER_SEPARATOR),
        ).group_by(*keys)
    )
    return [_tally(*row) for row in rows]


def _tally(
    week: int,
    category: str,
    grid: str,
    compound: str,
    building: str,
    address: str,
    count: int,
    opened: int | None,
    last_registered: datetime | None,
    first_closed: datetime | None,
    numbers: str | None,
) -> CaseTally:
    return CaseTally(
        week=int(week),
        category_code=category,
        grid_code=grid,
        compound=compound,
        building=building,
        address=address,
        count=int(count),
        open_count=int(opened or 0),
        last_registered_at=last_registered,
        first_closed_at=first_closed,
        numbers=tuple(numbers.split(NUMBER_SEPARATOR)) if numbers else (),
    )
