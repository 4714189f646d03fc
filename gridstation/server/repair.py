"""Repairing what an older server stored and the sync cannot carry: `gridstation-server repair`.

Before the server refused control characters, one NUL typed into an Open311 form, `workorder add` or a 12345 export
was stored with its case, and from then on the feed could not serve it (feed.py now withholds such rows and serves
the rest). The repair finds every row of a station's scope (or of all stations) that the wire cannot carry: events,
case states and conflicts. It removes the control characters from the centre's own events (their content hash is
the server's to compute: no station holds them, since no pull could ever serve them), folds each touched case again
from its events, records every change in the audit log, and moves the case's events to the head of the station's
feed, so that the station receives them on its next sync.

Events a station pushed are never rewritten: the station keeps them with their content hash, and a changed copy
would come back as "content differs" at the desk and break its day receipt. They (and anything that stays
unservable after cleaning, such as a time outside the years the sync carries) are reported for a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gridstation.domain.case import CaseState, apply
from gridstation.domain.codec import state_to_json
from gridstation.domain.errors import DomainError
from gridstation.domain.events import EVENT_FIELDS, Event, event_from_record, event_from_stored
from gridstation.domain.validation import FORBIDDEN_CHARACTERS, code_point, without_forbidden_characters
from gridstation.protocol import CaseSnapshot, WireEvent
from gridstation.server.core import ServerCore
from gridstation.server.eventlog import CaseInBatch, project
from gridstation.server.feed import UNSERVABLE, WITHHELD, conflict_out, unservable_reason, wire_event
from gridstation.server.ingest import shown_at
from gridstation.server.models import (
    ConflictRow,
    FeedRow,
    QuarantineRow,
    ServerCaseRow,
    ServerEventRow,
    ServerStationRow,
)

REPAIR_ACTOR = "gridstation-server repair"
_SCAN_BATCH = 500


@dataclass(frozen=True, slots=True)
class CleanedEvent:
    """An event of the centre whose control characters were removed: which, from which fields."""

    event_id: str
    case_number: str
    event_type: str
    removed: dict[str, list[str]]  # field → the code points removed ("U+0000"), in order
    old_hash: str
    new_hash: str


@dataclass(frozen=True, slots=True)
class Unrepairable:
    """A row the repair leaves as it is, and why: a person decides."""

    what: str
    reason: str


@dataclass
class RepairReport:
    stations: list[str]
    dry_run: bool
    cleaned: list[CleanedEvent] = field(default_factory=list)
    reprojected: list[str] = field(default_factory=list)  # case numbers folded again
    refed: int = 0  # events put back at the head of their station's feed
    unrepairable: list[Unrepairable] = field(default_factory=list)

    @property
    def found_nothing(self) -> bool:
        return not (self.cleaned or self.reprojected or self.unrepairable)


@dataclass
class _Scope:
    """What one station's scan found, and what the repair decided for each case."""

    code: str
    broken_events: list[ServerEventRow] = field(default_factory=list)
    cases: set[str] = field(default_factory=set)  # ids of the cases to fold again and feed again
    given_up: set[str] = field(default_factory=set)  # ids of cases left as they are
    cleaned: dict[str, Event] = field(default_factory=dict)  # event id → its cleaned form


