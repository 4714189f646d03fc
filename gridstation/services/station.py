"""StationService: everything the desk and the CLI do with a station's data goes through here."""

from __future__ import annotations

import contextlib
import gc
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Engine, Float, Integer, and_, case, cast, func, literal, or_, select, text
from sqlalchemy.orm import Session, sessionmaker

from gridstation.assets import RESOURCES
from gridstation.domain.case import (
    FINISHED,
    CaseState,
    EventDraft,
    Intake,
    decide,
    decide_registration,
    legal_actions,
)
from gridstation.domain.clock import HlcStamp, HybridLogicalClock
from gridstation.domain.enums import EventType, Role, Status, Tier
from gridstation.domain.errors import DomainError, ValidationError
from gridstation.domain.events import Event, new_id
from gridstation.domain.numbering import format_case_number, validate_station_code
from gridstation.domain.reference import (
    Category,
    Compound,
    Grid,
    parse_categories,
    parse_compounds,
    parse_grids,
)
from gridstation.domain.roles import Permission, require
from gridstation.domain.sla import Colour, ColourScheme, DeadlinePolicy, default_policy
from gridstation.domain.validation import NAME_MAX_CHARS, validate_short_text
from gridstation.services.ledger import read_ledger, write_ledger
from gridstation.services.passwords import hash_secret, verify_secret
from gridstation.storage import case_store
from gridstation.storage.db import make_engine, make_session_factory, translated_storage_errors
from gridstation.storage.migrate import upgrade_to_head
from gridstation.storage.models import (
    AuditRow,
    CaseCounterRow,
    CaseRow,
    CategoryRow,
    CompoundRow,
    GridRow,
    SettingRow,
    StaffRow,
    StationRow,
)
from gridstation.storage.types import epoch_microseconds, to_epoch_microseconds

DB_FILE = "station.db"
LEDGER_FILE = "numbering-ledger.json"
PIN_MIN_LENGTH = 4
MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=5)
POLICY_KEY = "deadline_policy"
COLOURS_KEY = "colour_scheme"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class StaffMember:
    id: str
    name: str
    role: Role

    def can(self, permission: Permission) -> bool:
        try:
            require(self.role, permission)
        except DomainError:
            return False
        return True


@dataclass(frozen=True, slots=True)
class StationInfo:
    code: str
    name: str
    sub_district: str
    contact_phone: str
    timezone: str


@dataclass(frozen=True, slots=True)
class CategoryChoice:
    """A leaf category as the picker shows it, with what type-to-search matches."""

    code: str
    name: str
    parent_name: str
    pinyin_initials: str
    pinyin_full: str

    @property
    def label(self) -> str:
        return f"{self.parent_name} / {self.name}" if self.parent_name else self.name


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """One row of the case list."""

    id: str
    number: str
    registered_at: datetime
    category_code: str
    compound: str
    address: str
    description: str
    tier: Tier
    status: Status
    grid_code: str
    assignee: str
    sla_stage: str
    sla_started_at: datetime | None
    sla_due_at: datetime | None


@dataclass(slots=True)
class CaseQuery:
    """Filters of the case list. Empty means "any"."""

    text: str = ""
    statuses: frozenset[Status] = frozenset()
    tiers: frozenset[Tier] = frozenset()
    colours: frozenset[Colour] = frozenset()
    category_code: str = ""
    grid_code: str = ""
    registered_from: date | None = None
    registered_to: date | None = None
    open_only: bool = False
    limit: int = 500
    offset: int = 0
    order_by: str = ""  # a key of SORTABLE_COLUMNS; empty means most urgent first
    descending: bool = False
    now: datetime | None = field(default=None)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    staff_name: str
    action: str
    detail: dict[str, Any]


