"""What the desk keeps about its syncs besides the log itself: conflicts and new work orders waiting for a person,
the numbers the day's receipt covers, and the record of each run.

Like storage/sync_store.py, every function works inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridstation.domain.events import event_from_stored
from gridstation.storage import integrity
from gridstation.storage.models import (
    CaseRow,
    ConflictRecordRow,
    EventRow,
    SyncRunRow,
    WorkOrderInboxRow,
)
from gridstation.storage.sync_store import STATION_ORIGIN

# --- conflicts --------------------------------------------------------------------------------------------


def close_conflicts_not_open_on_server(session: Session, open_ids: set[str], at: datetime) -> int:
    """A conflict the server no longer lists as open was resolved (here or at the centre)."""
    rows = session.scalars(select(ConflictRecordRow).where(ConflictRecordRow.resolved_at.is_(None)))
    closed = 0
    for row in rows:
        if row.id not in open_ids:
            row.resolved_at = at
            closed += 1
    return closed


def open_conflict_count(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(ConflictRecordRow).where(ConflictRecordRow.resolved_at.is_(None))
        )
        or 0
    )


# --- the day's receipt ------------------------------------------------------------------------------------


def station_events_between(session: Session, first: int, last: int) -> list[tuple[int, str]]:
    """(station_seq, content hash) of this station's events in the range, the hash recomputed from the stored
    fields: a payload edited in the database shows as a difference from the server's digest, not as agreement.

    An event a retention run anonymised keeps the hash it had (the one the server holds)."""
    rows = session.scalars(
        select(EventRow).where(EventRow.origin == STATION_ORIGIN, EventRow.station_seq.between(first, last))
    )
    out = []
    records: dict[str, tuple[str, str]] | None = None
    for row in rows:
        event = event_from_stored(row)
        digest = event.content_hash()
        if digest != row.content_hash:
            records = integrity.anonymisation_records(session) if records is None else records
            changed, _ = integrity.changed_here(event, row.content_hash, records)
            digest = digest if changed else row.content_hash
        out.append((int(row.station_seq or 0), digest))
    return out


def events_changed_here(session: Session, first: int, last: int) -> list[EventRow]:
    """This station's events in the range whose fields no longer give their stored hash (edited outside
    GridStation, retention runs accounted for), in number order."""
    rows = session.scalars(
        select(EventRow)
        .where(EventRow.origin == STATION_ORIGIN, EventRow.station_seq.between(first, last))
        .order_by(EventRow.station_seq)
    )
    records = integrity.anonymisation_records(session)
    return [row for row in rows if integrity.changed_here(event_from_stored(row), row.content_hash, records)[0]]


def events_by_id(session: Session, event_ids: Sequence[str]) -> list[EventRow]:
    return list(session.scalars(select(EventRow).where(EventRow.id.in_(event_ids))))


def case_number_of(session: Session, case_id: str) -> str:
    return str(session.scalar(select(CaseRow.number).where(CaseRow.id == case_id)) or "")


def day_range(session: Session, since: datetime) -> tuple[int, int] | None:
    """This station's event numbers from the first recorded at or after `since` to the last one, if any."""
    first = session.scalar(
        select(func.min(EventRow.station_seq)).where(EventRow.origin == STATION_ORIGIN, EventRow.occurred_at >= since)
    )
    # Up to what the server has answered for: what a clerk records after the push is unsent, not missing.
    last = last_acknowledged_seq(session)
    if first is None or last is None or last < first:
        return None
    return int(first), int(last)


def unseen_work_orders(session: Session) -> int:
    return int(
        session.scalar(select(func.count()).select_from(WorkOrderInboxRow).where(WorkOrderInboxRow.seen_at.is_(None)))
        or 0
    )


def last_acknowledged_seq(session: Session) -> int | None:
    """The highest of this station's event numbers the server has answered for."""
    last = session.scalar(
        select(func.max(EventRow.station_seq)).where(
            EventRow.origin == STATION_ORIGIN, EventRow.acknowledged_at.is_not(None)
        )
    )
    return None if last is None else int(last)


def rejected_event_details(session: Session, event_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Event id -> (event type, case number), to tell a clerk which events the server rejected."""
    rows = session.execute(
        select(EventRow.id, EventRow.type, CaseRow.number)
        .join(CaseRow, CaseRow.id == EventRow.case_id)
        .where(EventRow.id.in_(event_ids))
    )
    return {event_id: (kind, number) for event_id, kind, number in rows}


# --- the inboxes: work orders and conflicts waiting for a person ------------------------------------------


def cases_by_id(session: Session, case_ids: Sequence[str]) -> list[CaseRow]:
    return list(session.scalars(select(CaseRow).where(CaseRow.id.in_(case_ids))))


def unseen_work_order_cases(session: Session) -> list[CaseRow]:
    return list(
        session.scalars(
            select(CaseRow)
            .join(WorkOrderInboxRow, WorkOrderInboxRow.case_id == CaseRow.id)
            .where(WorkOrderInboxRow.seen_at.is_(None))
        )
    )


def mark_work_orders_seen(session: Session, case_ids: Sequence[str], at: datetime, by: str) -> None:
    for case_id in case_ids:
        row = session.get(WorkOrderInboxRow, case_id)
        if row is not None and row.seen_at is None:
            row.seen_at, row.seen_by = at, by


def open_conflict_records(session: Session) -> list[ConflictRecordRow]:
    return list(
        session.scalars(
            select(ConflictRecordRow)
            .where(ConflictRecordRow.resolved_at.is_(None))
            .order_by(ConflictRecordRow.created_at)
        )
    )


def conflict_record(session: Session, conflict_id: str) -> ConflictRecordRow | None:
    return session.get(ConflictRecordRow, conflict_id)


def mark_conflict_resolved(session: Session, conflict_id: str, at: datetime, case_id: str, stamp: str) -> None:
    """A person settled the conflict with a new event on its case, the one with clock stamp `stamp`."""
    record = session.get(ConflictRecordRow, conflict_id)
    assert record is not None
    event_id = session.scalar(select(EventRow.id).where(EventRow.case_id == case_id, EventRow.hlc == stamp))
    record.resolved_at = at
    record.resolution_event_id = event_id or ""


# --- the record of runs -----------------------------------------------------------------------------------


def record_run(
    session: Session,
    *,
    kind: str,
    started_at: datetime,
    finished_at: datetime | None,
    ok: bool,
    summary: dict[str, Any],
    error: str,
) -> None:
    session.add(
        SyncRunRow(kind=kind, started_at=started_at, finished_at=finished_at, ok=ok, summary=summary, error=error)
    )


def last_success_at(session: Session) -> datetime | None:
    return session.scalar(select(func.max(SyncRunRow.finished_at)).where(SyncRunRow.ok.is_(True)))


def last_run(session: Session) -> SyncRunRow | None:
    return session.scalars(select(SyncRunRow).order_by(SyncRunRow.id.desc()).limit(1)).first()
