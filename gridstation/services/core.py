"""What every part of the station service stands on: the database and its sessions, the clock, the numbering
ledger, the audit trail and the station's own identity."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from gridstation.common.files import new_private_dir, protect_sqlite_database, restrict
from gridstation.common.sqlite import make_engine
from gridstation.domain.clock import HlcStamp, HybridLogicalClock
from gridstation.domain.errors import DomainError
from gridstation.domain.events import new_id
from gridstation.services.ledger import LedgerKeeper, NumberingLedger
from gridstation.services.station_files import DB_FILE, LEDGER_FILE
from gridstation.storage import case_store, integrity
from gridstation.storage.db import make_session_factory, translated_storage_errors
from gridstation.storage.migrate import upgrade_to_head
from gridstation.storage.models import CaseCounterRow, StaffRow, StationRow

if TYPE_CHECKING:  # staff.py builds on this module; the audit trail only reads an actor's id and name
    from gridstation.services.staff import StaffMember

# Audit entries that record no change by their actor (a sign-in, its failure, a PIN's hash upgraded on sign-in):
# written whatever has become of the account since.
# A restore is recorded in the restored database, where the person restoring (on a new machine) need not exist.
NOT_CHANGES = frozenset({"sign_in", "sign_in.failed", "pin.rehashed", "restore"})
DEFAULT_TIMEZONE = "Asia/Shanghai"
_STANDING_BY_ID = select(StaffRow.active, StaffRow.role).where(StaffRow.id == bindparam("id"))
_STANDING_BY_NAME = select(StaffRow.active, StaffRow.role).where(StaffRow.name == bindparam("name"))


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class StationInfo:
    code: str
    name: str
    sub_district: str
    contact_phone: str
    timezone: str


class StationCore:
    """One open station database, as every part of StationService sees it. Thread-safe: each call uses its own
    session."""

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
        self.ledger = LedgerKeeper(self.ledger_path)
        with translated_storage_errors():
            # Residents' data: the owner's alone (0600 files; a new data folder 0700), whatever the umask.
            new_private_dir(self.data_dir)
            protect_sqlite_database(self.db_path)
            restrict(self.ledger_path)
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
        self._station_cache: StationInfo | None = None
        self._after_restore_or_open()

    # ------------------------------------------------------------------ sessions

    def close(self) -> None:
        # Keeps the planner's statistics fresh (cheap; SQLite only analyses what changed enough).
        with contextlib.suppress(Exception), self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA optimize")
        with contextlib.suppress(OSError):
            self.ledger.flush()
        self.engine.dispose()
        self.read_engine.dispose()

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

    # ------------------------------------------------------------------ audit trail

    def _require_current(self, session: Session, actor: StaffMember) -> None:
        """`actor` may still act as signed in: an account disabled or given another role since (by an
        administrator at another desk, or `gridstation staff disable` at the command line) records nothing more."""
        # Two columns on the session's connection, not an ORM row: this runs on every save.
        connection = session.connection()
        row = connection.execute(_STANDING_BY_ID, {"id": actor.id}).first()
        if row is None:  # a backup restored since: the same person is known there under the id of the backup
            row = connection.execute(_STANDING_BY_NAME, {"name": actor.name}).first()
        if row is None:
            missing = f"本站人员名单中没有 {actor.name}（可能刚从备份恢复），请锁定后重新登录。"
            raise DomainError("staff.unknown", missing)
        if not row.active:
            raise DomainError(
                "staff.no_longer_active", f"{actor.name} 的账号已被停用，不能再记录。请交给其他工作人员，或联系管理员。"
            )
        if row.role != str(actor.role):
            raise DomainError("staff.role_changed", f"{actor.name} 的角色已被管理员更改，请锁定后重新登录。")

    def record_audit(self, session: Session, actor: StaffMember | None, action: str, **detail: Any) -> None:
        self._audit(session, actor, action, **detail)

    def _audit(self, session: Session, actor: StaffMember | None, action: str, **detail: Any) -> None:
        """Append to the chained audit log, in the caller's transaction (linked to the entry before it); a change
        made by someone no longer allowed to make it is refused here, before it is written (`_require_current`)."""
        if actor is not None and action not in NOT_CHANGES:
            self._require_current(session, actor)
        integrity.add_audit_entry(
            session,
            entry_id=new_id(),
            at=self._now(),
            staff_id=actor.id if actor else "",
            staff_name=actor.name if actor else "",
            action=action,
            detail=detail,
        )

    # ------------------------------------------------------------------ the station and its calendar

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

    def _require_station(self) -> StationInfo:
        station = self.station()
        if station is None:
            raise DomainError("station.missing", "工作站尚未初始化。")
        return station

    def now(self) -> datetime:
        return self._now()

    def _zone(self) -> ZoneInfo:
        station = self.station()
        return ZoneInfo(station.timezone if station else DEFAULT_TIMEZONE)

    def local_time(self, moment: datetime) -> datetime:
        """`moment` on the station's wall clock (Asia/Shanghai unless configured otherwise)."""
        return moment.astimezone(self._zone())

    def local_date(self, moment: datetime) -> date:
        return self.local_time(moment).date()

    def start_of_day(self, day: date) -> datetime:
        """The UTC moment `day` begins on the station's calendar."""
        return datetime.combine(day, time(0), self._zone()).astimezone(UTC)

    # ------------------------------------------------------------------ clock and numbering ledger

    def observe_stamps(self, stamps: Iterable[str]) -> None:
        """Events from elsewhere were stored: later events here must sort after them."""
        latest = max((HlcStamp.decode(s) for s in stamps if s), default=None)
        if latest is not None:
            self._clock.observe(latest)

    def note_issued(self, event_sequence: int) -> None:
        """Event numbers up to `event_sequence` are taken (sync renumbered or pulled them): never reuse them."""
        self._remember_issued(event_sequence)

    def _after_restore_or_open(self) -> None:
        """Load the clock, and skip numbers the ledger says were issued beyond what this database knows."""
        with self._write() as session:
            station = session.scalar(select(StationRow))
            ledger = self.ledger.read()
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
        self._forget_cached_data()

    def _forget_cached_data(self) -> None:
        """What was read from the database before it was opened or replaced by a backup is stale.

        Each part of the service that caches something extends this.
        """
        self._station_cache = None

    def _remember_issued(self, event_sequence: int, day: str | None = None, sequence: int = 0) -> None:
        # Written behind the save (LedgerKeeper): the database already holds the truth; the ledger only guards
        # against old backups, and a failure to write it is tried again with the next number.
        self.ledger.remember(event_sequence, day, sequence, self._clock.last.encode())

    def _remember_everything_issued(self) -> None:
        """Before the database is replaced: whatever it has issued must stay issued, even if the backup is older.

        Unlike `_remember_issued`, a failure to write the ledger stops the caller: the database is about to lose
        the truth.
        """
        with self._read() as session:
            db_seq = case_store.last_event_sequence(session)
            counters = {r.day: r.last_sequence for r in session.scalars(select(CaseCounterRow))}
        issued = NumberingLedger(db_seq, dict(counters))
        self.ledger.add_and_write(issued)
