"""Ingest: the events a station pushes, checked one by one against the server's copy of each case.

The rules of a case are the domain's (`gridstation.domain.case`), the same code the stations run; the server
applies them in its own commit order, which is what decides a case's status. A pushed event is applied, kept as
a conflict (a fact the server's state leaves out: values edited on both sides, a status the server has moved
past), or refused into quarantine; only what no single event can answer (identity, scope, corruption, gaps in the
station's numbering) refuses the whole batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gridstation.domain.case import CaseState, Intake, IntakeInvalid, apply
from gridstation.domain.enums import EventType
from gridstation.domain.errors import DomainError, IllegalTransition, ValidationError
from gridstation.domain.events import Event, new_id
from gridstation.domain.lifecycle import check_legal
from gridstation.domain.numbering import CASE_NUMBER_PATTERN, is_valid_case_number
from gridstation.domain.payloads import CENTRE_ONLY_EVENTS, CENTRE_ONLY_FIELDS, check_payload
from gridstation.domain.validation import MAX_CLOCK_AHEAD, check_characters
from gridstation.protocol import EventResult, Outcome, PushedEvent, PushRequest, PushResponse
from gridstation.server.core import ServerCore
from gridstation.server.errors import ServerError
from gridstation.server.eventlog import CaseInBatch, PendingRows, load_cases, open_case, project, store_event
from gridstation.server.models import ConflictRow, QuarantineRow, ServerCaseRow, ServerEventRow, ServerStationRow

# Corrections of the same value on both sides are not a disagreement; these codes say "already so".
UNCHANGED_CODES = frozenset({"correction.unchanged", "tier.unchanged", "conference.unchanged"})
# Only the centre writes these; a station's event carrying one is forged (a 12345 ticket, a department's report).
FORGED_CODES = {
    "work_order": "workorder.forged",
    "department": "department.forged",
    "lead": "dispatch.forged",
    "tasks": "dispatch.forged",
}
_FORGED_DISPATCH = "向部门派单（牵头、协办）只由城运中心记录：工作站上传的派单不能带承办部门，已隔离待查。"
FORGED_REASONS = {
    "work_order": "只有城运中心能派发工单（12345、信访、码上就来）：工作站上传的登记不能带工单信息，已隔离待查。",
    "department": "部门上报只由城运中心记录：工作站上传的事件不能带上报部门，已隔离待查。",
    "lead": _FORGED_DISPATCH,
    "tasks": _FORGED_DISPATCH,
}
FORGED_EVENT_REASON = "撤回派单、部门反馈、网格长牵头和联勤联动只由城运中心的系统记录，工作站不能上传，已隔离待查。"
# An applied event whose time lay too far ahead of the server's clock (see `shown_at`): the desk is told why.
CLOCK_AHEAD = "clock.ahead"


class Ingest(ServerCore):
    def push(self, station_code: str, request: PushRequest) -> PushResponse:
        events = sorted(request.events, key=lambda e: e.station_seq)
        self._check_batch(station_code, events)
        with self.writing() as session:
            station = self._lock_station(session, station_code)
            ids = [e.id for e in events]
            existing = {
                row.id: row for row in session.scalars(select(ServerEventRow).where(ServerEventRow.id.in_(ids)))
            }
            quarantined = {
                (row.event_id, row.content_hash): row
                for row in session.scalars(select(QuarantineRow).where(QuarantineRow.event_id.in_(ids)))
            }
            cases = load_cases(session, {e.case_id for e in events})
            numbers_taken = self._numbers_taken(session, events)
            results: list[EventResult] = []
            expected = station.pushed_seq + 1
            for wire in events:
                known = existing.get(wire.id)
                again = quarantined.get((wire.id, wire.content_hash))
                if wire.station_seq < expected:
                    if known is None and again is None:
                        raise ServerError(
                            409,
                            "sequence.reused",
                            f"工作站的事件序号 {wire.station_seq} 已被另一条事件使用（工作站可能从备份恢复过）。"
                            "请先完整拉取，再重新编号未上传的事件。",
                            expected_seq=station.pushed_seq + 1,
                        )
                elif wire.station_seq != expected:
                    raise ServerError(
                        409,
                        "sequence.gap",
                        f"事件序号不连续：应从 {expected} 开始，收到 {wire.station_seq}。请从 {expected} 起重新上传。",
                        expected_seq=expected,
                    )
                consumes = wire.station_seq >= expected
                if known is not None:
                    result = self._repeat(session, station_code, wire, known, consumes)
                elif again is not None:
                    result = EventResult(
                        id=wire.id,
                        station_seq=wire.station_seq,
                        outcome="rejected",
                        code=again.code,
                        reason=again.reason,
                    )
                else:
                    result = self._ingest(session, station, wire, cases, numbers_taken)
                if consumes:
                    expected += 1
                results.append(result)
            station.pushed_seq = expected - 1
            station.last_seen_at = self.now()
            ahead = [r for r in results if r.code == CLOCK_AHEAD]
            if ahead:
                self._audit(session, station_code, "push.clock_ahead", events=len(ahead), first_event_id=ahead[0].id)
            for case in cases.values():
                if case.changed:
                    project(case)
            self.faults.before_commit(station_code)
            return PushResponse(epoch=station.epoch, acknowledged_seq=station.pushed_seq, results=results)

    def _check_batch(self, station_code: str, events: Sequence[PushedEvent]) -> None:
        """Refuse the whole batch for what no single event can answer: identity, scope, corruption."""
        seqs = [e.station_seq for e in events]
        if len(set(seqs)) != len(seqs):
            raise ServerError(400, "push.duplicate_seq", "同一批事件中有重复的序号。")
        if len({e.id for e in events}) != len(events):
            raise ServerError(400, "push.duplicate_id", "同一批事件中有重复的事件编号。")
        for event in events:
            if event.station_code != station_code:
                raise ServerError(
                    403,
                    "scope.foreign_station",
                    f"事件 {event.id} 属于工作站 {event.station_code}，本工作站（{station_code}）不能上传。",
                    event_id=event.id,
                )
            if not event.hash_matches():
                raise ServerError(
                    400,
                    "event.hash_mismatch",
                    f"事件 {event.id} 的内容与校验值不符（传输中损坏？），整批未接收，请重试。",
                    event_id=event.id,
                )

    @staticmethod
    def _numbers_taken(session: Session, events: Sequence[PushedEvent]) -> set[str]:
        """The case numbers the batch's registrations would claim that are already in use, in one query.

        Looking each one up as it comes would flush the session per registration (autoflush), which cost
        more than everything else in a push.
        """
        numbers = {str(e.payload.get("number", "")) for e in events if e.type is EventType.REGISTERED}
        if not numbers:
            return set()
        return set(session.scalars(select(ServerCaseRow.number).where(ServerCaseRow.number.in_(numbers))))

    def _repeat(
        self, session: Session, station_code: str, wire: PushedEvent, known: ServerEventRow, consumes: bool
    ) -> EventResult:
        if known.content_hash == wire.content_hash:
            return _result(wire, "duplicate", "event.duplicate")
        reason = f"事件编号 {wire.id} 已用于另一条内容不同的事件；已保存的事件不会被覆盖，本条已隔离待查。"
        self._quarantine(session, station_code, wire, "event.id_reused", reason, consumes)
        self._audit(session, station_code, "push.id_reused", event_id=wire.id, station_seq=wire.station_seq)
        return EventResult(
            id=wire.id, station_seq=wire.station_seq, outcome="rejected", code="event.id_reused", reason=reason
        )

    def _quarantine(
        self, session: Session, station_code: str, wire: PushedEvent, code: str, reason: str, consumes: bool
    ) -> None:
        session.add(
            QuarantineRow(
                station_code=station_code,
                station_seq=wire.station_seq if consumes else None,
                event_id=wire.id,
                content_hash=wire.content_hash,
                body=wire.model_dump(mode="json"),
                code=code,
                reason=reason,
                received_at=self.now(),
            )
        )

    def _reject(self, session: Session, station_code: str, wire: PushedEvent, code: str, reason: str) -> EventResult:
        self._quarantine(session, station_code, wire, code, reason, True)
        return EventResult(id=wire.id, station_seq=wire.station_seq, outcome="rejected", code=code, reason=reason)

    def _ingest(
        self,
        session: Session,
        station: ServerStationRow,
        wire: PushedEvent,
        cases: dict[str, CaseInBatch],
        numbers_taken: set[str],
    ) -> EventResult:
        event = wire.to_event()
        refusal = event_refusal(event)
        if refusal is not None:
            return self._reject(session, station.code, wire, *refusal)
        if event.type is EventType.REGISTERED:
            return self._ingest_registration(session, station, wire, event, cases, numbers_taken)
        batch_case = cases.get(event.case_id)
        if batch_case is None:
            return self._reject(
                session, station.code, wire, "case.unknown", f"服务器上没有该事件所属的诉求 {event.case_id}。"
            )
        if batch_case.row.station_code != station.code:
            raise ServerError(
                403,
                "scope.foreign_case",
                f"诉求 {batch_case.row.number} 不属于本工作站，不能上传它的事件。",
                case_number=batch_case.row.number,
            )
        state = batch_case.state
        field_conflict = self._field_conflict(state, event)
        if field_conflict is not None:
            name, base, station_value, server_value = field_conflict
            if station_value == server_value:
                return self._keep_unapplied(
                    session, station, wire, "value.same_on_server", "服务器上已是同样的值，无需再改。", None
                )
            conflict_id = self._raise_conflict(session, station.code, state, event, name, base, station_value)
            return self._keep_unapplied(
                session,
                station,
                wire,
                "value.edited_on_both_sides",
                f"「{name}」在城运中心也被修改过，两边的值都已保留，待人工确认。",
                conflict_id,
            )
        try:
            check_legal(state, event.type, event.payload)
        except IllegalTransition as err:
            return self._keep_unapplied(
                session, station, wire, "status.server_decides", f"{err.message_zh}（状态以城运中心为准）", None
            )
        except ValidationError as err:
            if err.code in UNCHANGED_CODES:
                return self._keep_unapplied(session, station, wire, "value.same_on_server", err.message_zh, None)
            return self._reject(session, station.code, wire, err.code, err.message_zh)
        except (DomainError, KeyError, TypeError, ValueError) as err:
            return self._reject(session, station.code, wire, "event.invalid", f"事件内容不完整或格式有误：{err}")
        self._store_pushed(session, station, wire, event, applied=True)
        shown = shown_at(event, self.now())
        batch_case.fold(shown)
        self._resolve_conflict_if_named(session, event, station.code)
        return self._applied(wire, event, shown)

    def _ingest_registration(
        self,
        session: Session,
        station: ServerStationRow,
        wire: PushedEvent,
        event: Event,
        cases: dict[str, CaseInBatch],
        numbers_taken: set[str],
    ) -> EventResult:
        if event.case_id in cases:
            return self._reject(session, station.code, wire, "case.already_registered", "该诉求已在服务器上登记。")
        number = str(event.payload.get("number", ""))
        match = CASE_NUMBER_PATTERN.match(number)
        if match is None or match.group("station") != station.code or not is_valid_case_number(number):
            return self._reject(session, station.code, wire, "case.number_invalid", f"诉求编号「{number}」不合规。")
        if number in numbers_taken:
            return self._reject(
                session, station.code, wire, "case.number_taken", f"诉求编号 {number} 已被另一条诉求使用。"
            )
        problem = intake_problem(event.payload)
        if problem is not None:
            return self._reject(session, station.code, wire, *problem)
        shown = shown_at(event, self.now())
        try:
            state = apply(None, shown)
        except (DomainError, KeyError, ValueError, TypeError) as err:
            return self._reject(session, station.code, wire, "event.invalid", f"登记事件格式有误：{err}")
        cases[event.case_id] = open_case(session, event, state, number=number, station_code=station.code)
        numbers_taken.add(number)
        self._store_pushed(session, station, wire, event, applied=True)
        return self._applied(wire, event, shown)

    @staticmethod
    def _applied(wire: PushedEvent, event: Event, shown: Event) -> EventResult:
        if shown is event:
            return _result(wire, "applied")
        hours = round((event.occurred_at - shown.occurred_at).total_seconds() / 3600)
        ahead = f"{hours} 小时" if hours < 72 else f"{round(hours / 24)} 天"
        return EventResult(
            id=wire.id,
            station_seq=wire.station_seq,
            outcome="applied",
            code=CLOCK_AHEAD,
            reason=f"本机时钟比城运中心快约 {ahead}：该事件按城运中心收到的时间显示和排序，"
            "记录的时间保留在事件中。请校准本机日期和时间。",
        )

    @staticmethod
    def _field_conflict(state: CaseState, event: Event) -> tuple[str, Any, Any, Any] | None:
        """(field, base, station's value, server's value) when the station edited a value the server has changed."""
        p = event.payload
        if event.type is EventType.INTAKE_CORRECTED and "field" in p and hasattr(state, str(p["field"])):
            current = getattr(state, str(p["field"]))
            if "old" in p and p["old"] != current:
                return str(p["field"]), p["old"], p.get("value"), current
        if event.type is EventType.TIER_CHANGED and "from" in p and p["from"] != str(state.tier):
            return "tier", p["from"], p.get("to"), str(state.tier)
        return None

    def _raise_conflict(
        self, session: Session, station_code: str, state: CaseState, event: Event, name: str, base: Any, value: Any
    ) -> str:
        PendingRows.of(session).write(session)
        server_event = session.scalars(
            select(ServerEventRow)
            .where(
                ServerEventRow.case_id == state.id,
                ServerEventRow.applied.is_(True),
                ServerEventRow.type.in_([str(EventType.INTAKE_CORRECTED), str(EventType.TIER_CHANGED)]),
            )
            .order_by(ServerEventRow.received_at.desc())
            .limit(1)
        ).first()
        conflict_id = new_id()
        session.add(
            ConflictRow(
                id=conflict_id,
                case_id=state.id,
                station_code=station_code,
                field=name,
                base_value=base,
                station_value=value,
                server_value=getattr(state, name) if name != "tier" else str(state.tier),
                station_event_id=event.id,
                server_event_id=server_event.id if server_event else "",
                created_at=self.now(),
            )
        )
        return conflict_id

    def _keep_unapplied(
        self,
        session: Session,
        station: ServerStationRow,
        wire: PushedEvent,
        code: str,
        reason: str,
        conflict_id: str | None,
    ) -> EventResult:
        """The event is a fact and is kept (and sent back down), but the server's state does not include it."""
        self._store_pushed(session, station, wire, wire.to_event(), applied=False)
        return EventResult(
            id=wire.id,
            station_seq=wire.station_seq,
            outcome="conflict",
            code=code,
            reason=reason,
            conflict_id=conflict_id,
        )

    def _resolve_conflict_if_named(self, session: Session, event: Event, station_code: str) -> None:
        conflict_id = event.payload.get("resolves_conflict")
        if not isinstance(conflict_id, str):
            return
        session.execute(
            update(ConflictRow)
            .where(
                ConflictRow.id == conflict_id,
                ConflictRow.case_id == event.case_id,
                ConflictRow.station_code == station_code,
                ConflictRow.resolved_at.is_(None),
            )
            .values(resolved_at=self.now(), resolved_by=event.actor_name, resolution_event_id=event.id)
        )

    def _store_pushed(
        self, session: Session, station: ServerStationRow, wire: PushedEvent, event: Event, *, applied: bool
    ) -> None:
        store_event(
            session,
            station,
            event,
            content_hash=wire.content_hash,
            origin="station",
            station_seq=wire.station_seq,
            applied=applied,
            received_at=self.now(),
        )