class Repair(ServerCore):
    def repair(self, *, station: str | None = None, dry_run: bool = False) -> RepairReport:
        """Find and repair what the feed cannot serve, in one station's scope or in all; `dry_run` changes nothing."""
        codes = self._scope_codes(station)
        report = RepairReport(stations=codes, dry_run=dry_run)
        for code in codes:
            if dry_run:
                with self.reading() as session:
                    self._repair_scope(session, None, code, report)
            else:
                with self.writing() as session:
                    self._repair_scope(session, self._lock_station(session, code), code, report)
        if not dry_run and not report.found_nothing:
            with self.writing() as session:
                self._audit(
                    session,
                    REPAIR_ACTOR,
                    "repair.run",
                    stations=codes,
                    events_cleaned=len(report.cleaned),
                    cases_reprojected=len(report.reprojected),
                    events_refed=report.refed,
                    unrepairable=[(u.what, u.reason) for u in report.unrepairable],
                )
        return report

    def _scope_codes(self, station: str | None) -> list[str]:
        with self.reading() as session:
            if station is None:
                return list(session.scalars(select(ServerStationRow.code).order_by(ServerStationRow.code)))
            code = station.strip().upper()
            if session.get(ServerStationRow, code) is None:
                raise DomainError("station.unknown", f"找不到工作站 {code}。")
            return [code]

    def _repair_scope(
        self, session: Session, station: ServerStationRow | None, code: str, report: RepairReport
    ) -> None:
        """`station` is the locked row when writing, None for a dry run."""
        scope = self._scan(session, code)
        numbers = dict(
            session.execute(select(ServerCaseRow.id, ServerCaseRow.number).where(ServerCaseRow.station_code == code))
            .tuples()
            .all()
        )
        for row in scope.broken_events:
            self._clean_event(session, row, scope, numbers, report, write=station is not None)
        for case_id in sorted(scope.cases - scope.given_up, key=lambda i: numbers.get(i, i)):
            self._refold_and_feed(session, station, scope, case_id, numbers.get(case_id, case_id), report)

    def _scan(self, session: Session, code: str) -> _Scope:
        """Every row of the scope the wire cannot carry: events, case states, conflicts."""
        scope = _Scope(code)
        events = session.scalars(
            select(ServerEventRow).where(ServerEventRow.station_code == code).execution_options(yield_per=_SCAN_BATCH)
        )
        for row in events:
            try:
                wire_event(row)
            except UNSERVABLE:
                scope.broken_events.append(row)
                scope.cases.add(row.case_id)
        for case in session.scalars(select(ServerCaseRow).where(ServerCaseRow.station_code == code)):
            try:
                CaseSnapshot(case_id=case.id, number=case.number, version=case.version, state=case.state)
            except UNSERVABLE:
                scope.cases.add(case.id)
        for conflict in session.scalars(select(ConflictRow).where(ConflictRow.station_code == code)):
            try:
                conflict_out(conflict, "", ("", conflict.created_at, "", None))
            except UNSERVABLE:
                scope.cases.add(conflict.case_id)
        return scope

    def _clean_event(
        self,
        session: Session,
        row: ServerEventRow,
        scope: _Scope,
        numbers: dict[str, str],
        report: RepairReport,
        *,
        write: bool,
    ) -> None:
        number = numbers.get(row.case_id, row.case_id)
        what = f"诉求 {number} 的事件 {row.id}"
        if row.origin == "station":
            scope.given_up.add(row.case_id)
            report.unrepairable.append(
                Unrepairable(
                    what,
                    "这是工作站上传的事件：工作站保存着原件和校验值，服务器不能改写。请与工作站核对后处理"
                    "（该事件仍暂扣，其余数据照常同步）。",
                )
            )
            return
        removed: dict[str, list[str]] = {}
        values = {name: getattr(row, name) for name in EVENT_FIELDS}
        values["payload"] = _cleaned(row.payload, "", removed)
        values["actor_name"] = _cleaned(row.actor_name, "actor_name", removed)
        values["actor_id"] = _cleaned(row.actor_id, "actor_id", removed)
        try:
            event = event_from_record(values)
            new_hash = event.content_hash()
            WireEvent.of(event, new_hash)
        except UNSERVABLE as err:
            scope.given_up.add(row.case_id)
            report.unrepairable.append(Unrepairable(what, f"去除控制字符后仍{unservable_reason(err)}，需人工处理。"))
            return
        scope.cleaned[row.id] = event
        cleaned = CleanedEvent(row.id, number, row.type, removed, row.content_hash, new_hash)
        report.cleaned.append(cleaned)
        if write:
            self._audit(
                session,
                REPAIR_ACTOR,
                "repair.event_cleaned",
                station=scope.code,
                event_id=row.id,
                case_number=number,
                event_type=row.type,
                removed=removed,
                old_hash=row.content_hash,
                new_hash=new_hash,
            )
            row.payload, row.actor_name, row.actor_id = event.payload, event.actor_name, event.actor_id
            row.content_hash = new_hash

    def _refold_and_feed(
        self,
        session: Session,
        station: ServerStationRow | None,
        scope: _Scope,
        case_id: str,
        number: str,
        report: RepairReport,
    ) -> None:
        """Fold the case again from its (cleaned) events, then move its events to the head of the station's feed."""
        rows = list(session.scalars(select(ServerEventRow).where(ServerEventRow.case_id == case_id)))
        positions = dict(
            session.execute(
                select(FeedRow.event_id, func.min(FeedRow.seq))
                .where(FeedRow.station_code == scope.code, FeedRow.event_id.in_([r.id for r in rows]))
                .group_by(FeedRow.event_id)
            )
            .tuples()
            .all()
        )
        rows.sort(key=lambda r: positions.get(r.id, 0))  # the server's order: the order it stored them in
        case = session.get(ServerCaseRow, case_id)
        state: CaseState | None = None
        try:
            for row in rows:
                if row.applied:
                    event = scope.cleaned.get(row.id) or event_from_stored(row)
                    state = apply(state, shown_at(event, row.received_at))
            if case is None or state is None:
                raise KeyError(case_id)
            CaseSnapshot(case_id=case_id, number=case.number, version=state.version, state=state_to_json(state))
        except (*UNSERVABLE, DomainError) as err:
            report.unrepairable.append(
                Unrepairable(f"诉求 {number}", f"按事件重新计算后，状态仍{unservable_reason(err)}，需人工处理。")
            )
            return
        conflicts = list(session.scalars(select(ConflictRow).where(ConflictRow.case_id == case_id)))
        report.reprojected.append(number)
        report.refed += len(rows)
        if station is None:
            return
        batch = CaseInBatch(case, state, changed=True)
        project(batch)
        case.registered_at = state.registered_at  # the fold's, which shows a future time as the time received
        for conflict in conflicts:
            removed: dict[str, list[str]] = {}
            conflict.base_value = _cleaned(conflict.base_value, "base_value", removed)
            conflict.station_value = _cleaned(conflict.station_value, "station_value", removed)
            conflict.server_value = _cleaned(conflict.server_value, "server_value", removed)
        ids = [r.id for r in rows]
        session.execute(delete(FeedRow).where(FeedRow.station_code == scope.code, FeedRow.event_id.in_(ids)))
        for row in rows:
            station.feed_head += 1
            session.add(FeedRow(station_code=scope.code, seq=station.feed_head, event_id=row.id))
        session.execute(
            delete(QuarantineRow).where(
                QuarantineRow.station_code == scope.code,
                QuarantineRow.code == WITHHELD,
                QuarantineRow.event_id.in_(ids),
            )
        )
        self._audit(
            session,
            REPAIR_ACTOR,
            "repair.case_refed",
            station=scope.code,
            case_id=case_id,
            case_number=number,
            events_refed=len(rows),
            feed_head=station.feed_head,
        )


def _cleaned(value: Any, path: str, removed: dict[str, list[str]]) -> Any:
    """`value` with the forbidden characters removed from every string in it (keys too); `removed` says where."""
    if isinstance(value, str):
        found = FORBIDDEN_CHARACTERS.findall(value)
        if not found:
            return value
        removed.setdefault(path or "payload", []).extend(code_point(c) for c in found)
        return without_forbidden_characters(value)
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            clean_key = _cleaned(key, f"{path}（字段名）", removed)
            out[clean_key] = _cleaned(item, f"{path}.{clean_key}" if path else clean_key, removed)
        return out
    if isinstance(value, list):
        return [_cleaned(item, f"{path}[{i}]", removed) for i, item in enumerate(value)]
    return value
