"""A station of the crash tests: a data directory enrolled with the crash server, recording work between runs."""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gridstation.domain.enums import EventType
from gridstation.domain.errors import DomainError
from gridstation.protocol import StatusUpdate
from gridstation.server.accounts import Department
from gridstation.services.station import StationService
from gridstation.storage import settings
from gridstation.storage.settings import SettingKey
from gridstation.sync.engine import SyncService
from tests.support.complaints import complaint
from tests.support.crash.invariants import read_sqlite
from tests.support.crash.server import CrashServer
from tests.support.staff import ADMIN_NAME, ADMIN_PIN


@dataclass
class Station:
    """A station data directory, initialised with the tests' admin and enrolled with the server.

    The desk stays open in the test process between runs (as the desk application does while a scheduled
    `gridstation sync` runs), recording the next run's work while no sync is running.
    """

    code: str
    data_dir: Path
    server: CrashServer
    desk: Any = None  # the StationService, until `close`
    admin: Any = None
    cases: list[str] = field(default_factory=list)
    contested: set[str] = field(default_factory=set)  # cases both the centre and the desk moved on
    via_proxy: bool = False
    broken: bool = False  # a run on it failed
    work_orders: int = 0
    added: int = 0

    @classmethod
    def create(cls, root: Path, code: str, server: CrashServer) -> Station:
        station = cls(code, root / f"station-{code}", server)
        station.desk = StationService(station.data_dir)
        try:
            station.admin = station.desk.initialise(
                code=code, name=f"{code} 民情快办工作站", admin_name=ADMIN_NAME, admin_pin=ADMIN_PIN
            )
            SyncService(station.desk).enrol(station.admin, server.url, server.add_station(code, f"{code} 工作站"))
        except BaseException:
            station.close()
            raise
        return station

    def close(self) -> None:
        if self.desk is not None:
            self.desk.close()
            self.desk = None

    def add_work(self, rng: random.Random, *, cases: int, events: int, work_orders: int = 0) -> int:
        """New cases and notes at the desk (all unsent), and work orders dispatched to it on the server."""
        for _ in range(work_orders):
            self.work_orders += 1
            self.server.dispatch_work_order(self.code, f"GD{self.code}{self.work_orders:06d}", self.work_orders)
        before = self.added
        for _ in range(cases if self.cases else max(cases, 1)):
            state = self.desk.register_case(self.admin, complaint(rng.randrange(3)))
            self.cases.append(state.id)
            self.added += 1
        for _ in range(events):
            case_id = rng.choice(self.cases[-12:])
            self.desk.record(self.admin, case_id, EventType.NOTE_ADDED, {"note": f"第 {self.added} 次跟进"})
            self.added += 1
        return self.added - before

    def contest(self, rng: random.Random, *, cases: int) -> int:
        """The centre and this desk both move the same (synced) cases on: a department reports the next step on
        the server while the desk records its own next step here, unsent. When the push arrives the server may
        find the desk's step no longer possible: the event is kept as a conflict, and the pull brings the
        centre's state down. Returns the number of desk events recorded."""
        department = Department("GREEN", "区绿化市容局")
        if not self.contested:
            with contextlib.suppress(DomainError):
                self.server.service().add_department(department.code, department.name)
        recorded = 0
        for case_id in rng.sample(self.cases[:-3], min(cases, max(0, len(self.cases) - 3))):
            number = self.desk.case(case_id).number
            for step in ("closed", "disposed", "on_site", "dispatched"):  # the furthest the server's state allows
                update = StatusUpdate(
                    case_number=number, update=step, note="部门现场处理", assignee="绿化队", answer="已修剪完毕"
                )
                try:
                    self.server.service().department_update(department, update)
                    break
                except DomainError:
                    continue
            steps = {  # the furthest the desk's (possibly outdated) state allows
                EventType.CLOSED: {"answer": "已答复居民"},
                EventType.DISPOSED: {"outcome": "resolved", "note": "已处置"},
                EventType.ARRIVED_ON_SITE: {"note": "已到场"},
                EventType.DISPATCHED: {"assignee": "网格员", "note": "派网格员"},
                EventType.FIRST_CONTACT: {"note": "已电话联系居民"},
            }
            for event_type, payload in steps.items():
                try:
                    self.desk.record(self.admin, case_id, event_type, payload)
                except DomainError:
                    continue
                recorded += 1
                self.added += 1
                break
            self.contested.add(case_id)
        return recorded

    def set_server_url(self, url: str) -> None:
        """What an administrator does when the server moved: the station keeps its credential and position."""
        with self.desk.transaction() as session:
            settings.put_setting(session, SettingKey.SERVER_URL, url)

    def unsent(self) -> int:
        with read_sqlite(self.data_dir / "station.db") as db:
            query = "SELECT count(*) FROM events WHERE origin = 'station' AND acknowledged_at IS NULL"
            return int(db.execute(query).fetchone()[0])