class StationService:
    """One open station database. Thread-safe: each call uses its own session."""

    def __init__(
        self,
        data_dir: Path,
        *,
        now: Callable[[], datetime] = utc_now,
        wall_ms: Callable[[], int] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.db_path = self.data_dir / DB_FILE
        self.ledger_path = self.data_dir / LEDGER_FILE
        self._now = now
        self._wall_ms = wall_ms or (lambda: int(self._now().timestamp() * 1000))
        self._ledger_lock = threading.Lock()
        with translated_storage_errors():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = make_engine(self.db_path)
            try:
                upgrade_to_head(self.engine)
            except BaseException:
                self.engine.dispose()  # a corrupt or locked file must not stay open behind the error
                raise
        self.read_engine: Engine = make_engine(self.db_path, for_writing=False)
        self._sessions: sessionmaker[Session] = make_session_factory(self.engine)
        self._read_sessions: sessionmaker[Session] = make_session_factory(self.read_engine)
        self._clock = HybridLogicalClock(self._wall_ms)
        self._policy_cache: DeadlinePolicy | None = None
        self._colours_cache: ColourScheme | None = None
        self._station_cache: StationInfo | None = None
        self._after_restore_or_open()

    # ------------------------------------------------------------------ plumbing

    def close(self) -> None:
        # Keeps the planner's statistics fresh (cheap; SQLite only analyses what changed enough).
        with contextlib.suppress(Exception), self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA optimize")
        self.engine.dispose()
        self.read_engine.dispose()

    def now(self) -> datetime:
        return self._now()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with translated_storage_errors(), self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with translated_storage_errors(), self._read_sessions() as session:
            yield session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction for this station's other services (sync); it commits when the block ends."""
        with self._write() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    def record_audit(self, session: Session, actor: StaffMember | None, action: str, **detail: Any) -> None:
        self._audit(session, actor, action, **detail)

    def observe_stamps(self, stamps: Iterable[str]) -> None:
        """Events from elsewhere were stored: later events here must sort after them."""
        latest = max((HlcStamp.decode(s) for s in stamps if s), default=None)
        if latest is not None:
            self._clock.observe(latest)

    def note_issued(self, event_sequence: int) -> None:
        """Event numbers up to `event_sequence` are taken (sync renumbered or pulled them): never reuse them."""
        self._remember_issued(event_sequence)

    def start_of_day(self, day: date) -> datetime:
        return self._local_midnight(day)

    def _audit(self, session: Session, actor: StaffMember | None, action: str, **detail: Any) -> None:
        session.add(
            AuditRow(
                id=new_id(),
                at=self._now(),
                staff_id=actor.id if actor else "",
                staff_name=actor.name if actor else "",
                action=action,
                detail=detail,
            )
        )

    def _after_restore_or_open(self) -> None:
        """Load the clock, and skip numbers the ledger says were issued beyond what this database knows."""
        with self._write() as session:
            station = session.scalar(select(StationRow))
            ledger = read_ledger(self.ledger_path)
            # Never move the clock back: a restored backup (or an old file copied back by hand) remembers an
            # older stamp than this station has already issued; the ledger remembers the newest.
            stamps = [self._clock.last] + [
                HlcStamp.decode(s) for s in (station.hlc_last if station else "", ledger.hlc) if s
            ]
            self._clock = HybridLogicalClock(self._wall_ms, max(stamps))
            db_seq = case_store.last_event_sequence(session)
            behind: dict[str, Any] = {}
            if ledger.event_sequence > db_seq:
                case_store.raise_event_sequence_floor(session, ledger.event_sequence)
                behind["event_sequence"] = [db_seq, ledger.event_sequence]
            for day, issued in ledger.daily.items():
                counter = session.get(CaseCounterRow, day)
                if counter is None:
                    session.add(CaseCounterRow(day=day, last_sequence=issued))
                    behind[day] = [0, issued]
                elif counter.last_sequence < issued:
                    behind[day] = [counter.last_sequence, issued]
                    counter.last_sequence = issued
            if behind:
                self._audit(session, None, "numbering.floor_raised", behind=behind)
        self._policy_cache = self._colours_cache = None
        self._station_cache = None

    def _remember_issued(self, event_sequence: int, day: str | None = None, sequence: int = 0) -> None:
        with self._ledger_lock:
            ledger = read_ledger(self.ledger_path)
            ledger.merge(event_sequence, day, sequence, self._clock.last.encode())
            try:
                write_ledger(self.ledger_path, ledger)
            except OSError:
                # The database already holds the truth; the ledger only guards against old backups.
                pass

    # ------------------------------------------------------------------ station and staff

    def station(self) -> StationInfo | None:
        if self._station_cache is None:
            with self._read() as session:
                row = session.scalar(select(StationRow))
                if row is None:
                    return None
                self._station_cache = StationInfo(row.code, row.name, row.sub_district, row.contact_phone, row.timezone)
        return self._station_cache

    def is_initialised(self) -> bool:
        return self.station() is not None

    def initialise(
        self,
        *,
        code: str,
        name: str,
        admin_name: str,
        admin_pin: str,
        sub_district: str = "",
        contact_phone: str = "",
        timezone: str = "Asia/Shanghai",
    ) -> StaffMember:
        """First start: the station itself, its first admin and the seed reference data."""
        code = validate_station_code(code)
        name = validate_short_text(name, field="station_name", label="工作站名称", limit=100, required=True)
        ZoneInfo(timezone)
        if self.is_initialised():
            raise DomainError("station.exists", "本工作站已初始化。")
        secret = self._checked_pin_hash(admin_pin)
        admin_name = validate_short_text(admin_name, field="name", label="姓名", limit=NAME_MAX_CHARS, required=True)
        with self._write() as session:
            session.add(
                StationRow(
                    code=code,
                    name=name,
                    sub_district=sub_district,
                    contact_phone=contact_phone,
                    timezone=timezone,
                    created_at=self._now(),
                    hlc_last="",
                )
            )
            admin = StaffRow(
                id=new_id(),
                name=admin_name,
                role=str(Role.ADMIN),
                secret_hash=secret,
                active=True,
                failed_attempts=0,
                created_at=self._now(),
            )
            session.add(admin)
            member = StaffMember(admin.id, admin.name, Role.ADMIN)
            self._seed_reference(session)
            self._audit(session, member, "station.initialised", code=code, name=name)
        self._station_cache = None
        return member

    def _seed_reference(self, session: Session) -> None:
        seed = RESOURCES / "seed"
        self._upsert_categories(session, parse_categories((seed / "categories.csv").read_text(encoding="utf-8")))
        self._upsert_grids(session, parse_grids((seed / "grids.csv").read_text(encoding="utf-8")))
        self._upsert_compounds(session, parse_compounds((seed / "compounds.csv").read_text(encoding="utf-8")))

    @staticmethod
    def _checked_pin_hash(pin: str) -> str:
        if len(pin) < PIN_MIN_LENGTH:
            raise DomainError("pin.too_short", f"PIN 或密码至少 {PIN_MIN_LENGTH} 位。", limit=PIN_MIN_LENGTH)
        return hash_secret(pin)

    def add_staff(self, actor: StaffMember, name: str, role: Role, pin: str) -> StaffMember:
        require(actor.role, Permission.MANAGE_STAFF)
        name = validate_short_text(name, field="name", label="姓名", limit=NAME_MAX_CHARS, required=True)
        secret = self._checked_pin_hash(pin)
        with self._write() as session:
            if session.scalar(select(StaffRow).where(StaffRow.name == name)):
                raise DomainError("staff.exists", f"已有名为「{name}」的工作人员。")
            row = StaffRow(
                id=new_id(),
                name=name,
                role=str(role),
                secret_hash=secret,
                active=True,
                failed_attempts=0,
                created_at=self._now(),
            )
            session.add(row)
            self._audit(session, actor, "staff.added", name=name, role=str(role))
        return StaffMember(row.id, name, role)

    def staff_members(self, actor: StaffMember) -> list[StaffMember]:
        require(actor.role, Permission.MANAGE_STAFF)
        with self._read() as session:
            rows = session.scalars(select(StaffRow).where(StaffRow.active).order_by(StaffRow.name))
            return [StaffMember(r.id, r.name, Role(r.role)) for r in rows]

    def staff_names(self) -> list[str]:
        with self._read() as session:
            return list(session.scalars(select(StaffRow.name).where(StaffRow.active).order_by(StaffRow.name)))

    def sign_in(self, name: str, pin: str) -> StaffMember:
        """Check a PIN; five wrong tries lock the account for five minutes. Every attempt is audited."""
        refusal: DomainError | None = None
        with self._write() as session:
            row = session.scalar(select(StaffRow).where(StaffRow.name == name.strip(), StaffRow.active))
            now = self._now()
            if row is None:
                self._audit(session, None, "sign_in.failed", name=name.strip()[:NAME_MAX_CHARS])
                refusal = DomainError("auth.failed", "姓名或 PIN 不正确。")
            elif row.locked_until and row.locked_until > now:
                minutes = max(1, -(-(row.locked_until - now) // timedelta(minutes=1)))  # whole minutes, rounded up
                self._audit(session, StaffMember(row.id, row.name, Role(row.role)), "sign_in.locked")
                refusal = DomainError("auth.locked", f"连续输错次数过多，请 {minutes} 分钟后再试。", minutes=minutes)
            elif not verify_secret(pin, row.secret_hash):
                row.failed_attempts += 1
                if row.failed_attempts >= MAX_FAILED_SIGN_INS:
                    row.locked_until = now + LOCKOUT
                    row.failed_attempts = 0
                self._audit(session, StaffMember(row.id, row.name, Role(row.role)), "sign_in.failed")
                refusal = DomainError("auth.failed", "姓名或 PIN 不正确。")
            else:
                row.failed_attempts = 0
                row.locked_until = None
                member = StaffMember(row.id, row.name, Role(row.role))
                self._audit(session, member, "sign_in")
        # Raised after the commit, so failed attempts and the lockout are remembered.
        if refusal is not None:
            raise refusal
        return member

    def audit_log(self, actor: StaffMember, limit: int = 200) -> list[AuditEntry]:
        require(actor.role, Permission.VIEW_AUDIT)
        with self._read() as session:
            rows = session.scalars(select(AuditRow).order_by(AuditRow.at.desc()).limit(limit))
            return [AuditEntry(r.at, r.staff_name, r.action, r.detail) for r in rows]

    # ------------------------------------------------------------------ reference data

    def category_choices(self) -> list[CategoryChoice]:
        with self._read() as session:
            rows = list(
                session.scalars(
                    select(CategoryRow).where(CategoryRow.active).order_by(CategoryRow.sort_order, CategoryRow.code)
                )
            )
        names = {r.code: r.name for r in rows}
        parents = {r.parent_code for r in rows if r.parent_code}
        return [
            CategoryChoice(r.code, r.name, names.get(r.parent_code, ""), r.pinyin_initials, r.pinyin_full)
            for r in rows
            if r.code not in parents
        ]

    def category_names(self) -> dict[str, str]:
        with self._read() as session:
            return {code: name for code, name in session.execute(select(CategoryRow.code, CategoryRow.name))}

    def categories(self) -> list[Category]:
        with self._read() as session:
            return [
                Category(r.code, r.name, r.parent_code)
                for r in session.scalars(select(CategoryRow).order_by(CategoryRow.sort_order, CategoryRow.code))
            ]

    def grids(self) -> list[Grid]:
        with self._read() as session:
            return [
                Grid(r.code, r.name)
                for r in session.scalars(select(GridRow).where(GridRow.active).order_by(GridRow.code))
            ]

    def compounds(self) -> list[Compound]:
        with self._read() as session:
            return [
                Compound(r.name, r.grid_code)
                for r in session.scalars(select(CompoundRow).where(CompoundRow.active).order_by(CompoundRow.name))
            ]

    def import_reference_csv(self, actor: StaffMember, kind: str, csv_text: str) -> int:
        """Add or update categories, grids or compounds from CSV; returns how many rows were read."""
        require(actor.role, Permission.MANAGE_REFERENCE)
        parsers: dict[str, Callable[[str], Sequence[Any]]] = {
            "categories": lambda text: parse_categories(text, {c.code: c.parent_code for c in self.categories()}),
            "grids": parse_grids,
            "compounds": parse_compounds,
        }
        if kind not in parsers:
            raise DomainError("csv.kind", f"不支持导入「{kind}」。")
        items = parsers[kind](csv_text)
        with self._write() as session:
            if kind == "categories":
                self._upsert_categories(session, items)
            elif kind == "grids":
                self._upsert_grids(session, items)
            else:
                self._upsert_compounds(session, items)
            self._audit(session, actor, "reference.imported", kind=kind, rows=len(items))
        return len(items)

    def import_staff_csv(self, actor: StaffMember, csv_text: str) -> int:
        """Add staff from CSV (name, role, pin) all or nothing: one bad row adds nobody."""
        from gridstation.domain.reference import parse_staff

        require(actor.role, Permission.MANAGE_STAFF)
        rows = parse_staff(csv_text)
        prepared: list[StaffRow] = []
        for line, item in enumerate(rows, start=2):
            name = validate_short_text(item.name, field="name", label="姓名", limit=NAME_MAX_CHARS, required=True)
            try:
                role = Role(item.role)
            except ValueError as err:
                raise DomainError("csv.role", f"人员 CSV 第 {line} 行的角色「{item.role}」不正确。") from err
            secret = self._checked_pin_hash(item.pin)
            prepared.append(
                StaffRow(
                    id=new_id(),
                    name=name,
                    role=str(role),
                    secret_hash=secret,
                    active=True,
                    failed_attempts=0,
                    created_at=self._now(),
                )
            )
        with self._write() as session:
            names = [r.name for r in prepared]
            clashes = sorted(
                {n for n in names if names.count(n) > 1} | (set(names) & set(session.scalars(select(StaffRow.name))))
            )
            if clashes:
                raise DomainError("staff.exists", f"已有名为「{clashes[0]}」的工作人员。")
            session.add_all(prepared)
            self._audit(session, actor, "staff.imported", names=[r.name for r in prepared])
        return len(prepared)

    @staticmethod
    def _upsert_categories(session: Session, categories: Sequence[Category]) -> None:
        from gridstation.services.pinyin import pinyin_keys

        for order, cat in enumerate(categories):
            initials, full = pinyin_keys(cat.name)
            row = session.get(CategoryRow, cat.code) or CategoryRow(code=cat.code)
            row.name, row.parent_code, row.sort_order, row.active = cat.name, cat.parent_code, order, True
            row.pinyin_initials, row.pinyin_full = initials, full
            session.add(row)

    @staticmethod
    def _upsert_grids(session: Session, grids: Sequence[Grid]) -> None:
        for grid in grids:
            row = session.get(GridRow, grid.code) or GridRow(code=grid.code)
            row.name, row.active = grid.name, True
            session.add(row)

    @staticmethod
    def _upsert_compounds(session: Session, compounds: Sequence[Compound]) -> None:
        from gridstation.services.pinyin import pinyin_keys

        for compound in compounds:
            row = session.get(CompoundRow, compound.name) or CompoundRow(name=compound.name)
            row.grid_code, row.active = compound.grid_code, True
            row.pinyin_initials = pinyin_keys(compound.name)[0]
            session.add(row)

    # ------------------------------------------------------------------ settings

    def deadline_policy(self) -> DeadlinePolicy:
        if self._policy_cache is None:
            with self._read() as session:
                row = session.get(SettingRow, POLICY_KEY)
                self._policy_cache = DeadlinePolicy.from_json(row.value) if row else default_policy()
        return self._policy_cache

    def colour_scheme(self) -> ColourScheme:
        if self._colours_cache is None:
            with self._read() as session:
                row = session.get(SettingRow, COLOURS_KEY)
                self._colours_cache = ColourScheme.from_json(row.value) if row else ColourScheme()
        return self._colours_cache

    def set_deadline_policy(self, actor: StaffMember, policy: DeadlinePolicy) -> None:
        """Store a new policy and re-plan the deadlines of every case from its own events."""
        require(actor.role, Permission.MANAGE_SETTINGS)
        with self._write() as session:
            session.merge(SettingRow(key=POLICY_KEY, value=policy.to_json()))
            for row in session.scalars(select(CaseRow)):
                case_store.write_projection(session, case_store.load_state(session, row.id) or _missing(), policy)
            self._audit(session, actor, "settings.deadline_policy", policy=policy.to_json())
        self._policy_cache = policy

    def set_colour_scheme(self, actor: StaffMember, scheme: ColourScheme) -> None:
        require(actor.role, Permission.MANAGE_SETTINGS)
        with self._write() as session:
            session.merge(SettingRow(key=COLOURS_KEY, value=scheme.to_json()))
            self._audit(session, actor, "settings.colour_scheme", scheme=scheme.to_json())
        self._colours_cache = scheme

    def setting(self, key: str) -> Any:
        """A stored setting's JSON value, or None."""
        with self._read() as session:
            row = session.get(SettingRow, key)
            return None if row is None else row.value

    def set_setting(self, actor: StaffMember, key: str, value: Any) -> None:
        require(actor.role, Permission.MANAGE_SETTINGS)
        with self._write() as session:
            session.merge(SettingRow(key=key, value=value))
            self._audit(session, actor, f"settings.{key}", value=value)

    # ------------------------------------------------------------------ cases

    def local_time(self, moment: datetime) -> datetime:
        """`moment` on the station's wall clock (Asia/Shanghai unless configured otherwise)."""
        station = self.station()
        return moment.astimezone(ZoneInfo(station.timezone if station else "Asia/Shanghai"))

    def local_date(self, moment: datetime) -> date:
        return self.local_time(moment).date()

    def register_case(self, actor: StaffMember, intake: Intake) -> CaseState:
        """Number the case and store its first events in one transaction."""
        require(actor.role, Permission.REGISTER_CASE)
        station = self._require_station()
        policy = self.deadline_policy()
        now = self._now()
        day = self.local_date(now)
        day_key = f"{day:%Y%m%d}"
        case_id = new_id()
        with self._write() as session:
            sequence = case_store.next_daily_sequence(session, day_key)
            number = format_case_number(station.code, day, sequence)
            drafts = decide_registration(case_id, number, intake)
            state, event_seq = self._append(session, actor, station, drafts, now, policy)
        self._remember_issued(event_seq, day_key, sequence)
        return state

    def record(
        self,
        actor: StaffMember,
        case_id: str,
        event_type: EventType,
        payload: dict[str, Any],
        *,
        expected_version: int | None = None,
    ) -> CaseState:
        """Record a lifecycle step, a tier change, a correction, a follow-up or a note."""
        permission = {
            EventType.TIER_CHANGED: Permission.CHANGE_TIER,
            EventType.INTAKE_CORRECTED: Permission.CORRECT_INTAKE,
            EventType.CONFERENCE_FLAGGED: Permission.FLAG_CONFERENCE,
        }.get(event_type, Permission.RECORD_PROGRESS)
        require(actor.role, permission)
        station = self._require_station()
        policy = self.deadline_policy()
        now = self._now()
        with self._write() as session:
            state = case_store.load_state(session, case_id)
            if state is None:
                raise DomainError("case.unknown", "找不到该诉求。")
            if expected_version is not None and state.version != expected_version:
                raise DomainError("case.stale", f"诉求 {state.number} 刚被他人更新，请刷新后再操作。")
            draft = decide(state, event_type, payload)
            if "visited_on" in draft.payload:
                self._check_visit_date(state, date.fromisoformat(draft.payload["visited_on"]), now)
            state, event_seq = self._append(session, actor, station, [draft], now, policy)
        self._remember_issued(event_seq)
        return state

    def _check_visit_date(self, state: CaseState, visited_on: date, now: datetime) -> None:
        """A paper form's date lies between the day the case closed and today, on the station's calendar."""
        if visited_on > self.local_date(now):
            raise ValidationError("visited_on", "follow_up.date_future", "回访日期不能晚于今天。")
        if state.closed_at is not None and visited_on < self.local_date(state.closed_at):
            raise ValidationError("visited_on", "follow_up.date_early", "回访日期不能早于办结日期。")

    def _append(
        self,
        session: Session,
        actor: StaffMember,
        station: StationInfo,
        drafts: Sequence[EventDraft],
        now: datetime,
        policy: DeadlinePolicy,
    ) -> tuple[CaseState, int]:
        """Stamp and store the drafts; returns the new state and the last event's station sequence."""
        events = [
            Event(
                id=new_id(),
                case_id=d.case_id,
                type=d.type,
                payload=d.payload,
                actor_id=actor.id,
                actor_name=actor.name,
                station_code=station.code,
                occurred_at=now,
                hlc=self._clock.now().encode(),
            )
            for d in drafts
        ]
        state, event_seq = case_store.append_events(session, events, policy)
        station_row = session.scalar(select(StationRow))
        if station_row is not None:
            station_row.hlc_last = self._clock.last.encode()
        return state, event_seq

    def _require_station(self) -> StationInfo:
        station = self.station()
        if station is None:
            raise DomainError("station.missing", "工作站尚未初始化。")
        return station

    def case(self, case_id: str) -> CaseState:
        with self._read() as session:
            state = case_store.load_state(session, case_id)
        if state is None:
            raise DomainError("case.unknown", "找不到该诉求。")
        return state

    def case_by_number(self, number: str) -> CaseState:
        with self._read() as session:
            case_id = session.scalar(select(CaseRow.id).where(CaseRow.number == number.strip().upper()))
        if case_id is None:
            raise DomainError("case.unknown", f"找不到编号为 {number} 的诉求。")
        return self.case(case_id)

    def timeline(self, case_id: str) -> list[Event]:
        with self._read() as session:
            return case_store.load_events(session, case_id)

    def all_events(self) -> list[Event]:
        from gridstation.storage.models import EventRow

        with self._read() as session:
            rows = session.scalars(select(EventRow).order_by(case_store.STORED_ORDER))
            return [case_store.event_from_row(r) for r in rows]

    def histories_since(self, start: datetime) -> dict[str, list[Event]]:
        """Whole event logs of every open case and every case touched since `start` (for reports)."""
        from gridstation.storage.models import EventRow

        open_statuses = [str(s) for s in Status if s not in (Status.CLOSED, Status.FOLLOWED_UP)]
        wanted = select(CaseRow.id).where(or_(CaseRow.status.in_(open_statuses), CaseRow.updated_at >= start))
        histories: dict[str, list[Event]] = {}
        with self._read() as session:
            rows = session.scalars(
                select(EventRow)
                .where(
                    EventRow.case_id.in_(wanted),
                    # What the centre refused or decided otherwise is kept in the log but is not part of the case.
                    EventRow.sync_outcome.not_in(("rejected", "conflict")),
                )
                .order_by(case_store.STORED_ORDER)
            )
            for row in rows:
                histories.setdefault(row.case_id, []).append(case_store.event_from_row(row))
        return histories

    def legal_actions(self, case_id: str) -> list[EventType]:
        return legal_actions(self.case(case_id))

    def search(self, query: CaseQuery) -> list[CaseSummary]:
        """One page of matching cases, in the query's order."""
        return self.summaries(self.case_ids(query, limit=query.limit, offset=query.offset))

    def case_ids(self, query: CaseQuery, *, limit: int | None = None, offset: int = 0) -> list[str]:
        """Ids of every matching case in order: cheap enough for 200 000 rows, so a list can show exact counts."""
        with self._read() as session:
            stmt = select(CaseRow.id).where(*self._conditions(query)).order_by(*_ordering(query))
            if limit is not None:
                stmt = stmt.limit(limit).offset(offset)
            # 200 000 short-lived row objects would set off full garbage collections, which hold the GIL and
            # freeze the desk for ~100 ms; what survives is one list of strings, so collecting can wait.
            with _collection_paused():
                return list(session.scalars(stmt))

    def summaries(self, case_ids: Sequence[str]) -> list[CaseSummary]:
        """List rows for the given ids, in the same order; ids no longer present are skipped."""
        found: dict[str, CaseSummary] = {}
        with self._read() as session:
            for start in range(0, len(case_ids), 500):
                chunk = case_ids[start : start + 500]
                rows = session.execute(select(*_SUMMARY_COLUMNS).where(CaseRow.id.in_(chunk)))
                for r in rows:
                    found[r[0]] = CaseSummary(
                        r[0],
                        r[1],
                        r[2],
                        r[3],
                        r[4],
                        r[5],
                        r[6],
                        Tier(r[7]),
                        Status(r[8]),
                        r[9],
                        r[10],
                        r[11],
                        r[12],
                        r[13],
                    )
        return [found[i] for i in case_ids if i in found]

    def count(self, query: CaseQuery) -> int:
        with self._read() as session:
            return int(session.scalar(select(func.count()).select_from(CaseRow).where(*self._conditions(query))) or 0)

    def _conditions(self, query: CaseQuery) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        words = query.text.split()
        for word in words:
            conditions.append(_text_condition(word))
        if query.statuses:
            conditions.append(CaseRow.status.in_([str(s) for s in query.statuses]))
        if query.open_only:
            # IN over the open statuses can use ix_cases_status_due; NOT IN scans the table.
            conditions.append(CaseRow.status.in_([str(s) for s in Status if s not in FINISHED]))
        if query.tiers:
            conditions.append(CaseRow.tier.in_([str(t) for t in query.tiers]))
        if query.category_code:
            conditions.append(
                or_(
                    CaseRow.category_code == query.category_code,
                    CaseRow.category_code.startswith(query.category_code + ".", autoescape=True),
                )
            )
        if query.grid_code:
            conditions.append(CaseRow.grid_code == query.grid_code)
        if query.registered_from:
            conditions.append(CaseRow.registered_at >= self._local_midnight(query.registered_from))
        if query.registered_to:
            conditions.append(CaseRow.registered_at < self._local_midnight(query.registered_to + timedelta(days=1)))
        if query.colours:
            now = query.now or self._now()
            conditions.append(or_(*[_colour_condition(c, self.colour_scheme(), now) for c in query.colours]))
        return conditions

    def _local_midnight(self, day: date) -> datetime:
        station = self.station()
        zone = ZoneInfo(station.timezone if station else "Asia/Shanghai")
        return datetime.combine(day, time(0), zone).astimezone(UTC)

    # ------------------------------------------------------------------ backup and restore

    def backup(self, actor: StaffMember | None, destination: Path) -> Path:
        """Copy the live database with SQLite's online backup API (safe while the desk is in use)."""
        if actor is not None:
            require(actor.role, Permission.BACKUP)
        destination = Path(destination)
        if destination.is_dir():
            destination = destination / f"gridstation-{self._now():%Y%m%d-%H%M%S}.db"
        partial = destination.with_name(destination.name + ".partial")
        with translated_storage_errors():
            destination.parent.mkdir(parents=True, exist_ok=True)
            partial.unlink(missing_ok=True)
            source = sqlite3.connect(self.db_path)
            target = sqlite3.connect(partial)
            try:
                source.backup(target)
                target.execute("PRAGMA journal_mode = DELETE")
                _check_integrity(target)
            finally:
                target.close()
                source.close()
            partial.replace(destination)
        with self._write() as session:
            self._audit(session, actor, "backup", path=str(destination))
        return destination

    def restore(self, actor: StaffMember | None, source: Path) -> Path:
        """Replace the station's data with a backup; the current data is kept as a backup first.

        Returns the path of that safety copy, so a wrong restore can be undone by restoring it.
        """
        if actor is not None:
            require(actor.role, Permission.RESTORE)
        source = Path(source)
        if not source.is_file():
            raise DomainError("restore.missing", f"找不到备份文件：{source}")
        _validate_backup(source)
        # Whatever this database has issued must stay issued, even if the backup is older.
        with self._read() as session:
            db_seq = case_store.last_event_sequence(session)
            counters = {r.day: r.last_sequence for r in session.scalars(select(CaseCounterRow))}
        with self._ledger_lock:
            ledger = read_ledger(self.ledger_path)
            ledger.merge(db_seq)
            for day, seq in counters.items():
                ledger.merge(0, day, seq)
            write_ledger(self.ledger_path, ledger)
        safety = self.backup(None, self.data_dir / "backups" / f"before-restore-{self._now():%Y%m%d-%H%M%S}.db")
        with translated_storage_errors():
            self.engine.dispose()
            self.read_engine.dispose()
            backup_conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            live = sqlite3.connect(self.db_path)
            try:
                backup_conn.backup(live)
            finally:
                live.close()
                backup_conn.close()
            upgrade_to_head(self.engine)
        self._after_restore_or_open()
        with self._write() as session:
            self._audit(session, actor, "restore", source=str(source), safety_copy=str(safety))
        return safety

    def integrity_ok(self) -> bool:
        with self._read() as session:
            return session.execute(text("PRAGMA integrity_check")).scalar() == "ok"


_SUMMARY_COLUMNS = (
    CaseRow.id,
    CaseRow.number,
    CaseRow.registered_at,
    CaseRow.category_code,
    CaseRow.compound,
    CaseRow.address,
    func.substr(CaseRow.description, 1, 120),
    CaseRow.tier,
    CaseRow.status,
    CaseRow.grid_code,
    CaseRow.assignee,
    CaseRow.sla_stage,
    CaseRow.sla_started_at,
    CaseRow.sla_due_at,
)

SORTABLE_COLUMNS: dict[str, Any] = {
    "number": CaseRow.number,
    "registered_at": CaseRow.registered_at,
    "category_code": CaseRow.category_code,
    "compound": CaseRow.compound,
    "tier": CaseRow.tier,
    "status": CaseRow.status,
    "grid_code": CaseRow.grid_code,
    "assignee": CaseRow.assignee,
    "sla_due_at": CaseRow.sla_due_at,
}


def _ordering(query: CaseQuery) -> list[Any]:
    if query.order_by in SORTABLE_COLUMNS:
        column = SORTABLE_COLUMNS[query.order_by]
        return [column.desc() if query.descending else column.asc(), CaseRow.registered_at.desc()]
    # Most urgent first: open work orders the centre marked urgent, then running deadlines by due time, then the
    # newest without one.
    return [CaseRow.urgent.desc(), CaseRow.sla_due_at.is_(None), CaseRow.sla_due_at, CaseRow.registered_at.desc()]


_gc_pause_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = True


@contextlib.contextmanager
def _collection_paused() -> Iterator[None]:
    """Pause the garbage collector (counted, so overlapping pauses from several threads nest correctly)."""
    global _gc_pauses, _gc_was_enabled
    with _gc_pause_lock:
        _gc_pauses += 1
        if _gc_pauses == 1:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
    try:
        yield
    finally:
        with _gc_pause_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def _missing() -> CaseState:
    raise DomainError("case.unknown", "找不到该诉求。")


def _text_condition(word: str) -> ColumnElement[bool]:
    # FTS5 trigram needs three characters; shorter Chinese words (e.g. 噪声) fall back to LIKE.
    if len(word) >= 3:
        quoted = '"' + word.replace('"', '""') + '"'
        matches = text("cases.rowid IN (SELECT rowid FROM case_search WHERE case_search MATCH :q)").bindparams(q=quoted)
        return matches  # type: ignore[return-value]
    columns = (
        CaseRow.description,
        CaseRow.compound,
        CaseRow.building,
        CaseRow.address,
        CaseRow.number,
        CaseRow.complainant_name,
    )
    return or_(*[column.contains(word, autoescape=True) for column in columns])


def _colour_condition(colour: Colour, scheme: ColourScheme, now: datetime) -> ColumnElement[bool]:
    if colour is Colour.NONE:
        return CaseRow.sla_due_at.is_(None)
    if colour is Colour.RED:
        return CaseRow.sla_due_at < now
    # The same arithmetic as sla.used_share (whole microseconds, one division), so that the list filter
    # and the colour a case shows agree exactly at each boundary.
    started = epoch_microseconds(CaseRow.sla_started_at)
    span = epoch_microseconds(CaseRow.sla_due_at) - started
    elapsed = literal(to_epoch_microseconds(now), Integer) - started
    used = case((span <= 0, literal(1.0, Float)), else_=cast(elapsed, Float) / span)
    order = [Colour.GREEN, Colour.BLUE, Colour.YELLOW, Colour.ORANGE]
    parts = [CaseRow.sla_due_at >= now]
    if colour is not Colour.GREEN:  # green has no floor: a clock set back before the stage start is green
        parts.append(used >= scheme.band_floor(colour))
    if colour is not Colour.ORANGE:
        parts.append(used < scheme.band_floor(order[order.index(colour) + 1]))
    return and_(*parts)


def _check_integrity(connection: sqlite3.Connection) -> None:
    result = connection.execute("PRAGMA integrity_check").fetchone()
    if not result or result[0] != "ok":
        raise DomainError("storage.corrupt", "备份文件校验失败（数据库损坏）。")


def _validate_backup(path: Path) -> None:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            _check_integrity(connection)
            tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise DomainError("restore.not_a_backup", f"该文件不是有效的 GridStation 备份：{path.name}") from exc
    if not {"station", "events", "cases"} <= tables:
        raise DomainError("restore.not_a_backup", f"该文件不是有效的 GridStation 备份：{path.name}")
