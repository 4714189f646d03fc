"""The station's side of sync in the database: what is unsent, what the server answered, what came down.

Every function works inside the caller's transaction, so an answer and the cursor that follows it are stored
together or not at all: a crash between two calls can only cause a harmless resend or re-pull.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from gridstation.common.crashpoints import crash_point
from gridstation.domain.case import CaseState, apply
from gridstation.domain.enums import EventType
from gridstation.domain.errors import DomainError
from gridstation.domain.events import Event
from gridstation.domain.lifecycle import check_legal
from gridstation.domain.numbering import CASE_NUMBER_PATTERN
from gridstation.domain.sla import DeadlinePolicy
from gridstation.storage import case_store, integrity, photos
from gridstation.storage.models import (
    CaseCounterRow,
    CaseRow,
    ConflictRecordRow,
    EventRow,
    WorkOrderInboxRow,
)
from gridstation.storage.settings import SettingKey, put_setting, setting

STATION_ORIGIN = "station"


@dataclass(frozen=True, slots=True)
class OutgoingEvent:
    """One of this desk's events the server has not answered for, with its number and the hash describing it.

    `changed_here`: its fields no longer give the hash stored with it, and no retention run accounts for that: the
    database was edited outside GridStation. Such an event must not be sent (the sync stops and says so).
    """

    event: Event
    station_seq: int
    content_hash: str
    changed_here: bool = False


@dataclass(frozen=True, slots=True)
class PushAnswer:
    """The server's answer for one pushed event (its id, outcome and, when refused, the code and reason)."""

    event_id: str
    outcome: str
    code: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class IncomingEvent:
    """An event of the server's feed, as this desk stores it (the sync layer reads it off the wire)."""

    event: Event
    content_hash: str
    from_a_station: bool  # a station's own event (not one the centre made)
    station_seq: int | None
    applied: bool  # the server's state includes it (else the server holds it as a conflict)


@dataclass(frozen=True, slots=True)
class FeedPosition:
    cursor: int
    epoch: int


def feed_position(session: Session) -> FeedPosition:
    return FeedPosition(int(setting(session, SettingKey.CURSOR, 0)), int(setting(session, SettingKey.EPOCH, 0)))


def save_feed_position(session: Session, position: FeedPosition) -> None:
    put_setting(session, SettingKey.CURSOR, position.cursor)
    put_setting(session, SettingKey.EPOCH, position.epoch)


# --- push -------------------------------------------------------------------------------------------------

_UNSENT = (EventRow.origin == STATION_ORIGIN, EventRow.acknowledged_at.is_(None))


def unsent_events(session: Session, limit: int) -> list[OutgoingEvent]:
    rows = session.scalars(select(EventRow).where(*_UNSENT).order_by(EventRow.station_seq).limit(limit))
    out = []
    records: dict[str, tuple[str, str]] | None = None
    for row in rows:
        event = case_store.event_from_row(row)
        if event.content_hash() == row.content_hash:
            out.append(OutgoingEvent(event, _seq(row), row.content_hash))
            continue
        if records is None:  # read only when needed: nearly always every event is as written
            records = integrity.anonymisation_records(session)
        # An event anonymised before it was ever sent goes up as it is now, with the hash of what it now says.
        changed, current = integrity.changed_here(event, row.content_hash, records)
        out.append(OutgoingEvent(event, _seq(row), row.content_hash if changed else current, changed_here=changed))
    return out


def unsent_count(session: Session) -> tuple[int, datetime | None]:
    """How many of this station's events the server has not answered for, and when the oldest happened."""
    count, oldest = session.execute(select(func.count(), func.min(EventRow.occurred_at)).where(*_UNSENT)).one()
    return int(count), oldest


def record_push_results(session: Session, answers: Sequence[PushAnswer], at: datetime) -> None:
    """Store the server's answer for each event: it is acknowledged, whatever the outcome (rejected ones are
    held in the server's quarantine; nothing is left to resend)."""
    if not answers:
        return
    session.execute(
        update(EventRow),
        [
            {
                "id": answer.event_id,
                "acknowledged_at": at,
                "sync_outcome": answer.outcome,
                "sync_code": answer.code,
                "sync_reason": answer.reason,
            }
            for answer in answers
        ],
    )