def _result(wire: PushedEvent, outcome: Outcome, code: str = "") -> EventResult:
    """The answer for an event applied or repeated, with no text of its own: its id and number were validated as
    part of the request, so the model is built without checking them again (per event, the check of a fresh
    model cost more than storing the event)."""
    return EventResult.model_construct(id=wire.id, station_seq=wire.station_seq, outcome=outcome, code=code)


def intake_problem(payload: dict[str, Any]) -> tuple[str, str] | None:
    """The domain's intake rules applied to a registration payload: None when it is acceptable, else (code, reason)."""
    try:
        Intake.of_registration(payload)
    except IntakeInvalid as err:
        return "intake.invalid", err.message_zh
    except ValidationError as err:
        return err.code, err.message_zh
    return None


def event_refusal(event: Event) -> tuple[str, str] | None:
    """Why a station's event cannot be taken whatever the state of its case, as (code, reason); None if it can.

    Its payload must have the typed shape of its type (the domain's table, the same the desk checks before storing),
    no text of it may hold control characters, and no station may send what only the centre writes.
    """
    if event.type in CENTRE_ONLY_EVENTS:
        return "event.centre_only", FORGED_EVENT_REASON
    forged = sorted(CENTRE_ONLY_FIELDS & event.payload.keys())
    if forged:
        return FORGED_CODES[forged[0]], FORGED_REASONS[forged[0]]
    try:
        check_characters(event.actor_name, field="actor_name", label="经办人姓名")
        check_characters(event.actor_id, field="actor_id", label="经办人编号")
        check_payload(event.type, event.payload, stored=True)
    except ValidationError as err:
        return err.code, err.message_zh
    return None


def shown_at(event: Event, received_at: datetime) -> Event:
    """The event as the server folds it into its case: a time further ahead of the server's clock than the sync's
    clock-skew rule allows (`MAX_CLOCK_AHEAD`) is a wrong clock, and the case shows and orders the event by the time
    the server received it. Only the fold sees this copy; the event stored and sent on keeps the station's time (and
    its content hash)."""
    if event.occurred_at - received_at > MAX_CLOCK_AHEAD:
        return replace(event, occurred_at=received_at)
    return event
