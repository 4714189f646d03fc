"""What a failed write must leave alone, captured so tests can compare before and after."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from gridstation.domain.events import Event
from gridstation.services.station import StationService
from gridstation.storage.models import CaseCounterRow, CaseRow


def snapshot(service: StationService) -> tuple[list[dict[str, Any]], list[Event], dict[str, int]]:
    """Case rows, events and number counters."""
    with service._read() as session:
        rows = [
            {c.key: getattr(r, c.key) for c in CaseRow.__table__.columns}
            for r in session.scalars(select(CaseRow).order_by(CaseRow.id))
        ]
        counters = {r.day: r.last_sequence for r in session.scalars(select(CaseCounterRow))}
    return rows, service.all_events(), counters
