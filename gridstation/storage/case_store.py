"""Appending events and keeping the case projection in step, inside one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, literal_column, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnClause

from gridstation.domain.case import CaseState, apply
from gridstation.domain.codec import state_from_json, state_to_json
from gridstation.domain.events import Event, event_from_stored, event_record
from gridstation.domain.sla import DeadlinePolicy
from gridstation.domain.tasks import tasks_digest
from gridstation.storage import integrity
from gridstation.storage.models import CaseRow, EventRow, SettingRow
from gridstation.storage.settings import SettingKey

# The order events were stored here, which is the order they were folded into the projection. `station_seq`
# would not do: events from the centre have none, and wall-clock times come from clocks that may be a day off.
STORED_ORDER: ColumnClause[int] = literal_column("events.rowid")


def event_from_row(row: EventRow) -> Event:
    return event_from_stored(row)


def event_values(
    event: Event, *, station_seq: int | None, content_hash: str | None = None, **sync: Any
) -> dict[str, Any]:
    """The column values of `event`'s row (`sync` fills the sync columns: origin, acknowledged_at, outcome…);
    storage/integrity.py adds its link in the event chain."""
    return {
        **event_record(event),
        "station_seq": station_seq,
        "content_hash": content_hash or event.content_hash(),
        **sync,
    }


def load_state(session: Session, case_id: str) -> CaseState | None:
    # The state column alone, not an ORM row: appends write the projection with Core statements, and a row held
    # in the session would be stale after them.
    data = session.execute(select(CaseRow.state).where(CaseRow.id == case_id)).scalar()
    return None if data is None else state_from_json(data)


def load_events(session: Session, case_id: str) -> list[Event]:
    rows = session.scalars(select(EventRow).where(EventRow.case_id == case_id).order_by(STORED_ORDER))
    return [event_from_row(r) for r in rows]


# Text, not the dialect's insert construct: that one is compiled again on every call.
_NEXT_DAILY_SEQUENCE = text(
    "INSERT INTO case_counters (day, last_sequence) VALUES (:day, :floor + 1) "
    "ON CONFLICT (day) DO UPDATE SET last_sequence = max(last_sequence, :floor) + 1 RETURNING last_sequence"
)


def next_daily_sequence(session: Session, day: str, floor: int = 0) -> int:
    """Allocate the next case number sequence for a local date, inside the caller's transaction.

    One upsert that returns the number (the counter row is never loaded into the session: a save runs this on
    every case, and the ORM's load-modify-flush took two round trips and most of the time of the statement).
    """
    return int(session.connection().execute(_NEXT_DAILY_SEQUENCE, {"day": day, "floor": floor}).scalar_one())


def last_event_sequence(session: Session) -> int:
    """The station's last event number: the highest stored, or the floor a restored backup left if higher."""
    return _numbering_and_link(session)[0]


def _numbering_and_link(session: Session) -> tuple[int, str | None]:
    """`last_event_sequence` and the event chain's last link (None: no event yet), in one round trip."""
    session.flush()  # a floor or events added through the ORM in this transaction count
    max_seq, floor, last_link = (
        session.connection().execute(_NUMBERING_AND_LINK, {"floor_key": str(SettingKey.EVENT_SEQUENCE_FLOOR)}).one()
    )
    return max(max_seq or 0, int(floor) if floor else 0), last_link


def raise_event_sequence_floor(session: Session, floor: int) -> None:
    row = session.get(SettingRow, SettingKey.EVENT_SEQUENCE_FLOOR)
    if row is None:
        session.add(SettingRow(key=SettingKey.EVENT_SEQUENCE_FLOOR, value=floor))
    elif int(row.value) < floor:
        row.value = floor


# What an append needs to know before it writes, in one round trip: the station's last event number, the floor a
# restored backup left for it (a JSON number in the settings table), and the last link of the event chain.
_NUMBERING_AND_LINK = text(
    "SELECT (SELECT max(station_seq) FROM events), "
    "(SELECT value FROM settings WHERE key = :floor_key), "
    f"({integrity.LAST_LINK_QUERY})"
)

# Built once: a save runs each of them (building a statement costs as much as running it).
_INSERT_CASE = insert(CaseRow)
_UPDATE_CASE = update(CaseRow).where(CaseRow.id == bindparam("case_id"))
_INSERT_EVENT = insert(EventRow)


def append_events(
    session: Session, events: Sequence[Event], policy: DeadlinePolicy, *, new_case: bool = False
) -> tuple[CaseState, int]:
    """Store `events` (all for one case) and update the projection; the caller commits once.

    `new_case` says the case is being registered by these events, so there is no projection to read. The writes
    are Core statements on the session's connection (about half the cost of ORM rows on the intake save,
    benchmarks/README.md section 2). Returns the new state and the station sequence number given to the last event.
    """
    if not events:
        raise ValueError("nothing to append")
    case_id = events[0].case_id
    session.flush()  # what the caller added through the ORM goes first (audit entries, a counter)
    before = None if new_case else load_state(session, case_id)
    state = before
    for event in events:
        if event.case_id != case_id:
            raise ValueError("events for more than one case in one append")
        state = apply(state, event)
    assert state is not None
    connection = session.connection()
    # The projection row goes first: events reference it.
    if before is None:
        connection.execute(_INSERT_CASE, {"id": state.id, **projection_values(state, policy)})
    else:
        connection.execute(_UPDATE_CASE, {"case_id": state.id, **projection_values(state, policy)})
    seq, last_link = _numbering_and_link(session)
    rows = []
    for event in events:
        seq += 1
        rows.append(event_values(event, station_seq=seq))
    # Each event is linked to the one stored before it, in this same transaction (the chain of docs/security.md).
    integrity.link_rows(last_link, rows)
    connection.execute(_INSERT_EVENT, rows)
    return state, seq


def write_projection(session: Session, state: CaseState, policy: DeadlinePolicy) -> CaseRow:
    return write_projections(session, [state], policy)[0]


def write_projections(session: Session, states: Sequence[CaseState], policy: DeadlinePolicy) -> list[CaseRow]:
    """Store the projections of `states` (inserting new cases), flushed so events can reference them."""
    ids = [state.id for state in states]
    existing = {row.id: row for row in session.scalars(select(CaseRow).where(CaseRow.id.in_(ids)))} if ids else {}
    rows = []
    for state in states:
        row = existing.get(state.id)
        if row is None:
            row = existing[state.id] = CaseRow(id=state.id)
            session.add(row)
        for name, value in projection_values(state, policy).items():
            setattr(row, name, value)
        rows.append(row)
    session.flush(rows)
    return rows


def store_projections(session: Session, states: Sequence[CaseState], policy: DeadlinePolicy) -> None:
    """`write_projections` in two Core statements (an insert of the new cases, an update of the others) without ORM
    rows: a pull page brings up to a thousand cases, and building an ORM row for each cost more than the SQL.
    The session must not hold the cases' ORM rows with changes of its own (they would be written over)."""
    if not states:
        return
    table = cast(Table, CaseRow.__table__)
    ids = [state.id for state in states]
    existing = set(session.scalars(select(CaseRow.id).where(CaseRow.id.in_(ids))))
    new = [{"id": state.id, **projection_values(state, policy)} for state in states if state.id not in existing]
    changed = [{"_id": state.id, **projection_values(state, policy)} for state in states if state.id in existing]
    if new:
        session.execute(insert(table), new)
    if changed:
        session.execute(update(table).where(table.c.id == bindparam("_id")), changed)


def projection_values(state: CaseState, policy: DeadlinePolicy) -> dict[str, Any]:
    """The column values of the case's projection row (all but its id and `anonymised_at`)."""
    deadline = state.running_deadline(policy)
    return {
        "number": state.number,
        "station_code": state.station_code,
        "channel": str(state.channel),
        "category_code": state.category_code,
        "description": state.description,
        "tier": str(state.tier),
        "status": str(state.status),
        "compound": state.compound,
        "building": state.building,
        "address": state.address,
        "grid_code": state.grid_code,
        "complainant_name": state.complainant_name,
        "phone": state.phone,
        "anonymous": state.anonymous,
        "assignee": state.assignee,
        "departments": tasks_digest(state.tasks),
        "owner": state.owner,
        "repeat_of": state.repeat_of,
        "answer": state.answer,
        "registered_at": state.registered_at,
        "registered_by": state.registered_by,
        "first_contact_at": state.first_contact_at,
        "closed_at": state.closed_at,
        "satisfaction": str(state.satisfaction or ""),
        "reopen_count": state.reopen_count,
        "sla_stage": str(deadline.stage) if deadline else "",
        "sla_started_at": deadline.started_at if deadline else None,
        "sla_due_at": deadline.due_at if deadline else None,
        "work_order": state.work_order,
        "due_at": state.due_at,
        # Listed first only while open: a closed urgent work order is history like any other case.
        "urgent": state.urgent and state.is_open,
        "state": state_to_json(state),
        "version": state.version,
        "last_hlc": state.last_hlc,
        "updated_at": state.updated_at or state.registered_at,
    }
