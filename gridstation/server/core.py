"""ServerCore: what every part of the server's service shares.

The database and its two kinds of session (`writing`, `reading`), the clock and the server's hybrid logical
clock, the audit log and the station lock. The parts (`Accounts`, `Ingest`, `Feed`, `Receipts`, `WorkOrders`,
`Lookups`) each add one responsibility on top of it; `ServerService` is all of them together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridstation.assets import RESOURCES
from gridstation.domain.clock import HlcStamp, HybridLogicalClock
from gridstation.domain.enums import EventType
from gridstation.domain.events import Event, new_id
from gridstation.domain.reference import parse_categories
from gridstation.server.db import ServerDatabase
from gridstation.server.errors import not_found
from gridstation.server.eventlog import PendingRows, store_event
from gridstation.server.faults import FaultInjector
from gridstation.server.models import ServerAuditRow, ServerCategoryRow, ServerEventRow, ServerStationRow


def utc_now() -> datetime:
    return datetime.now(UTC)


class ServerCore:
    def __init__(
        self,
        database: ServerDatabase,
        *,
        clock: Callable[[], datetime] = utc_now,
        faults: FaultInjector | None = None,
    ) -> None:
        self.database = database
        self.faults = faults if faults is not None else FaultInjector()
        self._clock = clock
        self._write = database.writer()
        self._read = database.reader()
        self._hlc = HybridLogicalClock(wall_ms=lambda: int(self._clock().timestamp() * 1000))
        self._category_name_cache: dict[str, str] | None = None
        self._restore_clock()
        self._seed_categories()

    def now(self) -> datetime:
        return self._clock()

    @contextmanager
    def writing(self) -> Iterator[Session]:
        with self._write() as session, session.begin():
            yield session
            PendingRows.of(session).write(session)

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

    def _centre_event(
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
        """An event the centre makes, stamped by the server's clock (recorded with `_store_centre_event`)."""
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

    def _store_centre_event(self, session: Session, station: ServerStationRow, event: Event) -> None:
        """An event the centre made (a work order, a dispatch, a department's answer, a 督办), applied at once and
        fed to its station like any other."""
        store_event(
            session,
            station,
            event,
            content_hash=event.content_hash(),
            origin="server",
            station_seq=None,
            applied=True,
            received_at=self.now(),
        )

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
