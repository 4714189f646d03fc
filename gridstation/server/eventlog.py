"""The server's event log: the one place that stores an event and writes the projection of its case.

Events pushed by stations (`ingest`), work orders and department updates (`workorder_service`) all go through
here. Storing an event also numbers it into its station's feed (the next `feed_head` of the station row the caller
has locked), so a pull sees a scope's events in commit order; the case row is the fold of the case's applied
events in the server's order, which is what decides a case's status. An applied dispatch also brings the case into
the scope of the departments it names (`scope`), in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from gridstation.domain.case import CaseState, apply
from gridstation.domain.codec import state_from_json, state_to_json
from gridstation.domain.events import Event, event_record
from gridstation.domain.sla import Colour, ColourScheme, DeadlinePolicy, band_starts, default_policy
from gridstation.server.models import FeedRow, ServerCaseRow, ServerEventRow, ServerStationRow
from gridstation.server.scope import record_dispatch


@dataclass
class PendingRows:
    """Event and feed rows of the open transaction, inserted together before it commits.

    A push stores thousands of events; building an ORM object (and a feed object) for each cost more than all
    of the checks. Anything that reads events back inside the same transaction must `write` these first.
    """

    events: list[dict[str, Any]] = field(default_factory=list)
    feed: list[dict[str, Any]] = field(default_factory=list)

    @staticmethod
    def of(session: Session) -> PendingRows:
        pending = session.info.get("pending_rows")
        if pending is None:
            pending = session.info["pending_rows"] = PendingRows()
        assert isinstance(pending, PendingRows)
        return pending

    def write(self, session: Session) -> None:
        session.flush()  # the ORM's own rows (the cases) go first, as the unit of work would order them
        # Core inserts on the tables (one executemany each), not the ORM's bulk insert: its per-row bookkeeping
        # was a fifth of a push's time (issue 18). The rows' keys are the column names.
        connection = session.connection()
        if self.events:
            connection.execute(insert(cast(Table, ServerEventRow.__table__)), self.events)
        if self.feed:
            connection.execute(insert(cast(Table, FeedRow.__table__)), self.feed)
        self.events, self.feed = [], []


@dataclass
class CaseInBatch:
    """A case's row and its state while a transaction changes it; the row is written once, by `project`."""

    row: ServerCaseRow
    state: CaseState
    changed: bool = False

    def fold(self, event: Event) -> None:
        self.state = apply(self.state, event)
        self.changed = True


def store_event(
    session: Session,
    station: ServerStationRow,
    event: Event,
    *,
    content_hash: str,
    origin: str,
    station_seq: int | None,
    applied: bool,
    received_at: datetime,
) -> None:
    """Keep an event (applied, or kept as a fact the case's state leaves out) and give it its place in the feed."""
    pending = PendingRows.of(session)
    pending.events.append(
        {
            **event_record(event),
            "station_code": station.code,  # the scope the event belongs to, whose feed serves it
            "origin": origin,
            "station_seq": station_seq,
            "content_hash": content_hash,
            "applied": applied,
            "received_at": received_at,
        }
    )
    station.feed_head += 1
    pending.feed.append({"station_code": station.code, "seq": station.feed_head, "event_id": event.id})
    if applied:
        record_dispatch(session, event)


def open_case(
    session: Session, registration: Event, state: CaseState, *, number: str, station_code: str
) -> CaseInBatch:
    """The row of a case just registered (`state` is the registration folded); its projection follows in `project`."""
    row = ServerCaseRow(
        id=registration.case_id,
        number=number,
        station_code=station_code,
        category_code=state.category_code,
        status=str(state.status),
        registered_at=state.registered_at,
        updated_at=state.registered_at,
        state={},
        version=0,
    )
    session.add(row)
    return CaseInBatch(row, state, changed=True)


def load_cases(session: Session, case_ids: set[str]) -> dict[str, CaseInBatch]:
    rows = session.scalars(select(ServerCaseRow).where(ServerCaseRow.id.in_(case_ids))).all()
    return {row.id: CaseInBatch(row, state_from_json(row.state)) for row in rows}


def project(case: CaseInBatch) -> None:
    """Write the case's state into its row: the projection the status page, Open311 and pulls read."""
    row, state = case.row, case.state
    row.state = state_to_json(state)
    row.version = state.version
    row.status = str(state.status)
    row.category_code = state.category_code
    row.updated_at = state.updated_at or row.updated_at
    fill_board_columns(row, state)
    case.changed = False


_POLICY: list[DeadlinePolicy] = []  # the district's policy in force (server/district_policy.py sets it)


def use_policy(policy: DeadlinePolicy) -> None:
    """The policy the board's deadline columns are projected with from now on, in this process."""
    _POLICY[:] = [policy]


_SCHEME = ColourScheme()  # and its colours


def fill_board_columns(row: ServerCaseRow, state: CaseState) -> None:
    """The columns the case board filters on, from the state (see `ServerCaseRow`)."""
    for name, value in board_columns(state).items():
        setattr(row, name, value)


def board_columns(state: CaseState) -> dict[str, Any]:
    """The values of the board's columns for a case in `state` (also the migration that added them fills them)."""
    if not _POLICY:
        _POLICY.append(default_policy())
    deadline = state.running_deadline(_POLICY[0])
    bands = band_starts(_SCHEME, deadline.started_at, deadline.due_at) if deadline else {}
    return {
        "grid_code": state.grid_code,
        "tier": str(state.tier),
        "channel": str(state.channel),
        "sla_started_at": deadline.started_at if deadline else None,
        "sla_due_at": deadline.due_at if deadline else None,
        "blue_at": bands.get(Colour.BLUE),
        "yellow_at": bands.get(Colour.YELLOW),
        "orange_at": bands.get(Colour.ORANGE),
        "search_text": search_text_of(state),
    }


def search_text_of(state: CaseState) -> str:
    """What the board's text search looks in, lower case: number, description, compound and building. Nothing that
    retention erases (name, phone, the address with its room: domain/retention.py), so this never needs erasing."""
    parts = (state.number, state.description, state.compound, state.building, state.work_order)
    return " ".join(p for p in parts if p).casefold()
