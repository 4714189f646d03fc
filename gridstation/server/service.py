"""ServerService: everything the API and the admin CLI do with the server's data goes through here.

The rules of a case are the domain's (`gridstation.domain.case`), the same code the stations run; the server
applies them in its own commit order, which is what decides a case's status.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from gridstation.assets import RESOURCES
from gridstation.domain.case import (
    FINISHED,
    CaseState,
    Intake,
    IntakeInvalid,
    apply,
    check_legal,
)
from gridstation.domain.clock import HlcStamp, HybridLogicalClock
from gridstation.domain.codec import state_from_json, state_to_json
from gridstation.domain.enums import STATUS_LABELS, Channel, EventType, Status, Tier
from gridstation.domain.errors import DomainError, IllegalTransition, ValidationError
from gridstation.domain.events import Event, event_from_stored, new_id
from gridstation.domain.numbering import CASE_NUMBER_PATTERN, is_valid_case_number, validate_station_code
from gridstation.domain.reference import parse_categories
from gridstation.protocol import (
    MAX_PULL_PAGE,
    CaseSnapshot,
    ConflictOut,
    DayReceipt,
    DayReceiptRequest,
    EnrolResponse,
    EventResult,
    PulledEvent,
    PullResponse,
    PushedEvent,
    PushRequest,
    PushResponse,
    StatusUpdate,
    StatusUpdateResult,
    WireEvent,
    missing_ranges,
    receipt_digest,
)
from gridstation.server.credentials import (
    new_enrolment_code,
    new_token,
    normalise_enrolment_code,
    secret_hash,
)
from gridstation.server.db import ServerDatabase
from gridstation.server.errors import ServerError, not_found, unauthorised
from gridstation.server.models import (
    ApiKeyRow,
    ConflictRow,
    DepartmentRow,
    FeedRow,
    QuarantineRow,
    ServerAuditRow,
    ServerCaseRow,
    ServerCategoryRow,
    ServerEventRow,
    ServerStationRow,
    WorkOrderRow,
)
from gridstation.server.workorders import WorkOrder

ENROLMENT_VALID_FOR = timedelta(days=7)
CENTRE_ACTOR = "城运中心"
# Corrections of the same value on both sides are not a disagreement; these codes say "already so".
UNCHANGED_CODES = frozenset({"correction.unchanged", "tier.unchanged", "conference.unchanged"})
STATUS_UPDATE_EVENTS: dict[str, EventType] = {
    "dispatched": EventType.DISPATCHED,
    "on_site": EventType.ARRIVED_ON_SITE,
    "disposed": EventType.DISPOSED,
    "closed": EventType.CLOSED,
}


def utc_now() -> datetime:
    return datetime.now(UTC)


ENROL_RETRY_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class StationSummary:
    code: str
    name: str
    state: str  # "pending" (code issued, not enrolled), "enrolled", "revoked"
    pushed_seq: int
    feed_head: int
    epoch: int
    last_seen_at: datetime | None


@dataclass(frozen=True, slots=True)
class Department:
    code: str
    name: str


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
class ImportResult:
    added: list[str]
    skipped: list[str]  # tickets already on the server


@dataclass
class _PendingRows:
    """Event and feed rows of the open transaction, inserted together before it commits.

    A push stores thousands of events; building an ORM object (and a feed object) for each cost more than all
    of the checks. Anything that reads events back inside the same transaction must `write` these first.
    """

    events: list[dict[str, Any]] = field(default_factory=list)
    feed: list[dict[str, Any]] = field(default_factory=list)

    @staticmethod
    def of(session: Session) -> _PendingRows:
        pending = session.info.get("pending_rows")
        if pending is None:
            pending = session.info["pending_rows"] = _PendingRows()
        assert isinstance(pending, _PendingRows)
        return pending

    def write(self, session: Session) -> None:
        session.flush()  # the ORM's own rows (the cases) go first, as the unit of work would order them
        if self.events:
            session.execute(insert(ServerEventRow), self.events)
        if self.feed:
            session.execute(insert(FeedRow), self.feed)
        self.events, self.feed = [], []


@dataclass
class _BatchCase:
    row: ServerCaseRow
    state: CaseState
    changed: bool = False


class ServerService:
    def __init__(self, database: ServerDatabase, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.database = database
        self._clock = clock
        self._write = database.writer()
        self._read = database.reader()
        self._hlc = HybridLogicalClock(wall_ms=lambda: int(self._clock().timestamp() * 1000))
        # Tests hold a transaction open here to show a late commit is not skipped by a pull.
        self.before_commit: Callable[[str], None] = lambda station_code: None
        self._seed_lock = threading.Lock()
        self._restore_clock()
        self._seed_categories()

    # --- plumbing -----------------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self._clock()

    @contextmanager
    def writing(self) -> Iterator[Session]:
        with self._write() as session, session.begin():
            yield session
            _PendingRows.of(session).write(session)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session

    def _restore_clock(self) -> None:
        with self.reading() as session:
            last = session.scalar(select(func.max(ServerEventRow.hlc)).where(ServerEventRow.origin == "server"))
        if last:
            self._hlc.observe(HlcStamp.decode(last))

    def _seed_categories(self) -> None:
        with self.writing() as session:
            if session.scalar(select(func.count()).select_from(ServerCategoryRow)):
                return
            text = (RESOURCES / "seed" / "categories.csv").read_text(encoding="utf-8")
            for category in parse_categories(text):
                session.add(ServerCategoryRow(code=category.code, name=category.name, parent_code=category.parent_code))

    def _audit(self, session: Session, actor: str, action: str, **detail: Any) -> None:
        session.add(ServerAuditRow(at=self.now(), actor=actor, action=action, detail=detail))

    def _lock_station(self, session: Session, code: str) -> ServerStationRow:
        """Every write to a station's scope holds its row: the feed is numbered in commit order."""
        row = session.scalar(
            select(ServerStationRow)
            .where(ServerStationRow.code == code)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if row is None:
            raise not_found(f"工作站 {code}", "station.unknown")
        return row

    # --- stations -----------------------------------------------------------------------------------------

    def add_station(self, code: str, name: str, *, new_code: bool = False) -> str:
        """Register a station (or issue a fresh enrolment code for it); returns the one-time code."""
        code = validate_station_code(code.strip().upper())
        name = " ".join(name.split())
        if not name and not new_code:
            raise DomainError("station.name", "请填写工作站名称。")
        enrolment = new_enrolment_code()
        now = self.now()
        with self.writing() as session:
            row = session.get(ServerStationRow, code)
            if row is None:
                if new_code:
                    raise not_found(f"工作站 {code}", "station.unknown")
                row = ServerStationRow(code=code, name=name, created_at=now, epoch=1, pushed_seq=0, feed_head=0)
                session.add(row)
            elif not new_code:
                raise DomainError("station.exists", f"工作站 {code} 已存在。如需新的登记码，请加 --new-code。")
            if row.revoked_at is not None:
                row.credential_hash = ""  # a reinstated station enrols afresh; the old credential never returns
            row.enrol_code_hash = secret_hash(normalise_enrolment_code(enrolment))
            row.enrol_expires_at = now + ENROLMENT_VALID_FOR
            row.revoked_at = None
            self._audit(session, "admin", "station.code_issued", station=code)
        return enrolment

    def stations(self) -> list[StationSummary]:
        with self.reading() as session:
            rows = session.scalars(select(ServerStationRow).order_by(ServerStationRow.code)).all()
        return [
            StationSummary(
                r.code,
                r.name,
                "revoked" if r.revoked_at else ("enrolled" if r.credential_hash else "pending"),
                r.pushed_seq,
                r.feed_head,
                r.epoch,
                r.last_seen_at,
            )
            for r in rows
        ]

    def revoke_station(self, code: str) -> None:
        with self.writing() as session:
            row = self._lock_station(session, code.strip().upper())
            # The credential's hash stays so the station is told "revoked" (403), not "unknown" (401).
            row.revoked_at = self.now()
            row.enrol_code_hash = ""
            self._audit(session, "admin", "station.revoked", station=row.code)

    def resync_station(self, code: str) -> int:
        """Tell the station to drop its cursor and pull everything again (after a server restore, say)."""
        with self.writing() as session:
            row = self._lock_station(session, code.strip().upper())
            row.epoch += 1
            self._audit(session, "admin", "station.epoch", station=row.code, epoch=row.epoch)
            return row.epoch

    def enrol(self, code_text: str, device_name: str = "", attempt_id: str | None = None) -> EnrolResponse:
        """Exchange a one-time code for a credential; only the credential's hash is kept.

        After a success the code is gone, but the same code with the same `attempt_id` works again for a few
        minutes (a retry whose first answer was lost); it gets a fresh credential and the lost one stops working.
        """
        code = normalise_enrolment_code(code_text)
        code_hash = secret_hash(code)
        retry_hash = secret_hash(f"retry:{code}:{attempt_id}") if attempt_id else None
        credential = new_token("gs1")
        with self.writing() as session:
            row = session.scalar(select(ServerStationRow).where(ServerStationRow.enrol_code_hash == code_hash))
            retried = False
            if row is None and retry_hash is not None:
                row = session.scalar(select(ServerStationRow).where(ServerStationRow.enrol_code_hash == retry_hash))
                retried = row is not None
            if row is None or row.revoked_at is not None:
                raise ServerError(401, "enrol.invalid_code", "登记码无效或已使用，请向街道管理员索取新的登记码。")
            if row.enrol_expires_at is None or row.enrol_expires_at < self.now():
                raise ServerError(401, "enrol.expired", "登记码已过期，请向街道管理员索取新的登记码。")
            row.enrol_code_hash = retry_hash or ""
            row.enrol_expires_at = self.now() + ENROL_RETRY_WINDOW if retry_hash else None
            row.credential_hash = secret_hash(credential)
            row.enrolled_at = self.now()
            action = "station.enrol_retried" if retried else "station.enrolled"
            self._audit(session, row.code, action, device=device_name[:100])
            return EnrolResponse(station_code=row.code, station_name=row.name, credential=credential, epoch=row.epoch)

    def authenticate_station(self, credential: str) -> str:
        """The station a credential belongs to; the request body never decides who is speaking."""
        if not credential.startswith("gs1_"):
            raise unauthorised()
        with self.reading() as session:
            row = session.scalar(
                select(ServerStationRow).where(ServerStationRow.credential_hash == secret_hash(credential))
            )
        if row is None:
            raise unauthorised()
        if row.revoked_at is not None:
            raise ServerError(403, "station.revoked", "该工作站已被停用，请联系街道管理员。")
        return row.code

    # --- departments and API keys -------------------------------------------------------------------------

    def add_department(self, code: str, name: str) -> str:
        code = code.strip().upper()
        if not code or len(code) > 20 or not code.replace("-", "").replace("_", "").isalnum():
            raise DomainError("department.code", "部门代码须为 1–20 位字母或数字。")
        name = " ".join(name.split())
        if not name:
            raise DomainError("department.name", "请填写部门名称。")
        token = new_token("gsd")
        with self.writing() as session:
            if session.get(DepartmentRow, code) is not None:
                raise DomainError("department.exists", f"部门 {code} 已存在。")
            session.add(DepartmentRow(code=code, name=name, token_hash=secret_hash(token), created_at=self.now()))
            self._audit(session, "admin", "department.added", department=code)
        return token

    def authenticate_department(self, token: str) -> Department:
        with self.reading() as session:
            row = session.scalar(select(DepartmentRow).where(DepartmentRow.token_hash == secret_hash(token)))
        if row is None or not token.startswith("gsd_"):
            raise unauthorised("缺少或无效的部门令牌。")
        if row.revoked_at is not None:
            raise ServerError(403, "department.revoked", "该部门令牌已停用。")
        return Department(row.code, row.name)

    def add_api_key(self, name: str, station_code: str) -> str:
        key = new_token("o311")
        with self.writing() as session:
            self._lock_station(session, station_code.strip().upper())
            session.add(
                ApiKeyRow(
                    id=new_id(),
                    name=" ".join(name.split())[:100] or "Open311",
                    key_hash=secret_hash(key),
                    station_code=station_code.strip().upper(),
                    created_at=self.now(),
                )
            )
            self._audit(session, "admin", "api_key.added", station=station_code, name=name)
        return key

    def api_key_station(self, key: str) -> str | None:
        with self.reading() as session:
            row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_hash == secret_hash(key)))
        if row is None or row.revoked_at is not None:
            return None
        return row.station_code

    # --- push ---------------------------------------------------------------------------------------------

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
            cases = self._load_cases(session, {e.case_id for e in events})
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
            for batch_case in cases.values():
                if batch_case.changed:
                    self._store_state(batch_case)
            self.before_commit(station_code)
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

    def _load_cases(self, session: Session, case_ids: set[str]) -> dict[str, _BatchCase]:
        rows = session.scalars(select(ServerCaseRow).where(ServerCaseRow.id.in_(case_ids))).all()
        return {row.id: _BatchCase(row, state_from_json(row.state)) for row in rows}

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

    def _store_state(self, batch_case: _BatchCase) -> None:
        row, state = batch_case.row, batch_case.state
        row.state = state_to_json(state)
        row.version = state.version
        row.status = str(state.status)
        row.category_code = state.category_code
        row.updated_at = state.updated_at or row.updated_at
        batch_case.changed = False

    def _repeat(
        self, session: Session, station_code: str, wire: PushedEvent, known: ServerEventRow, consumes: bool
    ) -> EventResult:
        if known.content_hash == wire.content_hash:
            return EventResult(id=wire.id, station_seq=wire.station_seq, outcome="duplicate", code="event.duplicate")
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
        cases: dict[str, _BatchCase],
        numbers_taken: set[str],
    ) -> EventResult:
        event = wire.to_event()
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
        self._store_event(session, station, event, wire.content_hash, "station", wire.station_seq, applied=True)
        batch_case.state = apply(state, event)
        batch_case.changed = True
        self._resolve_conflict_if_named(session, event, station.code)
        return EventResult(id=wire.id, station_seq=wire.station_seq, outcome="applied")

    def _ingest_registration(
        self,
        session: Session,
        station: ServerStationRow,
        wire: PushedEvent,
        event: Event,
        cases: dict[str, _BatchCase],
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
            return self._reject(session, station.code, wire, "intake.invalid", problem)
        try:
            state = apply(None, event)
        except (DomainError, KeyError, ValueError, TypeError) as err:
            return self._reject(session, station.code, wire, "event.invalid", f"登记事件格式有误：{err}")
        row = ServerCaseRow(
            id=event.case_id,
            number=number,
            station_code=station.code,
            category_code=state.category_code,
            status=str(state.status),
            registered_at=state.registered_at,
            updated_at=state.registered_at,
            state={},
            version=0,
        )
        session.add(row)
        numbers_taken.add(number)
        self._store_event(session, station, event, wire.content_hash, "station", wire.station_seq, applied=True)
        cases[event.case_id] = _BatchCase(row, state, changed=True)
        return EventResult(id=wire.id, station_seq=wire.station_seq, outcome="applied")

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
        _PendingRows.of(session).write(session)
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
        self._store_event(
            session, station, wire.to_event(), wire.content_hash, "station", wire.station_seq, applied=False
        )
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

    def _store_event(
        self,
        session: Session,
        station: ServerStationRow,
        event: Event,
        content_hash: str,
        origin: str,
        station_seq: int | None,
        *,
        applied: bool,
    ) -> None:
        pending = _PendingRows.of(session)
        pending.events.append(
            {
                "id": event.id,
                "case_id": event.case_id,
                "station_code": station.code,
                "origin": origin,
                "station_seq": station_seq,
                "type": str(event.type),
                "payload": event.payload,
                "actor_id": event.actor_id,
                "actor_name": event.actor_name,
                "occurred_at": event.occurred_at,
                "hlc": event.hlc,
                "schema_version": event.schema_version,
                "content_hash": content_hash,
                "applied": applied,
                "received_at": self.now(),
            }
        )
        station.feed_head += 1
        pending.feed.append({"station_code": station.code, "seq": station.feed_head, "event_id": event.id})

    # --- pull ---------------------------------------------------------------------------------------------

    def pull(self, station_code: str, *, after: int, epoch: int, limit: int) -> PullResponse:
        limit = max(1, min(limit, MAX_PULL_PAGE))
        with self.reading() as session:
            station = session.get(ServerStationRow, station_code)
            if station is None:
                raise not_found(f"工作站 {station_code}", "station.unknown")
            fresh = epoch == 0 and after == 0  # a station that never pulled starts in the current epoch
            if (epoch != station.epoch and not fresh) or after > station.feed_head:
                # A cursor from another epoch, or from the future (the server was restored): start again from 0.
                return PullResponse(epoch=station.epoch, reset=True, items=[], cases=[], cursor=0, has_more=True)
            rows = session.execute(
                select(FeedRow.seq, ServerEventRow)
                .join(ServerEventRow, ServerEventRow.id == FeedRow.event_id)
                .where(FeedRow.station_code == station_code, FeedRow.seq > after)
                .order_by(FeedRow.seq)
                .limit(limit + 1)
            ).all()
            has_more = len(rows) > limit
            rows = rows[:limit]
            event_ids = [row.id for _, row in rows]
            conflicts = {
                c.station_event_id: c
                for c in session.scalars(select(ConflictRow).where(ConflictRow.station_event_id.in_(event_ids)))
            }
            case_rows = session.scalars(
                select(ServerCaseRow).where(ServerCaseRow.id.in_({row.case_id for _, row in rows}))
            ).all()
            numbers = {c.id: c.number for c in case_rows}
            items = [
                PulledEvent(
                    seq=seq,
                    origin="station" if row.origin == "station" else "server",
                    station_seq=row.station_seq,
                    applied=row.applied,
                    event=wire_event(row),
                    conflict=conflict_out(
                        conflicts[row.id], numbers.get(row.case_id, ""), self._event_meta(session, conflicts[row.id])
                    )
                    if row.id in conflicts
                    else None,
                )
                for seq, row in rows
            ]
            cases = [CaseSnapshot(case_id=c.id, number=c.number, version=c.version, state=c.state) for c in case_rows]
            cursor = rows[-1][0] if rows else after
            return PullResponse(
                epoch=station.epoch,
                items=items,
                cases=cases,
                cursor=cursor,
                has_more=has_more,
                remaining=max(0, station.feed_head - cursor),
            )

    def _event_meta(self, session: Session, conflict: ConflictRow) -> tuple[str, datetime, str, datetime | None]:
        station_event = session.get(ServerEventRow, conflict.station_event_id)
        server_event = session.get(ServerEventRow, conflict.server_event_id) if conflict.server_event_id else None
        return (
            station_event.actor_name if station_event else "",
            station_event.occurred_at if station_event else conflict.created_at,
            server_event.actor_name if server_event else "",
            server_event.occurred_at if server_event else None,
        )

    def conflicts(self, station_code: str, *, open_only: bool = True) -> list[ConflictOut]:
        with self.reading() as session:
            query = select(ConflictRow).where(ConflictRow.station_code == station_code)
            if open_only:
                query = query.where(ConflictRow.resolved_at.is_(None))
            rows = session.scalars(query.order_by(ConflictRow.created_at)).all()
            out = []
            for row in rows:
                number = session.scalar(select(ServerCaseRow.number).where(ServerCaseRow.id == row.case_id)) or ""
                out.append(conflict_out(row, number, self._event_meta(session, row)))
            return out

    # --- end-of-day receipt -------------------------------------------------------------------------------

    def day_receipt(self, station_code: str, request: DayReceiptRequest) -> DayReceipt:
        if request.to_seq < request.from_seq:
            raise ServerError(400, "receipt.range", "序号范围有误：起始序号大于结束序号。")
        if request.to_seq - request.from_seq > 1_000_000:
            raise ServerError(400, "receipt.range_too_large", "一次核对的范围过大（最多 100 万条）。")
        with self.reading() as session:
            events = session.execute(
                select(
                    ServerEventRow.station_seq, ServerEventRow.content_hash, ServerEventRow.applied, ServerEventRow.type
                ).where(
                    ServerEventRow.station_code == station_code,
                    ServerEventRow.origin == "station",
                    ServerEventRow.station_seq.between(request.from_seq, request.to_seq),
                )
            ).all()
            quarantined = session.execute(
                select(QuarantineRow.station_seq, QuarantineRow.content_hash).where(
                    QuarantineRow.station_code == station_code,
                    QuarantineRow.station_seq.between(request.from_seq, request.to_seq),
                )
            ).all()
        items = [(int(seq), digest) for seq, digest, _, _ in events if seq is not None]
        items += [(int(seq), digest) for seq, digest in quarantined if seq is not None]
        held = {seq for seq, _ in items}
        return DayReceipt(
            station_code=station_code,
            label=request.label,
            from_seq=request.from_seq,
            to_seq=request.to_seq,
            held=len(items),
            applied=sum(1 for _, _, applied, _ in events if applied),
            conflicts=sum(1 for _, _, applied, _ in events if not applied),
            quarantined=len(quarantined),
            cases_registered=sum(1 for _, _, applied, kind in events if applied and kind == EventType.REGISTERED),
            missing=missing_ranges(held, request.from_seq, request.to_seq),
            digest=receipt_digest(items),
            server_time=self.now(),
        )

    # --- the centre's own events: work orders and department updates --------------------------------------

    def _server_event(
        self,
        case_id: str,
        station_code: str,
        event_type: EventType,
        payload: dict[str, Any],
        actor_id: str,
        actor_name: str,
        at: datetime,
        event_id: str | None = None,
    ) -> Event:
        return Event(
            id=event_id or new_id(),
            case_id=case_id,
            type=event_type,
            payload=payload,
            actor_id=actor_id,
            actor_name=actor_name[:40],
            station_code=station_code,
            occurred_at=at,
            hlc=self._hlc.now().encode(),
        )

    def add_work_order(self, order: WorkOrder, *, open311_token: str = "") -> str:
        """Create the case a work order becomes, owned by the station it is dispatched to; returns the case id."""
        case_id = new_id()
        payload = {
            **order.intake.to_payload(),
            "number": order.ticket,
            "work_order": {
                "ticket": order.ticket,
                "source": str(order.source),
                "dispatched_at": order.dispatched_at.isoformat(),
                "due_at": order.due_at.isoformat() if order.due_at else None,
                "urgent": order.urgent,
            },
        }
        with self.writing() as session:
            self._require_category(session, order.intake.category_code)
            station = self._lock_station(session, order.station_code)
            if station.revoked_at is not None:
                raise DomainError("workorder.station_revoked", f"工作站 {station.code} 已停用，不能派单。")
            if session.get(WorkOrderRow, order.ticket) is not None or session.scalar(
                select(ServerCaseRow.id).where(ServerCaseRow.number == order.ticket)
            ):
                raise DomainError("workorder.exists", f"工单 {order.ticket} 已存在。")
            event = self._server_event(
                case_id, station.code, EventType.REGISTERED, payload, "centre", CENTRE_ACTOR, order.dispatched_at
            )
            state = apply(None, event)
            row = ServerCaseRow(
                id=case_id,
                number=order.ticket,
                station_code=station.code,
                category_code=state.category_code,
                status=str(state.status),
                registered_at=state.registered_at,
                updated_at=state.registered_at,
                state=state_to_json(state),
                version=state.version,
            )
            session.add(row)
            session.flush()
            self._store_event(session, station, event, event.content_hash(), "server", None, applied=True)
            session.add(
                WorkOrderRow(
                    ticket=order.ticket,
                    source=str(order.source),
                    station_code=station.code,
                    case_id=case_id,
                    dispatched_at=order.dispatched_at,
                    due_at=order.due_at,
                    urgent=order.urgent,
                    open311_token=open311_token,
                    created_at=self.now(),
                )
            )
            self._audit(session, CENTRE_ACTOR, "workorder.added", ticket=order.ticket, station=station.code)
            self.before_commit(station.code)
        return case_id

    def import_work_orders(self, orders: Sequence[WorkOrder]) -> ImportResult:
        """Add each order not yet on the server; a re-imported export skips what it already holds."""
        with self.reading() as session:
            held = set(
                session.scalars(select(WorkOrderRow.ticket).where(WorkOrderRow.ticket.in_([o.ticket for o in orders])))
            )
            known_stations = set(session.scalars(select(ServerStationRow.code)))
            categories = set(session.scalars(select(ServerCategoryRow.code)))
        problems = [
            f"工单 {o.ticket}：没有工作站 {o.station_code}" for o in orders if o.station_code not in known_stations
        ] + [
            f"工单 {o.ticket}：没有诉求分类 {o.intake.category_code}"
            for o in orders
            if o.intake.category_code not in categories
        ]
        if problems:
            raise DomainError("workorder.invalid", "工单有误，未导入任何工单：\n" + "\n".join(problems))
        added: list[str] = []
        for order in orders:
            if order.ticket in held:
                continue
            self.add_work_order(order)
            added.append(order.ticket)
        return ImportResult(added=added, skipped=sorted(held))

    def _require_category(self, session: Session, code: str) -> None:
        if session.get(ServerCategoryRow, code) is None:
            raise DomainError("category.unknown", f"没有诉求分类 {code}。")

    def department_update(self, department: Department, update: StatusUpdate) -> StatusUpdateResult:
        event_type = STATUS_UPDATE_EVENTS[update.update]
        payload: dict[str, Any] = {"note": update.note, "department": department.code}
        if event_type is EventType.DISPATCHED:
            payload["assignee"] = update.assignee or department.name
        elif event_type is EventType.DISPOSED:
            payload["outcome"] = update.outcome
        elif event_type is EventType.CLOSED:
            payload = {"answer": update.answer or update.note, "department": department.code}
        with self.reading() as session:
            owner = session.scalar(select(ServerCaseRow.station_code).where(ServerCaseRow.number == update.case_number))
        if owner is None:
            raise not_found(f"诉求 {update.case_number}", "case.unknown")
        with self.writing() as session:
            station = self._lock_station(session, owner)
            if update.id is not None:
                known = session.get(ServerEventRow, update.id)
                if known is not None:
                    if known.actor_id != f"dept:{department.code}" or known.type != str(event_type):
                        raise ServerError(409, "update.id_reused", "该更新编号已用于另一条更新。")
                    row = session.scalar(select(ServerCaseRow).where(ServerCaseRow.number == update.case_number))
                    assert row is not None
                    return StatusUpdateResult(
                        event_id=known.id, outcome="duplicate", case_number=row.number, status=row.status
                    )
            row = session.scalar(
                select(ServerCaseRow)
                .where(ServerCaseRow.number == update.case_number)
                .execution_options(populate_existing=True)
            )
            assert row is not None
            state = state_from_json(row.state)
            try:
                clean = check_legal(state, event_type, payload)
            except DomainError as err:
                raise ServerError(409, err.code, err.message_zh, case_status=str(state.status)) from err
            clean["department"] = department.code
            event = self._server_event(
                row.id,
                station.code,
                event_type,
                clean,
                f"dept:{department.code}",
                department.name,
                self.now(),
                update.id,
            )
            self._store_event(session, station, event, event.content_hash(), "server", None, applied=True)
            batch_case = _BatchCase(row, apply(state, event), changed=True)
            self._store_state(batch_case)
            self.before_commit(station.code)
            return StatusUpdateResult(
                event_id=event.id, outcome="applied", case_number=row.number, status=str(batch_case.state.status)
            )

    # --- lookups ------------------------------------------------------------------------------------------

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


def intake_problem(payload: dict[str, Any]) -> str | None:
    """The domain's intake rules applied to a registration payload: None when it is acceptable."""
    try:
        Intake.validated(
            channel=Channel(payload.get("channel", "")),
            category_code=str(payload.get("category_code", "")),
            description=str(payload.get("description", "")),
            tier=Tier(payload.get("tier", "")),
            compound=str(payload.get("compound", "")),
            building=str(payload.get("building", "")),
            address=str(payload.get("address", "")),
            grid_code=str(payload.get("grid_code", "")),
            complainant_name=str(payload.get("complainant_name", "")),
            phone=str(payload.get("phone", "")),
            anonymous=bool(payload.get("anonymous", False)),
            # The on-the-spot answer travels in the closing event, not in the registration.
            answer="（见办结事件）" if payload.get("tier") == Tier.ON_THE_SPOT else "",
            phone_required=False,
        )
    except IntakeInvalid as err:
        return err.message_zh
    except ValueError:
        return "登记事件的渠道或处置分类无效。"
    return None


def wire_event(row: ServerEventRow) -> WireEvent:
    return WireEvent.of(event_from_stored(row), row.content_hash)


def conflict_out(row: ConflictRow, number: str, meta: tuple[str, datetime, str, datetime | None]) -> ConflictOut:
    station_actor, station_at, server_actor, server_at = meta
    return ConflictOut(
        id=row.id,
        case_id=row.case_id,
        case_number=number,
        field=row.field,
        base_value=row.base_value,
        station_value=row.station_value,
        server_value=row.server_value,
        station_event_id=row.station_event_id,
        station_actor=station_actor,
        station_at=station_at,
        server_actor=server_actor,
        server_at=server_at,
        created_at=row.created_at,
        resolved_at=row.resolved_at,
        resolved_by=row.resolved_by,
    )
