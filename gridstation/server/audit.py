"""`gridstation-server audit verify`: recompute every stored event's content hash and report the first event whose
fields no longer give it (an edit of the database outside the server), per station or for all.

An event the retention run anonymised differs from its stored hash on purpose; it passes only if a retention record
in the server's audit log names it with exactly its stored hash (before) and its recomputed one (after).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridstation.domain.enums import EVENT_LABELS, EventType
from gridstation.domain.events import event_from_stored
from gridstation.server.core import ServerCore
from gridstation.server.models import ServerAuditRow, ServerCaseRow, ServerEventRow

# The audit action of a retention run's record of the events it anonymised: {"events": {id: [before, after]}}.
ANONYMISED_ACTION = "retention.anonymised"
_PAGE = 5_000
_SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True, slots=True)
class BrokenEvent:
    station_code: str
    case_number: str
    kind: str
    station_seq: int | None
    occurred_at: datetime
    event_id: str

    def message_zh(self) -> str:
        try:
            label = EVENT_LABELS[EventType(self.kind)]
        except (ValueError, KeyError):
            label = self.kind
        seq = f"第 {self.station_seq} 号事件，" if self.station_seq is not None else "城运中心事件，"
        when = f"{self.occurred_at.astimezone(_SHANGHAI):%Y-%m-%d %H:%M:%S}"
        number = self.case_number or "（编号不明）"
        return (
            f"工作站 {self.station_code} 诉求 {number} 的「{label}」（{self.kind}，{seq}{when}）"
            "被改动过：内容与其校验值不符（篡改）。"
        )


@dataclass(frozen=True, slots=True)
class ServerIntegrityReport:
    checked: int
    anonymised: int
    broken: BrokenEvent | None
    seconds: float

    @property
    def intact(self) -> bool:
        return self.broken is None

    def message_zh(self) -> str:
        if self.broken is None:
            note = f"（其中 {self.anonymised} 条按保存期限规定匿名化，有记录可查）" if self.anonymised else ""
            return f"事件完整：{self.checked} 条事件均与其校验值一致{note}。"
        return "事件校验未通过：数据库在服务器之外被改动过（篡改）。第一处：" + self.broken.message_zh()

    def to_json(self) -> dict[str, Any]:
        broken = self.broken
        return {
            "intact": self.intact,
            "checked": self.checked,
            "anonymised": self.anonymised,
            "seconds": round(self.seconds, 3),
            "first_broken": None
            if broken is None
            else {
                "station_code": broken.station_code,
                "case_number": broken.case_number or None,
                "kind": broken.kind,
                "station_seq": broken.station_seq,
                "occurred_at": broken.occurred_at.isoformat(),
                "id": broken.event_id,
                "message": broken.message_zh(),
            },
            "message": self.message_zh(),
        }


def anonymisation_records(session: Session) -> dict[str, tuple[str, str]]:
    """Event id -> (hash before, hash after), from every retention record in the server's audit log."""
    records: dict[str, tuple[str, str]] = {}
    for detail in session.scalars(select(ServerAuditRow.detail).where(ServerAuditRow.action == ANONYMISED_ACTION)):
        events = detail.get("events", {}) if isinstance(detail, Mapping) else {}
        for event_id, pair in dict(events).items():
            if isinstance(pair, list) and len(pair) == 2:
                records[str(event_id)] = (str(pair[0]), str(pair[1]))
    return records


class ServerIntegrity(ServerCore):
    def verify_events(self, station_code: str | None = None) -> ServerIntegrityReport:
        """Every stored event (of one station's scope, or all), stations in code order and each one's events in
        id order (UUIDv7: roughly when they were made); stops at the first that does not match."""
        started = time.perf_counter()
        checked = accepted = 0
        with self.reading() as session:
            records = anonymisation_records(session)
            after = ("", "")
            while True:
                query = select(ServerEventRow).order_by(ServerEventRow.station_code, ServerEventRow.id).limit(_PAGE)
                if station_code is not None:
                    query = query.where(ServerEventRow.station_code == station_code, ServerEventRow.id > after[1])
                else:
                    query = query.where(
                        (ServerEventRow.station_code > after[0])
                        | ((ServerEventRow.station_code == after[0]) & (ServerEventRow.id > after[1]))
                    )
                rows = session.scalars(query).all()
                if not rows:
                    break
                for row in rows:
                    checked += 1
                    recomputed = event_from_stored(row).content_hash()
                    if recomputed == row.content_hash:
                        continue
                    if records.get(row.id) == (row.content_hash, recomputed):
                        accepted += 1
                        continue
                    number = session.scalar(select(ServerCaseRow.number).where(ServerCaseRow.id == row.case_id))
                    broken = BrokenEvent(
                        row.station_code, number or "", row.type, row.station_seq, row.occurred_at, row.id
                    )
                    return ServerIntegrityReport(checked, accepted, broken, time.perf_counter() - started)
                after = (rows[-1].station_code, rows[-1].id)
                session.expunge_all()  # millions of rows: keep only a page in memory
        return ServerIntegrityReport(checked, accepted, None, time.perf_counter() - started)
