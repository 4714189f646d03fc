"""The supervision pass (督办, issue 16): every minute in `serve`, and on demand with `gridstation-server supervise`.

It reads the open cases whose running deadline has turned yellow or passed, and those dispatched to departments,
works out what supervision is due on each (`domain/supervision.py`), and records each notice as a `case.supervised`
event of the case's station, which the station pulls like any of the centre's events. A notice's event id is derived
from the case and the notice's key, and a case's notices are decided inside the write that records them, with the
station's row locked: running the pass twice, or two passes at once, records each notice once.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gridstation.domain.case import FINISHED
from gridstation.domain.codec import state_from_json
from gridstation.domain.console_roles import ConsoleRole
from gridstation.domain.enums import EventType
from gridstation.domain.events import Event
from gridstation.domain.lifecycle import check_legal
from gridstation.domain.sla import ColourScheme, DeadlinePolicy
from gridstation.domain.supervision import Notice, due_notices
from gridstation.server.district_policy import DistrictPolicies
from gridstation.server.eventlog import CaseInBatch, project
from gridstation.server.models import CaseDepartmentRow, ServerCaseRow, ServerEventRow, ServerUserRow

SUPERVISOR = "城运中心督办"
_NOTICE_IDS = uuid.UUID("7f0d7a9e-5c1b-4f3e-9a51-0d2c6a3b8e11")


@dataclass(frozen=True, slots=True)
class Recorded:
    number: str
    station_code: str
    level: str
    to: str
    reason: str


@dataclass
class SupervisionRun:
    at: datetime
    checked: int = 0  # cases looked at
    recorded: list[Recorded] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "checked": self.checked,
            "recorded": [asdict(r) for r in self.recorded],
        }

    def message_zh(self) -> str:
        if not self.recorded:
            return f"督办：检查 {self.checked} 件在办诉求，没有新的督办事项。"
        return f"督办：检查 {self.checked} 件在办诉求，新记录 {len(self.recorded)} 条督办。"


class Supervision(DistrictPolicies):
    def supervise(self) -> SupervisionRun:
        """One pass over every open case that may need supervision now; what it recorded."""
        now = self.now()
        policy = self.district_policy().policy  # read once, outside the writes below
        run = SupervisionRun(at=now)
        with self.reading() as session:
            candidates = list(
                session.scalars(
                    select(ServerCaseRow.id).where(
                        ServerCaseRow.status.not_in([str(s) for s in FINISHED]),
                        or_(
                            ServerCaseRow.yellow_at <= now,
                            ServerCaseRow.sla_due_at <= now,
                            ServerCaseRow.id.in_(select(CaseDepartmentRow.case_id)),
                        ),
                    )
                )
            )
            gridleads = _gridleads(session)
        for case_id in candidates:
            run.checked += 1
            run.recorded += self._supervise_case(case_id, now, gridleads, policy)
        return run

    def _supervise_case(
        self, case_id: str, now: datetime, gridleads: dict[str, str], policy: DeadlinePolicy
    ) -> list[Recorded]:
        with self.writing() as session:
            row = session.get(ServerCaseRow, case_id)
            if row is None:
                return []
            station = self._lock_station(session, row.station_code)
            session.refresh(row)
            state = state_from_json(row.state)
            done = {
                str(payload.get("key", ""))
                for payload in session.scalars(
                    select(ServerEventRow.payload).where(
                        ServerEventRow.case_id == case_id, ServerEventRow.type == str(EventType.SUPERVISED)
                    )
                )
            }
            notices = due_notices(
                state,
                self.district_policy().policy,
                ColourScheme(),
                now,
                done,
                gridlead=gridleads.get(state.grid_code, ""),
            )
            if not notices:
                return []
            case = CaseInBatch(row, state)
            recorded = []
            for notice in notices:
                event = self._notice_event(session, case, notice, now)
                if event is None:
                    continue
                self._store_centre_event(session, station, event)
                case.fold(event)
                recorded.append(Recorded(row.number, row.station_code, notice.level, notice.to, notice.reason))
            project(case)
            self._audit(session, SUPERVISOR, "case.supervised", case=row.number, notices=len(recorded))
            return recorded

    def _notice_event(self, session: Session, case: CaseInBatch, notice: Notice, now: datetime) -> Event | None:
        event_id = str(uuid.uuid5(_NOTICE_IDS, f"{case.row.id}|{notice.key}"))
        if session.get(ServerEventRow, event_id) is not None:
            return None
        clean = check_legal(case.state, EventType.SUPERVISED, notice.payload())
        return self._centre_event(
            case.row.id, case.row.station_code, EventType.SUPERVISED, clean, "system:supervision", SUPERVISOR, now,
            event_id,
        )  # fmt: skip


def _gridleads(session: Session) -> dict[str, str]:
    """Each grid's 网格长 by name (the first active gridlead user of the grid)."""
    names: dict[str, str] = {}
    rows = session.execute(
        select(ServerUserRow.username, ServerUserRow.display_name, ServerUserRow.grid_codes)
        .where(ServerUserRow.role == str(ConsoleRole.GRIDLEAD), ServerUserRow.disabled_at.is_(None))
        .order_by(ServerUserRow.created_at)
    ).all()
    for username, display_name, grids in rows:
        for grid in grids or []:
            names.setdefault(str(grid), display_name or username)
    return names