def unacknowledge_from(session: Session, station_seq: int) -> int:
    """The server lost events from `station_seq` on (it was restored from a backup): send them again."""
    result = session.execute(
        update(EventRow)
        .where(
            EventRow.origin == STATION_ORIGIN,
            EventRow.station_seq >= station_seq,
            EventRow.acknowledged_at.is_not(None),
        )
        .values(acknowledged_at=None, sync_outcome="", sync_code="", sync_reason="")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def renumber_unsent(session: Session, first: int, *, from_seq: int = 0) -> tuple[int, int]:
    """Give the unsent events numbered `from_seq` or more new numbers from `first` on, keeping their order;
    returns (count, last number).

    Needed when a station restored from a backup reused numbers the server already holds for other events, or
    lost events before they were sent.
    """
    rows = list(
        session.scalars(
            select(EventRow).where(*_UNSENT, EventRow.station_seq >= from_seq).order_by(EventRow.station_seq)
        )
    )
    # Two steps: SQLite checks uniqueness row by row, so shifting in place could collide with itself.
    for row in rows:
        row.station_seq = -_seq(row)
    session.flush()
    last = first - 1
    for row in rows:
        last += 1
        row.station_seq = last
    session.flush()
    case_store.raise_event_sequence_floor(session, last)
    return len(rows), last


# --- pull -------------------------------------------------------------------------------------------------


@dataclass
class PageOutcome:
    new_events: int = 0
    new_work_orders: list[str] = field(default_factory=list)  # case ids
    new_conflicts: list[str] = field(default_factory=list)  # conflict ids
    mismatched: list[str] = field(default_factory=list)  # event ids whose content differs from ours
    renumbered: int = 0
    max_station_seq: int = 0


def apply_page(
    session: Session,
    events: Sequence[IncomingEvent],
    states: Sequence[CaseState],
    conflicts: Sequence[Mapping[str, Any]],
    station_code: str,
    policy: DeadlinePolicy,
    at: datetime,
    *,
    replay_unsent: bool = True,
) -> PageOutcome:
    """Store one page of the feed (its events, the server's state of their cases, conflicts raised by them); the
    caller saves the cursor in the same transaction.

    `replay_unsent`: put this desk's unsent events on top of the server's state. Only right once everything the
    server holds from this desk is acknowledged here (after a complete push), since the state the server sends
    is its current one. A page is read and written in a handful of statements: an initial pull brings hundreds
    of thousands of events.
    """
    outcome = PageOutcome()
    ids = [item.event.id for item in events]
    known = _known_events(session, ids)
    states = _with_unsent_replayed(session, states, set(ids) if replay_unsent else None)
    _check_numbers_free(session, states)
    case_store.store_projections(session, states, policy)
    _check_cases_present(session, events, {state.id for state in states})
    new_rows: list[dict[str, Any]] = []
    own_numbers: list[int] = []
    confirmed: list[dict[str, Any]] = []
    halfway = len(events) // 2
    for index, item in enumerate(events):
        if index == halfway:
            crash_point("pull.mid_page")
        row = known.get(item.event.id)
        if row is not None:
            _confirm(row, item, at, outcome, confirmed)
        else:
            values = _pulled_values(item, station_code, at)
            new_rows.append(values)
            if values["station_seq"] is not None:
                own_numbers.append(values["station_seq"])
    if confirmed:
        table = cast(Table, EventRow.__table__)
        session.execute(update(table).where(table.c.id == bindparam("_id")), confirmed)
    if own_numbers:
        _keep_own_numbers(session, own_numbers, [v for v in new_rows if v["station_seq"] is not None], outcome)
    if new_rows:
        integrity.link_event_values(session, new_rows)  # in the order they are inserted, after the last stored
        session.execute(insert(cast(Table, EventRow.__table__)), new_rows)  # Core: no ORM bookkeeping per row
        outcome.new_events += len(new_rows)
    for values in new_rows:
        if values["type"] == EventType.REGISTERED and isinstance(values["payload"].get("work_order"), dict):
            session.merge(WorkOrderInboxRow(case_id=values["case_id"], received_at=at, seen_at=None, seen_by=""))
            outcome.new_work_orders.append(values["case_id"])
        elif values["type"] == EventType.PHOTO_ATTACHED and _keeps_photos(session, values["case_id"]):
            photos.queue_download(session, values["case_id"], values["payload"], at)
    for conflict in conflicts:
        if upsert_conflict(session, conflict):
            outcome.new_conflicts.append(str(conflict["id"]))
    return outcome


def _keeps_photos(session: Session, case_id: str) -> bool:
    """Not a case whose personal data retention removed (its photos are deleted here, not fetched again)."""
    return session.scalar(select(CaseRow.anonymised_at).where(CaseRow.id == case_id)) is None


def _with_unsent_replayed(session: Session, states: Sequence[CaseState], in_page: set[str] | None) -> list[CaseState]:
    """The server decides a case's state; what this desk did since (not yet sent) is replayed on top."""
    pending: dict[str, list[EventRow]] = {}
    case_ids = [state.id for state in states]
    if in_page is not None and case_ids:
        rows = session.scalars(
            select(EventRow).where(EventRow.case_id.in_(case_ids), *_UNSENT).order_by(EventRow.station_seq)
        )
        for row in rows:
            if row.id not in in_page:  # what the server has is already in its state
                pending.setdefault(row.case_id, []).append(row)
    replayed = []
    for state in states:
        for row in pending.get(state.id, []):
            event = case_store.event_from_row(row)
            try:
                check_legal(state, event.type, event.payload)
            except DomainError:
                continue  # no longer possible on the server's state; the server will answer it as a conflict
            state = apply(state, event)
        replayed.append(state)
    return replayed


def _check_numbers_free(session: Session, states: list[CaseState]) -> None:
    if not states:
        return
    owners = {state.number: state.id for state in states}
    for case_id, number in session.execute(select(CaseRow.id, CaseRow.number).where(CaseRow.number.in_(owners))):
        if owners[number] != case_id:
            # Only possible after a restore that lost the number ledger too: a new case here took a number the
            # centre already holds. Stop with the reason rather than overwrite either case.
            raise DomainError(
                "sync.case_number_clash",
                f"本机诉求编号 {number} 与城运中心已有的另一条诉求重复（本机曾从备份恢复且编号台账丢失）。"
                "同步已暂停，数据未改动，请联系管理员处理。",
            )


def _check_cases_present(session: Session, events: Sequence[IncomingEvent], sent: set[str]) -> None:
    others = {item.event.case_id for item in events} - sent
    if not others:
        return
    present = set(session.scalars(select(CaseRow.id).where(CaseRow.id.in_(others))))
    missing = others - present
    if missing:
        # The server always sends the state of a page's cases; without it the events cannot be placed. Refuse
        # the page (the cursor stays) rather than skip them for ever.
        raise DomainError(
            "sync.case_missing", f"服务器发来的事件缺少所属诉求的状态（{sorted(missing)[0]} 等），本页未保存。"
        )


@dataclass(frozen=True, slots=True)
class _Held:
    """What a page needs to know of an event this desk already holds."""

    id: str
    content_hash: str
    origin: str
    acknowledged: bool


def _known_events(session: Session, ids: Sequence[str]) -> dict[str, _Held]:
    if not ids:
        return {}
    rows = session.execute(
        select(EventRow.id, EventRow.content_hash, EventRow.origin, EventRow.acknowledged_at).where(
            EventRow.id.in_(ids)
        )
    )
    return {id_: _Held(id_, content_hash, origin, acked is not None) for id_, content_hash, origin, acked in rows}


def _confirm(
    row: _Held, item: IncomingEvent, at: datetime, outcome: PageOutcome, confirmed: list[dict[str, Any]]
) -> None:
    if row.content_hash != item.content_hash:
        outcome.mismatched.append(row.id)
        return
    if row.origin == STATION_ORIGIN and not row.acknowledged:
        # The push's answer was lost; the feed says the server holds it.
        confirmed.append(
            {"_id": row.id, "acknowledged_at": at, "sync_outcome": "applied" if item.applied else "conflict"}
        )


def _pulled_values(item: IncomingEvent, station_code: str, at: datetime) -> dict[str, Any]:
    # One of our own events this database does not have (restored from an older backup) keeps its number.
    own = item.from_a_station and item.event.station_code == station_code and item.station_seq is not None
    return case_store.event_values(
        item.event,
        station_seq=item.station_seq if own else None,
        content_hash=item.content_hash,
        origin=STATION_ORIGIN if own else "server",
        acknowledged_at=at,
        sync_outcome="applied" if item.applied else "conflict",
        sync_code="",
        sync_reason="",
    )


def _keep_own_numbers(
    session: Session, numbers: list[int], own_rows: list[dict[str, Any]], outcome: PageOutcome
) -> None:
    """Our own events came back from the server: an unsent event holding one of their numbers moves up, and
    neither their event numbers nor their case numbers are ever issued again."""
    highest = max(numbers)
    # First the floor: unsent events that must move go above every number of this page.
    case_store.raise_event_sequence_floor(session, highest)
    for seq in list(session.scalars(select(EventRow.station_seq).where(EventRow.station_seq.in_(numbers)))):
        if seq is not None:
            outcome.renumbered += _make_room(session, seq)
    outcome.max_station_seq = max(outcome.max_station_seq, highest)
    for values in own_rows:
        if values["type"] == EventType.REGISTERED:
            _keep_number_issued(session, str(values["payload"].get("number", "")))


def _make_room(session: Session, seq: int) -> int:
    holder = session.scalar(select(EventRow).where(EventRow.station_seq == seq))
    if holder is None:
        return 0
    if holder.acknowledged_at is not None:
        raise DomainError(
            "sync.sequence_clash", f"本地第 {seq} 号事件与服务器上的不同，且已被服务器确认，请联系管理员核查。"
        )
    count, _ = renumber_unsent(session, max(case_store.last_event_sequence(session), seq) + 1)
    return count


def _keep_number_issued(session: Session, number: str) -> None:
    match = CASE_NUMBER_PATTERN.match(number)
    if match is None:
        return
    day, sequence = match.group("day"), int(match.group("seq"))
    counter = session.get(CaseCounterRow, day)
    if counter is None:
        session.add(CaseCounterRow(day=day, last_sequence=sequence))
    elif counter.last_sequence < sequence:
        counter.last_sequence = sequence


# --- conflicts the server reports -------------------------------------------------------------------------


# What a conflict record holds, as the server describes it (the columns of ConflictRecordRow of the same names).
CONFLICT_FIELDS = (
    "case_id",
    "case_number",
    "field",
    "base_value",
    "station_value",
    "server_value",
    "station_event_id",
    "station_actor",
    "station_at",
    "server_actor",
    "server_at",
    "created_at",
)


def upsert_conflict(session: Session, conflict: Mapping[str, Any]) -> bool:
    """Store or refresh a conflict record (`id`, `CONFLICT_FIELDS` and `resolved_at`); True when it is new here."""
    row = session.get(ConflictRecordRow, conflict["id"])
    new = row is None
    if row is None:
        if session.get(CaseRow, conflict["case_id"]) is None:
            return False
        row = ConflictRecordRow(id=conflict["id"], resolution_event_id="")
        session.add(row)
    for name in CONFLICT_FIELDS:
        setattr(row, name, conflict[name])
    if conflict.get("resolved_at") is not None and row.resolved_at is None:
        row.resolved_at = conflict["resolved_at"]
    return new


def _seq(row: EventRow) -> int:
    if row.station_seq is None:
        raise ValueError(f"event {row.id} from this station has no sequence number")
    return row.station_seq


def events_of(session: Session, ids: Sequence[str]) -> list[Event]:
    return [case_store.event_from_row(row) for row in session.scalars(select(EventRow).where(EventRow.id.in_(ids)))]
